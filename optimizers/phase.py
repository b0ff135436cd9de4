"""Phase diagrams: what a method does near a 2D quadratic saddle, over a grid of its settings.

The landscape is f = 1/2 (lambda_+ eps_+^2 + lambda_- eps_-^2) with a fixed positive eigenvalue
lambda_+.  One step multiplies each coordinate eps_i by its update factor (the slides' "Recap"):

    gradient descent (step eta)     1 - eta lambda_i
    damped Newton (shift m)         1 - lambda_i / (lambda_i + m) = m / (lambda_i + m)

so the outcome of a run is decided by the factor of largest magnitude:

    every |factor_i| < 1                       attracted (to the critical point)
    largest |factor_i| > 1, on lambda_i < 0    escaped   (the run leaves downhill)
    largest |factor_i| > 1, on lambda_i > 0    diverged  (the run leaves uphill)

Its boundaries are |1 - eta lambda| = 1 (eta = 2/lambda) for gradient descent and
lambda_- = -2m (|m / (lambda_- + m)| = 1) for damped Newton, plus, for gradient descent with
both factors above 1, the tie |1 - eta lambda_+| = |1 - eta lambda_-| (eta = 2/(lambda_+ + lambda_-)).

Every cell of a computed diagram is a real run of the registered optimizer (``optimizers.run``,
the same compiled loop as ``run_many``, which for a single start would pay a parallel launch per
cell) from a start on the zero level set of f, which splits f equally
between the two directions: then the direction that grows faster decides the sign of f when the
run leaves the window, exactly as the theory above says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import numpy as np

import landscapes

from .run import run
from .spectral import update_factors
from .trajectory import Stop

# Distance of every start from the saddle: small against the window (half-width 2), so that a
# run needs many steps to leave it and the dominant factor has time to take over.
START_RADIUS = 0.5


class Outcome(enum.IntEnum):
    """What a run near the saddle ends in."""

    ESCAPED = 0
    ATTRACTED = 1
    DIVERGED = 2
    UNDECIDED = 3  # step limit reached (a factor too close to 1 in magnitude)
    SINGULAR = 4  # a Newton-type step divided by zero

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Outcome.ESCAPED: "left the saddle downhill, along the negative-curvature direction",
    Outcome.ATTRACTED: "converged to the critical point (the saddle, or the minimum when lambda_- > 0)",
    Outcome.DIVERGED: "blew up uphill: a positive-curvature direction overshoots with |factor| > 1",
    Outcome.UNDECIDED: "still undecided at the step limit (a factor of magnitude close to 1)",
    Outcome.SINGULAR: "the step divided by a zero eigenvalue (lambda + m = 0)",
}


def outcome_of_stop(stop: Stop) -> Outcome:
    """Map an optimizer's stop reason to an outcome near the saddle."""
    stop = Stop(stop)
    if stop.is_critical_point:
        return Outcome.ATTRACTED
    return {
        Stop.ESCAPED: Outcome.ESCAPED,
        Stop.DIVERGED: Outcome.DIVERGED,
        Stop.SINGULAR: Outcome.SINGULAR,
    }.get(stop, Outcome.UNDECIDED)


