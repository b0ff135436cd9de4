"""The slides' Recap identities, the two-parameter net, Krylov saddle-free, stop reasons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import landscapes
import optimizers
from optimizers import Stop

SADDLE_2D = dict(eigenvalues=[10.0, -2.0], angle=0.7, center=[0.3, -0.2])
SADDLE_ND = dict(eigenvalues=[4.0, -1.5, 0.5, -0.25, 2.0, -3.0], seed=3)


def eigen_coordinates(L, x):
    """eps = V^T (x - theta*) in the Hessian's eigenbasis (numpy.linalg, independent of the code)."""
    c = np.asarray(L.params["center"])
    lam, vecs = np.linalg.eigh(L.hess(c))
    return lam, vecs.T @ (np.asarray(x) - c)


def one_step(L, method, x0, **hyper):
    T = optimizers.run(L, method, x0, steps=1, gtol=0.0, **hyper)
    assert T.steps == 1, T.stop
    return T.xs[1]


@pytest.mark.parametrize("params", [SADDLE_2D, SADDLE_ND], ids=["2d", "nd"])
@pytest.mark.parametrize(
    "method, hyper, factor",
    [
        ("gd", dict(lr=0.05), lambda lam: 1 - 0.05 * lam),
        ("sgd", dict(lr=0.05, noise=0.0), lambda lam: 1 - 0.05 * lam),
        ("newton", {}, lambda lam: 0.0 * lam),
        ("damped_newton", dict(damping=0.7), lambda lam: 0.7 / (lam + 0.7)),
        ("damped_newton", dict(damping="auto", margin=0.1),
         lambda lam: (0.1 - lam.min()) / (lam + 0.1 - lam.min())),
        ("saddle_free", {}, lambda lam: 1 - lam / np.abs(lam)),
        ("saddle_free", dict(damping=0.5), lambda lam: 1 - lam / (np.abs(lam) + 0.5)),
        ("krylov_saddle_free", dict(damping=0.5, k=6), lambda lam: 1 - lam / (np.abs(lam) + 0.5)),
    ],
)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_recap_factors_per_eigendirection(params, method, hyper, factor, seed):
    """One step maps eps_i to factor_i eps_i (to 1e-12), and update_factors says the same."""
    L = landscapes.get("quadratic", **params)
    x0 = np.asarray(params.get("center")) if "center" in params else np.zeros(L.dim)
    x0 = x0 + np.random.default_rng(seed).uniform(-1.5, 1.5, L.dim)
    lam, eps0 = eigen_coordinates(L, x0)
    _, eps1 = eigen_coordinates(L, one_step(L, method, x0, **hyper))
    expected = factor(lam)
    np.testing.assert_allclose(eps1, expected * eps0, atol=1e-12 * max(1, np.abs(eps0).max()))
    reported = optimizers.update_factors(method, lam, **{k: v for k, v in hyper.items() if k in ("lr", "damping", "margin")})
    np.testing.assert_allclose(reported, expected, atol=1e-12)


def test_saddle_free_on_5x2_minus_y2_maps_x_y_to_0_2y():
    L = landscapes.get("quadratic")  # 5x^2 - y^2
    for x0 in ([1.0, 0.1], [-0.3, 0.7], [2.0, -1.2]):
        np.testing.assert_allclose(one_step(L, "saddle_free", x0), [0.0, 2 * x0[1]], atol=1e-15)
    np.testing.assert_allclose(optimizers.update_factors("saddle_free", [10.0, -2.0]), [0.0, 2.0])


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-50, 50), y=st.floats(-50, 50))
def test_newton_lands_on_the_saddle_in_one_step_from_anywhere(x, y):
    L = landscapes.get("quadratic", eigenvalues=[1.0, -1.0])  # x^2/2 - y^2/2
    T = optimizers.run(L, "newton", [x, y], steps=10, gtol=0.0)
    assert T.steps <= 1
    np.testing.assert_allclose(T.xs[-1], [0.0, 0.0], atol=1e-13)
    assert T.stop is Stop.SADDLE


