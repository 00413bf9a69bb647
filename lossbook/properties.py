"""Properties of a loss, computed from its code rather than typed by hand.

Each function takes a loss as a Python function built from ``torch``
operations and measures one property on a grid, by autograd or by a limit.
The chapter "Choosing a loss" builds its property table from these functions,
and ``tests/test_properties.py`` checks each against losses whose properties
are known in closed form, including losses that lack the property.

Conventions (all computations in ``float64``):

* a *scalar loss* ``f(t)`` maps a tensor of predictions ``t`` elementwise to
  losses; ``t`` is the residual for a regression loss and the margin
  ``m = y f(x)`` (label ``y = ±1``) for a binary margin loss;
* a *margin loss* ``phi(m)`` is a scalar loss of the margin; its conditional
  risk at ``P(y = 1) = p`` is ``p phi(f) + (1 - p) phi(-f)``;
* a *multiclass loss* ``loss(scores, k)`` maps scores of shape ``(..., C)``
  and one class index ``k`` to losses of shape ``(...)``.
"""

import torch

DTYPE = torch.float64


def _grid(lo, hi, n):
    """``n`` points from lo to hi; a symmetric grid holds 0 exactly."""
    if lo == -hi and n % 2 == 1:
        half = torch.arange(1, (n - 1) // 2 + 1, dtype=DTYPE) * (
            hi / ((n - 1) // 2))
        return torch.cat([-half.flip(0), torch.zeros(1, dtype=DTYPE), half])
    return torch.linspace(lo, hi, n, dtype=DTYPE)


def second_differences(f, lo=-5.0, hi=5.0, n=2001):
    """``(f(t - h) - 2 f(t) + f(t + h)) / h**2`` on ``n`` points of [lo, hi]."""
    t = _grid(lo, hi, n)
    h = (hi - lo) / (n - 1)
    return (f(t - h) - 2 * f(t) + f(t + h)) / h**2


def is_convex(f, lo=-5.0, hi=5.0, n=2001, tol=1e-6):
    """A scalar loss is convex on [lo, hi] when no second difference is < 0.

    A kink gives a large positive second difference, never a negative one,
    so the test needs no derivative. ``tol`` absorbs rounding. The verdict
    holds on [lo, hi] only: ``log(1 + (r / 10)**2)`` is convex on [-5, 5]
    and not beyond |r| = 10, so pass a range that covers the loss's scale.
    """
    d2 = second_differences(f, lo, hi, n)
    return bool(torch.isfinite(d2).all() and d2.min() >= -tol)


def midpoint_gaps(f, a, b):
    """``f(a) + f(b) - 2 f((a + b) / 2)`` for batches of points ``a``, ``b``.

    A second difference along each segment [a, b]: it is >= 0 for every
    segment exactly when ``f`` is (midpoint) convex. ``f`` maps ``(..., d)``
    to ``(...)``.
    """
    return f(a) + f(b) - 2 * f((a + b) / 2)


def is_convex_nd(f, a, b, tol=1e-9):
    """Convexity of a function of a vector, tested on the segments [a, b]."""
    gaps = midpoint_gaps(f, a, b)
    scale = 1 + f(a).abs() + f(b).abs()
    return bool((gaps >= -tol * scale).all())


def gradient(f, t):
    """Autograd derivative of a scalar loss at the points ``t``."""
    t = torch.as_tensor(t, dtype=DTYPE).detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(t).sum(), t)
    return g


SCALES = (1e2, 1e4, 1e6)


def limit(values, rtol=1e-3):
    """The limit of a sequence evaluated at growing scales, or ``inf``.

    ``values`` holds the sequence at the scales ``SCALES`` (last = largest).
    It has a finite limit when it is finite and its last two terms agree
    within ``rtol`` (relative) or ``rtol`` (absolute, near zero). It is
    ``inf`` when its magnitude keeps growing, including into an overflow
    (``inf``, or ``nan`` after growing or huge finite terms, as when
    ``inf - inf`` appears in a gradient); otherwise ``nan``.
    """
    v = [abs(float(x)) for x in values]
    finite = [x for x in v if x < float("inf")]  # nan fails this test too
    if len(finite) == len(v):
        if abs(v[-1] - v[-2]) <= rtol * max(1.0, v[-1]):
            return float(values[-1])
        return float("inf") if v[-1] > v[-2] else float("nan")
    growing = len(finite) >= 2 and finite[-1] > 10 * finite[-2]
    if finite and (growing or finite[-1] > 1e6
                   or v[len(finite)] == float("inf")):
        return float("inf")
    return float("nan")


def value_limit(f, direction=1.0):
    """``lim f(t)`` as ``t -> direction * infinity`` (``inf`` if unbounded)."""
    t = direction * torch.tensor(SCALES, dtype=DTYPE)
    return limit(f(t))


def gradient_limit(f, direction=1.0):
    """``lim |f'(t)|`` as ``t -> direction * infinity`` (``inf`` if unbounded).

    This is the influence of one example whose error grows without bound:
    finite means bounded influence (robust to that example), 0 means the
    loss *saturates* (redescending, and no gradient for a hopeless example).
    """
    t = direction * torch.tensor(SCALES, dtype=DTYPE)
    return limit(gradient(f, t).abs())


def is_bounded(f, directions=(1.0, -1.0)):
    """True when ``f`` stays finite as the prediction error grows both ways."""
    return all(value_limit(f, d) < float("inf") for d in directions)


def jumps(f, lo=-5.0, hi=5.0, n=20001):
    """Largest change of ``f`` and of its autograd derivative between
    neighbouring points of an n-point grid on [lo, hi]."""
    t = _grid(lo, hi, n)
    v, g = f(t), gradient(f, t)
    return ((v[1:] - v[:-1]).abs().max().item(),
            (g[1:] - g[:-1]).abs().max().item())


def is_smooth(f, lo=-5.0, hi=5.0, n=20001, shrink=0.2):
    """Are ``f`` and its derivative continuous (``f`` is C^1) on [lo, hi]?

    For a continuous function with a continuous, piecewise-smooth
    derivative, the largest jump between neighbours shrinks in proportion to
    the grid step; at a step or a kink it does not. The grid is refined
    tenfold, with points offset so that a kink between two points of one
    grid is also between two points of the other: C^1 when both jumps shrink
    below ``shrink`` times their coarse values (or vanish).

    The verdict is at the scale of the coarse step, (hi - lo) / 2000: a C^1
    loss whose derivative turns within a much shorter distance (Huber with
    delta = 1e-3) is reported as not smooth, which is what a fixed learning
    rate sees.
    """
    coarse = jumps(f, lo, hi, (n - 1) // 10 + 1)
    fine = jumps(f, lo + 1e-7, hi + 1e-7, n)
    return all(b <= shrink * a or b < 1e-9 for a, b in zip(coarse, fine))


def conditional_risk(phi, f, p):
    """``p phi(f) + (1 - p) phi(-f)``: the expected margin loss at ``P(y=1)=p``.

    ``f`` has shape ``(n_f,)`` and ``p`` shape ``(n_p,)``; the result is
    ``(n_p, n_f)``.
    """
    f = torch.as_tensor(f, dtype=DTYPE)
    p = torch.as_tensor(p, dtype=DTYPE).unsqueeze(-1)
    return p * phi(f) + (1 - p) * phi(-f)


def _refine(objective, best, step, rounds=4, points=41):
    """Zoom a 1-D grid search around ``best`` (one value per row)."""
    for _ in range(rounds):
        offsets = torch.linspace(-step, step, points, dtype=DTYPE)
        f = best.unsqueeze(-1) + offsets
        values = objective(f)
        best = f.gather(-1, values.argmin(-1, keepdim=True)).squeeze(-1)
        step = 2 * step / (points - 1)
    return best


def risk_minimiser(phi, p, lo=-12.0, hi=12.0, n=4801):
    """The score ``f*(p)`` that minimises the conditional risk, for each p.

    A grid search over [lo, hi] (the loss need not be convex) refined by
    zooming; a minimiser outside [lo, hi] is reported at the edge.
    """
    p = torch.as_tensor(p, dtype=DTYPE)
    f = _grid(lo, hi, n)
    risk = conditional_risk(phi, f, p)
    best = f[risk.argmin(-1)]
    step = (hi - lo) / (n - 1)

    def objective(candidates):
        c = candidates.clamp(lo, hi)
        return p.unsqueeze(-1) * phi(c) + (1 - p.unsqueeze(-1)) * phi(-c)

    return _refine(objective, best, step).clamp(lo, hi)


def calibration_gaps(phi, p, lo=-12.0, hi=12.0, n=4801):
    """``H^-(p) - H(p)`` of Bartlett, Jordan and McAuliffe (2006), per p.

    ``H(p)`` is the smallest conditional risk and ``H^-(p)`` the smallest over
    scores of the wrong sign, ``f (2p - 1) <= 0``. A margin loss is
    classification-calibrated when the gap is positive for every p != 1/2.
    Both infima are found on the grid and then refined by zooming (the wrong
    sign's search kept on its side of 0), so that gaps of order 1e-6 near
    p = 1/2 are resolved.
    """
    p = torch.as_tensor(p, dtype=DTYPE)
    f = _grid(lo, hi, n)
    risk = conditional_risk(phi, f, p)
    step = (hi - lo) / (n - 1)
    sign = torch.sign(2 * p - 1).unsqueeze(-1)
    wrong = f * sign <= 0
    pc = p.unsqueeze(-1)

    def risk_of(c):
        return pc * phi(c) + (1 - pc) * phi(-c)

    def wrong_side(c):  # clamp to f (2p - 1) <= 0 and to [lo, hi]
        c = c.clamp(lo, hi)
        return torch.where(sign > 0, c.clamp(max=0.0),
                           torch.where(sign < 0, c.clamp(min=0.0), c))

    best = f[risk.argmin(-1)]
    best = _refine(lambda c: risk_of(c.clamp(lo, hi)), best, step)
    h = torch.minimum(risk.min(-1).values, risk_of(
        best.clamp(lo, hi).unsqueeze(-1)).squeeze(-1))
    masked = risk.masked_fill(~wrong, float("inf"))
    best_w = f[masked.argmin(-1)]
    best_w = wrong_side(_refine(lambda c: risk_of(wrong_side(c)), best_w,
                                step).unsqueeze(-1)).squeeze(-1)
    h_minus = torch.minimum(masked.min(-1).values, risk_of(
        best_w.unsqueeze(-1)).squeeze(-1))
    return h_minus - h


P_GRID = torch.tensor([0.02, 0.1, 0.2, 0.3, 0.4, 0.45, 0.48, 0.49, 0.499,
                       0.501, 0.51, 0.52, 0.55, 0.6, 0.7, 0.8, 0.9, 0.98],
                      dtype=DTYPE)


def is_classification_calibrated(phi, p=P_GRID, rtol=1e-3):
    """Classification calibration, measured on a grid of ``p != 1/2``.

    The grid comes within 1e-3 of 1/2, where a smooth calibrated loss's gap
    is of order ``(2p - 1)**2``; the gap must exceed ``rtol`` times that.
    """
    p = torch.as_tensor(p, dtype=DTYPE)
    return bool((calibration_gaps(phi, p) > rtol * (2 * p - 1) ** 2).all())


def bartlett_convex_test(phi, h=1e-6, tol=1e-4):
    """Theorem 6 of Bartlett, Jordan and McAuliffe (2006) for a convex phi.

    A convex margin loss is classification-calibrated exactly when it is
    differentiable at 0 with ``phi'(0) < 0``: both one-sided difference
    quotients at 0 agree (within ``tol``) and are negative. Meaningful only
    when ``is_convex(phi)``.
    """
    zero = torch.zeros(1, dtype=DTYPE)
    right = ((phi(zero + h) - phi(zero)) / h).item()
    left = ((phi(zero) - phi(zero - h)) / h).item()
    return abs(right - left) < tol and right < 0


def recovers_probability(phi, p=P_GRID, tol=1e-3):
    """Is ``f*(p)`` strictly increasing in p (p can be read off the score)?

    Such a loss is *strictly proper composite* (Reid and Williamson, 2010):
    some invertible link turns its optimal score into the probability.
    """
    f = risk_minimiser(phi, p)
    return bool((f[1:] - f[:-1] > tol).all())


def is_strictly_proper_logistic(phi, p=P_GRID, tol=1e-3):
    """Does ``sigmoid(f*(p)) = p``: proper with the logistic link?"""
    q = torch.sigmoid(risk_minimiser(phi, p))
    return bool(((q - p).abs() < tol).all())


def minimiser_set(phi, p, lo=-12.0, hi=12.0, n=4801, atol=1e-12):
    """Smallest and largest grid score within ``atol`` of the least risk.

    Returns ``(low, high)``, each of shape ``(n_p,)``: equal for a unique
    minimiser, an interval for a flat one (the 0-1 loss: any f of the right
    sign), and ``hi`` or ``lo`` when the risk still falls at the grid's edge.
    """
    p = torch.as_tensor(p, dtype=DTYPE)
    f = _grid(lo, hi, n)
    risk = conditional_risk(phi, f, p)
    near = risk <= risk.min(-1, keepdim=True).values + atol
    inf = torch.tensor(float("inf"), dtype=DTYPE)
    low = torch.where(near, f, inf).min(-1).values
    high = torch.where(near, f, -inf).max(-1).values
    return low, high


def margin_estimate(phi, p=P_GRID, lo=-12.0, hi=12.0):
    """What the conditional-risk minimiser of a margin loss gives, measured.

    One of: ``"no minimiser (unbounded below)"`` (the unique best grid score
    is at an edge for some p), ``"p = σ(f*)"``, ``"p, via a link"`` (f* is
    unique and strictly increasing), ``"sign(2p − 1)"`` (every minimiser has
    the sign of 2p - 1, and f* takes one value per side),
    ``"nothing (f* = 0)"`` (the minimiser is 0 for every p), else ``"?"``.
    """
    p = torch.as_tensor(p, dtype=DTYPE)
    low, high = minimiser_set(phi, p, lo, hi)
    unique = (high - low).abs() < 1e-9
    at_edge = unique & ((low <= lo + 1e-9) | (high >= hi - 1e-9))
    if at_edge.any():
        return "no minimiser (unbounded below)"
    if unique.all():
        if is_strictly_proper_logistic(phi, p):
            return "p = σ(f*)"
        if recovers_probability(phi, p):
            return "p, via a link"
        f = risk_minimiser(phi, p, lo, hi)
        if f.abs().max() < 1e-6:
            return "nothing (f* = 0)"
    sign = torch.sign(2 * p - 1)
    if ((low * sign > 0) & (high * sign > 0)).all():
        return "sign(2p − 1)"
    return "?"


def is_strictly_proper(score, p=P_GRID, n=20001, tol=1e-3):
    """Is ``argmin_q  p S(q, 1) + (1 - p) S(q, 0)`` equal to p?

    ``score(q, y)`` is a scoring rule for a probability ``q`` in (0, 1) and an
    outcome ``y`` in {0, 1}; the search is a grid over (0, 1).
    """
    q = torch.linspace(0, 1, n, dtype=DTYPE)[1:-1]
    p = torch.as_tensor(p, dtype=DTYPE).unsqueeze(-1)
    expected = p * score(q, torch.ones_like(q)) + (1 - p) * score(
        q, torch.zeros_like(q))
    best = q[expected.argmin(-1)]
    return bool(((best - p.squeeze(-1)).abs() < tol).all())


def simplex_grid(step=0.1, least=0.05):
    """Points ``p`` of the 3-class simplex with a unique largest entry."""
    values = torch.arange(least, 1, step, dtype=DTYPE)
    rows = [(a, b, 1 - a - b) for a in values.tolist()
            for b in values.tolist() if 1 - a - b >= least - 1e-12]
    p = torch.tensor(rows, dtype=DTYPE)
    top = p.topk(2, dim=-1).values
    return p[top[:, 0] - top[:, 1] > 1e-9]


def _score_grid(lo, hi, n):
    s = _grid(lo, hi, n)
    a, b = torch.meshgrid(s, s, indexing="ij")
    return torch.stack([a.flatten(), b.flatten(), torch.zeros(n * n,
                                                             dtype=DTYPE)],
                       -1)


def multiclass_risks(loss, p, lo=-6.0, hi=6.0, n=161):
    """Conditional risks ``sum_k p_k loss(s, k)`` of 3-class scores ``s``.

    Scores ``s = (a, b, 0)`` on an n-by-n grid (adding a constant to every
    score changes no loss in the book that depends on scores only through
    differences). Returns the scores ``(n*n, 3)`` and risks ``(len(p), n*n)``.
    """
    s = _score_grid(lo, hi, n)
    per_class = torch.stack([loss(s, k) for k in range(3)], -1)  # (n*n, 3)
    return s, p @ per_class.T


def multiclass_calibration_gaps(loss, p, **grid):
    """Smallest risk with a wrong (or tied) argmax minus the smallest risk.

    On the score grid only: a coarse, derivative-free view of the
    definition, used when the minimiser is not unique (hinge-type losses).
    """
    s, risk = multiclass_risks(loss, p, **grid)
    top = p.argmax(-1)  # (n_p,)
    s_top = s[:, top].T  # (n_p, n*n)
    others = s.unsqueeze(0).expand(len(p), -1, -1).clone()
    others[torch.arange(len(p)), :, top] = -float("inf")
    wrong = s_top <= others.max(-1).values
    h_minus = risk.masked_fill(~wrong, float("inf")).min(-1).values
    return h_minus - risk.min(-1).values


def multiclass_minimiser(loss, p, lo=-6.0, hi=6.0, n=61, rounds=7):
    """Scores ``s* = (a, b, 0)`` minimising the conditional risk, per row of p.

    A grid search over [lo, hi]^2, then ``rounds`` zooms: an 11-by-11 grid
    around each row's best point, four times finer each round.
    """
    s, risk = multiclass_risks(loss, p, lo, hi, n)
    best = s[risk.argmin(-1)][:, :2]  # (n_p, 2)
    step = (hi - lo) / (n - 1)
    offsets = torch.linspace(-1, 1, 11, dtype=DTYPE)
    da, db = torch.meshgrid(offsets, offsets, indexing="ij")
    local = torch.stack([da.flatten(), db.flatten()], -1)  # (121, 2)
    for _ in range(rounds):
        cand = (best.unsqueeze(1) + step * local).clamp(lo, hi)
        full = torch.cat([cand, torch.zeros_like(cand[..., :1])], -1)
        per_class = torch.stack([loss(full, k) for k in range(3)], -1)
        values = (per_class * p.unsqueeze(1)).sum(-1)  # (n_p, 121)
        best = cand[torch.arange(len(p)), values.argmin(-1)]
        step = step / 4
    return torch.cat([best, torch.zeros_like(best[:, :1])], -1)


def is_multiclass_calibrated(loss, p=None, tol=1e-4, **grid):
    """Does the risk minimiser's argmax equal argmax p (the Bayes rule)?

    On a fine grid of the 3-class simplex (near-ties included): the class
    with the largest p must beat every other score of ``s*`` by ``tol``;
    a tie, as at the zero minimiser of a hinge loss, counts as a failure.
    """
    p = simplex_grid(0.05, 0.025) if p is None else p
    s = multiclass_minimiser(loss, p, **grid)
    top = p.argmax(-1)
    s_top = s[torch.arange(len(p)), top]
    others = s.clone()
    others[torch.arange(len(p)), top] = -float("inf")
    return bool((s_top - others.max(-1).values > tol).all())


def is_multiclass_proper_softmax(loss, p=None, tol=1e-3, **grid):
    """Does ``softmax(s*) = p``: the minimiser returns the probabilities?"""
    p = simplex_grid() if p is None else p
    q = torch.softmax(multiclass_minimiser(loss, p, **grid), -1)
    return bool(((q - p).abs() < tol).all())


MULTICLASS_WIDE = dict(lo=-16.0, hi=16.0, n=65)


def multiclass_at_edge(s, hi=MULTICLASS_WIDE["hi"]):
    """Rows of minimisers ``(a, b, 0)`` that reached the grid's edge."""
    return s.abs().max(-1).values >= hi - 1e-6


def multiclass_recovers_probability(loss, p=None, tol=1e-2, s=None):
    """Is ``p -> softmax(s*)`` injective on a grid of the simplex?

    The multiclass analogue of ``recovers_probability`` (strictly proper
    composite, Reid and Williamson 2010; Williamson, Vernet and Reid 2016):
    s* is searched on the wide grid [-16, 16]^2, every row must have a
    minimiser inside it, and distinct p must give centred minimisers
    (log-probabilities up to a constant) that differ by more than ``tol``.
    A hinge-type loss, whose s* takes a few values, fails. ``s``: the
    minimisers on that grid, if already computed.
    """
    p = simplex_grid() if p is None else p
    if s is None:
        s = multiclass_minimiser(loss, p, **MULTICLASS_WIDE)
    if multiclass_at_edge(s).any():
        return False
    centred = s - s.mean(-1, keepdim=True)
    gaps = (centred.unsqueeze(0) - centred.unsqueeze(1)).abs().amax(-1)
    gaps = gaps.masked_fill(torch.eye(len(p), dtype=torch.bool),
                            float("inf"))
    return bool(gaps.min() > tol)


def multiclass_estimate(loss, hypotheses=(), p=None, tol=1e-3):
    """What the conditional-risk minimiser of a multiclass loss gives.

    ``hypotheses`` is a sequence of ``(label, link)`` where ``link(s)`` maps
    minimisers to candidate probabilities; the first whose result equals p
    within ``tol`` on the grid names the estimate. Otherwise: ``"argmax p
    (s* at infinity)"`` when the minimiser runs to the grid's edge with the
    right argmax, ``"p, via a link"`` when p -> softmax(s*) is injective,
    ``"argmax p"`` when only the argmax is right, ``"argmax p only if
    max p > 1/2"`` when the argmax is strictly right exactly where one class
    has a majority (the multiclass hinges; Tewari and Bartlett, 2007), else
    ``"?"``.
    """
    p = simplex_grid() if p is None else p
    s = multiclass_minimiser(loss, p, **MULTICLASS_WIDE)
    right_argmax = bool((s.argmax(-1) == p.argmax(-1)).all())
    if multiclass_at_edge(s).any():
        return "argmax p (s* at infinity)" if right_argmax else "?"
    for label, link in hypotheses:
        if (link(s) - p).abs().max() < tol:
            return label
    if multiclass_recovers_probability(loss, p, s=s):
        return "p, via a link"
    if right_argmax:
        return "argmax p"
    top = s.topk(2, -1).values
    strict = (s.argmax(-1) == p.argmax(-1)) & (top[:, 0] - top[:, 1] > 1e-4)
    majority = p.max(-1).values > 0.5
    if strict[majority].all() and not strict[~majority].all():
        return "argmax p only if max p > ½"
    return "?"


def best_constant(loss, y, iters=60, bounds=None):
    """Minimise ``c -> loss(c, y)`` by bisection on the sign of its derivative.

    The book's bisection (chapter "Regression losses"): exact for a loss
    convex in ``c``, whose derivative in ``c`` is non-decreasing. The search
    interval is [min y, max y] unless ``bounds = (lo, hi)`` is given.
    """
    lo, hi = (y.min().item(), y.max().item()) if bounds is None else bounds
    for _ in range(iters):
        c = torch.tensor((lo + hi) / 2, dtype=y.dtype, requires_grad=True)
        (slope,) = torch.autograd.grad(loss(c.expand_as(y), y), c)
        lo, hi = (lo, c.item()) if slope > 0 else (c.item(), hi)
    return (lo + hi) / 2


def best_constant_by_grid(rho, y, n=1001):
    """Minimise ``c -> mean_i rho(c, y_i)`` on a grid over [min y, max y].

    ``rho(c, y)`` is the per-example loss (elementwise, broadcasting). For
    losses that are not convex in ``c``, where bisection may stop at a
    stationary point that is not the minimum; the grid is then zoomed.
    """
    c = torch.linspace(y.min().item(), y.max().item(), n, dtype=y.dtype)

    def objective(candidates):  # (1, n_c) -> (1, n_c)
        return rho(candidates.reshape(-1, 1), y).mean(-1).reshape(1, -1)

    best = c[objective(c).argmin()].reshape(1)
    step = (c[1] - c[0]).item()
    return _refine(objective, best, step, rounds=3, points=21).item()


def expectile(y, tau, iters=100):
    """The tau-expectile of a sample (Newey and Powell, 1987).

    The c with ``sum_i |tau - 1[y_i < c]| (y_i - c) = 0``, by bisection on
    that condition (an algorithm independent of any loss's autograd).
    """
    lo, hi = y.min().item(), y.max().item()
    for _ in range(iters):
        c = (lo + hi) / 2
        weights = torch.where(y < c, 1 - tau, tau)
        lo, hi = (c, hi) if (weights * (y - c)).sum() > 0 else (lo, c)
    return (lo + hi) / 2


def statistics(y):
    """Named summaries of a sample that a best constant may equal."""
    out = {"mean": y.mean().item(), "median": y.median().item(),
           "midrange": ((y.max() + y.min()) / 2).item()}
    for tau in (0.1, 0.25, 0.75, 0.9):
        out[f"{tau}-quantile"] = torch.quantile(y, tau).item()
        out[f"{tau}-expectile"] = expectile(y, tau)
    return out


def exponential_grid(n=20001):
    """A deterministic Exp(1) "sample": ``y_i = -log(1 - (i - 1/2) / n)``.

    The quantile grid of the exponential distribution: no seed, its sample
    statistics are within O(1/n) of the population's (median log 2, mean 1,
    0.9-quantile log 10), and every candidate statistic of ``statistics`` is
    at least 0.03 from every other.
    """
    i = torch.arange(1, n + 1, dtype=DTYPE)
    return -torch.log1p(-(i - 0.5) / n)


def what_it_estimates(constant, y, atol=1e-4):
    """The name of the statistic of ``y`` equal to ``constant``, or None.

    "Equal" means within ``atol``. Use a sample whose statistics are much
    farther apart than ``atol`` (``exponential_grid``: 0.03 apart), and check
    that a constant reported as None is far from all of them
    (``distance_to_statistics``).
    """
    for name, value in statistics(y).items():
        if abs(constant - value) <= atol:
            return name
    return None


def distance_to_statistics(constant, y):
    """Distance from ``constant`` to the nearest named statistic of ``y``."""
    return min(abs(constant - v) for v in statistics(y).values())


def symmetry_spread(loss, scores, n_classes):
    """Spread (max - min) of ``sum_k loss(s, k)`` over the given scores.

    Zero for a *symmetric* loss, the condition of Ghosh, Kumar and Sastry
    (2017) under which a loss is robust to uniform label noise.
    """
    total = sum(loss(scores, k) for k in range(n_classes))
    return (total.max() - total.min()).item()
