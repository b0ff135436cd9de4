"""The Fisher matrix of the two-parameter net (science.md section 5, the deck's Appendix 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
from optimizers import fisher


def log_likelihood(w, x, y):
    """log N(y; w2 w1 x, 1) up to a constant, written out independently of the library."""
    return -0.5 * (y - w[1] * w[0] * x) ** 2


def test_scores_are_the_gradient_of_the_log_likelihood():
    w = np.array([0.7, -1.3])
    sample = fisher.two_param_scores(w, 50, seed=3)
    h = 1e-6
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        fd = (log_likelihood(w + e, sample.x, sample.y) - log_likelihood(w - e, sample.x, sample.y)) / (2 * h)
        np.testing.assert_allclose(sample.scores[:, k], fd, rtol=1e-7, atol=1e-9)


def test_scores_have_mean_zero():
    # E[score] = 0 (the slide's first moment), within 5 standard errors.
    sample = fisher.two_param_scores([0.9, 0.4], 200_000, seed=1)
    se = sample.scores.std(axis=0) / np.sqrt(len(sample.scores))
    assert np.all(np.abs(sample.scores.mean(axis=0)) < 5 * se)


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3), st.integers(1, 2000), st.integers(0, 2**16))
def test_sampled_fisher_is_positive_semidefinite(w1, w2, samples, seed):
    scores = fisher.two_param_scores([w1, w2], samples, seed).scores
    F = fisher.empirical_fisher(scores)
    np.testing.assert_allclose(F, F.T)
    lam = np.linalg.eigvalsh(F)
    assert lam.min() >= -1e-12 * max(1.0, lam.max())
    # v^T F v = mean (v^T s)^2 for any direction v: never negative.
    v = np.random.default_rng(seed).standard_normal(2)
    assert v @ F @ v == pytest.approx(np.mean((scores @ v) ** 2), rel=1e-9, abs=1e-15)
    assert v @ F @ v >= 0


@pytest.mark.parametrize("w", [(0.5, 0.8), (1.0, 1.0), (-1.2, 0.3), (0.05, -0.02)])
def test_sampled_fisher_converges_to_the_metric(w):
    L = landscapes.get("two_param_net")
    exact = L.metric(np.array(w))
    # Closed form: F = J^T J with J = -(w2, w1).
    J = -np.array([w[1], w[0]])
    np.testing.assert_allclose(exact, np.outer(J, J), atol=1e-15)
    m = 200_000
    F = fisher.empirical_fisher(fisher.two_param_scores(w, m, seed=7).scores)
    # F_hat = mean(eps^2 x^2) J^T J and var(eps^2 x^2) = E eps^4 E x^4 - 1 = 8.
    tolerance = 5 * np.sqrt(8 / m) * np.linalg.norm(exact) + 1e-15
    assert np.linalg.norm(F - exact) < tolerance


def test_fisher_convergence_error_shrinks_like_one_over_root_m():
    conv = fisher.fisher_convergence([0.6, 0.9], [100, 1_000, 10_000, 100_000, 1_000_000], seed=2)
    assert np.all(conv.eigenvalues[:, 0] >= -1e-12)
    assert np.all(conv.quadratic_forms >= 0)
    # Slope of log(error) against log(m), fitted over four decades: about -1/2.
    slope = np.polyfit(np.log(conv.sizes), np.log(conv.errors), 1)[0]
    assert -0.85 < slope < -0.25
    assert conv.errors[-1] < 0.02 * np.linalg.norm(conv.exact)


def test_two_param_fisher_against_hessian_over_the_plane():
    L = landscapes.get("two_param_net")
    s = np.linspace(-2, 2, 21)  # includes the origin
    grid = fisher.curvature_grid(L, s, s)
    W1, W2 = np.meshgrid(s, s)
    # F = J^T J: eigenvalues 0 and w1^2 + w2^2, everywhere (rank one).
    np.testing.assert_allclose(grid.metric[..., 0], 0.0, atol=1e-12)
    np.testing.assert_allclose(grid.metric[..., 1], W1**2 + W2**2, atol=1e-12)
    # H = [[w2^2, 2 w1 w2 - 1], [2 w1 w2 - 1, w1^2]]: closed-form eigenvalues.
    a, c, b = W2**2, W1**2, 2 * W1 * W2 - 1
    mean, rad = (a + c) / 2, np.hypot((a - c) / 2, b)
    np.testing.assert_allclose(grid.hessian[..., 0], mean - rad, atol=1e-12)
    np.testing.assert_allclose(grid.hessian[..., 1], mean + rad, atol=1e-12)
    origin = (10, 10)
    assert s[10] == 0.0
    np.testing.assert_allclose(grid.hessian[origin], [-1.0, 1.0], atol=1e-15)  # the strict saddle
    np.testing.assert_allclose(grid.metric[origin], [0.0, 0.0], atol=1e-15)  # F = 0 there
    # The Fisher is never negative; the Hessian is, around the saddle.
    assert grid.metric.min() >= -1e-12
    assert grid.hessian[..., 0].min() < -0.9


def test_symmetric_net_fisher_is_singular_on_the_symmetry_line():
    L = landscapes.get("symmetric_net")
    s = np.linspace(-1, 3, 41)
    grid = fisher.curvature_grid(L, s, s)
    W1, W2 = np.meshgrid(s, s)
    det = grid.metric[..., 0] * grid.metric[..., 1]
    # J = [[1, 1], [w2, w1]] so det(J^T J) = (w1 - w2)^2.
    np.testing.assert_allclose(det, (W1 - W2) ** 2, atol=1e-9)
    diagonal = np.isclose(W1, W2)
    assert np.all(grid.metric[..., 0][diagonal] <= 1e-9)
    assert np.all(grid.metric[..., 0][~diagonal] > 1e-6)
    # The saddle between the mirror-image minima sits on that line, with negative curvature.
    saddles = [p for p in L.critical_points if p.kind == landscapes.Kind.SADDLE]
    assert saddles and all(abs(p.position[0] - p.position[1]) < 1e-9 for p in saddles)
    for p in saddles:
        assert np.linalg.eigvalsh(L.hess(p.position))[0] < 0
        assert np.linalg.eigvalsh(L.metric(p.position))[0] == pytest.approx(0.0, abs=1e-12)


def test_natural_gradient_step_blows_up_near_the_origin():
    a = np.logspace(-3, np.log10(0.9), 15)
    lr = 0.1
    sizes = fisher.natural_gradient_step_sizes(a, lr)
    # Measured from optimizers.run against eta (1 - a^2) / (sqrt(2) a).
    np.testing.assert_allclose(sizes.natural_gradient, lr * (1 - a**2) / (np.sqrt(2) * a), rtol=1e-9)
    np.testing.assert_allclose(sizes.formula, lr * (1 - a**2) / (np.sqrt(2) * a), rtol=1e-15)
    # Gradient descent's step eta ||g|| = eta sqrt(2) a (1 - a^2) vanishes instead.
    np.testing.assert_allclose(sizes.gradient_descent, lr * np.sqrt(2) * a * (1 - a**2), rtol=1e-9)
    assert sizes.natural_gradient[0] > 70.0 and sizes.gradient_descent[0] < 2e-4


@pytest.mark.parametrize("call, match", [
    (lambda: fisher.two_param_scores([1.0], 10), "w must be"),
    (lambda: fisher.two_param_scores([1.0, 2.0], 0), "samples"),
    (lambda: fisher.empirical_fisher(np.zeros((0, 2))), "scores"),
    (lambda: fisher.curvature_grid(landscapes.get("himmelblau"), [0.0], [0.0]), "metric"),
    (lambda: fisher.natural_gradient_step_sizes(np.array([0.0, 0.1])), "non-zero"),
])
def test_bad_inputs_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
