"""The one idea behind every method: a step rescales the gradient in an eigenbasis,

    step = -V diag(phi(lambda)) V^T g,

and near a critical point multiplies each coordinate eps_i by the factor 1 - lambda_i phi(lambda_i)
(the slides' "Recap").  ``phi`` lives here only: the compiled loops take their steps with it and
``update_factors`` shows the same numbers on screen.

    GD / SGD             phi = alpha
    Newton               phi = alpha / lambda
    damped Newton        phi = alpha / (lambda + m)
    natural gradient     phi = alpha / (mu + m)        on the metric's eigenpairs (mu)
    saddle-free Newton   phi = alpha / (|lambda| + m)  (Dauphin et al. 2014, eq. 13)
    Krylov saddle-free   the same phi on the Ritz pairs of a Lanczos basis
"""

from __future__ import annotations

import numba
import numpy as np

GD, SGD, NEWTON, DAMPED_NEWTON, NATURAL_GRADIENT, SADDLE_FREE, KRYLOV_SADDLE_FREE = range(7)

_opts = dict(cache=True, nogil=True)


@numba.njit(**_opts)
def denominator(code, lam, damping):
    """The quantity phi divides by (1.0 for first-order methods)."""
    if code == GD or code == SGD:
        return 1.0
    if code == NEWTON:
        return lam
    if code == DAMPED_NEWTON or code == NATURAL_GRADIENT:
        return lam + damping
    return abs(lam) + damping


@numba.njit(**_opts)
def phi(code, lam, lr, damping):
    """Step scale along an eigendirection with eigenvalue ``lam`` (inf where singular)."""
    if code == GD or code == SGD:
        return lr
    d = denominator(code, lam, damping)
    if d == 0.0:
        return np.inf
    return lr / d


@numba.njit(**_opts)
def auto_damping(lam_min, margin):
    """The slides' damping: the smallest m with lambda_min + m > 0, plus ``margin``:
    m = max(0, margin - lambda_min), so that lambda_min + m >= margin."""
    return max(0.0, margin - lam_min)


@numba.njit(**_opts)
def eigh_sym_into(h, lam, vecs):
    """Ascending eigenvalues and eigenvectors (columns) of a symmetric matrix, written into
    ``lam`` (n,) and ``vecs`` (n, n).

    2x2 in closed form (0.15 us instead of a LAPACK call); larger through LAPACK.
    """
    n = h.shape[0]
    if n == 1:
        lam[0] = h[0, 0]
        vecs[0, 0] = 1.0
    elif n == 2:
        a, b, c = h[0, 0], 0.5 * (h[0, 1] + h[1, 0]), h[1, 1]
        mean = 0.5 * (a + c)
        rad = np.hypot(0.5 * (a - c), b)
        upper = mean + rad
        lam[0], lam[1] = mean - rad, upper
        # Eigenvector of the larger eigenvalue without trigonometry: (b, upper - a) and
        # (upper - c, b) both solve (H - upper I) v = 0; the longer one is the accurate one.
        px, py = b, upper - a
        qx, qy = upper - c, b
        if px * px + py * py < qx * qx + qy * qy:
            px, py = qx, qy
        big = max(abs(px), abs(py))
        if big == 0.0:  # H = a I: every vector is an eigenvector
            px, py, big = 1.0, 0.0, 1.0
        px, py = px / big, py / big  # first to O(1): subnormal entries lose digits in hypot
        norm = np.hypot(px, py)
        px, py = px / norm, py / norm
        if px < 0.0 or (px == 0.0 and py < 0.0):
            px, py = -px, -py
        vecs[0, 0], vecs[1, 0] = -py, px
        vecs[0, 1], vecs[1, 1] = px, py
    else:
        w, v = np.linalg.eigh(h)
        lam[:] = w
        vecs[:, :] = v


@numba.njit(**_opts)
def eigh_sym(h):
    """``eigh_sym_into`` returning new arrays."""
    n = h.shape[0]
    lam = np.empty(n)
    vecs = np.empty((n, n))
    eigh_sym_into(h, lam, vecs)
    return lam, vecs


def update_factors(method: str, eigenvalues, lr=None, damping=None, margin=None,
                   metric_eigenvalues=None) -> np.ndarray:
    """Per-eigendirection factors 1 - lambda_i phi(lambda_i) of one step near a critical point.

    theta_new = theta* + sum_i factor_i eps_i v_i.  Hyperparameters default as in ``run``.

    Parameters
    ----------
    method : str
        A name from ``methods()``.
    eigenvalues : array_like, shape (n,)
        Hessian eigenvalues lambda_i at the critical point.
    metric_eigenvalues : array_like, shape (n,), optional
        For ``natural_gradient`` only: the metric's eigenvalues mu_i in the same eigenbasis
        (the metric must commute with H for the factors to be per-direction).

    Returns
    -------
    ndarray, shape (n,)
        Factors; ``inf`` where the step divides by zero.
    """
    from .methods import resolve

    spec, hyper = resolve(method, dict(lr=lr, damping=damping, margin=margin))
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim != 1 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be a finite 1-D array, got {eigenvalues!r}")
    code, step_lr = spec.code, hyper["lr"]
    damping_value = hyper.get("damping", 0.0)
    if damping_value == "auto":
        damping_value = float(auto_damping(lam.min(), hyper["margin"])) if code == DAMPED_NEWTON else 0.0
    scales = lam
    if code == NATURAL_GRADIENT:
        if metric_eigenvalues is None:
            raise ValueError(
                "natural_gradient factors need metric_eigenvalues (the Fisher's eigenvalues "
                "in the Hessian's eigenbasis)"
            )
        scales = np.asarray(metric_eigenvalues, dtype=float)
        if scales.shape != lam.shape:
            raise ValueError(f"metric_eigenvalues must have shape {lam.shape}, got {scales.shape}")
    out = np.empty_like(lam)
    for i in range(lam.size):
        p = phi(code, scales[i], step_lr, damping_value)
        out[i] = 1.0 - lam[i] * p if np.isfinite(p) else np.inf
    return out
