"""Every registered landscape against central finite differences, and its critical points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
from landscapes import Kind

# Several parameter settings per registered landscape.
CASES = [
    ("quadratic", {}),
    ("quadratic", dict(eigenvalues=[1.0, -0.5], angle=0.3, center=[0.2, -0.1])),
    ("quadratic", dict(eigenvalues=[2.0, 0.0])),
    ("quadratic", dict(eigenvalues=[3.0, -1.0, 0.5, -2.0, 1.5], seed=4)),
    ("monkey_saddle", {}),
    ("degenerate_saddle", {}),
    ("himmelblau", {}),
    ("two_param_net", {}),
    ("symmetric_net", {}),
    ("symmetric_net", dict(a=2.0, b=-1.0)),
    ("gaussian_field", {}),
    ("gaussian_field", dict(dim=6, features=800, seed=3, kappa=[0.5, 2.0])),
    ("gaussian_field", dict(dim=3, features=500, length_scale=0.5)),
    ("linear_net", dict(depth=2, widths=[3, 2, 3], s=[2.0, 1.0])),
    ("linear_net", dict(depth=3, widths=[3, 2, 4, 2], s=[1.5, 0.5], seed=2)),
    ("linear_autoencoder", dict(eigenvalues=[3.0, 2.0, 1.0], p=1)),
    ("linear_autoencoder", {}),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


def test_every_registered_landscape_is_covered():
    assert {name for name, _ in CASES} >= set(landscapes.names()) - {"tanh_mlp"}


def central_differences(L, x, h=1e-5):
    n = L.dim
    grad = np.empty(n)
    hess = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        grad[i] = (L.value(x + e) - L.value(x - e)) / (2 * h)
        hess[:, i] = (L.grad(x + e) - L.grad(x - e)) / (2 * h)
    return grad, hess


def random_point(L, u):
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    u = np.resize(np.asarray(u), L.dim)
    return lo + (hi - lo) * (0.25 + 0.5 * u)  # inner half of the window keeps values moderate


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
@settings(max_examples=15, deadline=None)
@given(u=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40))
def test_derivatives_match_central_differences(name, params, u):
    L = landscapes.get(name, **params)
    x = random_point(L, u)
    f, g, h = L.value_grad_hess(x)
    assert f == pytest.approx(L.value(x), rel=1e-12, abs=1e-12)
    g_fd, h_fd = central_differences(L, x)
    scale = max(1.0, np.abs(g).max(), np.abs(h).max())
    np.testing.assert_allclose(g, g_fd, atol=1e-6 * scale)
    np.testing.assert_allclose(h, h_fd, atol=1e-6 * scale)
    np.testing.assert_array_equal(h, h.T)


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_listed_critical_points_are_critical_with_stated_index(name, params):
    L = landscapes.get(name, **params)
    for cp in L.critical_points:
        f, g, h = L.value_grad_hess(cp.position)
        assert np.linalg.norm(g) <= 1e-9 * max(1.0, abs(f)), cp
        assert cp.value == pytest.approx(f)
        lam = np.linalg.eigvalsh(h)
        tol = 1e-7 * max(1.0, np.abs(lam).max())
        assert cp.index == int(np.sum(lam < -tol)), (cp, lam)
        assert cp.degenerate == bool(np.any(np.abs(lam) <= tol)), (cp, lam)
        if not cp.degenerate:
            expected = {0: Kind.MINIMUM, L.dim: Kind.MAXIMUM}.get(cp.index, Kind.SADDLE)
            assert cp.kind == expected


@pytest.mark.parametrize("name, params", [c for c in CASES if landscapes.get(c[0], **c[1]).has_metric])
def test_metric_is_gauss_newton_and_psd(name, params):
    """Where a metric exists it is J^T J: symmetric PSD, and equals H minus the residual part
    (checked here through PSD-ness and agreement with H at a zero-residual minimum)."""
    L = landscapes.get(name, **params)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = random_point(L, rng.uniform(size=L.dim))
        m = L.metric(x)
        np.testing.assert_allclose(m, m.T, atol=1e-12)
        assert np.linalg.eigvalsh(m).min() >= -1e-10 * max(1.0, np.abs(m).max())
    minima = [cp for cp in L.critical_points if cp.kind == Kind.MINIMUM and abs(cp.value) < 1e-12]
    for cp in minima:  # zero residual: the Hessian is exactly the Gauss-Newton matrix
        np.testing.assert_allclose(L.metric(cp.position), L.hess(cp.position), atol=1e-9)


def test_hvp_matches_dense_hessian():
    rng = np.random.default_rng(1)
    for name, params in CASES:
        L = landscapes.get(name, **params)
        x = random_point(L, rng.uniform(size=L.dim))
        v = rng.standard_normal(L.dim)
        np.testing.assert_allclose(L.hvp(x, v), L.hess(x) @ v, atol=1e-10 * max(1, np.abs(L.hess(x)).max()))
        if "grad" in L.extras:
            np.testing.assert_allclose(L.extras["grad"](x), L.grad(x), atol=1e-12)


def test_quadratic_sets_the_hessian_eigenvalues():
    L = landscapes.get("quadratic", eigenvalues=[1.5, -0.7], angle=0.4)
    h = L.hess([0.3, -0.2])
    np.testing.assert_allclose(np.linalg.eigvalsh(h), [-0.7, 1.5], atol=1e-14)
    v1 = np.array([np.cos(0.4), np.sin(0.4)])
    np.testing.assert_allclose(h @ v1, 1.5 * v1, atol=1e-14)
    default = landscapes.get("quadratic")  # 5x^2 - y^2
    assert default.value([1.0, 2.0]) == pytest.approx(5.0 - 4.0)


def test_monkey_saddle_hessian_vanishes_at_origin():
    L = landscapes.get("monkey_saddle")
    np.testing.assert_array_equal(L.hess([0.0, 0.0]), np.zeros((2, 2)))
    (cp,) = L.critical_points
    assert cp.kind == Kind.SADDLE and cp.degenerate


def test_himmelblau_has_four_minima_four_saddles_one_maximum():
    kinds = [cp.kind for cp in landscapes.get("himmelblau").critical_points]
    assert kinds.count(Kind.MINIMUM) == 4
    assert kinds.count(Kind.SADDLE) == 4
    assert kinds.count(Kind.MAXIMUM) == 1


def test_symmetric_net_is_permutation_symmetric_with_saddle_between_minima():
    L = landscapes.get("symmetric_net", a=1.5, b=0.5)
    rng = np.random.default_rng(2)
    for _ in range(10):
        w = rng.uniform(-1, 3, 2)
        assert L.value(w) == pytest.approx(L.value(w[::-1]), abs=1e-14)
    minima = [cp for cp in L.critical_points if cp.kind == Kind.MINIMUM]
    saddles = [cp for cp in L.critical_points if cp.kind == Kind.SADDLE]
    assert len(minima) == 2 and len(saddles) == 1
    np.testing.assert_allclose(minima[1].position, minima[0].position[::-1])
    assert saddles[0].position[0] == pytest.approx(saddles[0].position[1])
    # The Fisher is singular exactly on the symmetry line.
    assert abs(np.linalg.det(L.metric(saddles[0].position))) < 1e-12
    assert abs(np.linalg.det(L.metric([0.3, 1.2]))) > 0.1


def test_gaussian_field_covariance_normalisation():
    """E[phi(x) phi(y)] = N f(|x - y|^2 / (2N)), f(r) = exp(-r), by Monte Carlo over seeds."""
    n = 3
    x = np.array([0.3, -0.2, 0.5])
    y = np.array([-0.4, 0.6, 0.1])
    samples = np.array([
        [L.value(x) * L.value(y), L.value(x) ** 2]
        for L in (landscapes.get("gaussian_field", dim=n, features=300, seed=s) for s in range(400))
    ])
    r = np.sum((x - y) ** 2) / (2 * n)
    mean = samples.mean(axis=0)
    err = samples.std(axis=0) / np.sqrt(len(samples))
    assert abs(mean[0] - n * np.exp(-r)) < 4 * err[0]
    assert abs(mean[1] - n) < 4 * err[1]


def test_linear_autoencoder_errors_follow_baldi_hornik():
    lam = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    L = landscapes.get("linear_autoencoder", eigenvalues=lam, p=2)
    subsets = [cp for cp in L.critical_points if cp.note.startswith("I = ")]
    assert len(subsets) == 10
    for cp in subsets:
        members = [int(c) - 1 for c in cp.note[5:-1].split(", ")]
        assert cp.value == pytest.approx(0.5 * (lam.sum() - lam[members].sum()))
        assert (cp.kind == Kind.MINIMUM) == (sorted(members) == [0, 1])


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("nope", {}, "unknown landscape"),
        ("quadratic", dict(bogus=1), "unknown parameter"),
        ("quadratic", dict(eigenvalues=[1.0, float("nan")]), "eigenvalues must be finite"),
        ("quadratic", dict(center=[0.0]), "center must have shape"),
        ("gaussian_field", dict(dim=0), "dim must be an integer"),
        ("gaussian_field", dict(kappa=-1.0), "kappa must be a positive"),
        ("gaussian_field", dict(length_scale=0.0), "length_scale must be in"),
        ("symmetric_net", dict(a=1.0, b=1.0), "a and b must differ"),
        ("linear_net", dict(depth=2, widths=[2, 2]), "widths must list"),
        ("linear_net", dict(s=[1.0, -1.0]), "s (data singular values)"),
        ("linear_autoencoder", dict(eigenvalues=[2.0, 2.0, 1.0]), "distinct"),
        ("linear_autoencoder", dict(p=5), "p must be an integer"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(name, params, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        landscapes.get(name, **params)


def test_bad_points_raise_value_error():
    L = landscapes.get("himmelblau")
    with pytest.raises(ValueError, match="shape"):
        L.value([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="finite"):
        L.grad([np.nan, 0.0])
    with pytest.raises(ValueError, match="no metric"):
        L.metric([0.0, 0.0])


def test_grid_values_match_pointwise_values():
    L = landscapes.get("gaussian_field", dim=4, features=400)
    s = np.linspace(-1, 1, 7)
    t = np.linspace(-2, 2, 5)
    origin = np.array([0.1, 0.2, -0.3, 0.4])
    d1 = np.array([1.0, 0.0, 1.0, 0.0]) / np.sqrt(2)
    d2 = np.array([0.0, 1.0, 0.0, -1.0]) / np.sqrt(2)
    grid = L.grid_values(s, t, origin, d1, d2)
    expected = np.array([[L.value(origin + a * d1 + b * d2) for a in s] for b in t])
    np.testing.assert_allclose(grid, expected, rtol=1e-13)


def test_kernels_accepted_from_a_user_compiled_landscape():
    """A kernel compiled after start-up (as a typed-in expression will be) runs in the loop."""
    import optimizers

    @landscapes.value_kernel
    def value(x, p):
        return p[0] * x[0] ** 2 - x[1] ** 2

    @landscapes.vgh_kernel
    def vgh(x, p, g, h):
        g[0] = 2 * p[0] * x[0]
        g[1] = -2 * x[1]
        h[0, 0] = 2 * p[0]
        h[0, 1] = h[1, 0] = 0.0
        h[1, 1] = -2.0
        return p[0] * x[0] ** 2 - x[1] ** 2

    L = landscapes.build("user", {}, [3.0], landscapes.Kernels(value, vgh), bounds=[(-1, 1), (-1, 1)],
                         formula="", description="", critical=[((0, 0), Kind.SADDLE, 1, False, "")])
    T = optimizers.run(L, "newton", [0.5, 0.5], steps=5)
    assert T.stop is optimizers.Stop.SADDLE
    np.testing.assert_allclose(T.xs[1], [0.0, 0.0], atol=1e-15)


def test_value_gradient_kernel_agrees_with_the_full_kernel():
    L = landscapes.get("gaussian_field", dim=7, features=900, seed=4)
    x = np.linspace(-1, 1, 7)
    g = np.empty(7)
    f = L.kernels.vg(x, L.packed, g)
    f_full, g_full, _ = L.value_grad_hess(x)
    assert f == pytest.approx(f_full, rel=1e-14)
    np.testing.assert_allclose(g, g_full, rtol=1e-13, atol=1e-14)


def test_landscapes_pickle_by_name_and_parameters():
    """Process backends (loky, Dask) receive landscapes rebuilt from the registry."""
    import pickle

    L = landscapes.get("symmetric_net", a=2.0, b=-1.0)
    M = pickle.loads(pickle.dumps(L))
    assert M.params == L.params
    np.testing.assert_array_equal(M.packed, L.packed)
    assert M.value([0.3, 0.4]) == L.value([0.3, 0.4])
