"""Plausible wrong answers to the exercises of "Scoring rules and calibration"."""

# The correct slope, shared by the wrong temperature fits that only get the search wrong.
SLOPE = '''
def nll_slope(logits, labels, beta):
    p = torch.softmax(beta * logits, dim=1)
    true_logit = logits.gather(1, labels[:, None]).squeeze(1)
    return ((p * logits).sum(dim=1) - true_logit).mean()
'''

# Bisection on the slope in [1/20, 1/0.05]: beta of the data set (z, y).
BISECT = '''
def _bisect(z, y):
    low, high = 1 / 20, 1 / 0.05
    if nll_slope(z, y, low) >= 0:
        return low
    if nll_slope(z, y, high) <= 0:
        return high
    for _ in range(60):
        middle = (low + high) / 2
        if nll_slope(z, y, middle) < 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2
'''

REPORT = '''
    scaled = test_logits * beta
    return {"T": 1 / beta, "nll": F.cross_entropy(scaled, test_labels).item(),
            "ece": reference_ece(torch.softmax(scaled, 1), test_labels, 15).item()}
'''

ECE_LOOP = '''
    ece = torch.zeros((), dtype=probs.dtype)
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = {condition}
        if in_bin.any():
            ece = ece + in_bin.to(probs.dtype).mean() * (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
    return ece
'''

# The right decomposition and within-group terms, shared by wrong answers to the other part.
DECOMP = '''
def brier_decomposition(probs, labels):
    onehot = F.one_hot(labels, probs.shape[1]).to(probs.dtype)
    values, group = torch.unique(probs, dim=0, return_inverse=True)
    n_k = torch.bincount(group, minlength=len(values)).to(probs.dtype)
    o_k = torch.zeros_like(values).index_add_(0, group, onehot) / n_k[:, None]
    share, base = n_k / len(labels), onehot.mean(dim=0)
    reliability = (share * ((values - o_k) ** 2).sum(1)).sum()
    resolution = (share * ((o_k - base) ** 2).sum(1)).sum()
    return torch.stack([reliability, resolution, (base * (1 - base)).sum()])
'''

WITHIN = '''
def within_group_terms(probs, labels, groups):
    onehot = F.one_hot(labels, probs.shape[1]).to(probs.dtype)
    k = int(groups.max()) + 1
    n_k = torch.bincount(groups, minlength=k).to(probs.dtype)[:, None]
    f_k = torch.zeros(k, probs.shape[1], dtype=probs.dtype).index_add_(0, groups, probs) / n_k
    o_k = torch.zeros_like(f_k).index_add_(0, groups, onehot) / n_k
    spread = probs - f_k[groups]
    wbv = (spread**2).sum(1).mean()
    wbc = (spread * (onehot - o_k[groups])).sum(1).mean()
    return torch.stack([wbv, wbc])
'''

