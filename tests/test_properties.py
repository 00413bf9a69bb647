"""Each property function against losses whose properties are known.

Every test pairs a loss that has the property with one that lacks it, so a
function that always answers "yes" (or "no") fails.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook import properties as P
from lossbook.seeds import generator

D = torch.float64


def mse(t):
    return t**2


def mae(t):
    return t.abs()


def huber(t):
    return F.huber_loss(t, torch.zeros_like(t), reduction="none")


def cauchy(t):  # log(1 + t^2): bounded influence, unbounded value
    return torch.log1p(t**2)


def welsch(t):  # 1 - exp(-t^2 / 2): bounded, redescending, smooth
    return 1 - torch.exp(-t**2 / 2)


def logistic(m):
    return F.softplus(-m)


def hinge(m):
    return (1 - m).clamp(min=0)


def exponential(m):
    return torch.exp(-m)


def perceptron(m):
    return (-m).clamp(min=0)


def brier_on_logit(m):
    return (1 - torch.sigmoid(m)) ** 2


def cross_entropy(s, k):
    return torch.logsumexp(s, -1) - s[..., k]


def crammer_singer(s, k):
    others = s.clone()
    others[..., k] = -math.inf
    return (1 + others.max(-1).values - s[..., k]).clamp(min=0)


def test_convexity_by_second_differences():
    assert P.is_convex(mse) and P.is_convex(mae) and P.is_convex(huber)
    assert not P.is_convex(cauchy) and not P.is_convex(welsch)
    # closed form: the second derivative of t^2 is 2
    torch.testing.assert_close(P.second_differences(mse),
                               torch.full((2001,), 2.0, dtype=D))


def test_convexity_of_a_function_of_a_vector():
    g = generator("test-properties-segments")
    a = 5 * torch.randn(500, 3, generator=g, dtype=D)
    b = 5 * torch.randn(500, 3, generator=g, dtype=D)
    assert P.is_convex_nd(lambda s: cross_entropy(s, 0), a, b)
    assert P.is_convex_nd(lambda s: crammer_singer(s, 0), a, b)
    assert not P.is_convex_nd(lambda s: (1 - torch.softmax(s, -1)[..., 0]) ** 2,
                              a, b)


def test_limits_and_boundedness():
    assert P.value_limit(welsch) == pytest.approx(1.0)
    assert P.value_limit(torch.sigmoid) == pytest.approx(1.0)
    assert P.value_limit(mse) == math.inf and P.value_limit(cauchy) == math.inf
    assert P.is_bounded(welsch) and not P.is_bounded(mae)


def test_gradient_limits():
    assert P.gradient_limit(mse) == math.inf
    assert P.gradient_limit(mae) == pytest.approx(1.0)
    assert P.gradient_limit(huber) == pytest.approx(1.0)  # delta = 1
    assert P.gradient_limit(cauchy) == pytest.approx(0.0, abs=1e-4)
    assert P.gradient_limit(logistic, -1.0) == pytest.approx(1.0)
    assert P.gradient_limit(exponential, -1.0) == math.inf


def test_smoothness():
    assert P.is_smooth(mse) and P.is_smooth(huber) and P.is_smooth(logistic)
    assert not P.is_smooth(mae) and not P.is_smooth(hinge)
    # a kink away from the grid's points, at an irrational position
    assert not P.is_smooth(lambda t: (t - math.pi / 3).abs())


def test_classification_calibration():
    for phi in (logistic, hinge, exponential, brier_on_logit):
        assert P.is_classification_calibrated(phi)
    assert not P.is_classification_calibrated(perceptron)  # f = 0 is optimal
    # closed forms: hinge's gap is |2p - 1|; the logistic loss's is
    # log 2 minus the binary entropy of p (in nats)
    p = P.P_GRID
    torch.testing.assert_close(P.calibration_gaps(hinge, p), (2 * p - 1).abs(),
                               rtol=0, atol=1e-3)
    entropy = -(p * p.log() + (1 - p) * (1 - p).log())
    torch.testing.assert_close(P.calibration_gaps(logistic, p),
                               math.log(2) - entropy, rtol=0, atol=1e-6)


def test_risk_minimiser_in_closed_form():
    p = P.P_GRID
    logit = torch.log(p / (1 - p))
    torch.testing.assert_close(P.risk_minimiser(logistic, p), logit,
                               rtol=0, atol=1e-5)
    torch.testing.assert_close(P.risk_minimiser(exponential, p), logit / 2,
                               rtol=0, atol=1e-5)


def test_properness():
    assert P.is_strictly_proper_logistic(logistic)
    assert P.is_strictly_proper_logistic(brier_on_logit)
    assert not P.is_strictly_proper_logistic(exponential)  # link is 2 f
    assert P.recovers_probability(exponential)
    assert not P.recovers_probability(hinge)  # f* = sign(2p - 1)

    def log_score(q, y):
        return -(y * q.log() + (1 - y) * (1 - q).log())

    def absolute_score(q, y):  # |y - q|: improper, optimum at 0 or 1
        return (y - q).abs()

    assert P.is_strictly_proper(log_score)
    assert P.is_strictly_proper(lambda q, y: (y - q) ** 2)
    assert not P.is_strictly_proper(absolute_score)


def test_multiclass_calibration_and_properness():
    assert P.is_multiclass_calibrated(cross_entropy)
    assert P.is_multiclass_proper_softmax(cross_entropy)
    # Crammer-Singer is not calibrated when no class has p > 1/2
    # (Tewari and Bartlett, 2007)
    assert not P.is_multiclass_calibrated(crammer_singer)
    majority = torch.tensor([[0.7, 0.2, 0.1]], dtype=D)
    assert P.is_multiclass_calibrated(crammer_singer, majority)


def test_best_constant_and_what_it_estimates():
    y = torch.tensor([0.0, 0.1, 0.2, 0.5, 1.0, 3.0, 7.0], dtype=D)

    def mean_loss(rho):
        return lambda c, y: rho(y - c).mean()

    c = P.best_constant(mean_loss(mse), y)
    assert c == pytest.approx(y.mean().item(), abs=1e-9)
    assert P.what_it_estimates(c, y) == "mean"
    c = P.best_constant(mean_loss(mae), y)
    assert P.what_it_estimates(c, y) == "median"
    c = P.best_constant_by_grid(lambda c, y: welsch(y - c), y)
    assert P.what_it_estimates(c, y) is None  # near the cluster, none of them
    assert c < y.median().item()


def test_symmetry_spread():
    g = generator("test-properties-symmetry")
    s = 3 * torch.randn(200, 3, generator=g, dtype=D)

    def mae_on_probabilities(s, k):
        return 1 - torch.softmax(s, -1)[..., k]

    assert P.symmetry_spread(mae_on_probabilities, s, 3) < 1e-12
    assert P.symmetry_spread(cross_entropy, s, 3) > 1.0


def test_a_step_is_not_smooth():
    def zero_one(m):  # autograd sees a zero derivative everywhere
        return (m <= 0).to(m.dtype) + 0 * m

    assert not P.is_smooth(zero_one)
    assert P.is_classification_calibrated(zero_one)
    assert not P.is_convex(zero_one)


def test_expectile():
    y = torch.tensor([0.0, 1.0, 2.0, 10.0], dtype=D)
    assert P.expectile(y, 0.5) == pytest.approx(y.mean().item())
    # closed form for tau = 0.9 with c between 2 and 10:
    # 0.9 (10 - c) = 0.1 (3c - 3)  =>  c = 9.3 / 1.2
    assert P.expectile(y, 0.9) == pytest.approx(9.3 / 1.2)


def triangular_dip(m):  # a hinge with a V-shaped dip of depth 0.05 at 0
    return hinge(m) - (0.05 - m.abs()).clamp(min=0)


def gaussian_dip(m):  # a hinge with a smooth dip of depth 0.05 at 0
    return hinge(m) - 0.05 * torch.exp(-(m / 0.05) ** 2)


def test_calibration_is_tested_near_one_half():
    # the triangular dip keeps f = 0 optimal for 1/2 < p < 0.525 (risk 0.95
    # there against 2 (1 - p) at f = 1): not calibrated, and only a grid of p
    # close to 1/2 sees it
    assert not P.is_classification_calibrated(triangular_dip)
    gaps = P.calibration_gaps(triangular_dip,
                              torch.tensor([0.51, 0.52, 0.55], dtype=D))
    assert gaps[:2].abs().max() < 1e-12 and gaps[2] > 0.04
    coarse = torch.tensor([0.1, 0.3, 0.45, 0.55, 0.7, 0.9], dtype=D)
    assert P.is_classification_calibrated(triangular_dip, coarse)
    # the smooth dip is calibrated: near f = 0 the risk is about
    # 0.95 - a f + 20 f^2 with a = 2p - 1, so the gap is a^2 / 80
    assert P.is_classification_calibrated(gaussian_dip)
    p = torch.tensor([0.499, 0.501, 0.51], dtype=D)
    torch.testing.assert_close(P.calibration_gaps(gaussian_dip, p),
                               (2 * p - 1) ** 2 / 80, rtol=0.02, atol=0)


def test_bartlett_theorem_6_agrees_for_convex_losses():
    for phi in (logistic, hinge, exponential, lambda m: hinge(m) ** 2,
                perceptron, lambda m: (-m).exp() + m.abs()):
        assert P.is_convex(phi)
        assert P.bartlett_convex_test(phi) == \
            P.is_classification_calibrated(phi)
    assert not P.bartlett_convex_test(perceptron)


def test_margin_estimate():
    assert P.margin_estimate(logistic) == "p = σ(f*)"
    assert P.margin_estimate(exponential) == "p, via a link"
    assert P.margin_estimate(hinge) == "sign(2p − 1)"
    assert P.margin_estimate(perceptron) == "nothing (f* = 0)"
    assert P.margin_estimate(lambda m: -m) == "no minimiser (unbounded below)"

    def zero_one(m):  # ties count one half
        return (m < 0).to(m.dtype) + 0.5 * (m == 0).to(m.dtype)

    assert P.margin_estimate(zero_one) == "sign(2p − 1)"  # not unique
    low, high = P.minimiser_set(zero_one, torch.tensor([0.7], dtype=D))
    assert low.item() > 0 and high.item() == 12.0


def test_multiclass_composite_and_estimate():
    def smoothed(s, k, eps=0.1):
        logq = torch.log_softmax(s, -1)
        return -(1 - eps) * logq[..., k] - eps * logq.mean(-1)

    def gce(s, k, q=0.7):  # minimiser q* proportional to p^(1 / 0.3)
        return (1 - torch.exp(q * torch.log_softmax(s, -1)[..., k])) / q

    prior = torch.tensor([0.7, 0.2, 0.1], dtype=D)

    def adjusted(s, k):
        return cross_entropy(s + prior.log(), k)

    assert P.multiclass_recovers_probability(cross_entropy)
    assert P.multiclass_recovers_probability(smoothed)
    assert not P.multiclass_recovers_probability(crammer_singer)
    assert not P.is_multiclass_proper_softmax(smoothed)
    links = [("p = softmax(s*)", lambda s: torch.softmax(s, -1)),
             ("p/π", lambda s: torch.softmax(s + prior.log(), -1))]
    assert P.multiclass_estimate(cross_entropy, links) == "p = softmax(s*)"
    assert P.multiclass_estimate(adjusted, links) == "p/π"
    assert P.multiclass_estimate(smoothed, links) == "p, via a link"
    assert P.multiclass_estimate(crammer_singer, links) == \
        "argmax p only if max p > ½"
    p = P.simplex_grid()
    s = P.multiclass_minimiser(gce, p, **P.MULTICLASS_WIDE)
    assert not P.multiclass_at_edge(s).any()
    back = torch.softmax(s, -1) ** 0.3
    torch.testing.assert_close(back / back.sum(-1, keepdim=True), p,
                               rtol=0, atol=1e-4)

    def mae_on_probabilities(s, k):  # infimum at infinite scores
        return 1 - torch.softmax(s, -1)[..., k]

    assert P.multiclass_estimate(mae_on_probabilities) == \
        "argmax p (s* at infinity)"


def test_exponential_grid_statistics():
    y = P.exponential_grid()
    stats = P.statistics(y)
    assert stats["median"] == pytest.approx(math.log(2), abs=1e-12)
    assert stats["mean"] == pytest.approx(1.0, abs=1e-4)
    assert stats["0.9-quantile"] == pytest.approx(math.log(10), abs=1e-3)
    values = sorted(stats.values())
    assert min(b - a for a, b in zip(values, values[1:])) > 0.03
    # Welsch's best constant (an M-estimate) is none of the statistics
    c = P.best_constant_by_grid(lambda c, y: welsch(y - c), y)
    assert P.what_it_estimates(c, y) is None
    assert P.distance_to_statistics(c, y) > 10 * 1e-4


def test_convexity_and_smoothness_hold_at_the_tested_scale():
    def cauchy10(t):
        return torch.log1p((t / 10) ** 2)

    assert P.is_convex(cauchy10)  # on [-5, 5]
    assert not P.is_convex(cauchy10, -50.0, 50.0)

    def sharp_huber(t):
        return F.huber_loss(t, torch.zeros_like(t), delta=1e-3,
                            reduction="none")

    assert not P.is_smooth(sharp_huber)  # turns within 2e-3 < the step
    assert P.is_smooth(sharp_huber, -0.01, 0.01)
