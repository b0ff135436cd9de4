"""Bray and Dean's theory of the Gaussian field (science.md §3) against closed forms, Monte
Carlo over seeds, and critical points found by Newton's method (the page's acceptance test)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as hst
from scipy import integrate

import landscapes
import optimizers
from landscapes import random_matrix as rm


def theory_of(**params):
    return landscapes.get("gaussian_field", dim=3, features=10, **params).extras["theory"]


def test_kappa_one_closed_forms():
    th = theory_of(kappa=1.0)
    eps = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(th.shift(eps), -eps, atol=1e-15)
    assert th.radius == pytest.approx(2.0)
    assert th.index(-2.0) == pytest.approx(0.0, abs=1e-15)
    assert th.index(0.0) == pytest.approx(0.5, abs=1e-15)
    assert th.index(2.0) == pytest.approx(1.0, abs=1e-15)
    assert th.index(-3.0) == 0.0 and th.index(3.0) == 1.0
    assert th.minimum_threshold == pytest.approx(-2.0)
    # alpha(eps) = 1/2 + (u sqrt(1 - u^2) + arcsin u) / pi with u = eps / 2.
    u = 0.3
    assert th.index(0.6) == pytest.approx(0.5 + (u * np.sqrt(1 - u * u) + np.arcsin(u)) / np.pi, abs=1e-14)


def test_mixture_closed_forms_and_length_scale():
    th = theory_of(kappa=[0.5, 2.0])
    assert th.f1 == pytest.approx(-1.25) and th.f2 == pytest.approx(2.125)
    assert th.radius == pytest.approx(2 * np.sqrt(2.125))
    t1 = 2 * (-1.25) * 2.125 / (2.125 + 1.25**2)
    assert th.shift(1.0) == pytest.approx(t1)
    assert th.minimum_threshold == pytest.approx(2 * np.sqrt(2.125) / t1)
    assert th.index(th.minimum_threshold) == pytest.approx(0.0, abs=1e-12)
    assert th.index(th.minimum_threshold + 0.05) > 0.0
    scaled = theory_of(kappa=[0.5, 2.0], length_scale=2.0)
    assert scaled.f1 == pytest.approx(-1.25 / 4) and scaled.f2 == pytest.approx(2.125 / 16)


@pytest.mark.parametrize("kappa", [1.0, [0.5, 2.0]])
def test_semicircle_density_of_the_theory(kappa):
    th = theory_of(kappa=kappa)
    for eps in (-0.7, 0.0, 0.4):
        t = float(th.shift(eps))
        total, _ = integrate.quad(th.semicircle_density, t - th.radius, t + th.radius, args=(eps,))
        assert total == pytest.approx(1.0, abs=1e-9)
        lam = np.linspace(t - 1.2 * th.radius, t + 1.2 * th.radius, 51)
        np.testing.assert_allclose(th.semicircle_density(lam, eps), rm.semicircle_density(lam, th.radius, t), atol=1e-14)
        # The index is the mass below zero.
        below, _ = integrate.quad(th.semicircle_density, t - th.radius, min(0.0, t + th.radius), args=(eps,))
        assert float(th.index(eps)) == pytest.approx(below if t - th.radius < 0 else 0.0, abs=1e-8)


def test_mixture_moments_against_monte_carlo_over_seeds():
    """E[phi(x) phi(y)] = N f(|x-y|^2 / (2N)), E[phi H_11] = f'(0), N E[H_12^2] = f''(0) and
    E[g_1^2] = -f'(0), with f(r) = mean_j exp(-kappa_j r): unbiased for any D, so averaged
    over many seeds of a small field."""
    n, d, seeds = 4, 64, 4000
    kappas = np.array([0.5, 2.0])
    x = np.array([0.3, -0.5, 1.0, 0.2])
    y = x + np.array([2.0, -2.0, 1.0, 1.0])
    r = np.sum((x - y) ** 2) / (2 * n)
    samples = {"cov": [], "var": [], "phi_h11": [], "h12": [], "g1": []}
    for seed in range(seeds):
        L = landscapes.get("gaussian_field", dim=n, features=d, seed=seed, kappa=kappas.tolist())
        fx, g, h = L.value_grad_hess(x)
        samples["cov"].append(fx * L.value(y))
        samples["var"].append(fx * fx)
        samples["phi_h11"].append(fx * h[0, 0])
        samples["h12"].append(n * h[0, 1] ** 2)
        samples["g1"].append(g[0] ** 2)
    th = L.extras["theory"]
    expected = {"cov": n * np.mean(np.exp(-kappas * r)), "var": n * 1.0, "phi_h11": th.f1,
                "h12": th.f2, "g1": -th.f1}
    for name, values in samples.items():
        values = np.asarray(values)
        stderr = values.std(ddof=1) / np.sqrt(seeds)
        assert abs(values.mean() - expected[name]) < 4 * stderr, (name, values.mean(), expected[name], stderr)
    # The same Monte Carlo rejects the single-kappa value with the same mean kappa.
    cov = np.asarray(samples["cov"])
    assert abs(cov.mean() - n * np.exp(-kappas.mean() * r)) > 3 * cov.std(ddof=1) / np.sqrt(seeds)


# -- acceptance: critical points of a field at N = 30 ------------------------------------------

N, D, STARTS, HALF_WIDTH = 30, 3000, 300, 3.0


def survey(seed: int):
    L = landscapes.get("gaussian_field", dim=N, features=D, seed=seed, kappa=1.0)
    starts = np.random.default_rng((seed, 1)).uniform(-HALF_WIDTH, HALF_WIDTH, (STARTS, N))
    search = optimizers.find_critical_points(L, starts, gtol=1e-8, max_iter=50)
    values = np.array([p.value for p in search.points])
    eigenvalues = np.array([p.eigenvalues for p in search.points])
    return L, search, rm.compare_with_theory(values, eigenvalues, L.extras["theory"])


def check_acceptance(seed: int):
    L, search, check = survey(seed)
    assert len(search.points) >= 100, f"seed {seed}: only {len(search.points)} critical points"
    assert check.rms_index_deviation <= 0.05, f"seed {seed}: RMS {check.rms_index_deviation:.3f}"
    assert all(p.grad_norm <= 1e-8 for p in search.points)
    # The index is an eigenvalue count of the Hessian there, not a number the finder reports.
    p = search.points[0]
    assert p.index == int(np.sum(np.linalg.eigvalsh(L.hess(p.position)) < 0))
    return check


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_index_follows_alpha_of_eps_at_n30(seed):
    check = check_acceptance(seed)
    # The eigenvalues themselves (not scaled by N) fill the semicircle of radius 2 around t(eps).
    assert abs(np.mean(check.centre_offset)) < 0.05
    assert np.mean(check.spread) == pytest.approx(1.0, rel=0.1)


@pytest.mark.slow
@given(seed=hst.integers(2, 2**32 - 1))
@settings(max_examples=1, deadline=None, database=None, phases=[Phase.generate])
def test_index_follows_alpha_of_eps_for_a_random_seed(seed):
    check_acceptance(seed)
