"""Plausible wrong answers to the exercises of "Class imbalance"."""

from tests.wrong_answers.common import REDUCE

WRONG = {
    "focal-loss": {
        "p instead of p_t": '''
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    per_element = ce * (1 - p) ** gamma
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element''' + REDUCE,
        "alpha for both classes": '''
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        per_element = alpha * per_element''' + REDUCE,
        "naive log of the probability (overflows)": '''
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = -(1 - p_t) ** gamma * torch.log(p_t)
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element''' + REDUCE,
        "modulating factor p_t**gamma": '''
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = ce * p_t ** gamma
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element''' + REDUCE,
        "returns a detached tensor": '''
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = (ce * (1 - p_t) ** gamma).detach()
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element''' + REDUCE,
    },
    "average-precision": {
        "the chapter's formula (ties broken by argsort)": """
def average_precision_ties(scores, labels):
    hits = labels[torch.argsort(scores, descending=True)].to(torch.float64)
    precision = hits.cumsum(0) / torch.arange(1, len(hits) + 1, dtype=torch.float64)
    return (precision * hits).sum() / hits.sum()
""",
        "plain mean of the precision over the thresholds": """
def average_precision_ties(scores, labels):
    labels = labels.to(torch.float64)
    thresholds = torch.unique(scores).flip(0)
    at_or_above = scores[None, :] >= thresholds[:, None]
    tp = (at_or_above * labels).sum(1)
    return (tp / at_or_above.sum(1)).mean()
""",
        "interpolated precision (the maximum at higher recall)": """
def average_precision_ties(scores, labels):
    labels = labels.to(torch.float64)
    thresholds = torch.unique(scores).flip(0)
    at_or_above = scores[None, :] >= thresholds[:, None]
    tp = (at_or_above * labels).sum(1)
    precision = tp / at_or_above.sum(1)
    interpolated = precision.flip(0).cummax(0).values.flip(0)
    recall = tp / labels.sum()
    steps = torch.diff(recall, prepend=recall.new_zeros(1))
    return (steps * interpolated).sum()
""",
        "thresholds taken lowest first": """
def average_precision_ties(scores, labels):
    labels = labels.to(torch.float64)
    thresholds = torch.unique(scores)
    at_or_above = scores[None, :] >= thresholds[:, None]
    tp = (at_or_above * labels).sum(1)
    precision = tp / at_or_above.sum(1)
    recall = tp / labels.sum()
    steps = torch.diff(recall, prepend=recall.new_zeros(1))
    return (steps * precision).sum()
""",
    },
}

WRONG["focal-loss"]["no ValueError for an invalid alpha"] = """
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element""" + REDUCE

WRONG["focal-threshold"] = {
    "sign flipped: log(alpha w / (1 - alpha))": """
def focal_threshold(alpha, gamma, pos_weight=1.0):
    return math.log(alpha * pos_weight / (1 - alpha))
""",
    "depends on gamma": """
def focal_threshold(alpha, gamma, pos_weight=1.0):
    return math.log((1 - alpha) / (alpha * pos_weight)) / (1 + gamma)
""",
    "log alpha": """
def focal_threshold(alpha, gamma, pos_weight=1.0):
    return math.log(alpha * pos_weight)
""",
    "pos_weight ignored": """
def focal_threshold(alpha, gamma, pos_weight=1.0):
    return math.log((1 - alpha) / alpha)
""",
    "pos_weight added, not multiplied": """
def focal_threshold(alpha, gamma, pos_weight=1.0):
    return math.log((1 - alpha) / alpha) - pos_weight
""",
}

WRONG["weight-for-threshold"] = {
    "inverted ratio p_min / (1 - p_min)": """
def weight_for_threshold(p_min):
    return p_min / (1 - p_min)
""",
    "one over p_min": """
def weight_for_threshold(p_min):
    return 1 / p_min
""",
    "the log of the odds instead of the odds": """
def weight_for_threshold(p_min):
    return math.log((1 - p_min) / p_min)
""",
    "the inverse class ratio, whatever p_min": """
def weight_for_threshold(p_min):
    return 100.0
""",
}

WRONG["focal-loss"]["alpha validated as 0 < alpha <= 1 (rejects alpha = 0)"] = """
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    if not (0 < alpha <= 1) and alpha != -1:
        raise ValueError(f"bad alpha {alpha}")
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element""" + REDUCE

WRONG["focal-loss"]["weighting applied only if alpha > 0 (alpha = 0 switches it off)"] = """
def sigmoid_focal_loss(logits, target, alpha=0.25, gamma=2.0, reduction="mean"):
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"bad alpha {alpha}")
    p = torch.sigmoid(logits)
    ce = target * F.softplus(-logits) + (1 - target) * F.softplus(logits)
    p_t = p * target + (1 - p) * (1 - target)
    per_element = ce * (1 - p_t) ** gamma
    if alpha > 0:
        per_element = (alpha * target + (1 - alpha) * (1 - target)) * per_element""" + REDUCE

_RECALL = '''
def predicted_recall(alpha, gamma, mu, ratio):
    m = float(torch.linalg.vector_norm(mu))
    a = {a}
    return 0.5 * (1 + math.erf(({num}) / ({den}) / math.sqrt(2)))
'''
WRONG["predict-recall"] = {
    "alpha ignored (the recall of plain cross-entropy)": _RECALL.format(
        a="0.0", num="m * m / 2 + math.log(ratio)", den="m"),
    "sign of log(alpha / (1 - alpha)) flipped": _RECALL.format(
        a="math.log(alpha / (1 - alpha))",
        num="m * m / 2 + math.log(ratio) - a", den="m"),
    "gamma shrinks the shift: log(alpha / (1 - alpha)) / (1 + gamma)":
        _RECALL.format(a="math.log(alpha / (1 - alpha)) / (1 + gamma)",
                       num="m * m / 2 + math.log(ratio) + a", den="m"),
    "divided by |mu|^2 instead of |mu|": _RECALL.format(
        a="math.log(alpha / (1 - alpha))",
        num="m * m / 2 + math.log(ratio) + a", den="m * m"),
    "class prior forgotten": _RECALL.format(
        a="math.log(alpha / (1 - alpha))", num="m * m / 2 + a", den="m"),
    "|mu|^2 instead of |mu|^2 / 2": _RECALL.format(
        a="math.log(alpha / (1 - alpha))",
        num="m * m + math.log(ratio) + a", den="m"),
}
