"""Plausible wrong answers to the exercises of "Robust and dynamic losses"."""

from tests.wrong_answers.common import REDUCE

TG_HEAD = '''
def truncated_gce(logits, target, q=0.7, k=0.5, reduction="mean"):
    p_y = torch.softmax(logits, 1).gather(1, target[:, None])[:, 0]'''

SG_HEAD = '''
def sce_gradient(logits, target, alpha=0.1, beta=1.0, A=-4.0):
    p = torch.softmax(logits, 1)
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    p_y = p.gather(1, target[:, None])'''

FGM_HEAD = '''
def fgm_l2(loss_of_x, x, eps):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_of_x(x).sum(), x)'''

QI_HEAD = '''
def fit_interval(x, y, level):'''

QI_QUANTILES = '''
    def features(v):
        c = v - 0.5
        return torch.stack([torch.ones_like(c), c, c ** 2], -1)

    def quantile_fit(tau):
        w = torch.zeros(3, dtype=x.dtype, requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.05)
        for _ in range(500):
            loss = quantile_loss(features(x) @ w, y, tau=tau)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return w.detach()
'''

QI_PREDICT = '''
    def predict(x_new):
        return features(x_new) @ lo, features(x_new) @ hi
    return predict
'''

QI_LEAST_SQUARES = '''
    fit = fit_line(lambda a, b: ((a - b) ** 2).mean(), x - 0.5, y, lr=0.05, steps=400, optimizer="adam")
    residual = y - (fit.slope * (x - 0.5) + fit.intercept)
'''

RL_HEAD = '''
def robust_loss(logits, target):'''

