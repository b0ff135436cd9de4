"""Random matrices behind the random-landscape picture (science.md §3 and §6), pure numpy.

The Gaussian orthogonal ensemble (GOE) of n x n symmetric matrices,

    H = sigma (A + A^T) / sqrt(2),  A_ij ~ N(0, 1) iid,  sigma = R / (2 sqrt(n)),

has off-diagonal variance sigma^2, diagonal variance 2 sigma^2, and for large n its
eigenvalues fill Wigner's semicircle of radius R:

    rho(lambda) = 2 / (pi R^2) sqrt(R^2 - lambda^2),   |lambda| < R.

With R = 2 sqrt(f''(0)) this is the Hessian of the Gaussian field at a critical point, shifted
by t(eps) (Bray & Dean 2007): its eigenvalues themselves, not rescaled by N.

The slides' coin-flip argument gives P(all n eigenvalues > 0) = 2^-n; eigenvalues repel,
and the true probability is far smaller, P ~ exp(-theta n^2) with theta = ln 3 / 4
(Dean & Majumdar 2006, 2008).  ``probability_all_positive`` measures it by sampling.

References
----------
D. S. Dean and S. N. Majumdar, "Large deviations of extreme eigenvalues of random matrices",
Phys. Rev. Lett. 97, 160201 (2006); Phys. Rev. E 77, 041108 (2008), eq. (3): theta = ln 3 / 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Dean & Majumdar (2008), PRE 77, 041108: P(GOE positive definite) ~ exp(-theta n^2).
DEAN_MAJUMDAR_THETA = np.log(3.0) / 4.0

# P(all eigenvalues > 0) known in closed form: n = 1 by symmetry; n = 2 from
# H = [[s + d, b], [b, s - d]], s, d, b ~ N(0, sigma^2) iid: eigenvalues s +- r with r
# Rayleigh, P(s > r) = int_0^inf (1 - Phi(r)) r e^(-r^2/2) dr = 1/2 - 1/(2 sqrt 2).
EXACT_ALL_POSITIVE = {1: 0.5, 2: 0.5 - 0.5 / np.sqrt(2.0)}

# Matrices sampled per batch are limited to this many float64 entries (~64 MB).
_BATCH_ENTRIES = 8_000_000


def _check_size(n) -> int:
    if isinstance(n, bool) or not float(n).is_integer() or not 1 <= int(n) <= 5000:
        raise ValueError(f"matrix size n must be an integer in [1, 5000], got {n!r}")
    return int(n)


def _check_samples(samples) -> int:
    if isinstance(samples, bool) or not float(samples).is_integer() or not 1 <= int(samples) <= 100_000_000:
        raise ValueError(f"samples must be an integer in [1, 1e8], got {samples!r}")
    return int(samples)


def _check_radius(radius) -> float:
    radius = float(radius)
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"semicircle radius R must be > 0, got {radius!r}")
    return radius


def goe(n: int, samples: int | None = None, *, seed=0, radius: float = 2.0) -> np.ndarray:
    """GOE matrices normalised so that their spectrum fills the semicircle of radius R.

    Parameters
    ----------
    n : int
        Matrix size.
    samples : int or None
        Number of matrices; None for a single one.
    seed : int or numpy.random.Generator
    radius : float
        Semicircle radius R (R = 2: off-diagonal variance 1/n).

    Returns
    -------
    ndarray, shape (n, n) or (samples, n, n)
        Symmetric matrices sigma (A + A^T) / sqrt(2), sigma = R / (2 sqrt(n)).
    """
    n = _check_size(n)
    radius = _check_radius(radius)
    count = 1 if samples is None else _check_samples(samples)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    a = rng.standard_normal((count, n, n))
    h = (a + np.swapaxes(a, 1, 2)) * (radius / (2.0 * np.sqrt(n)) / np.sqrt(2.0))
    return h[0] if samples is None else h


def goe_eigenvalues(n: int, samples: int, *, seed=0, radius: float = 2.0) -> np.ndarray:
    """Eigenvalues of ``samples`` independent GOE matrices, shape (samples, n), ascending."""
    n = _check_size(n)
    samples = _check_samples(samples)
    rng = np.random.default_rng(seed)
    out = np.empty((samples, n))
    batch = max(1, _BATCH_ENTRIES // (n * n))
    for start in range(0, samples, batch):
        stop = min(samples, start + batch)
        out[start:stop] = np.linalg.eigvalsh(goe(n, stop - start, seed=rng, radius=radius))
    return out


def semicircle_density(lam, radius: float = 2.0, centre: float = 0.0) -> np.ndarray:
    """Wigner's semicircle rho(lambda) = 2 / (pi R^2) sqrt(R^2 - (lambda - c)^2); integrates to 1."""
    radius = _check_radius(radius)
    x = np.asarray(lam, dtype=float) - centre
    return 2.0 / (np.pi * radius**2) * np.sqrt(np.clip(radius**2 - x * x, 0.0, None))


def semicircle_cdf(lam, radius: float = 2.0, centre: float = 0.0) -> np.ndarray:
    """F(lambda) = 1/2 + (u sqrt(1 - u^2) + arcsin u) / pi,  u = clip((lambda - c) / R, -1, 1).

    Bray and Dean's index is this CDF at zero: alpha(eps) = F(0) with centre t(eps).
    """
    radius = _check_radius(radius)
    u = np.clip((np.asarray(lam, dtype=float) - centre) / radius, -1.0, 1.0)
    return 0.5 + (u * np.sqrt(1.0 - u * u) + np.arcsin(u)) / np.pi