def test_update_factors_of_natural_gradient_need_the_metric():
    with pytest.raises(ValueError, match="metric_eigenvalues"):
        optimizers.update_factors("natural_gradient", [1.0, -1.0])
    np.testing.assert_allclose(
        optimizers.update_factors("natural_gradient", [1.0, -1.0], metric_eigenvalues=[2.0, 1.0]), [0.5, 2.0]
    )


# -- the two-parameter net (science.md section 5) ---------------------------------------
NET_START = [1e-3, 1.2e-3]


def net_run(method, steps=500, **hyper):
    return optimizers.run(landscapes.get("two_param_net"), method, NET_START, steps=steps, **hyper)


def test_two_param_net_gd_reaches_a_minimum():
    T = net_run("gd", lr=0.1)
    assert T.stop is Stop.MINIMUM
    assert T.final[0] * T.final[1] == pytest.approx(1.0, abs=1e-5)
    assert 80 <= T.steps <= 200  # science.md: ~112 steps (depends on the tolerance)


def test_two_param_net_newton_and_damped_newton_converge_to_the_saddle():
    for T in (net_run("newton"), net_run("damped_newton", damping=0.1)):
        assert T.stop is Stop.SADDLE
        np.testing.assert_allclose(T.final, [0.0, 0.0], atol=1e-6)


def test_two_param_net_saddle_free_reaches_a_minimum_quickly():
    T = net_run("saddle_free", damping=0.1)
    assert T.stop is Stop.MINIMUM
    np.testing.assert_allclose(T.final, [1.0, 1.0], atol=1e-5)
    assert T.steps <= 25  # science.md: ~13


def test_two_param_net_natural_gradient_lands_far_out():
    T = net_run("natural_gradient")
    assert T.stop is Stop.MINIMUM
    assert T.steps <= 10
    assert T.final[0] == pytest.approx(210, rel=0.02)
    assert T.final[1] == pytest.approx(0.0048, rel=0.02)


@pytest.mark.parametrize("a", [0.3, 0.1, 0.03, 0.01])
def test_natural_gradient_step_blows_up_near_the_origin(a):
    L = landscapes.get("two_param_net")
    T = optimizers.run(L, "natural_gradient", [a, a], steps=1, gtol=0.0, lr=0.1)
    size = np.linalg.norm(T.xs[1] - T.xs[0])
    assert size == pytest.approx(0.1 * (1 - a * a) / (np.sqrt(2) * a), rel=1e-10)


def test_natural_gradient_needs_a_metric():
    with pytest.raises(ValueError, match="needs a metric"):
        optimizers.run(landscapes.get("quadratic"), "natural_gradient", [1.0, 1.0])


# -- Krylov saddle-free -----------------------------------------------------------------
@pytest.mark.parametrize("damping", [0.0, 0.3])
def test_krylov_with_k_equal_n_is_the_exact_damped_saddle_free_step(damping):
    L = landscapes.get("gaussian_field", dim=8, features=1000, seed=5)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-1, 1, 8)
        g, h = L.grad(x), L.hess(x)
        lam, vecs = np.linalg.eigh(h)
        exact = -vecs @ ((vecs.T @ g) / (np.abs(lam) + damping))
        compiled = one_step(L, "krylov_saddle_free", x, k=8, damping=damping) - x
        np.testing.assert_allclose(compiled, exact, atol=1e-10 * np.abs(exact).max())
        free = optimizers.krylov_saddle_free_step(L, x, k=8, damping=damping).step
        np.testing.assert_allclose(free, exact, atol=1e-10 * np.abs(exact).max())


def test_krylov_auto_damping_picks_the_lowest_value():
    L = landscapes.get("gaussian_field", dim=6, features=800, seed=1)
    x = np.full(6, 0.2)
    res = optimizers.krylov_saddle_free_step(L, x, k=6, damping="auto")
    others = [L.value(x + optimizers.krylov_saddle_free_step(L, x, k=6, damping=m).step)
              for m in [0.0] + [max(1, np.abs(res.ritz_values).max()) * 10.0**e for e in range(-3, 1)]]
    assert res.value == pytest.approx(min(others))