WRONG = {
    "calibration-error": {
        "a Python float instead of a tensor": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            gap = correct[in_bin].mean() - confidence[in_bin].mean()
            ece += in_bin.to(probs.dtype).mean().item() * abs(gap.item())
    return ece
''',
        "bins averaged equally": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)
    gaps = []
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            gaps.append((correct[in_bin].mean() - confidence[in_bin].mean()).abs())
    return torch.stack(gaps).mean()
''',
        "one global gap (no bins)": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    return (correct.mean() - confidence.mean()).abs()
''',
        "confidence of the true class instead of the predicted one": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence = probs.gather(1, labels[:, None]).squeeze(1)
    correct = (probs.argmax(dim=1) == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)''' + ECE_LOOP.format(
            condition="(confidence > low) & (confidence <= high)"),
        "bins [low, high) with the last one closed": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)''' + ECE_LOOP.format(
            condition="(confidence >= low) & ((confidence < high) | (high == 1))"),
        "bin index floor(c * M), clamped": '''
def expected_calibration_error(probs, labels, n_bins=10):
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    bins = torch.clamp(torch.floor(confidence * n_bins).long(), max=n_bins - 1)
    ece = torch.zeros((), dtype=probs.dtype)
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            ece = ece + in_bin.to(probs.dtype).mean() * (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
    return ece
''',
    },
    "temperature-fit": {
        "T fitted on the test set": SLOPE + BISECT + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = _bisect(test_logits, test_labels)''' + REPORT,
        "inverse temperature by Newton's method, no positivity": SLOPE + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = 1.0
    for _ in range(50):
        p = torch.softmax(beta * fit_logits, dim=1)
        mean_z = (p * fit_logits).sum(1, keepdim=True)
        curvature = (p * (fit_logits - mean_z) ** 2).sum(1).mean()
        beta = beta - (nll_slope(fit_logits, fit_labels, beta) / curvature).item()''' + REPORT,
        "T minimising the ECE of the fit set": SLOPE + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    grid = torch.logspace(math.log10(0.05), math.log10(20), 2001, dtype=torch.float64)
    eces = torch.stack([reference_ece(torch.softmax(fit_logits / t, 1), fit_labels, 15) for t in grid])
    beta = 1 / grid[eces.argmin()].item()''' + REPORT,
        "no scaling (T = 1)": SLOPE + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = 1.0''' + REPORT,
        "reports the fit set's NLL and ECE": SLOPE + BISECT + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = _bisect(fit_logits, fit_labels)
    scaled = fit_logits * beta
    return {"T": 1 / beta, "nll": F.cross_entropy(scaled, fit_labels).item(),
            "ece": reference_ece(torch.softmax(scaled, 1), fit_labels, 15).item()}
''',
        "slope with the sign of the true logit flipped": '''
def nll_slope(logits, labels, beta):
    p = torch.softmax(beta * logits, dim=1)
    true_logit = logits.gather(1, labels[:, None]).squeeze(1)
    return ((p * logits).sum(dim=1) + true_logit).mean()
''' + BISECT + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = _bisect(fit_logits, fit_labels)''' + REPORT,
        "slope summed over examples instead of averaged (and T on the test set)": '''
def nll_slope(logits, labels, beta):
    p = torch.softmax(beta * logits, dim=1)
    true_logit = logits.gather(1, labels[:, None]).squeeze(1)
    return ((p * logits).sum(dim=1) - true_logit).sum()
''' + BISECT + '''
def evaluate_temperature(fit_logits, fit_labels, test_logits, test_labels):
    beta = _bisect(test_logits, test_labels)''' + REPORT,
    },
    "brier-decomposition": {
        "groups weighted equally": '''
def brier_decomposition(probs, labels):
    onehot = F.one_hot(labels, probs.shape[1]).to(probs.dtype)
    values, group = torch.unique(probs, dim=0, return_inverse=True)
    n_k = torch.bincount(group, minlength=len(values)).to(probs.dtype)
    o_k = torch.zeros_like(values).index_add_(0, group, onehot) / n_k[:, None]
    base = onehot.mean(dim=0)
    reliability = ((values - o_k) ** 2).sum(1).mean()
    resolution = ((o_k - base) ** 2).sum(1).mean()
    return torch.stack([reliability, resolution, (base * (1 - base)).sum()])
''' + WITHIN,
        "uncertainty of the most frequent class only": '''
def brier_decomposition(probs, labels):
    onehot = F.one_hot(labels, probs.shape[1]).to(probs.dtype)
    values, group = torch.unique(probs, dim=0, return_inverse=True)
    n_k = torch.bincount(group, minlength=len(values)).to(probs.dtype)
    o_k = torch.zeros_like(values).index_add_(0, group, onehot) / n_k[:, None]
    share, base = n_k / len(labels), onehot.mean(dim=0)
    reliability = (share * ((values - o_k) ** 2).sum(1)).sum()
    resolution = (share * ((o_k - base) ** 2).sum(1)).sum()
    top = base.max()
    return torch.stack([reliability, resolution, top * (1 - top)])
''' + WITHIN,
        "grouped by the predicted class, not the forecast vector": '''
def brier_decomposition(probs, labels):
    onehot = F.one_hot(labels, probs.shape[1]).to(probs.dtype)
    group = probs.argmax(dim=1)
    n_k = torch.bincount(group, minlength=probs.shape[1]).to(probs.dtype)
    keep = n_k > 0
    f_k = torch.zeros_like(probs[: len(n_k)]).index_add_(0, group, probs)[keep] / n_k[keep, None]
    o_k = torch.zeros_like(probs[: len(n_k)]).index_add_(0, group, onehot)[keep] / n_k[keep, None]
    share, base = n_k[keep] / len(labels), onehot.mean(dim=0)
    reliability = (share * ((f_k - o_k) ** 2).sum(1)).sum()
    resolution = (share * ((o_k - base) ** 2).sum(1)).sum()
    return torch.stack([reliability, resolution, (base * (1 - base)).sum()])
''' + WITHIN,
        "top-label (binary) terms for every number of classes": '''
def brier_decomposition(probs, labels):
    forecast, predicted = probs.max(dim=1)
    outcome = (predicted == labels).to(probs.dtype)
    values, group = torch.unique(forecast, return_inverse=True)
    n_k = torch.bincount(group, minlength=len(values)).to(probs.dtype)
    o_k = torch.zeros_like(values).index_add_(0, group, outcome) / n_k
    share, base = n_k / len(labels), outcome.mean()
    reliability = (share * (values - o_k) ** 2).sum()
    resolution = (share * (o_k - base) ** 2).sum()
    return torch.stack([reliability, resolution, base * (1 - base)])
''' + WITHIN,
        "WBC with the factor 2 inside": DECOMP + WITHIN.replace(
            "wbc = (spread", "wbc = 2 * (spread"),
        "groups weighted equally in WBV and WBC": DECOMP + WITHIN.replace(
            "return torch.stack([wbv, wbc])",
            "w = 1 / (n_k[groups, 0] * k)\n    return torch.stack([(w * (spread**2).sum(1)).sum(),"
            " (w * (spread * (onehot - o_k[groups])).sum(1)).sum()])").replace(
            "    wbv = (spread**2).sum(1).mean()\n", ""),
        "spread around the overall mean forecast": DECOMP + WITHIN.replace(
            "spread = probs - f_k[groups]", "spread = probs - probs.mean(0)"),
        "top-label (binary) within-group terms": DECOMP + '''
def within_group_terms(probs, labels, groups):
    conf, guess = probs.max(1)
    hit = (guess == labels).to(probs.dtype)
    k = int(groups.max()) + 1
    n_k = torch.bincount(groups, minlength=k).to(probs.dtype)
    f_k = torch.zeros(k, dtype=probs.dtype).index_add_(0, groups, conf) / n_k
    o_k = torch.zeros(k, dtype=probs.dtype).index_add_(0, groups, hit) / n_k
    spread = conf - f_k[groups]
    return torch.stack([(spread**2).mean(), (spread * (hit - o_k[groups])).mean()])
''',
    },

    "proper-rules": {
        "every rule assumed proper": '''
def best_forecasts(p):
    return {name: p.clone() for name in ("quartic", "weighted log", "boosting", "concave quadratic")}


def proper_rules():
    return {"quartic", "weighted log", "boosting", "concave quadratic"}
''',
        "quartic with a square root, weighted log not normalised": '''
def best_forecasts(p):
    return {"quartic": 1 / (1 + ((1 - p) / p) ** 0.5), "weighted log": (2 * p).clamp(max=1),
            "boosting": p.clone(), "concave quadratic": (p > 0.5).to(p.dtype)}


def proper_rules():
    return {"boosting"}
''',
        "concave quadratic gives p, boosting called improper": '''
def best_forecasts(p):
    return {"quartic": 1 / (1 + ((1 - p) / p) ** (1 / 3)), "weighted log": 2 * p / (1 + p),
            "boosting": p.clone(), "concave quadratic": p.clone()}


def proper_rules():
    return {"concave quadratic"}
''',
        "right minimisers, but proper = the convex ones": '''
def best_forecasts(p):
    return {"quartic": 1 / (1 + ((1 - p) / p) ** (1 / 3)), "weighted log": 2 * p / (1 + p),
            "boosting": p.clone(), "concave quadratic": (p > 0.5).to(p.dtype)}


def proper_rules():
    return {"quartic", "weighted log", "boosting"}
''',
    },
}
