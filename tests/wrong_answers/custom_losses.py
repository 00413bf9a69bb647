"""Plausible wrong answers to the exercises of "Composite and custom losses"."""

NMS = '''
def diou_nms(boxes, scores, threshold=0.5):
    order = scores.argsort(descending={descending})
    keep = []
    while order.numel() > 0:
        top, rest = order[0], order[1:]
        keep.append(int(top))
        m, b = boxes[{anchor}].expand(len(rest), 4), boxes[rest]
        lo = torch.maximum(m[:, :2], b[:, :2])
        hi = torch.minimum(m[:, 2:], b[:, 2:])
        inter = (hi - lo).clamp(min=0).prod(-1)
        area = (b[:, 2:] - b[:, :2]).prod(-1) + (m[:, 2:] - m[:, :2]).prod(-1)
        iou = inter / (area - inter)
        centre = (m[:, :2] + m[:, 2:] - b[:, :2] - b[:, 2:]) / 2
        span = (torch.maximum(m[:, 2:], b[:, 2:])
                - torch.minimum(m[:, :2], b[:, :2]))
        diou = {diou}
        order = rest[diou < threshold]
    return keep
'''
RIGHT_NMS = dict(descending="True", anchor="top",
                 diou="iou - (centre**2).sum(-1) / (span**2).sum(-1)")


def nms(**changes):
    return NMS.format(**{**RIGHT_NMS, **changes})


BCE = '''
class BinaryCE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target):
        ctx.save_for_backward(logits, target)
        return {forward}

    @staticmethod
    def backward(ctx, grad_out):
        logits, target = ctx.saved_tensors
        return {backward}


def bce_logits(logits, target):
    return BinaryCE.apply(logits, target)
'''
STABLE = ("logits.clamp(min=0) - logits * target + "
          "torch.log1p(torch.exp(-logits.abs()))")
RIGHT_BACK = "(torch.sigmoid(logits) - target) * grad_out, -logits * grad_out"

COUNT = '''
def count_alignments(T, target):
{body}
'''
DP = '''    ext = [0]
    for c in target:
        ext += [c, 0]
    a = [1] + [1 if len(ext) > 1 else 0] + [0] * (len(ext) - 2)
    a = a[:len(ext)]
    for _ in range(1, T):
        a = [a[s] + (a[s - 1] if s >= 1 else 0)
             + (a[s - 2] if {skip} else 0) for s in range(len(ext))]
    return a[-1] + (a[-2] if len(ext) > 1 else 0)'''
RIGHT_SKIP = "s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]"

DIOU = '''
def diou_miss_grad(pred, target):
    d = (pred[..., :2] + pred[..., 2:] - target[..., :2] - target[..., 2:]) / 2
    lo = torch.minimum(pred[..., :2], target[..., :2])
    hi = torch.maximum(pred[..., 2:], target[..., 2:])
    span = hi - lo
    rho2 = (d**2).sum(-1, keepdim=True)
    c2 = (span**2).sum(-1, keepdim=True)
    d_rho2 = {d_rho2}
    low_out = (pred[..., :2] < target[..., :2]).to(pred.dtype)
    high_out = (pred[..., 2:] > target[..., 2:]).to(pred.dtype)
    d_c2 = {d_c2}
    return {result}
'''
RIGHT_DIOU = dict(d_rho2="torch.cat([d, d], -1)",
                  d_c2="torch.cat([-2 * span * low_out, 2 * span * high_out],"
                       " -1)",
                  result="(d_rho2 * c2 - rho2 * d_c2) / c2**2")


def diou(**changes):
    return DIOU.format(**{**RIGHT_DIOU, **changes})


RCNN = '''
def fast_rcnn_loss(logits, labels, deltas, target_deltas, lam=1.0):
    n = len(labels)
    picked = {picked}
    fg = (labels >= 1).to(deltas.dtype)
    loc = F.smooth_l1_loss(picked, target_deltas, reduction="none").sum(-1)
    return F.cross_entropy(logits, labels) + lam * {box}
'''
RIGHT_RCNN = dict(picked="deltas[torch.arange(n), labels]",
                  box="(fg * loc).sum() / n")


def rcnn(**changes):
    return RCNN.format(**{**RIGHT_RCNN, **changes})