def test_lanczos_matches_eigvalsh_and_krylov_space():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((30, 30))
    a = a + a.T
    res = optimizers.lanczos(lambda v: a @ v, rng.standard_normal(30), 30)
    np.testing.assert_allclose(res.ritz_values(), np.linalg.eigvalsh(a), atol=1e-10)
    np.testing.assert_allclose(res.basis.T @ res.basis, np.eye(30), atol=1e-12)
    np.testing.assert_allclose(res.basis.T @ a @ res.basis, res.tridiagonal, atol=1e-10)


# -- every method on every landscape ends with a named stop -----------------------------
LANDSCAPES = [
    ("quadratic", {}), ("quadratic", dict(eigenvalues=[1.0, 0.0])), ("monkey_saddle", {}),
    ("degenerate_saddle", {}), ("himmelblau", {}), ("two_param_net", {}), ("symmetric_net", {}),
    ("gaussian_field", dict(dim=3, features=300)), ("linear_net", dict(depth=3, widths=[2, 2, 2, 2], s=[1.0, 0.5])),
    ("linear_autoencoder", dict(eigenvalues=[3.0, 2.0, 1.0], p=1)),
]


@pytest.mark.parametrize("name, params", LANDSCAPES, ids=[n for n, _ in LANDSCAPES])
@pytest.mark.parametrize("method", optimizers.methods())
def test_every_method_on_every_landscape_ends_with_a_named_stop(name, params, method):
    L = landscapes.get(name, **params)
    if optimizers.method_info(method).needs_metric and not L.has_metric:
        with pytest.raises(ValueError, match="needs a metric"):
            optimizers.run(L, method, np.zeros(L.dim))
        return
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    starts = [0.5 * (lo + hi) + 1e-3 * (hi - lo), lo + 0.1 * (hi - lo), 50 * hi]
    starts += [cp.position for cp in L.critical_points[:2]]
    starts += [cp.position + 1e-4 for cp in L.critical_points[:2]]
    for x0 in starts:
        T = optimizers.run(L, method, x0, steps=150)
        assert isinstance(T.stop, Stop)
        assert T.xs.shape == (T.steps + 1, L.dim)
        for arr in (T.xs, T.values, T.grad_norms, T.eigenvalues):
            assert np.all(np.isfinite(arr)), (T.stop, arr)


def test_stop_reasons_are_named_correctly():
    quad = landscapes.get
    assert optimizers.run(quad("quadratic", eigenvalues=[10.0, 2.0]), "gd", [1.0, 1.0], lr=0.5).stop is Stop.DIVERGED
    assert optimizers.run(quad("quadratic"), "gd", [0.5, 0.1], lr=0.1).stop is Stop.ESCAPED
    assert optimizers.run(quad("quadratic", eigenvalues=[-1.0, -2.0]), "newton", [0.5, 0.1]).stop is Stop.MAXIMUM
    assert optimizers.run(quad("quadratic", eigenvalues=[1.0, 2.0]), "gd", [0.5, 0.1], steps=3).stop is Stop.STEP_LIMIT
    assert optimizers.run(quad("quadratic", eigenvalues=[1.0, 2.0]), "newton", [0.5, 0.1]).stop is Stop.MINIMUM
    assert optimizers.run(quad("monkey_saddle"), "gd", [0.0, 0.0]).stop is Stop.DEGENERATE
    assert optimizers.run(quad("degenerate_saddle"), "newton", [0.3, 0.0]).stop is Stop.DEGENERATE
    # At w1 = w2 = 1/sqrt(3) the Hessian is singular and the gradient lies in its null space.
    a = 1 / np.sqrt(3)
    assert optimizers.run(quad("two_param_net"), "newton", [a, a]).stop is Stop.SINGULAR
    # A flat valley of minima (a zero eigenvalue) is still a minimum.
    T = optimizers.run(quad("quadratic", eigenvalues=[1.0, 0.0]), "gd", [0.5, 0.3], lr=0.5, steps=500)
    assert T.stop is Stop.MINIMUM


