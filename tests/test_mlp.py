"""The tanh_mlp landscape: exact derivatives against finite differences and an independent
numpy model, its Gauss-Newton metric, the digits it is trained on, and its idle-units saddle."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import landscapes
import landscapes.mlp as mlp  # registers tanh_mlp until landscapes/__init__ imports it
import optimizers

SMALL = dict(hidden=3, n_components=4, n_classes=3, n_samples=30, seed=1)


def _outputs(L, theta):
    """Network outputs (m, k) in plain numpy, independent of the kernels."""
    w = mlp.unpack(theta, L)
    return np.tanh(L.extras["x"] @ w["W1"].T + w["b1"]) @ w["W2"].T + w["b2"]


def _points(L, count=3):
    rng = np.random.default_rng(7)
    return [mlp.random_start(L, seed=i) + 0.3 * rng.standard_normal(L.dim) for i in range(count)]


@pytest.fixture(scope="module", params=[SMALL, {}], ids=["small", "default"])
def L(request):
    return landscapes.get("tanh_mlp", **request.param)


def test_registered():
    assert "tanh_mlp" in landscapes.names()


def test_parameter_count(L):
    d, h, k = L.params["n_components"], L.params["hidden"], L.params["n_classes"]
    assert L.dim == h * d + h + k * h + k


def test_value_matches_numpy_model(L):
    for theta in _points(L):
        residual = _outputs(L, theta) - L.extras["targets"]
        assert L.value(theta) == pytest.approx(0.5 * np.sum(residual**2) / residual.shape[0], rel=1e-13)


def test_gradient_matches_central_differences(L):
    eps = 1e-6
    for theta in _points(L):
        fd = np.array([(L.value(theta + eps * e) - L.value(theta - eps * e)) / (2 * eps) for e in np.eye(L.dim)])
        np.testing.assert_allclose(L.grad(theta), fd, atol=1e-8)


def test_hessian_matches_central_differences_of_the_gradient(L):
    eps = 1e-6
    for theta in _points(L):
        h = L.hess(theta)
        fd = np.array([(L.grad(theta + eps * e) - L.grad(theta - eps * e)) / (2 * eps) for e in np.eye(L.dim)])
        np.testing.assert_allclose(h, fd, atol=1e-7)
        assert np.array_equal(h, h.T)


def test_gauss_newton_is_jtj_of_the_outputs_and_psd(L):
    eps = 1e-6
    m = L.params["n_samples"]
    for theta in _points(L, 2):
        # Jacobian of the outputs by central differences, rows (i, o)
        jac = np.array([((_outputs(L, theta + eps * e) - _outputs(L, theta - eps * e)) / (2 * eps)).ravel()
                        for e in np.eye(L.dim)]).T
        g = L.metric(theta)
        np.testing.assert_allclose(g, jac.T @ jac / m, atol=1e-8)
        assert np.linalg.eigvalsh(g).min() >= -1e-12 * np.abs(g).max()


def test_hessian_minus_gauss_newton_vanishes_with_the_residuals():
    # At a point that fits its own outputs the residual term R is zero: H = J^T J / m.
    L = landscapes.get("tanh_mlp", **SMALL)
    theta = _points(L, 1)[0]
    teacher = landscapes.get("tanh_mlp", **SMALL)
    object.__setattr__(teacher, "packed", L.packed.copy())
    m, d = L.params["n_samples"], L.params["n_components"]
    teacher.packed[4 + m * d:] = _outputs(L, theta).ravel()
    assert teacher.value(theta) == pytest.approx(0.0, abs=1e-28)
    np.testing.assert_allclose(teacher.hess(theta), teacher.metric(theta), atol=1e-14)


def test_idle_units_saddle_has_the_stated_index_and_spectrum(L):
    cp = L.critical_points[0]
    f, g, h = L.value_grad_hess(cp.position)
    assert np.linalg.norm(g) < 1e-13
    lam = np.linalg.eigvalsh(h)
    assert int(np.sum(lam < -1e-9)) == cp.index > 0
    # eigenvalues +-sigma_q(C), each h times, and 1 (k times) from b2
    sigma = np.linalg.svd(L.extras["coupling"], compute_uv=False)
    sigma = sigma[sigma > 1e-10]
    hidden, k = L.params["hidden"], L.params["n_classes"]
    expected_nonzero = np.sort(np.concatenate([np.repeat(-sigma, hidden), np.repeat(sigma, hidden), np.ones(k)]))
    nonzero = lam[np.abs(lam) > 1e-9]
    np.testing.assert_allclose(nonzero, expected_nonzero, atol=1e-10)
    assert cp.kind == landscapes.Kind.SADDLE
    assert f == pytest.approx(0.5 * np.mean(np.sum((L.extras["targets"] - L.extras["targets"].mean(0)) ** 2, axis=1)))


def test_digit_features():
    x, labels, explained = mlp.digits_features(5, 4, 150, seed=3)
    assert x.shape == (150, 5) and set(labels) <= {0, 1, 2, 3}
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1.0, rtol=1e-12)
    assert 0.3 < explained < 1.0
    again, labels_again, _ = mlp.digits_features(5, 4, 150, seed=3)
    assert np.array_equal(x, again) and np.array_equal(labels, labels_again)
    # PCA components are uncorrelated
    cov = np.cov(x.T)
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0.0, atol=1e-10)


def test_classification_error_counts_misclassified_digits():
    L = landscapes.get("tanh_mlp", **SMALL)
    theta = _points(L, 1)[0]
    expected = np.mean(np.argmax(_outputs(L, theta), axis=1) != L.extras["labels"])
    assert mlp.classification_error(L, theta) == expected


@pytest.mark.parametrize("bad", [dict(hidden=0), dict(n_classes=1), dict(n_samples=5000),
                                 dict(n_components=0), dict(hidden=1.5)])
def test_invalid_parameters_raise_value_error(bad):
    with pytest.raises(ValueError):
        landscapes.get("tanh_mlp", **(SMALL | bad))


def test_kernels_callable_from_a_users_njit():
    L = landscapes.get("tanh_mlp", **SMALL)
    value = L.kernels.value

    @numba.njit
    def twice(x, p):
        return 2.0 * value(x, p)

    theta = _points(L, 1)[0]
    assert twice(theta, L.packed) == pytest.approx(2.0 * L.value(theta))


def test_every_method_ends_with_a_named_stop():
    L = landscapes.get("tanh_mlp", **SMALL)
    x0 = mlp.plateau_start(L, 0.01)
    for method in optimizers.methods():
        T = optimizers.run(L, method, x0, steps=15)
        assert isinstance(T.stop, optimizers.Stop)
        assert np.all(np.isfinite(T.values))
