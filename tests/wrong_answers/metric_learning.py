"""Plausible wrong answers to the exercises of "Metric and contrastive learning"."""

CG_HEAD = '''
def contrastive_grad(z1, z2, same, margin=1.0):'''

NT_HEAD = '''
def pml_nt_xent(z, y, tau=0.1):
    u = F.normalize(z, dim=-1)
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)'''

BH_HEAD = '''
def batch_hard_soft(z, y):'''

SC_HEAD = '''
def sup_con_in(z, y, tau=0.1):'''

SM_HEAD = '''
def safe_margin(z, y):
    d = torch.cdist(z, z)
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    keep = pos.any(1)
    delta = (torch.where(pos, d, -math.inf).amax(1) - torch.where(~same, d, math.inf).amin(1))[keep]'''

TF_HEAD = '''
def temperature_for(sim, target):
    n = sim.shape[0]
    eye = torch.eye(n, dtype=torch.bool)'''

BISECT = '''
    lo, hi = math.log(1e-6), math.log(1e6)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if weight(math.exp(mid)) > target else (lo, mid)
    return math.exp((lo + hi) / 2)
'''

WRONG = {
    "contrastive-grad": {
        "sign of the dissimilar branch flipped (pulls instead of pushes)": CG_HEAD + '''
    diff = z1 - z2
    d = diff.norm(dim=-1, keepdim=True)
    return torch.where(same[:, None], diff, F.relu(margin - d) * diff / d)
''',
        "forgets to divide by D (gradient of the hinge times z1 - z2)": CG_HEAD + '''
    diff = z1 - z2
    d = diff.norm(dim=-1, keepdim=True)
    return torch.where(same[:, None], diff, -F.relu(margin - d) * diff)
''',
        "Hadsell's Y read as 1 = similar (branches swapped)": CG_HEAD + '''
    diff = z1 - z2
    d = diff.norm(dim=-1, keepdim=True)
    return torch.where(~same[:, None], diff, -F.relu(margin - d) * diff / d)
''',
        "forgets the ½ (factor 2)": CG_HEAD + '''
    diff = z1 - z2
    d = diff.norm(dim=-1, keepdim=True)
    return 2 * torch.where(same[:, None], diff, -F.relu(margin - d) * diff / d)
''',
        "autograd instead of a derivation": CG_HEAD + '''
    leaf = z1.detach().clone().requires_grad_(True)
    d = (leaf - z2).norm(dim=-1)
    loss = torch.where(same, 0.5 * d**2, 0.5 * F.relu(margin - d) ** 2).sum()
    return torch.autograd.grad(loss, leaf)[0]
''',
        "autograd called through an alias inside enable_grad": CG_HEAD + '''
    import torch.autograd as ag
    with torch.enable_grad():
        leaf = z1.detach().clone().requires_grad_(True)
        d = (leaf - z2).norm(dim=-1)
        loss = torch.where(same, 0.5 * d**2, 0.5 * F.relu(margin - d) ** 2).sum()
        return getattr(ag, "gr" + "ad")(loss, leaf)[0]
''',
    },
    "pml-nt-xent": {
        "Khosla's denominator (the other positives included)": NT_HEAD + '''
    s = (u @ u.T / tau).masked_fill(torch.eye(len(y), dtype=torch.bool), -math.inf)
    log_prob = s - s.logsumexp(1, keepdim=True)
    return -log_prob[pos].mean()
''',
        "mean over anchors instead of over positive pairs": NT_HEAD + '''
    s = u @ u.T / tau
    neg_lse = s.masked_fill(same, -math.inf).logsumexp(1, keepdim=True)
    per_pair = (torch.logaddexp(s, neg_lse) - s).masked_fill(~pos, 0)
    keep = pos.any(1)
    return (per_pair.sum(1)[keep] / pos.sum(1)[keep]).mean()
''',
        "positive left out of its own denominator (decoupled)": NT_HEAD + '''
    s = u @ u.T / tau
    neg_lse = s.masked_fill(same, -math.inf).logsumexp(1, keepdim=True)
    return (neg_lse - s).expand_as(s)[pos].mean()
''',
        "dot products instead of cosine similarities": NT_HEAD + '''
    s = z @ z.T / tau
    neg_lse = s.masked_fill(same, -math.inf).logsumexp(1, keepdim=True)
    return (torch.logaddexp(s, neg_lse) - s)[pos].mean()
''',
        "returns a detached tensor": NT_HEAD + '''
    s = (u @ u.T / tau).detach()
    neg_lse = s.masked_fill(same, -math.inf).logsumexp(1, keepdim=True)
    return (torch.logaddexp(s, neg_lse) - s)[pos].mean()
''',
    },
    "batch-hard-soft": {
        "squared distances": BH_HEAD + '''
    d = (z[:, None] - z[None]).pow(2).sum(-1)
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    hp = torch.where(pos, d, -math.inf).amax(1)
    hn = torch.where(~same, d, math.inf).amin(1)
    return F.softplus(hp - hn)[pos.any(1)].mean()
''',
        "the anchor counted as its own positive (singletons kept)": BH_HEAD + '''
    d = (z[:, None] - z[None]).pow(2).sum(-1).clamp(min=1e-24).sqrt()
    same = y[:, None] == y[None]
    hp = torch.where(same, d, -math.inf).amax(1)
    hn = torch.where(~same, d, math.inf).amin(1)
    return F.softplus(hp - hn).mean()
''',
        "hinge with margin 0 instead of softplus": BH_HEAD + '''
    d = (z[:, None] - z[None]).pow(2).sum(-1).clamp(min=1e-24).sqrt()
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    hp = torch.where(pos, d, -math.inf).amax(1)
    hn = torch.where(~same, d, math.inf).amin(1)
    return F.relu(hp - hn)[pos.any(1)].mean()
''',
        "mean negative distance instead of the closest": BH_HEAD + '''
    d = (z[:, None] - z[None]).pow(2).sum(-1).clamp(min=1e-24).sqrt()
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    hp = torch.where(pos, d, -math.inf).amax(1)
    hn = (d * ~same).sum(1) / (~same).sum(1)
    return F.softplus(hp - hn)[pos.any(1)].mean()
''',
        "returns a detached tensor": BH_HEAD + '''
    d = torch.cdist(z, z).detach()
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    hp = torch.where(pos, d, -math.inf).amax(1)
    hn = torch.where(~same, d, math.inf).amin(1)
    return F.softplus(hp - hn)[pos.any(1)].mean()
''',
        "sum over anchors (Hermans' sum) instead of the mean": BH_HEAD + '''
    d = (z[:, None] - z[None]).pow(2).sum(-1).clamp(min=1e-24).sqrt()
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    hp = torch.where(pos, d, -math.inf).amax(1)
    hn = torch.where(~same, d, math.inf).amin(1)
    return F.softplus(hp - hn)[pos.any(1)].sum()
''',
    },
    "sup-con-in": {
        "the chapter's L_out (average outside the log)": SC_HEAD + '''
    u = F.normalize(z, dim=-1)
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = (y[:, None] == y[None]) & ~eye
    logits = (u @ u.T / tau).masked_fill(eye, -math.inf)
    log_prob = logits - logits.logsumexp(1, keepdim=True)
    keep = pos.any(1)
    return -(log_prob.masked_fill(~pos, 0).sum(1)[keep] / pos.sum(1)[keep]).mean()
''',
        "sum inside the log, no 1/|P(i)|": SC_HEAD + '''
    u = F.normalize(z, dim=-1)
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = (y[:, None] == y[None]) & ~eye
    logits = (u @ u.T / tau).masked_fill(eye, -math.inf)
    log_prob = logits - logits.logsumexp(1, keepdim=True)
    keep = pos.any(1)
    return -log_prob.masked_fill(~pos, -math.inf).logsumexp(1)[keep].mean()
''',
        "the anchor itself in the denominator": SC_HEAD + '''
    u = F.normalize(z, dim=-1)
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = (y[:, None] == y[None]) & ~eye
    logits = u @ u.T / tau
    log_prob = logits - logits.logsumexp(1, keepdim=True)
    keep = pos.any(1)
    count = pos.sum(1)[keep].to(log_prob.dtype)
    return -(log_prob.masked_fill(~pos, -math.inf).logsumexp(1)[keep] - count.log()).mean()
''',
        "embeddings not normalised": SC_HEAD + '''
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = (y[:, None] == y[None]) & ~eye
    logits = (z @ z.T / tau).masked_fill(eye, -math.inf)
    log_prob = logits - logits.logsumexp(1, keepdim=True)
    keep = pos.any(1)
    count = pos.sum(1)[keep].to(log_prob.dtype)
    return -(log_prob.masked_fill(~pos, -math.inf).logsumexp(1)[keep] - count.log()).mean()
''',
    },
    "collapse-margin": {
        "hardest positive over the whole class, the anchor included": '''
def safe_margin(z, y):
    d = torch.cdist(z, z)
    same = y[:, None] == y[None]
    delta = torch.where(same, d, -math.inf).amax(1) - torch.where(~same, d, math.inf).amin(1)
    if delta.mean() >= 0:
        return math.inf
    lo, hi = 0.0, 1.0
    while (F.relu(delta + hi).mean() - hi).item() >= 0:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (F.relu(delta + mid).mean() - mid).item() >= 0 else (lo, mid)
    return hi
''',
        "minus the mean delta (every anchor assumed active)": SM_HEAD + '''
    if delta.mean() >= 0:
        return math.inf
    return -delta.mean().item()
''',
        "the largest -delta (a margin no anchor violates)": SM_HEAD + '''
    if delta.mean() >= 0:
        return math.inf
    return max(0.0, (-delta).max().item())
''',
        "root of mean([delta + a]_+) = 0 instead of = a": SM_HEAD + '''
    if delta.mean() >= 0:
        return math.inf
    return max(0.0, -delta.max().item())
''',
        "squared distances": '''
def safe_margin(z, y):
    d = torch.cdist(z, z) ** 2
    same = y[:, None] == y[None]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    delta = (torch.where(pos, d, -math.inf).amax(1) - torch.where(~same, d, math.inf).amin(1))[pos.any(1)]
    if delta.mean() >= 0:
        return math.inf
    lo, hi = 0.0, 1.0
    while (F.relu(delta + hi).mean() - hi).item() >= 0:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (F.relu(delta + mid).mean() - mid).item() >= 0 else (lo, mid)
    return hi
''',
    },
    "temperature-for": {
        "the positive (diagonal) kept in the softmax": TF_HEAD + '''
    def weight(tau):
        return torch.softmax(sim.double() / tau, 1).amax(1).mean().item()
''' + BISECT,
        "bisection the wrong way (weight assumed to grow with tau)": TF_HEAD + '''
    others = sim.double().masked_fill(eye, -math.inf)
    def weight(tau):
        return -torch.softmax(others / tau, 1).amax(1).mean().item()
    target = -target
''' + BISECT,
        "the hardest negative's weight in the worst row instead of the mean": TF_HEAD + '''
    others = sim.double().masked_fill(eye, -math.inf)
    def weight(tau):
        return torch.softmax(others / tau, 1).amax(1).max().item()
''' + BISECT,
        "returns 1/tau (the scale of the logits)": TF_HEAD + '''
    others = sim.double().masked_fill(eye, -math.inf)
    def weight(tau):
        return torch.softmax(others / tau, 1).amax(1).mean().item()
    lo, hi = math.log(1e-6), math.log(1e6)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if weight(math.exp(mid)) > target else (lo, mid)
    return 1 / math.exp((lo + hi) / 2)
''',
    },
}
