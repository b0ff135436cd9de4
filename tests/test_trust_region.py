"""The saddle-free step as the minimiser of the linear model on the |H| ellipse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from optimizers import trust_region as tr


def random_indefinite(n: int, seed: int) -> np.ndarray:
    """Q diag(lambda) Q^T with eigenvalues straddling zero, bounded away from it."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q *= np.sign(np.diag(r))
    lam = rng.uniform(0.2, 5.0, n) * rng.choice([-1.0, 1.0], n)
    lam[0], lam[-1] = abs(lam[0]), -abs(lam[-1])
    return (q * lam) @ q.T


def scipy_minimiser(g, A, delta):
    """Independent reference: SLSQP on g^T d with the constraint 1/2 d^T A d <= Delta."""
    con = {"type": "ineq", "fun": lambda d: delta - 0.5 * d @ A @ d, "jac": lambda d: -(A @ d)}
    res = minimize(lambda d: g @ d, np.full(g.size, 1e-3), jac=lambda d: g, constraints=[con],
                   method="SLSQP", options={"ftol": 1e-10, "maxiter": 1000})
    assert res.success, res.message
    return res.x


@pytest.mark.parametrize("n, seed", [(2, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)])
def test_closed_form_matches_scipy_constrained_minimiser(n, seed):
    H = random_indefinite(n, seed)
    g = np.random.default_rng(100 + seed).standard_normal(n)
    delta = 0.1 + seed * 0.3
    lam, V = np.linalg.eigh(H)
    A = (V * np.abs(lam)) @ V.T
    reference = scipy_minimiser(g, A, delta)
    step = tr.saddle_free_trust_step(g, H, delta)
    assert g @ step == pytest.approx(g @ reference, rel=1e-8)
    np.testing.assert_allclose(step, reference, atol=1e-4 * np.linalg.norm(step))
    # On the boundary of the ellipse, never outside.
    assert 0.5 * step @ A @ step == pytest.approx(delta, rel=1e-12)


def test_step_is_the_rescaled_saddle_free_newton_step():
    H = random_indefinite(4, 7)
    g = np.array([0.3, -1.0, 0.2, 0.5])
    step = tr.saddle_free_trust_step(g, H, 0.7)
    direction = tr.saddle_free_direction(g, H)
    cos = step @ direction / (np.linalg.norm(step) * np.linalg.norm(direction))
    assert cos == pytest.approx(1.0, abs=1e-12)
    # KKT: g + mu |H| d = 0 with mu > 0.
    A = tr.abs_matrix(H)
    mu = -(g @ step) / (step @ A @ step)
    assert mu > 0
    np.testing.assert_allclose(g + mu * A @ step, 0.0, atol=1e-12)


def test_step_beats_every_sampled_point_of_the_ellipse():
    H = np.array([[2.0, 0.3], [0.3, -0.5]])
    g = np.array([1.0, 0.7])
    delta = 0.5
    step = tr.saddle_free_trust_step(g, H, delta)
    lam, V = np.linalg.eigh(H)
    t = np.linspace(0, 2 * np.pi, 2000)
    ellipse = (np.stack([np.cos(t), np.sin(t)], 1) * np.sqrt(2 * delta / np.abs(lam))) @ V.T
    assert g @ step <= (ellipse @ g).min() + 1e-12


def test_saddle_free_direction_hand_case():
    # 5x^2 - y^2: H = diag(10, -2); the full saddle-free step maps (x, y) to (0, 2y).
    H = np.diag([10.0, -2.0])
    for x in ([1.0, 0.1], [-0.3, 0.7]):
        x = np.array(x)
        np.testing.assert_allclose(x + tr.saddle_free_direction(H @ x, H), [0.0, 2 * x[1]], atol=1e-15)


def test_numerical_step_agrees_with_closed_form():
    H = random_indefinite(3, 11)
    g = np.array([0.4, 1.0, -0.6])
    np.testing.assert_allclose(tr.numerical_trust_step(g, H, 0.3), tr.saddle_free_trust_step(g, H, 0.3),
                               atol=1e-5)


