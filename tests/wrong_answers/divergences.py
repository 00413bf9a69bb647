"""Plausible wrong answers to the exercises of "Divergences"."""

from .common import REDUCE

# gaussian-kl: both functions, with `{kl}` the per-coordinate KL and
# `{d_logvar}` the derivative in logvar_q.
GAUSSIAN = '''
def gaussian_kl(mu_q, logvar_q, mu_p, logvar_p, reduction="mean"):
    per_coordinate = {kl}
    per_element = per_coordinate.sum(-1)
''' + REDUCE + '''

def gaussian_kl_grad(mu_q, logvar_q, mu_p, logvar_p):
    d_mu = {d_mu}
    d_logvar = {d_logvar}
    return d_mu, d_logvar
'''
RIGHT_KL = ("0.5 * (torch.exp(logvar_q - logvar_p) + (mu_q - mu_p) ** 2"
            " * torch.exp(-logvar_p) - 1 - (logvar_q - logvar_p))")
RIGHT_D_MU = "(mu_q - mu_p) * torch.exp(-logvar_p)"
RIGHT_D_LOGVAR = "0.5 * (torch.exp(logvar_q - logvar_p) - 1)"

JS = '''
def js_from_logits(logits_p, logits_q, reduction="mean"):
{body}
''' + REDUCE

MOMENTS = '''
def forward_kl_gaussian(weights, means, sds):
{body}
'''

F_DIV = '''
def f_divergence(p, q, f, slope):
{body}
'''