def test_sgd_noise_is_seeded():
    L = landscapes.get("quadratic")
    a = optimizers.run(L, "sgd", [1.0, 0.0], steps=20, noise=0.5, seed=7)
    b = optimizers.run(L, "sgd", [1.0, 0.0], steps=20, noise=0.5, seed=7)
    c = optimizers.run(L, "sgd", [1.0, 0.0], steps=20, noise=0.5, seed=8)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.allclose(a.xs, c.xs)
    assert a.stop is not Stop.SADDLE  # noise kicks it off the stable manifold y = 0


def test_run_many_agrees_with_run():
    L = landscapes.get("himmelblau")
    starts = np.random.default_rng(0).uniform(-5, 5, (40, 2))
    for method, hyper in [("gd", dict(lr=0.01)), ("newton", {}), ("saddle_free", dict(damping=0.1))]:
        batch = optimizers.run_many(L, method, starts, steps=100, **hyper)
        for i in range(0, 40, 7):
            T = optimizers.run(L, method, starts[i], steps=100, **hyper)
            assert batch.stop(i) is T.stop
            assert batch.steps[i] == T.steps
            np.testing.assert_array_equal(batch.ends[i], T.final)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(method="bogus"), "unknown method"),
        (dict(lr=-1.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(method="damped_newton", damping=-1.0), "damping"),
        (dict(method="damped_newton", damping="sometimes"), "damping"),
        (dict(x0=[1.0]), "x0 must have shape"),
        (dict(x0=[np.nan, 0.0]), "x0 must be finite"),
        (dict(steps=-3), "steps"),
        (dict(method="sgd", noise=-0.1), "noise"),
        (dict(method="krylov_saddle_free", k=0), "k"),
        (dict(momentum=0.9), "unknown hyperparameter"),
    ],
)
def test_invalid_input_raises_value_error_naming_it(kwargs, message):
    args = dict(method="gd", x0=[1.0, 0.5]) | kwargs
    method, x0 = args.pop("method"), args.pop("x0")
    with pytest.raises(ValueError, match=message):
        optimizers.run(landscapes.get("quadratic"), method, x0, **args)


# -- critical points by Newton's method --------------------------------------------------
def test_find_critical_points_recovers_himmelblau():
    L = landscapes.get("himmelblau")
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 15), np.linspace(-5, 5, 15)), -1).reshape(-1, 2)
    found = optimizers.find_critical_points(L, grid)
    assert len(found.points) == 9
    for cp in L.critical_points:
        match = min(found.points, key=lambda p: np.linalg.norm(p.position - cp.position))
        np.testing.assert_allclose(match.position, cp.position, atol=1e-8)
        assert match.index == cp.index
        assert match.grad_norm <= 1e-8


def test_find_critical_points_agrees_with_scipy_root():
    from scipy.optimize import root

    L = landscapes.get("gaussian_field", dim=5, features=600, seed=2)
    starts = np.random.default_rng(1).uniform(-2, 2, (30, 5))
    found = optimizers.find_critical_points(L, starts, unique=False)
    assert found.n_converged >= 5
    for p in found.points:
        ref = root(L.grad, p.position, jac=L.hess, tol=1e-14)
        np.testing.assert_allclose(p.position, ref.x, atol=1e-8)
        np.testing.assert_allclose(p.eigenvalues, np.linalg.eigvalsh(L.hess(ref.x)), atol=1e-7)


@settings(max_examples=300, deadline=None)
@given(a=st.floats(-1e6, 1e6), b=st.floats(-1e6, 1e6), c=st.floats(-1e6, 1e6))
@example(a=0.0, b=5e-324, c=0.0)  # a subnormal coupling: its eigenvector needs rescaling
def test_closed_form_2x2_eigendecomposition(a, b, c):
    """The compiled 2x2 eigendecomposition against its definition and numpy.linalg.eigvalsh."""
    from optimizers.spectral import eigh_sym

    h = np.array([[a, b], [b, c]])
    lam, vecs = eigh_sym(h)
    scale = max(1.0, np.abs(h).max())
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(h), atol=1e-12 * scale)
    np.testing.assert_allclose(h @ vecs, vecs * lam, atol=1e-12 * scale)
    np.testing.assert_allclose(vecs.T @ vecs, np.eye(2), atol=1e-14)
