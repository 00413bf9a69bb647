"""Plausible wrong answers to the exercises of "Long-tailed classification"."""

from tests.wrong_answers.common import REDUCE

PM_HEAD = '''
def pairwise_margin_loss(logits, target, delta, alpha, reduction="mean"):'''

CT_HEAD = '''
def choose_tau(val_logits, val_labels, train_prior, test_prior, taus):'''

WRONG = {
    "pairwise-margin-loss": {
        "margin also added to the target logit (diagonal used)": PM_HEAD + '''
    shifted = logits + delta[target]
    per_element = alpha[target] * (torch.logsumexp(shifted, 1) - shifted.gather(1, target[:, None])[:, 0])''' + REDUCE,
        "delta transposed (column = true class)": PM_HEAD + '''
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    shifted = logits + delta[:, target].T * (1 - one_hot)
    per_element = alpha[target] * (torch.logsumexp(shifted, 1) - shifted.gather(1, target[:, None])[:, 0])''' + REDUCE,
        "weighted mean: divides by the sum of alpha": PM_HEAD + '''
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    shifted = logits + delta[target] * (1 - one_hot)
    per_element = alpha[target] * (torch.logsumexp(shifted, 1) - shifted.gather(1, target[:, None])[:, 0])
    if reduction == "mean":
        return per_element.sum() / alpha[target].sum()
    if reduction == "sum":
        return per_element.sum()
    return per_element
''',
        "alpha ignored": PM_HEAD + '''
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    shifted = logits + delta[target] * (1 - one_hot)
    per_element = torch.logsumexp(shifted, 1) - shifted.gather(1, target[:, None])[:, 0]''' + REDUCE,
        "the chapter's one-liner: F.cross_entropy(logits + delta[target])": PM_HEAD + '''
    per_element = alpha[target] * F.cross_entropy(logits + delta[target], target, reduction="none")''' + REDUCE,
        "naive log(1 + sum exp) (overflows on huge logits)": PM_HEAD + '''
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    terms = torch.exp(delta[target] + logits - logits.gather(1, target[:, None])) * (1 - one_hot)
    per_element = alpha[target] * torch.log(1 + terms.sum(1))''' + REDUCE,
        "returns a detached tensor": PM_HEAD + '''
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    shifted = (logits + delta[target] * (1 - one_hot)).detach()
    per_element = alpha[target] * (torch.logsumexp(shifted, 1) - shifted.gather(1, target[:, None])[:, 0])''' + REDUCE,
    },
    "ldam-gradient": {
        "forgets the factor s of the chain rule": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    m = m * max_m / m.max()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return torch.softmax(s * (logits - m[target, None] * one_hot), 1) - one_hot
''',
        "margins proportional to n**-0.5": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.5
    m = m * max_m / m.max()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return s * (torch.softmax(s * (logits - m[target, None] * one_hot), 1) - one_hot)
''',
        "margins not rescaled to max_m": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return s * (torch.softmax(s * (logits - m[target, None] * one_hot), 1) - one_hot)
''',
        "margin added to the target logit": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    m = m * max_m / m.max()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return s * (torch.softmax(s * (logits + m[target, None] * one_hot), 1) - one_hot)
''',
        "autograd through the LDAM loss (not by hand)": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    m = m * max_m / m.max()
    z = logits.detach().clone().requires_grad_(True)
    out = z.scatter(1, target[:, None], z.gather(1, target[:, None]) - m[target, None])
    return torch.autograd.grad(F.cross_entropy(s * out, target, reduction="sum"), z)[0]
''',
        "gradient of the mean (divides by N)": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    m = m * max_m / m.max()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return s * (torch.softmax(s * (logits - m[target, None] * one_hot), 1) - one_hot) / len(target)
''',
        "margin not scaled by s (s * z - margin)": '''
def ldam_gradient(logits, target, counts, max_m=0.5, s=30.0):
    m = counts.to(logits.dtype) ** -0.25
    m = m * max_m / m.max()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    return s * (torch.softmax(s * logits - m[target, None] * one_hot, 1) - one_hot)
''',
    },
    "label-shift": {
        "ignores the test prior (the balanced rule)": '''
def predict_under_label_shift(logits, train_prior, test_prior):
    return (logits - train_prior.log()).argmax(dim=1)
''',
        "ignores the training prior": '''
def predict_under_label_shift(logits, train_prior, test_prior):
    return (logits + test_prior.log()).argmax(dim=1)
''',
        "priors swapped": '''
def predict_under_label_shift(logits, train_prior, test_prior):
    return (logits + train_prior.log() - test_prior.log()).argmax(dim=1)
''',
        "multiplies the priors instead of dividing": '''
def predict_under_label_shift(logits, train_prior, test_prior):
    return (logits + train_prior.log() + test_prior.log()).argmax(dim=1)
''',
    },
    "choose-tau": {
        "plain accuracy on the validation set": CT_HEAD + '''
    shift = test_prior.log() - train_prior.log()
    scores = [((val_logits + t * shift).argmax(1) == val_labels).double().mean() for t in taus]
    return float(taus[torch.stack(scores).argmax()])
''',
        "balanced accuracy (ignores the deployment prior in the score)": CT_HEAD + '''
    shift = test_prior.log() - train_prior.log()
    scores = []
    for t in taus:
        pred = (val_logits + t * shift).argmax(1)
        scores.append(torch.stack([(pred[val_labels == c] == c).double().mean()
                                   for c in range(val_logits.shape[1])]).mean())
    return float(taus[torch.stack(scores).argmax()])
''',
        "importance weights test_prior / train_prior (assumes validation ~ training)": CT_HEAD + '''
    shift = test_prior.log() - train_prior.log()
    scores = []
    for t in taus:
        pred = (val_logits + t * shift).argmax(1)
        w = test_prior[val_labels] / train_prior[val_labels]
        scores.append(((pred == val_labels).double() * w).mean())
    return float(taus[torch.stack(scores).argmax()])
''',
        "importance-weighted accuracy (pred == y) / train_prior[y]": CT_HEAD + '''
    shift = test_prior.log() - train_prior.log()
    scores = []
    for t in taus:
        pred = (val_logits + t * shift).argmax(1)
        scores.append(((pred == val_labels).double() / train_prior[val_labels]).mean())
    return float(taus[torch.stack(scores).argmax()])
''',
        "rule ignores the training prior": CT_HEAD + '''
    scores = []
    for t in taus:
        pred = (val_logits + t * test_prior.log()).argmax(1)
        rec = torch.stack([(pred[val_labels == c] == c).double().mean()
                           for c in range(val_logits.shape[1])])
        scores.append((test_prior * rec).sum())
    return float(taus[torch.stack(scores).argmax()])
''',
        "always the Bayes value tau = 1": CT_HEAD + '''
    return 1.0
''',
        "returns the index of the best tau": CT_HEAD + '''
    shift = test_prior.log() - train_prior.log()
    scores = []
    for t in taus:
        pred = (val_logits + t * shift).argmax(1)
        rec = torch.stack([(pred[val_labels == c] == c).double().mean()
                           for c in range(val_logits.shape[1])])
        scores.append((test_prior * rec).sum())
    return int(torch.stack(scores).argmax())
''',
    },
}
