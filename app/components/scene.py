"""The explorer's scene: every control of the Saddle explorer in one frozen value.

A :class:`Scene` is what a lecturer shares as a link and what the command-line export
rebuilds.  It never imports Streamlit: the page, the CLI (``python -m app.export_cli``) and
the tests use the same object, and :func:`compute` turns it into trajectories.

Query keys (short and stable; a link needs only the keys that differ from the defaults)::

    l            landscape name (``landscapes.names()``)                 l=two_param_net
    p.<key>      a landscape control, see ``PARAM_SPECS``; lists are     p.l2=-1  p.s=3,2,1
                 comma-separated
    x0           start point in plane coordinates (s, t); for a 2D       x0=1,0.04
                 landscape these are (x, y)
    m            selected methods, comma-separated method codes          m=gd,nt,dn,sf
                 (``METHOD_CODES``; full method names are accepted too)
    <code>.<h>   a hyperparameter h of a method (names as in             gd.lr=0.05
                 ``optimizers.method_info(m).hyper``)                    dn.damping=auto
    n            number of steps                                         n=100
    o            N-D slice point: ``auto`` (the listed saddle nearest     o=c2
                 the window centre), ``centre``, or ``c<i>`` (listed
                 critical point i)
    d            N-D slice directions: ``e:i,j`` (Hessian eigenvectors   d=e:0,-1
                 i and j at the slice point, ascending eigenvalues,
                 negative i counts from the end) or ``a:i,j`` (axes)
    v            view: ``2d`` contour or ``3d`` surface                  v=3d
    arr          Hessian eigenvector arrows on (1) or off (0)            arr=0
    fps          animation speed, frames per second                      fps=20

``Scene.to_query`` writes ``l``, ``x0``, ``m`` and ``n`` always and every other key only when
it differs from its default; ``Scene.from_query`` reads any mapping of strings and never
raises: a malformed, unknown, non-finite or out-of-range value falls back to its default
with a warning that names the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

import landscapes
import optimizers
from optimizers.methods import resolve

# --------------------------------------------------------------------------- controls


@dataclass(frozen=True)
class ParamSpec:
    """One landscape control.

    Attributes
    ----------
    key : str
        Query key suffix (``p.<key>``).
    label : str
        Widget label (Streamlit markdown, LaTeX allowed).
    kind : {"float", "int", "floats"}
        Value type; "floats" is a list of numbers.
    default : float, int or tuple of float
    lo, hi : float
        Allowed closed range (of every entry for "floats").
    step : float
        Slider / number-input step.
    help : str
    """

    key: str
    label: str
    kind: str
    default: object
    lo: float
    hi: float
    step: float = 0.1
    help: str = ""
    min_len: int = 1
    max_len: int = 1

    def parse(self, text: str):
        """Parse a query string; raises ValueError with a readable message."""
        if self.kind == "floats":
            parts = [p for p in str(text).replace(";", ",").split(",") if p.strip()]
            if not self.min_len <= len(parts) <= self.max_len:
                raise ValueError(f"needs {self.min_len} to {self.max_len} numbers")
            return tuple(self._number(p) for p in parts)
        return self._number(text)

    def _number(self, text):
        try:
            value = float(str(text).strip())
        except ValueError:
            raise ValueError("is not a number") from None
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            raise ValueError(f"must be in [{self.lo:g}, {self.hi:g}]")
        if self.kind == "int":
            if not value.is_integer():
                raise ValueError("must be an integer")
            return int(value)
        return value

    def canonical(self, value):
        """The value in its stored type (float, int or tuple of float)."""
        if self.kind == "floats":
            return tuple(float(v) for v in value)
        return int(value) if self.kind == "int" else float(value)

    def format(self, value) -> str:
        if self.kind == "floats":
            return ",".join(_fmt(v) for v in value)
        return _fmt(value)


PARAM_SPECS: dict[str, tuple[ParamSpec, ...]] = {
    "quadratic": (
        ParamSpec("l1", "λ₁", "float", 2.0, -5.0, 5.0, 0.1,
                  "first Hessian eigenvalue (along v1)"),
        ParamSpec("l2", "λ₂", "float", -1.0, -5.0, 5.0, 0.1,
                  "second Hessian eigenvalue (along v2); negative makes a saddle"),
        ParamSpec("ang", "rotation angle (degrees)", "float", 0.0, -90.0, 90.0, 5.0,
                  "angle of v1 against the x axis"),
    ),
    "symmetric_net": (
        ParamSpec("a", "teacher a", "float", 1.5, -3.0, 3.0, 0.1, "first teacher unit"),
        ParamSpec("b", "teacher b", "float", 0.5, -3.0, 3.0, 0.1,
                  "second teacher unit (must differ from a)"),
    ),
    "gaussian_field": (
        ParamSpec("dim", "dimension N", "int", 2, 2, 20, 1,
                  "N > 2 is shown on a 2D slice"),
        ParamSpec("seed", "seed", "int", 0, 0, 2**31 - 1, 1, "random draw of the field"),
        ParamSpec("ls", "length scale ℓ", "float", 1.0, 0.2, 5.0, 0.1,
                  "correlation length; kappa is divided by l^2"),
    ),
    "linear_net": (
        ParamSpec("depth", "depth D", "int", 2, 1, 4, 1, "number of weight matrices"),
        ParamSpec("s", "data singular values s", "floats", (3.0, 2.0, 1.0, 0.5), 0.0, 10.0,
                  0.1, "Sigma31 = U diag(s) V^T (comma-separated, 1 to 4 values)",
                  min_len=1, max_len=4),
        ParamSpec("seed", "seed", "int", 0, 0, 2**31 - 1, 1, "random U, V"),
    ),
    "linear_autoencoder": (
        ParamSpec("ev", "input covariance eigenvalues", "floats", (5.0, 4.0, 3.0, 2.0, 1.0),
                  0.01, 100.0, 0.1, "distinct positive numbers (comma-separated, 2 to 6)",
                  min_len=2, max_len=6),
        ParamSpec("p", "hidden units p", "int", 2, 1, 5, 1, "must be below the input size"),
        ParamSpec("seed", "seed", "int", 0, 0, 2**31 - 1, 1, "random eigenvectors U"),
    ),
}


def param_specs(landscape: str) -> tuple[ParamSpec, ...]:
    """The controls of a landscape (none for a landscape without parameters)."""
    return PARAM_SPECS.get(landscape, ())


def default_params(landscape: str) -> dict:
    return {spec.key: spec.default for spec in param_specs(landscape)}


def landscape_kwargs(landscape: str, params: Mapping) -> dict:
    """Keyword arguments of ``landscapes.get`` from the scene's control values."""
    p = dict(default_params(landscape)) | dict(params)
    if landscape == "quadratic":
        return {"eigenvalues": [p["l1"], p["l2"]], "angle": math.radians(p["ang"])}
    if landscape == "symmetric_net":
        return {"a": p["a"], "b": p["b"]}
    if landscape == "gaussian_field":
        return {"dim": p["dim"], "seed": p["seed"], "length_scale": p["ls"]}
    if landscape == "linear_net":
        return {"depth": p["depth"], "s": list(p["s"]), "seed": p["seed"]}
    if landscape == "linear_autoencoder":
        return {"eigenvalues": list(p["ev"]), "p": p["p"], "seed": p["seed"]}
    return {}


