"""Plausible wrong answers to the exercises of "Choosing a loss"."""

from .common import REDUCE

LINEX = '''
def linex_constant(y, a):
{body}
'''

EXP = '''
def exp_minimiser(p):
    return {minimiser}


def exp_probability(f):
    return {probability}
'''

GAPS = '''
def gaps(p):
    squared = {squared}
    exponential = {exponential}
    return {{"squared": squared, "exponential": exponential,
            "squared hinge": {hinge}}}
'''

CHOSEN = '''
def chosen_loss(y_hat, y, reduction="mean"):
    r = y - y_hat
    per_element = {body}
''' + REDUCE

PROB = '''
def probability_of_score(phi, f):
    f = f.detach().clone().requires_grad_(True)
    (d_plus,) = torch.autograd.grad(phi(f).sum(), f)
    g = (-f).detach().clone().requires_grad_(True)
    (d_minus,) = torch.autograd.grad(phi(g).sum(), g)
    return {body}
'''

NCE = '''
def normalized_ce(logits, target, reduction="mean"):
{body}
''' + REDUCE

RIGHT_SQUARED = "(2 * p - 1) ** 2"
RIGHT_EXP = "1 - 2 * torch.sqrt(p * (1 - p))"

WRONG = {
    "linex-constant": {
        "the mean (the exponential term forgotten)":
            LINEX.format(body="    return y.mean()"),
        "log-mean-exp without logsumexp (overflows for large a y)":
            LINEX.format(body="    return torch.log(torch.exp(a * y).mean()) / a"),
        "sign of a flipped":
            LINEX.format(body="    return -(torch.logsumexp(-a * y, 0) - "
                              "math.log(y.numel())) / a"),
        "mean-log instead of log-mean (the mean again)":
            LINEX.format(body="    return (a * y).mean() / a"),
        "sum instead of mean inside the log":
            LINEX.format(body="    return torch.logsumexp(a * y, 0) / a"),
        "second-order expansion: mean + a var / 2 (exact for a Gaussian)":
            LINEX.format(body="    return y.mean() + a * y.var() / 2"),
    },
    "exp-link": {
        "the logistic loss's link (no ½)":
            EXP.format(minimiser="torch.log(p / (1 - p))",
                       probability="torch.sigmoid(f)"),
        "right minimiser, sigmoid of f (not 2f)":
            EXP.format(minimiser="0.5 * torch.log(p / (1 - p))",
                       probability="torch.sigmoid(f)"),
        "right minimiser, naive sigmoid overflows at -1000":
            EXP.format(minimiser="0.5 * torch.log(p / (1 - p))",
                       probability="torch.exp(2 * f) / (1 + torch.exp(2 * f))"),
        "sign error in the minimiser":
            EXP.format(minimiser="0.5 * torch.log((1 - p) / p)",
                       probability="torch.sigmoid(-2 * f)"),
    },
    "calibration-gaps": {
        "the hinge's gap copied for every loss":
            GAPS.format(squared="(2 * p - 1).abs()",
                        exponential="(2 * p - 1).abs()",
                        hinge="(2 * p - 1).abs()"),
        "H(p) returned instead of the gap":
            GAPS.format(squared="4 * p * (1 - p)",
                        exponential="2 * torch.sqrt(p * (1 - p))",
                        hinge="4 * p * (1 - p)"),
        "exponential gap without the factor 2":
            GAPS.format(squared=RIGHT_SQUARED,
                        exponential="1 - torch.sqrt(p * (1 - p))",
                        hinge=RIGHT_SQUARED),
        "squared hinge taken as the hinge (|2p - 1|)":
            GAPS.format(squared=RIGHT_SQUARED, exponential=RIGHT_EXP,
                        hinge="(2 * p - 1).abs()"),
    },
    "robust-choice": {
        "MSE (unbounded influence)": CHOSEN.format(body="r ** 2"),
        "MAE (not smooth)": CHOSEN.format(body="r.abs()"),
        "Tukey's biweight (not convex)":
            CHOSEN.format(body="4.685 ** 2 / 6 * (1 - (1 - (r / 4.685)"
                               ".clamp(-1, 1) ** 2) ** 3)"),
        "Huber with δ in the units of the gross errors (δ = 50)":
            CHOSEN.format(body="F.huber_loss(y_hat, y, delta=50.0, "
                               "reduction='none')"),
        "pseudo-Huber at a tiny scale (a corner too sharp for fixed steps)":
            CHOSEN.format(body="torch.sqrt(r ** 2 + 1e-6) - 1e-3"),
        "detached Huber (no gradient)":
            CHOSEN.format(body="F.huber_loss(y_hat, y, reduction='none')"
                               ".detach()"),
    },
    "probability-of-score": {
        "always the sigmoid of the score": PROB.format(body="torch.sigmoid(f)"),
        "derivatives swapped (gives 1 - p)":
            PROB.format(body="d_plus / (d_plus + d_minus)"),
        "loss values instead of derivatives":
            PROB.format(body="phi(-f) / (phi(f) + phi(-f))"),
        "chain-rule sign: the derivative of phi(-f) in f used as phi'(-f)":
            PROB.format(body="-d_minus / (d_plus - d_minus)"),
    },
    "normalized-ce": {
        "normalised by the number of classes":
            NCE.format(body="    per_element = F.cross_entropy(logits, target, "
                            "reduction='none') / logits.shape[1]"),
        "denominator detached":
            NCE.format(body="    ce_all = -torch.log_softmax(logits, 1)\n"
                            "    per_element = ce_all.gather(1, target[:, None])"
                            ".squeeze(1) / ce_all.sum(1).detach()"),
        "log of softmax (infinite for large logits)":
            NCE.format(body="    ce_all = -torch.log(torch.softmax(logits, 1))\n"
                            "    per_element = ce_all.gather(1, target[:, None])"
                            ".squeeze(1) / ce_all.sum(1)"),
        "detached result":
            NCE.format(body="    ce_all = -torch.log_softmax(logits, 1)\n"
                            "    per_element = (ce_all.gather(1, target[:, None])"
                            ".squeeze(1) / ce_all.sum(1)).detach()"),
    },
}
