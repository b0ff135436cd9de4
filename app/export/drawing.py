"""Drawing a scatter trace's lines and markers with Pillow, as plotly.js would draw them.

Colours, widths, dashes, marker symbols and opacity follow plotly.js.  Paths are broken at
non-finite points and clipped to a margin around the plot area, so that a diverged run far
outside it stays drawable.  Coordinates are supersampled pixels (``calibration.SUPERSAMPLE``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from PIL import ImageColor, ImageDraw

from app.export.calibration import SUPERSAMPLE, AxisMap
from app.export.frames import trace_xy

_PLOTLY_COLORWAY = (
    "#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
    "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
)

# --------------------------------------------------------------------------- colours


@lru_cache(maxsize=512)
def parse_color(color: str) -> tuple[int, int, int, float] | None:
    """CSS/Plotly colour string -> (r, g, b, alpha in [0, 1]); None if unreadable."""
    text = color.strip().lower()
    if text in ("", "none", "transparent"):
        return (0, 0, 0, 0.0)
    m = re.fullmatch(r"rgba?\(\s*([^,]+),\s*([^,]+),\s*([^,)]+)(?:,\s*([^)]+))?\)", text)
    if m:
        try:
            r, g, b = (max(0, min(255, round(float(v.rstrip("%")) * (2.55 if "%" in v else 1))))
                       for v in m.groups()[:3])
            alpha = 1.0 if m.group(4) is None else float(m.group(4))
        except ValueError:
            return None
        return (r, g, b, max(0.0, min(1.0, alpha)))
    try:
        rgb = ImageColor.getrgb(text)
    except ValueError:
        return None
    if len(rgb) == 4:
        return (rgb[0], rgb[1], rgb[2], rgb[3] / 255)
    return (rgb[0], rgb[1], rgb[2], 1.0)


def _rgba(color, default: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """Pillow's RGBA of `color` (else of `default`) with its alpha times `opacity`."""
    parsed = parse_color(color) if isinstance(color, str) else None
    if parsed is None:
        parsed = parse_color(default) or (68, 68, 68, 1.0)
    r, g, b, a = parsed
    return (r, g, b, int(round(255 * max(0.0, min(1.0, a * opacity)))))


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _scalar(value, default: float) -> float:
    """A number that applies to the whole trace; `default` when absent or given per point."""
    return default if value is None or _is_sequence(value) else float(value)


def _point_colors(color, marker: Mapping, n: int, default: str, colorscale_default,
                  opacity: float) -> list[tuple[int, int, int, int]]:
    """One RGBA per point: a colour, a list of colours, or numbers through a colorscale."""
    if not _is_sequence(color):
        return [_rgba(color, default, opacity)] * n
    values = list(color)[:n] + [None] * max(0, n - len(color))
    if all(isinstance(v, str) or v is None for v in values):
        return [_rgba(v, default, opacity) for v in values]
    try:
        import plotly.colors as pc

        nums = np.asarray([np.nan if v is None else v for v in values], dtype=float)
        cmin = marker.get("cmin")
        cmax = marker.get("cmax")
        finite = nums[np.isfinite(nums)]
        cmin = float(finite.min()) if cmin is None and finite.size else float(cmin or 0)
        cmax = float(finite.max()) if cmax is None and finite.size else float(cmax or 1)
        t = np.clip((nums - cmin) / ((cmax - cmin) or 1.0), 0, 1)
        scale = marker.get("colorscale") or colorscale_default or "Plasma"
        scale = pc.get_colorscale(scale) if isinstance(scale, str) else [list(s) for s in scale]
        if marker.get("reversescale"):
            scale = [[1 - p, c] for p, c in reversed(scale)]
        colors = pc.sample_colorscale(scale, [float(v) if np.isfinite(v) else 0.0 for v in t])
        return [_rgba(c, default, opacity) for c in colors]
    except Exception:  # noqa: BLE001 - an odd colorscale: fall back to the trace colour
        return [_rgba(None, default, opacity)] * n


def _per_point(value, n: int, default: float) -> np.ndarray:
    """A per-point number (e.g. marker size) as shape (n,), padded with `default`."""
    if _is_sequence(value):
        arr = np.asarray([default if v is None else v for v in list(value)[:n]], dtype=float)
        return np.concatenate([arr, np.full(max(0, n - len(arr)), default)])
    return np.full(n, default if value is None else float(value))