METHOD_CODES = {
    "gd": "gd", "sgd": "sgd", "newton": "nt", "damped_newton": "dn",
    "natural_gradient": "ng", "saddle_free": "sf", "krylov_saddle_free": "ksf",
}


def method_code(method: str) -> str:
    return METHOD_CODES.get(method, method)


def method_from_code(code: str) -> str | None:
    """Method name for a code or a full name; None when unknown."""
    code = code.strip()
    for name in optimizers.methods():
        if code in (name, method_code(name)):
            return name
    return None


def hyper_defaults(method: str) -> dict:
    return {k: h.default for k, h in optimizers.method_info(method).hyper.items()}


DEFAULT_METHODS = ("gd", "newton", "damped_newton", "saddle_free")
MAX_STEPS = 1000
FPS_RANGE = (1, 60)
START_REACH = 2.0  # a start may lie this many half-windows from the window's centre

_SCENE_KEYS = {"l", "x0", "m", "n", "o", "d", "v", "arr", "fps", "b"}


def _fmt(value) -> str:
    """Shortest exact text of a number ("2", "-0.5", "1e-05")."""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# --------------------------------------------------------------------------- the scene


@dataclass(frozen=True)
class Scene:
    """Every control of the Saddle explorer (see the module docstring for the query keys).

    Attributes
    ----------
    landscape : str
    params : tuple of (key, value)
        Landscape control values (``PARAM_SPECS``), every control present, in spec order.
    start : tuple of float, shape (2,)
        Start point in plane coordinates (for a 2D landscape, (x, y)).
    methods : tuple of str
        Selected method names, in ``optimizers.methods()`` order.
    hyper : tuple of (method, tuple of (name, value))
        Hyperparameters that differ from the method's defaults, sorted.
    steps : int
    origin : str
        N-D slice point: "auto", "centre" or "c<i>".
    directions : str
        N-D slice directions: "e:i,j" or "a:i,j".
    view : {"2d", "3d"}
    arrows : bool
    fps : int
    basins : bool
        Whether the basins-of-attraction map is computed and shown.
    """

    landscape: str = "quadratic"
    params: tuple = (("l1", 2.0), ("l2", -1.0), ("ang", 0.0))
    start: tuple = (1.0, 0.04)
    methods: tuple = DEFAULT_METHODS
    hyper: tuple = ()
    steps: int = 100
    origin: str = "auto"
    directions: str = "e:0,-1"
    view: str = "2d"
    arrows: bool = True
    fps: int = 20
    basins: bool = False

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def make(cls, landscape: str = "quadratic", params: Mapping | None = None, start=None,
             methods=DEFAULT_METHODS, hyper: Mapping | None = None, steps: int = 100,
             origin: str = "auto", directions: str = "e:0,-1", view: str = "2d",
             arrows: bool = True, fps: int = 20, basins: bool = False) -> "Scene":
        """A canonical scene from plain values (no validation: see :func:`validate`).

        ``start=None`` takes the landscape's default start ("next to the saddle");
        ``hyper`` maps method -> {name: value}; values equal to the defaults are dropped.
        """
        specs = param_specs(landscape)
        given = dict(params or {})
        canon = tuple((s.key, s.canonical(given.get(s.key, s.default))) for s in specs)
        order = {m: i for i, m in enumerate(optimizers.methods())}
        chosen = tuple(sorted(dict.fromkeys(methods), key=lambda m: order.get(m, len(order))))
        overrides = []
        for method, values in sorted((hyper or {}).items()):
            defaults = hyper_defaults(method)
            items = tuple(sorted((k, _canonical_hyper(method, k, v)) for k, v in values.items()
                                 if k in defaults and _canonical_hyper(method, k, v) != defaults[k]))
            if items:
                overrides.append((method, items))
        scene = cls(landscape, canon, (0.0, 0.0), chosen, tuple(overrides), int(steps),
                    str(origin), str(directions), str(view), bool(arrows), int(fps),
                    bool(basins))
        if start is None:
            L = scene.build_landscape()
            start = default_start(L, plane_for(L, scene.origin, scene.directions))
        return replace(scene, start=(float(start[0]), float(start[1])))

    @classmethod
    def default(cls, landscape: str = "quadratic", **kwargs) -> "Scene":
        """The default scene of a landscape."""
        return cls.make(landscape, **kwargs)

    # -- views ----------------------------------------------------------------------------
    @property
    def params_dict(self) -> dict:
        return dict(self.params)

    def hyper_for(self, method: str) -> dict:
        """All hyperparameters of ``method`` (defaults filled in)."""
        return hyper_defaults(method) | dict(dict(self.hyper).get(method, ()))

    def kwargs(self) -> dict:
        """``landscapes.get`` keyword arguments."""
        return landscape_kwargs(self.landscape, self.params_dict)

    def build_landscape(self) -> landscapes.Landscape:
        return landscapes.get(self.landscape, **self.kwargs())

    def with_hyper(self, method: str, **values) -> "Scene":
        hyper = {m: dict(v) for m, v in self.hyper}
        hyper.setdefault(method, {}).update(values)
        return Scene.make(self.landscape, self.params_dict, self.start, self.methods,
                          hyper, self.steps, self.origin, self.directions, self.view,
                          self.arrows, self.fps, self.basins)

    def parameters(self) -> dict:
        """Every parameter of the scene in plain Python, for exports (JSON / CSV headers)."""
        return {
            "query": self.to_query(),
            "landscape": self.landscape,
            "landscape_controls": {k: list(v) if isinstance(v, tuple) else v
                                   for k, v in self.params},
            "landscape_kwargs": self.kwargs(),
            "start_plane": list(self.start),
            "methods": list(self.methods),
            "hyper": {m: self.hyper_for(m) for m in self.methods},
            "steps": self.steps,
            "slice_origin": self.origin,
            "slice_directions": self.directions,
        }

    # -- query parameters -----------------------------------------------------------------
    def to_query(self) -> dict[str, str]:
        """The scene as query parameters (see the module docstring)."""
        q = {"l": self.landscape}
        for spec in param_specs(self.landscape):
            value = self.params_dict.get(spec.key, spec.default)
            if spec.canonical(value) != spec.canonical(spec.default):
                q[f"p.{spec.key}"] = spec.format(value)
        q["x0"] = ",".join(_fmt(v) for v in self.start)
        q["m"] = ",".join(method_code(m) for m in self.methods)
        for method, items in self.hyper:
            for name, value in items:
                q[f"{method_code(method)}.{name}"] = value if isinstance(value, str) else _fmt(value)
        q["n"] = str(self.steps)
        defaults = Scene()
        for key, attr in (("o", "origin"), ("d", "directions"), ("v", "view"),
                          ("arr", "arrows"), ("fps", "fps"), ("b", "basins")):
            value = getattr(self, attr)
            if value != getattr(defaults, attr):
                q[key] = _fmt(value) if not isinstance(value, str) else value
        return q

    @classmethod
    def from_query(cls, mapping: Mapping) -> tuple["Scene", list[str]]:
        """A scene from query parameters; never raises.

        Returns
        -------
        scene : Scene
        warnings : list of str
            One message per value that was ignored, naming its key.
        """
        try:
            return _from_query(mapping)
        except Exception as exc:  # noqa: BLE001 - a hostile link must never crash the page
            return cls(), [f"the link could not be read ({type(exc).__name__}: {exc}); "
                           "showing the default scene"]


