"""Named results of an optimizer run: the stop reason and the recorded trajectory."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class Stop(enum.IntEnum):
    """Why a run ended.  The integer codes are shared with the compiled loops."""

    STEP_LIMIT = 0
    MINIMUM = 1
    SADDLE = 2
    MAXIMUM = 3
    DEGENERATE = 4
    DIVERGED = 5
    ESCAPED = 6
    SINGULAR = 7

    def __str__(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        """Short label for legends and tables."""
        return _LABELS[self]

    @property
    def description(self) -> str:
        """One sentence a student can read."""
        return _DESCRIPTIONS[self]

    @property
    def is_critical_point(self) -> bool:
        return self in (Stop.MINIMUM, Stop.SADDLE, Stop.MAXIMUM, Stop.DEGENERATE)


_LABELS = {
    Stop.STEP_LIMIT: "step limit",
    Stop.MINIMUM: "minimum",
    Stop.SADDLE: "saddle",
    Stop.MAXIMUM: "maximum",
    Stop.DEGENERATE: "degenerate saddle",
    Stop.DIVERGED: "diverged",
    Stop.ESCAPED: "escaped",
    Stop.SINGULAR: "singular",
}

_DESCRIPTIONS = {
    Stop.STEP_LIMIT: "Stopped at the step limit before reaching a critical point.",
    Stop.MINIMUM: "Converged to a minimum: gradient ~0 and no direction of negative curvature.",
    Stop.SADDLE: "Reached a saddle: gradient ~0 with a negative Hessian eigenvalue.",
    Stop.MAXIMUM: "Reached a maximum: gradient ~0 and every Hessian eigenvalue negative.",
    Stop.DEGENERATE: (
        "Reached a degenerate critical point: the Hessian has a zero eigenvalue and the "
        "value still decreases nearby (a degenerate saddle such as the monkey saddle)."
    ),
    Stop.DIVERGED: "Diverged: non-finite numbers, or the run left the window going uphill.",
    Stop.ESCAPED: "Escaped: the run left the window going downhill (the landscape is unbounded).",
    Stop.SINGULAR: (
        "Singular: a Newton-type step divides by a (numerically) zero eigenvalue."
    ),
}


@dataclass(frozen=True)
class Trajectory:
    """One optimizer run on one landscape.

    Attributes
    ----------
    method : str
        Registered method name, e.g. ``"saddle_free"``.
    landscape : str
        Registered landscape name.
    xs : ndarray, shape (k + 1, n)
        Positions theta_0 ... theta_k; ``xs[0]`` is the start.
    values : ndarray, shape (k + 1,)
        f(theta_t).
    grad_norms : ndarray, shape (k + 1,)
        ||grad f(theta_t)||.
    eigenvalues : ndarray, shape (k + 1, 2)
        Smallest and largest Hessian eigenvalue at theta_t (in 2D these are all of them).
    stop : Stop
        Why the run ended.
    landscape_params : dict
        The parameters the landscape was built with.
    hyper : dict
        The method's hyperparameters as they were used (``damping="auto"`` kept as given).
    """

    method: str
    landscape: str
    xs: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    eigenvalues: np.ndarray
    stop: Stop
    landscape_params: dict = field(default_factory=dict)
    hyper: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of steps taken (k)."""
        return len(self.xs) - 1

    @property
    def final(self) -> np.ndarray:
        return self.xs[-1]

    @property
    def message(self) -> str:
        return f"{self.stop.description} ({self.steps} steps)"

    def to_dict(self) -> dict:
        """Plain-Python form (lists, strings) for JSON export."""
        return {
            "method": self.method,
            "landscape": self.landscape,
            "landscape_params": _plain(self.landscape_params),
            "hyper": _plain(self.hyper),
            "stop": self.stop.name.lower(),
            "stop_description": self.stop.description,
            "steps": self.steps,
            "xs": self.xs.tolist(),
            "values": self.values.tolist(),
            "grad_norms": self.grad_norms.tolist(),
            "eigenvalues": self.eigenvalues.tolist(),
        }


def _plain(obj):
    """Convert numpy scalars and arrays inside dicts/lists to plain Python."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
