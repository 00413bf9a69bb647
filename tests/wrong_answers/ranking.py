"""Plausible wrong answers to the exercises of "Learning to rank"."""

PH_HEAD = '''
def pairwise_hinge(scores, rel, margin=1.0, reduction="mean"):'''

PH_REDUCE = '''
    if reduction == "none":
        return per_pair
    if reduction == "sum":
        return per_pair.sum()
    return per_pair.sum() / better.sum()
'''

NT_HEAD = '''
def ndcg_tie_averaged(scores, rel, k=10, gain="exp"):
    scores, rel = scores.double(), rel.double()
    n = scores.shape[-1]
    g = 2.0 ** rel - 1 if gain == "exp" else rel
    p = torch.arange(1, n + 1, dtype=torch.float64)
    disc = torch.where(p <= k, 1 / torch.log2(p + 1), 0.0)'''

LG_HEAD = '''
def listmle_gradient(scores, order):'''

AN_HEAD = '''
def approx_ndcg_loss(scores, rel, alpha=1.0, reduction="mean"):'''

AN_TAIL = '''
    gains = 2.0 ** rel - 1
    dcg = (gains / torch.log2(1 + position)).sum(-1)
    ideal = (gains.sort(-1, descending=True).values
             / torch.log2(torch.arange(2, scores.shape[-1] + 2, dtype=scores.dtype))).sum(-1)
    safe = torch.where(ideal > 0, ideal, 1.0)
    per_list = torch.where(ideal > 0, 1 - dcg / safe, 0.0)
    if reduction == "mean":
        return per_list.mean()
    if reduction == "sum":
        return per_list.sum()
    return per_list
'''

RN_HEAD = '''
def expected_random_ndcg(rel, k=10):
    n = rel.shape[-1]
    gains = 2.0 ** rel.double() - 1
    p = torch.arange(1, n + 1, dtype=torch.float64)
    disc = torch.where(p <= k, 1 / torch.log2(p + 1), 0.0)
    ideal = (gains.sort(-1, descending=True).values * disc).sum(-1)'''

DE_HEAD = '''
def delta_err(scores, rel, max_grade=4):
    n = scores.shape[-1]
    R = (2.0 ** rel.double() - 1) / 2.0 ** max_grade
    rank = scores.argsort(-1, descending=True)
    position = rank.argsort(-1)'''

DE_SWAPS = '''
    lists = Rs[..., None, None, :].expand(*Rs.shape[:-1], n, n, n).clone()
    a, b = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    lists[..., a, b, a] = Rs[..., b]
    lists[..., a, b, b] = Rs[..., a]'''

DE_ERR = '''
    def err(Rl):
        reach = torch.cat([torch.ones_like(Rl[..., :1]), torch.cumprod(1 - Rl, -1)[..., :-1]], -1)
        p = torch.arange(1, n + 1, dtype=torch.float64)
        return (Rl * reach / p).sum(-1)'''

DE_BACK = '''
    rows = position[..., :, None].expand(*position.shape, n)
    cols = position[..., None, :].expand(*position.shape[:-1], n, n)
    return by_position.gather(-2, rows).gather(-1, cols)
'''

