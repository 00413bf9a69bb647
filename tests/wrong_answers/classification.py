"""Plausible wrong answers to the exercises of "Probabilistic classification losses"."""

from tests.wrong_answers.common import REDUCE

WRONG = {
    "bce-with-logits": {
        "naive formula with sigmoid and log (overflows)": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    w = 1.0 if pos_weight is None else pos_weight
    p = torch.sigmoid(logits)
    per_element = -(w * target * torch.log(p) + (1 - target) * torch.log(1 - p))''' + REDUCE,
        "pos_weight ignored": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    per_element = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)''' + REDUCE,
        "pos_weight on the negative term": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    w = 1.0 if pos_weight is None else pos_weight
    per_element = target * F.softplus(-logits) + w * (1 - target) * F.softplus(logits)''' + REDUCE,
        "softplus arguments swapped": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    w = 1.0 if pos_weight is None else pos_weight
    per_element = w * target * F.softplus(logits) + (1 - target) * F.softplus(-logits)''' + REDUCE,
        "branches on target == 1 (wrong for soft targets)": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    w = 1.0 if pos_weight is None else pos_weight
    per_element = torch.where(target == 1, w * F.softplus(-logits), F.softplus(logits))''' + REDUCE,
        "returns a detached tensor": '''
def bce_with_logits(logits, target, pos_weight=None, reduction="mean"):
    w = 1.0 if pos_weight is None else pos_weight
    per_element = w * target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    per_element = per_element.detach()''' + REDUCE,
    },
    "softmax-cross-entropy": {
        "no max subtraction (overflows)": '''
def cross_entropy(logits, target, reduction="mean"):
    log_probs = logits - logits.exp().sum(dim=1, keepdim=True).log()
    if target.dtype == torch.int64:
        per_element = -log_probs.gather(1, target[:, None]).squeeze(1)
    else:
        per_element = -(target * log_probs).sum(dim=1)''' + REDUCE,
        "mean over classes instead of sum": '''
def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    if target.dtype == torch.int64:
        per_element = -log_probs.gather(1, target[:, None]).squeeze(1)
    else:
        per_element = -(target * log_probs).mean(dim=1)''' + REDUCE,
        "log of the logit, not of the softmax": '''
def cross_entropy(logits, target, reduction="mean"):
    probs = torch.sigmoid(logits)
    log_probs = probs.log()
    if target.dtype == torch.int64:
        per_element = -log_probs.gather(1, target[:, None]).squeeze(1)
    else:
        per_element = -(target * log_probs).sum(dim=1)''' + REDUCE,
        "index targets only": '''
def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    per_element = -log_probs.gather(1, target.long().reshape(-1, 1)[: len(logits)]).squeeze(1)''' + REDUCE,
        "returns a detached tensor": '''
def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = (shifted - shifted.exp().sum(dim=1, keepdim=True).log()).detach()
    if target.dtype == torch.int64:
        per_element = -log_probs.gather(1, target[:, None]).squeeze(1)
    else:
        per_element = -(target * log_probs).sum(dim=1)''' + REDUCE,
    },
    "ce-gradient": {
        "gradient of the sum (not divided by the weights)": '''
def cross_entropy_grad(logits, target, weight=None, label_smoothing=0.0):
    n, classes = logits.shape
    w = torch.ones(classes, dtype=logits.dtype) if weight is None else weight
    kept = target != -100
    safe = torch.where(kept, target, 0)
    q = (1 - label_smoothing) * F.one_hot(safe, classes).to(logits.dtype) + label_smoothing / classes
    wq = w * q
    return (torch.softmax(logits, dim=1) * wq.sum(1, keepdim=True) - wq) * kept[:, None]
''',
        "divided by N instead of the sum of the weights": '''
def cross_entropy_grad(logits, target, weight=None, label_smoothing=0.0):
    n, classes = logits.shape
    w = torch.ones(classes, dtype=logits.dtype) if weight is None else weight
    kept = target != -100
    safe = torch.where(kept, target, 0)
    q = (1 - label_smoothing) * F.one_hot(safe, classes).to(logits.dtype) + label_smoothing / classes
    wq = w * q
    return (torch.softmax(logits, dim=1) * wq.sum(1, keepdim=True) - wq) * kept[:, None] / kept.sum()
''',
        "weights only on the target term (p - w q)": '''
def cross_entropy_grad(logits, target, weight=None, label_smoothing=0.0):
    n, classes = logits.shape
    w = torch.ones(classes, dtype=logits.dtype) if weight is None else weight
    kept = target != -100
    safe = torch.where(kept, target, 0)
    q = (1 - label_smoothing) * F.one_hot(safe, classes).to(logits.dtype) + label_smoothing / classes
    return (torch.softmax(logits, dim=1) - w * q) * kept[:, None] / (w[safe] * kept).sum()
''',
        "label smoothing ignored": '''
def cross_entropy_grad(logits, target, weight=None, label_smoothing=0.0):
    n, classes = logits.shape
    w = torch.ones(classes, dtype=logits.dtype) if weight is None else weight
    kept = target != -100
    safe = torch.where(kept, target, 0)
    wq = w * F.one_hot(safe, classes).to(logits.dtype)
    return (torch.softmax(logits, dim=1) * wq.sum(1, keepdim=True) - wq) * kept[:, None] / (w[safe] * kept).sum()
''',
        "ignored examples not masked": '''
def cross_entropy_grad(logits, target, weight=None, label_smoothing=0.0):
    n, classes = logits.shape
    w = torch.ones(classes, dtype=logits.dtype) if weight is None else weight
    safe = target.clamp(min=0)
    q = (1 - label_smoothing) * F.one_hot(safe, classes).to(logits.dtype) + label_smoothing / classes
    wq = w * q
    return (torch.softmax(logits, dim=1) * wq.sum(1, keepdim=True) - wq) / w[safe].sum()
''',
    },
    "multiclass-hinge": {
        "the target class included in the sum": '''
def multi_margin(logits, target, margin=1.0, reduction="mean"):
    true_score = logits.gather(1, target[:, None])
    per_element = torch.clamp(margin - true_score + logits, min=0).sum(dim=1) / logits.shape[1]''' + REDUCE,
        "not divided by the number of classes": '''
def multi_margin(logits, target, margin=1.0, reduction="mean"):
    true_score = logits.gather(1, target[:, None])
    hinge = torch.clamp(margin - true_score + logits, min=0).scatter(1, target[:, None], 0.0)
    per_element = hinge.sum(dim=1)''' + REDUCE,
        "Crammer-Singer (max) instead of Weston-Watkins (sum)": '''
def multi_margin(logits, target, margin=1.0, reduction="mean"):
    true_score = logits.gather(1, target[:, None])
    hinge = torch.clamp(margin - true_score + logits, min=0).scatter(1, target[:, None], 0.0)
    per_element = hinge.amax(dim=1) / logits.shape[1]''' + REDUCE,
        "margin ignored": '''
def multi_margin(logits, target, margin=1.0, reduction="mean"):
    true_score = logits.gather(1, target[:, None])
    hinge = torch.clamp(1.0 - true_score + logits, min=0).scatter(1, target[:, None], 0.0)
    per_element = hinge.sum(dim=1) / logits.shape[1]''' + REDUCE,
        "returns a detached tensor": '''
def multi_margin(logits, target, margin=1.0, reduction="mean"):
    true_score = logits.gather(1, target[:, None])
    hinge = torch.clamp(margin - true_score + logits, min=0).scatter(1, target[:, None], 0.0)
    per_element = (hinge.sum(dim=1) / logits.shape[1]).detach()''' + REDUCE,
    },
    "smoothing-optimum": {
        "numerical minimisation with LBFGS (no derivation)": '''
def smoothing_optimum(weight, y, label_smoothing):
    z = torch.zeros(len(weight), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([z], max_iter=500, tolerance_grad=1e-14, tolerance_change=1e-16,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(z[None], torch.tensor([y]), weight=weight,
                               label_smoothing=label_smoothing, reduction="sum")
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    return torch.softmax(z.detach(), 0)
''',
        "numerical minimisation with autograd re-enabled": '''
def smoothing_optimum(weight, y, label_smoothing):
    with torch.enable_grad():
        z = torch.zeros(len(weight), dtype=torch.float64, requires_grad=True)
        for _ in range(3000):
            loss = F.cross_entropy(z[None], torch.tensor([y]), weight=weight,
                                   label_smoothing=label_smoothing, reduction="sum")
            (g,) = torch.autograd.grad(loss, z)
            z = (z - 0.5 * g).detach().requires_grad_(True)
    return torch.softmax(z.detach(), 0)
''',
        "the smoothed target itself (weights ignored)": '''
def smoothing_optimum(weight, y, label_smoothing):
    classes = len(weight)
    q = torch.full((classes,), label_smoothing / classes, dtype=weight.dtype)
    q[y] += 1 - label_smoothing
    return q
''',
        "divided by the weights": '''
def smoothing_optimum(weight, y, label_smoothing):
    classes = len(weight)
    q = torch.full((classes,), label_smoothing / classes, dtype=weight.dtype)
    q[y] += 1 - label_smoothing
    r = q / weight
    return r / r.sum()
''',
        "smoothing mass spread over the C - 1 other classes": '''
def smoothing_optimum(weight, y, label_smoothing):
    classes = len(weight)
    q = torch.full((classes,), label_smoothing / (classes - 1), dtype=weight.dtype)
    q[y] = 1 - label_smoothing
    wq = weight * q
    return wq / wq.sum()
''',
        "weight on the true class only": '''
def smoothing_optimum(weight, y, label_smoothing):
    classes = len(weight)
    q = torch.full((classes,), label_smoothing / classes, dtype=weight.dtype)
    q[y] += 1 - label_smoothing
    q[y] = q[y] * weight[y]
    return q / q.sum()
''',
    },
    "tagging-loss": {
        "the original code (classes read from the time dimension)": '''
def tagging_loss(logits, tags):
    return F.cross_entropy(logits, tags)
''',
        "the chapter's fix: permute, mean over all tokens": '''
def tagging_loss(logits, tags):
    return F.cross_entropy(logits.permute(0, 2, 1), tags)
''',
        "reshape instead of permute": '''
def tagging_loss(logits, tags):
    n, t, c = logits.shape
    per_token = F.cross_entropy(logits.reshape(n, c, t), tags, reduction="none")
    tokens = (tags != -100).sum(1)
    keep = tokens > 0
    return (per_token.sum(1)[keep] / tokens[keep]).mean()
''',
        "padding counted in each sentence's mean": '''
def tagging_loss(logits, tags):
    per_token = F.cross_entropy(logits.permute(0, 2, 1), tags, reduction="none")
    return per_token.mean(1).mean()
''',
        "empty sentences not guarded (nan)": '''
def tagging_loss(logits, tags):
    per_token = F.cross_entropy(logits.permute(0, 2, 1), tags, reduction="none")
    return (per_token.sum(1) / (tags != -100).sum(1)).mean()
''',
        "empty sentences counted as 0 in the mean": '''
def tagging_loss(logits, tags):
    per_token = F.cross_entropy(logits.permute(0, 2, 1), tags, reduction="none")
    tokens = (tags != -100).sum(1).clamp(min=1)
    return (per_token.sum(1) / tokens).mean()
''',
        "a token loop with .item() (not differentiable)": '''
def tagging_loss(logits, tags):
    means = []
    for n in range(logits.shape[0]):
        losses = [(torch.logsumexp(logits[n, t], 0) - logits[n, t, tags[n, t]]).item()
                  for t in range(logits.shape[1]) if tags[n, t] != -100]
        if losses:
            means.append(sum(losses) / len(losses))
    return torch.tensor(sum(means) / len(means), dtype=torch.float64)
''',
        "computed in float32": '''
def tagging_loss(logits, tags):
    per_token = F.cross_entropy(logits.float().permute(0, 2, 1), tags, reduction="none")
    tokens = (tags != -100).sum(1)
    keep = tokens > 0
    return (per_token.sum(1)[keep] / tokens[keep]).mean()
''',
    },
    "ww-minimiser": {
        "a copy of the chapter's linear program": '''
def ww_minimiser(p):
    from scipy.optimize import linprog
    p = [float(v) for v in p]
    n = len(p)
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    rows = []
    for k, (a, b) in enumerate(pairs):
        row = [0.0] * (n + len(pairs))
        row[a], row[b], row[n + k] = -1.0, 1.0, -1.0
        rows.append(row)
    r = linprog([0.0] * n + [p[a] for a, _ in pairs], A_ub=rows, b_ub=[-1.0] * len(pairs),
                A_eq=[[1.0] * n + [0.0] * len(pairs)], b_eq=[0.0],
                bounds=[(None, None)] * n + [(0, None)] * len(pairs))
    return torch.tensor(r.x[:n])
''',
        "scores in {0, 1} only (gaps of at most 1)": '''
def ww_minimiser(p):
    import itertools
    p = torch.as_tensor(p, dtype=torch.float64)
    c = len(p)
    grid = torch.tensor(list(itertools.product((0, 1), repeat=c)), dtype=torch.float64)
    m = (1 - grid[:, :, None] + grid[:, None, :]).clamp(min=0) * (1 - torch.eye(c, dtype=torch.float64))
    return grid[(p * m.sum(2)).sum(1).argmin()]
''',
        "heuristic: 1 on the top class if p_max > 1/2, else all equal": '''
def ww_minimiser(p):
    p = torch.as_tensor(p, dtype=torch.float64)
    return (p >= p.max() - 1e-12).double() if p.max() > 0.5 else torch.zeros_like(p)
''',
        "log p (the cross-entropy's minimiser)": '''
def ww_minimiser(p):
    return torch.log(torch.as_tensor(p, dtype=torch.float64))
''',
        "one-hot of the most likely class": '''
def ww_minimiser(p):
    p = torch.as_tensor(p, dtype=torch.float64)
    return F.one_hot(p.argmax(), len(p)).double()
''',
        "all scores equal": '''
def ww_minimiser(p):
    return torch.zeros(len(p), dtype=torch.float64)
''',
        "the probabilities themselves": '''
def ww_minimiser(p):
    return torch.as_tensor(p, dtype=torch.float64).clone()
''',
    },
    "f1-threshold": {
        "a fine grid of 10001 thresholds": '''
def best_f1_threshold(probs, labels):
    best, best_t = -1.0, 0.5
    for t in torch.linspace(0, 1, 10001).tolist():
        pred = (probs >= t).double()
        f1 = (2 * (pred * labels).sum() / (pred.sum() + labels.sum())).item()
        if f1 > best:
            best, best_t = f1, t
    return best_t
''',
        "cumulative sums, ties not handled": '''
def best_f1_threshold(probs, labels):
    order = torch.argsort(probs, descending=True)
    sp, sy = probs[order], labels[order]
    tp = torch.cumsum(sy, 0)
    k = torch.arange(1, len(probs) + 1, dtype=probs.dtype)
    return sp[(2 * tp / (k + labels.sum())).argmax()].item()
''',
        "always 0.5": '''
def best_f1_threshold(probs, labels):
    return 0.5
''',
        "the chapter's grid of 49 thresholds": '''
def best_f1_threshold(probs, labels):
    best, best_t = -1.0, 0.5
    for t in torch.linspace(0.02, 0.98, 49).tolist():
        pred = (probs >= t).double()
        f1 = (2 * (pred * labels).sum() / (pred.sum() + labels.sum())).item()
        if f1 > best:
            best, best_t = f1, t
    return best_t
''',
        "the threshold that maximises accuracy": '''
def best_f1_threshold(probs, labels):
    best, best_t = -1.0, 0.5
    for t in probs.tolist():
        acc = ((probs >= t).double() == labels).double().mean().item()
        if acc > best:
            best, best_t = acc, t
    return best_t
''',
        "strict > with a probability as threshold": '''
def best_f1_threshold(probs, labels):
    best, best_t = -1.0, 0.5
    for t in probs.tolist():
        pred = (probs > t).double()
        f1 = (2 * (pred * labels).sum() / (pred.sum() + labels.sum())).item()
        if f1 > best:
            best, best_t = f1, t
    return best_t
''',
    },
    "bceloss-grad": {
        "clamp p to [1e-12, 1 - 1e-12] instead of p(1 - p)": '''
def bceloss_grad(logits, target):
    p = torch.sigmoid(logits)
    pc = p.clamp(1e-12, 1 - 1e-12)
    return (p - target) / (pc * (1 - pc)) * p * (1 - p)


def collapse_logit(fraction):
    return math.log(fraction * 1e-12)
''',
        "the true gradient p - y (no clamp)": '''
def bceloss_grad(logits, target):
    return torch.sigmoid(logits) - target


def collapse_logit(fraction):
    return math.log(fraction * 1e-12)
''',
        "clamp at 1e-8": '''
def bceloss_grad(logits, target):
    p = torch.sigmoid(logits)
    return (p - target) / torch.clamp((1 - p) * p, min=1e-8) * (1 - p) * p


def collapse_logit(fraction):
    return math.log(fraction * 1e-8)
''',
        "log clamp at -100 instead of the gradient clamp": '''
def bceloss_grad(logits, target):
    p = torch.sigmoid(logits)
    grad = p - target
    return torch.where(logits < -100, torch.zeros_like(grad), grad)


def collapse_logit(fraction):
    return -100.0
''',
        "right gradient, collapse point off by the fraction": '''
def bceloss_grad(logits, target):
    p = torch.sigmoid(logits)
    return (p - target) / torch.clamp((1 - p) * p, min=1e-12) * (1 - p) * p


def collapse_logit(fraction):
    return math.log(1e-12)
''',
    },
}
