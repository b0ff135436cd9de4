"""The second-order test at any point of a landscape (the slides' "Definitions").

At a critical point (grad f = 0) the Hessian's eigenvalues decide: all > 0 a minimum, all < 0 a
maximum, both signs a saddle with index = the number of negative ones; a zero eigenvalue with
one sign only leaves the test inconclusive ("degenerate": x^2 - y^4 and the monkey saddle
x^3 - 3xy^2 are saddles the Hessian cannot see).  Away from a critical point the eigenvalues
still describe the local curvature, but the verdict does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes import CriticalPoint, Kind, Landscape, classify_eigenvalues

# ||grad f|| at or below this (times max(1, |f|)) counts as a critical point.
GRAD_TOL = 1e-6


@dataclass(frozen=True)
class PointVerdict:
    """The second-order test at one point.

    Attributes
    ----------
    position : ndarray, shape (n,)
    value : float
    gradient : ndarray, shape (n,)
    grad_norm : float
    eigenvalues : ndarray, shape (n,)
        Hessian eigenvalues, ascending.
    eigenvectors : ndarray, shape (n, n)
        Columns v_i, matching ``eigenvalues``.
    kind : landscapes.Kind
        The Hessian's verdict (``DEGENERATE`` when it is inconclusive).
    index : int
        Number of negative eigenvalues.
    degenerate : bool
        A zero eigenvalue is present.
    is_critical : bool
        ||grad f|| <= GRAD_TOL * max(1, |f|): only then does the verdict name a critical point.
    known : CriticalPoint or None
        The landscape's listed critical point at this position, if any (its ``kind`` comes from
        theory and settles the degenerate cases).
    """

    position: np.ndarray
    value: float
    gradient: np.ndarray
    grad_norm: float
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    kind: Kind
    index: int
    degenerate: bool
    is_critical: bool
    known: CriticalPoint | None


def classify_point(L: Landscape, x, grad_tol: float = GRAD_TOL, eig_tol: float = 1e-8) -> PointVerdict:
    """Hessian eigenvalues and the verdict of the second-order test at ``x`` (shape (n,))."""
    if not (np.isfinite(grad_tol) and grad_tol > 0):
        raise ValueError(f"grad_tol must be > 0, got {grad_tol!r}")
    f, g, h = L.value_grad_hess(x)
    if not (np.isfinite(f) and np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        raise ValueError(f"f, its gradient or Hessian is not finite at {np.asarray(x).tolist()}")
    lam, vecs = np.linalg.eigh(0.5 * (h + h.T))
    kind, index, degenerate = classify_eigenvalues(lam, eig_tol)
    grad_norm = float(np.linalg.norm(g))
    position = np.asarray(x, dtype=float)
    known = None
    for p in L.critical_points:
        if np.linalg.norm(p.position - position) <= 1e-6 * (1.0 + np.linalg.norm(position)):
            known = p
            break
    return PointVerdict(
        position=position.copy(), value=float(f), gradient=g, grad_norm=grad_norm,
        eigenvalues=lam, eigenvectors=vecs, kind=kind, index=int(index),
        degenerate=bool(degenerate), is_critical=grad_norm <= grad_tol * max(1.0, abs(f)),
        known=known,
    )
