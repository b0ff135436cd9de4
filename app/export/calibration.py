"""Where data coordinates land in the GIF's pixels.

Every axis of a moving trace gets an explicit range (so that no frame can move it); then a
calibration render of the background, with everything transparent but two square probes of
known colour at known coordinates and a plot area of a third colour, tells the affine map
from axis values to pixels and the plot area's pixel box, per pair of axes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from app.export.frames import FAST_TRACE_TYPES, NeedsFullRender, axis_key, trace_xy

SUPERSAMPLE = 2
"""Pixels per GIF pixel of the background and the drawing; reducing anti-aliases them."""

_CALIBRATION_MARKER_PX = 12  # CSS px


def _axis_extent(fig: go.Figure, key: str, letter: str, states: list[dict[int, dict]],
                 log: bool) -> tuple[float, float] | None:
    """Data extent on one axis over the static traces and every frame (autorange stand-in)."""
    tight: list[np.ndarray] = []   # gridded traces: their extent exactly
    padded: list[np.ndarray] = []  # scatter data: padded like plotly pads markers
    for trace in fig.data:
        ref = getattr(trace, f"{letter}axis", None)
        if axis_key(ref, letter) != key:
            continue
        values = getattr(trace, letter, None)
        z = getattr(trace, "z", None) if "z" in trace else None
        try:
            arr = None if values is None else np.asarray(values, dtype=float).ravel()
        except (TypeError, ValueError):
            continue
        if arr is None and z is not None:
            shape = np.shape(z)
            if len(shape) == 2:
                arr = np.arange(shape[1] if letter == "x" else shape[0], dtype=float)
        if arr is not None:
            (padded if trace.type in FAST_TRACE_TYPES else tight).append(arr)
    for frame in states:
        for state in frame.values():
            if axis_key(state.get(f"{letter}axis"), letter) == key:
                try:
                    padded.append(trace_xy(state)[0 if letter == "x" else 1])
                except NeedsFullRender:
                    continue
    lo, hi = math.inf, -math.inf
    for group, pad in ((tight, 0.0), (padded, 0.04)):
        vals = np.concatenate(group) if group else np.empty(0)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                vals = np.log10(vals[vals > 0])
        vals = vals[np.isfinite(vals)]
        if vals.size:
            a, b = float(vals.min()), float(vals.max())
            span = (b - a) or max(abs(a), 1.0)
            lo, hi = min(lo, a - pad * span), max(hi, b + pad * span)
    if not math.isfinite(lo):
        return None
    if hi - lo <= 0:
        lo, hi = lo - 1.0, hi + 1.0
    return lo, hi


def fix_ranges(fig: go.Figure, layout: dict, axis_keys: Iterable[tuple[str, str]],
               states: list[dict[int, dict]]) -> dict[str, tuple[float, float, bool]]:
    """Give every axis of a moving trace an explicit range in `layout` (changed in place).

    `axis_keys` are (layout key, letter) pairs such as ('xaxis2', 'x').  Returns, per
    layout key, (range start, range end, log axis?); ranges of log axes are in log10 units.
    Raises NeedsFullRender for date or category axes and ranges that cannot be set.
    """
    ranges = {}
    for key, letter in axis_keys:
        axis = dict(layout.get(key) or {})
        kind = axis.get("type") or "-"
        if kind not in ("-", "linear", "log"):
            raise NeedsFullRender(f"{key} is a {kind} axis")
        log = kind == "log"
        given = axis.get("range")
        autorange = axis.get("autorange")
        explicit = (given is not None and len(given) == 2 and autorange in (None, False)
                    and all(v is not None for v in given))
        if explicit:
            try:
                r0, r1 = float(given[0]), float(given[1])
            except (TypeError, ValueError) as exc:
                raise NeedsFullRender(f"{key} has a non-numeric range") from exc
        else:
            extent = _axis_extent(fig, key, letter, states, log)
            if extent is None:
                raise NeedsFullRender(f"no data to set the range of {key}")
            r0, r1 = extent
            if given is not None and len(given) == 2:  # partial range: keep the given end
                r0 = float(given[0]) if given[0] is not None else r0
                r1 = float(given[1]) if given[1] is not None else r1
            if isinstance(autorange, str) and "reversed" in autorange:
                r0, r1 = r1, r0
        if not (math.isfinite(r0) and math.isfinite(r1)) or r0 == r1:
            raise NeedsFullRender(f"{key} has an empty range")
        axis.update(range=[r0, r1], autorange=False)
        layout[key] = axis
        ranges[key] = (r0, r1, log)
    return ranges


class AxisMap:
    """Axis value -> (supersampled) pixel, measured on the calibration render."""

    def __init__(self, u1: float, p1: float, u2: float, p2: float, log: bool):
        self.scale = (p2 - p1) / (u2 - u1)
        self.offset = p1 - self.scale * u1
        self.log = log

    def __call__(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)),
                                  np.nan)
        return self.scale * values + self.offset


def _magic_colors(k: int) -> tuple[tuple[int, int, int], ...]:
    """Three colours no figure uses: the plot-area fill and two markers of axis pair k."""
    base = 3 + 3 * k
    return (251, base, 247), (249, base + 1, 5), (7, base + 2, 253)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#%02x%02x%02x" % rgb


def calibration_dict(background: dict, pairs: list[tuple[str, str]],
                     ranges: dict[str, tuple[float, float, bool]]) -> tuple[dict, list]:
    """The background with everything transparent, plus probes and plot-area fills.

    Returns the figure dict to render and the probes :func:`measure` looks for.
    """
    calib = copy.deepcopy(background)
    for trace in calib["data"]:
        trace["opacity"] = 0
        if trace.get("type") in ("contour", "histogram2dcontour"):
            trace.setdefault("line", {})["width"] = 0
    layout = calib["layout"]
    # nothing may hide the probes: legend text, annotations, images and shapes go invisible
    # (they keep their size, so the layout and the margins do not change)
    clear = "rgba(0,0,0,0)"
    legend = layout.setdefault("legend", {})
    legend.update(bgcolor=clear, bordercolor=clear)
    legend.setdefault("font", {})["color"] = clear
    for annotation in layout.get("annotations") or []:
        annotation["opacity"] = 0
    for image in layout.get("images") or []:
        image["opacity"] = 0
    shapes = [dict(shape, opacity=0) for shape in layout.get("shapes") or []]
    probes = []
    for k, (xkey, ykey) in enumerate(pairs):
        fill, c1, c2 = _magic_colors(k)
        (x0, x1, xlog), (y0, y1, ylog) = ranges[xkey], ranges[ykey]
        ux = (x0 + 0.3 * (x1 - x0), x0 + 0.7 * (x1 - x0))
        uy = (y0 + 0.3 * (y1 - y0), y0 + 0.7 * (y1 - y0))
        xs = [10 ** u if xlog else u for u in ux]
        ys = [10 ** u if ylog else u for u in uy]
        xref, yref = "x" + xkey[5:], "y" + ykey[5:]
        calib["data"].append({
            "type": "scatter", "x": xs, "y": ys, "mode": "markers",
            "xaxis": xref, "yaxis": yref, "showlegend": False, "hoverinfo": "skip",
            "opacity": 1, "cliponaxis": False,
            "marker": {"color": [_hex(c1), _hex(c2)], "size": _CALIBRATION_MARKER_PX,
                       "symbol": "square", "opacity": 1, "line": {"width": 0}},
        })
        shapes.append({
            "type": "rect", "xref": f"{xref} domain", "yref": f"{yref} domain",
            "x0": 0, "x1": 1, "y0": 0, "y1": 1, "layer": "below",
            "fillcolor": _hex(fill), "opacity": 1, "line": {"width": 0},
        })
        for key in (xkey, ykey):
            axis = layout.setdefault(key, {})
            axis.update(showgrid=False, zeroline=False)
        probes.append(((xkey, ykey), fill, (ux[0], uy[0], c1), (ux[1], uy[1], c2)))
    layout["shapes"] = shapes
    return calib, probes


def measure(calib: Image.Image, probes: list, ranges: dict
            ) -> dict[tuple[str, str], tuple[AxisMap, AxisMap, tuple[int, int, int, int]]]:
    """Per axis pair: x map, y map and the plot area's pixel box, from the calibration render.

    `calib` is the RGB render of :func:`calibration_dict`'s figure at ``SUPERSAMPLE``.
    Raises NeedsFullRender when a probe or the plot area cannot be found.
    """
    rgb = np.asarray(calib).astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    min_pixels = 0.6 * (_CALIBRATION_MARKER_PX * SUPERSAMPLE) ** 2  # whole, not covered

    def locate(color) -> tuple[np.ndarray, np.ndarray]:
        ys, xs = np.nonzero(packed == ((color[0] << 16) | (color[1] << 8) | color[2]))
        return xs, ys

    geometry = {}
    for (xkey, ykey), fill, (ux1, uy1, c1), (ux2, uy2, c2) in probes:
        (x1s, y1s), (x2s, y2s) = locate(c1), locate(c2)
        if x1s.size < min_pixels or x2s.size < min_pixels:
            raise NeedsFullRender("calibration markers not found")
        fx, fy = locate(fill)
        if fx.size < 16:
            raise NeedsFullRender("plot area not found")
        xmap = AxisMap(ux1, x1s.mean(), ux2, x2s.mean(), ranges[xkey][2])
        ymap = AxisMap(uy1, y1s.mean(), uy2, y2s.mean(), ranges[ykey][2])
        allx = np.concatenate([fx, x1s, x2s])
        ally = np.concatenate([fy, y1s, y2s])
        s = SUPERSAMPLE  # boxes on the supersampling grid, so that reduce() lines up
        box = (int(allx.min()) // s * s, int(ally.min()) // s * s,
               -(-(int(allx.max()) + 1) // s) * s, -(-(int(ally.max()) + 1) // s) * s)
        geometry[(xkey, ykey)] = (xmap, ymap, box)
    return geometry
