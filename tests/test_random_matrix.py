"""GOE sampling, Wigner's semicircle and the probability that every eigenvalue is positive."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from scipy import integrate, stats

import landscapes
from landscapes import random_matrix as rm


def test_goe_entries_have_the_stated_variances():
    n, radius = 6, 3.0
    h = rm.goe(n, 20_000, seed=1, radius=radius)
    assert h.shape == (20_000, n, n)
    np.testing.assert_array_equal(h, np.swapaxes(h, 1, 2))
    sigma2 = (radius / (2 * np.sqrt(n))) ** 2
    off = h[:, 0, 1]
    diag = h[:, 2, 2]
    # Sample variances of 20000 normals are within ~4 * sqrt(2/20000) = 4 % of the truth.
    assert off.var() == pytest.approx(sigma2, rel=0.04)
    assert diag.var() == pytest.approx(2 * sigma2, rel=0.04)
    assert abs(off.mean()) < 4 * np.sqrt(sigma2 / 20_000)
    assert rm.goe(n, seed=1).shape == (n, n)


def test_semicircle_density_is_a_density_and_the_cdf_its_integral():
    radius, centre = 1.7, -0.4
    total, _ = integrate.quad(rm.semicircle_density, centre - radius, centre + radius, args=(radius, centre))
    assert total == pytest.approx(1.0, abs=1e-10)
    x = np.linspace(centre - 0.99 * radius, centre + 0.99 * radius, 41)
    h = 1e-6
    derivative = (rm.semicircle_cdf(x + h, radius, centre) - rm.semicircle_cdf(x - h, radius, centre)) / (2 * h)
    np.testing.assert_allclose(derivative, rm.semicircle_density(x, radius, centre), atol=1e-7)
    assert rm.semicircle_cdf(centre - radius - 1, radius, centre) == 0.0
    assert rm.semicircle_cdf(centre + radius + 1, radius, centre) == 1.0
    assert rm.semicircle_density(centre + 1.01 * radius, radius, centre) == 0.0


def test_goe_spectrum_passes_ks_against_the_semicircle_and_a_wrong_radius_fails():
    # One eigenvalue picked at random from each of many matrices gives iid draws; the pooled
    # eigenvalues of one matrix repel each other and would make KS blind.
    n, m = 60, 3000
    for radius, seed in [(2.0, 1), (3.0, 2)]:
        lam = rm.goe_eigenvalues(n, m, seed=seed, radius=radius)
        assert lam.shape == (m, n)
        pick = lam[np.arange(m), np.random.default_rng(seed).integers(0, n, m)]
        assert stats.kstest(pick, lambda x: rm.semicircle_cdf(x, radius=radius)).pvalue > 1e-3
        assert stats.kstest(pick, lambda x: rm.semicircle_cdf(x, radius=1.15 * radius)).pvalue < 1e-4


def test_two_by_two_closed_form_matches_its_integral():
    # P(s > r), s ~ N(0, 1), r Rayleigh(1): the integral the closed form came from.
    value, _ = integrate.quad(lambda r: stats.norm.sf(r) * r * np.exp(-r * r / 2), 0, np.inf)
    assert rm.EXACT_ALL_POSITIVE[2] == pytest.approx(value, abs=1e-12)
    assert rm.EXACT_ALL_POSITIVE[2] == pytest.approx((2 - np.sqrt(2)) / 4, abs=1e-15)


@pytest.mark.parametrize("n", [1, 2])
def test_probability_all_positive_matches_exact_small_sizes(n):
    est = rm.probability_all_positive(n, 400_000, seed=11)
    exact = rm.EXACT_ALL_POSITIVE[n]
    assert abs(est.probability - exact) < 4 * np.sqrt(exact * (1 - exact) / est.samples)
    assert est.stderr == pytest.approx(np.sqrt(exact * (1 - exact) / est.samples), rel=0.02)
    assert est.hits == round(est.probability * est.samples)


def test_two_by_two_against_sylvester_criterion_sampled_independently():
    # Positive definite 2x2 <=> h11 > 0 and det > 0, on matrices drawn here, not by the module.
    rng = np.random.default_rng(3)
    a = rng.standard_normal((400_000, 2, 2))
    h = a + np.swapaxes(a, 1, 2)
    sylvester = np.mean((h[:, 0, 0] > 0) & (h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] ** 2 > 0))
    p = rm.EXACT_ALL_POSITIVE[2]
    assert abs(sylvester - p) < 4 * np.sqrt(p * (1 - p) / 400_000)


def test_repulsion_makes_positive_definite_rarer_than_the_coin_flip():
    for n in (3, 4):
        est = rm.probability_all_positive(n, 200_000, seed=n)
        assert est.upper_95 < rm.coin_flip_probability(n) / 4
    assert rm.coin_flip_probability(10) == pytest.approx(2.0**-10)
    assert rm.DEAN_MAJUMDAR_THETA == pytest.approx(np.log(3) / 4)
    assert rm.dean_majumdar_probability(10) == pytest.approx(np.exp(-100 * np.log(3) / 4))
    # For n >= 3 exp(-theta n^2) falls below 2^-n: theta n^2 > n ln 2 once n > 4 ln 2 / ln 3.
    ns = np.arange(3, 20)
    assert np.all(rm.dean_majumdar_probability(ns) < rm.coin_flip_probability(ns))


def test_zero_hits_gives_the_rule_of_three_bound():
    est = rm.probability_all_positive(12, 2000, seed=0)
    assert est.hits == 0 and est.probability == 0.0
    assert est.upper_95 == pytest.approx(3.0 / 2000, rel=0.01)


@given(eps=hst.floats(-4, 4), kappas=hst.lists(hst.floats(0.1, 5.0), min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_field_index_is_the_semicircle_cdf_at_zero(eps, kappas):
    theory = landscapes.get("gaussian_field", dim=3, features=10, kappa=kappas).extras["theory"]
    expected = rm.semicircle_cdf(0.0, theory.radius, float(theory.shift(eps)))
    assert float(theory.index(eps)) == pytest.approx(float(expected), abs=1e-12)


def test_compare_with_theory_on_synthetic_shifted_goe_spectra():
    n = 400
    theory = landscapes.get("gaussian_field", dim=3, features=10, kappa=[0.5, 2.0]).extras["theory"]
    eps = np.array([-0.8, -0.1, 0.5])
    lam = np.stack([np.linalg.eigvalsh(rm.goe(n, seed=i, radius=theory.radius)) + theory.shift(e)
                    for i, e in enumerate(eps)])
    check = rm.compare_with_theory(eps * n, lam, theory)
    np.testing.assert_allclose(check.eps, eps)
    assert check.rms_index_deviation < 0.02
    np.testing.assert_allclose(check.centre_offset, 0.0, atol=0.05)
    np.testing.assert_allclose(check.spread, theory.radius / 2, rtol=0.05)
    wrong = rm.compare_with_theory(eps * n, lam + 0.5, theory)
    assert wrong.rms_index_deviation > 0.05


def test_energy_bands_and_band_density():
    eps = np.array([0.3, -0.2, 0.1, 0.9, -1.0, 0.0, 0.5])
    bands = rm.energy_bands(eps, 3)
    assert sorted(np.concatenate(bands).tolist()) == list(range(7))
    assert [len(b) for b in bands] == [3, 2, 2]
    assert eps[bands[0]].max() <= eps[bands[1]].min() and eps[bands[1]].max() <= eps[bands[2]].min()
    theory = landscapes.get("gaussian_field", dim=3, features=10).extras["theory"]
    grid = np.linspace(-5, 5, 20001)
    density = rm.band_density(grid, eps[bands[0]], theory)
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=1e-4)
    # The mean of the pooled density is the mean predicted centre.
    assert np.trapezoid(grid * density, grid) == pytest.approx(np.mean(theory.shift(eps[bands[0]])), abs=1e-4)
    assert np.all(rm.band_density(grid, [], theory) == 0)


@pytest.mark.parametrize("call", [
    lambda: rm.goe(0), lambda: rm.goe(3, radius=-1), lambda: rm.goe(2.5),
    lambda: rm.probability_all_positive(3, 0), lambda: rm.energy_bands([1.0], 0),
    lambda: rm.compare_with_theory([1.0, 2.0], np.zeros((3, 4)), None),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()