def outcome_from_factors(eigenvalues, factors, tol: float = 1e-12) -> Outcome:
    """The theoretical outcome from the update factors 1 - lambda_i phi(lambda_i).

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Hessian eigenvalues lambda_i.
    factors : array_like, shape (n,)
        Per-direction factors (``optimizers.update_factors``); ``inf`` where singular.
    tol : float
        Magnitudes within ``tol`` of 1, or of each other at the top, are a boundary
        (``UNDECIDED``).

    Notes
    -----
    Assumes a start that splits f equally between the directions (|lambda_i| eps_i^2 equal), as
    the computed diagrams use.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    fac = np.asarray(factors, dtype=float)
    if not np.all(np.isfinite(fac)):
        return Outcome.SINGULAR
    size = np.abs(fac)
    top = float(size.max())
    if top < 1.0 - tol:
        return Outcome.ATTRACTED
    if abs(top - 1.0) <= tol:
        return Outcome.UNDECIDED
    leaders = np.flatnonzero(size >= top * (1.0 - tol))
    signs = {bool(lam[i] < 0) for i in leaders}
    if len(signs) > 1:
        return Outcome.UNDECIDED
    return Outcome.ESCAPED if signs.pop() else Outcome.DIVERGED


@dataclass(frozen=True)
class Boundary:
    """A theoretical boundary curve in the diagram's plane.

    Attributes
    ----------
    label : str
        LaTeX-free label for a legend, e.g. "|1 - eta lambda_+| = 1".
    x : ndarray, shape (k,)
        lambda_- values (NaN separates pieces).
    y : ndarray, shape (k,)
        Values of the diagram's parameter (eta or m).
    """

    label: str
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class PhaseDiagram:
    """Outcome of a method over a grid of (lambda_-, parameter) near a 2D quadratic saddle.

    Attributes
    ----------
    method : str
        ``"gd"`` or ``"damped_newton"``.
    parameter : str
        ``"lr"`` (eta) or ``"damping"`` (m): the quantity on the y axis.
    lambda_plus : float
        The fixed positive eigenvalue.
    lambda_minus : ndarray, shape (nx,)
        Cell centres on the x axis.
    values : ndarray, shape (ny,)
        Cell centres of the parameter on the y axis.
    outcomes : ndarray of int, shape (ny, nx)
        Computed ``Outcome`` codes (rows: parameter, columns: lambda_-).
    steps : ndarray of int, shape (ny, nx)
        Steps each run took.
    theory : ndarray of int, shape (ny, nx)
        ``Outcome`` codes predicted from the update factors.
    boundaries : tuple of Boundary
    step_limit : int
    """

    method: str
    parameter: str
    lambda_plus: float
    lambda_minus: np.ndarray
    values: np.ndarray
    outcomes: np.ndarray
    steps: np.ndarray
    theory: np.ndarray
    boundaries: tuple
    step_limit: int

    def near_boundary(self, margin: int = 1) -> np.ndarray:
        """Cells within ``margin`` cells (in either axis, diagonals included) of a change in
        the theoretical outcome; shape (ny, nx), bool."""
        theory = self.theory
        ny, nx = theory.shape
        # Edge padding repeats the border, so the window's edge is no boundary.
        padded = np.pad(theory, margin, mode="edge")
        near = np.zeros(theory.shape, dtype=bool)
        for di in range(2 * margin + 1):
            for dj in range(2 * margin + 1):
                near |= padded[di: di + ny, dj: dj + nx] != theory
        return near

    def agreement(self, margin: int = 1) -> float:
        """Fraction of cells away from every boundary (see ``near_boundary``) whose computed
        outcome equals the theoretical one."""
        away = ~self.near_boundary(margin)
        if not away.any():
            return float("nan")
        return float(np.mean(self.outcomes[away] == self.theory[away]))


def _centres(lo: float, hi: float, count: int) -> np.ndarray:
    width = (hi - lo) / count
    return lo + width * (np.arange(count) + 0.5)


def _check_range(name: str, bounds, lo_min: float | None = None) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (lo, hi) of numbers, got {bounds!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a pair lo < hi of finite numbers, got {bounds!r}")
    if lo_min is not None and lo < lo_min:
        raise ValueError(f"{name} must start at {lo_min} or above, got {lo}")
    return lo, hi


def _check_shape(shape) -> tuple[int, int]:
    try:
        ny, nx = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be (rows, columns), got {shape!r}") from None
    if not (2 <= ny <= 200 and 2 <= nx <= 200):
        raise ValueError(f"shape must have 2 to 200 rows and columns, got {shape!r}")
    return ny, nx


def zero_level_start(lambda_plus: float, lambda_minus: float, radius: float = START_RADIUS) -> np.ndarray:
    """A start at distance ``radius`` with |lambda_+| eps_+^2 = |lambda_-| eps_-^2 (f = 0 on a
    saddle); shape (2,).  A zero lambda_- puts it on the flat direction."""
    weights = np.array([1.0 / np.sqrt(abs(lambda_plus)), 0.0])
    if abs(lambda_minus) > 0.0:
        weights[1] = 1.0 / np.sqrt(abs(lambda_minus))
    else:
        weights = np.array([0.0, 1.0])
    return radius * weights / np.linalg.norm(weights)


def _compute(method: str, parameter: str, lambda_plus: float, lambda_minus: np.ndarray,
             values: np.ndarray, steps: int, progress) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ny, nx = values.size, lambda_minus.size
    outcomes = np.empty((ny, nx), dtype=np.int64)
    taken = np.empty((ny, nx), dtype=np.int64)
    theory = np.empty((ny, nx), dtype=np.int64)
    fixed = {"lr": 1.0} if parameter == "damping" else {}
    for j, lam_minus in enumerate(lambda_minus):
        eigenvalues = [lambda_plus, float(lam_minus)]
        L = landscapes.get("quadratic", eigenvalues=eigenvalues)
        start = zero_level_start(lambda_plus, lam_minus)
        for i, value in enumerate(values):
            hyper = dict(fixed, **{parameter: float(value)})
            trajectory = run(L, method, start, steps=steps, **hyper)
            outcomes[i, j] = outcome_of_stop(trajectory.stop)
            taken[i, j] = trajectory.steps
            theory[i, j] = outcome_from_factors(eigenvalues, update_factors(method, eigenvalues, **hyper))
        if progress is not None:
            progress(j + 1, nx)
    return outcomes, taken, theory


def gd_boundaries(lambda_plus: float, lambda_minus: tuple, lr: tuple, num: int = 400) -> tuple:
    """Theory curves in the (lambda_-, eta) plane for gradient descent.

    ``|1 - eta lambda_+| = 1`` (eta = 2/lambda_+), ``|1 - eta lambda_-| = 1`` (lambda_- = 0, and
    eta = 2/lambda_- for lambda_- > 0), and for lambda_- < 0 the tie of the two growth rates
    ``|1 - eta lambda_+| = |1 - eta lambda_-|`` (eta = 2/(lambda_+ + lambda_-)).
    """
    (x_lo, x_hi), (y_lo, y_hi) = lambda_minus, lr
    out = [Boundary("|1 - eta lambda_+| = 1", np.array([x_lo, x_hi]), np.full(2, 2.0 / lambda_plus))]
    minus = []
    if x_lo < 0.0 < x_hi:
        minus.append((np.zeros(2), np.array([y_lo, y_hi])))
    x = np.linspace(max(x_lo, 1e-9), x_hi, num)
    if x_hi > 0:
        minus.append((x, 2.0 / x))
    if minus:
        xs = np.concatenate([np.append(a, np.nan) for a, _ in minus])[:-1]
        ys = np.concatenate([np.append(b, np.nan) for _, b in minus])[:-1]
        out.append(Boundary("|1 - eta lambda_-| = 1", xs, ys))
    lo_tie = max(x_lo, -lambda_plus + 1e-9)
    if lo_tie < min(x_hi, 0.0):
        x = np.linspace(lo_tie, min(x_hi, 0.0), num)
        out.append(Boundary("|1 - eta lambda_+| = |1 - eta lambda_-|", x, 2.0 / (lambda_plus + x)))
    return tuple(_clip(b, y_lo, y_hi) for b in out)


def damped_newton_boundaries(lambda_plus: float, lambda_minus: tuple, damping: tuple) -> tuple:
    """Theory curves in the (lambda_-, m) plane for damped Newton: ``lambda_- = -2m`` (attracted
    below it), ``lambda_- = -m`` (the step divides by zero) and ``lambda_- = 0``."""
    (x_lo, x_hi), (y_lo, y_hi) = lambda_minus, damping
    x = np.linspace(x_lo, min(x_hi, 0.0), 2)
    out = [Boundary("lambda_- = -2m", x, -x / 2.0), Boundary("lambda_- = -m (singular step)", x, -x)]
    if x_lo < 0.0 < x_hi:
        out.append(Boundary("lambda_- = 0", np.zeros(2), np.array([y_lo, y_hi])))
    return tuple(_clip(b, y_lo, y_hi) for b in out)


def _clip(b: Boundary, lo: float, hi: float) -> Boundary:
    """Cut sampled curves where they leave the parameter range (the hyperbola eta = 2/lambda_-
    shoots up near 0); straight two-point pieces are left whole for the plot to clip."""
    if b.x.size <= 2:
        return b
    return Boundary(b.label, b.x, np.where((b.y >= lo) & (b.y <= hi), b.y, np.nan))


def gd_phase_diagram(lambda_plus: float = 1.0, lambda_minus=(-3.0, 3.0), lr=(0.0, 3.0),
                     shape=(40, 40), steps: int = 20_000,
                     progress: Callable[[int, int], None] | None = None) -> PhaseDiagram:
    """Outcome of gradient descent over (lambda_-, eta) near a 2D quadratic saddle.

    Parameters
    ----------
    lambda_plus : float
        The fixed positive eigenvalue (> 0).
    lambda_minus : (lo, hi)
        Range of the second eigenvalue on the x axis (a saddle where it is negative).
    lr : (lo, hi)
        Range of the learning rate eta on the y axis, lo >= 0 (cells sit at centres, so eta > 0).
    shape : (rows, columns)
        Number of eta values and of lambda_- values, each in [2, 200].
    steps : int
        Step limit per run.
    progress : callable(done, total), optional
        Called after every column.

    Returns
    -------
    PhaseDiagram
    """
    return _diagram("gd", "lr", gd_boundaries, lambda_plus, lambda_minus, lr, shape, steps, progress)


def damped_newton_phase_diagram(lambda_plus: float = 1.0, lambda_minus=(-3.0, 0.0),
                                damping=(0.0, 2.0), shape=(40, 40), steps: int = 20_000,
                                progress: Callable[[int, int], None] | None = None) -> PhaseDiagram:
    """Outcome of damped Newton (full step, fixed shift m) over (lambda_-, m) near a 2D
    quadratic saddle.  Parameters as in ``gd_phase_diagram``, with ``damping`` the range of m
    (lo >= 0; m = 0 is Newton, attracted in one step)."""
    return _diagram("damped_newton", "damping", damped_newton_boundaries, lambda_plus, lambda_minus,
                    damping, shape, steps, progress)


def _diagram(method, hyper, boundaries, lambda_plus, lambda_minus, y_values, shape, steps, progress):
    """The shared body of the two phase diagrams: check, run the grid, draw the theory."""
    lambda_plus = _check_lambda_plus(lambda_plus)
    x_range = _check_range("lambda_minus", lambda_minus)
    y_range = _check_range(hyper, y_values, lo_min=0.0)
    ny, nx = _check_shape(shape)
    x, y = _centres(*x_range, nx), _centres(*y_range, ny)
    outcomes, taken, theory = _compute(method, hyper, lambda_plus, x, y, steps, progress)
    return PhaseDiagram(method, hyper, lambda_plus, x, y, outcomes, taken, theory,
                        boundaries(lambda_plus, x_range, y_range), int(steps))


def _check_lambda_plus(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"lambda_plus must be a number in (0, 100], got {value!r}") from None
    if not (np.isfinite(value) and 0.0 < value <= 100.0):
        raise ValueError(f"lambda_plus (the fixed positive eigenvalue) must be in (0, 100], got {value}")
    return value
