"""Power iteration and Lanczos (optimizers.krylov) against numpy.linalg on seeded spectra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import landscapes
import optimizers
from optimizers.krylov import power_iteration


def symmetric(eigenvalues, seed: int) -> np.ndarray:
    """Q diag(eigenvalues) Q^T with a Haar-random orthogonal Q."""
    lam = np.asarray(eigenvalues, dtype=float)
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((lam.size, lam.size)))
    q = q * np.sign(np.diag(r))
    return (q * lam) @ q.T


def separated_top(n: int = 100) -> np.ndarray:
    """Bulk uniform in [-1, 1] and one eigenvalue at 3: Lanczos converges to it in ~10 steps."""
    return np.r_[np.linspace(-1.0, 1.0, n - 1), 3.0]


@pytest.mark.parametrize("n, seed", [(30, 0), (57, 1), (80, 2)])
def test_full_lanczos_with_reorthogonalisation_reproduces_eigvalsh(n, seed):
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(-3.0, 2.0, n))  # straddles zero
    h = symmetric(lam, seed)
    lz = optimizers.lanczos(lambda v: h @ v, rng.standard_normal(n), n, reorthogonalize=True)
    assert lz.basis.shape == (n, n)
    np.testing.assert_allclose(lz.ritz_values(), np.linalg.eigvalsh(h), atol=1e-10, rtol=0)
    np.testing.assert_allclose(lz.basis.T @ lz.basis, np.eye(n), atol=1e-12)
    np.testing.assert_allclose(lz.basis.T @ h @ lz.basis, lz.tridiagonal, atol=1e-10)
    assert lz.orthogonality_loss()[-1] < 1e-13


def test_plain_lanczos_loses_orthogonality_and_makes_ghosts():
    h = symmetric(separated_top(), 3)
    start = np.random.default_rng(3).standard_normal(100)
    plain = optimizers.lanczos(lambda v: h @ v, start, 80, reorthogonalize=False)
    full = optimizers.lanczos(lambda v: h @ v, start, 80, reorthogonalize=True)
    loss = plain.orthogonality_loss()
    assert loss[4] < 1e-12  # orthogonal until the top Ritz value converges...
    assert loss[-1] > 1e-2  # ...then lost (Paige): nothing like round-off
    assert full.orthogonality_loss()[-1] < 1e-13
    near_top = lambda r: int(np.sum(np.abs(r - 3.0) < 1e-6))  # noqa: E731
    assert near_top(full.ritz_values()) == 1
    assert near_top(plain.ritz_values()) >= 2  # the same eigenvalue found again: a ghost
    # The ghosts are copies, not errors: the extreme Ritz values are still right.
    assert plain.ritz_values()[-1] == pytest.approx(3.0, abs=1e-10)


def test_loss_of_orthogonality_grows_as_the_top_ritz_value_converges():
    h = symmetric(separated_top(), 4)
    plain = optimizers.lanczos(lambda v: h @ v, np.ones(100), 40, reorthogonalize=False)
    loss = plain.orthogonality_loss()
    error = np.array([abs(plain.ritz_values(j)[-1] - 3.0) for j in range(1, 41)])
    # Paige: |q_{j+1} . y| ~ eps / (beta_j |s_ji|), i.e. loss grows as the error falls.
    first_lost = int(np.argmax(loss > 1e-8))
    assert first_lost > 0 and error[first_lost] < 1e-6


@pytest.mark.parametrize("spectrum, dominant", [([1.0, 2.0, 3.0, -5.0], -5.0), ([0.5, -1.0, 4.0, 1.5], 4.0)])
def test_power_iteration_converges_to_the_eigenvalue_of_largest_magnitude(spectrum, dominant):
    lam = np.r_[spectrum, np.linspace(-0.3, 0.3, 20)]
    h = symmetric(lam, 5)
    quotients = power_iteration(lambda v: h @ v, np.random.default_rng(5).standard_normal(lam.size), 120)
    assert quotients.shape == (120,)
    assert quotients[-1] == pytest.approx(dominant, abs=1e-10)  # not lambda_max when that is smaller


def test_power_iteration_error_falls_like_the_squared_eigenvalue_ratio():
    # Start with equal weight on every eigenvector: the Rayleigh quotient after m products is
    # sum_i lambda_i^(2m+1) / sum_i lambda_i^(2m), so its error is (lambda_1 - lambda_2)
    # (lambda_2 / lambda_1)^(2m) to leading order.
    lam = np.array([-5.0, 3.0, 0.2, -0.1, 0.05])
    q, _ = np.linalg.qr(np.random.default_rng(6).standard_normal((5, 5)))
    h = (q * lam) @ q.T
    quotients = power_iteration(lambda v: h @ v, q @ np.ones(5), 20)
    m = np.arange(8, 16)
    predicted = (3.0 - -5.0) * (3.0 / 5.0) ** (2 * m)
    np.testing.assert_allclose(np.abs(quotients[m] - -5.0), predicted, rtol=0.02)


@given(seed=hst.integers(0, 2**32 - 1), n=hst.integers(2, 25), reorth=hst.booleans())
@settings(max_examples=30, deadline=None)
def test_ritz_values_lie_inside_the_spectrum(seed, n, reorth):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(-2.0, 2.0, n)
    h = symmetric(lam, seed % 1000)
    lz = optimizers.lanczos(lambda v: h @ v, rng.standard_normal(n), n, reorthogonalize=reorth)
    for j in range(1, len(lz.alphas) + 1):
        ritz = lz.ritz_values(j)
        assert ritz.min() >= lam.min() - 1e-8 and ritz.max() <= lam.max() + 1e-8


def test_krylov_saddle_free_step_with_k_equal_n_is_the_exact_step_on_a_linear_net():
    # Matrix-free path (the network's own hvp and gradient) against the dense Hessian.
    L = landscapes.get("linear_net", depth=2, widths=[4, 5, 4], seed=1)
    x = np.random.default_rng(1).normal(scale=0.4, size=L.dim)
    damping = 0.1
    step = optimizers.krylov_saddle_free_step(L, x, k=L.dim, damping=damping)
    lam, vecs = np.linalg.eigh(L.hess(x))
    exact = -(vecs @ ((vecs.T @ L.grad(x)) / (np.abs(lam) + damping)))
    np.testing.assert_allclose(step.step, exact, atol=1e-9 * np.linalg.norm(exact))


def test_bad_arguments_raise():
    h = np.eye(3)
    with pytest.raises(ValueError):
        optimizers.lanczos(lambda v: h @ v, np.zeros(3), 2)
    with pytest.raises(ValueError):
        optimizers.lanczos(lambda v: h @ v, np.ones(3), 4)