def test_abs_matrix_against_numpy():
    H = random_indefinite(5, 3)
    A = tr.abs_matrix(H)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(A)), np.sort(np.abs(np.linalg.eigvalsh(H))), atol=1e-12)
    np.testing.assert_allclose(A @ H, H @ A, atol=1e-12)  # same eigenvectors
    # |H| is the matrix square root of H^2.
    np.testing.assert_allclose(A @ A, H @ H, atol=1e-10)


symmetric_matrices = st.integers(2, 6).flatmap(
    lambda n: st.lists(st.floats(-10, 10, allow_nan=False), min_size=n * n, max_size=n * n).map(
        lambda xs: np.array(xs).reshape(n, n)))


@settings(max_examples=200, deadline=None)
@given(symmetric_matrices, st.data())
def test_quadratic_form_bound(M, data):
    """|x^T A x| <= x^T |A| x for every symmetric A and every x."""
    A = 0.5 * (M + M.T)
    n = A.shape[0]
    x = np.array(data.draw(st.lists(st.floats(-10, 10, allow_nan=False), min_size=n, max_size=n)))
    lhs = abs(x @ A @ x)
    rhs = x @ tr.abs_matrix(A) @ x
    assert lhs <= rhs + 1e-9 * (1 + np.abs(A).max()) * (1 + x @ x)
    # The same bound, as the two trust-region distances.
    assert tr.curvature_distance(A, x)[0] <= tr.ellipse_distance(A, x)[0] + 1e-9 * (1 + np.abs(A).max()) * (1 + x @ x)


def test_curvature_region_is_unbounded_along_the_asymptotes():
    H = np.diag([2.0, -0.5])
    pic = tr.trust_region_picture(np.array([1.0, 0.7]), H, 0.5, extent=3.0, num=101)
    assert pic.asymptotes.shape == (2, 2)
    for a in pic.asymptotes:
        # d^T H d = 0 for every multiple of the direction, however far out.
        for r in (1.0, 1e3, 1e6):
            assert tr.curvature_distance(H, r * a)[0] <= 1e-9 * r * r
    # The ellipse lies inside the curvature region and on 1/2 d^T |H| d = Delta.
    np.testing.assert_allclose(tr.ellipse_distance(H, pic.ellipse), 0.5, rtol=1e-12)
    assert np.all(tr.curvature_distance(H, pic.ellipse) <= 0.5 + 1e-12)
    # On the grid the region reaches the window's edge (it is unbounded), the ellipse does not.
    assert pic.curvature_region[0].any() and pic.curvature_region[-1].any()
    assert np.abs(pic.ellipse).max() < 3.0


def test_definite_hessian_has_no_asymptotes():
    pic = tr.trust_region_picture(np.array([1.0, 0.0]), np.diag([1.0, 3.0]), 0.5, extent=2.0, num=51)
    assert pic.asymptotes.shape == (0, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: tr.saddle_free_trust_step([1.0, 0.0], np.diag([1.0, 0.0]), 0.5), "singular"),
    (lambda: tr.saddle_free_trust_step([1.0, 0.0], np.diag([1.0, -1.0]), 0.0), "Delta"),
    (lambda: tr.saddle_free_trust_step([1.0, 0.0], [[1.0, 2.0], [0.0, 1.0]], 0.5), "symmetric"),
    (lambda: tr.saddle_free_trust_step([1.0, 0.0, 0.0], np.eye(2), 0.5), "grad"),
    (lambda: tr.trust_region_picture([1.0, 0.0, 0.0], np.eye(3), 0.5, 1.0), "2D"),
])
def test_bad_inputs_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_zero_gradient_gives_zero_step():
    np.testing.assert_array_equal(tr.saddle_free_trust_step([0.0, 0.0], np.diag([1.0, -1.0]), 0.5), [0.0, 0.0])