class Style:
    """What the drawing needs from a figure: colorway, default colorscale."""

    def __init__(self, fig: go.Figure):
        layout = fig.layout
        colorway = layout.colorway
        template = layout.template
        if not colorway and template is not None and template.layout is not None:
            colorway = template.layout.colorway
        self.colorway = tuple(colorway or _PLOTLY_COLORWAY)
        self.colorscale = None
        try:
            scale = layout.colorscale.sequential or template.layout.colorscale.sequential
            self.colorscale = [list(s) for s in scale] if scale else None
        except AttributeError:
            pass

    def default_color(self, trace_index: int) -> str:
        # plotly.js counts every trace (a contour at 0 makes the first scatter colour 1)
        return self.colorway[trace_index % len(self.colorway)]


# --------------------------------------------------------------------------- lines


def _clip_segment(x0, y0, x1, y1, box) -> tuple[float, float, float, float] | None:
    """Liang-Barsky: the part of a segment inside box=(xmin, ymin, xmax, ymax)."""
    xmin, ymin, xmax, ymax = box
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
        if p == 0:
            if q < 0:
                return None
        else:
            t = q / p
            if p < 0:
                if t > t1:
                    return None
                t0 = max(t0, t)
            else:
                if t < t0:
                    return None
                t1 = min(t1, t)
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy


def _polylines(px: np.ndarray, py: np.ndarray, box, connectgaps: bool) -> list[list[tuple]]:
    """Break a path at non-finite points and clip it to box (keeps far-away points sane)."""
    ok = np.isfinite(px) & np.isfinite(py)
    if connectgaps:
        px, py, ok = px[ok], py[ok], ok[ok]
    xmin, ymin, xmax, ymax = box
    inside = ok & (px >= xmin) & (px <= xmax) & (py >= ymin) & (py <= ymax)
    if inside.all():
        return [list(zip(px.tolist(), py.tolist()))] if len(px) >= 2 else []
    lines: list[list[tuple]] = []
    current: list[tuple] = []
    for i in range(len(px) - 1):
        clipped = None
        if ok[i] and ok[i + 1]:
            clipped = _clip_segment(px[i], py[i], px[i + 1], py[i + 1], box)
        if clipped is None:  # a gap or a segment wholly outside: the line breaks here
            if len(current) >= 2:
                lines.append(current)
            current = []
            continue
        a, b = (clipped[0], clipped[1]), (clipped[2], clipped[3])
        if current and current[-1] == a:
            current.append(b)
        else:
            if len(current) >= 2:
                lines.append(current)
            current = [a, b]
    if len(current) >= 2:
        lines.append(current)
    return lines


def _dash_pattern(dash, width_px: float) -> list[float] | None:
    """Plotly's dash names (scaled with the line width) or "5px,10px" lists; None = solid."""
    if not dash or dash == "solid":
        return None
    w = max(width_px, 3.0)
    named = {
        "dot": [w, w], "dash": [3 * w, 3 * w], "longdash": [5 * w, 5 * w],
        "dashdot": [3 * w, w, w, w], "longdashdot": [5 * w, 2 * w, w, 2 * w],
    }
    if dash in named:
        return named[dash]
    try:
        pattern = [float(p.strip().rstrip("px").rstrip("%")) for p in str(dash).split(",")]
    except ValueError:
        return None
    return pattern if pattern and all(p > 0 for p in pattern) else None