def coin_flip_probability(n) -> np.ndarray:
    """The slides' estimate P(all n eigenvalues > 0) = 2^-n (independent signs)."""
    return 0.5 ** np.asarray(n, dtype=float)


def dean_majumdar_probability(n) -> np.ndarray:
    """Large-n law P(all n eigenvalues > 0) ~ exp(-theta n^2), theta = ln 3 / 4."""
    n = np.asarray(n, dtype=float)
    return np.exp(-DEAN_MAJUMDAR_THETA * n * n)


@dataclass(frozen=True)
class PositivityEstimate:
    """Monte Carlo estimate of P(a GOE matrix of size n is positive definite).

    Attributes
    ----------
    n : int
    samples : int
    hits : int
        Sampled matrices whose eigenvalues were all > 0.
    probability : float
        hits / samples.
    stderr : float
        Binomial standard error sqrt(p (1 - p) / samples).
    upper_95 : float
        One-sided 95 % upper bound (Clopper-Pearson; 3 / samples when hits = 0).
    """

    n: int
    samples: int
    hits: int
    probability: float
    stderr: float
    upper_95: float


def probability_all_positive(n: int, samples: int, *, seed=0) -> PositivityEstimate:
    """Fraction of ``samples`` GOE matrices of size n with every eigenvalue > 0.

    The sign pattern does not depend on the radius, so none is asked for.
    """
    from scipy.stats import beta

    n = _check_size(n)
    samples = _check_samples(samples)
    rng = np.random.default_rng(seed)
    batch = max(1, _BATCH_ENTRIES // (n * n))
    hits = 0
    for start in range(0, samples, batch):
        count = min(batch, samples - start)
        if n == 1:
            hits += int(np.sum(rng.standard_normal(count) > 0))
            continue
        lowest = np.linalg.eigvalsh(goe(n, count, seed=rng))[:, 0]
        hits += int(np.sum(lowest > 0))
    p = hits / samples
    upper = float(beta.ppf(0.95, hits + 1, samples - hits)) if hits < samples else 1.0
    return PositivityEstimate(n, samples, hits, p, float(np.sqrt(p * (1 - p) / samples)), upper)


# -- the Hessian at critical points of a Gaussian field --------------------------------------


@dataclass(frozen=True)
class SpectraAgainstTheory:
    """Critical points of a Gaussian field compared with Bray and Dean's predictions.

    Attributes
    ----------
    eps : ndarray, shape (m,)
        Value densities phi / N.
    alpha : ndarray, shape (m,)
        Measured index fractions (negative eigenvalues / N).
    alpha_theory : ndarray, shape (m,)
        alpha(eps) of the theory.
    rms_index_deviation : float
        sqrt(mean (alpha - alpha(eps))^2).
    centre_offset : ndarray, shape (m,)
        Mean Hessian eigenvalue minus the predicted centre t(eps).
    spread : ndarray, shape (m,)
        Standard deviation of the Hessian eigenvalues at each point; the semicircle
        predicts R / 2.
    """

    eps: np.ndarray
    alpha: np.ndarray
    alpha_theory: np.ndarray
    rms_index_deviation: float
    centre_offset: np.ndarray
    spread: np.ndarray


def compare_with_theory(values, eigenvalues, theory) -> SpectraAgainstTheory:
    """Compare critical points with the shifted semicircle.

    Parameters
    ----------
    values : array_like, shape (m,)
        phi at the critical points.
    eigenvalues : array_like, shape (m, N)
        Hessian eigenvalues at the critical points.
    theory : landscapes.gaussian_field.FieldTheory
        ``L.extras["theory"]`` of the field.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    values = np.asarray(values, dtype=float)
    if lam.ndim != 2 or values.shape != (lam.shape[0],):
        raise ValueError(f"values (m,) and eigenvalues (m, N) must match, got {values.shape} and {lam.shape}")
    n = lam.shape[1]
    eps = values / n
    alpha = np.mean(lam < 0, axis=1)
    alpha_theory = np.asarray(theory.index(eps), dtype=float)
    rms = float(np.sqrt(np.mean((alpha - alpha_theory) ** 2))) if eps.size else float("nan")
    return SpectraAgainstTheory(
        eps, alpha, alpha_theory, rms,
        lam.mean(axis=1) - np.asarray(theory.shift(eps), dtype=float) if eps.size else np.zeros(0),
        lam.std(axis=1) if eps.size else np.zeros(0),
    )


def energy_bands(eps, bands: int = 3) -> list[np.ndarray]:
    """Indices of the points in ``bands`` groups of (nearly) equal size, lowest eps first."""
    eps = np.asarray(eps, dtype=float)
    if isinstance(bands, bool) or not float(bands).is_integer() or bands < 1:
        raise ValueError(f"bands must be an integer >= 1, got {bands!r}")
    return [part for part in np.array_split(np.argsort(eps, kind="stable"), int(bands))]


def band_density(lam, eps_in_band, theory) -> np.ndarray:
    """Predicted density of the pooled Hessian eigenvalues of points with densities eps_in_band:
    the average of their shifted semicircles, shape of ``lam``."""
    eps_in_band = np.atleast_1d(np.asarray(eps_in_band, dtype=float))
    lam = np.asarray(lam, dtype=float)
    if eps_in_band.size == 0:
        return np.zeros_like(lam)
    centres = np.asarray(theory.shift(eps_in_band), dtype=float)
    return np.mean([semicircle_density(lam, theory.radius, c) for c in centres], axis=0)
