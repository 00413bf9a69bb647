"""Plausible wrong answers to the exercises of "What a loss function is"."""

from tests.wrong_answers.common import REDUCE

WRONG = {
    "exponential-loss": {
        "0/1 targets used as the sign of the margin": '''
def exponential_loss(logits, target, reduction="mean"):
    per_element = torch.exp(-target * logits)
''' + REDUCE,
        "sign error: exp(+m)": '''
def exponential_loss(logits, target, reduction="mean"):
    per_element = torch.exp((2 * target - 1) * logits)
''' + REDUCE,
        "'mean' over the rows only (sums a 2-D batch's columns)": '''
def exponential_loss(logits, target, reduction="mean"):
    per_element = torch.exp(-(2 * target - 1) * logits)
    if reduction == "mean":
        return per_element.sum() / per_element.shape[0]
    if reduction == "sum":
        return per_element.sum()
    return per_element
''',
        "target cast to float64 (float32 inputs give float64)": '''
def exponential_loss(logits, target, reduction="mean"):
    per_element = torch.exp(-(2 * target.double() - 1) * logits)
''' + REDUCE,
        "reduction ignored (always the mean)": '''
def exponential_loss(logits, target, reduction="mean"):
    return torch.exp(-(2 * target - 1) * logits).mean()
''',
        "a detached result (autograd cannot follow)": '''
def exponential_loss(logits, target, reduction="mean"):
    per_element = torch.exp(-(2 * target - 1) * logits).detach()
''' + REDUCE,
    },
    "exponential-minimiser": {
        "the logistic minimiser, log-odds without the 1/2": '''
def exponential_minimiser(eta):
    return torch.log(eta / (1 - eta))
''',
        "sign error": '''
def exponential_minimiser(eta):
    return 0.5 * torch.log((1 - eta) / eta)
''',
        "the squared loss's minimiser 2 eta - 1": '''
def exponential_minimiser(eta):
    return 2 * eta - 1
''',
        "the square root of the odds instead of its log": '''
def exponential_minimiser(eta):
    return torch.sqrt(eta / (1 - eta))
''',
        "computed in NumPy (detached from autograd)": '''
import numpy as np


def exponential_minimiser(eta):
    e = eta.detach().numpy()
    return torch.from_numpy(0.5 * np.log(e / (1 - e)))
''',
        "computed in float64 for precision (float32 in, float64 out)": '''
def exponential_minimiser(eta):
    eta = eta.double()
    return 0.5 * (torch.log(eta) - torch.log1p(-eta))
''',
    },
    "calibrated": {
        "convex implies calibrated": '''
def is_calibrated(phi):
    m = torch.arange(-1000, 1001, dtype=torch.float64) / 100
    values = phi(m)
    second = values[2:] - 2 * values[1:-1] + values[:-2]
    return bool((second >= -1e-9).all())
''',
        "phi'(0) < 0 implies calibrated (autograd at 0)": '''
def is_calibrated(phi):
    m = torch.zeros((), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(phi(m), m)
    return bool(slope < 0)
''',
        "convex and phi'(0) < 0 (the criterion for convex losses only)": '''
def is_calibrated(phi):
    m = torch.arange(-1000, 1001, dtype=torch.float64) / 100
    values = phi(m)
    convex = bool((values[2:] - 2 * values[1:-1] + values[:-2] >= -1e-9).all())
    zero = torch.zeros((), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(phi(zero), zero)
    return convex and bool(slope < 0)
''',
        "phi'(0) exists (autograd gives a finite number)": '''
def is_calibrated(phi):
    m = torch.zeros((), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(phi(m), m)
    return bool(torch.isfinite(slope))
''',
        "wrong sign taken strictly (z = 0 left out of H^-)": '''
def is_calibrated(phi):
    eta = torch.arange(1, 20, dtype=torch.float64) / 20
    eta = eta[eta != 0.5].unsqueeze(1)
    z = torch.arange(-1000, 1001, dtype=torch.float64) / 100
    risk = eta * phi(z) + (1 - eta) * phi(-z)
    best = risk.min(dim=1).values
    wrong_sign = z * (2 * eta - 1) < 0
    best_wrong = risk.masked_fill(~wrong_sign, torch.inf).min(dim=1).values
    return bool((best_wrong - best > 1e-6).all())
''',
        "a non-strict gap (H^- >= H always holds)": '''
def is_calibrated(phi):
    eta = torch.arange(1, 20, dtype=torch.float64) / 20
    eta = eta[eta != 0.5].unsqueeze(1)
    z = torch.arange(-1000, 1001, dtype=torch.float64) / 100
    risk = eta * phi(z) + (1 - eta) * phi(-z)
    best = risk.min(dim=1).values
    wrong_sign = z * (2 * eta - 1) <= 0
    best_wrong = risk.masked_fill(~wrong_sign, torch.inf).min(dim=1).values
    return bool((best_wrong >= best).all())
''',
    },
    "bayes-classifier": {
        "priors ignored (threshold at the midpoint)": '''
import math


def bayes_classifier(mu_pos, mu_neg, sigma, prior_pos):
    t = (mu_pos + mu_neg) / 2
    a = abs(mu_pos - mu_neg) / sigma
    return t, torch.special.ndtr(torch.tensor(-a / 2, dtype=torch.float64))
''',
        "log prior ratio upside down": '''
import math


def bayes_classifier(mu_pos, mu_neg, sigma, prior_pos):
    log_odds = math.log(prior_pos / (1 - prior_pos))
    t = (mu_pos + mu_neg) / 2 + sigma**2 * log_odds / (mu_pos - mu_neg)
    a = abs(mu_pos - mu_neg) / sigma
    z = torch.tensor([-a / 2 + log_odds / a, -a / 2 - log_odds / a],
                     dtype=torch.float64)
    miss_pos, miss_neg = torch.special.ndtr(z)
    return t, prior_pos * miss_pos + (1 - prior_pos) * miss_neg
''',
        "sigma instead of sigma squared in the threshold": '''
import math


def bayes_classifier(mu_pos, mu_neg, sigma, prior_pos):
    log_odds = math.log((1 - prior_pos) / prior_pos)
    t = (mu_pos + mu_neg) / 2 + sigma * log_odds / (mu_pos - mu_neg)
    a = abs(mu_pos - mu_neg) / sigma
    z = torch.tensor([-a / 2 + log_odds / a, -a / 2 - log_odds / a],
                     dtype=torch.float64)
    miss_pos, miss_neg = torch.special.ndtr(z)
    return t, prior_pos * miss_pos + (1 - prior_pos) * miss_neg
''',
        "error assumes class +1 lies above t": '''
import math


def bayes_classifier(mu_pos, mu_neg, sigma, prior_pos):
    log_odds = math.log((1 - prior_pos) / prior_pos)
    t = (mu_pos + mu_neg) / 2 + sigma**2 * log_odds / (mu_pos - mu_neg)
    ndtr = torch.special.ndtr
    miss_pos = ndtr(torch.tensor((t - mu_pos) / sigma, dtype=torch.float64))
    miss_neg = 1 - ndtr(torch.tensor((t - mu_neg) / sigma, dtype=torch.float64))
    return t, prior_pos * miss_pos + (1 - prior_pos) * miss_neg
''',
        "the two kinds of mistakes weighted equally": '''
import math


def bayes_classifier(mu_pos, mu_neg, sigma, prior_pos):
    log_odds = math.log((1 - prior_pos) / prior_pos)
    t = (mu_pos + mu_neg) / 2 + sigma**2 * log_odds / (mu_pos - mu_neg)
    a = abs(mu_pos - mu_neg) / sigma
    z = torch.tensor([-a / 2 + log_odds / a, -a / 2 - log_odds / a],
                     dtype=torch.float64)
    miss_pos, miss_neg = torch.special.ndtr(z)
    return t, (miss_pos + miss_neg) / 2
''',
    },
    "stable-lr": {
        "1 / mu_max (a safe rate, not the largest)": '''
def largest_stable_lr(X, lam=0.0):
    d = X.shape[1]
    hessian = 2 * X.T @ X / X.shape[0] + 2 * lam * torch.eye(d, dtype=X.dtype)
    return 1 / torch.linalg.eigvalsh(hessian).max()
''',
        "Hessian X^T X (without 2/N)": '''
def largest_stable_lr(X, lam=0.0):
    d = X.shape[1]
    hessian = X.T @ X + 2 * lam * torch.eye(d, dtype=X.dtype)
    return 2 / torch.linalg.eigvalsh(hessian).max()
''',
        "penalty ignored": '''
def largest_stable_lr(X, lam=0.0):
    return 2 / torch.linalg.eigvalsh(2 * X.T @ X / X.shape[0]).max()
''',
        "penalty's Hessian taken as lam I instead of 2 lam I": '''
def largest_stable_lr(X, lam=0.0):
    d = X.shape[1]
    hessian = 2 * X.T @ X / X.shape[0] + lam * torch.eye(d, dtype=X.dtype)
    return 2 / torch.linalg.eigvalsh(hessian).max()
''',
        "the smallest eigenvalue instead of the largest": '''
def largest_stable_lr(X, lam=0.0):
    d = X.shape[1]
    hessian = 2 * X.T @ X / X.shape[0] + 2 * lam * torch.eye(d, dtype=X.dtype)
    return 2 / torch.linalg.eigvalsh(hessian).min()
''',
    },
    "fix-sgd": {
        "the broken loop unchanged": '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    return train_sgd_broken(X, y, batch_size, lr, epochs, generator)
''',
        "gradients zeroed, but the loss still summed": '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss = ((X[batch] @ w - y[batch]) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
            w.grad.zero_()
    return w.detach()
''',
        "mean loss, but gradients never zeroed": '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss = ((X[batch] @ w - y[batch]) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
    return w.detach()
''',
        "two bugs fixed, still the same batch at every step": '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            batch = order[:batch_size]
            loss = ((X[batch] @ w - y[batch]) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
            w.grad.zero_()
    return w.detach()
''',
        "shuffled with the global generator (not reproducible)": '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    n = X.shape[0]
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    for epoch in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss = ((X[batch] @ w - y[batch]) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
            w.grad.zero_()
    return w.detach()
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
        "count reset on improving on the previous epoch": '''
def early_stopping(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch
        if val_losses[epoch] < val_losses[epoch - 1]:
            waited = 0
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1
''',
    },
}

# Found by review: answers that looser checks accepted.
SGD_LOOP = '''
def train_sgd(X, y, batch_size, lr, epochs, generator):
    n = X.shape[0]
    w = torch.{start}(X.shape[1], dtype=X.dtype, requires_grad=True)
    for epoch in range(epochs):
        order = {order}
        for start in range(0, {stop}, batch_size):
            batch = order[start : start + batch_size]
            loss = ((X[batch] @ w - y[batch]) ** 2).sum() / {divisor}
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
            w.grad.zero_()
    return w.detach()
'''
SHUFFLED = "torch.randperm(n, generator=generator)"
WRONG["fix-sgd"].update({
    "never shuffles": SGD_LOOP.format(start="zeros", order="torch.arange(n)",
                                      stop="n", divisor="len(batch)"),
    "drops the last batch of every epoch": SGD_LOOP.format(
        start="zeros", order=SHUFFLED, stop="n - batch_size + 1", divisor="len(batch)"),
    "divides by batch_size, also for the smaller last batch": SGD_LOOP.format(
        start="zeros", order=SHUFFLED, stop="n", divisor="batch_size"),
    "starts from w = 1": SGD_LOOP.format(start="ones", order=SHUFFLED, stop="n",
                                         divisor="len(batch)"),
})
WRONG["early-stopping"]["an improvement must beat the best by min_delta = 0.01"] = '''
def early_stopping(val_losses, patience):
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best] - 0.01:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best, epoch
    return best, len(val_losses) - 1
'''
WRONG["calibrated"]["checks one eta only (0.75)"] = '''
def is_calibrated(phi):
    eta = 0.75
    z = torch.arange(-1000, 1001, dtype=torch.float64) / 100
    risk = eta * phi(z) + (1 - eta) * phi(-z)
    return bool(risk[z <= 0].min() - risk.min() > 1e-6)
'''
WRONG["stable-lr"]["the Hessian by autograd (not derived)"] = '''
def largest_stable_lr(X, lam=0.0):
    def objective(w):
        return (X @ w).pow(2).mean() + lam * (w**2).sum()
    hessian = torch.autograd.functional.hessian(
        objective, torch.zeros(X.shape[1], dtype=X.dtype))
    return 2 / torch.linalg.eigvalsh(hessian).max()
'''
WRONG["exponential-minimiser"].update({
    "eta clamped to [1e-6, 1 - 1e-6]": '''
def exponential_minimiser(eta):
    eta = eta.clamp(1e-6, 1 - 1e-6)
    return 0.5 * (torch.log(eta) - torch.log1p(-eta))
''',
    "logit with eps = 1e-6": '''
def exponential_minimiser(eta):
    return 0.5 * torch.logit(eta, eps=1e-6)
''',
})
