"""Plausible wrong answers to the exercises of "What a loss function is"."""

WRONG = {
    "structural-risk": {
        "L2 penalty as a norm, not its square": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.abs().sum() + lam2 * w.norm()
''',
        "L1 penalty without the absolute value": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.sum() + lam2 * (w**2).sum()
''',
        "mean instead of sum over the weights": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return data_loss + lam1 * w.abs().mean() + lam2 * (w**2).mean()
''',
        "penalties only, data loss forgotten": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return lam1 * w.abs().sum() + lam2 * (w**2).sum()
''',
        "a Python float (autograd cannot follow)": '''
def structural_risk(data_loss, w, lam1=0.0, lam2=0.0):
    return torch.tensor((data_loss + lam1 * w.abs().sum() + lam2 * (w**2).sum()).item(), dtype=w.dtype)
''',
    },
    "mse-gradient": {
        "missing the factor 2": '''
def mse_grad_w(X, y, w):
    return 1.0 / X.shape[0] * X.T @ (X @ w - y)
''',
        "missing the 1/N": '''
def mse_grad_w(X, y, w):
    return 2.0 * X.T @ (X @ w - y)
''',
        "sign error": '''
def mse_grad_w(X, y, w):
    return 2.0 / X.shape[0] * X.T @ (y - X @ w)
''',
        "divided by the number of features": '''
def mse_grad_w(X, y, w):
    return 2.0 / X.shape[1] * X.T @ (X @ w - y)
''',
    },
    "gradient-descent": {
        "gradients never zeroed (they accumulate)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
    return w.detach(), losses
''',
        "gradient ascent (sign error)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w += lr * w.grad
        w.grad.zero_()
    return w.detach(), losses
''',
        "loss recorded after the update": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            losses.append(((X @ w - y) ** 2).mean().item())
        w.grad.zero_()
    return w.detach(), losses
''',
        "random starting point": '''
def gradient_descent(X, y, lr, steps):
    w = torch.randn(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w.detach(), losses
''',
        "losses recorded as tensors, weights not detached": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.detach())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w, losses
''',
        "autograd's .grad read without backward (crashes)": '''
def gradient_descent(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        losses.append(loss.item())
        with torch.no_grad():
            w -= lr * w.grad
    return w.detach(), losses
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
    },
}