WRONG = {
    "truncated-gce": {
        "p_y ** q computed directly (infinite derivative where p_y underflows)": TG_HEAD + '''
    per_element = torch.where(p_y > k, (1 - p_y ** q) / q, torch.full_like(p_y, (1 - k ** q) / q))''' + REDUCE,
        "no truncation (plain GCE)": TG_HEAD + '''
    per_element = (1 - torch.exp(q * torch.log_softmax(logits, 1).gather(1, target[:, None])[:, 0])) / q''' + REDUCE,
        "truncated examples cost 0 instead of L_q(k)": TG_HEAD + '''
    lq = (1 - torch.exp(q * torch.log_softmax(logits, 1).gather(1, target[:, None])[:, 0])) / q
    per_element = torch.where(p_y > k, lq, torch.zeros_like(lq))''' + REDUCE,
        "truncation on the wrong side (p_y > k truncated)": TG_HEAD + '''
    lq = (1 - torch.exp(q * torch.log_softmax(logits, 1).gather(1, target[:, None])[:, 0])) / q
    per_element = torch.where(p_y <= k, lq, torch.full_like(lq, (1 - k ** q) / q))''' + REDUCE,
        "division by q forgotten": TG_HEAD + '''
    lq = 1 - torch.exp(q * torch.log_softmax(logits, 1).gather(1, target[:, None])[:, 0])
    per_element = torch.where(p_y > k, lq, torch.full_like(lq, 1 - k ** q))''' + REDUCE,
        "returns a detached tensor": TG_HEAD + '''
    lq = (1 - torch.exp(q * torch.log_softmax(logits.detach(), 1).gather(1, target[:, None])[:, 0])) / q
    per_element = torch.where(p_y > k, lq, torch.full_like(lq, (1 - k ** q) / q))''' + REDUCE,
    },
    "sce-gradient": {
        "sign of the RCE term flipped": SG_HEAD + '''
    return (alpha + A * beta * p_y) * (p - one_hot)
''',
        "RCE gradient without the factor p_y": SG_HEAD + '''
    return (alpha - A * beta) * (p - one_hot)
''',
        "gradient of the mean over the batch": SG_HEAD + '''
    return (alpha - A * beta * p_y) * (p - one_hot) / len(target)
''',
        "only the CE part": SG_HEAD + '''
    return alpha * (p - one_hot)
''',
        "torch.func.jacrev of the summed loss (autograd, not by hand)": '''
def sce_gradient(logits, target, alpha=0.1, beta=1.0, A=-4.0):
    def total(z):
        p_y = torch.softmax(z, 1).gather(1, target[:, None])[:, 0]
        return alpha * F.cross_entropy(z, target, reduction="sum") - beta * A * (1 - p_y).sum()
    return torch.func.jacrev(total)(logits)
''',
        "torch.autograd.functional.vjp of the per-example losses": '''
def sce_gradient(logits, target, alpha=0.1, beta=1.0, A=-4.0):
    def per_example(z):
        p_y = torch.softmax(z, 1).gather(1, target[:, None])[:, 0]
        return alpha * F.cross_entropy(z, target, reduction="none") - beta * A * (1 - p_y)
    return torch.autograd.functional.vjp(per_example, logits, torch.ones(len(target), dtype=logits.dtype))[1]
''',
        "autograd through the loss (not by hand)": '''
def sce_gradient(logits, target, alpha=0.1, beta=1.0, A=-4.0):
    z = logits.detach().clone().requires_grad_(True)
    p_y = torch.softmax(z, 1).gather(1, target[:, None])[:, 0]
    loss = alpha * F.cross_entropy(z, target, reduction="sum") - beta * A * (1 - p_y).sum()
    return torch.autograd.grad(loss, z)[0]
''',
    },
    "fgm-l2": {
        "sign of the gradient (that is FGSM, the l-infinity ball)": FGM_HEAD + '''
    return (x + eps * grad.sign()).detach()
''',
        "normalised by the norm of the whole batch": FGM_HEAD + '''
    return (x + eps * grad / grad.norm()).detach()
''',
        "a descent step (minus the gradient)": FGM_HEAD + '''
    return (x - eps * grad / grad.norm(dim=1, keepdim=True)).detach()
''',
        "gradient not normalised": FGM_HEAD + '''
    return (x + eps * grad).detach()
''',
        "no guard against a zero gradient (0 / 0 = nan)": FGM_HEAD + '''
    return (x + eps * grad / grad.norm(dim=1, keepdim=True)).detach()
''',
        "returns the perturbation, not the perturbed input": FGM_HEAD + '''
    return (eps * grad / grad.norm(dim=1, keepdim=True)).detach()
''',
    },
    "soft-spl": {
        "hard self-paced weights 1[l < lam]": '''
def soft_spl_weights(losses, lam):
    return (losses < lam).to(losses.dtype)
''',
        "stationary point not clipped to [0, 1]": '''
def soft_spl_weights(losses, lam):
    return 1 - losses / lam
''',
        "1 - lam / l": '''
def soft_spl_weights(losses, lam):
    return (1 - lam / losses).clamp(0, 1)
''',
        "l / lam (hard examples weighted up)": '''
def soft_spl_weights(losses, lam):
    return (losses / lam).clamp(0, 1)
''',
    },
    "quantile-interval": {
        "quantiles 1 - level and level (an 80 % interval for level 0.9)": QI_HEAD + QI_QUANTILES + '''
    lo, hi = quantile_fit(1 - level), quantile_fit(level)''' + QI_PREDICT,
        "least squares ± z sd (constant width)": QI_HEAD + QI_LEAST_SQUARES + '''
    z = torch.distributions.Normal(0.0, 1.0).icdf(torch.tensor((1 + level) / 2)).item()
    half = z * residual.std()

    def predict(x_new):
        centre = fit.slope * (x_new - 0.5) + fit.intercept
        return centre - half, centre + half
    return predict
''',
        "least squares ± residual quantiles (constant width)": QI_HEAD + QI_LEAST_SQUARES + '''
    low_q = torch.quantile(residual, (1 - level) / 2)
    high_q = torch.quantile(residual, (1 + level) / 2)

    def predict(x_new):
        centre = fit.slope * (x_new - 0.5) + fit.intercept
        return centre + low_q, centre + high_q
    return predict
''',
        "quantiles level/2 and 1 - level/2": QI_HEAD + QI_QUANTILES + '''
    lo, hi = quantile_fit(level / 2), quantile_fit(1 - level / 2)''' + QI_PREDICT,
        "quantile lines, as in the chapter (too rigid for U-shaped noise)": QI_HEAD + '''
    def quantile_fit(tau):
        def loss(y_hat, y_obs):
            return quantile_loss(y_hat, y_obs, tau=tau)
        return fit_line(loss, x - 0.5, y, lr=0.05, steps=400, optimizer="adam")

    lo, hi = quantile_fit((1 - level) / 2), quantile_fit((1 + level) / 2)

    def predict(x_new):
        return (lo.slope * (x_new - 0.5) + lo.intercept,
                hi.slope * (x_new - 0.5) + hi.intercept)
    return predict
''',
        "least squares ± residual quantiles, separately for x < 0.5 and x >= 0.5": QI_HEAD + QI_LEAST_SQUARES + '''
    low = x < 0.5
    ends = {part: (torch.quantile(residual[m], (1 - level) / 2), torch.quantile(residual[m], (1 + level) / 2))
            for part, m in (("low", low), ("high", ~low))}

    def predict(x_new):
        centre = fit.slope * (x_new - 0.5) + fit.intercept
        small = x_new < 0.5
        lower = torch.where(small, ends["low"][0], ends["high"][0])
        upper = torch.where(small, ends["low"][1], ends["high"][1])
        return centre + lower, centre + upper
    return predict
''',
    },
    "beat-ce": {
        "cross-entropy": RL_HEAD + '''
    return -logits.log_softmax(-1).gather(-1, target[..., None])[..., 0]
''',
        "focal loss, gamma = 2": RL_HEAD + '''
    log_p = logits.log_softmax(-1).gather(-1, target[..., None])[..., 0]
    return -(1 - log_p.exp()) ** 2 * log_p
''',
        "label smoothing 0.1": RL_HEAD + '''
    log_p = logits.log_softmax(-1)
    return -(0.9 * log_p.gather(-1, target[..., None])[..., 0] + 0.1 * log_p.mean(-1))
''',
        "MAE on a detached softmax": RL_HEAD + '''
    p_y = logits.detach().softmax(-1).gather(-1, target[..., None])[..., 0]
    return 2 * (1 - p_y)
''',
        "MAE averaged over the batch (not per example)": RL_HEAD + '''
    p_y = logits.softmax(-1).gather(-1, target[..., None])[..., 0]
    return 2 * (1 - p_y).mean()
''',
    },
}