WRONG = {
    "gaussian-kl": {
        "missing the 1/2":
            GAUSSIAN.format(kl="2 * " + RIGHT_KL, d_mu="2 * " + RIGHT_D_MU,
                            d_logvar="2 * " + RIGHT_D_LOGVAR),
        "logvar read as log sigma (variance exp(2 logvar))":
            GAUSSIAN.format(
                kl="torch.log(torch.exp(logvar_p) / torch.exp(logvar_q)) + "
                   "(torch.exp(2 * logvar_q) + (mu_q - mu_p) ** 2) / "
                   "(2 * torch.exp(2 * logvar_p)) - 0.5",
                d_mu="(mu_q - mu_p) * torch.exp(-2 * logvar_p)",
                d_logvar="torch.exp(2 * logvar_q - 2 * logvar_p) - 1"),
        "arguments swapped: KL(p || q)":
            GAUSSIAN.format(
                kl="0.5 * (torch.exp(logvar_p - logvar_q) + (mu_q - mu_p) ** 2"
                   " * torch.exp(-logvar_q) - 1 - (logvar_p - logvar_q))",
                d_mu="(mu_q - mu_p) * torch.exp(-logvar_q)",
                d_logvar="0.5 * (1 - torch.exp(logvar_p - logvar_q) - (mu_q - "
                         "mu_p) ** 2 * torch.exp(-logvar_q))"),
        "detached (.detach() on the means)":
            GAUSSIAN.format(kl=RIGHT_KL.replace("(mu_q - mu_p)",
                                                "(mu_q - mu_p).detach()"),
                            d_mu=RIGHT_D_MU, d_logvar=RIGHT_D_LOGVAR),
        "the log-variance term detached":
            GAUSSIAN.format(kl=RIGHT_KL.replace("torch.exp(logvar_q - logvar_p)",
                                                "torch.exp(logvar_q - logvar_p)"
                                                ".detach()"),
                            d_mu=RIGHT_D_MU, d_logvar=RIGHT_D_LOGVAR),
        "the prior detached (a learned prior gets no gradient)":
            GAUSSIAN.format(kl=RIGHT_KL.replace("logvar_p", "logvar_p.detach()")
                            .replace("mu_p", "mu_p.detach()"),
                            d_mu=RIGHT_D_MU, d_logvar=RIGHT_D_LOGVAR),
        "gradient in logvar without the 1/2":
            GAUSSIAN.format(kl=RIGHT_KL, d_mu=RIGHT_D_MU,
                            d_logvar="torch.exp(logvar_q - logvar_p) - 1"),
        "the 'mean' reduction also over the coordinates":
            '''
def gaussian_kl(mu_q, logvar_q, mu_p, logvar_p, reduction="mean"):
    per_coordinate = ''' + RIGHT_KL + '''
    if reduction == "mean":
        return per_coordinate.mean()
    if reduction == "sum":
        return per_coordinate.sum()
    return per_coordinate.sum(-1)


def gaussian_kl_grad(mu_q, logvar_q, mu_p, logvar_p):
    return ''' + RIGHT_D_MU + ", " + RIGHT_D_LOGVAR + "\n",
    },
    "js-logits": {
        "naive: log of softmax probabilities (nan at huge logits)": JS.format(
            body='''    p = torch.softmax(logits_p, dim=-1)
    q = torch.softmax(logits_q, dim=-1)
    m = (p + q) / 2
    per_element = 0.5 * (p * torch.log(p / m)).sum(-1) + 0.5 * (
        q * torch.log(q / m)).sum(-1)'''),
        "xlogy on probabilities (values right, gradient nan)": JS.format(
            body='''    p = torch.softmax(logits_p, dim=-1)
    q = torch.softmax(logits_q, dim=-1)
    m = (p + q) / 2
    per_element = 0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)
                         + torch.xlogy(q, q) - torch.xlogy(q, m)).sum(-1)'''),
        "in bits (log base 2)": JS.format(
            body='''    log_p = torch.log_softmax(logits_p, dim=-1)
    log_q = torch.log_softmax(logits_q, dim=-1)
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)
    per_element = (0.5 * (log_p.exp() * (log_p - log_m)).sum(-1)
                   + 0.5 * (log_q.exp() * (log_q - log_m)).sum(-1))
    per_element = per_element / math.log(2)'''),
        "missing the 1/2 (the sum of the two KLs)": JS.format(
            body='''    log_p = torch.log_softmax(logits_p, dim=-1)
    log_q = torch.log_softmax(logits_q, dim=-1)
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)
    per_element = ((log_p.exp() * (log_p - log_m)).sum(-1)
                   + (log_q.exp() * (log_q - log_m)).sum(-1))'''),
        "the square root (what scipy's jensenshannon returns)": JS.format(
            body='''    log_p = torch.log_softmax(logits_p, dim=-1)
    log_q = torch.log_softmax(logits_q, dim=-1)
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)
    per_element = (0.5 * (log_p.exp() * (log_p - log_m)).sum(-1)
                   + 0.5 * (log_q.exp() * (log_q - log_m)).sum(-1))
    per_element = per_element.clamp(min=0).sqrt()'''),
        "m as the mean of the log-probabilities": JS.format(
            body='''    log_p = torch.log_softmax(logits_p, dim=-1)
    log_q = torch.log_softmax(logits_q, dim=-1)
    log_m = (log_p + log_q) / 2
    per_element = (0.5 * (log_p.exp() * (log_p - log_m)).sum(-1)
                   + 0.5 * (log_q.exp() * (log_q - log_m)).sum(-1))'''),
        "detached (.detach() on the logits)": JS.format(
            body='''    log_p = torch.log_softmax(logits_p.detach(), dim=-1)
    log_q = torch.log_softmax(logits_q.detach(), dim=-1)
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)
    per_element = (0.5 * (log_p.exp() * (log_p - log_m)).sum(-1)
                   + 0.5 * (log_q.exp() * (log_q - log_m)).sum(-1))'''),
        "the second distribution detached (a fixed target)": JS.format(
            body='''    log_p = torch.log_softmax(logits_p, dim=-1)
    log_q = torch.log_softmax(logits_q.detach(), dim=-1)
    log_m = torch.logaddexp(log_p, log_q) - math.log(2)
    per_element = (0.5 * (log_p.exp() * (log_p - log_m)).sum(-1)
                   + 0.5 * (log_q.exp() * (log_q - log_m)).sum(-1))'''),
    },
    "forward-kl-fit": {
        "the average width, ignoring the spread of the means": MOMENTS.format(
            body='''    m = (weights * means).sum()
    return m, (weights * sds**2).sum().sqrt()'''),
        "unweighted mean of the means": MOMENTS.format(
            body='''    m = means.mean()
    return m, ((weights * (sds**2 + means**2)).sum() - m**2).sqrt()'''),
        "the variance instead of the standard deviation": MOMENTS.format(
            body='''    m = (weights * means).sum()
    return m, (weights * (sds**2 + means**2)).sum() - m**2'''),
        "the heaviest component (the reverse-KL intuition)": MOMENTS.format(
            body='''    k = weights.argmax()
    return means[k], sds[k]'''),
        "the weighted average of the standard deviations": MOMENTS.format(
            body='''    m = (weights * means).sum()
    spread = (weights * (means - m) ** 2).sum()
    return m, (spread + (weights * sds).sum() ** 2).sqrt()'''),
        "moments by numerical integration on a fixed grid": MOMENTS.format(
            body='''    x = torch.linspace(-40, 40, 400_001, dtype=torch.float64)
    z = (x[:, None] - means) / sds
    density = (weights * torch.exp(-0.5 * z**2)
               / (sds * math.sqrt(2 * math.pi))).sum(-1)
    m = torch.trapezoid(density * x, x)
    return m, torch.trapezoid(density * (x - m) ** 2, x).sqrt()'''),
    },
    "f-divergence": {
        "naive sum of q f(p / q) (nan where q = 0)": F_DIV.format(
            body="    return (q * f(p / q)).sum(-1)"),
        "terms where q = 0 dropped": F_DIV.format(
            body='''    inside = q > 0
    safe_q = torch.where(inside, q, torch.ones_like(q))
    terms = torch.where(inside, safe_q * f(p / safe_q), torch.zeros_like(q))
    return terms.sum(-1)'''),
        "infinite whenever q = 0 < p, whatever the slope": F_DIV.format(
            body='''    inside = q > 0
    safe_q = torch.where(inside, q, torch.ones_like(q))
    terms = torch.where(inside, safe_q * f(p / safe_q), torch.zeros_like(q))
    bad = ((q == 0) & (p > 0)).any(-1)
    value = terms.sum(-1)
    return torch.where(bad, torch.full_like(value, math.inf), value)'''),
        "p and q swapped: sum p f(q / p)": F_DIV.format(
            body='''    inside = p > 0
    safe_p = torch.where(inside, p, torch.ones_like(p))
    terms = torch.where(inside, safe_p * f(q / safe_p), torch.zeros_like(p))
    outside = torch.where(inside, torch.zeros_like(q), q).sum(-1)
    extra = torch.where(outside > 0, outside * slope,
                        torch.zeros_like(outside))
    return terms.sum(-1) + extra'''),
        "computed in NumPy (a number, not a differentiable tensor)":
            F_DIV.format(body='''    import numpy as np
    p, q = p.detach().numpy(), q.detach().numpy()
    inside = q > 0
    safe_q = np.where(inside, q, 1.0)
    with np.errstate(all="ignore"):  # 0 * inf where nothing lies outside
        ratio = torch.from_numpy(p / safe_q)
        terms = np.where(inside, safe_q * f(ratio).numpy(), 0.0)
        outside = np.where(inside, 0.0, p).sum(-1)
        extra = np.where(outside > 0, outside * slope, 0.0)
    return torch.from_numpy(terms.sum(-1) + extra)'''),
        "q = 0 replaced by a tiny epsilon": F_DIV.format(
            body='''    q = q.clamp(min=1e-12)
    return (q * f(p / q)).sum(-1)'''),
    },
}
