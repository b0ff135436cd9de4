"""Basin and escape-time map: what each method's run ends at, from every start of a grid.

Three layers; the first two need no Streamlit session (notebooks and tests call them):

    compute_basin(L, method, hyper, grid=200, steps=200)  -> BasinMap   (numpy + library)
    basin_figure({method: BasinMap, ...})                  -> go.Figure  (Plotly)
    render_basin_section(L, scene)                                       (Streamlit)

Every cell is coloured by the stop reason of the run started there (``optimizers.Stop``:
minimum, saddle, maximum, degenerate, escaped, diverged, singular, step limit), paler the more
steps the run took.  Side by side, students see Newton's basin of attraction onto the saddle
next to saddle-free Newton's escape.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscapes
import optimizers
from optimizers import Stop

from .theme import show

# --------------------------------------------------------------------------------------------
# colours: Okabe-Ito (colour-blind safe); the critical-point kinds keep app-wide colours
# (app.components.common.KIND_COLOURS), the other outcomes take the remaining Okabe-Ito hues.
OUTCOME_COLOURS: dict[Stop, str] = {
    Stop.MINIMUM: "#009E73",     # bluish green
    Stop.SADDLE: "#D55E00",      # vermillion
    Stop.MAXIMUM: "#0072B2",     # blue
    Stop.DEGENERATE: "#CC79A7",  # reddish purple
    Stop.ESCAPED: "#56B4E9",     # sky blue: far from the saddle's vermillion, the key contrast
    Stop.DIVERGED: "#000000",    # black
    Stop.SINGULAR: "#F0E442",    # yellow
    Stop.STEP_LIMIT: "#BBBBBB",  # grey: the run simply did not finish
}
# Legend order: where runs end up, then the ways they fail.
OUTCOME_ORDER = (
    Stop.MINIMUM, Stop.SADDLE, Stop.MAXIMUM, Stop.DEGENERATE,
    Stop.ESCAPED, Stop.DIVERGED, Stop.SINGULAR, Stop.STEP_LIMIT,
)
OUTCOME_LABELS: dict[Stop, str] = {
    Stop.MINIMUM: "reaches a minimum",
    Stop.SADDLE: "reaches a saddle",
    Stop.MAXIMUM: "reaches a maximum",
    Stop.DEGENERATE: "reaches a degenerate point",
    Stop.ESCAPED: "escapes (f → −∞)",
    Stop.DIVERGED: "diverges",
    Stop.SINGULAR: "singular step",
    Stop.STEP_LIMIT: "step limit",
}
# Lightness is quantised to this many levels: 8 outcomes x 31 levels fit a 256-colour PNG.
LIGHTNESS_LEVELS = 31
# The slowest run is mixed this far towards white: pale enough to read as "slow", saturated
# enough that the hue stays recognisable.
MAX_PALENESS = 0.7
# A click picks the nearest of at most this many starts per axis (an invisible marker lattice:
# Plotly cannot select heatmap or image cells, Streamlit issues #8760 / #15042).
CLICK_LATTICE = 50

GRID_MIN, GRID_MAX = 2, 1000
MARGIN_PX = 50  # top and bottom margins, as app.components.theme.style sets them


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Outcome of one method started from every cell of a grid on a plane.

    Start (i, j) is ``origin + s[j] d1 + t[i] d2`` (row i is the t-coordinate, so arrays
    index like an image whose row 0 is the bottom of the plot).

    Attributes
    ----------
    method : str
        Registered method name.
    hyper : dict
        The hyperparameters as passed (``None`` means the method's default).
    s, t : ndarray, shape (grid,)
        Coordinates of the starts along d1 and d2.
    stops : ndarray of int8, shape (grid, grid)
        ``optimizers.Stop`` codes.
    steps : ndarray of int32, shape (grid, grid)
        Steps taken.
    ends : ndarray, shape (grid, grid, n)
        End points in the landscape's coordinates.
    end_values : ndarray, shape (grid, grid)
        f at the end points.
    max_steps : int
        Step limit of every run.
    origin, d1, d2 : ndarray, shape (n,)
        The plane of starts.
    labels : tuple of str
        Axis titles for s and t.
    seconds : float
        Wall time of the computation.
    extras : dict
        Notes; ``ends_projected=True`` after ``drop_ends``.
    """

    method: str
    hyper: dict
    s: np.ndarray
    t: np.ndarray
    stops: np.ndarray
    steps: np.ndarray
    ends: np.ndarray
    end_values: np.ndarray
    max_steps: int
    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    labels: tuple = ("s", "t")
    seconds: float = 0.0
    extras: dict = field(default_factory=dict)

    @property
    def grid(self) -> int:
        return self.s.shape[0]

    def start(self, i: int, j: int) -> np.ndarray:
        """Start point of cell (row i, column j), shape (n,)."""
        return self.origin + self.s[j] * self.d1 + self.t[i] * self.d2

    def point(self, s: float, t: float) -> np.ndarray:
        """The point origin + s d1 + t d2 of the plane, shape (n,)."""
        return self.origin + float(s) * self.d1 + float(t) * self.d2

    def counts(self) -> dict[Stop, int]:
        """Number of starts per outcome, in legend order, outcomes that occur only."""
        found = np.bincount(self.stops.ravel().astype(np.int64), minlength=len(Stop))
        return {stop: int(found[stop]) for stop in OUTCOME_ORDER if found[stop]}

    def summary(self) -> str:
        """One line for a caption, e.g. "escaped 99.5 %, saddle 0.5 %; median 46 steps"."""
        total = self.stops.size
        parts = [f"{stop.label} {100.0 * c / total:.3g} %" for stop, c in
                 sorted(self.counts().items(), key=lambda item: -item[1])]
        return f"{', '.join(parts)}; median {int(np.median(self.steps))} steps"

    def drop_ends(self) -> "BasinMap":
        """The same map with the end points projected onto the plane (shape (grid, grid, 2)):
        small enough to cache for landscapes with many parameters."""
        if self.ends.shape[-1] <= 2:
            return self
        st = project(self.ends.reshape(-1, self.ends.shape[-1]), self.origin, self.d1, self.d2)[0]
        return BasinMap(self.method, self.hyper, self.s, self.t, self.stops, self.steps,
                        st.reshape(self.grid, self.grid, 2), self.end_values, self.max_steps,
                        self.origin, self.d1, self.d2, self.labels, self.seconds,
                        dict(self.extras, ends_projected=True))


