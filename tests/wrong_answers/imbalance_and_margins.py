"""Plausible wrong answers to the exercises of "Imbalance and margins"."""

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
    "arcface-logits": {
        "no fallback when theta + m > pi": '''
def arcface_logits(features, weights, target, s=64.0, m=0.5):
    cos = (F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    cos_t = cos.gather(1, target[:, None])
    shifted = cos_t * math.cos(m) - torch.sqrt(1 - cos_t**2) * math.sin(m)
    return s * cos.scatter(1, target[:, None], shifted)
''',
        "margin added to every class": '''
def arcface_logits(features, weights, target, s=64.0, m=0.5):
    cos = (F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    shifted = cos * math.cos(m) - torch.sqrt(1 - cos**2) * math.sin(m)
    return s * torch.where(cos > math.cos(math.pi - m), shifted, cos - m * math.sin(m))
''',
        "features not normalised": '''
def arcface_logits(features, weights, target, s=64.0, m=0.5):
    cos = (features @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    cos_t = cos.gather(1, target[:, None])
    shifted = cos_t * math.cos(m) - torch.sqrt(1 - cos_t**2) * math.sin(m)
    target_logit = torch.where(cos_t > math.cos(math.pi - m), shifted, cos_t - m * math.sin(m))
    return s * cos.scatter(1, target[:, None], target_logit)
''',
        "CosFace margin (cos theta - m)": '''
def arcface_logits(features, weights, target, s=64.0, m=0.5):
    cos = (F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    cos_t = cos.gather(1, target[:, None])
    return s * cos.scatter(1, target[:, None], cos_t - m)
''',
        "returns a detached tensor": '''
def arcface_logits(features, weights, target, s=64.0, m=0.5):
    cos = F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T
    cos = cos.clamp(-1 + 1e-7, 1 - 1e-7).detach()
    cos_t = cos.gather(1, target[:, None])
    shifted = cos_t * math.cos(m) - torch.sqrt(1 - cos_t**2) * math.sin(m)
    target_logit = torch.where(cos_t > math.cos(math.pi - m), shifted, cos_t - m * math.sin(m))
    return s * cos.scatter(1, target[:, None], target_logit)
''',
    },
    "average-precision": {
        "precision averaged over all ranks": '''
def average_precision(scores, labels):
    hits = labels[torch.argsort(scores, descending=True)].to(torch.float64)
    return (hits.cumsum(0) / torch.arange(1, len(hits) + 1, dtype=torch.float64)).mean()
''',
        "scores not sorted": '''
def average_precision(scores, labels):
    hits = labels.to(torch.float64)
    precision = hits.cumsum(0) / torch.arange(1, len(hits) + 1, dtype=torch.float64)
    return (precision * hits).sum() / hits.sum()
''',
        "sorted lowest first": '''
def average_precision(scores, labels):
    hits = labels[torch.argsort(scores)].to(torch.float64)
    precision = hits.cumsum(0) / torch.arange(1, len(hits) + 1, dtype=torch.float64)
    return (precision * hits).sum() / hits.sum()
''',
        "fraction of positives (the baseline)": '''
def average_precision(scores, labels):
    return labels.to(torch.float64).mean()
''',
    },
}

WRONG["center-update"] = {
    "divided by n_j instead of 1 + n_j": '''
def update_centers(features, labels, centers, alpha=0.5):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    counts = one_hot.sum(dim=0)
    delta = (counts[:, None] * centers - one_hot.T @ features) / counts.clamp(min=1)[:, None]
    return centers - alpha * delta
''',
    "sign error (centres pushed away)": '''
def update_centers(features, labels, centers, alpha=0.5):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    counts = one_hot.sum(dim=0)
    delta = (counts[:, None] * centers - one_hot.T @ features) / (1 + counts[:, None])
    return centers + alpha * delta
''',
    "every centre moved towards the batch mean": '''
def update_centers(features, labels, centers, alpha=0.5):
    delta = (centers - features.mean(dim=0)) / 2
    return centers - alpha * delta
''',
    "updated in place": '''
def update_centers(features, labels, centers, alpha=0.5):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    counts = one_hot.sum(dim=0)
    delta = (counts[:, None] * centers - one_hot.T @ features) / (1 + counts[:, None])
    centers -= alpha * delta
    return centers
''',
}

WRONG["class-weights"] = {
    "pos_weight ignored": '''
def minority_recall(x, y, pos_weight, steps=300, lr=0.5):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        z = x @ w + b
        loss = (y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
    with torch.no_grad():
        return ((x @ w + b)[y == 1] > 0).double().mean().item()
''',
    "weight on the negatives": '''
def minority_recall(x, y, pos_weight, steps=300, lr=0.5):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        z = x @ w + b
        loss = (y * F.softplus(-z) + pos_weight * (1 - y) * F.softplus(z)).mean()
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
    with torch.no_grad():
        return ((x @ w + b)[y == 1] > 0).double().mean().item()
''',
    "accuracy instead of minority recall": '''
def minority_recall(x, y, pos_weight, steps=300, lr=0.5):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        z = x @ w + b
        loss = (pos_weight * y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
    with torch.no_grad():
        return (((x @ w + b) > 0).double() == y).double().mean().item()
''',
    "bias never trained": '''
def minority_recall(x, y, pos_weight, steps=300, lr=0.5):
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        z = x @ w
        loss = (pos_weight * y * F.softplus(-z) + (1 - y) * F.softplus(z)).mean()
        (grad_w,) = torch.autograd.grad(loss, (w,))
        with torch.no_grad():
            w -= lr * grad_w
    with torch.no_grad():
        return ((x @ w)[y == 1] > 0).double().mean().item()
''',
}
