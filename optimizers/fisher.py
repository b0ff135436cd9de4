"""The Fisher matrix of the two-parameter net, sampled from its scores, against the Hessian
(the slides' Appendix 1; science.md section 5).

The net y = w2 w1 x read as a likelihood, y ~ N(w2 w1 x, 1) with inputs x ~ N(0, 1), has the
score (gradient of the log-likelihood of one sample)

    s = d log p(y | x, w) / dw = (y - w2 w1 x) x (w2, w1),

and Fisher matrix F = E[s s^T] = E[x^2] J^T J with J = -(w2, w1): the Gauss-Newton matrix of
f = 1/2 (1 - w1 w2)^2 (``landscapes.get("two_param_net").metric``).  F is positive semidefinite
because v^T F v = E[(v^T s)^2] >= 0 for every v; here it has rank one and vanishes at the saddle
w = 0, where the Hessian has the eigenvalue -1.  Natural gradient therefore sees none of the
negative curvature, and its step -F^+ g from (a, a) has length eta (1 - a^2) / (sqrt(2) a),
which blows up as a -> 0 (Mizutani & Dreyfus 2010).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import landscapes

from .run import run


@dataclass(frozen=True)
class ScoreSample:
    """Samples of the two-parameter net's likelihood and their scores.

    Attributes
    ----------
    x : ndarray, shape (m,)
        Inputs, x ~ N(0, 1).
    y : ndarray, shape (m,)
        Outputs drawn from the model, y ~ N(w2 w1 x, 1).
    scores : ndarray, shape (m, 2)
        d log p(y | x, w) / d(w1, w2) per sample.
    """

    x: np.ndarray
    y: np.ndarray
    scores: np.ndarray


def _weights(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.shape != (2,) or not np.all(np.isfinite(w)):
        raise ValueError(f"w must be two finite numbers (w1, w2), got {w!r}")
    return w


def two_param_scores(w, samples: int, seed: int = 0) -> ScoreSample:
    """Draw ``samples`` pairs (x, y) from the model at w = (w1, w2) and return their scores."""
    w = _weights(w)
    if isinstance(samples, bool) or not float(samples).is_integer() or not 1 <= samples <= 10_000_000:
        raise ValueError(f"samples must be an integer in [1, 10000000], got {samples!r}")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(samples))
    mean = w[1] * w[0] * x
    y = mean + rng.standard_normal(x.size)
    scores = ((y - mean) * x)[:, None] * np.array([w[1], w[0]])
    return ScoreSample(x, y, scores)


def empirical_fisher(scores) -> np.ndarray:
    """F = mean over samples of s s^T; scores of shape (m, n), result (n, n)."""
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[0] == 0:
        raise ValueError(f"scores must have shape (m, n) with m >= 1, got {s.shape}")
    return s.T @ s / s.shape[0]


@dataclass(frozen=True)
class FisherConvergence:
    """The sampled Fisher matrix as the number of samples grows.

    Attributes
    ----------
    sizes : ndarray of int, shape (k,)
    eigenvalues : ndarray, shape (k, 2)
        Ascending eigenvalues of the sampled F for each size.
    errors : ndarray, shape (k,)
        Frobenius distance to the exact F = J^T J.
    exact : ndarray, shape (2, 2)
    quadratic_forms : ndarray, shape (k,)
        Smallest v^T F v = mean (v^T s)^2 over 64 fixed unit directions v (never negative).
    """

    sizes: np.ndarray
    eigenvalues: np.ndarray
    errors: np.ndarray
    exact: np.ndarray
    quadratic_forms: np.ndarray


def fisher_convergence(w, sizes, seed: int = 0) -> FisherConvergence:
    """Sampled Fisher matrices at w for each sample size (nested prefixes of one sample)."""
    w = _weights(w)
    sizes = np.asarray(sizes)
    if sizes.ndim != 1 or sizes.size == 0 or np.any(sizes < 1) or np.any(sizes != np.round(sizes)):
        raise ValueError(f"sizes must be a list of integers >= 1, got {sizes!r}")
    sizes = np.sort(sizes.astype(np.int64))
    sample = two_param_scores(w, int(sizes[-1]), seed)
    exact = landscapes.get("two_param_net").metric(w)
    angles = np.linspace(0.0, np.pi, 64, endpoint=False)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    eig, err, forms = [], [], []
    for m in sizes:
        s = sample.scores[:m]
        F = empirical_fisher(s)
        eig.append(np.linalg.eigvalsh(F))
        err.append(np.linalg.norm(F - exact))
        forms.append(float(np.min(np.mean((s @ directions.T) ** 2, axis=0))))
    return FisherConvergence(sizes, np.array(eig), np.array(err), exact, np.array(forms))


@dataclass(frozen=True)
class CurvatureGrid:
    """Eigenvalues of the Hessian and of the metric (Fisher / Gauss-Newton) over a plane.

    Attributes
    ----------
    s, t : ndarray, shape (nx,), (ny,)
        Grid axes (w1, w2).
    hessian : ndarray, shape (ny, nx, 2)
        Ascending Hessian eigenvalues lambda_min, lambda_max.
    metric : ndarray, shape (ny, nx, 2)
        Ascending metric eigenvalues mu_min, mu_max (>= 0 up to round-off).
    """

    s: np.ndarray
    t: np.ndarray
    hessian: np.ndarray
    metric: np.ndarray


def curvature_grid(L: landscapes.Landscape, s, t) -> CurvatureGrid:
    """Hessian and metric eigenvalues of a 2D landscape with a metric on the grid s x t."""
    if L.dim != 2 or not L.has_metric:
        raise ValueError(f"curvature_grid needs a 2D landscape with a metric, got '{L.name}' (dim {L.dim})")
    s = np.asarray(s, dtype=float)
    t = np.asarray(t, dtype=float)
    if s.ndim != 1 or t.ndim != 1 or not (np.all(np.isfinite(s)) and np.all(np.isfinite(t))):
        raise ValueError("s and t must be finite 1-D arrays")
    hess = np.empty((t.size, s.size, 2, 2))
    metric = np.empty_like(hess)
    for j, b in enumerate(t):
        for i, a in enumerate(s):
            x = np.array([a, b])
            hess[j, i] = L.hess(x)
            metric[j, i] = L.metric(x)
    return CurvatureGrid(s, t, np.linalg.eigvalsh(hess), np.linalg.eigvalsh(metric))


def natural_gradient_step_formula(a, lr: float = 1.0) -> np.ndarray:
    """Length of the pseudo-inverse natural-gradient step from (a, a) on the two-parameter net:
    eta (1 - a^2) / (sqrt(2) |a|); shape of ``a``."""
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore"):
        return lr * np.abs(1.0 - a**2) / (np.sqrt(2.0) * np.abs(a))


@dataclass(frozen=True)
class StepSizes:
    """One optimizer step from (a, a) on the two-parameter net, measured and predicted.

    Attributes
    ----------
    a : ndarray, shape (k,)
    natural_gradient : ndarray, shape (k,)
        Measured ||theta_1 - theta_0|| of ``optimizers.run(..., "natural_gradient")``.
    formula : ndarray, shape (k,)
        eta (1 - a^2) / (sqrt(2) a).
    gradient_descent : ndarray, shape (k,)
        Measured gradient-descent step for comparison (eta sqrt(2) a (1 - a^2): it vanishes).
    """

    a: np.ndarray
    natural_gradient: np.ndarray
    formula: np.ndarray
    gradient_descent: np.ndarray


def natural_gradient_step_sizes(a, lr: float = 1.0) -> StepSizes:
    """Measure one natural-gradient (pseudo-inverse, m = 0) and one gradient-descent step from
    every (a, a), a != 0, on ``two_param_net``."""
    a = np.asarray(a, dtype=float)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a == 0):
        raise ValueError("a must be a 1-D array of finite, non-zero numbers")
    L = landscapes.get("two_param_net")
    ng, gd = [], []
    for value in a:
        x0 = np.array([value, value])
        for method, out in (("natural_gradient", ng), ("gd", gd)):
            T = run(L, method, x0, steps=1, lr=lr, gtol=0.0)
            out.append(np.linalg.norm(T.xs[-1] - T.xs[0]) if T.steps == 1 else np.nan)
    return StepSizes(a, np.array(ng), natural_gradient_step_formula(a, lr), np.array(gd))