WRONG = {
    "pairwise-hinge": {
        "tied grades counted as pairs (r_i >= r_j, i != j)": PH_HEAD + '''
    n = scores.shape[-1]
    better = (rel[..., :, None] >= rel[..., None, :]) & ~torch.eye(n, dtype=torch.bool)
    per_pair = (margin - (scores[..., :, None] - scores[..., None, :])).clamp(min=0) * better''' + PH_REDUCE,
        "mean over all n * n entries": PH_HEAD + '''
    better = rel[..., :, None] > rel[..., None, :]
    per_pair = (margin - (scores[..., :, None] - scores[..., None, :])).clamp(min=0) * better
    if reduction == "none":
        return per_pair
    if reduction == "sum":
        return per_pair.sum()
    return per_pair.mean()
''',
        "mean per query, then mean over queries": PH_HEAD + '''
    better = rel[..., :, None] > rel[..., None, :]
    per_pair = (margin - (scores[..., :, None] - scores[..., None, :])).clamp(min=0) * better
    if reduction == "none":
        return per_pair
    if reduction == "sum":
        return per_pair.sum()
    return (per_pair.sum((-2, -1)) / better.sum((-2, -1)).clamp(min=1)).mean()
''',
        "sign of the score difference flipped": PH_HEAD + '''
    better = rel[..., :, None] > rel[..., None, :]
    per_pair = (margin + (scores[..., :, None] - scores[..., None, :])).clamp(min=0) * better''' + PH_REDUCE,
        "returns a detached tensor": PH_HEAD + '''
    better = rel[..., :, None] > rel[..., None, :]
    diff = (scores[..., :, None] - scores[..., None, :]).detach()
    per_pair = (margin - diff).clamp(min=0) * better''' + PH_REDUCE,
    },
    "ndcg-ties": {
        "the chapter's stable sort (ties broken by stored order)": NT_HEAD + '''
    order = scores.sort(dim=-1, descending=True, stable=True).indices
    dcg = (g.gather(-1, order) * disc).sum(-1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
''',
        "pessimistic ties (worst order within a tie)": NT_HEAD + '''
    order = torch.argsort(scores * 1000 - rel, dim=-1, descending=True)
    dcg = (g.gather(-1, order) * disc).sum(-1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
''',
        "NaN for a list without relevant documents": NT_HEAD + '''
    cum = torch.cat([torch.zeros(1, dtype=torch.float64), disc.cumsum(0)])
    above = (scores[..., None, :] > scores[..., :, None]).sum(-1)
    tied = (scores[..., None, :] == scores[..., :, None]).sum(-1)
    dcg = (g * (cum[above + tied] - cum[above]) / tied).sum(-1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1)
    return dcg / ideal
''',
        "IDCG without the cut-off k": NT_HEAD + '''
    cum = torch.cat([torch.zeros(1, dtype=torch.float64), disc.cumsum(0)])
    above = (scores[..., None, :] > scores[..., :, None]).sum(-1)
    tied = (scores[..., None, :] == scores[..., :, None]).sum(-1)
    dcg = (g * (cum[above + tied] - cum[above]) / tied).sum(-1)
    ideal = (g.sort(-1, descending=True).values / torch.log2(p + 1)).sum(-1)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
''',
        "calls torchmetrics once per list (not from scratch)": '''
def ndcg_tie_averaged(scores, rel, k=10, gain="exp"):
    target = (2 ** rel - 1 if gain == "exp" else rel).long()
    flat = [retrieval_normalized_dcg(s, t, top_k=k).double()
            for s, t in zip(scores.reshape(-1, scores.shape[-1]), target.reshape(-1, scores.shape[-1]))]
    return torch.stack(flat).reshape(scores.shape[:-1])
''',
        "tied group gets the discount of its first position": NT_HEAD + '''
    above = (scores[..., None, :] > scores[..., :, None]).sum(-1)
    dcg = (g * disc[above]).sum(-1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
''',
    },
    "listmle-gradient": {
        "forgets the -1 from the -s_y(i) term": LG_HEAD + '''
    s = scores.gather(-1, order)
    tail_lse = s.flip(-1).logcumsumexp(-1).flip(-1)
    grad_sorted = torch.exp(s + (-tail_lse).logcumsumexp(-1))
    return torch.zeros_like(scores).scatter(-1, order, grad_sorted)
''',
        "sums over the tails i >= m instead of i <= m": LG_HEAD + '''
    s = scores.gather(-1, order)
    tail_lse = s.flip(-1).logcumsumexp(-1).flip(-1)
    grad_sorted = torch.exp(s + (-tail_lse).flip(-1).logcumsumexp(-1).flip(-1)) - 1
    return torch.zeros_like(scores).scatter(-1, order, grad_sorted)
''',
        "gradient left in the sorted order (not scattered back)": LG_HEAD + '''
    s = scores.gather(-1, order)
    tail_lse = s.flip(-1).logcumsumexp(-1).flip(-1)
    return torch.exp(s + (-tail_lse).logcumsumexp(-1)) - 1
''',
        "naive exp (overflows for large scores)": LG_HEAD + '''
    s = scores.gather(-1, order)
    e = torch.exp(s)
    tail = e.flip(-1).cumsum(-1).flip(-1)
    grad_sorted = e * (1 / tail).cumsum(-1) - 1
    return torch.zeros_like(scores).scatter(-1, order, grad_sorted)
''',
        "autograd through the loss (not by hand)": LG_HEAD + '''
    z = scores.detach().clone().requires_grad_(True)
    s = z.gather(-1, order)
    loss = (s.flip(-1).logcumsumexp(-1).flip(-1) - s).sum()
    return torch.autograd.grad(loss, z)[0]
''',
    },
    "approx-ndcg": {
        "position sum includes j = i": AN_HEAD + '''
    diff = scores[..., None, :] - scores[..., :, None]
    position = 1 + torch.sigmoid(alpha * diff).sum(-1)''' + AN_TAIL,
        "sigmoid of s_i - s_j (counts the documents below)": AN_HEAD + '''
    diff = scores[..., :, None] - scores[..., None, :]
    position = 1 + torch.sigmoid(alpha * diff).sum(-1) - 0.5''' + AN_TAIL,
        "linear gain r": AN_HEAD + '''
    diff = scores[..., None, :] - scores[..., :, None]
    position = 0.5 + torch.sigmoid(alpha * diff).sum(-1)
    gains = rel
    dcg = (gains / torch.log2(1 + position)).sum(-1)
    ideal = (gains.sort(-1, descending=True).values
             / torch.log2(torch.arange(2, scores.shape[-1] + 2, dtype=scores.dtype))).sum(-1)
    per_list = torch.where(ideal > 0, 1 - dcg / torch.where(ideal > 0, ideal, 1.0), 0.0)
    return {"mean": per_list.mean(), "sum": per_list.sum(), "none": per_list}[reduction]
''',
        "NaN for a list without relevant documents": AN_HEAD + '''
    diff = scores[..., None, :] - scores[..., :, None]
    position = 0.5 + torch.sigmoid(alpha * diff).sum(-1)
    gains = 2.0 ** rel - 1
    dcg = (gains / torch.log2(1 + position)).sum(-1)
    ideal = (gains.sort(-1, descending=True).values
             / torch.log2(torch.arange(2, scores.shape[-1] + 2, dtype=scores.dtype))).sum(-1)
    per_list = 1 - dcg / ideal
    return {"mean": per_list.mean(), "sum": per_list.sum(), "none": per_list}[reduction]
''',
        "returns a detached tensor": AN_HEAD + '''
    diff = (scores[..., None, :] - scores[..., :, None]).detach()
    position = 0.5 + torch.sigmoid(alpha * diff).sum(-1)''' + AN_TAIL,
    },
    "random-ndcg": {
        "mean gain of the top k documents by grade": RN_HEAD + '''
    top = gains.sort(-1, descending=True).values[..., :k].mean(-1)
    return torch.where(ideal > 0, top * disc.sum() / ideal.clamp(min=1e-300), 0.0)
''',
        "discounts summed over the whole list (k ignored)": RN_HEAD + '''
    all_disc = (1 / torch.log2(p + 1)).sum()
    return torch.where(ideal > 0, gains.mean(-1) * all_disc / ideal.clamp(min=1e-300), 0.0)
''',
        "sum of gains instead of their mean": RN_HEAD + '''
    return torch.where(ideal > 0, gains.sum(-1) * disc.sum() / ideal.clamp(min=1e-300), 0.0)
''',
        "Monte Carlo over 2000 random rankings": RN_HEAD + '''
    keys = torch.rand(2000, *rel.shape)
    ranked = gains.expand(keys.shape).gather(-1, keys.argsort(-1))
    dcg = (ranked * disc).sum(-1).mean(0)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
''',
        "NaN for a list without relevant documents": RN_HEAD + '''
    return gains.mean(-1) * disc.sum() / ideal
''',
    },
    "delta-err": {
        "the chapter's |ΔNDCG| (closed form of NDCG) instead of ERR": '''
def delta_err(scores, rel, max_grade=4):
    g, n = 2.0 ** rel.double() - 1, scores.shape[-1]
    p = torch.arange(1, n + 1, dtype=torch.float64)
    disc = 1 / torch.log2(p + 1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1).clamp(min=1e-12)[..., None, None]
    d = disc[scores.argsort(-1, descending=True).argsort(-1)]
    return (g[..., :, None] - g[..., None, :]).abs() * (d[..., :, None] - d[..., None, :]).abs() / ideal
''',
        "NDCG-style closed form |R_i - R_j| |1/p_i - 1/p_j| (cascade ignored)": DE_HEAD + '''
    d = 1 / (position + 1).double()
    return (R[..., :, None] - R[..., None, :]).abs() * (d[..., :, None] - d[..., None, :]).abs()
''',
        "linear stopping probability r / max_grade": '''
def delta_err(scores, rel, max_grade=4):
    n = scores.shape[-1]
    R = rel.double() / max_grade
    rank = scores.argsort(-1, descending=True)
    position = rank.argsort(-1)
    Rs = R.gather(-1, rank)''' + DE_SWAPS + DE_ERR + '''
    by_position = (err(lists) - err(Rs)[..., None, None]).abs()''' + DE_BACK,
        "cascade product includes the document itself (q <= p)": DE_HEAD + '''
    Rs = R.gather(-1, rank)''' + DE_SWAPS + '''
    def err(Rl):
        p = torch.arange(1, n + 1, dtype=torch.float64)
        return (Rl * torch.cumprod(1 - Rl, -1) / p).sum(-1)
    by_position = (err(lists) - err(Rs)[..., None, None]).abs()''' + DE_BACK,
        "indexed by positions, not mapped back to documents": DE_HEAD + '''
    Rs = R.gather(-1, rank)''' + DE_SWAPS + DE_ERR + '''
    return (err(lists) - err(Rs)[..., None, None]).abs()
''',
        "positions in the ideal ranking (by grade) instead of by scores": '''
def delta_err(scores, rel, max_grade=4):
    n = scores.shape[-1]
    R = (2.0 ** rel.double() - 1) / 2.0 ** max_grade
    rank = rel.argsort(-1, descending=True)
    position = rank.argsort(-1)
    Rs = R.gather(-1, rank)''' + DE_SWAPS + DE_ERR + '''
    by_position = (err(lists) - err(Rs)[..., None, None]).abs()''' + DE_BACK,
        "signed change (no absolute value)": DE_HEAD + '''
    Rs = R.gather(-1, rank)''' + DE_SWAPS + DE_ERR + '''
    by_position = err(lists) - err(Rs)[..., None, None]''' + DE_BACK,
    },
}

