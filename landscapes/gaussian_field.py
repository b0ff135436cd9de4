"""Random isotropic Gaussian fields in N dimensions by random Fourier features (science.md §3).

    phi(x) = sqrt(2N/D) sum_k cos(w_k . x + b_k),  w_k = sqrt(kappa_k / N) g_k,  g_k ~ N(0, I_N)

so that E[phi(x) phi(y)] = N f(|x - y|^2 / (2N)) with f(r) = E[exp(-kappa r)].  Value density
eps = phi / N.  Bray & Dean (2007): at a critical point of density eps the Hessian is a GOE
semicircle of radius R = 2 sqrt(f''(0)) centred at
t(eps) = 2 f'(0) f''(0) eps / (f(0) f''(0) + f'(0)^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._jit import helper, value_kernel, vg_kernel, vgh_kernel
from .base import Kernels, build, check_int, check_range, register


# packed: [N, D, c, W (D x N, row-major), b (D)]
@helper
def _unpack(p):
    """(scale c, W (D, N), b (D,)) from the packed parameters."""
    n = int(p[0])
    d = int(p[1])
    return p[2], p[3 : 3 + d * n].reshape((d, n)), p[3 + d * n : 3 + d * n + d]


@value_kernel
def _field_value(x, p):
    c, w, b = _unpack(p)
    return c * np.sum(np.cos(w @ x + b))


@vgh_kernel
def _field_vgh(x, p, g, h):
    c, w, b = _unpack(p)
    d, n = w.shape
    z = w @ x + b
    cz = np.cos(z)
    g[:] = -c * (w.T @ np.sin(z))
    # The Hessian is one GEMM: -c W^T diag(cos z) W.
    wc = w * (-c * cz).reshape((d, 1))
    h[:, :] = wc.T @ w
    for i in range(n):  # GEMM round-off leaves H asymmetric in the last bit
        for j in range(i + 1, n):
            avg = 0.5 * (h[i, j] + h[j, i])
            h[i, j] = avg
            h[j, i] = avg
    return c * np.sum(cz)


@vg_kernel
def _field_vg(x, p, g):
    c, w, b = _unpack(p)
    z = w @ x + b
    g[:] = -c * (w.T @ np.sin(z))
    return c * np.sum(np.cos(z))


@dataclass(frozen=True)
class FieldTheory:
    """Bray-Dean predictions for a field with covariance function f, f(0) = 1.

    Attributes
    ----------
    f1, f2 : float
        f'(0) = -E[kappa] and f''(0) = E[kappa^2].
    """

    f1: float
    f2: float
    f0: float = 1.0

    @property
    def radius(self) -> float:
        """Semicircle radius R = 2 sqrt(f''(0))."""
        return 2.0 * np.sqrt(self.f2)

    def shift(self, eps):
        """Semicircle centre t(eps) = 2 f'(0) f''(0) eps / (f(0) f''(0) + f'(0)^2)."""
        return 2.0 * self.f1 * self.f2 * np.asarray(eps) / (self.f0 * self.f2 + self.f1**2)

    def index(self, eps):
        """alpha(eps) = 1/2 + (u sqrt(1 - u^2) + arcsin u) / pi,  u = clip(-t/R, -1, 1)."""
        u = np.clip(-self.shift(eps) / self.radius, -1.0, 1.0)
        return 0.5 + (u * np.sqrt(1.0 - u * u) + np.arcsin(u)) / np.pi

    def semicircle_density(self, lam, eps):
        """Density of Hessian eigenvalues at a critical point of value density eps."""
        x = np.asarray(lam) - self.shift(eps)
        r = self.radius
        return np.where(np.abs(x) < r, 2.0 / (np.pi * r * r) * np.sqrt(np.clip(r * r - x * x, 0, None)), 0.0)

    @property
    def minimum_threshold(self) -> float:
        """eps below which every critical point is a minimum (t(eps) >= R)."""
        return float(self.radius / self.shift(1.0))


@register("gaussian_field")
def gaussian_field(dim=2, features=None, seed=0, kappa=1.0, length_scale=1.0):
    """Random Gaussian field; ``kappa`` a number (f = exp(-kappa r)) or a list of kappas
    (an equal-weight mixture, f = mean_j exp(-kappa_j r)); ``length_scale`` l divides every
    kappa by l^2.  ``features`` D defaults to max(1000, 100 dim)."""
    n = check_int("dim", dim, 1, 2000)
    d = max(1000, 100 * n) if features is None else check_int("features", features, 1, 2_000_000)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    ell = check_range("length_scale", length_scale, 0.0, 1e3, open_lo=True)
    kappas = np.atleast_1d(np.asarray(kappa, dtype=float))
    if kappas.ndim != 1 or kappas.size == 0 or not np.all(np.isfinite(kappas)) or np.any(kappas <= 0):
        raise ValueError(f"kappa must be a positive number or a list of them, got {kappa!r}")
    if d * n > 50_000_000:
        raise ValueError(f"features x dim must be at most 5e7, got {d} x {n}")
    rng = np.random.default_rng(seed)
    k_each = kappas[rng.integers(0, kappas.size, d)] / ell**2
    w = np.sqrt(k_each / n)[:, None] * rng.standard_normal((d, n))
    b = rng.uniform(0.0, 2.0 * np.pi, d)
    packed = np.concatenate([[n, d, np.sqrt(2.0 * n / d)], w.ravel(), b])
    k_eff = kappas / ell**2
    theory = FieldTheory(f1=-float(np.mean(k_eff)), f2=float(np.mean(k_eff**2)))
    half = 3.0 * np.sqrt(n / float(np.mean(k_eff))) if n <= 3 else 3.0
    return build(
        "gaussian_field",
        dict(dim=n, features=d, seed=seed, kappa=kappas.tolist() if kappas.size > 1 else float(kappas[0]),
             length_scale=ell),
        packed,
        Kernels(_field_value, _field_vgh, vg=_field_vg),
        bounds=[(-half, half)] * n,
        formula=r"\phi(x) = \sqrt{2N/D}\sum_{k=1}^{D}\cos(w_k\cdot x + b_k),\quad "
        r"\mathbb E[\phi(x)\phi(y)] = N f\!\left(\tfrac{|x-y|^2}{2N}\right)",
        description="A random smooth landscape. In high dimension its critical points obey "
        "Bray and Dean's law: the higher the value, the larger the fraction of negative "
        "eigenvalues.",
        extras={"theory": theory},
    )
