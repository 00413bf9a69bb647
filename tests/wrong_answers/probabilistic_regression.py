"""Plausible wrong answers to the exercises of "Probabilistic regression"."""

from .common import REDUCE

# The broken training loop of exercise 2 with one line changed.
FIT = '''
def fit_heteroscedastic(x, y, x_query, steps=200, lr=0.2):
    params = torch.zeros(4, dtype=x.dtype, requires_grad=True)
    optimiser = torch.optim.Adam([params], lr=lr)
    nll = torch.nn.GaussianNLLLoss()
    for _ in range(steps):
        mean = params[0] + params[1] * x
        sigma = F.softplus(params[2] + params[3] * x)
        loss = {loss}
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        mean = params[0] + params[1] * x_query
        return mean, {sigma}
'''

WRONG = {
    "poisson-nll": {
        "the log_input=True formula exp(rate) - y * rate": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = torch.exp(rate) - y * rate
''' + REDUCE,
        "no eps: log(rate) is -inf at a zero rate": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = rate - y * torch.log(rate)
    if full:
        safe = torch.where(y > 1, y, torch.ones_like(y))
        stirling = (safe * torch.log(safe) - safe
                    + 0.5 * torch.log(2 * math.pi * safe))
        per_element = per_element + torch.where(y > 1, stirling, 0 * y)
''' + REDUCE,
        "eps ignored (always 1e-8)": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = rate - y * torch.log(rate + 1e-8)
    if full:
        safe = torch.where(y > 1, y, torch.ones_like(y))
        stirling = (safe * torch.log(safe) - safe
                    + 0.5 * torch.log(2 * math.pi * safe))
        per_element = per_element + torch.where(y > 1, stirling, 0 * y)
''' + REDUCE,
        "Stirling term also at y = 1 (mask y > 0)": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = rate - y * torch.log(rate + eps)
    if full:
        safe = torch.where(y > 0, y, torch.ones_like(y))
        stirling = (safe * torch.log(safe) - safe
                    + 0.5 * torch.log(2 * math.pi * safe))
        per_element = per_element + torch.where(y > 0, stirling, 0 * y)
''' + REDUCE,
        "Stirling without 0.5 * log(2 pi y)": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = rate - y * torch.log(rate + eps)
    if full:
        safe = torch.where(y > 1, y, torch.ones_like(y))
        stirling = safe * torch.log(safe) - safe
        per_element = per_element + torch.where(y > 1, stirling, 0 * y)
''' + REDUCE,
        "full=True ignored": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    per_element = rate - y * torch.log(rate + eps)
''' + REDUCE,
        "detached (.detach() on the rate)": '''
def poisson_nll(rate, y, full=False, eps=1e-8, reduction="mean"):
    rate = rate.detach()
    per_element = rate - y * torch.log(rate + eps)
    if full:
        safe = torch.where(y > 1, y, torch.ones_like(y))
        stirling = (safe * torch.log(safe) - safe
                    + 0.5 * torch.log(2 * math.pi * safe))
        per_element = per_element + torch.where(y > 1, stirling, 0 * y)
''' + REDUCE,
    },
    "learned-variance": {
        "the original bug: sigma passed where the variance goes":
            FIT.format(loss="nll(mean, y, sigma)",
                       sigma="F.softplus(params[2] + params[3] * x_query)"),
        "returns the variance instead of the standard deviation":
            FIT.format(loss="nll(mean, y, sigma**2)",
                       sigma="F.softplus(params[2] + params[3] * x_query)**2"),
        "the 1/2 log variance term dropped (only the weighted squares)":
            FIT.format(loss="((y - mean) ** 2 / sigma**2).mean()",
                       sigma="F.softplus(params[2] + params[3] * x_query)"),
        "no softplus: a raw variance that can go negative":
            FIT.format(loss="nll(mean, y, params[2] + params[3] * x)",
                       sigma="(params[2] + params[3] * x_query).sqrt()"),
        "one sigma for all x (the homoscedastic fit)":
            FIT.format(loss="nll(mean, y, F.softplus(params[2]) ** 2 "
                            "+ 0 * x)",
                       sigma="F.softplus(params[2]) + 0 * x_query"),
    },
    "gamma-nll": {
        "log Gamma(shape) term missing": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    per_element = (shape * (log_mean - math.log(shape))
                   - (shape - 1) * torch.log(y)
                   + shape * y * torch.exp(-log_mean))
""" + REDUCE,
        "rate and scale swapped (rate mean / shape)": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    rate = torch.exp(log_mean) / shape
    per_element = (-shape * torch.log(rate) + math.lgamma(shape)
                   - (shape - 1) * torch.log(y) + rate * y)
""" + REDUCE,
        "(shape - 1) log y term dropped (it does not depend on the mean)": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    per_element = (shape * (log_mean - math.log(shape)) + math.lgamma(shape)
                   + shape * y * torch.exp(-log_mean))
""" + REDUCE,
        "rate 1 / mean (the shape left out of the rate)": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    per_element = (shape * log_mean + math.lgamma(shape)
                   - (shape - 1) * torch.log(y) + y * torch.exp(-log_mean))
""" + REDUCE,
        "lgamma(shape + 1) in place of lgamma(shape)": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    per_element = (shape * (log_mean - math.log(shape))
                   + math.lgamma(shape + 1)
                   - (shape - 1) * torch.log(y)
                   + shape * y * torch.exp(-log_mean))
""" + REDUCE,
        "detached (.detach() on the log-mean)": """
def gamma_nll(log_mean, y, shape=1.0, reduction="mean"):
    log_mean = log_mean.detach()
    per_element = (shape * (log_mean - math.log(shape)) + math.lgamma(shape)
                   - (shape - 1) * torch.log(y)
                   + shape * y * torch.exp(-log_mean))
""" + REDUCE,
    },
    "best-scale": {
        "unbiased variance (1/(N - 1)) for the normal scale": """
def best_scale_nll(r, family):
    n = r.numel()
    if family == "normal":
        s = (r.pow(2).sum() / (n - 1)).sqrt().item()
        return s, 0.5 * math.log(2 * math.pi) + math.log(s) + 0.5
    b = (r.abs().sum() / n).item()
    return b, math.log(2 * b) + 1.0
""",
        "the normal scale returned as a variance": """
def best_scale_nll(r, family):
    n = r.numel()
    if family == "normal":
        v = (r.pow(2).sum() / n).item()
        return v, 0.5 * math.log(2 * math.pi * v) + 0.5
    b = (r.abs().sum() / n).item()
    return b, math.log(2 * b) + 1.0
""",
        "the Laplace NLL without its log 2": """
def best_scale_nll(r, family):
    n = r.numel()
    if family == "normal":
        s = (r.pow(2).sum() / n).sqrt().item()
        return s, 0.5 * math.log(2 * math.pi) + math.log(s) + 0.5
    b = (r.abs().sum() / n).item()
    return b, math.log(b) + 1.0
""",
        "the root mean square as the Laplace scale": """
def best_scale_nll(r, family):
    n = r.numel()
    s = (r.pow(2).sum() / n).sqrt().item()
    if family == "normal":
        return s, 0.5 * math.log(2 * math.pi) + math.log(s) + 0.5
    return s, math.log(2 * s) + (r.abs().sum() / n).item() / s
""",
        "the minimal NLL without the + 1/2 (normal) and + 1 (laplace)": """
def best_scale_nll(r, family):
    n = r.numel()
    if family == "normal":
        s = (r.pow(2).sum() / n).sqrt().item()
        return s, 0.5 * math.log(2 * math.pi) + math.log(s)
    b = (r.abs().sum() / n).item()
    return b, math.log(2 * b)
""",
    },
}