# Wrong answers found by the expert review (all rejected).
WRONG["approx-ndcg"]["NaN-gradient where (no safe denominator) (review)"] = '''
def approx_ndcg_loss(scores, rel, alpha=1.0, reduction="mean"):
    diff = scores[..., None, :] - scores[..., :, None]
    position = 0.5 + torch.sigmoid(alpha * diff).sum(-1)
    gains = 2.0 ** rel - 1
    dcg = (gains / torch.log2(1 + position)).sum(-1)
    ideal = (gains.sort(-1, descending=True).values / torch.log2(torch.arange(2, scores.shape[-1] + 2, dtype=scores.dtype))).sum(-1)
    per_list = torch.where(ideal > 0, 1 - dcg / ideal, 0.0)
    return {"mean": per_list.mean(), "sum": per_list.sum(), "none": per_list}[reduction]
'''
WRONG["approx-ndcg"]["mean over non-empty lists only (review)"] = '''
def approx_ndcg_loss(scores, rel, alpha=1.0, reduction="mean"):
    diff = scores[..., None, :] - scores[..., :, None]
    position = 0.5 + torch.sigmoid(alpha * diff).sum(-1)
    gains = 2.0 ** rel - 1
    dcg = (gains / torch.log2(1 + position)).sum(-1)
    ideal = (gains.sort(-1, descending=True).values / torch.log2(torch.arange(2, scores.shape[-1] + 2, dtype=scores.dtype))).sum(-1)
    safe = torch.where(ideal > 0, ideal, 1.0)
    per_list = torch.where(ideal > 0, 1 - dcg / safe, 0.0)
    if reduction == "mean":
        return per_list.sum() / (ideal > 0).sum()
    return {"sum": per_list.sum(), "none": per_list}[reduction]
'''
WRONG["pairwise-hinge"]["mean over active pairs (loss > 0) (review)"] = '''
def pairwise_hinge(scores, rel, margin=1.0, reduction="mean"):
    better = rel[..., :, None] > rel[..., None, :]
    per_pair = (margin - (scores[..., :, None] - scores[..., None, :])).clamp(min=0) * better
    if reduction == "none":
        return per_pair
    if reduction == "sum":
        return per_pair.sum()
    return per_pair.sum() / (per_pair > 0).sum().clamp(min=1)
'''
WRONG["pairwise-hinge"]["pairs in both directions via |r_i - r_j| sign (y = sign) (review)"] = '''
def pairwise_hinge(scores, rel, margin=1.0, reduction="mean"):
    y = torch.sign(rel[..., :, None] - rel[..., None, :])
    diff = scores[..., :, None] - scores[..., None, :]
    per_pair = (margin - y * diff).clamp(min=0) * (y > 0)
    if reduction == "none":
        return per_pair
    if reduction == "sum":
        return per_pair.sum()
    return per_pair.sum() / (y != 0).sum()
'''
WRONG["ndcg-ties"]["tied group's discount averaged only over positions <= k (review)"] = '''
def ndcg_tie_averaged(scores, rel, k=10, gain="exp"):
    scores, rel = scores.double(), rel.double()
    n = scores.shape[-1]
    g = 2.0 ** rel - 1 if gain == "exp" else rel
    p = torch.arange(1, n + 1, dtype=torch.float64)
    disc = torch.where(p <= k, 1 / torch.log2(p + 1), 0.0)
    cum = torch.cat([torch.zeros(1, dtype=torch.float64), disc.cumsum(0)])
    above = (scores[..., None, :] > scores[..., :, None]).sum(-1)
    tied = (scores[..., None, :] == scores[..., :, None]).sum(-1)
    inside = (torch.clamp(above + tied, max=k) - above).clamp(min=1)
    mean_disc = (cum[above + tied] - cum[above]) / inside
    dcg = (g * mean_disc).sum(-1)
    ideal = (g.sort(-1, descending=True).values * disc).sum(-1)
    return torch.where(ideal > 0, dcg / ideal.clamp(min=1e-300), 0.0)
'''
WRONG["listmle-gradient"]["position m gets softmax of its own tail only (one term) (review)"] = '''
def listmle_gradient(scores, order):
    s = scores.gather(-1, order)
    tail_lse = s.flip(-1).logcumsumexp(-1).flip(-1)
    grad_sorted = torch.exp(s - tail_lse) - 1
    return torch.zeros_like(scores).scatter(-1, order, grad_sorted)
'''
WRONG["random-ndcg"]["IDCG over the full list (k ignored in IDCG only) (review)"] = '''
def expected_random_ndcg(rel, k=10):
    n = rel.shape[-1]
    gains = 2.0 ** rel.double() - 1
    p = torch.arange(1, n + 1, dtype=torch.float64)
    disc = torch.where(p <= k, 1 / torch.log2(p + 1), 0.0)
    ideal = (gains.sort(-1, descending=True).values / torch.log2(p + 1)).sum(-1)
    return torch.where(ideal > 0, gains.mean(-1) * disc.sum() / ideal.clamp(min=1e-300), 0.)
'''
