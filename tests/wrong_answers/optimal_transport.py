"""Plausible wrong answers to the exercises of "Wasserstein, MMD and total variation".

Answers that call a POT solver (ot.solve, ot.solve_sample, ...) are refused by the "forbid" lists
of the solution cells, by name (here and in grading) and at run time by the sandbox's tripwires.
"""

# The solution's permutation test with one part changed.
MMD = '''
def mmd_test(x, y, generator, alpha=0.05):
    B = 200
    z, n, m = torch.cat([x, y]), len(x), len(y)
    sigma = {sigma}
    K = torch.exp(-torch.cdist(z, z) ** 2 / (2 * sigma**2))
    order = torch.rand(B, n + m, generator=generator).argsort(dim=1)
    A = torch.zeros(B + 1, n + m)
    A[0, :n] = 1
    A[1:].scatter_(1, order[:, :n], 1.0)
    Bm = 1 - A
    sxx = (((A @ K) * A).sum(1) - n) / (n * (n - 1))
    syy = (((Bm @ K) * Bm).sum(1) - m) / (m * (m - 1))
    stat = sxx + syy - 2 * ((A @ K) * Bm).sum(1) / (n * m)
    p_value = (1 + (stat[1:] >= stat[0]).sum()) / (B + 1)
    return bool({decision})
'''

SINKHORN = '''
def sinkhorn_divergence(a, x, b, y, eps, tol=1e-9, max_iter=100000):
    def ot_eps(a, x, b, y):
        C = torch.cdist(x, y) ** 2
        la, lb, Cd = {la}, {lb}, C.detach()
        f, g = torch.zeros_like(a), torch.zeros_like(b)
        with torch.no_grad():
            for _ in range({iters}):
                f = -eps * torch.logsumexp(lb + (g - Cd) / eps, dim=1)
                g = -eps * torch.logsumexp(la[:, None] + (f[:, None] - Cd)
                                           / eps, dim=0)
                logP = la[:, None] + lb + (f[:, None] + g - Cd) / eps
                if (logP.exp().sum(1) - a).abs().sum() < tol:
                    break
        f = -eps * torch.logsumexp(lb + (g - C) / eps, dim=1)
        return {value}
    return {combine}
'''
OK = dict(la="a.log()", lb="b.log()", iters="max_iter",
          value="(a * f).sum() + (b * g).sum()",
          combine="ot_eps(a, x, b, y) - 0.5 * ot_eps(a, x, a, x) "
                  "- 0.5 * ot_eps(b, y, b, y)")


def sinkhorn(**changes):
    return SINKHORN.format(**{**OK, **changes})


KERNEL = '''
def sinkhorn_divergence(a, x, b, y, eps, tol=1e-9, max_iter=100000):
    def ot_eps(a, x, b, y):
        C = torch.cdist(x, y) ** 2
        K = torch.exp(-(C - {offset}) / eps)
        v = torch.ones_like(b)
        for _ in range(max_iter):
            u = a / (K @ (b * v))
            v = 1 / (K.T @ (a * u))
            P = a[:, None] * u[:, None] * K * v[None, :] * b[None, :]
            if (P.sum(1) - a).abs().sum() < tol:
                break
        return (P * C).sum() + eps * (P * (P / (a[:, None] * b)).log()).sum()
    return (ot_eps(a, x, b, y) - 0.5 * ot_eps(a, x, a, x)
            - 0.5 * ot_eps(b, y, b, y))
'''

