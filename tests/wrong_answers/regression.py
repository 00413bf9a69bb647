"""Plausible wrong answers to the exercises of "Regression losses"."""

WRONG = {
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
