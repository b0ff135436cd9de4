"""The saddle-free step as a trust-region solution (Dauphin et al. 2014, section 5).

Minimise the first-order model f(theta) + g^T d, trusting it as far as it differs little from
the second-order one:

    d(theta, theta + d) = 1/2 |d^T H d|  <=  1/2 d^T |H| d  <=  Delta,      |H| = V |D| V^T.

The first region is unbounded along the asymptotes of H's level sets (d^T H d = 0) when H is
indefinite, so the linear model has no minimum on it; the second is an ellipse, and Lagrange
multipliers give its minimiser

    d* = -sqrt(2 Delta / (g^T |H|^-1 g)) |H|^-1 g,

a rescaled saddle-free Newton step -|H|^-1 g.  The bound |x^T A x| <= x^T |A| x holds because
x^T A x = sum_i lambda_i (v_i^T x)^2 and |lambda_i| >= +-lambda_i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# |H| is treated as singular when its smallest |eigenvalue| is below this times the largest.
SINGULAR_TOL = 1e-12


def _symmetric(hessian) -> np.ndarray:
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"hessian must be a square (n, n) matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("hessian must be finite")
    if not np.allclose(H, H.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(H).max())):
        raise ValueError("hessian must be symmetric")
    return 0.5 * (H + H.T)


def _gradient(grad, n: int) -> np.ndarray:
    g = np.asarray(grad, dtype=float)
    if g.shape != (n,):
        raise ValueError(f"grad must have shape ({n},), got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("grad must be finite")
    return g


def _radius(delta) -> float:
    try:
        delta = float(delta)
    except (TypeError, ValueError):
        raise ValueError(f"Delta (trust radius) must be a number > 0, got {delta!r}") from None
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"Delta (trust radius) must be a finite number > 0, got {delta}")
    return delta


def abs_matrix(hessian) -> np.ndarray:
    """|H| = V |D| V^T: the same eigenvectors, absolute eigenvalues; shape (n, n)."""
    lam, V = np.linalg.eigh(_symmetric(hessian))
    return (V * np.abs(lam)) @ V.T


def _abs_inverse(H: np.ndarray) -> np.ndarray:
    lam, V = np.linalg.eigh(H)
    size = np.abs(lam)
    if size.min() <= SINGULAR_TOL * max(size.max(), 1e-300):
        raise ValueError(
            "|H| is singular (a zero eigenvalue): the ellipse 1/2 d^T |H| d <= Delta is unbounded "
            "along its eigenvector and the step is undefined"
        )
    return (V / size) @ V.T


def saddle_free_trust_step(grad, hessian, delta) -> np.ndarray:
    """Minimiser of g^T d subject to 1/2 d^T |H| d <= Delta.

    d* = -sqrt(2 Delta / (g^T |H|^-1 g)) |H|^-1 g   (zero when g = 0).

    Parameters
    ----------
    grad : array_like, shape (n,)
    hessian : array_like, shape (n, n)
        Symmetric, with no zero eigenvalue.
    delta : float
        Trust radius Delta > 0.

    Returns
    -------
    ndarray, shape (n,)
    """
    H = _symmetric(hessian)
    g = _gradient(grad, H.shape[0])
    delta = _radius(delta)
    inverse = _abs_inverse(H)
    direction = inverse @ g
    norm2 = float(g @ direction)
    if norm2 == 0.0:
        return np.zeros_like(g)
    return -np.sqrt(2.0 * delta / norm2) * direction


def saddle_free_direction(grad, hessian) -> np.ndarray:
    """The saddle-free Newton step -|H|^-1 g, shape (n,)."""
    H = _symmetric(hessian)
    g = _gradient(grad, H.shape[0])
    return -(_abs_inverse(H) @ g)


def numerical_trust_step(grad, hessian, delta) -> np.ndarray:
    """The same minimiser found by SLSQP (``scipy.optimize.minimize``), for an on-screen check."""
    from scipy.optimize import minimize

    H = _symmetric(hessian)
    g = _gradient(grad, H.shape[0])
    delta = _radius(delta)
    A = abs_matrix(H)
    constraint = {
        "type": "ineq",
        "fun": lambda d: delta - 0.5 * d @ A @ d,
        "jac": lambda d: -(A @ d),
    }
    # Start inside the ellipse, off the origin where the constraint's gradient vanishes.
    lam = np.abs(np.linalg.eigvalsh(H))
    x0 = -g / max(np.linalg.norm(g), 1e-300) * 0.1 * np.sqrt(2.0 * delta / lam.max())
    result = minimize(lambda d: g @ d, x0, jac=lambda d: g, constraints=[constraint],
                      method="SLSQP", options={"ftol": 1e-10, "maxiter": 500})
    return np.asarray(result.x, dtype=float)


def curvature_distance(hessian, steps) -> np.ndarray:
    """d(theta, theta + d) = 1/2 |d^T H d| for every row of ``steps`` (m, n); shape (m,)."""
    H = _symmetric(hessian)
    d = np.atleast_2d(np.asarray(steps, dtype=float))
    return 0.5 * np.abs(np.einsum("mi,ij,mj->m", d, H, d))


def ellipse_distance(hessian, steps) -> np.ndarray:
    """1/2 d^T |H| d for every row of ``steps`` (m, n); shape (m,)."""
    A = abs_matrix(hessian)
    d = np.atleast_2d(np.asarray(steps, dtype=float))
    return 0.5 * np.einsum("mi,ij,mj->m", d, A, d)


@dataclass(frozen=True)
class TrustRegionPicture:
    """Everything the derivation's 2D figure draws, in coordinates d = delta theta.

    Attributes
    ----------
    s, t : ndarray, shape (nx,), (ny,)
        Grid axes (d_1, d_2).
    curvature_region : ndarray of bool, shape (ny, nx)
        1/2 |d^T H d| <= Delta on the grid (unbounded along the asymptotes).
    ellipse : ndarray, shape (k, 2)
        Boundary of 1/2 d^T |H| d = Delta.
    asymptotes : ndarray, shape (a, 2)
        Unit directions with d^T H d = 0 (none unless H is indefinite), one per line.
    linear_model : ndarray, shape (ny, nx)
        g^T d on the grid (f(theta) dropped).
    step : ndarray, shape (2,)
        d* on the ellipse.
    eigenvalues : ndarray, shape (2,)
    eigenvectors : ndarray, shape (2, 2)
        Columns v_i.
    """

    s: np.ndarray
    t: np.ndarray
    curvature_region: np.ndarray
    ellipse: np.ndarray
    asymptotes: np.ndarray
    linear_model: np.ndarray
    step: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray


def trust_region_picture(grad, hessian, delta, extent: float, num: int = 201) -> TrustRegionPicture:
    """Sample the two trust regions and the linear model on [-extent, extent]^2 (2D only)."""
    H = _symmetric(hessian)
    if H.shape != (2, 2):
        raise ValueError(f"the picture is 2D: hessian must be 2x2, got {H.shape}")
    g = _gradient(grad, 2)
    delta = _radius(delta)
    if not (np.isfinite(extent) and extent > 0):
        raise ValueError(f"extent must be > 0, got {extent!r}")
    if not 11 <= int(num) <= 1001:
        raise ValueError(f"num must be in [11, 1001], got {num!r}")
    s = np.linspace(-extent, extent, int(num))
    t = s.copy()
    D1, D2 = np.meshgrid(s, t)
    quad = H[0, 0] * D1**2 + 2.0 * H[0, 1] * D1 * D2 + H[1, 1] * D2**2
    lam, V = np.linalg.eigh(H)
    size = np.abs(lam)
    angle = np.linspace(0.0, 2.0 * np.pi, 361)
    unit = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    with np.errstate(divide="ignore"):
        ellipse = (unit * np.sqrt(2.0 * delta / size)) @ V.T
    asymptotes = np.zeros((0, 2))
    if lam[0] < 0 < lam[1]:
        # lambda_1 c_1^2 + lambda_2 c_2^2 = 0  =>  c_2 / c_1 = +- sqrt(-lambda_1 / lambda_2)
        ratio = np.sqrt(-lam[0] / lam[1])
        coeffs = np.array([[1.0, ratio], [1.0, -ratio]])
        asymptotes = coeffs @ V.T
        asymptotes /= np.linalg.norm(asymptotes, axis=1, keepdims=True)
    return TrustRegionPicture(
        s=s, t=t,
        curvature_region=0.5 * np.abs(quad) <= delta,
        ellipse=ellipse,
        asymptotes=asymptotes,
        linear_model=g[0] * D1 + g[1] * D2,
        step=saddle_free_trust_step(g, H, delta),
        eigenvalues=lam,
        eigenvectors=V,
    )
