"""The landscape abstraction: exact value, gradient, Hessian (and metric) behind checked calls."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable

import numba
import numpy as np

from . import _jit


class Kind(str, enum.Enum):
    """What a critical point is (decided by theory, or by the Hessian where it is decisive)."""

    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    DEGENERATE = "degenerate"  # second-order test inconclusive and kind not known


@dataclass(frozen=True)
class CriticalPoint:
    """A point where grad f = 0.

    Attributes
    ----------
    position : ndarray, shape (n,)
    value : float
    kind : Kind
    index : int
        Number of negative Hessian eigenvalues.
    degenerate : bool
        True when the Hessian has a zero eigenvalue (the second-order test is inconclusive).
    note : str
        Short explanation for the UI (e.g. "on the valley w1 w2 = 1").
    """

    position: np.ndarray
    value: float
    kind: Kind
    index: int
    degenerate: bool = False
    note: str = ""


def classify_eigenvalues(eigenvalues, tol: float = 1e-8) -> tuple[Kind, int, bool]:
    """Second-order test from Hessian eigenvalues.

    Returns ``(kind, index, degenerate)``.  With both signs present the point is a saddle even
    if some eigenvalue is zero; with a zero eigenvalue and one sign only the Hessian cannot
    decide, and the kind is ``Kind.DEGENERATE``.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    scale = max(1.0, float(np.max(np.abs(lam)))) if lam.size else 1.0
    thresh = tol * scale
    negative = int(np.sum(lam < -thresh))
    positive = int(np.sum(lam > thresh))
    degenerate = bool(np.any(np.abs(lam) <= thresh))
    if negative and positive:
        kind = Kind.SADDLE
    elif degenerate:
        kind = Kind.DEGENERATE
    elif negative:
        kind = Kind.MAXIMUM
    else:
        kind = Kind.MINIMUM
    return kind, negative, degenerate


@dataclass(frozen=True)
class Kernels:
    """Compiled kernels of a landscape (see ``landscapes._jit`` for the signatures)."""

    value: object
    vgh: object
    metric: object | None = None
    vg: object | None = None  # value and gradient without the Hessian, where that is cheaper


@dataclass(frozen=True, eq=False)
class Landscape:
    """A test function with exact derivatives.

    Attributes
    ----------
    name : str
        Registered name.
    dim : int
        Number of parameters n.
    params : dict
        The keyword parameters it was built with (after defaults and validation).
    bounds : tuple of (lo, hi)
        Plotting window per axis.
    critical_points : tuple of CriticalPoint
        The known critical points (may be empty, e.g. for random fields).
    formula : str
        LaTeX formula for display.
    description : str
        One or two sentences for the UI.
    kernels : Kernels
        The compiled kernels.
    packed : ndarray
        The flat float64 parameter array passed to every kernel.
    """

    name: str
    dim: int
    params: dict
    bounds: tuple
    critical_points: tuple
    formula: str
    description: str
    kernels: Kernels
    packed: np.ndarray
    extras: dict = field(default_factory=dict)

    # -- checked evaluation --------------------------------------------------------------
    def _point(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.dim,):
            raise ValueError(
                f"x must have shape ({self.dim},) for landscape '{self.name}', got {x.shape}"
            )
        if not np.all(np.isfinite(x)):
            raise ValueError(f"x must be finite, got {x.tolist()}")
        return np.ascontiguousarray(x)

    def value(self, x) -> float:
        """f(x)."""
        return float(self.kernels.value(self._point(x), self.packed))

    def value_grad_hess(self, x) -> tuple[float, np.ndarray, np.ndarray]:
        """f(x), grad f(x) of shape (n,), Hessian of shape (n, n), in one kernel call."""
        x = self._point(x)
        g = np.empty(self.dim)
        h = np.empty((self.dim, self.dim))
        f = self.kernels.vgh(x, self.packed, g, h)
        return float(f), g, h

    def grad(self, x) -> np.ndarray:
        """grad f(x), shape (n,)."""
        return self.value_grad_hess(x)[1]

    def hess(self, x) -> np.ndarray:
        """Exact Hessian, shape (n, n), symmetric."""
        return self.value_grad_hess(x)[2]

    @property
    def has_metric(self) -> bool:
        return self.kernels.metric is not None

    def metric(self, x) -> np.ndarray:
        """Fisher / Gauss-Newton matrix at x, shape (n, n), positive semidefinite."""
        if not self.has_metric:
            raise ValueError(
                f"landscape '{self.name}' has no metric (Fisher / Gauss-Newton matrix): it is "
                "not a likelihood or least-squares problem"
            )
        out = np.empty((self.dim, self.dim))
        self.kernels.metric(self._point(x), self.packed, out)
        return out

    def hvp(self, x, v) -> np.ndarray:
        """Hessian-vector product H(x) v, shape (n,)."""
        hvp = self.extras.get("hvp")
        if hvp is not None:
            return hvp(self._point(x), np.ascontiguousarray(v, dtype=np.float64))
        return self.hess(x) @ np.asarray(v, dtype=np.float64)

    # -- grids for contour plots ---------------------------------------------------------
    def grid_values(self, s, t, origin=None, d1=None, d2=None) -> np.ndarray:
        """f on the plane origin + s d1 + t d2; returns shape (len(t), len(s)).

        In 2D the defaults give the plain (x, y) grid.
        """
        n = self.dim
        origin = np.zeros(n) if origin is None else np.asarray(origin, dtype=np.float64)
        if d1 is None or d2 is None:
            if n < 2:
                raise ValueError("a 2D grid needs directions d1, d2 for a 1D landscape")
            d1 = np.eye(n)[0] if d1 is None else d1
            d2 = np.eye(n)[1] if d2 is None else d2
        return _grid_values(
            self.kernels.value,
            self.packed,
            np.ascontiguousarray(origin, dtype=np.float64),
            np.ascontiguousarray(d1, dtype=np.float64),
            np.ascontiguousarray(d2, dtype=np.float64),
            np.ascontiguousarray(s, dtype=np.float64),
            np.ascontiguousarray(t, dtype=np.float64),
        )

    def __repr__(self) -> str:
        return f"Landscape({self.name!r}, dim={self.dim}, params={self.params})"

    def __reduce__(self):
        # Pickled by name and parameters, so that worker processes (joblib's loky, Dask)
        # rebuild it with kernels loaded from Numba's cache instead of recompiling them.
        if self.name not in _REGISTRY:
            raise TypeError(f"landscape '{self.name}' is not registered and cannot be pickled")
        return (_rebuild, (self.name, dict(self.params)))