# --------------------------------------------------------------------------------------------
# geometry of the plane of starts


def _vector(name: str, value, n: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {n} numbers, got {value!r}") from None
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    return arr


def plane(L: landscapes.Landscape, origin=None, d1=None, d2=None, window=None):
    """Resolve the plane of starts and its window.

    In 2D the defaults are the (theta_1, theta_2) axes over ``L.bounds``.  Otherwise the
    window is centred on ``origin`` (default: the centre of ``L.bounds``) with half-width the
    smallest half-width of ``L.bounds``.

    Returns
    -------
    origin, d1, d2 : ndarray, shape (n,)
    window : tuple ((s_lo, s_hi), (t_lo, t_hi))
    labels : tuple of str
        Axis titles.
    """
    n = L.dim
    if n < 2 and (d1 is None or d2 is None):
        raise ValueError(f"landscape '{L.name}' is 1-D: a basin map needs directions d1, d2")
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    axes = d1 is None and d2 is None and origin is None and n == 2
    eye = np.eye(n)
    d1 = eye[0] if d1 is None else _vector("d1", d1, n)
    d2 = eye[1] if d2 is None else _vector("d2", d2, n)
    if axes:
        origin = np.zeros(n)
        default_window = ((lo[0], hi[0]), (lo[1], hi[1]))
        labels = ("θ₁", "θ₂")
    else:
        origin = 0.5 * (lo + hi) if origin is None else _vector("origin", origin, n)
        half = 0.5 * float(np.min(hi - lo))
        default_window = ((-half, half), (-half, half))
        labels = ("s (along d₁)", "t (along d₂)")
    gram = np.array([[d1 @ d1, d1 @ d2], [d2 @ d1, d2 @ d2]])
    if not np.linalg.cond(gram) < 1e12:
        raise ValueError("directions d1 and d2 must be nonzero and not parallel")
    if window is None:
        window = default_window
    try:
        (s_lo, s_hi), (t_lo, t_hi) = window
        window = ((float(s_lo), float(s_hi)), (float(t_lo), float(t_hi)))
    except (TypeError, ValueError):
        raise ValueError(f"window must be ((s_lo, s_hi), (t_lo, t_hi)), got {window!r}") from None
    for name, (a, b) in zip(("s", "t"), window):
        if not (np.isfinite(a) and np.isfinite(b) and a < b):
            raise ValueError(f"window for {name} must be finite with lo < hi, got ({a}, {b})")
    return origin, d1, d2, window, labels


def project(points, origin, d1, d2) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (s, t) of points in the plane origin + s d1 + t d2 (least squares) and
    their distances from the plane.

    Parameters
    ----------
    points : array_like, shape (m, n)

    Returns
    -------
    st : ndarray, shape (m, 2)
    distance : ndarray, shape (m,)
    """
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    basis = np.column_stack([d1, d2])  # (n, 2)
    rel = points - origin
    st, *_ = np.linalg.lstsq(basis, rel.T, rcond=None)
    st = st.T
    distance = np.linalg.norm(rel - st @ basis.T, axis=1)
    return st, distance


# --------------------------------------------------------------------------------------------
# the computation


def _grid_size(grid) -> int:
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer, float)) \
            or not float(grid).is_integer() or not GRID_MIN <= grid <= GRID_MAX:
        raise ValueError(f"grid must be an integer in [{GRID_MIN}, {GRID_MAX}], got {grid!r}")
    return int(grid)


def compute_basin(L: landscapes.Landscape, method: str, hyper: Mapping | None = None, *,
                  grid: int = 200, steps: int = 200, origin=None, d1=None, d2=None,
                  window=None, gtol: float = 1e-6, labels: Sequence[str] | None = None,
                  progress: Callable[[float], None] | None = None,
                  chunks: int = 1) -> BasinMap:
    """Run ``method`` from every start of a grid x grid lattice and record how each run ends.

    The starts are ``origin + s_j d1 + t_i d2`` with s, t evenly spaced over ``window``
    (end points included).  Runs are the library's compiled ``optimizers.run_many``, in
    parallel over starts; the stop reason is judged by the Hessian at the end point.

    Parameters
    ----------
    L : Landscape
    method : str
        One of ``optimizers.methods()``.
    hyper : dict, optional
        The method's hyperparameters (``lr``, ``damping``, ...); missing ones take defaults.
    grid : int
        Starts per axis (2 to 1000).
    steps : int
        Step limit of every run.
    origin, d1, d2 : array_like, shape (n,), optional
        The plane of starts; see ``plane``.  Needed for landscapes with n != 2.
    window : ((s_lo, s_hi), (t_lo, t_hi)), optional
    gtol : float
        Gradient norm that counts as a critical point.
    labels : (str, str), optional
        Axis titles for s and t (default "θ₁", "θ₂" in 2D, else "s (along d₁)", ...).
    progress : callable, optional
        Called with the finished fraction in [0, 1] after every chunk.
    chunks : int
        Number of separate batches (more chunks: finer progress, slightly more overhead).

    Returns
    -------
    BasinMap

    Raises
    ------
    ValueError
        For an unknown method, bad hyperparameters, grid, window or directions.
    """
    grid = _grid_size(grid)
    hyper = dict(hyper or {})
    origin, d1, d2, window, default_labels = plane(L, origin, d1, d2, window)
    labels = tuple(str(v) for v in labels) if labels is not None else default_labels
    s = np.linspace(*window[0], grid)
    t = np.linspace(*window[1], grid)
    tt, ss = np.meshgrid(t, s, indexing="ij")  # (grid, grid): row i = t[i]
    starts = origin + ss.reshape(-1, 1) * d1 + tt.reshape(-1, 1) * d2
    chunks = max(1, min(int(chunks), grid))
    bounds = np.linspace(0, starts.shape[0], chunks + 1).astype(int)
    parts = []
    began = time.perf_counter()
    for c in range(chunks):
        parts.append(optimizers.run_many(L, method, starts[bounds[c]:bounds[c + 1]], steps,
                                         gtol=gtol, **hyper))
        if progress is not None:
            progress((c + 1) / chunks)
    seconds = time.perf_counter() - began
    shape = (grid, grid)
    return BasinMap(
        method=method,
        hyper=hyper,
        s=s,
        t=t,
        stops=np.concatenate([p.stops for p in parts]).astype(np.int8).reshape(shape),
        steps=np.concatenate([p.steps for p in parts]).astype(np.int32).reshape(shape),
        ends=np.concatenate([p.ends for p in parts]).reshape(grid, grid, L.dim),
        end_values=np.concatenate([p.end_values for p in parts]).reshape(shape),
        max_steps=int(steps),
        origin=origin,
        d1=d1,
        d2=d2,
        labels=labels,
        seconds=seconds,
    )


# --------------------------------------------------------------------------------------------
# colours of the cells


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[k:k + 2], 16) for k in (0, 2, 4)], dtype=np.float64)


def paleness(steps, slowest: int) -> np.ndarray:
    """How far a cell's colour is mixed towards white: 0 for a run of at most 1 step,
    ``MAX_PALENESS`` at ``slowest`` steps, linear in between (escape times already grow
    like log(1/distance) from the stable manifold; a log scale would flatten those bands)."""
    steps = np.asarray(steps, dtype=np.float64)
    span = max(float(slowest) - 1.0, 1.0)
    return MAX_PALENESS * np.clip((steps - 1.0) / span, 0.0, 1.0)


def slowest_run(maps) -> int:
    """Most steps taken by a run that finished (not at the step limit) in any of the maps:
    the top of the shared lightness scale (at least 2)."""
    top = 2
    for m in maps:
        finished = m.steps[m.stops != Stop.STEP_LIMIT]
        if finished.size:
            top = max(top, int(finished.max()))
    return top


def _palette() -> np.ndarray:
    """RGB of every (outcome, lightness level): entry ``stop * LIGHTNESS_LEVELS + level``."""
    out = np.zeros((256, 3), dtype=np.uint8)
    for stop, colour in OUTCOME_COLOURS.items():
        base = _rgb(colour)
        for level in range(LIGHTNESS_LEVELS):
            mix = MAX_PALENESS * level / (LIGHTNESS_LEVELS - 1)
            out[stop * LIGHTNESS_LEVELS + level] = np.rint(base + (255.0 - base) * mix)
    return out


PALETTE = _palette()


def cell_indices(m: BasinMap, slowest: int | None = None) -> np.ndarray:
    """Palette index of every cell (outcome and lightness level), row 0 = t[0].

    Step-limit cells keep their grey: every one of them took the maximum number of steps.

    Parameters
    ----------
    m : BasinMap
    slowest : int, optional
        Steps drawn palest (default: ``slowest_run([m])``); maps drawn side by side share it.

    Returns
    -------
    ndarray of uint8, shape (grid, grid)
        Indices into ``PALETTE``.
    """
    slowest = slowest_run([m]) if slowest is None else slowest
    level = np.rint(paleness(m.steps, slowest) / MAX_PALENESS * (LIGHTNESS_LEVELS - 1))
    level = np.where(m.stops == Stop.STEP_LIMIT, 0, level).astype(np.int64)
    return (m.stops.astype(np.int64) * LIGHTNESS_LEVELS + level).astype(np.uint8)


def cell_colours(m: BasinMap, slowest: int | None = None) -> np.ndarray:
    """RGB image of a map (see ``cell_indices``): outcome colour, paler the more steps.

    Returns
    -------
    ndarray of uint8, shape (grid, grid, 3)
    """
    return PALETTE[cell_indices(m, slowest)]


def png_data_uri(indices: np.ndarray) -> str:
    """PNG data URI of a palette image (one byte per cell: a noisy 200 x 200 map stays near
    40 kB where RGB took 160 kB).  Row 0 is the bottom of the plot: PNG rows run top down,
    and go.Image draws row 0 at y0, with an increasing y axis at the bottom."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), mode="P")
    image.putpalette(PALETTE.ravel().tolist())
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# --------------------------------------------------------------------------------------------
# the figure

KIND_SYMBOLS = {"minimum": "circle", "saddle": "x", "maximum": "triangle-up", "degenerate": "diamond"}


def _layout_grid(count: int) -> tuple[int, int]:
    cols = count if count <= 3 else (2 if count == 4 else 3)
    return math.ceil(count / cols), cols


def _label(method: str) -> str:
    try:
        return optimizers.method_info(method).label
    except ValueError:
        return method


def _axis_names(k: int) -> tuple[str, str]:
    """Trace references ("x", "y"), ("x2", "y2"), ... of panel k."""
    return ("x", "y") if k == 0 else (f"x{k + 1}", f"y{k + 1}")


def basin_figure(maps: Mapping[str, BasinMap], *, critical_points: Sequence = (),
                 start=None, titles: Mapping[str, str] | None = None,
                 height_per_row: int = 420) -> go.Figure:
    """One basin map per method side by side, same start grid, shared axes.

    Each map is a single ``go.Image`` whose source is a PNG (a few kB instead of a number
    per cell); an invisible marker lattice on top carries the hover text (outcome and steps
    of the start under the cursor) and makes a click selectable in Streamlit.  Traces are
    assembled as dicts and validated once: ``make_subplots`` and per-trace updates took
    over a second for five panels.

    Parameters
    ----------
    maps : dict str -> BasinMap
        Keyed by method name (or any label), in display order.  All maps must share the
        start grid.
    critical_points : sequence of landscapes.CriticalPoint
        Drawn where they lie on the plane (within 1e-6 of it) and inside the window.
    start : array_like, shape (n,), optional
        The current start point; marked (projected onto the plane).
    titles : dict str -> str, optional
        Panel titles per key (default: the method's label).
    height_per_row : int
        Pixels per row of panels.

    Returns
    -------
    go.Figure
        ``layout.meta`` holds ``kind="basin_map"``, the keys, grid and step limit.
    """
    if not maps:
        raise ValueError("basin_figure needs at least one BasinMap")
    items = list(maps.items())
    first = items[0][1]
    for name, m in items[1:]:
        if m.grid != first.grid or not (np.allclose(m.s, first.s) and np.allclose(m.t, first.t)):
            raise ValueError(f"map '{name}' has another start grid than '{items[0][0]}'")
    rows, cols = _layout_grid(len(items))
    titles = dict(titles or {})
    subtitles = [titles.get(name, _label(m.method)) for name, m in items]
    s, t = first.s, first.t
    ds = (s[-1] - s[0]) / max(len(s) - 1, 1)
    dt = (t[-1] - t[0]) / max(len(t) - 1, 1)
    s_range = [float(s[0] - 0.5 * ds), float(s[-1] + 0.5 * ds)]
    t_range = [float(t[0] - 0.5 * dt), float(t[-1] + 0.5 * dt)]
    stride = max(1, math.ceil(first.grid / CLICK_LATTICE))
    lattice = np.arange(stride // 2, first.grid, stride)
    # Pixel layout inside the app's margins (theme.style sets 50 px top and bottom): a strip
    # for the panel titles above every row, one for tick labels and axis titles below it,
    # the legend and the colour note in the figure's margins.
    fig_height = height_per_row * rows + 2 * MARGIN_PX
    paper = fig_height - 2 * MARGIN_PX
    title_px, axis_px = 30, 50
    gap_x = 0.04
    width = (1.0 - (cols - 1) * gap_x) / cols
    row_px = paper / rows

    data: list[dict] = []
    layout: dict = {}
    annotations: list[dict] = []
    present: set[Stop] = set()
    slowest = slowest_run(m for _, m in items)
    for k, (name, m) in enumerate(items):
        row, col = divmod(k, cols)
        xref, yref = _axis_names(k)
        x_domain = [col * (width + gap_x), col * (width + gap_x) + width]
        y_top = 1.0 - (row * row_px + title_px) / paper
        y_domain = [1.0 - ((row + 1) * row_px - axis_px) / paper, y_top]
        last_in_column = k + cols >= len(items)
        layout["xaxis" if k == 0 else f"xaxis{k + 1}"] = dict(
            domain=x_domain, anchor=yref, range=s_range, autorange=False, constrain="domain",
            showgrid=False, zeroline=False, **({} if k == 0 else dict(matches="x")),
            title=dict(text=first.labels[0] if last_in_column else None),
            showticklabels=last_in_column,
        )
        layout["yaxis" if k == 0 else f"yaxis{k + 1}"] = dict(
            domain=y_domain, anchor=xref, range=t_range, autorange=False, constrain="domain",
            showgrid=False, zeroline=False, scaleanchor=xref, scaleratio=1.0,
            **({} if k == 0 else dict(matches="y")),
            title=dict(text=first.labels[1] if col == 0 else None),
            showticklabels=col == 0,
        )
        annotations.append(dict(text=f"<b>{subtitles[k]}</b>", x=sum(x_domain) / 2, y=y_top,
                                xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                                showarrow=False, font=dict(size=14)))
        data.append(dict(type="image", source=png_data_uri(cell_indices(m, slowest)), x0=float(s[0]),
                         dx=float(ds), y0=float(t[0]), dy=float(dt), hoverinfo="skip",
                         name=str(name), xaxis=xref, yaxis=yref))
        present.update(Stop(int(c)) for c in np.unique(m.stops))
        data.extend(_lattice_traces(m, name, subtitles[k], lattice, xref, yref))
        data.extend(_overlay_points(m, critical_points, start, xref, yref, first_panel=k == 0,
                                    s_range=s_range, t_range=t_range))
    for stop in OUTCOME_ORDER:
        if stop in present:
            data.append(dict(
                type="scatter", x=[None], y=[None], mode="markers", name=OUTCOME_LABELS[stop],
                legendrank=100 + OUTCOME_ORDER.index(stop),
                marker=dict(symbol="square", size=14, color=OUTCOME_COLOURS[stop],
                            line=dict(color="#777777", width=1)),
                hoverinfo="skip", xaxis="x", yaxis="y",
            ))
    annotations.append(dict(text=f"colour: where the run from each start ends; paler = more "
                                 f"steps (1 … {slowest})",
                            xref="paper", yref="paper", x=0.0, y=1.0, yshift=4, showarrow=False,
                            xanchor="left", yanchor="bottom", font=dict(size=12)))
    layout.update(
        height=fig_height,
        hovermode="closest",
        clickmode="event+select",
        dragmode="pan",
        margin=dict(l=50, r=20, t=MARGIN_PX, b=MARGIN_PX),
        annotations=annotations,
        legend=dict(orientation="h", y=0.0, yanchor="top", xanchor="left", x=0.0),
        meta=dict(kind="basin_map", methods=[str(name) for name, _ in items],
                  grid=int(first.grid), max_steps=int(first.max_steps), slowest=slowest),
    )
    return go.Figure(dict(data=data, layout=layout))


def _lattice_traces(m: BasinMap, name, title: str, lattice: np.ndarray, xref: str, yref: str):
    """Invisible markers on a sub-lattice of starts, one trace per outcome so that the
    hover names the outcome without a string per cell."""
    sub_stops = m.stops[np.ix_(lattice, lattice)]
    sub_steps = m.steps[np.ix_(lattice, lattice)]
    tt, ss = np.meshgrid(m.t[lattice], m.s[lattice], indexing="ij")
    steps_dtype = np.uint16 if m.max_steps < 65535 else np.uint32
    for stop in OUTCOME_ORDER:
        mask = sub_stops == stop
        if not mask.any():
            continue
        yield dict(
            type="scatter", x=ss[mask].astype(np.float32), y=tt[mask].astype(np.float32),
            customdata=sub_steps[mask].astype(steps_dtype), mode="markers",
            marker=dict(size=8, opacity=0.0, color="#000000"),
            selected=dict(marker=dict(opacity=0.0)), unselected=dict(marker=dict(opacity=0.0)),
            showlegend=False, name=f"{name}: {stop.label}", xaxis=xref, yaxis=yref,
            hovertemplate=(f"<b>{title}</b><br>start ({m.labels[0]} = %{{x:.3g}}, "
                           f"{m.labels[1]} = %{{y:.3g}})<br>{OUTCOME_LABELS[stop]} after %{{customdata}} "
                           "steps<br><i>click: start here</i><extra></extra>"),
        )


def _overlay_points(m: BasinMap, critical_points, start, xref: str, yref: str, *, first_panel,
                    s_range, t_range):
    shown = set()
    scale = max(1.0, float(np.max(np.abs(m.origin))) if m.origin.size else 1.0)
    for cp in critical_points:
        (st,), (dist,) = project([cp.position], m.origin, m.d1, m.d2)
        inside = s_range[0] <= st[0] <= s_range[1] and t_range[0] <= st[1] <= t_range[1]
        if dist > 1e-6 * scale or not inside:
            continue
        kind = getattr(cp.kind, "value", str(cp.kind))
        legend = first_panel and kind not in shown
        shown.add(kind)
        yield dict(
            type="scatter", x=[float(st[0])], y=[float(st[1])], mode="markers",
            name=f"critical point: {kind}", legendgroup=f"critical-{kind}", showlegend=legend,
            legendrank=200, xaxis=xref, yaxis=yref,
            marker=dict(symbol=KIND_SYMBOLS.get(kind, "circle-open"), size=11, color="#FFFFFF",
                        line=dict(color="#000000", width=1.5)),
            hovertemplate=f"{kind} (f = {cp.value:.4g})<br>({st[0]:.3g}, {st[1]:.3g})<extra></extra>",
        )
    if start is not None:
        (st,), (dist,) = project([np.asarray(start, dtype=np.float64)], m.origin, m.d1, m.d2)
        note = "" if dist <= 1e-6 * scale else f" (projected; {dist:.2g} off the plane)"
        yield dict(
            type="scatter", x=[float(st[0])], y=[float(st[1])], mode="markers",
            name="current start", legendgroup="start", showlegend=first_panel, legendrank=300,
            xaxis=xref, yaxis=yref,
            marker=dict(symbol="star", size=16, color="#000000", line=dict(color="#FFFFFF", width=1.5)),
            hovertemplate=f"current start{note}<br>({st[0]:.3g}, {st[1]:.3g})<extra></extra>",
        )


def estimate_seconds(L: landscapes.Landscape, hyper_by_method: Mapping[str, Mapping], *,
                     grid: int = 200, steps: int = 200, pilot: int = 5, **plane_kwargs) -> float:
    """Wall time ``compute_basin`` would take for every method, from a pilot grid of
    pilot x pilot starts over the same window, scaled to grid x grid.

    Meant for many-parameter landscapes, where each step costs an eigendecomposition; in 2D
    the pilot is dominated by call overhead and overestimates.
    """
    grid = _grid_size(grid)
    total = 0.0
    for method, hyper in hyper_by_method.items():
        began = time.perf_counter()
        compute_basin(L, method, dict(hyper), grid=pilot, steps=steps, **plane_kwargs)
        total += time.perf_counter() - began
    return total * (grid / pilot) ** 2


def figure_json_size(fig: go.Figure) -> int:
    """Bytes of the figure's JSON as Streamlit sends it."""
    return len(fig.to_json().encode("utf-8"))


def picked_point(event) -> tuple[float, float] | None:
    """(s, t) of the first clicked point of a ``st.plotly_chart`` selection event, or None.

    Accepts the event (a dict or Streamlit's attribute-style state), its ``selection`` part,
    or None; malformed or non-finite points give None.
    """
    if event is None:
        return None
    sel = event
    if isinstance(sel, Mapping) and "selection" in sel:
        sel = sel["selection"]
    elif not isinstance(sel, Mapping) and hasattr(sel, "selection"):
        sel = sel.selection
    points = sel.get("points") if isinstance(sel, Mapping) else getattr(sel, "points", None)
    if not points:
        return None
    p = points[0]
    try:
        s, t = float(p["x"]), float(p["y"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(s) and np.isfinite(t)):
        return None
    return s, t


# --------------------------------------------------------------------------------------------
# the Streamlit section

GRID_CHOICES = (100, 200, 300)
DEFAULT_GRID = 200
# The explorer's start inputs (app/views/explorer.py, in plane coordinates); used when a
# ``Scene`` is passed without ``start_keys``.
EXPLORER_START_KEYS = ("explorer_x0_s", "explorer_x0_t")


def _plain(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


def _key_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=_plain)


@dataclass(frozen=True)
class SectionInputs:
    """What the section takes from a scene.

    Attributes
    ----------
    methods : tuple of str
    hyper : dict str -> dict
        Hyperparameters per method (missing ones take the defaults).
    steps : int
    start : tuple (s, t) or None
        Current start in plane coordinates.
    plane : dict
        ``origin``, ``d1``, ``d2``, ``window`` and ``labels`` for ``compute_basin`` (entries
        left out take its defaults).
    is_explorer_scene : bool
        True for an ``app.components.scene.Scene``.
    """

    methods: tuple
    hyper: dict
    steps: int
    start: tuple | None
    plane: dict
    is_explorer_scene: bool = False


def scene_inputs(L: landscapes.Landscape, scene) -> SectionInputs:
    """Read a scene: the explorer's ``Scene`` (``methods``, ``hyper_for(m)``, ``steps``,
    ``start`` in plane coordinates, the slice from ``scene.plane_for(L, scene.origin,
    scene.directions)``), or any object with ``.methods``, ``.hyper`` (dict name -> dict),
    ``.steps`` and optionally ``.start`` (plane coordinates) and ``.origin``, ``.d1``,
    ``.d2``, ``.window`` (arrays, for an N-D slice).
    """
    methods = tuple(getattr(scene, "methods", ()) or ())
    steps = getattr(scene, "steps", 200)
    start = getattr(scene, "start", None)
    start = None if start is None else tuple(float(v) for v in start)
    if hasattr(scene, "hyper_for") and isinstance(getattr(scene, "directions", None), str):
        from . import scene as scene_module

        p = scene_module.plane_for(L, scene.origin, scene.directions)
        hyper = {m: {k: v for k, v in scene.hyper_for(m).items() if v is not None} for m in methods}
        plane_args = dict(origin=p.origin, d1=p.d1, d2=p.d2,
                          window=(tuple(p.s_range), tuple(p.t_range)),
                          labels=tuple(p.axis_labels))
        return SectionInputs(methods, hyper, steps, start, plane_args, True)
    hyper_all = getattr(scene, "hyper", None) or {}
    hyper = {m: dict(hyper_all.get(m) or {}) for m in methods}
    plane_args = {k: getattr(scene, k) for k in ("origin", "d1", "d2", "window")
                  if getattr(scene, k, None) is not None}
    return SectionInputs(methods, hyper, steps, start, plane_args, False)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_basin(landscape_key: str, method: str, hyper_key: str, grid: int, steps: int,
                  plane_key: str, _L) -> BasinMap:
    """``compute_basin`` cached across reruns and sessions.  ``_L`` is not hashed: the
    landscape is identified by ``landscape_key`` (its name and parameters)."""
    m = compute_basin(_L, method, json.loads(hyper_key), grid=grid, steps=steps,
                      **json.loads(plane_key))
    return m.drop_ends()


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_estimate(landscape_key: str, hyper_key: str, grid: int, steps: int, plane_key: str,
                     _L) -> float:
    return estimate_seconds(_L, json.loads(hyper_key), grid=grid, steps=steps,
                            **json.loads(plane_key))


def snap_to_grid(st_point, window, grid: int) -> tuple[float, float]:
    """The start of the grid cell nearest to (s, t): a click lands exactly on a start of the
    map (the lattice's coordinates travel as float32)."""
    out = []
    for value, (lo, hi) in zip(st_point, window):
        step = (hi - lo) / (grid - 1)
        index = min(max(int(round((value - lo) / step)), 0), grid - 1)
        out.append(float(np.linspace(lo, hi, grid)[index]))
    return out[0], out[1]


def _pick_callback(chart_key: str, picked_key: str, window, grid: int, start_keys):
    """on_select callback: runs before the rerun, so it may set the page's start widgets."""
    point = picked_point(st.session_state.get(chart_key))
    if point is None:
        return
    s, t = snap_to_grid(point, window, grid)
    st.session_state[picked_key] = (s, t)
    for k, value in zip(start_keys or (), (s, t)):
        st.session_state[k] = value


def render_basin_section(L: landscapes.Landscape, scene, *, key: str = "basin",
                         start_keys: Sequence[str] | None = None, critical_points=None,
                         heading: str | None = None):
    """Draw the basin and escape-time maps of the scene's methods (Streamlit).

    Widgets: the grid size (100 / 200 / 300 starts per axis), "recompute on every change"
    and a Compute button.  Maps are cached (``st.cache_data``, 16 entries) by landscape name
    and parameters, method, hyperparameters, grid, steps and plane.

    Clicking a map selects the nearest start of a lattice (every cell up to 50 x 50, else
    every k-th): the ``on_select`` callback writes its plane coordinates (s, t) into
    ``start_keys`` before the rerun, i.e. before the page draws its start inputs.

    Parameters
    ----------
    L : Landscape
    scene
        The explorer's ``Scene``, or a duck-typed object (see ``scene_inputs``).
    key : str
        Prefix of every widget key.
    start_keys : (str, str), optional
        Session-state keys of the page's start inputs (s, t).  Default for an explorer
        ``Scene``: ``EXPLORER_START_KEYS``; otherwise none (use the return value).
    critical_points : sequence of CriticalPoint, optional
        Default ``L.critical_points``.
    heading : str, optional
        A subheader to draw first.

    Returns
    -------
    (s, t) or None
        The start clicked before this run (once), in plane coordinates.
    """
    inputs = scene_inputs(L, scene)
    picked_key = f"{key}_picked"
    picked = st.session_state.pop(picked_key, None)
    if start_keys is None and inputs.is_explorer_scene:
        start_keys = EXPLORER_START_KEYS
    if heading:
        st.subheader(heading)
    st.markdown(
        "Every start of a grid over the window, run with each selected method: the colour "
        "says where the run ends (judged by the Hessian there), the paleness how many steps "
        "it took. Newton's basin of attraction onto the saddle next to saddle-free Newton's "
        "escape. **Click a map** to start the trajectories there."
    )
    methods = inputs.methods
    if not methods:
        st.info("Choose at least one method to draw its basin map.")
        return picked
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    grid = c1.selectbox("Starts per axis", GRID_CHOICES, index=GRID_CHOICES.index(DEFAULT_GRID),
                        key=f"{key}_grid", format_func=lambda g: f"{g} × {g}")
    # One toggle per kind of landscape: switching to many dimensions starts with it off.
    auto = c2.toggle("Recompute on every change", value=L.dim == 2,
                     key=f"{key}_auto" if L.dim == 2 else f"{key}_auto_nd",
                     help="Off: maps are computed only when you press Compute (advisable in "
                          "many dimensions, where every step needs an eigendecomposition).")
    pressed = c3.button("Compute", key=f"{key}_compute", type="primary")

    try:
        steps = int(inputs.steps)
        origin, d1, d2, window, _ = plane(L, inputs.plane.get("origin"), inputs.plane.get("d1"),
                                          inputs.plane.get("d2"), inputs.plane.get("window"))
    except (TypeError, ValueError) as err:
        st.warning(f"Cannot draw the basin map: {err}")
        return picked
    plane_args = dict(inputs.plane)
    plane_args["window"] = window
    landscape_key = _key_json([L.name, L.params])
    plane_key = _key_json(plane_args)
    signature = _key_json([landscape_key, plane_key, grid, steps,
                           [[m, inputs.hyper.get(m, {})] for m in methods]])
    done = st.session_state.setdefault(f"{key}_done", [])
    if not (auto or pressed or signature in done):
        note = ""
        if L.dim > 2:
            try:
                seconds = _cached_estimate(landscape_key, _key_json(
                    {m: inputs.hyper.get(m, {}) for m in methods}), grid, steps, plane_key, L)
                note = f" (about {seconds:.2g} s here)"
            except ValueError:
                pass
        st.info(f"Press **Compute** for {len(methods)} map(s) of {grid} × {grid} starts, "
                f"{steps} steps each{note}.")
        return picked

    maps: dict[str, BasinMap] = {}
    problems: list[str] = []
    # One bar advanced per method: Streamlit cannot replay element calls made inside a cached
    # function on a block created outside it, so progress within a method is not shown.
    bar = st.progress(0.0, text=f"{_label(methods[0])}: {grid} × {grid} starts")
    began = time.perf_counter()
    for i, method in enumerate(methods):
        label = _label(method)
        bar.progress(i / len(methods), text=f"{label} ({i + 1}/{len(methods)}): "
                                            f"{grid} × {grid} starts, {steps} steps")
        try:
            maps[method] = _cached_basin(landscape_key, method,
                                         _key_json(inputs.hyper.get(method, {})), grid,
                                         steps, plane_key, L)
        except ValueError as err:
            problems.append(f"{label}: {err}")
    seconds = time.perf_counter() - began
    bar.empty()
    for problem in problems:
        st.warning(problem)
    if not maps:
        return picked
    if signature not in done:
        done.append(signature)
        del done[:-32]  # bounded: a long lecture must not grow the session without limit
    first = next(iter(maps.values()))
    start = None if inputs.start is None else first.point(*inputs.start)
    fig = basin_figure(maps, critical_points=L.critical_points if critical_points is None
                       else critical_points, start=start)
    chart_key = f"{key}_chart"
    callback = functools.partial(_pick_callback, chart_key, picked_key, window, grid,
                                 tuple(start_keys) if start_keys else None)
    show(fig, key=chart_key, on_select=callback, selection_mode="points")
    st.caption(" · ".join(f"**{_label(m)}**: {bm.summary()}" for m, bm in maps.items())
               + f" — {len(maps)} map(s) of {grid} × {grid} starts in {seconds:.2g} s")
    return picked