CTC = '''
def ctc_loss_batch(log_probs, targets, input_lengths, target_lengths,
                   reduction="mean"):
    losses = []
    for n in range(log_probs.shape[1]):
        lp_n = log_probs[{frames}, n]
        label = targets[n, {symbols}].tolist()
        ext = [0]
        for c in label:
            ext += [c, 0]
        skip = torch.tensor([{skip} for s in range(len(ext))])
        lp = lp_n[:, ext]
        never = torch.full((len(ext),), -1e30, dtype=log_probs.dtype)
        alpha = torch.where(torch.arange(len(ext)) < 2, lp[0], never)
        for t in range(1, len(lp)):
            one = torch.cat([never[:1], alpha[:-1]])
            two = torch.where(skip, torch.cat([never[:2], alpha[:-2]]), never)
            alpha = torch.logsumexp(torch.stack([alpha, one, two]), 0) + lp[t]
        losses.append({loss})
    losses = torch.stack(losses)
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return {mean}
    return losses
'''
RIGHT_CTC = dict(frames=": int(input_lengths[n])",
                 symbols=": int(target_lengths[n])",
                 skip="s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]",
                 loss="-torch.logsumexp(alpha[-2:], 0)",
                 mean="(losses / target_lengths.clamp(min=1)"
                      ".to(losses.dtype)).mean()")


def ctc(**changes):
    return CTC.format(**{**RIGHT_CTC, **changes})


CIOU = '''
def aspect_term(pred, target):
    w, h = pred[..., 2] - pred[..., 0], pred[..., 3] - pred[..., 1]
    w_t, h_t = target[..., 2] - target[..., 0], target[..., 3] - target[..., 1]
    v = 4 / math.pi**2 * (torch.atan(w_t / h_t) - torch.atan(w / h)) ** 2
{body}
'''
OFFICIAL = '''    with torch.no_grad():
        arctan = torch.atan(w_t / h_t) - torch.atan(w / h)
        w_temp = 2 * w
    ar = 8 / math.pi**2 * arctan * ((w - w_temp) * h)'''