def _canonical_hyper(method: str, name: str, value):
    h = optimizers.method_info(method).hyper[name]
    if value is None:
        return None
    if h.allow_auto and isinstance(value, str):
        return value
    return int(value) if h.integer else float(value)


def _first(value) -> str:
    """A query value as one string (Streamlit gives str; other mappings may give lists)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def _from_query(mapping: Mapping) -> tuple[Scene, list[str]]:
    q = {str(k): _first(v) for k, v in dict(mapping).items()}
    warnings: list[str] = []
    name = q.get("l", "quadratic").strip()
    if name not in landscapes.names():
        warnings.append(f"l: unknown landscape '{name[:40]}'; using 'quadratic'")
        name = "quadratic"

    specs = {s.key: s for s in param_specs(name)}
    params = {}
    for key in [k for k in q if k.startswith("p.")]:
        spec = specs.get(key[2:])
        if spec is None:
            warnings.append(f"{key}: not a parameter of landscape '{name}'; ignored")
            continue
        try:
            params[spec.key] = spec.parse(q[key])
        except ValueError as exc:
            warnings.append(f"{key}: {q[key][:40]!r} {exc}; using the default "
                            f"{spec.format(spec.default)}")

    methods = list(DEFAULT_METHODS)
    if "m" in q:
        methods = []
        for code in [c for c in q["m"].split(",") if c.strip()]:
            method = method_from_code(code)
            if method is None:
                warnings.append(f"m: unknown method '{code.strip()[:30]}'; ignored")
            else:
                methods.append(method)

    hyper: dict[str, dict] = {}
    code_keys = [k for k in q if "." in k and not k.startswith("p.")]
    for key in code_keys:
        code, _, hname = key.partition(".")
        method = method_from_code(code)
        if method is None or hname not in optimizers.method_info(method).hyper:
            warnings.append(f"{key}: unknown hyperparameter; ignored")
            continue
        text = q[key].strip()
        h = optimizers.method_info(method).hyper[hname]
        value = text if (h.allow_auto and text == "auto") else _number_or_text(text)
        try:
            _, resolved = resolve(method, {hname: value})
            hyper.setdefault(method, {})[hname] = resolved[hname]
        except ValueError as exc:
            warnings.append(f"{key}: {exc}; using the default {h.default!r}")

    steps = _int_in(q, "n", 100, 1, MAX_STEPS, warnings)
    fps = _int_in(q, "fps", 20, *FPS_RANGE, warnings)
    view = q.get("v", "2d").strip().lower()
    if view not in ("2d", "3d"):
        warnings.append(f"v: {view[:20]!r} is not '2d' or '3d'; using '2d'")
        view = "2d"
    arrows = q.get("arr", "1").strip().lower()
    if arrows not in ("0", "1", "true", "false"):
        warnings.append(f"arr: {arrows[:20]!r} is not 0 or 1; using 1")
        arrows = "1"
    arrows = arrows in ("1", "true")
    basins = q.get("b", "0").strip().lower()
    if basins not in ("0", "1", "true", "false"):
        warnings.append(f"b: {basins[:20]!r} is not 0 or 1; using 0")
        basins = "0"
    basins = basins in ("1", "true")
    origin = q.get("o", "auto").strip()
    directions = q.get("d", "e:0,-1").strip().replace(" ", "")

    for key in q:
        if key not in _SCENE_KEYS and "." not in key:
            warnings.append(f"{key[:30]}: unknown parameter; ignored")

    scene = Scene.make(name, params, (0.0, 0.0), methods, hyper, steps, origin, directions,
                       view, arrows, fps, basins)
    start_text = q.get("x0")
    scene, more = validate(scene, start_text=start_text)
    return scene, warnings + more


def _number_or_text(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _int_in(q, key, default, lo, hi, warnings) -> int:
    if key not in q:
        return default
    try:
        value = float(q[key])
        if not (math.isfinite(value) and value.is_integer() and lo <= value <= hi):
            raise ValueError
        return int(value)
    except ValueError:
        warnings.append(f"{key}: {q[key][:20]!r} must be an integer in [{lo}, {hi}]; "
                        f"using {default}")
        return default


def validate(scene: Scene, start_text: str | None = "") -> tuple[Scene, list[str]]:
    """Check what needs the landscape built (its parameters together, the slice, the start,
    the methods it supports); fall back to defaults with warnings.

    ``start_text`` (query form "s,t") replaces ``scene.start`` when given; None or "" keeps
    the landscape's default start when the scene came from a query (see ``from_query``),
    ``scene.start`` otherwise (pass ``start_text=""`` from the page).
    """
    warnings: list[str] = []
    try:
        L = scene.build_landscape()
    except ValueError as exc:
        warnings.append(f"p: the landscape's parameters do not fit together ({exc}); "
                        "using its default parameters")
        scene = replace(scene, params=Scene.make(scene.landscape, start=(0, 0)).params)
        L = scene.build_landscape()

    origin, directions = scene.origin, scene.directions
    if L.dim == 2:
        if origin != "auto":
            warnings.append(f"o: {origin[:20]!r} ignored: '{scene.landscape}' is 2D, no slice")
        if directions != "e:0,-1":
            warnings.append(f"d: {directions[:20]!r} ignored: '{scene.landscape}' is 2D, no slice")
        origin, directions = "auto", "e:0,-1"
    else:
        if not _origin_ok(origin, L):
            warnings.append(f"o: {origin[:20]!r} must be 'auto', 'centre' or c<i> with i below "
                            f"{len(L.critical_points)}; using 'auto'")
            origin = "auto"
        if _directions(directions, L.dim) is None:
            warnings.append(f"d: {directions[:20]!r} must be e:i,j or a:i,j with two different "
                            f"indices below {L.dim}; using 'e:0,-1'")
            directions = "e:0,-1"
    scene = replace(scene, origin=origin, directions=directions)
    plane = plane_for(L, origin, directions)

    methods = tuple(m for m in scene.methods if not _needs_metric(m) or L.has_metric)
    if methods != scene.methods:
        warnings.append(f"m: natural gradient needs a metric, which '{scene.landscape}' does "
                        "not have; dropped")
    scene = replace(scene, methods=methods)

    start = scene.start
    if start_text is None:
        start = default_start(L, plane)
    elif start_text != "":
        parsed = _parse_start(start_text, plane)
        if isinstance(parsed, str):
            warnings.append(f"x0: {start_text[:40]!r} {parsed}; using the default start")
            start = default_start(L, plane)
        else:
            start = parsed
    elif not _start_ok(start, plane):
        warnings.append(f"x0: {start} lies outside the allowed range; using the default start")
        start = default_start(L, plane)
    return replace(scene, start=(float(start[0]), float(start[1]))), warnings


def _needs_metric(method: str) -> bool:
    return optimizers.method_info(method).needs_metric


def _origin_ok(origin: str, L) -> bool:
    if origin in ("auto", "centre"):
        return True
    if len(origin) > 1 and origin[0] == "c" and origin[1:].isdigit():
        return int(origin[1:]) < len(L.critical_points)
    return False


def _directions(text: str, n: int):
    """("e" or "a", i, j) with i, j normalised to [0, n); None when malformed."""
    try:
        kind, _, rest = text.partition(":")
        i, j = (int(p) for p in rest.split(","))
    except ValueError:
        return None
    if kind not in ("e", "a") or not (-n <= i < n and -n <= j < n) or i % n == j % n:
        return None
    return kind, i % n, j % n


def _parse_start(text: str, plane: "Plane"):
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        return "is not two numbers"
    if len(values) != 2:
        return "is not two numbers"
    if not _start_ok(values, plane):
        lo, hi = plane.start_limits()
        return f"must be finite and within [{lo[0]:.3g}, {hi[0]:.3g}] x [{lo[1]:.3g}, {hi[1]:.3g}]"
    return (values[0], values[1])


def _start_ok(start, plane: "Plane") -> bool:
    s = np.asarray(start, dtype=float)
    if s.shape != (2,) or not np.all(np.isfinite(s)):
        return False
    lo, hi = plane.start_limits()
    return bool(np.all(s >= lo) and np.all(s <= hi))


# --------------------------------------------------------------------------- the plane


@dataclass(frozen=True)
class Plane:
    """The 2D view: the plane origin + s d1 + t d2 (for a 2D landscape, the (x, y) plane).

    Attributes
    ----------
    origin, d1, d2 : ndarray, shape (n,)
        ``d1``, ``d2`` orthonormal.
    s_range, t_range : tuple of float
        Plotting window in plane coordinates.
    is_slice : bool
        True for an N-D landscape shown on a slice.
    origin_label : str
        What the origin is ("the listed saddle 0", "the window centre"), for captions.
    """

    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    s_range: tuple
    t_range: tuple
    is_slice: bool
    origin_label: str = ""
    axis_labels: tuple = ("x", "y")

    def lift(self, st) -> np.ndarray:
        """Plane coordinates (2,) -> point of the landscape (n,)."""
        s, t = float(st[0]), float(st[1])
        return self.origin + s * self.d1 + t * self.d2

    def project(self, xs) -> np.ndarray:
        """Points (k, n) -> plane coordinates (k, 2) (orthogonal projection)."""
        xs = np.atleast_2d(np.asarray(xs, dtype=float)) - self.origin
        return np.stack([xs @ self.d1, xs @ self.d2], axis=1)

    def distance(self, x) -> float:
        """Distance of a point (n,) from the plane."""
        x = np.asarray(x, dtype=float)
        return float(np.linalg.norm(x - self.lift(self.project(x[None])[0])))

    @property
    def half_width(self) -> float:
        return 0.5 * min(self.s_range[1] - self.s_range[0], self.t_range[1] - self.t_range[0])

    def start_limits(self) -> tuple[np.ndarray, np.ndarray]:
        """Allowed range of a start: START_REACH half-windows around the window's centre."""
        centre = np.array([np.mean(self.s_range), np.mean(self.t_range)])
        half = 0.5 * np.array([self.s_range[1] - self.s_range[0], self.t_range[1] - self.t_range[0]])
        return centre - START_REACH * half, centre + START_REACH * half

    def clip(self, st) -> tuple[float, float]:
        """Clip plane coordinates into 95% of the window."""
        c = np.array([np.mean(self.s_range), np.mean(self.t_range)])
        half = 0.475 * np.array([self.s_range[1] - self.s_range[0], self.t_range[1] - self.t_range[0]])
        out = np.clip(np.asarray(st, dtype=float), c - half, c + half)
        return float(out[0]), float(out[1])


