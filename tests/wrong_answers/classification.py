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
        "sign error": '''
def cross_entropy_grad(logits, target):
    return F.one_hot(target, logits.shape[1]).to(logits.dtype) - torch.softmax(logits, dim=1)
''',
        "divided by the batch size (gradient of the mean)": '''
def cross_entropy_grad(logits, target):
    return (torch.softmax(logits, dim=1) - F.one_hot(target, logits.shape[1]).to(logits.dtype)) / len(logits)
''',
        "sigmoid instead of softmax": '''
def cross_entropy_grad(logits, target):
    return torch.sigmoid(logits) - F.one_hot(target, logits.shape[1]).to(logits.dtype)
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
    "calibration-error": {
        "bins averaged equally": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)
    gaps = []
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            gaps.append((correct[in_bin].mean() - confidence[in_bin].mean()).abs())
    return torch.stack(gaps).mean()
''',
        "one global gap (no bins)": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    return (correct.mean() - confidence.mean()).abs()
''',
        "confidence of the true class instead of the predicted one": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence = probs.gather(1, labels[:, None]).squeeze(1)
    correct = (probs.argmax(dim=1) == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)
    ece = torch.zeros((), dtype=probs.dtype)
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece = ece + in_bin.to(probs.dtype).mean() * (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
    return ece
''',
    },
}
