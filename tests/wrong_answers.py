"""Plausible wrong answers, per chapter and exercise, that the checks must reject.

Each is something a student might really write: sum instead of mean, a
missing square or absolute value, a sign error, an ignored ``reduction``, a
naive formula that overflows. ``tests/test_wrong_answers.py`` runs each one
through its exercise's own test cells and asserts that a check rejects it.
"""

REGRESSION = {
    "mse": {
        "sum instead of mean": '''
def mse(y_hat, y, reduction="mean"):
    per_element = (y - y_hat) ** 2
    return per_element if reduction == "none" else per_element.sum()
''',
        "absolute value instead of square": '''
def mse(y_hat, y, reduction="mean"):
    per_element = (y - y_hat).abs()
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "reduction ignored (always the mean)": '''
def mse(y_hat, y, reduction="mean"):
    return ((y - y_hat) ** 2).mean()
''',
        "root of the mean (RMSE)": '''
def mse(y_hat, y, reduction="mean"):
    per_element = (y - y_hat) ** 2
    return {"mean": per_element.mean().sqrt(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "mean over the last dimension only": '''
def mse(y_hat, y, reduction="mean"):
    per_element = (y - y_hat) ** 2
    return {"mean": per_element.mean(dim=-1), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "returns a Python float": '''
def mse(y_hat, y, reduction="mean"):
    per_element = (y - y_hat) ** 2
    return {"mean": per_element.mean().item(), "sum": per_element.sum().item()}.get(reduction, per_element)
''',
    },
    "huber": {
        "Smooth L1 formula (divided by delta)": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a < delta, 0.5 * a**2 / delta, a - 0.5 * delta)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "linear branch without the delta factor": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a <= delta, 0.5 * a**2, a - 0.5 * delta)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "missing the 1/2 in the quadratic branch": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a <= delta, a**2, delta * (a - 0.5 * delta))
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "branches swapped": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a > delta, 0.5 * a**2, delta * (a - 0.5 * delta))
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
    },
    "smooth-l1": {
        "Huber times beta": '''
def smooth_l1(y_hat, y, beta=1.0, reduction="mean"):
    return huber(y_hat, y, delta=beta, reduction=reduction) * beta
''',
        "plain Huber (no rescaling)": '''
def smooth_l1(y_hat, y, beta=1.0, reduction="mean"):
    return huber(y_hat, y, delta=beta, reduction=reduction)
''',
        "no special case for beta = 0 (0/0 gives nan)": '''
def smooth_l1(y_hat, y, beta=1.0, reduction="mean"):
    return huber(y_hat, y, delta=beta, reduction=reduction) / beta
''',
        "linear branch |r| - beta": '''
def smooth_l1(y_hat, y, beta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a < beta, 0.5 * a**2 / max(beta, 1e-12), a - beta)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
    },
    "huber-gradient": {
        "sign error (derivative with respect to r)": '''
def huber_grad(y_hat, y, delta=1.0):
    return torch.clamp(y - y_hat, -delta, delta)
''',
        "not clipped (the derivative of r**2/2)": '''
def huber_grad(y_hat, y, delta=1.0):
    return -(y - y_hat)
''',
        "delta times the sign everywhere": '''
def huber_grad(y_hat, y, delta=1.0):
    return -delta * torch.sign(y - y_hat)
''',
        "clipped at ±1 whatever delta": '''
def huber_grad(y_hat, y, delta=1.0):
    return -torch.clamp(y - y_hat, -1.0, 1.0)
''',
    },
    "quantile": {
        "residual defined as y_hat - y": '''
def quantile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y_hat - y
    per_element = torch.maximum(tau * r, (tau - 1) * r)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "tau times |r| on both sides": '''
def quantile_loss(y_hat, y, tau=0.5, reduction="mean"):
    per_element = tau * (y - y_hat).abs()
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "sign error: (1 - tau) * r in the second term": '''
def quantile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    per_element = torch.maximum(tau * r, (1 - tau) * r)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "reduction ignored": '''
def quantile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    return torch.maximum(tau * r, (tau - 1) * r).mean()
''',
    },
    "log-cosh": {
        "naive log(cosh(r)), which overflows": '''
def log_cosh(y_hat, y, reduction="mean"):
    per_element = torch.log(torch.cosh(y - y_hat))
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "missing the -log 2": '''
def log_cosh(y_hat, y, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = a + F.softplus(-2 * a)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "only the asymptote |r| - log 2": '''
def log_cosh(y_hat, y, reduction="mean"):
    per_element = (y - y_hat).abs() - math.log(2.0)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "only the Taylor approximation r**2/2": '''
def log_cosh(y_hat, y, reduction="mean"):
    per_element = 0.5 * (y - y_hat) ** 2
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
        "exponentials written out (exp overflows)": '''
def log_cosh(y_hat, y, reduction="mean"):
    r = y - y_hat
    per_element = torch.log((torch.exp(r) + torch.exp(-r)) / 2)
    return {"mean": per_element.mean(), "sum": per_element.sum()}.get(reduction, per_element)
''',
    },
    "best-constant": {
        "always the mean": '''
def best_constant(loss_fn, y):
    return y.mean().item()
''',
        "always the median": '''
def best_constant(loss_fn, y):
    return y.median().item()
''',
        "gradient ascent (sign error)": '''
def best_constant(loss_fn, y):
    c = torch.tensor(0.0, dtype=y.dtype, requires_grad=True)
    for step in range(200):
        (grad,) = torch.autograd.grad(loss_fn(c.expand_as(y), y), c)
        with torch.no_grad():
            c += 0.1 * grad
    return c.item()
''',
        "a coarse grid search": '''
def best_constant(loss_fn, y):
    grid = torch.arange(0.0, 5.0, 0.5, dtype=y.dtype)
    losses = torch.stack([loss_fn(c.expand_as(y), y) for c in grid])
    return grid[losses.argmin()].item()
''',
    },
}

WHAT_IS_A_LOSS = {
    "structural-risk": {
        "L2 penalty as a norm, not its square": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.abs().sum() + lam2 * w.norm()
''',
        "L1 penalty without the absolute value": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.sum() + lam2 * (w**2).sum()
''',
        "mean instead of sum over the weights": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.abs().mean() + lam2 * (w**2).mean()
''',
        "penalties only, data loss forgotten": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return lam1 * w.abs().sum() + lam2 * (w**2).sum()
''',
        "a Python float (autograd cannot follow)": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return torch.tensor((data_loss + lam1 * w.abs().sum() + lam2 * (w**2).sum()).item(), dtype=w.dtype)
''',
    },
    "mse-gradient": {
        "missing the factor 2": '''
def mse_grad_w(X, y, w):
    return 1.0 / X.shape[0] * X.T @ (X @ w - y)
''',
        "missing the 1/N": '''
def mse_grad_w(X, y, w):
    return 2.0 * X.T @ (X @ w - y)
''',
        "sign error": '''
def mse_grad_w(X, y, w):
    return 2.0 / X.shape[0] * X.T @ (y - X @ w)
''',
        "divided by the number of features": '''
def mse_grad_w(X, y, w):
    return 2.0 / X.shape[1] * X.T @ (X @ w - y)
''',
    },
    "gradient-descent": {
        "gradients never zeroed (they accumulate)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
    return w.detach(), losses
''',
        "gradient ascent (sign error)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w += lr * w.grad
        w.grad.zero_()
    return w.detach(), losses
''',
        "loss recorded after the update": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            losses.append(((X @ w - y) ** 2).mean().item())
        w.grad.zero_()
    return w.detach(), losses
''',
        "random starting point": '''
def gradient_descent(X, y, lr, steps):
    w = torch.randn(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w.detach(), losses
''',
        "losses recorded as tensors, weights not detached": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.detach())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w, losses
''',
        "autograd's .grad read without backward (crashes)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        with torch.no_grad():
            w -= lr * w.grad
    return w.detach(), losses
''',
    },
    "early-stopping": {
        "ties count as improvements": '''
def early_stopping(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] <= val_losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1
''',
        "stops one epoch late": '''
def early_stopping(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited > patience:
                return best, epoch
    return best, len(val_losses) - 1
''',
        "best epoch over the whole run, ignoring the stop": '''
def early_stopping(val_losses, patience):
    best = min(range(len(val_losses)), key=lambda e: val_losses[e])
    return best, len(val_losses) - 1
''',
        "count not reset after an improvement": '''
def early_stopping(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1
''',
    },
}

REDUCE = '''
    if reduction == "mean":
        return per_element.mean()
    if reduction == "sum":
        return per_element.sum()
    return per_element
'''

CLASSIFICATION = {
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

IMBALANCE = {
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

IMBALANCE["center-update"] = {
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

IMBALANCE["class-weight-experiment"] = {
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

WRONG_ANSWERS = {"regression": REGRESSION, "what-is-a-loss": WHAT_IS_A_LOSS,
                 "classification": CLASSIFICATION, "imbalance-and-margins": IMBALANCE}