def _sym_eigh(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ascending eigenpairs with a sign fix (largest entry of every vector positive)."""
    lam, vecs = np.linalg.eigh(0.5 * (h + h.T))
    idx = np.argmax(np.abs(vecs), axis=0)
    signs = np.sign(vecs[idx, np.arange(vecs.shape[1])])
    signs[signs == 0] = 1.0
    return lam, vecs * signs


def _slice_origin(L, origin: str) -> tuple[np.ndarray, str]:
    centre = np.array([0.5 * (lo + hi) for lo, hi in L.bounds])
    points = L.critical_points
    if origin == "centre" or not points:
        return centre, "the window centre"
    if origin.startswith("c"):
        i = int(origin[1:])
        return np.asarray(points[i].position, float), f"listed critical point {i} ({points[i].kind.value})"
    saddles = [i for i, cp in enumerate(points) if cp.kind == landscapes.Kind.SADDLE]
    pool = saddles or list(range(len(points)))
    i = min(pool, key=lambda j: float(np.linalg.norm(points[j].position - centre)))
    return np.asarray(points[i].position, float), f"listed critical point {i} ({points[i].kind.value})"


def plane_for(L, origin: str = "auto", directions: str = "e:0,-1") -> Plane:
    """The 2D view of a landscape: its own plane in 2D, else a slice (see the module docstring)."""
    if L.dim == 2:
        (x0, x1), (y0, y1) = L.bounds
        return Plane(np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]), (x0, x1), (y0, y1),
                     False, "", ("x", "y") if L.name != "two_param_net" else ("w1", "w2"))
    o, label = _slice_origin(L, origin)
    parsed = _directions(directions, L.dim) or ("e", 0, L.dim - 1)
    kind, i, j = parsed
    if kind == "a":
        eye = np.eye(L.dim)
        d1, d2 = eye[i], eye[j]
        names = (f"θ{i}", f"θ{j}")
    else:
        lam, vecs = _sym_eigh(L.hess(o))
        d1, d2 = vecs[:, i], vecs[:, j]
        names = (f"s along v{i + 1} (λ = {lam[i]:.3g})", f"t along v{j + 1} (λ = {lam[j]:.3g})")
    half = max(0.5 * (hi - lo) for lo, hi in L.bounds)
    return Plane(o, d1, d2, (-half, half), (-half, half), True, label, names)


# --------------------------------------------------------------------------- reference point


@dataclass(frozen=True)
class Reference:
    """The critical point the update-rule panel analyses (θ* of the slides).

    Attributes
    ----------
    position : ndarray, shape (n,)
    eigenvalues : ndarray, shape (n,)
        Hessian eigenvalues there, ascending.
    eigenvectors : ndarray, shape (n, n)
        Matching eigenvectors as columns.
    kind : str
        "saddle", "minimum", ... or "start" when no critical point is listed.
    listed : bool
        False when no critical point is listed and the start's Hessian is used.
    label : str
    """

    position: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    kind: str
    listed: bool
    label: str
    index: int = -1


def _reference(L, x, pool) -> Reference:
    points = L.critical_points
    if not pool:
        lam, vecs = _sym_eigh(L.hess(x))
        return Reference(np.asarray(x, float), lam, vecs, "start", False,
                         "no critical point is listed: the Hessian at the start")
    i = min(pool, key=lambda j: float(np.linalg.norm(points[j].position - x)))
    cp = points[i]
    lam, vecs = _sym_eigh(L.hess(cp.position))
    kind = "degenerate" if cp.kind == landscapes.Kind.DEGENERATE else cp.kind.value
    note = f" ({cp.note})" if cp.note else ""
    label = f"{'degenerate ' if cp.degenerate and kind != 'degenerate' else ''}{kind}" \
            f" at ({', '.join(f'{v:.3g}' for v in cp.position[:4])}{', ...' if L.dim > 4 else ''}){note}"
    return Reference(np.asarray(cp.position, float), lam, vecs, kind, True, label, i)


def reference_point(L, x) -> Reference:
    """The listed critical point nearest to ``x`` (shape (n,)); the Hessian at ``x`` when the
    landscape lists none."""
    return _reference(L, np.asarray(x, float), list(range(len(L.critical_points))))


def nearest_saddle(L, x) -> Reference:
    """The listed saddle nearest to ``x`` (any listed point when none is a saddle)."""
    x = np.asarray(x, float)
    saddles = [i for i, cp in enumerate(L.critical_points) if cp.kind == landscapes.Kind.SADDLE]
    return _reference(L, x, saddles or list(range(len(L.critical_points))))


# --------------------------------------------------------------------------- start presets

PRESETS = {
    "near": "next to the saddle",
    "stable": "on its stable manifold",
    "far": "far away",
}


def presets(L, plane: Plane, focus: Reference) -> dict[str, tuple[float, float]]:
    """Named starts in plane coordinates around ``focus``.

    With v- and v+ the eigenvectors of the most negative and most positive eigenvalue there
    (projected into the plane) and h the window's half width:
    near = θ* + 0.5 h v+ + 0.02 h v- (GD first approaches, then escapes along v-),
    stable = θ* + 0.6 h v+ (no component along v-: on the quadratic's stable manifold),
    far = θ* + 0.8 h v+ + 0.5 h v-.  "near" and "far" are rounded to a thousandth of the
    window, "stable" is not (rounding would step off the manifold).
    """
    centre = plane.project(focus.position[None])[0]
    vecs = focus.eigenvectors
    h = plane.half_width

    def in_plane(v, fallback):
        p = plane.project((plane.origin + v)[None])[0]
        norm = float(np.linalg.norm(p))
        return p / norm if norm > 1e-6 else fallback

    v_plus = in_plane(vecs[:, -1], np.array([1.0, 0.0]))
    v_minus = in_plane(vecs[:, 0], np.array([0.0, 1.0]))
    if abs(float(v_plus @ v_minus)) > 0.99:  # both project onto one line: use its normal
        v_minus = np.array([-v_plus[1], v_plus[0]])
    # Rounded to a thousandth of the window: numbers a student can type into the inputs.
    digits = max(0, 3 - int(math.floor(math.log10(h))))

    def tidy(p):
        s, t = plane.clip(p)
        return float(round(s, digits)) + 0.0, float(round(t, digits)) + 0.0

    return {
        "near": tidy(centre + 0.5 * h * v_plus + 0.02 * h * v_minus),
        "stable": plane.clip(centre + 0.6 * h * v_plus),  # exact: rounding would leave it
        "far": tidy(centre + 0.8 * h * v_plus + 0.5 * h * v_minus),
    }


def default_start(L, plane: Plane) -> tuple[float, float]:
    """"Next to the saddle" nearest the plane's origin."""
    return presets(L, plane, nearest_saddle(L, plane.origin))["near"]


# --------------------------------------------------------------------------- compute


def compute(scene: Scene, L=None) -> list:
    """Run every selected method from the scene's start.

    Parameters
    ----------
    scene : Scene
    L : Landscape, optional
        The scene's landscape when the caller has it built already (the page caches it).

    Returns
    -------
    list of optimizers.Trajectory
        One per selected method that the landscape supports, in ``scene.methods`` order.
    """
    L = scene.build_landscape() if L is None else L
    plane = plane_for(L, scene.origin, scene.directions)
    x0 = plane.lift(scene.start)
    out = []
    for method in scene.methods:
        if _needs_metric(method) and not L.has_metric:
            continue
        hyper = {k: v for k, v in scene.hyper_for(method).items() if v is not None}
        out.append(optimizers.run(L, method, x0, steps=scene.steps, **hyper))
    return out


__all__ = [
    "DEFAULT_METHODS", "METHOD_CODES", "PARAM_SPECS", "PRESETS", "ParamSpec", "Plane",
    "Reference", "Scene", "compute", "default_params", "default_start", "landscape_kwargs",
    "method_code", "method_from_code", "nearest_saddle", "param_specs", "plane_for",
    "presets", "reference_point", "validate",
]
