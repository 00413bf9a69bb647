"""Plausible wrong answers to the exercises of "Reading training curves"."""

LC_HEAD = '''
def label_curves(train, val):
    train = torch.as_tensor(train, dtype=torch.float64)
    val = torch.as_tensor(val, dtype=torch.float64)
    if train.shape != val.shape or train.numel() < 5:
        raise ValueError("bad curves")'''

ES_HEAD = '''
def train_with_early_stopping(params, step, evaluate, max_steps, patience):'''

PS_HEAD = '''
def plateau_schedule(losses, lr, factor=0.1, patience=10, threshold=1e-4,
                     threshold_mode="rel", cooldown=0, min_lr=0.0):
    best, bad, cool, out = math.inf, 0, 0, []
    for loss in losses:'''

PS_RULE = '''
        better = (loss < best * (1 - threshold) if threshold_mode == "rel"
                  else loss < best - threshold)
        if better:
            best, bad = loss, 0
        else:
            bad += 1'''

FR_HEAD = '''
def fit_by_gradient_descent(x, y, steps=100):'''

FN_HEAD = '''
def filter_normalise(direction, params):
    out = []
    for d, p in zip(direction, params):'''

WRONG = {
    "label-curves": {
        "overfitting = validation loss ends above where it started": LC_HEAD + '''
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    if train[-1] > 1.5 * train[0]:
        return "diverged"
    return "overfitting" if val[-1] > val[0] else "healthy"
''',
        "any rise of the raw validation loss above its minimum": LC_HEAD + '''
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    if train[-1] > 1.5 * train[0]:
        return "diverged"
    return "overfitting" if val[-1] > val.min() else "healthy"
''',
        "overfitting = a large gap between validation and training": LC_HEAD + '''
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    if train[-1] > 1.5 * train[0]:
        return "diverged"
    return "overfitting" if val[-1] - train[-1] > 0.2 else "healthy"
''',
        "forgets nan and inf (comparisons with nan are False)": LC_HEAD + '''
    k = max(1, train.numel() // 10)
    if train[-k:].mean() > 1.5 * train[:k].mean():
        return "diverged"
    smooth = torch.nn.functional.avg_pool1d(val[None, None], k, 1)[0, 0]
    if smooth[-1] > 1.1 * smooth.min():
        return "overfitting"
    return "healthy"
''',
        "no ValueError on short or unequal curves": '''
def label_curves(train, val):
    train = torch.as_tensor(train, dtype=torch.float64)
    val = torch.as_tensor(val, dtype=torch.float64)
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    if train[-1] > 1.5 * train[0]:
        return "diverged"
    return "overfitting" if val[-1] > 1.1 * val.min() else "healthy"
''',
        "uses lossbook.diagnose despite the instruction": '''
from lossbook.diagnose import diagnose


def label_curves(train, val):
    label = diagnose(train, val)
    return label if label in ("diverged", "overfitting") else "healthy"
''',
        "overfitting = raw validation end above its value at the midpoint": LC_HEAD + '''
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    if train[-1] > 1.5 * train[0]:
        return "diverged"
    return "overfitting" if val[-1] > val[len(val) // 2] else "healthy"
''',
        "smoothed validation rise alone, training curve ignored": LC_HEAD + '''
    if not (torch.isfinite(train).all() and torch.isfinite(val).all()):
        return "diverged"
    k = max(1, train.numel() // 10)
    if train[-k:].mean() > 1.5 * train[:k].mean():
        return "diverged"
    smooth = torch.nn.functional.avg_pool1d(val[None, None], k, 1)[0, 0]
    if smooth[-1] > 1.1 * smooth.min():
        return "overfitting"
    return "healthy"
''',
    },
    "early-stopping": {
        "no evaluation before the first step (best starts at inf)": ES_HEAD + '''
    best_loss, best_params, best_step, since, steps = math.inf, params.clone(), 0, 0, 0
    while steps < max_steps and since < patience:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss < best_loss:
            best_loss, best_params, best_step, since = loss, params.clone(), steps, 0
        else:
            since += 1
    return best_params, best_step, steps
''',
        "returns a reference to params, not a copy": ES_HEAD + '''
    best_loss, best_params, best_step, since, steps = evaluate(params), params, 0, 0, 0
    while steps < max_steps and since < patience:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss < best_loss:
            best_loss, best_params, best_step, since = loss, params, steps, 0
        else:
            since += 1
    return best_params, best_step, steps
''',
        "a tie counts as an improvement (<=)": ES_HEAD + '''
    best_loss, best_params, best_step, since, steps = evaluate(params), params.clone(), 0, 0, 0
    while steps < max_steps and since < patience:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss <= best_loss:
            best_loss, best_params, best_step, since = loss, params.clone(), steps, 0
        else:
            since += 1
    return best_params, best_step, steps
''',
        "stops at the first evaluation that does not improve": ES_HEAD + '''
    best_loss, best_params, best_step, steps = evaluate(params), params.clone(), 0, 0
    while steps < max_steps:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss >= best_loss:
            break
        best_loss, best_params, best_step = loss, params.clone(), steps
    return best_params, best_step, steps
''',
        "one step too many (patience + 1 bad evaluations)": ES_HEAD + '''
    best_loss, best_params, best_step, since, steps = evaluate(params), params.clone(), 0, 0, 0
    while steps < max_steps and since <= patience:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss < best_loss:
            best_loss, best_params, best_step, since = loss, params.clone(), steps, 0
        else:
            since += 1
    return best_params, best_step, steps
''',
        "no restore: returns the last parameters": ES_HEAD + '''
    best_loss, best_step, since, steps = evaluate(params), 0, 0, 0
    while steps < max_steps and since < patience:
        step(params)
        steps += 1
        loss = evaluate(params)
        if loss < best_loss:
            best_loss, best_step, since = loss, steps, 0
        else:
            since += 1
    return params.clone(), best_step, steps
''',
    },
    "plateau-schedule": {
        "<= instead of < (a tie counts as an improvement)": PS_HEAD + '''
        better = (loss <= best * (1 - threshold) if threshold_mode == "rel"
                  else loss <= best - threshold)
        if better:
            best, bad = loss, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out
''',
        "ignores cooldown": PS_HEAD + PS_RULE + '''
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            bad = 0
        out.append(lr)
    return out
''',
        "ignores min_lr": PS_HEAD + PS_RULE + '''
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            lr = lr * factor
            cool, bad = cooldown, 0
        out.append(lr)
    return out
''',
        "always a relative threshold": PS_HEAD + '''
        if loss < best * (1 - threshold):
            best, bad = loss, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out
''',
        "cuts when bad == patience (>= instead of >)": PS_HEAD + PS_RULE + '''
        if cool > 0:
            cool -= 1
            bad = 0
        if bad >= patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            cool, bad = cooldown, 0
        out.append(lr)
    return out
''',
        "does not reset the count after a cut": PS_HEAD + PS_RULE + '''
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            cool = cooldown
        out.append(lr)
    return out
''',
    },
    "max-stable-lr": {
        "forgets the bias": '''
def max_stable_lr(x):
    hessian = 2 * x.T @ x / x.shape[0]
    return 2 / torch.linalg.eigvalsh(hessian)[-1].item()
''',
        "Hessian without the factor 2 of the square": '''
def max_stable_lr(x):
    x1 = torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], 1)
    return 2 / torch.linalg.eigvalsh(x1.T @ x1 / x.shape[0])[-1].item()
''',
        "1 / lambda_max instead of 2 / lambda_max": '''
def max_stable_lr(x):
    x1 = torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], 1)
    return 1 / torch.linalg.eigvalsh(2 * x1.T @ x1 / x.shape[0])[-1].item()
''',
        "the trace instead of the largest eigenvalue": '''
def max_stable_lr(x):
    x1 = torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], 1)
    return 2 / torch.trace(2 * x1.T @ x1 / x.shape[0]).item()
''',
        "sum instead of mean (forgets 1/N)": '''
def max_stable_lr(x):
    x1 = torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], 1)
    return 2 / torch.linalg.eigvalsh(2 * x1.T @ x1)[-1].item()
''',
    },
    "fix-the-run": {
        "the colleague's run: learning rate 0.1 on raw features": FR_HEAD + '''
    w, b = torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    for _ in range(steps):
        r = x @ w + b - y
        w, b = w - 0.1 * 2 * x.T @ r / len(y), b - 0.1 * 2 * r.mean()
    return w, b
''',
        "a tiny learning rate on raw features": FR_HEAD + '''
    w, b = torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    for _ in range(steps):
        r = x @ w + b - y
        w, b = w - 1e-5 * 2 * x.T @ r / len(y), b - 1e-5 * 2 * r.mean()
    return w, b
''',
        "standardises but returns w, b in standardised units": FR_HEAD + '''
    mean, sd = x.mean(0), x.std(0)
    z = (x - mean) / sd
    w, b = torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    for _ in range(steps):
        r = z @ w + b - y
        w, b = w - 0.5 * 2 * z.T @ r / len(y), b - 0.5 * 2 * r.mean()
    return w, b
''',
        "clips the gradient but keeps learning rate 0.1": FR_HEAD + '''
    w, b = torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    for _ in range(steps):
        r = x @ w + b - y
        gw, gb = 2 * x.T @ r / len(y), 2 * r.mean()
        norm = torch.sqrt((gw ** 2).sum() + gb ** 2)
        scale = torch.clamp(1.0 / norm, max=1.0)
        w, b = w - 0.1 * scale * gw, b - 0.1 * scale * gb
    return w, b
''',
        "learning rate from the curvature, without standardising": FR_HEAD + '''
    x1 = torch.cat([x, torch.ones(x.shape[0], 1, dtype=x.dtype)], 1)
    lr = 1 / torch.linalg.eigvalsh(2 * x1.T @ x1 / len(y))[-1]
    w, b = torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros((), dtype=x.dtype)
    for _ in range(steps):
        r = x @ w + b - y
        w, b = w - lr * 2 * x.T @ r / len(y), b - lr * 2 * r.mean()
    return w, b
''',
    },
    "filter-normalise": {
        "columns as filters (the chapter's (in, out) layout)": FN_HEAD + '''
        if d.dim() == 1:
            out.append(torch.zeros_like(d))
        else:
            out.append(d * p.norm(dim=0, keepdim=True) / d.norm(dim=0, keepdim=True))
    return out
''',
        "the whole layer normalised at once": FN_HEAD + '''
        if d.dim() == 1:
            out.append(torch.zeros_like(d))
        else:
            out.append(d * p.norm() / d.norm())
    return out
''',
        "unit-norm filters (not the weights' norms)": FN_HEAD + '''
        if d.dim() == 1:
            out.append(torch.zeros_like(d))
        else:
            out.append(d / d.norm(dim=1, keepdim=True))
    return out
''',
        "bias directions kept": FN_HEAD + '''
        if d.dim() == 1:
            out.append(d.clone())
        else:
            out.append(d * p.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True))
    return out
''',
        "normalises the input in place": FN_HEAD + '''
        if d.dim() == 1:
            out.append(d.zero_())
        else:
            out.append(d.mul_(p.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True)))
    return out
''',
    },
}
