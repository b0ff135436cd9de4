"""Krylov methods from Hessian-vector products only (the deck's Appendix 2).

Power iteration, Lanczos with or without re-orthogonalisation, and one matrix-free step of
Krylov saddle-free Newton (Dauphin et al. 2014, Algorithm 1) for problems too large for a
dense Hessian.  The compiled trajectory loop has its own dense Lanczos (``_loop.lanczos_dense``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class LanczosResult:
    """Lanczos basis and tridiagonal matrix.

    Attributes
    ----------
    basis : ndarray, shape (n, j)
        Lanczos vectors q_1 .. q_j as columns.
    alphas : ndarray, shape (j,)
        Diagonal of T.
    betas : ndarray, shape (j - 1,)
        Off-diagonal of T.
    """

    basis: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray

    @property
    def tridiagonal(self) -> np.ndarray:
        return np.diag(self.alphas) + np.diag(self.betas, 1) + np.diag(self.betas, -1)

    def ritz_values(self, j: int | None = None) -> np.ndarray:
        """Eigenvalues of the leading j x j block of T (all of T by default), ascending."""
        j = len(self.alphas) if j is None else j
        t = self.tridiagonal[:j, :j]
        return np.linalg.eigvalsh(t)

    def orthogonality_loss(self) -> np.ndarray:
        """max_i<j |q_i . q_j| among the first j vectors, for j = 1..k (0 in exact arithmetic)."""
        q = self.basis
        gram = np.abs(q.T @ q - np.eye(q.shape[1]))
        return np.array([gram[:j, :j].max() for j in range(1, q.shape[1] + 1)])


def lanczos(matvec: Callable[[np.ndarray], np.ndarray], start, k: int, *, reorthogonalize: bool = True) -> LanczosResult:
    """k steps of Lanczos on the symmetric operator ``matvec`` from ``start``.

    q_{j+1} beta_j = H q_j - alpha_j q_j - beta_{j-1} q_{j-1}; with ``reorthogonalize`` the new
    vector is also Gram-Schmidt'ed (twice) against all previous ones, otherwise orthogonality
    is lost as Ritz values converge (Paige 1971).
    """
    v = np.asarray(start, dtype=float)
    if v.ndim != 1 or not np.all(np.isfinite(v)) or not np.any(v):
        raise ValueError("start must be a finite, non-zero 1-D vector")
    n = v.size
    if not 1 <= k <= n:
        raise ValueError(f"k must be an integer in [1, {n}], got {k}")
    q = np.zeros((n, k))
    alphas, betas = [], []
    q[:, 0] = v / np.linalg.norm(v)
    for j in range(k):
        w = np.asarray(matvec(q[:, j]), dtype=float)
        alpha = float(w @ q[:, j])
        alphas.append(alpha)
        w = w - alpha * q[:, j] - (betas[-1] * q[:, j - 1] if j > 0 else 0.0)
        if reorthogonalize:
            for _ in range(2):
                w -= q[:, : j + 1] @ (q[:, : j + 1].T @ w)
        beta = float(np.linalg.norm(w))
        if j + 1 == k or beta <= 1e-12 * max(1.0, abs(alpha)):
            break
        betas.append(beta)
        q[:, j + 1] = w / beta
    j = len(alphas)
    return LanczosResult(q[:, :j], np.array(alphas), np.array(betas[: j - 1]))


def power_iteration(matvec: Callable[[np.ndarray], np.ndarray], start, iterations: int) -> np.ndarray:
    """Rayleigh quotients q^T H q of power iteration q <- Hq / |Hq|, one per iteration.

    Converges to the eigenvalue of largest magnitude (which may be the most negative one).
    """
    q = np.asarray(start, dtype=float)
    q = q / np.linalg.norm(q)
    out = np.empty(iterations)
    for i in range(iterations):
        w = np.asarray(matvec(q), dtype=float)
        out[i] = q @ w
        norm = np.linalg.norm(w)
        if norm == 0:
            out[i:] = 0.0
            break
        q = w / norm
    return out


@dataclass(frozen=True)
class KrylovStep:
    """One Krylov saddle-free step: the step, the damping chosen and the Ritz values used."""

    step: np.ndarray
    damping: float
    ritz_values: np.ndarray
    value: float


def krylov_saddle_free_step(L, x, k: int = 20, *, damping="auto", lr: float = 1.0) -> KrylovStep:
    """One step of Dauphin et al.'s Algorithm 1 from Hessian-vector products only.

    V = Lanczos(H, grad f, k), T = V^T H V = S diag(theta) S^T,
    step = -lr V S diag(1 / (|theta| + m)) S^T V^T grad f, with m fixed or, for ``"auto"``,
    the one of m in {0, 1e-3, 1e-2, 1e-1, 1} x max|theta| that gives the lowest f.
    """
    x = np.asarray(x, dtype=float)
    # Large networks provide a gradient that does not build the dense Hessian.
    grad = L.extras.get("grad")
    g = grad(x) if grad is not None else L.grad(x)
    if not np.any(g):
        return KrylovStep(np.zeros_like(x), 0.0, np.zeros(0), L.value(x))
    lz = lanczos(lambda v: L.hvp(x, v), g, min(k, L.dim))
    theta, s = np.linalg.eigh(lz.tridiagonal)
    coeff = s.T @ (lz.basis.T @ g)
    scale = max(1.0, float(np.max(np.abs(theta))))
    grid = [float(damping)] if damping != "auto" else [0.0] + [scale * 10.0**e for e in range(-3, 1)]
    best = None
    for m in grid:
        denom = np.abs(theta) + m
        if np.any(denom <= 1e-12 * scale):
            continue
        step = -lr * (lz.basis @ (s @ (coeff / denom)))
        value = L.value(x + step) if len(grid) > 1 else np.nan
        if best is None or value < best.value:
            best = KrylovStep(step, m, theta, value)
    if best is None:
        raise ValueError("every damping candidate is singular; pass damping > 0")
    return best
