"""Plausible wrong answers to the exercises of "Angular margins and open-set verification"."""

_CM_HEAD = '''
def combined_margin_logits(features, weights, target, s=64.0, m1=1.0, m2=0.5, m3=0.0, easy_margin=False):
    cos = (F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    cos_t = cos.gather(1, target[:, None])
'''

WRONG = {
    "combined-margin": {
        "m1 also multiplies m2": _CM_HEAD + '''
    margin = torch.cos(m1 * (torch.acos(cos_t) + m2)) - m3
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    return s * cos.scatter(1, target[:, None], margin)
''',
        "margin on every class": '''
def combined_margin_logits(features, weights, target, s=64.0, m1=1.0, m2=0.5, m3=0.0, easy_margin=False):
    cos = (F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T).clamp(-1 + 1e-7, 1 - 1e-7)
    margin = torch.cos(m1 * torch.acos(cos) + m2) - m3
    if easy_margin:
        margin = torch.where(cos > 0, margin, cos)
    return s * margin
''',
        "easy_margin ignored": _CM_HEAD + '''
    margin = torch.cos(m1 * torch.acos(cos_t) + m2) - m3
    return s * cos.scatter(1, target[:, None], margin)
''',
        "easy_margin as ArcFace's fallback threshold": _CM_HEAD + '''
    margin = torch.cos(m1 * torch.acos(cos_t) + m2) - m3
    if easy_margin:
        margin = torch.where(cos_t > math.cos(math.pi - m2), margin, cos_t)
    return s * cos.scatter(1, target[:, None], margin)
''',
        "m3 not scaled by s": _CM_HEAD + '''
    margin = torch.cos(m1 * torch.acos(cos_t) + m2)
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    out = s * cos.scatter(1, target[:, None], margin)
    return out.scatter(1, target[:, None], out.gather(1, target[:, None]) - m3 * (cos_t > 0 if easy_margin else True))
''',
        "returns a detached tensor": _CM_HEAD + '''
    margin = torch.cos(m1 * torch.acos(cos_t) + m2) - m3
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    return (s * cos.scatter(1, target[:, None], margin)).detach()
''',
        "no clamp before acos": '''
def combined_margin_logits(features, weights, target, s=64.0, m1=1.0, m2=0.5, m3=0.0, easy_margin=False):
    cos = F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T
    cos_t = cos.gather(1, target[:, None])
    margin = torch.cos(m1 * torch.acos(cos_t) + m2) - m3
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    return s * cos.scatter(1, target[:, None], margin)
''',
        "clamp 1e-3 on the target column only": '''
def combined_margin_logits(features, weights, target, s=64.0, m1=1.0, m2=0.5, m3=0.0, easy_margin=False):
    cos = F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T
    cos_t = cos.gather(1, target[:, None]).clamp(-1 + 1e-3, 1 - 1e-3)
    margin = torch.cos(m1 * torch.acos(cos_t) + m2) - m3
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    return s * cos.scatter(1, target[:, None], margin)
''',
        "sqrt form without a clamp when m1 = 1": '''
def combined_margin_logits(features, weights, target, s=64.0, m1=1.0, m2=0.5, m3=0.0, easy_margin=False):
    cos = F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T
    cos_t = cos.gather(1, target[:, None])
    if m1 == 1.0:
        sin_t = torch.sqrt((1 - cos_t**2).clamp(min=0))
        margin = cos_t * math.cos(m2) - sin_t * math.sin(m2) - m3
    else:
        margin = torch.cos(m1 * torch.acos(cos_t.clamp(-1 + 1e-7, 1 - 1e-7)) + m2) - m3
    if easy_margin:
        margin = torch.where(cos_t > 0, margin, cos_t)
    return s * cos.scatter(1, target[:, None], margin)
''',
    },
    "running-centers": {
        "Wen's damping 1 + n_j": '''
def running_centers(features, labels, centers, counts):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    n_batch = one_hot.sum(dim=0)
    delta = (one_hot.T @ features - n_batch[:, None] * centers) / (1 + n_batch[:, None])
    return centers + delta, counts + n_batch
''',
        "mean of the batch only": '''
def running_centers(features, labels, centers, counts):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    n_batch = one_hot.sum(dim=0)
    batch_mean = one_hot.T @ features / n_batch.clamp(min=1)[:, None]
    return torch.where(n_batch[:, None] > 0, batch_mean, centers), counts + n_batch
''',
        "counts never updated": '''
def running_centers(features, labels, centers, counts):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    n_batch = one_hot.sum(dim=0)
    delta = (one_hot.T @ features - n_batch[:, None] * centers) / (counts + n_batch).clamp(min=1)[:, None]
    return centers + delta, counts
''',
        "updated in place": '''
def running_centers(features, labels, centers, counts):
    one_hot = F.one_hot(labels, centers.shape[0]).to(features.dtype)
    n_batch = one_hot.sum(dim=0)
    counts += n_batch
    centers += (one_hot.T @ features - n_batch[:, None] * centers) / counts.clamp(min=1)[:, None]
    return centers, counts
''',
    },
    "equal-error-rate": {
        "threshold only at impostor scores": '''
def equal_error_rate(genuine, impostor):
    t = torch.cat([impostor, torch.tensor([math.inf], dtype=impostor.dtype)]).unique()
    far = (impostor[None, :] >= t[:, None]).double().mean(1)
    frr = (genuine[None, :] < t[:, None]).double().mean(1)
    return torch.maximum(far, frr).min().item()
''',
        "FAR counts impostors > t (ties rejected)": '''
def equal_error_rate(genuine, impostor):
    t = torch.cat([genuine, impostor, torch.tensor([math.inf], dtype=genuine.dtype)]).unique()
    far = (impostor[None, :] > t[:, None]).double().mean(1)
    frr = (genuine[None, :] < t[:, None]).double().mean(1)
    return torch.maximum(far, frr).min().item()
''',
        "mean of FAR and FRR where they are closest": '''
def equal_error_rate(genuine, impostor):
    t = torch.cat([genuine, impostor, torch.tensor([math.inf], dtype=genuine.dtype)]).unique()
    far = (impostor[None, :] >= t[:, None]).double().mean(1)
    frr = (genuine[None, :] < t[:, None]).double().mean(1)
    k = (far - frr).abs().argmin()
    return ((far[k] + frr[k]) / 2).item()
''',
        "returns the threshold": '''
def equal_error_rate(genuine, impostor):
    t = torch.cat([genuine, impostor, torch.tensor([math.inf], dtype=genuine.dtype)]).unique()
    far = (impostor[None, :] >= t[:, None]).double().mean(1)
    frr = (genuine[None, :] < t[:, None]).double().mean(1)
    return t[torch.maximum(far, frr).argmin()].item()
''',
    },
    "claimed-fraction": {
        "the four-class ArcFace answer for every C": '''
def claimed_fraction(loss, C, m=0.0):
    gap = 2 * math.pi / C
    if loss == "softmax":
        return 1.0
    if loss == "sphereface":
        return 2 / (m + 1)
    if loss == "arcface":
        return max(0.0, 1 - m / (math.pi / 2))
    ratio = m / (2 * math.sin(gap / 2))
    return max(0.0, 1 - C * math.asin(ratio) / math.pi) if ratio < 1 else 0.0
''',
        "CosFace to first order, margin m / sin": '''
def claimed_fraction(loss, C, m=0.0):
    gap = 2 * math.pi / C
    if loss == "softmax":
        return 1.0
    if loss == "sphereface":
        return 2 / (m + 1)
    if loss == "arcface":
        return max(0.0, 1 - C * m / (2 * math.pi))
    return max(0.0, 1 - C * m / (2 * math.pi * math.sin(gap / 2)))
''',
        "SphereFace theta < gap / (2m)": '''
def claimed_fraction(loss, C, m=0.0):
    gap = 2 * math.pi / C
    if loss == "softmax":
        return 1.0
    if loss == "sphereface":
        return 1 / m
    if loss == "arcface":
        return max(0.0, 1 - C * m / (2 * math.pi))
    ratio = m / (2 * math.sin(gap / 2))
    return max(0.0, 1 - C * math.asin(ratio) / math.pi) if ratio < 1 else 0.0
''',
        "no clamp at zero": '''
def claimed_fraction(loss, C, m=0.0):
    gap = 2 * math.pi / C
    if loss == "softmax":
        return 1.0
    if loss == "sphereface":
        return 2 / (m + 1)
    if loss == "arcface":
        return 1 - C * m / (2 * math.pi)
    return 1 - C * math.asin(min(1.0, m / (2 * math.sin(gap / 2)))) / math.pi
''',
        "CosFace without the 2 sin(pi/C)": '''
def claimed_fraction(loss, C, m=0.0):
    if loss == "softmax":
        return 1.0
    if loss == "sphereface":
        return 2 / (m + 1)
    if loss == "arcface":
        return max(0.0, 1 - C * m / (2 * math.pi))
    return max(0.0, 1 - C * math.asin(min(1.0, m)) / math.pi)
''',
    },
}
