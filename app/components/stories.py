"""Stories: guided sequences of named scenes, and the measurements some steps show.

A :class:`Story` is a titled sequence of :class:`Step`; a step is a named scene
(``app.components.scenes``) plus the panels drawn under its figure (``PANELS``) and links to
the pages that go further.  The Stories page (app/views/stories.py) keeps its place in the
query parameters::

    ?story=<slug>&step=<k>      k from 1 to the story's number of steps

:func:`parse_story_query` reads any mapping and never raises: an unknown story or a step that
is not a whole number in range falls back to the first story / step 1 with a warning.

The panels' numbers come from the library (``optimizers.run``, ``find_critical_points``,
``landscapes.saxe``): :func:`gd_escape_times`, :func:`quartic_escape_times`,
:func:`index_survey` and :func:`saxe_modes`.  Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

import landscapes
import optimizers
from landscapes import random_matrix as rm
from landscapes import saxe

from .scenes import SCENES, NamedScene

# --------------------------------------------------------------------------- stories

PANELS = {
    "eps": "distance from θ* along each eigenvector, |ε_i| against step (log scale)",
    "progress": "value f and gradient norm against step",
    "escape_times": "gradient descent's escape time against the start's distance d",
    "degenerate_escape": "escape times: a strict saddle against x² − y⁴",
    "basins": "basins of attraction of Newton and saddle-free Newton",
    "index_error": "index against error of the field's critical points (Bray & Dean)",
    "saxe_modes": "mode strengths of a linear network learning (Saxe et al.)",
}


@dataclass(frozen=True)
class Step:
    """One step of a story.

    Attributes
    ----------
    scene : NamedScene
    panels : tuple of str
        Keys of ``PANELS`` drawn under the figure, in order.
    see_also : tuple of (str, str)
        (page file in app/views, link label) of pages that go further.
    title, narrative, observe : str
        The banner's text; empty takes the scene's own (a step that shows a scene again with
        another panel says what the panel is about).
    """

    scene: NamedScene
    panels: tuple = ("eps",)
    see_also: tuple = ()
    title: str = ""
    narrative: str = ""
    observe: str = ""

    def __post_init__(self):
        unknown = [p for p in self.panels if p not in PANELS]
        if unknown:
            raise ValueError(f"unknown panel(s) {unknown}; choose from {sorted(PANELS)}")
        for attr in ("title", "narrative", "observe"):
            if not getattr(self, attr):
                object.__setattr__(self, attr, getattr(self.scene, attr))


@dataclass(frozen=True)
class Story:
    """A guided sequence of scenes.

    Attributes
    ----------
    slug : str
        Query value (``?story=<slug>``).
    title : str
    question : str
        The question the story answers (shown at the top, like a slide's question).
    steps : tuple of Step
    """

    slug: str
    title: str
    question: str
    steps: tuple

    def __post_init__(self):
        if not self.steps:
            raise ValueError(f"story {self.slug!r} has no steps")

    def __len__(self) -> int:
        return len(self.steps)


def _step(name: str, panels=("eps",), see_also=(), **text) -> Step:
    return Step(SCENES[name], tuple(panels), tuple(see_also), **text)


EXPLORER = ("explorer.py", "Saddle explorer")
PHASE = ("phase_diagram.py", "Phase diagrams")
RANDOM = ("random_landscapes.py", "Random landscapes")
CRITICAL = ("critical_points.py", "Critical points")
LINEAR = ("linear_networks.py", "Linear networks")
FISHER = ("natural_gradient.py", "Natural gradient and the Fisher matrix")
DERIVATION = ("saddle_free_derivation.py", "The saddle-free algorithm")

_stories = [
    Story("escaping", "Escaping a saddle",
          "How long does gradient descent take to leave a saddle point?",
          (_step("gd_escape_basic"),
           _step("gd_slow_escape"),
           _step("gd_escape_closer"),
           _step("gd_escape_weak", ("escape_times",), (PHASE,)))),
    Story("newton", "Newton is fooled",
          "Newton's method converges fast: but to what?",
          (_step("newton_attracted"),
           _step("newton_far_start"),
           _step("newton_himmelblau_maximum", ("progress",)),
           _step("newton_himmelblau_saddle", ("basins",), (EXPLORER,)))),
    Story("damping", "Damping is not enough",
          "Does adding m to the Hessian's eigenvalues fix Newton near a saddle?",
          (_step("damped_auto"),
           _step("damped_slow"),
           _step("damped_attracted"),
           _step("damped_threshold"),
           _step("damped_oscillating_escape", ("eps",), (PHASE,)))),
    Story("saddle_free", "Saddle-free escapes",
          "What should a step look like near a saddle? It should depend on sign(λ), not on |λ|.",
          (_step("saddle_free_escapes"),
           _step("saddle_free_doubling"),
           _step("saddle_free_small_gap"),
           _step("saddle_free_two_param", ("progress",), (DERIVATION,)))),
    Story("degenerate", "Degenerate saddles",
          "What happens where the Hessian cannot tell: H = 0, or a zero eigenvalue?",
          (_step("monkey_saddle"),
           _step("quartic_saddle"),
           _step("quartic_saddle", ("degenerate_escape",), (CRITICAL,),
                 title="Escape time: strict against degenerate",
                 narrative="How long gradient descent takes to leave, as the start's distance d "
                           "from the stable manifold shrinks: the strict saddle x² − ½y² against "
                           "x² − y⁴.",
                 observe="On the log–log plot the strict saddle's times grow by a constant step "
                         "per decade of d (a logarithm); those of x² − y⁴ grow a hundredfold per "
                         "decade (1/d²)."))),
    Story("high_dimensions", "High dimensions",
          "In many dimensions, are critical points minima or saddles?",
          (_step("random_field_newton", ("progress",)),
           _step("random_field_newton", ("index_error",), (RANDOM,),
                 title="Index against error",
                 narrative="Newton's method on ∇φ = 0 from 200 random starts finds critical "
                           "points of the same field. Bray & Dean predict the index α (the "
                           "fraction of negative Hessian eigenvalues) from the value density ε.",
                 observe="The points follow the curve α(ε): the higher the value, the more "
                         "directions lead down; minima only below ε_c = −2, which random starts "
                         "almost never reach. Newton's saddle from the previous step (the star) "
                         "lies on the curve."))),
    Story("plateaus", "Plateaus of linear networks and the natural gradient",
          "Why does training stall on plateaus, and does the natural gradient help?",
          (_step("plateau_two_param", ("progress",)),
           _step("plateau_smaller_start", ("progress",)),
           _step("plateau_linear_net", ("saxe_modes",), (LINEAR,)),
           _step("natural_gradient_singular", ("progress",), (FISHER,)),
           _step("saddle_free_two_param", ("progress",)))),
]

STORIES: dict[str, Story] = {s.slug: s for s in _stories}
DEFAULT_STORY = _stories[0].slug


@dataclass(frozen=True)
class StoryPosition:
    """Where the Stories page is: a story and a step index (0-based), with link warnings."""

    story: str
    step: int
    warnings: tuple = ()


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def parse_story_query(query: Mapping) -> StoryPosition:
    """``story`` and ``step`` (1-based) from query parameters; never raises.

    A missing key takes its default silently; a malformed one takes it with a warning that
    names the key.
    """
    q = {str(k): _first(v) for k, v in dict(query).items()}
    warnings = []
    slug = q.get("story", DEFAULT_STORY).strip()
    if slug not in STORIES:
        warnings.append(f"story: {slug[:40]!r} is not a story (choose one of "
                        f"{', '.join(STORIES)}); showing '{DEFAULT_STORY}'")
        slug = DEFAULT_STORY
    n = len(STORIES[slug])
    step = 0
    if "step" in q:
        text = q["step"].strip()
        try:
            value = float(text)
            if not (math.isfinite(value) and value.is_integer() and 1 <= value <= n):
                raise ValueError
            step = int(value) - 1
        except ValueError:
            warnings.append(f"step: {text[:20]!r} must be a whole number from 1 to {n}; "
                            "showing step 1")
    return StoryPosition(slug, step, tuple(warnings))


def story_query(slug: str, step: int) -> dict[str, str]:
    """Query parameters of a story's step (``step`` 0-based)."""
    return {"story": slug, "step": str(int(step) + 1)}


# --------------------------------------------------------------------------- escape times


@dataclass(frozen=True)
class EscapeTimes:
    """Steps until a run started at distance d from a saddle's stable manifold gets R away.

    Attributes
    ----------
    label : str
    distances : ndarray, shape (k,)
        d, the start's coordinate along the escape direction.
    measured : ndarray, shape (k,)
        Steps of real runs (``optimizers.run``) until |ε| >= R (NaN if never within budget).
    predicted : ndarray, shape (k,)
        The law the story states (continuous time).
    exact : ndarray, shape (k,)
        The discrete-time count where one exists (NaN otherwise).
    """

    label: str
    distances: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    exact: np.ndarray


def escape_steps(L, method: str, starts, *, axis: int = 1, radius: float = 1.0,
                 max_steps: int = 100_000, **hyper) -> np.ndarray:
    """First step at which |θ[axis]| >= radius, for a run of ``method`` from every start.

    Parameters
    ----------
    L : Landscape
        With its saddle at the origin.
    starts : array_like, shape (k, n)
    axis : int
        The escape direction (an eigenvector of the saddle along a coordinate axis).
    radius : float
        R > 0.

    Returns
    -------
    ndarray, shape (k,)
        Steps (float; NaN where the run never got there within ``max_steps``).
    """
    if not (math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius R must be > 0, got {radius!r}")
    out = []
    for x0 in np.atleast_2d(np.asarray(starts, dtype=float)):
        # gtol = 0: the run must not stop at the saddle it starts next to
        T = optimizers.run(L, method, x0, steps=int(max_steps), gtol=0.0, **hyper)
        with np.errstate(invalid="ignore"):
            beyond = np.flatnonzero(np.abs(T.xs[:, axis]) >= radius)
        out.append(float(beyond[0]) if beyond.size else math.nan)
    return np.array(out)


def _check_distances(distances) -> np.ndarray:
    d = np.asarray(distances, dtype=float)
    if d.ndim != 1 or d.size == 0 or not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("distances d must be a list of positive numbers")
    return d


def gd_escape_times(eigenvalue: float, distances, *, lr: float = 0.1, radius: float = 1.0,
                    eigenvalue_plus: float = 2.0) -> EscapeTimes:
    """Gradient descent's escape from the saddle ½(λ₊x² + λ₋y²), started at (1, d).

    Along v₋ each step multiplies ε by 1 + α|λ₋|, so the run needs exactly

        k = ceil( ln(R/d) / ln(1 + α|λ₋|) )      steps, and in continuous time
        k ≈ ln(R/d) / (α|λ₋|)                    (the story's law: log(1/d) / |λ₋|).

    Parameters
    ----------
    eigenvalue : float
        λ₋ < 0.
    distances : array_like, shape (k,)
        d > 0.
    lr : float
        α > 0.
    radius : float
        R: the run has escaped once |y| >= R.
    eigenvalue_plus : float
        λ₊ > 0.
    """
    if not (math.isfinite(eigenvalue) and eigenvalue < 0):
        raise ValueError(f"eigenvalue λ₋ must be < 0, got {eigenvalue!r}")
    d = _check_distances(distances)
    rate = lr * abs(eigenvalue)
    exact = np.ceil(np.log(radius / d) / np.log1p(rate))
    L = landscapes.get("quadratic", eigenvalues=[eigenvalue_plus, eigenvalue])
    starts = np.column_stack([np.ones_like(d), d])
    measured = escape_steps(L, "gd", starts, radius=radius, max_steps=int(1.5 * exact.max()) + 10, lr=lr)
    return EscapeTimes(f"λ₋ = {eigenvalue:g}", d, measured, np.log(radius / d) / rate, exact)


def quartic_escape_times(distances, *, lr: float = 0.1, radius: float = 1.0) -> EscapeTimes:
    """Gradient descent's escape from the degenerate saddle x² − y⁴, started at (0.75, d).

    Along y, dy/dt = 4y³ (t = αk): 1/y² falls linearly, so the escape takes

        k ≈ (1/d² − 1/R²) / (8α)      steps: polynomial in 1/d, not logarithmic.
    """
    d = _check_distances(distances)
    predicted = (1.0 / d**2 - 1.0 / radius**2) / (8.0 * lr)
    L = landscapes.get("degenerate_saddle")
    starts = np.column_stack([np.full_like(d, 0.75), d])
    measured = escape_steps(L, "gd", starts, radius=radius, max_steps=int(1.5 * predicted.max()) + 10, lr=lr)
    return EscapeTimes("x² − y⁴", d, measured, predicted, np.full_like(d, math.nan))


# --------------------------------------------------------------------------- index against error


@dataclass(frozen=True)
class IndexSurvey:
    """Critical points of a Gaussian field found by Newton's method, against Bray & Dean.

    Attributes
    ----------
    eps : ndarray, shape (m,)
        Value densities φ/N.
    alpha : ndarray, shape (m,)
        Index fractions (negative Hessian eigenvalues / N).
    kinds : tuple of str
    rms : float
        RMS of α − α(ε).
    theory_eps, theory_alpha : ndarray, shape (200,)
        The curve α(ε).
    threshold : float
        ε_c: every critical point below is a minimum.
    n_starts : int
    """

    eps: np.ndarray
    alpha: np.ndarray
    kinds: tuple
    rms: float
    theory_eps: np.ndarray
    theory_alpha: np.ndarray
    threshold: float
    n_starts: int


def index_survey(L, n_starts: int = 200, half_width: float = 3.0, seed: int = 0,
                 progress: Callable[[int, int], None] | None = None) -> IndexSurvey:
    """Newton's method on ∇φ = 0 from uniform starts in [−a, a]^N (as the Random landscapes
    page does, with fewer starts), compared with α(ε) of ``L.extras["theory"]``."""
    theory = L.extras.get("theory")
    if theory is None:
        raise ValueError(f"landscape '{L.name}' is not a Gaussian field (no Bray-Dean theory)")
    starts = np.random.default_rng((seed, 1)).uniform(-half_width, half_width, (int(n_starts), L.dim))
    search = optimizers.find_critical_points(L, starts, gtol=1e-8, max_iter=50, progress=progress)
    points = search.points
    values = np.array([p.value for p in points])
    eigenvalues = np.array([p.eigenvalues for p in points]).reshape(len(points), L.dim)
    check = rm.compare_with_theory(values, eigenvalues, theory)
    lo = min(1.25 * theory.minimum_threshold, float(check.eps.min()) if check.eps.size else 0.0)
    hi = max(-1.25 * theory.minimum_threshold, float(check.eps.max()) if check.eps.size else 0.0)
    grid = np.linspace(lo, hi, 200)
    return IndexSurvey(check.eps, check.alpha, tuple(p.kind.value for p in points),
                       check.rms_index_deviation, grid, np.asarray(theory.index(grid), float),
                       theory.minimum_threshold, search.n_starts)


# --------------------------------------------------------------------------- Saxe's modes


@dataclass(frozen=True)
class SaxeModes:
    """Mode strengths of a two-layer linear network under gradient descent.

    Attributes
    ----------
    s : ndarray, shape (r,)
        Singular values of Σ₃₁.
    steps : ndarray, shape (k,)
    measured : ndarray, shape (k, r)
        u_α = u_αᵀ W₂W₁ v_α along an ``optimizers.run`` of gradient descent.
    theory : ndarray, shape (k, r)
        Saxe's u(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/u₀), τ = 1/α.
    half_times : ndarray, shape (r,)
        Predicted steps to u = s/2.
    """

    s: np.ndarray
    steps: np.ndarray
    measured: np.ndarray
    theory: np.ndarray
    half_times: np.ndarray


def saxe_modes(lr: float = 0.01, u0: float = 1e-3, steps: int = 1000, seed: int = 0) -> SaxeModes:
    """Gradient descent on the explorer's ``linear_net`` from Saxe's decoupled start."""
    L = landscapes.get("linear_net", seed=seed)
    s = np.asarray(L.params["s"], dtype=float)
    T = optimizers.run(L, "gd", saxe.decoupled_start(L, u0, seed), steps=int(steps), lr=lr, gtol=0.0)
    k = np.arange(len(T.xs), dtype=float)
    measured = saxe.mode_strengths(L, T.xs)
    theory = saxe.mode_strength(k[:, None], s[None, :], np.full_like(s, u0)[None, :], lr)
    half = np.array([float(saxe.time_to_reach(v / 2, v, u0, lr)) for v in s])
    return SaxeModes(s, k, measured, np.asarray(theory, float), half)


__all__ = [
    "DEFAULT_STORY", "EscapeTimes", "IndexSurvey", "PANELS", "STORIES", "SaxeModes", "Step",
    "Story", "StoryPosition", "escape_steps", "gd_escape_times", "index_survey",
    "parse_story_query", "quartic_escape_times", "saxe_modes", "story_query",
]