def _dashed(line: list[tuple], pattern: list[float]) -> list[list[tuple]]:
    """Cut a polyline into its dashes."""
    pieces, current = [], [line[0]]
    k, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in zip(line, line[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            point = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            if on:
                current.append(point)
                pieces.append(current)
            current = [point]
            k = (k + 1) % len(pattern)
            left, on = pattern[k], not on
        left -= seg - pos
        if on:
            current.append((x1, y1))
        else:
            current = [(x1, y1)]
    if on and len(current) >= 2:
        pieces.append(current)
    return pieces


# --------------------------------------------------------------------------- markers

_SYMBOL_CODES = {0: "circle", 1: "square", 2: "diamond", 3: "cross", 4: "x",
                 5: "triangle-up", 6: "triangle-down", 7: "triangle-left", 8: "triangle-right"}


def _symbol(symbol) -> tuple[str, bool]:
    """(base shape, open?) of a Plotly marker symbol (name or number)."""
    if isinstance(symbol, (int, np.integer)) or (isinstance(symbol, str) and symbol.isdigit()):
        code = int(symbol)
        return _SYMBOL_CODES.get(code % 100, "circle"), code % 200 >= 100
    text = str(symbol or "circle")
    is_open = "-open" in text
    base = text.replace("-open", "").replace("-dot", "")
    return base, is_open


def _marker_polygon(shape: str, cx: float, cy: float, r: float) -> list[tuple] | None:
    """Vertices of the non-round marker shapes, after plotly.js's symbol definitions."""
    if shape == "square":
        return [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)]
    if shape == "diamond":
        d = 1.3 * r
        return [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
    rt, r2 = 2 * r / math.sqrt(3), r / 2
    triangles = {
        "triangle-up": [(cx - rt, cy + r2), (cx + rt, cy + r2), (cx, cy - r)],
        "triangle-down": [(cx - rt, cy - r2), (cx + rt, cy - r2), (cx, cy + r)],
        "triangle-left": [(cx + r2, cy - rt), (cx + r2, cy + rt), (cx - r, cy)],
        "triangle-right": [(cx - r2, cy - rt), (cx - r2, cy + rt), (cx + r, cy)],
    }
    if shape in triangles:
        return triangles[shape]
    if shape in ("cross", "x"):
        a, b = 0.4 * r, 1.2 * r
        pts = [(a, b), (a, a), (b, a), (b, -a), (a, -a), (a, -b),
               (-a, -b), (-a, -a), (-b, -a), (-b, a), (-a, a), (-a, b)]
        if shape == "x":
            c = math.sqrt(0.5)
            pts = [((u - v) * c, (u + v) * c) for u, v in pts]
        return [(cx + u, cy + v) for u, v in pts]
    return None


# --------------------------------------------------------------------------- a trace


def draw_scatter(draw: ImageDraw.ImageDraw, state: Mapping, default: str, style: Style,
                 xmap: AxisMap, ymap: AxisMap, origin: tuple[int, int],
                 size: tuple[int, int]) -> None:
    """Draw one scatter trace (lines, then markers) onto a patch of the supersampled image.

    `state` is the trace as a dict, `default` its colorway colour, `origin` the patch's
    top-left corner and `size` its size, in supersampled pixels.
    """
    if state.get("visible") in (False, "legendonly"):
        return
    x, y = trace_xy(state)
    n = len(x)
    if n == 0:
        return
    s = SUPERSAMPLE
    px, py = xmap(x) - origin[0], ymap(y) - origin[1]
    mode = state.get("mode") or ("lines+markers" if n < 20 else "lines")
    opacity = _scalar(state.get("opacity"), 1.0)
    line = state.get("line") or {}
    marker = state.get("marker") or {}
    marker_color = marker.get("color")
    line_color = line.get("color") or (marker_color if isinstance(marker_color, str) else None)
    line_color = line_color or default

    width = line.get("width")
    width = 2.0 if width is None else float(width)
    if "lines" in mode and width > 0:
        fill = _rgba(line_color, default, opacity)
        margin = 4 * width * s + 4
        box = (-margin, -margin, size[0] + margin, size[1] + margin)
        pattern = _dash_pattern(line.get("dash"), width * s)
        w = max(1, int(round(width * s)))
        for pl in _polylines(px, py, box, bool(state.get("connectgaps"))):
            for piece in (_dashed(pl, pattern) if pattern else [pl]):
                draw.line(piece, fill=fill, width=w, joint="curve" if w > 2 else None)

    if "markers" in mode:
        colors = _point_colors(marker_color if marker_color is not None else line_color, marker, n, default, style.colorscale,
                               opacity * _scalar(marker.get("opacity"), 1.0))
        sizes = _per_point(marker.get("size"), n, 6.0) * s
        mline = marker.get("line") or {}
        mline_width = float(mline.get("width") or 0) * s
        mline_color = _rgba(mline.get("color"), "#444444", opacity)
        shape, is_open = _symbol(marker.get("symbol") if not _is_sequence(marker.get("symbol"))
                                 else "circle")
        for i in np.nonzero(np.isfinite(px) & np.isfinite(py))[0]:
            cx, cy, r = float(px[i]), float(py[i]), float(sizes[i]) / 2
            if r <= 0 or cx < -4 * r or cy < -4 * r or cx > size[0] + 4 * r \
                    or cy > size[1] + 4 * r:
                continue
            fill = None if is_open else colors[i]
            outline = colors[i] if is_open else (mline_color if mline_width > 0 else None)
            ow = max(1, int(round(mline_width if mline_width > 0 else s)))
            polygon = _marker_polygon(shape, cx, cy, r)
            if polygon is None:
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline,
                             width=ow)
            else:
                draw.polygon(polygon, fill=fill, outline=outline, width=ow)
