"""Plausible wrong answers to the exercises of "Regression losses"."""

from .common import REDUCE

# The correct expectile loss, shared by the wrong answers to `expectile`
# that get only the expectile itself wrong.
EXPECTILE_LOSS = '''
def expectile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    per_element = torch.where(r < 0, (1 - tau) * r**2, tau * r**2)
''' + REDUCE

# The subgradient-descent answer to `quantile-interval` with other levels.
INTERVAL = """
def interval_lines(x, y, level=0.8):
    taus = torch.tensor({taus}, dtype=x.dtype)
    centre = x.sum() / len(x)
    X = torch.stack([x - centre, torch.ones_like(x)], dim=-1)
    theta = torch.zeros(2, 2, dtype=x.dtype)
    average, steps = torch.zeros_like(theta), 1000
    for t in range(steps):
        below = (y < theta @ X.T).to(x.dtype)
        step = (taus[:, None] - below) @ X / len(x)
        theta = theta + 2 / math.sqrt(t + 1) * step
        if t >= steps // 2:
            average += theta / (steps - steps // 2)
    slope = average[:, 0]
    return torch.stack([slope, average[:, 1] - centre * slope], dim=1)
"""

WRONG = {
    "huber": {
        "Smooth L1 formula (divided by delta)": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a < delta, 0.5 * a**2 / delta, a - 0.5 * delta)
''' + REDUCE,
        "linear branch without the delta factor": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a <= delta, 0.5 * a**2, a - 0.5 * delta)
''' + REDUCE,
        "missing the 1/2 in the quadratic branch": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a <= delta, a**2, delta * (a - 0.5 * delta))
''' + REDUCE,
        "branches swapped": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    per_element = torch.where(a > delta, 0.5 * a**2, delta * (a - 0.5 * delta))
''' + REDUCE,
        "reduction ignored (always the mean)": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs()
    return torch.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)).mean()
''',
        "detached (.detach() on the residual)": '''
def huber(y_hat, y, delta=1.0, reduction="mean"):
    a = (y - y_hat).abs().detach()
    per_element = torch.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))
''' + REDUCE,
    },
    "best-constant": {
        "a search over the sample values only": '''
def best_constant(loss_fn, y):
    losses = torch.stack([loss_fn(c.expand_as(y), y) for c in y])
    return y[losses.argmin()].item()
''',
        "always the mean": '''
def best_constant(loss_fn, y):
    return (y.sum() / y.numel()).item()
''',
        "gradient descent with a fixed step (MAE bounces)": '''
