"""Plausible wrong answers to the exercises of "Multi-task losses"."""

from tests.wrong_answers.common import REDUCE

UW_HEAD = '''
def uncertainty_weighted_loss(losses, log_vars, is_classification):'''

TN_HEAD = '''
def tempered_nll(logits, target, log_var=0.0, reduction="mean"):'''

PC_HEAD = '''
def pcgrad(grads, orders):'''

GN_HEAD = '''
def gradnorm_equilibrium(grad_norms, loss_ratios, alpha):'''

DWA_HEAD = '''
def dwa_weights(history, temperature=2.0):'''

WRONG = {
    "uw-loss": {
        "the regression form 1/(2σ²) for every task": UW_HEAD + '''
    return (0.5 * torch.exp(-log_vars) * losses + 0.5 * log_vars).sum()
''',
        "e^{-s} L + s for every task (log σ² instead of log σ)": UW_HEAD + '''
    return (torch.exp(-log_vars) * losses + log_vars).sum()
''',
        "factors swapped between regression and classification": UW_HEAD + '''
    factor = torch.where(is_classification, 0.5, 1.0).to(losses.dtype)
    return (factor * torch.exp(-log_vars) * losses + 0.5 * log_vars).sum()
''',
        "regularizer log σ² with the paper's weights": UW_HEAD + '''
    factor = torch.where(is_classification, 1.0, 0.5).to(losses.dtype)
    return (factor * torch.exp(-log_vars) * losses + log_vars).sum()
''',
        "weights by exp(+s) (precision and variance confused)": UW_HEAD + '''
    factor = torch.where(is_classification, 1.0, 0.5).to(losses.dtype)
    return (factor * torch.exp(log_vars) * losses + 0.5 * log_vars).sum()
''',
        "clamps log_vars to [-3, 3] for stability": UW_HEAD + '''
    s = log_vars.clamp(-3.0, 3.0)
    factor = torch.where(is_classification, 1.0, 0.5).to(losses.dtype)
    return (factor * torch.exp(-s) * losses + 0.5 * s).sum()
''',
        "returns a detached tensor": UW_HEAD + '''
    factor = torch.where(is_classification, 1.0, 0.5).to(losses.dtype)
    return (factor * torch.exp(-log_vars) * losses + 0.5 * log_vars).sum().detach()
''',
    },
    "tempered-nll": {
        "cross_entropy of the scaled logits (not from scratch)": TN_HEAD + '''
    return F.cross_entropy(logits * math.exp(-log_var), target,
                           reduction=reduction)
''',
        "log_softmax of the scaled logits (not from scratch)": TN_HEAD + '''
    logp = F.log_softmax(logits * math.exp(-log_var), dim=1)
    per_element = -logp.gather(1, target[:, None])[:, 0]''' + REDUCE,
        "Kendall's approximation: e^{-s} CE + s/2": TN_HEAD + '''
    ce = F.cross_entropy(logits, target, reduction="none")
    per_element = math.exp(-log_var) * ce + 0.5 * log_var''' + REDUCE,
        "multiplies the logits by σ² instead of dividing": TN_HEAD + '''
    per_element = F.cross_entropy(logits * math.exp(log_var), target, reduction="none")''' + REDUCE,
        "divides by σ, not σ²": TN_HEAD + '''
    per_element = F.cross_entropy(logits / math.exp(log_var / 2), target, reduction="none")''' + REDUCE,
        "naive softmax (overflows on huge logits)": TN_HEAD + '''
    e = torch.exp(logits / math.exp(log_var))
    per_element = -torch.log(e.gather(1, target[:, None])[:, 0] / e.sum(1))''' + REDUCE,
        "returns a detached tensor": TN_HEAD + '''
    scaled = (logits / math.exp(log_var)).detach()
    per_element = torch.logsumexp(scaled, 1) - scaled.gather(1, target[:, None])[:, 0]''' + REDUCE,
    },
    "pcgrad": {
        "projects against the already projected g_j": PC_HEAD + '''
    current = grads.clone()
    for i, order in enumerate(orders):
        for j in order:
            dot = current[i] @ current[j]
            if dot < 0:
                current[i] = current[i] - dot / (current[j] @ current[j]) * current[j]
    return current.sum(0)
''',
        "projects even when the gradients agree": PC_HEAD + '''
    total = torch.zeros_like(grads[0])
    for i, order in enumerate(orders):
        g = grads[i].clone()
        for j in order:
            g = g - (g @ grads[j]) / (grads[j] @ grads[j]) * grads[j]
        total = total + g
    return total
''',
        "ignores the given orders (visits tasks 0, 1, 2, ...)": PC_HEAD + '''
    total = torch.zeros_like(grads[0])
    for i in range(len(grads)):
        g = grads[i].clone()
        for j in range(len(grads)):
            if j != i and g @ grads[j] < 0:
                g = g - (g @ grads[j]) / (grads[j] @ grads[j]) * grads[j]
        total = total + g
    return total
''',
        "tests the conflict with the original g_i": PC_HEAD + '''
    total = torch.zeros_like(grads[0])
    for i, order in enumerate(orders):
        g = grads[i].clone()
        for j in order:
            if grads[i] @ grads[j] < 0:
                g = g - (g @ grads[j]) / (grads[j] @ grads[j]) * grads[j]
        total = total + g
    return total
''',
        "returns the mean instead of the sum": PC_HEAD + '''
    out = []
    for i, order in enumerate(orders):
        g = grads[i].clone()
        for j in order:
            dot = g @ grads[j]
            if dot < 0:
                g = g - dot / (grads[j] @ grads[j]) * grads[j]
        out.append(g)
    return torch.stack(out).mean(0)
''',
    },
    "gradnorm-equilibrium": {
        "equal weighted norms (normalises the gradients)": GN_HEAD + '''
    w = 1 / grad_norms
    return len(w) * w / w.sum()
''',
        "multiplies by the gradient norm": GN_HEAD + '''
    r = loss_ratios / loss_ratios.mean()
    w = r ** alpha * grad_norms
    return len(w) * w / w.sum()
''',
        "exponent -alpha (favours the faster task)": GN_HEAD + '''
    r = loss_ratios / loss_ratios.mean()
    w = r ** (-alpha) / grad_norms
    return len(w) * w / w.sum()
''',
        "weights sum to 1, not T": GN_HEAD + '''
    r = loss_ratios / loss_ratios.mean()
    w = r ** alpha / grad_norms
    return w / w.sum()
''',
    },
    "scale-invariance": {
        "only uncertainty weighting": '''
def scale_invariant_methods():
    return {"uncertainty weighting"}
''',
        "DWA too (its weights do not change)": '''
def scale_invariant_methods():
    return {"uncertainty weighting", "GradNorm", "DWA"}
''',
        "PCGrad too (it removes conflicts)": '''
def scale_invariant_methods():
    return {"uncertainty weighting", "GradNorm", "PCGrad"}
''',
        "only DWA": '''
def scale_invariant_methods():
    return {"DWA"}
''',
    },
    "dwa-weights": {
        "ratio inverted (L(t-2) / L(t-1))": DWA_HEAD + '''
    n = history.shape[1]
    if history.shape[0] < 2:
        return torch.ones(n, dtype=history.dtype)
    return n * torch.softmax(history[-2] / history[-1] / temperature, 0)
''',
        "forgets the factor T": DWA_HEAD + '''
    n = history.shape[1]
    if history.shape[0] < 2:
        return torch.ones(n, dtype=history.dtype)
    return torch.softmax(history[-1] / history[-2] / temperature, 0)
''',
        "multiplies by the temperature": DWA_HEAD + '''
    n = history.shape[1]
    if history.shape[0] < 2:
        return torch.ones(n, dtype=history.dtype)
    return n * torch.softmax(history[-1] / history[-2] * temperature, 0)
''',
        "softmax of the losses, not their ratios": DWA_HEAD + '''
    n = history.shape[1]
    if history.shape[0] < 2:
        return torch.ones(n, dtype=history.dtype)
    return n * torch.softmax(history[-1] / temperature, 0)
''',
    },
}