WRONG = {
    "diou-nms": {
        "plain IoU-NMS (no distance penalty)": nms(diou="iou"),
        "the penalty added instead of subtracted":
            nms(diou="iou + (centre**2).sum(-1) / (span**2).sum(-1)"),
        "scores sorted in increasing order": nms(descending="False"),
        "the distance not squared (rho / c)":
            nms(diou="iou - (centre**2).sum(-1).sqrt() / "
                     "(span**2).sum(-1).sqrt()"),
        "c^2 as the enclosing box's area W * H":
            nms(diou="iou - (centre**2).sum(-1) / span.prod(-1)"),
        "one pass: every box compared with the best box only": '''
def diou_nms(boxes, scores, threshold=0.5):
    order = scores.argsort(descending=True)
    top, rest = order[0], order[1:]
    m, b = boxes[top].expand(len(rest), 4), boxes[rest]
    lo = torch.maximum(m[:, :2], b[:, :2])
    hi = torch.minimum(m[:, 2:], b[:, 2:])
    inter = (hi - lo).clamp(min=0).prod(-1)
    area = (b[:, 2:] - b[:, :2]).prod(-1) + (m[:, 2:] - m[:, :2]).prod(-1)
    iou = inter / (area - inter)
    centre = (m[:, :2] + m[:, 2:] - b[:, :2] - b[:, 2:]) / 2
    span = (torch.maximum(m[:, 2:], b[:, 2:])
            - torch.minimum(m[:, :2], b[:, :2]))
    diou = iou - (centre**2).sum(-1) / (span**2).sum(-1)
    return [int(top)] + rest[diou < threshold].tolist()
''',
    },
    "bce-function": {
        "naive forward: log of the sigmoid (inf/nan at huge logits)":
            BCE.format(forward="-(target * torch.log(torch.sigmoid(logits)) "
                               "+ (1 - target) * torch.log(1 - "
                               "torch.sigmoid(logits)))",
                       backward=RIGHT_BACK),
        "sign error in the backward (y - sigmoid)":
            BCE.format(forward=STABLE,
                       backward="(target - torch.sigmoid(logits)) * grad_out,"
                                " -logits * grad_out"),
        "backward ignores grad_out":
            BCE.format(forward=STABLE,
                       backward="torch.sigmoid(logits) - target, -logits"),
        "target gradient as log(1 - sigmoid) - log(sigmoid) (inf at 1000)":
            BCE.format(forward=STABLE,
                       backward="(torch.sigmoid(logits) - target) * grad_out,"
                                " (torch.log1p(-torch.sigmoid(logits)) - "
                                "torch.log(torch.sigmoid(logits))) * grad_out"),
        "no gradient for the target (returns None)":
            BCE.format(forward=STABLE,
                       backward="(torch.sigmoid(logits) - target) * grad_out,"
                                " None"),
        "plain autograd instead of a Function":
            '''
def bce_logits(logits, target):
    return (logits.clamp(min=0) - logits * target
            + torch.log1p(torch.exp(-logits.abs())))
''',
    },
    "ctc-count": {
        "the chapter's recursion in floating point (inexact)": COUNT.format(
            body='''    ext = [0]
    for c in target:
        ext += [c, 0]
    lp = torch.zeros(T, max(ext) + 1, dtype=torch.float64)
    skip = [s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]
            for s in range(len(ext))]
    alpha = [0.0, 0.0] + [float("-inf")] * (len(ext) - 2)
    alpha = torch.tensor(alpha[:len(ext)], dtype=torch.float64)
    for t in range(1, T):
        new = []
        for s in range(len(ext)):
            terms = [alpha[s]] + ([alpha[s - 1]] if s >= 1 else [])
            terms += [alpha[s - 2]] if skip[s] else []
            new.append(torch.logsumexp(torch.stack(terms), 0))
        alpha = torch.stack(new)
    if T == 0:
        return 0
    return round(math.exp(torch.logsumexp(alpha[-2:] if len(ext) > 1
                                          else alpha, 0).item()))'''),
        "skip allowed between repeated symbols":
            COUNT.format(body=DP.format(skip="s >= 2 and ext[s] != 0")),
        "no skip transition at all":
            COUNT.format(body=DP.format(skip="False")),
        "the exact recursion over the frames (right, but too slow)":
            COUNT.format(body=DP.format(skip=RIGHT_SKIP)),
        "repeats added instead of subtracted: C(T + U + r, 2U)": COUNT.format(
            body="    r = sum(a == b for a, b in zip(target, target[1:]))\n"
                 "    return math.comb(T + len(target) + r, 2 * len(target))"),
        "every repeated symbol counted, adjacent or not": COUNT.format(
            body="    r = len(target) - len(set(target))\n"
                 "    return math.comb(T + len(target) - r, 2 * len(target))"),
        "the closed form C(T + U, 2U) for every label": COUNT.format(
            body="    return math.comb(T + len(target), 2 * len(target))"),
        "paths may only start with a blank": COUNT.format(
            body=DP.format(skip=RIGHT_SKIP).replace(
                "a = [1] + [1 if len(ext) > 1 else 0]", "a = [1] + [0]")),
    },
    "diou-grad": {
        "c^2 treated as a constant":
            diou(d_c2="torch.zeros_like(torch.cat([span, span], -1))"),
        "the centre's 1/2 forgotten (d rho^2 = 2 d)":
            diou(d_rho2="torch.cat([2 * d, 2 * d], -1)"),
        "the enclosing box's derivative with the wrong sign":
            diou(d_c2="torch.cat([2 * span * low_out, -2 * span * high_out],"
                      " -1)"),
        "the indicators swapped (inside instead of outside)":
            diou(d_c2="torch.cat([-2 * span * (1 - low_out), 2 * span * "
                      "(1 - high_out)], -1)"),
        "the quotient rule without the square in the denominator":
            diou(result="(d_rho2 * c2 - rho2 * d_c2) / c2"),
    },
    "fast-rcnn": {
        "F.smooth_l1_loss's mean over foreground coordinates":
            rcnn(box="F.smooth_l1_loss(picked[fg > 0], target_deltas[fg > 0],"
                     " reduction='sum') / (4 * fg.sum()).clamp(min=1)"),
        "the background class's box (deltas[:, 0]) for every region":
            rcnn(picked="deltas[:, 0]"),
        "background regions regressed too":
            rcnn(box="loc.sum() / n"),
        "Detectron's beta = 1/9 instead of the paper's 1":
            rcnn(box="(fg * F.smooth_l1_loss(picked, target_deltas, "
                     "reduction='none', beta=1 / 9).sum(-1)).sum() / n"),
        "divided by the number of foreground regions":
            rcnn(box="(fg * loc).sum() / fg.sum().clamp(min=1)"),
        "the box term detached":
            rcnn(box="(fg * loc).sum().detach() / n"),
    },
    "ctc-batch": {
        "'mean' as a plain mean over the batch":
            ctc(mean="losses.mean()"),
        "'mean' as the sum of losses over the sum of target lengths":
            ctc(mean="losses.sum() / target_lengths.sum()"),
        "input_lengths ignored (every frame used)": ctc(frames=":"),
        "target_lengths ignored (padding read as blanks)": ctc(symbols=":"),
        "skip allowed between repeated symbols":
            ctc(skip="s >= 2 and ext[s] != 0"),
        "detached losses": ctc(loss="-torch.logsumexp(alpha[-2:], 0).detach()"),
    },
    "ciou-fix": {
        "the official surrogate as it is (wrong sign, wrong value)":
            CIOU.format(body=OFFICIAL + "\n    return ar"),
        "the official surrogate negated (right gradient, value not v)":
            CIOU.format(body=OFFICIAL + "\n    return -ar"),
        "plain v (the exact gradient, without the factor w^2 + h^2)":
            CIOU.format(body="    return v"),
        "(w^2 + h^2) * v, nothing detached (value not v)":
            CIOU.format(body="    return (w**2 + h**2) * v"),
        "the whole term detached":
            CIOU.format(body="    return v.detach()"),
    },
}