def best_constant(loss_fn, y):
    c = torch.tensor(0.0, dtype=y.dtype, requires_grad=True)
    for step in range(300):
        (grad,) = torch.autograd.grad(loss_fn(c.expand_as(y), y), c)
        with torch.no_grad():
            c -= 0.1 * grad
    return c.item()
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
        "a grid search with step 0.01": '''
def best_constant(loss_fn, y):
    grid = torch.arange(y.min().item(), y.max().item(), 1e-2, dtype=y.dtype)
    losses = torch.stack([loss_fn(c.expand_as(y), y) for c in grid])
    return grid[losses.argmin()].item()
''',
    },
    "barron": {
        "the general formula for every alpha (nan at 2, 0, -inf)": '''
def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = ((y - y_hat) / c) ** 2
    b = abs(alpha - 2)
    per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
''' + REDUCE,
        "Cauchy limit without the 1/2: log(1 + (x/c)**2)": '''
def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = ((y - y_hat) / c) ** 2
    if alpha == 2:
        per_element = 0.5 * z
    elif alpha == 0:
        per_element = torch.log1p(z)
    elif alpha == -math.inf:
        per_element = 1 - torch.exp(-0.5 * z)
    else:
        b = abs(alpha - 2)
        per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
''' + REDUCE,
        "Welsch limit written as exp(-(x/c)**2 / 2)": '''
def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = ((y - y_hat) / c) ** 2
    if alpha == 2:
        per_element = 0.5 * z
    elif alpha == 0:
        per_element = torch.log1p(0.5 * z)
    elif alpha == -math.inf:
        per_element = torch.exp(-0.5 * z)
    else:
        b = abs(alpha - 2)
        per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
''' + REDUCE,
        "the scale c ignored": '''
def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = (y - y_hat) ** 2
    if alpha == 2:
        per_element = 0.5 * z
    elif alpha == 0:
        per_element = torch.log1p(0.5 * z)
    elif alpha == -math.inf:
        per_element = 1 - torch.exp(-0.5 * z)
    else:
        b = abs(alpha - 2)
        per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
''' + REDUCE,
        "|alpha| in place of |alpha - 2|": '''
def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = ((y - y_hat) / c) ** 2
    if alpha == 2:
        per_element = 0.5 * z
    elif alpha == 0:
        per_element = torch.log1p(0.5 * z)
    elif alpha == -math.inf:
        per_element = 1 - torch.exp(-0.5 * z)
    else:
        b = abs(alpha)
        per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
''' + REDUCE,
        "detached (through NumPy)": '''
import numpy as np


def barron_loss(y_hat, y, alpha, c=1.0, reduction="mean"):
    z = (((y - y_hat) / c) ** 2).detach().numpy()
    if alpha == 2:
        per_element = 0.5 * z
    elif alpha == 0:
        per_element = np.log1p(0.5 * z)
    elif alpha == -math.inf:
        per_element = -np.expm1(-0.5 * z)
    else:
        b = abs(alpha - 2)
        per_element = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
    per_element = torch.from_numpy(per_element)
''' + REDUCE,
    },
    "expectile": {
        "weights swapped (the 1 - tau expectile)": '''
def expectile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    per_element = torch.where(r < 0, tau * r**2, (1 - tau) * r**2)
''' + REDUCE + '''

def expectile(y, tau=0.5):
    c = y.mean()
    for _ in range(100):
        w = torch.where(y < c, tau, torch.full_like(y, 1 - tau))
        c = (w * y).sum() / w.sum()
    return c.item()
''',
        "absolute instead of squared residuals (the pinball loss)": '''
def expectile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    per_element = torch.where(r < 0, (1 - tau) * r.abs(), tau * r.abs())
''' + REDUCE + '''

def expectile(y, tau=0.5):
    return torch.quantile(y, tau).item()
''',
        "the loss detached (.item() inside)": '''
def expectile_loss(y_hat, y, tau=0.5, reduction="mean"):
    r = y - y_hat
    per_element = torch.where(r < 0, (1 - tau) * r**2, tau * r**2)
    if reduction == "mean":
        return torch.tensor(per_element.mean().item(), dtype=y.dtype)
    if reduction == "sum":
        return torch.tensor(per_element.sum().item(), dtype=y.dtype)
    return per_element.detach()
''' + '''

def expectile(y, tau=0.5):
    c = y.mean()
    for _ in range(100):
        w = torch.where(y < c, 1 - tau, torch.full_like(y, tau))
        c = (w * y).sum() / w.sum()
    return c.item()
''',
        "the tau-quantile instead of the expectile": EXPECTILE_LOSS + '''

def expectile(y, tau=0.5):
    return torch.quantile(y, tau).item()
''',
        "one weighted-mean step from the mean (sides not updated)":
            EXPECTILE_LOSS + '''

def expectile(y, tau=0.5):
    c = y.mean()
    w = torch.where(y < c, 1 - tau, torch.full_like(y, tau))
    return ((w * y).sum() / w.sum()).item()
''',
        "weights from torch.where with Python floats (float32)":
            EXPECTILE_LOSS + '''

def expectile(y, tau=0.5):
    c = y.mean()
    for _ in range(100):
        w = torch.where(y < c, 1 - tau, tau)
        c = (w * y).sum() / w.sum()
    return c.item()
''',
    },
    "mape-best-constant": {
        "the median": '''
def mape_best_constant(y):
    return y.median().item()
''',
        "weights 1/y instead of 1/|y|": '''
def mape_best_constant(y):
    order = torch.argsort(y)
    values, weights = y[order], 1 / y[order]
    running = torch.cumsum(weights, dim=0)
    k = torch.searchsorted(running, 0.5 * running[-1])
    return values[k.clamp(max=len(y) - 1)].item()
''',
        "weights |y| instead of 1/|y|": '''
def mape_best_constant(y):
    order = torch.argsort(y)
    values, weights = y[order], y[order].abs()
    running = torch.cumsum(weights, dim=0)
    k = torch.searchsorted(running, 0.5 * running[-1])
    return values[k].item()
''',
        "the weighted mean with weights 1/|y|": '''
def mape_best_constant(y):
    w = 1 / y.abs()
    return ((w * y).sum() / w.sum()).item()
''',
        "off by one: the last value before half the weight": '''
def mape_best_constant(y):
    order = torch.argsort(y)
    values, weights = y[order], 1 / y[order].abs()
    running = torch.cumsum(weights, dim=0)
    k = torch.searchsorted(running, 0.5 * running[-1])
    return values[(k - 1).clamp(min=0)].item()
''',
    },
    "quantile-interval": {
        "tau and 1 - tau swapped (lower line above upper)":
            INTERVAL.format(taus="[(1 + level) / 2, (1 - level) / 2]"),
        "levels 0.05 and 0.95 (a 90 % interval)":
            INTERVAL.format(taus="[0.05, 0.95]"),
        "the level itself as tau (0.8 and 0.2, swapped and too narrow)":
            INTERVAL.format(taus="[level, 1 - level]"),
        "MSE line plus and minus 1.28 sigma-hat (constant width)": """
def interval_lines(x, y, level=0.8):
    xc, yc = x - x.sum() / len(x), y - y.sum() / len(y)
    slope = (xc * yc).sum() / (xc * xc).sum()
    intercept = y.sum() / len(y) - slope * x.sum() / len(x)
    r = y - (slope * x + intercept)
    width = 1.2816 * (r.pow(2).sum() / (len(y) - 2)).sqrt()
    return torch.stack([torch.stack([slope, intercept - width]),
                        torch.stack([slope, intercept + width])])
""",
        "MSE line shifted by the 0.1 and 0.9 quantiles of its residuals": """
def interval_lines(x, y, level=0.8):
    xc, yc = x - x.sum() / len(x), y - y.sum() / len(y)
    slope = (xc * yc).sum() / (xc * xc).sum()
    intercept = y.sum() / len(y) - slope * x.sum() / len(x)
    r = y - (slope * x + intercept)
    low, high = torch.quantile(r, (1 - level) / 2), torch.quantile(
        r, (1 + level) / 2)
    return torch.stack([torch.stack([slope, intercept + low]),
                        torch.stack([slope, intercept + high])])
""",
        "fixed step 0.01, 200 steps (stops far from the minimum)": """
def interval_lines(x, y, level=0.8):
    taus = torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=x.dtype)
    X = torch.stack([x, torch.ones_like(x)], dim=-1)
    theta = torch.zeros(2, 2, dtype=x.dtype)
    for t in range(200):
        below = (y < theta @ X.T).to(x.dtype)
        theta = theta + 0.01 * (taus[:, None] - below) @ X / len(x)
    return theta
""",
    },
}