WRONG = {
    "w2-1d": {
        "POT's solver under another name": '''
import ot

def w2_1d(x, y):
    return ot.solve_sample(x[:, None], y[:, None]).value.sqrt()''',
        "sorted samples truncated to the shorter one": '''
def w2_1d(x, y):
    k = min(len(x), len(y))
    xs, ys = x.sort().values[:k], y.sort().values[:k]
    return ((xs - ys) ** 2).mean().sqrt()
''',
        "W2 squared (no square root)": '''
def w2_1d(x, y):
    n, m = len(x), len(y)
    xs, ys = x.sort().values, y.sort().values
    cuts = torch.cat([torch.arange(1, n + 1) / n, torch.arange(1, m + 1) / m])
    cuts = cuts.sort().values
    widths = torch.diff(cuts, prepend=cuts.new_zeros(1))
    middle = cuts - widths / 2
    i = (middle * n).floor().long().clamp(0, n - 1)
    j = (middle * m).floor().long().clamp(0, m - 1)
    return (widths * (xs[i] - ys[j]) ** 2).sum()
''',
        "the CDF form squared: sqrt of the integral of (F - G)^2": '''
def w2_1d(x, y):
    t = torch.cat([x, y]).sort().values
    F = torch.searchsorted(x.sort().values, t[:-1], right=True) / len(x)
    G = torch.searchsorted(y.sort().values, t[:-1], right=True) / len(y)
    return (((F - G) ** 2) * t.diff()).sum().sqrt()
''',
        "quantiles interpolated on a common grid (torch.quantile)": '''
def w2_1d(x, y):
    q = torch.linspace(0, 1, max(len(x), len(y)))
    return ((torch.quantile(x, q) - torch.quantile(y, q)) ** 2).mean().sqrt()
''',
        "index at the right end of each piece (off by one)": '''
def w2_1d(x, y):
    n, m = len(x), len(y)
    xs, ys = x.sort().values, y.sort().values
    cuts = torch.cat([torch.arange(1, n + 1) / n, torch.arange(1, m + 1) / m])
    cuts = cuts.sort().values
    widths = torch.diff(cuts, prepend=cuts.new_zeros(1))
    i = (cuts * n).floor().long().clamp(0, n - 1)
    j = (cuts * m).floor().long().clamp(0, m - 1)
    return (widths * (xs[i] - ys[j]) ** 2).sum().sqrt()
''',
        "detached (computed in NumPy)": '''
def w2_1d(x, y):
    import numpy as np
    n, m = len(x), len(y)
    xs, ys = np.sort(x.detach().numpy()), np.sort(y.detach().numpy())
    cuts = np.sort(np.concatenate([np.arange(1, n + 1) / n,
                                   np.arange(1, m + 1) / m]))
    widths = np.diff(cuts, prepend=0.0)
    middle = cuts - widths / 2
    i = np.clip(np.floor(middle * n).astype(int), 0, n - 1)
    j = np.clip(np.floor(middle * m).astype(int), 0, m - 1)
    return torch.tensor(np.sqrt((widths * (xs[i] - ys[j]) ** 2).sum()))
''',
    },
    "sinkhorn": {
        "POT's entropic solver under another name": '''
import ot

def sinkhorn_divergence(a, x, b, y, eps, tol=1e-9, max_iter=100000):
    def value(a, x, b, y):
        C = torch.cdist(x, y) ** 2
        return ot.solve(C, a, b, reg=eps, reg_type="entropy").value
    return value(a, x, b, y) - (value(a, x, a, x) + value(b, y, b, y)) / 2''',
        "kernel form u = a / Kv (the far point's row underflows)":
            KERNEL.format(offset="0"),
        "kernel form after subtracting the smallest cost (still underflows)":
            KERNEL.format(offset="C.min()"),
        "Genevay's transport cost <P, C> instead of the regularised objective":
            sinkhorn(value="(torch.exp(la[:, None] + lb + (f[:, None] + g - C)"
                           " / eps) * C).sum()"),
        "only the cross term OT_eps(a, b) (not debiased)":
            sinkhorn(combine="ot_eps(a, x, b, y)"),
        "self terms subtracted without the factor 1/2":
            sinkhorn(combine="ot_eps(a, x, b, y) - ot_eps(a, x, a, x) "
                             "- ot_eps(b, y, b, y)"),
        "weights ignored (uniform 1/n, 1/m inside the log-sum-exp)":
            sinkhorn(la="torch.full_like(a, -math.log(len(a)))",
                     lb="torch.full_like(b, -math.log(len(b)))"),
        "a fixed 5 iterations (not run to convergence)":
            sinkhorn(iters="5"),
        "detached: the value returned as a Python float":
            sinkhorn(combine="(ot_eps(a, x, b, y) - 0.5 * ot_eps(a, x, a, x)"
                             " - 0.5 * ot_eps(b, y, b, y)).detach().item()"),
        "detached: potentials and value computed without the cost's graph":
            sinkhorn(combine="(ot_eps(a, x, b, y) - 0.5 * ot_eps(a, x, a, x)"
                             " - 0.5 * ot_eps(b, y, b, y)).detach()"),
    },
    "mmd-test": {
        "the chapter's test copied (assumes n = m)": '''
def mmd_test(x, y, generator, alpha=0.05, B=200):
    z, n = torch.cat([x, y]), len(x)
    K = torch.exp(-torch.cdist(z, z) ** 2 / (2 * torch.pdist(z).median() ** 2))
    order = torch.rand(B, 2 * n, generator=generator).argsort(dim=1)
    A = torch.zeros(B + 1, 2 * n)
    A[0, :n] = 1
    A[1:].scatter_(1, order[:, :n], 1.0)
    Bm = 1 - A
    sxx = (((A @ K) * A).sum(1) - n) / (n * (n - 1))
    syy = (((Bm @ K) * Bm).sum(1) - n) / (n * (n - 1))
    stat = sxx + syy - 2 * ((A @ K) * Bm).sum(1) / n**2
    p_value = (1 + (stat[1:] >= stat[0]).sum()) / (B + 1)
    return bool(p_value <= alpha)
''',
        "rejects whenever the unbiased MMD² is positive (no calibration)":
            MMD.format(sigma="torch.pdist(z).median()",
                       decision="stat[0] > 0"),
        "p-value compared the wrong way (reject when p >= alpha)":
            MMD.format(sigma="torch.pdist(z).median()",
                       decision="p_value >= alpha"),
        "a tiny fixed bandwidth (σ = 0.01): no power":
            MMD.format(sigma="0.01", decision="p_value <= alpha"),
        "x and y shuffled separately (not the pooled sample)": '''
def mmd_test(x, y, generator, alpha=0.05, B=200):
    n, m = len(x), len(y)
    sigma = torch.pdist(torch.cat([x, y])).median()

    def stat(a, b):
        def k(p, q):
            return torch.exp(-torch.cdist(p, q) ** 2 / (2 * sigma**2))
        return ((k(a, a).sum() - n) / (n * (n - 1))
                + (k(b, b).sum() - m) / (m * (m - 1)) - 2 * k(a, b).mean())
    observed = stat(x, y)
    count = 0
    for _ in range(B):
        px = x[torch.randperm(n, generator=generator)]
        py = y[torch.randperm(m, generator=generator)]
        count += int(stat(px, py) >= observed)
    return bool((1 + count) / (B + 1) <= alpha)
''',
    },
    "tv-lambda": {
        "the chapter's λ = 0.1 at every noise level": '''
def tv_denoise(noisy, sigma):
    return rof_denoise(noisy, lam=0.1)
''',
        "λ proportional to the variance (4.4 σ², right at σ = 0.15)": '''
def tv_denoise(noisy, sigma):
    return rof_denoise(noisy, lam=4.4 * sigma**2)
''',
        "a large fixed λ = 0.3": '''
def tv_denoise(noisy, sigma):
    return rof_denoise(noisy, lam=0.3)
''',
        "λ = 2σ (too much smoothing at small noise)": '''
def tv_denoise(noisy, sigma):
    return rof_denoise(noisy, lam=2 * sigma)
''',
    },
}
