"""Critical points by Newton's method on grad f = 0, safeguarded by Levenberg-Marquardt.

The residual is r = grad f with Jacobian H, so a Levenberg-Marquardt step is
p = -(H^2 + mu I)^-1 H g = -V diag(lambda / (lambda^2 + mu)) V^T g: plain Newton when mu = 0,
a short gradient-of-||g||^2 step when mu is large.  A point is accepted only when ||g|| is at
round-off level: Newton-type finders also stall in "gradient-flat" regions (Frye et al. 2021).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numba
import numpy as np
from numba import types

from landscapes import Landscape, classify_eigenvalues
from landscapes._jit import VgFn, VghFn, mat, no_vg, vec

from .spectral import eigh_sym_into

# A start whose gradient is still above this after GIVE_UP_AFTER iterations is abandoned:
# it is wandering a gradient-flat region, and such starts rarely converge (measured on
# gaussian_field at N = 30: 9 of 235 points lost, a quarter of the time saved).
GIVE_UP_GRADIENT = 1e-3
GIVE_UP_AFTER = 30
MAX_RETRIES = 12

_sig = types.Tuple((mat, vec, types.int64[::1]))(
    VghFn, VgFn, types.boolean, vec, mat, types.int64, types.float64
)


@numba.njit(_sig, cache=True, nogil=True)
def _newton_roots(vgh, vg, has_vg, params, starts, max_iter, gtol):
    m, n = starts.shape
    ends = np.empty((m, n))
    gnorms = np.empty(m)
    iters = np.empty(m, dtype=np.int64)
    g = np.empty(n)
    h = np.empty((n, n))
    g_try = np.empty(n)
    h_try = np.empty((n, n))
    lam = np.empty(n)
    vecs = np.empty((n, n))
    for j in range(m):
        x = starts[j].copy()
        vgh(x, params, g, h)
        gn = np.sqrt(np.sum(g * g))
        mu = 0.0
        it = 0
        while it < max_iter and gn > gtol and np.isfinite(gn):
            if it >= GIVE_UP_AFTER and gn > GIVE_UP_GRADIENT:
                break
            it += 1
            eigh_sym_into(h, lam, vecs)
            c = np.ascontiguousarray(vecs.T) @ g
            scale = 0.0
            for i in range(n):
                scale = max(scale, lam[i] * lam[i])
            accepted = False
            for _ in range(MAX_RETRIES):
                y = x - vecs @ (lam * c / (lam * lam + mu))
                # Judge the trial by its gradient alone; the Hessian only once accepted.
                if has_vg:
                    vg(y, params, g_try)
                else:
                    vgh(y, params, g_try, h_try)
                gn_try = np.sqrt(np.sum(g_try * g_try))
                if np.isfinite(gn_try) and gn_try < gn:
                    x = y
                    if has_vg:
                        vgh(x, params, g, h)
                    else:
                        g[:] = g_try
                        h[:, :] = h_try
                    gn = gn_try
                    mu = mu * 0.1 if mu > 1e-300 else 0.0
                    accepted = True
                    break
                mu = max(mu * 10.0, 1e-10 * max(scale, 1e-300))
            if not accepted:
                break
        ends[j] = x
        gnorms[j] = gn
        iters[j] = it
    return ends, gnorms, iters


def _solve_chunk(L: Landscape, piece: np.ndarray, max_iter: int, gtol: float):
    """One chunk of starts; module-level so that process backends can pickle it."""
    vg = L.kernels.vg
    return _newton_roots(L.kernels.vgh, vg if vg is not None else no_vg, vg is not None, L.packed,
                         np.ascontiguousarray(piece), int(max_iter), float(gtol))


@dataclass(frozen=True)
class FoundPoint:
    """A critical point found numerically.

    Attributes
    ----------
    position : ndarray, shape (n,)
    value : float
    eigenvalues : ndarray, shape (n,)
        Hessian eigenvalues, ascending.
    index : int
        Number of negative eigenvalues.
    index_fraction : float
        index / n (Bray and Dean's alpha).
    grad_norm : float
    kind : landscapes.Kind
    """

    position: np.ndarray
    value: float
    eigenvalues: np.ndarray
    index: int
    index_fraction: float
    grad_norm: float
    kind: object


@dataclass(frozen=True)
class CriticalPointSearch:
    """Result of ``find_critical_points``.

    Attributes
    ----------
    points : list of FoundPoint
        Accepted points (duplicates merged when ``unique``).
    n_starts : int
    n_converged : int
        Starts whose run ended with ||g|| <= gtol (before merging duplicates).
    """

    points: list
    n_starts: int
    n_converged: int

    @property
    def yield_fraction(self) -> float:
        return self.n_converged / self.n_starts if self.n_starts else 0.0


def find_critical_points(L: Landscape, starts, *, gtol: float = 1e-8, max_iter: int = 100,
                         unique: bool = True, n_jobs: int | None = None, eig_tol: float = 1e-8,
                         progress=None) -> CriticalPointSearch:
    """Newton / Levenberg-Marquardt on grad f = 0 from every row of ``starts`` (m, n).

    The starts are split into chunks run by joblib's thread pool (the kernels release the
    GIL), so ``with joblib.parallel_config(backend=...)`` moves the survey to another engine.
    ``n_jobs`` defaults to the number of cores.  ``progress(done, total)`` is called after
    every chunk.
    """
    import joblib

    starts = np.ascontiguousarray(np.asarray(starts, dtype=np.float64))
    if starts.ndim != 2 or starts.shape[1] != L.dim:
        raise ValueError(f"starts must have shape (m, {L.dim}), got {starts.shape}")
    if not np.all(np.isfinite(starts)):
        raise ValueError("starts must be finite")
    if not (np.isfinite(gtol) and gtol > 0):
        raise ValueError(f"gtol must be > 0, got {gtol!r}")
    if not 1 <= int(max_iter) <= 10_000:
        raise ValueError(f"max_iter must be in [1, 10000], got {max_iter!r}")
    n_jobs = n_jobs or os.cpu_count() or 1
    m = starts.shape[0]
    chunk = max(1, min(32, -(-m // (4 * n_jobs))))
    pieces = [starts[i : i + chunk] for i in range(0, m, chunk)]

    results = []
    runner = joblib.Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
    jobs = (joblib.delayed(_solve_chunk)(L, p, max_iter, gtol) for p in pieces)
    for done, res in enumerate(runner(jobs), 1):
        results.append(res)
        if progress is not None:
            progress(min(done * chunk, m), m)
    if not results:
        return CriticalPointSearch([], 0, 0)
    ends = np.concatenate([r[0] for r in results])
    gnorms = np.concatenate([r[1] for r in results])
    ok = np.isfinite(gnorms) & (gnorms <= gtol)
    points: list[FoundPoint] = []
    for x, gn in zip(ends[ok], gnorms[ok]):
        if unique and any(np.linalg.norm(x - p.position) <= 1e-6 * (1 + np.linalg.norm(x)) for p in points):
            continue
        f, _, h = L.value_grad_hess(x)
        lam = np.linalg.eigvalsh(h)
        kind, index, _ = classify_eigenvalues(lam, eig_tol)
        points.append(FoundPoint(x, f, lam, index, index / L.dim, float(gn), kind))
    return CriticalPointSearch(points, m, int(ok.sum()))