@numba.njit(
    _jit.mat(_jit.ValueFn, _jit.vec, _jit.vec, _jit.vec, _jit.vec, _jit.vec, _jit.vec),
    cache=True,
    nogil=True,
    parallel=True,
)
def _grid_values(value, params, origin, d1, d2, s, t):
    out = np.empty((t.shape[0], s.shape[0]))
    n = origin.shape[0]
    for j in numba.prange(t.shape[0]):
        x = np.empty(n)
        for i in range(s.shape[0]):
            for k in range(n):
                x[k] = origin[k] + s[i] * d1[k] + t[j] * d2[k]
            out[j, i] = value(x, params)
    return out


# -- registry -----------------------------------------------------------------------------
_REGISTRY: dict[str, Callable[..., Landscape]] = {}


def register(name: str):
    """Decorator registering a factory ``f(**params) -> Landscape`` under ``name``."""

    def deco(factory):
        _REGISTRY[name] = factory
        return factory

    return deco


def _rebuild(name: str, params: dict) -> Landscape:
    return get(name, **params)


def names() -> list[str]:
    """Registered landscape names."""
    return sorted(_REGISTRY)


def get(name: str, **params) -> Landscape:
    """Build a registered landscape; unknown names or parameters raise ValueError."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown landscape '{name}'; choose one of {names()}")
    factory = _REGISTRY[name]
    import inspect

    allowed = [p for p in inspect.signature(factory).parameters]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} for landscape '{name}'; allowed: {allowed}"
        )
    return factory(**params)


def defaults(name: str) -> dict:
    """Default keyword parameters of a registered landscape."""
    import inspect

    if name not in _REGISTRY:
        raise ValueError(f"unknown landscape '{name}'; choose one of {names()}")
    sig = inspect.signature(_REGISTRY[name])
    return {k: p.default for k, p in sig.parameters.items()}


# -- validation helpers shared by the factories -------------------------------------------
def check_finite(name: str, value, shape=None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    return arr


def check_int(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value}")
    return value


def check_range(name: str, value, lo: float, hi: float, *, open_lo=False) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{lo}, {hi}], got {value!r}") from None
    ok = (lo < value if open_lo else lo <= value) and value <= hi
    if not (np.isfinite(value) and ok):
        bracket = "(" if open_lo else "["
        raise ValueError(f"{name} must be in {bracket}{lo}, {hi}], got {value}")
    return value


def build(name, params, packed, kernels, *, bounds, formula, description, critical=(), extras=None):
    """Assemble a Landscape; ``critical`` holds ``(position, kind, index, degenerate, note)``
    stated by theory.  Positions known only approximately are polished by a few Newton steps
    on grad f = 0 so that the listed gradient is at round-off level; kind and index are never
    derived from the Hessian here (tests check them against it).
    """
    packed = np.ascontiguousarray(packed, dtype=np.float64)
    dim = len(bounds)
    L = Landscape(name, dim, dict(params), tuple(tuple(map(float, b)) for b in bounds), (),
                  formula, description, kernels, packed, dict(extras or {}))
    points = []
    for position, kind, index, degenerate, note in critical:
        x = _polish(L, np.asarray(position, dtype=np.float64))
        points.append(CriticalPoint(x, L.value(x), Kind(kind), int(index), bool(degenerate), note))
    object.__setattr__(L, "critical_points", tuple(points))
    return L


def _polish(L: Landscape, x: np.ndarray, iterations: int = 20) -> np.ndarray:
    for _ in range(iterations):
        _, g, h = L.value_grad_hess(x)
        if np.linalg.norm(g) <= 1e-14 * max(1.0, np.abs(x).max()):
            break
        step = np.linalg.lstsq(h, g, rcond=1e-12)[0]
        x = x - step
    return x
