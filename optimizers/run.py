"""``run``: one driver for every method (the loop itself is compiled in ``_loop``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes import Landscape
from landscapes._jit import no_metric

from . import _loop
from .methods import resolve
from .spectral import SGD
from .trajectory import Stop, Trajectory

MAX_STEPS = 1_000_000
# A run that gets this many window half-diagonals away from the window's centre has left it.
ESCAPE_FACTOR = 1000.0


@dataclass(frozen=True)
class _Prepared:
    code: int
    hyper: dict
    lr: float
    damping: float
    auto: bool
    margin: float
    k: int
    centre: np.ndarray
    radius: float
    probe: float
    metric: object


def _prepare(L: Landscape, method: str, steps, gtol, hyper: dict) -> _Prepared:
    if not isinstance(L, Landscape):
        raise ValueError(f"L must be a Landscape (landscapes.get(...)), got {type(L).__name__}")
    spec, hyper = resolve(method, hyper)
    if isinstance(steps, bool) or not float(steps).is_integer() or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer in [0, {MAX_STEPS}], got {steps!r}")
    if not (np.isfinite(gtol) and gtol >= 0):
        raise ValueError(f"gtol must be a number >= 0, got {gtol!r}")
    if spec.needs_metric and not L.has_metric:
        raise ValueError(
            f"method '{method}' needs a metric (Fisher / Gauss-Newton matrix), and landscape "
            f"'{L.name}' has none; use two_param_net, symmetric_net, linear_net or linear_autoencoder"
        )
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    half_diagonal = 0.5 * float(np.linalg.norm(hi - lo))
    damping = hyper.get("damping", 0.0)
    k = hyper.get("k") or min(L.dim, 20)
    return _Prepared(
        code=spec.code,
        hyper=hyper,
        lr=hyper["lr"],
        damping=0.0 if damping == "auto" else float(damping),
        auto=damping == "auto",
        margin=float(hyper.get("margin", 0.1)),
        k=int(k),
        centre=0.5 * (lo + hi),
        radius=ESCAPE_FACTOR * half_diagonal,
        probe=0.5 * half_diagonal,
        metric=L.kernels.metric if L.has_metric else no_metric,
    )


def _noise(prep: _Prepared, steps: int, n: int) -> np.ndarray:
    if prep.code != SGD:
        return np.zeros((0, n))
    rng = np.random.default_rng(prep.hyper["seed"])
    return prep.hyper["noise"] * rng.standard_normal((steps, n))


def _start(L: Landscape, x0) -> np.ndarray:
    try:
        x0 = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be an array of {L.dim} numbers, got {x0!r}") from None
    if x0.shape != (L.dim,):
        raise ValueError(f"x0 must have shape ({L.dim},) for landscape '{L.name}', got {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be finite, got {x0.tolist()}")
    return np.ascontiguousarray(x0)


def run(L: Landscape, method: str, x0, steps: int = 200, *, gtol: float = 1e-6, **hyper) -> Trajectory:
    """Run ``method`` on landscape ``L`` from ``x0`` for at most ``steps`` steps.

    Every method takes the spectral step ``theta <- theta - V diag(phi(lambda)) V^T g`` (see
    ``optimizers.spectral``).  The run stops at a critical point (``||g|| <= gtol``, named by
    the Hessian there), at the step limit, when numbers stop being finite, when it leaves the
    window by far (``ESCAPED`` downhill, ``DIVERGED`` uphill), or before a step that would
    divide by a zero eigenvalue (``SINGULAR``).  Numerical trouble never raises.

    Parameters
    ----------
    L : Landscape
    method : str
        One of ``optimizers.methods()``.
    x0 : array_like, shape (n,)
    steps : int
    gtol : float
        Gradient norm that counts as a critical point.
    **hyper
        The method's hyperparameters (``lr``, ``damping``, ``margin``, ``noise``, ``seed``, ``k``);
        see ``optimizers.method_info(method).hyper``.

    Returns
    -------
    Trajectory
    """
    prep = _prepare(L, method, steps, gtol, hyper)
    x0 = _start(L, x0)
    steps = int(steps)
    n = L.dim
    xs = np.empty((steps + 1, n))
    values = np.empty(steps + 1)
    gnorms = np.empty(steps + 1)
    eigs = np.empty((steps + 1, 2))
    with np.errstate(all="ignore"):
        stop, taken = _loop.integrate(
            L.kernels.vgh, L.kernels.value, prep.metric, L.packed, prep.code, x0, steps,
            prep.lr, prep.damping, prep.auto, prep.margin, _noise(prep, steps, n), prep.k,
            prep.centre, prep.radius, float(gtol), prep.probe, True, xs, values, gnorms, eigs,
        )
    end = taken + 1
    if stop == _loop.DIVERGED and not (np.isfinite(values[taken]) and np.all(np.isfinite(eigs[taken]))):
        end = max(taken, 1)  # the non-finite point is the reason, not part of the path
    return Trajectory(
        method=method,
        landscape=L.name,
        xs=xs[:end].copy(),
        values=values[:end].copy(),
        grad_norms=gnorms[:end].copy(),
        eigenvalues=eigs[:end].copy(),
        stop=Stop(stop),
        landscape_params=dict(L.params),
        hyper={key: value for key, value in prep.hyper.items() if value is not None} | {"steps": steps, "gtol": gtol},
    )


@dataclass(frozen=True)
class BatchResult:
    """Outcome of one method from many starts (the basin / escape-time map).

    Attributes
    ----------
    stops : ndarray of int, shape (m,)
        ``Stop`` codes.
    steps : ndarray of int, shape (m,)
        Steps taken.
    ends : ndarray, shape (m, n)
        End points.
    end_values : ndarray, shape (m,)
    """

    stops: np.ndarray
    steps: np.ndarray
    ends: np.ndarray
    end_values: np.ndarray

    def stop(self, i: int) -> Stop:
        return Stop(int(self.stops[i]))


def run_many(L: Landscape, method: str, starts, steps: int = 200, *, gtol: float = 1e-6, **hyper) -> BatchResult:
    """``run`` from every row of ``starts`` (shape (m, n)) in parallel, recording only the end."""
    prep = _prepare(L, method, steps, gtol, hyper)
    starts = np.ascontiguousarray(np.asarray(starts, dtype=np.float64))
    if starts.ndim != 2 or starts.shape[1] != L.dim:
        raise ValueError(f"starts must have shape (m, {L.dim}), got {starts.shape}")
    if not np.all(np.isfinite(starts)):
        raise ValueError("starts must be finite")
    steps = int(steps)
    with np.errstate(all="ignore"):
        stops, taken, ends, end_values = _loop.integrate_many(
            L.kernels.vgh, L.kernels.value, prep.metric, L.packed, prep.code, starts, steps,
            prep.lr, prep.damping, prep.auto, prep.margin, _noise(prep, steps, L.dim), prep.k,
            prep.centre, prep.radius, float(gtol), prep.probe,
        )
    return BatchResult(stops, taken, ends, end_values)
