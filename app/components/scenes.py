"""Named scenes: the explorer set up for one slide, as data a lecturer links to.

A :class:`NamedScene` holds a complete explorer :class:`~app.components.scene.Scene` (every
control), the slide it belongs to, one or two sentences of narrative, an "Observe:" line, the
outcome each run is claimed to have (``expect``, checked by the tests against real runs) and
optionally a multiple-choice :class:`Prediction` asked before the outcome is shown.

    >>> from app.components.scenes import SCENES, SLIDE_SCENES, explorer_link
    >>> SCENES["newton_attracted"].link
    '/explorer?l=quadratic&x0=1,0.04&m=gd,nt&n=100'

``SLIDE_SCENES`` lists the scenes of the deck's "Behaviour of the optimization algorithms"
slides (A. gradient descent, B. Newton, C. damped Newton, D. natural gradient, E. saddle-free)
in the deck's order; the stories (``app.components.stories``) use these and a few more.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np

import optimizers
from optimizers import Stop

from .scene import Scene, param_specs, plane_for

EXPLORER_URL_PATH = "explorer"  # st.navigation's url path of app/views/explorer.py

SLIDE_A = "A. Gradient descent near saddle points"
SLIDE_B = "B. Newton near saddle points"
SLIDE_C = "C. Hessian approximation: damped Newton"
SLIDE_D = "D. Natural gradient near saddle points"
SLIDE_E = "E. The saddle-free algorithm"

ANYWHERE = (0.0, math.inf)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Option:
    """One answer of a prediction, and the outcomes that make it right.

    Attributes
    ----------
    text : str
        What the student reads (Markdown).
    stops : frozenset of Stop
        Stop reasons of the prediction's run that this answer describes.
    end_distance : (float, float)
        Closed range of ‖θ_end‖ (plane coordinates) this answer describes; tells "a minimum
        nearby" from "a minimum far out" when both end at ``Stop.MINIMUM``.
    """

    text: str
    stops: frozenset
    end_distance: tuple = ANYWHERE

    def matches(self, trajectory, plane) -> bool:
        """Whether this answer describes how ``trajectory`` ended."""
        if trajectory.stop not in self.stops:
            return False
        end = plane.project(trajectory.xs[-1:])[0]
        lo, hi = self.end_distance
        return lo <= float(np.linalg.norm(end)) <= hi


@dataclass(frozen=True)
class Prediction:
    """A multiple-choice question about one run, asked before the figure is drawn.

    Attributes
    ----------
    question : str
    method : str
        The run the question is about.
    options : tuple of Option
    correct : int
        Index of the right option.
    explanation : str
        Shown with the outcome, after the answer.
    """

    question: str
    method: str
    options: tuple
    correct: int
    explanation: str

    def __post_init__(self):
        if not 0 <= self.correct < len(self.options):
            raise ValueError(f"correct must index one of the {len(self.options)} options, "
                             f"got {self.correct}")
        optimizers.method_info(self.method)  # raises for an unknown method


@dataclass(frozen=True)
class NamedScene:
    """An explorer scene for one slide or one story step.

    Attributes
    ----------
    name : str
        Stable identifier (used in tests and stories).
    slide : str
        The slide it reproduces (the deck's section letter and title).
    title : str
        Short title for banners and tables of contents.
    scene : Scene
        Every control of the explorer.
    narrative : str
        One or two sentences (Markdown, $LaTeX$ allowed).
    observe : str
        What to look for.
    prediction : Prediction or None
    expect : tuple of (method, frozenset of Stop)
        How each run ends: the scene's claim, checked against real runs by the tests.
    """

    name: str
    slide: str
    title: str
    scene: Scene
    narrative: str
    observe: str
    prediction: Prediction | None = None
    expect: tuple = ()

    def __post_init__(self):
        methods = set(self.scene.methods)
        for method, _ in self.expect:
            if method not in methods:
                raise ValueError(f"scene {self.name!r} expects an outcome of {method!r}, "
                                 "which it does not run")
        if self.prediction is not None and self.prediction.method not in methods:
            raise ValueError(f"scene {self.name!r} asks about {self.prediction.method!r}, "
                             "which it does not run")

    @property
    def query(self) -> dict[str, str]:
        """The explorer's query parameters for this scene."""
        return self.scene.to_query()

    @property
    def link(self) -> str:
        """The explorer link a lecturer puts on a slide (a path: prefix the app's address)."""
        return explorer_link(self.scene)

    @property
    def expected(self) -> dict:
        return {method: stops for method, stops in self.expect}


def explorer_link(scene: Scene) -> str:
    """``/explorer?<query>`` for a scene; commas and colons stay readable."""
    return f"/{EXPLORER_URL_PATH}?" + urlencode(scene.to_query(), safe=",:")


def outcome_matches(prediction: Prediction, trajectories, plane) -> list[bool]:
    """For every option of ``prediction``: does it describe the run of its method?"""
    run = next((t for t in trajectories if t.method == prediction.method), None)
    if run is None:
        return [False] * len(prediction.options)
    return [option.matches(run, plane) for option in prediction.options]


def scene_plane(scene: Scene, L=None):
    """The plane the explorer draws the scene on (for ``Option.matches``)."""
    L = scene.build_landscape() if L is None else L
    return plane_for(L, scene.origin, scene.directions)


# --------------------------------------------------------------------------- what changed

PARAM_NAMES = {
    ("quadratic", "l1"): "λ₁",
    ("quadratic", "l2"): "λ₂",
    ("quadratic", "ang"): "rotation angle (°)",
    ("symmetric_net", "a"): "teacher a",
    ("symmetric_net", "b"): "teacher b",
    ("gaussian_field", "dim"): "dimension N",
    ("gaussian_field", "seed"): "field seed",
    ("gaussian_field", "ls"): "length scale ℓ",
    ("linear_net", "depth"): "depth D",
    ("linear_net", "s"): "singular values s",
    ("linear_net", "seed"): "seed",
    ("linear_autoencoder", "ev"): "covariance eigenvalues",
    ("linear_autoencoder", "p"): "hidden units p",
    ("linear_autoencoder", "seed"): "seed",
}
HYPER_NAMES = {"lr": "α", "damping": "m", "margin": "margin", "noise": "σ", "seed": "noise seed",
               "k": "Krylov vectors k"}
LANDSCAPE_NAMES = {
    "quadratic": "quadratic saddle", "two_param_net": "two-parameter net",
    "symmetric_net": "symmetric net", "monkey_saddle": "monkey saddle",
    "degenerate_saddle": "x² − y⁴", "himmelblau": "Himmelblau", "gaussian_field": "Gaussian field",
    "linear_net": "linear network", "linear_autoencoder": "linear autoencoder",
}


def _num(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_num(v) for v in value) + ")"
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{float(value):.6g}"


def _method_label(method: str) -> str:
    return optimizers.method_info(method).label


def _hyper_text(value) -> str:
    return "default" if value is None else _num(value)


def landscape_name(name: str) -> str:
    return LANDSCAPE_NAMES.get(name, name)


def describe_changes(old: Scene, new: Scene) -> list[str]:
    """The controls ``new`` sets differently from ``old``, in words, in the sidebar's order.

    >>> describe_changes(Scene(), Scene.make(params={"l2": 1.0}, methods=("gd", "newton")))
    ['λ₂: -1 → 1', 'methods: − Damped Newton, − Saddle-free Newton']
    """
    out: list[str] = []
    if new.landscape != old.landscape:
        out.append(f"landscape: {landscape_name(old.landscape)} → {landscape_name(new.landscape)}")
        for spec in param_specs(new.landscape):
            value = new.params_dict[spec.key]
            if spec.canonical(value) != spec.canonical(spec.default):
                out.append(f"{PARAM_NAMES.get((new.landscape, spec.key), spec.key)} = {_num(value)}")
    else:
        for spec in param_specs(new.landscape):
            a, b = old.params_dict.get(spec.key, spec.default), new.params_dict[spec.key]
            if spec.canonical(a) != spec.canonical(b):
                out.append(f"{PARAM_NAMES.get((new.landscape, spec.key), spec.key)}: "
                           f"{_num(a)} → {_num(b)}")
    if new.origin != old.origin:
        out.append(f"slice through: {old.origin} → {new.origin}")
    if new.directions != old.directions:
        out.append(f"slice directions: {old.directions} → {new.directions}")
    if tuple(new.start) != tuple(old.start):
        out.append(f"start: {_num(old.start)} → {_num(new.start)}")
    added = [m for m in new.methods if m not in old.methods]
    removed = [m for m in old.methods if m not in new.methods]
    if added or removed:
        out.append("methods: " + ", ".join([f"+ {_method_label(m)}" for m in added]
                                            + [f"− {_method_label(m)}" for m in removed]))
    for method in new.methods:
        before, after = old.hyper_for(method), new.hyper_for(method)
        for name, value in after.items():
            if before.get(name) != value:
                out.append(f"{_method_label(method)} {HYPER_NAMES.get(name, name)}: "
                           f"{_hyper_text(before.get(name))} → {_hyper_text(value)}")
    for attr, label in (("steps", "steps"), ("view", "view"), ("arrows", "eigenvector arrows"),
                        ("fps", "animation speed (fps)"), ("basins", "basins map")):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(f"{label}: {_num(a) if not isinstance(a, str) else a.upper()} → "
                       f"{_num(b) if not isinstance(b, str) else b.upper()}")
    return out


# --------------------------------------------------------------------------- the scenes


def _quadratic(l1: float, l2: float, start, methods, hyper=None, steps: int = 100) -> Scene:
    return Scene.make("quadratic", {"l1": l1, "l2": l2}, start=start, methods=methods,
                      hyper=hyper, steps=steps)


def _stops(*stops: Stop) -> frozenset:
    return frozenset(stops)


ESCAPING = _stops(Stop.ESCAPED, Stop.STEP_LIMIT)  # on a quadratic saddle f is unbounded below

_named = [
    # ---------------------------------------------------------------- the slides' scenes
    NamedScene(
        "gd_slow_escape", SLIDE_A, "Gradient descent: a slow escape",
        _quadratic(5.0, -0.1, (1.0, 0.04), ("gd",), steps=300),
        r"λ₁ = 5 and λ₂ = −0.1 differ fifty-fold. With α = 0.1 one step multiplies "
        r"ε₁ by $1 - \alpha\lambda_1 = 0.5$ and ε₂ by $1 - \alpha\lambda_2 = 1.01$; α cannot "
        r"grow past $2/\lambda_1 = 0.4$ without diverging along v₁.",
        "The path drops onto the v₂ axis within ten steps, then crawls: after 300 steps ε₂ has "
        "grown only from 0.04 to 0.79 (1.01³⁰⁰ ≈ 20). GD escapes, slowly.",
        Prediction(
            "λ₁ = 5, λ₂ = −0.1, α = 0.1, start (1, 0.04). After 300 steps, where is gradient "
            "descent?",
            "gd",
            (Option("Far away: it has left the window downhill", _stops(Stop.ESCAPED)),
             Option("Still inside the window, on its way out along v₂", _stops(Stop.STEP_LIMIT)),
             Option("On the saddle", _stops(Stop.SADDLE)),
             Option("Diverged: α is too large", _stops(Stop.DIVERGED))),
            1,
            "Along v₂ the factor is 1.01 per step: ε₂ = 0.04 · 1.01³⁰⁰ ≈ 0.79. The positive "
            "direction vanishes at once (factor 0.5), the negative one needs ln(1/0.04)/ln 1.01 ≈ "
            "320 steps to reach ε₂ = 1: the larger the gap between the eigenvalues, the slower GD.",
        ),
        expect=(("gd", _stops(Stop.STEP_LIMIT)),),
    ),
    NamedScene(
        "newton_attracted", SLIDE_B, "Newton is attracted by the saddle",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("gd", "newton")),
        r"Newton's step is $-H^{-1}\nabla f$. Along each eigenvector it moves by "
        r"$-\epsilon_i$: the factor is $1 - 1 = 0$ whatever the sign of λᵢ.",
        "Newton jumps onto the saddle in one step and stops there; gradient descent, from the same "
        "start, leaves along v₂.",
        Prediction(
            "λ = (2, −1): a saddle at the origin. Where will Newton end?",
            "newton",
            (Option("On the saddle, after one step", _stops(Stop.SADDLE)),
             Option("Downhill along v₂, like gradient descent", ESCAPING),
             Option("Uphill: it diverges", _stops(Stop.DIVERGED))),
            0,
            "Newton multiplies every ε_i by 1 − λ_i/λ_i = 0: on a quadratic it lands on the "
            "critical point in one step, and that point is the saddle. It loses sign(λ_i): "
            "Newton is a saddle attractor.",
        ),
        expect=(("gd", ESCAPING), ("newton", _stops(Stop.SADDLE))),
    ),
    NamedScene(
        "damped_slow", SLIDE_C, "Damped Newton: slowed by m",
        _quadratic(2.0, -0.1, (1.0, 0.04), ("damped_newton", "saddle_free"),
                   hyper={"damped_newton": {"damping": 1.0}}),
        r"Damping shifts every eigenvalue by m: the step along vᵢ is "
        r"$-\frac{\lambda_i}{\lambda_i + m}\epsilon_i$. With λ₂ = −0.1 and m = 1 (what a more "
        r"negative eigenvalue elsewhere would need), that is only 0.11 ε₂.",
        "Damped Newton leaves at ×1.11 per step and needs 38 steps to reach the window's edge "
        "(y = 2); saddle-free Newton doubles ε₂ every step and is there after 6.",
        expect=(("damped_newton", _stops(Stop.STEP_LIMIT)), ("saddle_free", _stops(Stop.ESCAPED))),
    ),
    NamedScene(
        "damped_attracted", SLIDE_C, "Damped Newton attracted: λ < −2m",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("damped_newton",),
                   hyper={"damped_newton": {"damping": 0.4}}),
        r"Too little damping: m = 0.4 does not make $H + mI$ positive definite, since "
        r"λ₂ + m = −0.6. The factor along v₂ is $\frac{m}{\lambda_2 + m} = -\frac23$.",
        "The path hops from one side of the saddle to the other, closer each time, and stops on it.",
        Prediction(
            "λ₂ = −1, damping m = 0.4. What does damped Newton do?",
            "damped_newton",
            (Option("Escapes quickly along v₂", _stops(Stop.ESCAPED)),
             Option("Escapes, but slowly", _stops(Stop.STEP_LIMIT)),
             Option("Falls onto the saddle, hopping from side to side", _stops(Stop.SADDLE)),
             Option("Diverges", _stops(Stop.DIVERGED))),
            2,
            "The factor m/(λ₂ + m) = 0.4/(−0.6) = −2/3: ε₂ changes sign and shrinks by a third "
            "every step. Whenever λ < −2m the factor lies in (−1, 0) and the saddle attracts: "
            "damping does not fix Newton.",
        ),
        expect=(("damped_newton", _stops(Stop.SADDLE)),),
    ),
    NamedScene(
        "natural_gradient_singular", SLIDE_D, "Natural gradient and the singular Fisher",
        Scene.make("two_param_net", start=(1e-3, 1.2e-3),
                   methods=("gd", "newton", "natural_gradient"), steps=200),
        r"The two-parameter net $f = \frac12(1 - w_1 w_2)^2$ has a saddle at the origin. Its "
        r"Fisher matrix $F = J^\top J$ has rank one and vanishes there: "
        r"$-F^{+}\nabla f$ divides by a number of the size of $|w|^2$.",
        "Natural gradient's first step is about 640 long: it lands far outside the window and ends "
        "on the valley w₁w₂ = 1 at about (210, 0.005). Gradient descent reaches (1, 1) after a "
        "plateau; Newton stays on the saddle.",
        Prediction(
            "From (0.001, 0.0012), next to the saddle where the Fisher matrix is singular, where "
            "does natural gradient end?",
            "natural_gradient",
            (Option("On the saddle, like Newton", _stops(Stop.SADDLE)),
             Option("On the minimum near (1, 1), like gradient descent", _stops(Stop.MINIMUM),
                    (0.0, 5.0)),
             Option("On a minimum far out on the valley w₁w₂ = 1, after a huge first step",
                    _stops(Stop.MINIMUM), (5.0, math.inf)),
             Option("Nowhere yet: still on the plateau", _stops(Stop.STEP_LIMIT))),
            2,
            "Near the origin F ≈ 0, so the (pseudo-)inverse blows the step up: size "
            "η(1 − a²)/(√2 a) from (a, a). The run does reach the valley of minima, but at "
            "(210, 0.005), after steps that have nothing to do with the local geometry "
            "(Mizutani & Dreyfus 2010). F holds none of H's negative curvature.",
        ),
        expect=(("gd", _stops(Stop.MINIMUM)), ("newton", _stops(Stop.SADDLE)),
                ("natural_gradient", _stops(Stop.MINIMUM))),
    ),
    NamedScene(
        "saddle_free_escapes", SLIDE_E, "Saddle-free Newton escapes",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("gd", "newton", "saddle_free")),
        r"Saddle-free Newton rescales by $|H|^{-1}$: the step keeps sign(λᵢ) and drops |λᵢ|. "
        r"The factor is $1 - \lambda_i/|\lambda_i|$: 0 where λᵢ > 0, 2 where λᵢ < 0.",
        "Saddle-free Newton lands on the v₂ axis in one step, then doubles ε₂ every step and leaves "
        "the window; Newton stops on the saddle; gradient descent leaves at ×1.1 per step.",
        Prediction(
            "Same saddle, same start. Where will saddle-free Newton go?",
            "saddle_free",
            (Option("Onto the saddle, like Newton", _stops(Stop.SADDLE)),
             Option("Away along v₂, doubling its distance every step", _stops(Stop.ESCAPED)),
             Option("Away, but as slowly as gradient descent", _stops(Stop.STEP_LIMIT)),
             Option("Uphill: it diverges", _stops(Stop.DIVERGED))),
            1,
            "1 − λ/|λ| is 0 for λ₁ = 2 and 2 for λ₂ = −1: ε₁ vanishes in one step and ε₂ doubles "
            "every step, 0.04 · 2¹⁷ ≈ 5000 after 17. The step depends on sign(λ), not on |λ|.",
        ),
        expect=(("gd", ESCAPING), ("newton", _stops(Stop.SADDLE)),
                ("saddle_free", _stops(Stop.ESCAPED))),
    ),
    # ---------------------------------------------------------------- scenes of the stories
    NamedScene(
        "gd_escape_basic", SLIDE_A, "Gradient descent leaves a saddle",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("gd",)),
        r"Near θ* each step multiplies ε_i by $1 - \alpha\lambda_i$: 0.8 along v₁ (λ₁ = 2) and "
        r"1.1 along v₂ (λ₂ = −1), with α = 0.1.",
        "On the |ε| plot both lines are straight (log scale): |ε₁| falls ×0.8 per step, |ε₂| grows "
        "×1.1 per step. The path first slides towards the v₂ axis, then leaves along it.",
        expect=(("gd", ESCAPING),),
    ),
    NamedScene(
        "gd_escape_closer", SLIDE_A, "Closer to the saddle, a longer wait",
        _quadratic(2.0, -1.0, (1.0, 1e-6), ("gd",), steps=150),
        "The same saddle, but the start is 40 000 times closer to the stable manifold "
        "(ε₂ = 10⁻⁶ instead of 0.04).",
        "The |ε₂| line has the same slope, ln 1.1 per step, but starts lower: GD needs "
        "ln(40 000)/ln 1.1 ≈ 111 more steps to leave. Distance costs only logarithmically.",
        expect=(("gd", ESCAPING),),
    ),
    NamedScene(
        "gd_escape_weak", SLIDE_A, "Escape time against distance",
        _quadratic(2.0, -0.25, (1.0, 1e-6), ("gd",), steps=600),
        r"Escape time, the steps until ε₂ reaches R = 1 from ε₂ = d: "
        r"$k = \ln(R/d)/\ln(1 + \alpha|\lambda_-|) \approx \ln(R/d)/(\alpha|\lambda_-|)$.",
        "In the plot below, measured escape times (markers, real runs) lie on straight lines "
        "against log(1/d), with slopes 1/(α|λ₋|): a weaker negative curvature, a longer wait.",
        expect=(("gd", ESCAPING),),
    ),
    NamedScene(
        "newton_far_start", SLIDE_B, "From anywhere, onto the saddle",
        _quadratic(2.0, -1.0, (1.5, 1.2), ("gd", "newton")),
        "A start far from the saddle, well down the slope along v₂.",
        "Newton still lands on the saddle in one step: on a quadratic its step goes to the "
        "critical point from every start. Gradient descent goes downhill.",
        expect=(("gd", ESCAPING), ("newton", _stops(Stop.SADDLE))),
    ),
    NamedScene(
        "newton_himmelblau_maximum", SLIDE_B, "Himmelblau: Newton climbs to a maximum",
        Scene.make("himmelblau", start=(0.5, 0.5), methods=("gd", "newton", "saddle_free"),
                   hyper={"gd": {"lr": 0.01}}),
        "Himmelblau's function has four minima, four saddles and a maximum. Newton's method "
        "solves ∇f = 0 and every critical point attracts it.",
        "Newton goes uphill, from f = 144 to the maximum at (−0.27, −0.92), f = 182; gradient "
        "descent and saddle-free Newton reach minima.",
        Prediction(
            "Newton starts at (0.5, 0.5), where f = 144. Where does it end?",
            "newton",
            (Option("At a minimum", _stops(Stop.MINIMUM)),
             Option("At a saddle", _stops(Stop.SADDLE)),
             Option("At the maximum", _stops(Stop.MAXIMUM)),
             Option("It diverges", _stops(Stop.DIVERGED))),
            2,
            "The Hessian at (0.5, 0.5) has two negative eigenvalues, and Newton's quadratic model "
            "is a bowl upside down: its step goes to the model's top. Newton finds critical "
            "points, not minima.",
        ),
        expect=(("gd", _stops(Stop.MINIMUM)), ("newton", _stops(Stop.MAXIMUM)),
                ("saddle_free", _stops(Stop.MINIMUM))),
    ),
    NamedScene(
        "newton_himmelblau_saddle", SLIDE_B, "Himmelblau: basins of the saddles",
        Scene.make("himmelblau", start=(0.5, 2.5), methods=("gd", "newton", "saddle_free"),
                   hyper={"gd": {"lr": 0.01}}, basins=True),
        "From (0.5, 2.5) Newton stops on the saddle at (0.09, 2.88). The basin maps colour every "
        "start by where the run ends.",
        "Newton's map has vermillion bands, starts that end on one of the four saddles, and a "
        "blue patch around the maximum; saddle-free Newton's map is all minima.",
        expect=(("gd", _stops(Stop.MINIMUM)), ("newton", _stops(Stop.SADDLE)),
                ("saddle_free", _stops(Stop.MINIMUM))),
    ),
    NamedScene(
        "damped_auto", SLIDE_C, "Damped Newton with the slides' m",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("damped_newton",)),
        r"The slides take the smallest m with $\lambda_{min} + m > 0$ (here plus a margin 0.1: "
        r"m = 1.1). Then λ₂ + m = 0.1 and the factor along v₂ is m/(λ₂ + m) = 11.",
        "Here damping works: damped Newton escapes in a few steps. It worked because λ₂ is the "
        "most negative eigenvalue, the one m was chosen for.",
        expect=(("damped_newton", _stops(Stop.ESCAPED)),),
    ),
    NamedScene(
        "damped_threshold", SLIDE_C, "On the line λ = −2m",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("damped_newton",),
                   hyper={"damped_newton": {"damping": 0.5}}),
        "m = 0.5 sits exactly on the boundary λ₂ = −2m: the factor along v₂ is "
        "0.5/(−1 + 0.5) = −1.",
        "The path hops between (0, 0.04) and (0, −0.04) for ever: neither attracted nor repelled. "
        "Any m below 0.5 is attracted, any m above escapes.",
        expect=(("damped_newton", _stops(Stop.STEP_LIMIT)),),
    ),
    NamedScene(
        "damped_oscillating_escape", SLIDE_C, "Just above the threshold",
        _quadratic(2.0, -1.0, (1.0, 0.04), ("damped_newton",),
                   hyper={"damped_newton": {"damping": 0.6}}),
        "m = 0.6 > |λ₂|/2: the factor along v₂ is 0.6/(−0.4) = −1.5.",
        "Damped Newton escapes, hopping from side to side with a growing amplitude: ×1.5 per step, "
        "a wrong-way oscillation rather than a descent.",
        expect=(("damped_newton", _stops(Stop.ESCAPED)),),
    ),
    NamedScene(
        "saddle_free_doubling", SLIDE_E, "(x, y) → (0, 2y)",
        _quadratic(5.0, -1.0, (1.0, 0.04), ("saddle_free",), steps=20),
        r"On $f = \frac52 x^2 - \frac12 y^2$ (λ = (5, −1)), as on the slides' $5x^2 - y^2$, the "
        r"exact saddle-free step maps (x, y) to (0, 2y): $-|H|^{-1}\nabla f = (-x, y)$.",
        "The first step goes from (1, 0.04) to (0, 0.08), then every step doubles y.",
        expect=(("saddle_free", _stops(Stop.ESCAPED)),),
    ),
    NamedScene(
        "saddle_free_small_gap", SLIDE_E, "Weak negative curvature does not slow it",
        _quadratic(5.0, -0.1, (1.0, 0.04), ("gd", "saddle_free"), steps=300),
        "The eigenvalues that made gradient descent crawl: λ₁ = 5, λ₂ = −0.1.",
        "Gradient descent is still in the window after 300 steps; saddle-free Newton doubles ε₂ "
        "every step, whatever |λ₂|, and leaves after 17.",
        expect=(("gd", _stops(Stop.STEP_LIMIT)), ("saddle_free", _stops(Stop.ESCAPED))),
    ),
    NamedScene(
        "saddle_free_two_param", SLIDE_E, "Saddle-free Newton on the two-parameter net",
        Scene.make("two_param_net", start=(1e-3, 1.2e-3), methods=("gd", "newton", "saddle_free"),
                   hyper={"saddle_free": {"damping": 0.1}}, steps=200),
        r"Saddle-free Newton with $|H| + 0.1 I$ from next to the net's saddle.",
        "Saddle-free Newton reaches the minimum (1, 1) in about 15 steps; gradient descent needs "
        "about 140, most of them on the plateau; Newton stays on the saddle.",
        expect=(("gd", _stops(Stop.MINIMUM)), ("newton", _stops(Stop.SADDLE)),
                ("saddle_free", _stops(Stop.MINIMUM))),
    ),
    NamedScene(
        "monkey_saddle", "Introduction: degenerate critical points", "The monkey saddle: H = 0",
        Scene.make("monkey_saddle", start=(0.03, 0.75), methods=("gd", "newton", "saddle_free")),
        r"$f = x^3 - 3xy^2$: three valleys meet at the origin, where the gradient and the whole "
        r"Hessian vanish. The second-order test sees nothing.",
        "The eigenvector arrows have zero length: H = 0 at the saddle. Newton halves its "
        "distance to the saddle every step (Hθ = 2∇f on a cubic); gradient descent and "
        "saddle-free Newton leave down a valley.",
        Prediction(
            "At the monkey saddle H = 0. What does Newton do from (0.03, 0.75)?",
            "newton",
            (Option("Creeps onto the saddle", _stops(Stop.SADDLE, Stop.DEGENERATE)),
             Option("Leaves down a valley", ESCAPING),
             Option("Blows up: H⁻¹ does not exist at the saddle",
                    _stops(Stop.DIVERGED, Stop.SINGULAR))),
            0,
            "H is singular only at the saddle itself. Anywhere else f is a cubic with Hθ = 2∇f, "
            "so Newton's step is −θ/2: the distance halves every step and the run stops once "
            "‖∇f‖ < 10⁻⁶.",
        ),
        expect=(("gd", ESCAPING), ("newton", _stops(Stop.SADDLE, Stop.DEGENERATE)),
                ("saddle_free", ESCAPING)),
    ),
    NamedScene(
        "quartic_saddle", "Introduction: degenerate critical points", "x² − y⁴: a zero eigenvalue",
        Scene.make("degenerate_saddle", start=(0.75, 0.03), methods=("gd", "newton", "saddle_free"),
                   steps=1000),
        r"$f = x^2 - y^4$ has $H = \mathrm{diag}(2, 0)$ at the origin: the second-order test says "
        r"'flat along y', the quartic term makes it a saddle.",
        "Gradient descent moves y only from 0.03 to 0.057 in 1000 steps: dy/dt = 4y³ escapes "
        "polynomially, not exponentially (on the |ε| plot its line bends instead of rising "
        "straight). Newton is attracted (×2/3 per step along y); saddle-free Newton leaves.",
        expect=(("gd", _stops(Stop.STEP_LIMIT)), ("newton", _stops(Stop.SADDLE)),
                ("saddle_free", _stops(Stop.ESCAPED))),
    ),
    NamedScene(
        "random_field_newton", "Cost function: theoretical landscape", "A random landscape, N = 10",
        Scene.make("gaussian_field", {"dim": 10}, methods=("gd", "newton", "saddle_free"),
                   hyper={"saddle_free": {"damping": 0.5}}, steps=300),
        "A Gaussian random field in N = 10 dimensions, on the 2D slice through the start "
        "spanned by the Hessian's extreme eigenvectors.",
        "Newton converges to a critical point above its start (value from −1.7 up to 2.5): a "
        "saddle with 6 of 10 negative eigenvalues, on the curve of the plot below. Saddle-free "
        "Newton (m = 0.5) goes down to a minimum.",
        expect=(("gd", _stops(Stop.STEP_LIMIT, Stop.MINIMUM)), ("newton", _stops(Stop.SADDLE)),
                ("saddle_free", _stops(Stop.MINIMUM))),
    ),
    NamedScene(
        "plateau_two_param", SLIDE_D, "A plateau: the simplest linear network",
        Scene.make("two_param_net", start=(1e-3, 1e-3), methods=("gd",), steps=300),
        r"$f = \frac12(1 - w_1 w_2)^2$ is the linear network y = w₂w₁x with one unit per layer. "
        r"From a small balanced start $w_1 = w_2 = a$ the product $u = w_1 w_2$ follows Saxe's "
        r"$\tau\dot u = 2u(1 - u)$, τ = 1/α.",
        "On the progress plot f stays within 2% of ½ for about 50 steps, while u = w₁w₂ creeps "
        "from 10⁻⁶ to 10⁻², then drops to 0. Saxe's time to u = ½ is (τ/2) ln((1 − u₀)/u₀) = 69 "
        "steps for u₀ = a² = 10⁻⁶.",
        expect=(("gd", _stops(Stop.MINIMUM)),),
    ),
    NamedScene(
        "plateau_smaller_start", SLIDE_D, "A smaller start, a longer plateau",
        Scene.make("two_param_net", start=(1e-6, 1e-6), methods=("gd",), steps=300),
        "The same net from a = 10⁻⁶: u₀ = 10⁻¹² is the square of the previous one.",
        "The plateau more than doubles (about 115 steps near ½, 140 to u = ½): its length grows "
        "like ln(1/u₀), the same logarithm as a saddle's escape time.",
        expect=(("gd", _stops(Stop.MINIMUM)),),
    ),
    NamedScene(
        "plateau_linear_net", "Cost function: practical landscape", "A deeper plateau: four modes",
        Scene.make("linear_net", methods=("gd",), steps=300),
        "The explorer's linear network (32 weights, Σ₃₁ with singular values 3, 2, 1, 0.5). From "
        "a start in this slice GD escapes the origin's saddle and stops on the next one, "
        "f = 2.625, having learnt one mode only.",
        "Below, a start with all four modes small (Saxe's decoupled start): each mode u_α waits on "
        "its own plateau and is learnt at time ≈ (τ/2s) ln(...), the strongest first.",
        expect=(("gd", _stops(Stop.SADDLE)),),
    ),
]

SCENES: dict[str, NamedScene] = {s.name: s for s in _named}
if len(SCENES) != len(_named):  # pragma: no cover - a duplicated name is a typo
    raise ValueError("two named scenes share a name")

SLIDE_SCENES: tuple[NamedScene, ...] = tuple(
    SCENES[n] for n in ("gd_slow_escape", "newton_attracted", "damped_slow", "damped_attracted",
                        "natural_gradient_singular", "saddle_free_escapes"))


def named_scene(name: str) -> NamedScene:
    """The named scene ``name``; ValueError naming the choices otherwise."""
    if name not in SCENES:
        raise ValueError(f"unknown scene {name!r}; choose one of {sorted(SCENES)}")
    return SCENES[name]


__all__ = [
    "EXPLORER_URL_PATH", "NamedScene", "Option", "Prediction", "SCENES", "SLIDE_SCENES",
    "describe_changes", "explorer_link", "landscape_name", "named_scene", "outcome_matches",
    "scene_plane",
]
