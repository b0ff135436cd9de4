"""Export figures and trajectories: PNG/SVG/PDF, interactive HTML, animated GIF, CSV and JSON.

This module is a library (no Streamlit): the app's download buttons, notebooks and the
``saddle-lab-export`` command call it.

Static images go through kaleido 1.x, which drives a headless Chrome/Chromium.  Starting a
browser costs a few seconds, so one persistent kaleido server (``kaleido.start_sync_server``)
is started lazily on the first export and shared by the whole process; calls are serialised
by a lock (kaleido's sync server is not safe for concurrent callers).  Every failure of that
machinery - no browser, a browser that dies, a render that hangs - is raised as
:class:`ExportUnavailable`, a ``RuntimeError`` whose message a student can read.

Animated GIFs are drawn, not rendered frame by frame: the static part of the figure
(contours, legend, axes) is rendered once through kaleido, a second calibration render
measures where data coordinates land in pixels, and every frame's moving scatter traces
are drawn with Pillow onto a copy of the background.  100 frames take a few seconds instead
of a minute.
"""

from __future__ import annotations

import argparse
import copy
import csv
import enum
import io
import json
import math
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageChops, ImageColor, ImageDraw

if TYPE_CHECKING:  # optimizers/ is imported lazily by callers; only its type is used here
    from optimizers.trajectory import Trajectory

__all__ = [
    "ExportUnavailable",
    "IMAGE_FORMATS",
    "animation_to_gif",
    "csv_parameters",
    "figure_to_html",
    "figure_to_image",
    "find_browser",
    "main",
    "trajectories_to_csv",
    "trajectories_to_json",
    "warm_up",
]

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
"""Formats :func:`figure_to_image` accepts."""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

RENDER_TIMEOUT = 60.0
"""Seconds kaleido may spend on one figure before it gives up."""

CALL_TIMEOUT = 150.0
"""Seconds one export may take in all (browser start included) before we give up waiting."""

_INSTALL_HINT = (
    "install it with `apt-get install chromium` (Debian/Ubuntu) or `kaleido_get_chrome`, "
    "then restart the app"
)


class ExportUnavailable(RuntimeError):
    """Static export is impossible here: no Chrome/Chromium, or kaleido failed.

    The message is meant to be shown to the user as it is.
    """


# =========================================================================== kaleido server

_LOCK = threading.RLock()
_BROWSER_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)


def find_browser() -> str | None:
    """Path of the Chrome/Chromium kaleido would use, or None when there is none.

    Looks where kaleido looks (its own download, ``BROWSER_PATH``, ``PATH``, the usual
    install locations), then at Debian's ``/usr/bin/chromium``.

    Returns
    -------
    str or None
        An executable file, or None.
    """
    candidates: list[str] = []
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
        if found:
            candidates.append(str(found))
    except Exception:  # noqa: BLE001 - best effort: choreographer internals may move
        pass
    candidates += list(_BROWSER_CANDIDATES)
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if (which := shutil.which(name)) is not None:
            candidates.append(which)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _kaleido():
    """The kaleido module (imported on first use: it costs ~0.25 s)."""
    try:
        import kaleido
    except Exception as exc:  # noqa: BLE001
        raise ExportUnavailable(
            f"Image export needs the Python package kaleido (>= 1.0), which could not be "
            f"imported ({type(exc).__name__}: {exc}); install it with `pip install kaleido`."
        ) from exc
    return kaleido


def _server_thread_alive(kaleido_module) -> bool | None:
    """Whether kaleido's sync-server thread runs: True, False, or None if we cannot tell."""
    server = getattr(kaleido_module, "_global_server", None)
    if server is None or not hasattr(server, "is_running"):
        return None
    if not server.is_running():
        return False
    thread = getattr(server, "_thread", None)
    return None if thread is None else thread.is_alive()


def _server_running() -> bool:
    """True when the persistent kaleido server is up (or was started and looks alive)."""
    return bool(_server_thread_alive(_kaleido()))


def _stop_server() -> None:
    """Stop a dead or broken server so that the next export starts a fresh one."""
    kaleido = _kaleido()
    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - it is broken already; nothing better to do
        pass


def _no_browser_message(what: str) -> str:
    return f"{what} export needs Chrome or Chromium; {_INSTALL_HINT}."


def _ensure_server(what: str) -> None:
    """Start the persistent kaleido server once per process (caller holds ``_LOCK``)."""
    if _server_running():
        return
    kaleido = _kaleido()
    if _server_thread_alive(kaleido) is False:
        _stop_server()  # registered as running but its thread died: reset it
    browser = find_browser()
    if browser is None:
        raise ExportUnavailable(_no_browser_message(what))
    try:
        kaleido.start_sync_server(
            path=browser,
            timeout=RENDER_TIMEOUT,
            mathjax=False,  # no CDN fetch on every page reload; LaTeX is not typeset
            silence_warnings=True,
        )
    except Exception as exc:  # noqa: BLE001
        raise ExportUnavailable(
            f"{what} export could not start the browser at {browser} "
            f"({type(exc).__name__}: {exc}); check that Chrome/Chromium runs, or "
            f"{_INSTALL_HINT}."
        ) from exc


def _render(fig_dict: dict, fmt: str, width: int, height: int, scale: float,
            what: str | None = None) -> bytes:
    """Render a figure dict through the persistent kaleido server.

    `what` names the export in error messages ("GIF"); the format by default.

    The call runs in a helper thread so that a server that dies (its thread ends, e.g. the
    browser failed to start) cannot hang us: kaleido's sync server would wait forever.
    """
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    what = what or fmt.upper()
    with _LOCK:
        _ensure_server(what)
        kaleido = _kaleido()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = kaleido.calc_fig_sync(fig_dict, opts=opts)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                box["error"] = exc

        worker = threading.Thread(target=work, name="saddle-lab-kaleido-call", daemon=True)
        worker.start()
        deadline = time.monotonic() + CALL_TIMEOUT
        while worker.is_alive():
            worker.join(0.05)
            if not worker.is_alive():
                break
            if _server_thread_alive(kaleido) is False:
                _stop_server()
                browser = find_browser()
                raise ExportUnavailable(
                    _no_browser_message(what) if browser is None else
                    f"{what} export failed: the browser ({browser}) stopped or could "
                    f"not start. Try again; if it keeps failing, {_INSTALL_HINT}."
                )
            if time.monotonic() > deadline:
                _stop_server()
                raise ExportUnavailable(
                    f"{what} export timed out after {CALL_TIMEOUT:.0f} s; "
                    "the figure may be too large, or the browser is stuck."
                )
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise exc
            name = type(exc).__name__
            if "ChromeNotFound" in name:
                raise ExportUnavailable(_no_browser_message(what)) from exc
            if "Browser" in name:  # BrowserClosedError / BrowserFailedError: restart next time
                _stop_server()
            raise ExportUnavailable(
                f"{what} export failed in kaleido ({name}: {exc})."
            ) from exc
        result = box.get("result")
    if isinstance(result, str):
        result = result.encode("utf-8")
    if not isinstance(result, (bytes, bytearray)) or not result:
        raise ExportUnavailable(f"{what} export failed: kaleido returned no data.")
    return bytes(result)


def warm_up() -> None:
    """Start the export browser now (≈3 s) so that the first download is fast.

    Raises
    ------
    ExportUnavailable
        No Chrome/Chromium, or it does not start.
    """
    _render({"data": [], "layout": {}}, "png", 64, 64, 1, what="Image")


# =========================================================================== static images


def _as_figure(fig: go.Figure | Mapping) -> go.Figure:
    if isinstance(fig, go.Figure):
        return fig
    if isinstance(fig, Mapping):
        return go.Figure(dict(fig))
    raise TypeError(f"expected a plotly Figure or a figure dict, got {type(fig).__name__}")


def _static_dict(fig: go.Figure) -> dict:
    """A copy of the figure as a dict, without frames and animation controls.

    Not ``fig.to_dict()``: that copies and encodes every frame too (0.3-0.6 s for 100
    frames, more than the render itself).  Arrays are base64-encoded as plotly does.
    """
    d = copy.deepcopy({  # a copy: the caller's figure is never touched
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json(),
    })
    try:
        from _plotly_utils.utils import convert_to_base64
    except ImportError:  # pragma: no cover - plotly's JSON encoder sends plain lists then
        pass
    else:
        convert_to_base64(d)
    layout = d.setdefault("layout", {})
    layout["updatemenus"] = []
    layout["sliders"] = []
    return d


def _check_size(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")


def figure_to_image(
    fig: go.Figure,
    fmt: str,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
) -> bytes:
    """Render a Plotly figure as a static PNG, SVG or PDF.

    The first call in a process starts a persistent headless browser (a few seconds);
    later calls take well under a second.  Play buttons and animation sliders are dropped
    (on a copy; `fig` is not modified) and the figure shows its initial state.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (a figure dict is accepted too).
    fmt : {"png", "svg", "pdf"}
        Output format (case-insensitive).
    width, height : int
        Size in CSS pixels.
    scale : float
        Pixel density: a PNG is ``width * scale`` by ``height * scale`` pixels.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ValueError
        Unknown format or a size out of range.
    ExportUnavailable
        No Chrome/Chromium can be found, or kaleido failed.
    """
    if not isinstance(fmt, str) or fmt.lower().lstrip(".") not in IMAGE_FORMATS:
        raise ValueError(
            f"unknown image format {fmt!r}; allowed formats: {', '.join(IMAGE_FORMATS)}"
        )
    fmt = fmt.lower().lstrip(".")
    _check_size("width", width, 10, 10_000)
    _check_size("height", height, 10, 10_000)
    _check_size("scale", scale, 0.1, 10)
    data = _render(_static_dict(_as_figure(fig)), fmt, width, height, scale)
    if fmt == "png" and not data.startswith(PNG_MAGIC):
        raise ExportUnavailable("PNG export failed: kaleido returned something else than a PNG.")
    return data


def figure_to_html(fig: go.Figure) -> bytes:
    """A self-contained interactive HTML page of the figure (plotly.js embedded).

    Frames and play buttons are kept; the animation does not start by itself.  The page
    works offline (about 4.5 MB, most of it plotly.js).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (a figure dict is accepted too).

    Returns
    -------
    bytes
        UTF-8 encoded HTML.
    """
    html = _as_figure(fig).to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config={"displaylogo": False},
    )
    return html.encode("utf-8")


# =========================================================================== animated GIF

_SUPERSAMPLE = 2  # draw at 2x and reduce: anti-aliased lines and markers
_FAST_TRACE_TYPES = {"scatter", "scattergl"}
_PLOTLY_COLORWAY = (
    "#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
    "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
)
_CALIBRATION_MARKER_PX = 12  # CSS px


class _NeedsFullRender(Exception):
    """The fast GIF path cannot draw this animation faithfully; render every frame."""


def _merge(base: Mapping, update: Mapping) -> dict:
    """Plotly.animate's merge: nested dicts merge, everything else (arrays too) replaces."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _frame_updates(fig: go.Figure) -> list[list[tuple[int, dict]]]:
    """Per frame, the (trace index, trace update) pairs it applies."""
    n_traces = len(fig.data)
    updates = []
    for k, frame in enumerate(fig.frames):
        data = list(frame.data or ())
        indices = frame.traces
        indices = list(range(len(data))) if indices is None else [int(i) for i in indices]
        if len(indices) != len(data):
            raise ValueError(
                f"frame {k} ({frame.name!r}) has {len(data)} traces but traces={indices}"
            )
        bad = [i for i in indices if not 0 <= i < n_traces]
        if bad:
            raise ValueError(
                f"frame {k} ({frame.name!r}) refers to trace(s) {bad}, but the figure has "
                f"{n_traces} traces"
            )
        updates.append([(i, t.to_plotly_json()) for i, t in zip(indices, data)])
    return updates


def _frame_states(fig: go.Figure) -> tuple[list[int], list[dict[int, dict]]]:
    """Moving trace indices and, per frame, the full state of every moving trace."""
    updates = _frame_updates(fig)
    moving = sorted({i for frame in updates for i, _ in frame})
    current = {i: fig.data[i].to_plotly_json() for i in moving}
    states = []
    for frame in updates:
        for i, update in frame:
            current[i] = _merge(current[i], update)
        states.append(dict(current))
    return moving, states


def _float_array(values) -> np.ndarray | None:
    """Values as a float array; None when absent; _NeedsFullRender when not numeric."""
    if values is None:
        return None
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise _NeedsFullRender("non-numeric coordinates") from exc
    return arr.ravel()


def _xy(state: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """A scatter trace's coordinates (x0/dx and y0/dy when x or y is omitted)."""
    x, y = _float_array(state.get("x")), _float_array(state.get("y"))
    if x is None and y is None:
        return np.empty(0), np.empty(0)
    n = len(y) if x is None else len(x)
    if x is None:
        x = float(state.get("x0", 0) or 0) + float(state.get("dx", 1) or 1) * np.arange(n)
    if y is None:
        y = float(state.get("y0", 0) or 0) + float(state.get("dy", 1) or 1) * np.arange(n)
    n = min(len(x), len(y))
    return x[:n], y[:n]


def _axis_key(ref: str | None, letter: str) -> str:
    """'x' -> 'xaxis', 'x2' -> 'xaxis2'."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def _axis_extent(fig: go.Figure, key: str, letter: str, states: list[dict[int, dict]],
                 log: bool) -> tuple[float, float] | None:
    """Data extent on one axis over the static traces and every frame (autorange stand-in)."""
    tight: list[np.ndarray] = []   # gridded traces: their extent exactly
    padded: list[np.ndarray] = []  # scatter data: padded like plotly pads markers
    for trace in fig.data:
        ref = getattr(trace, f"{letter}axis", None)
        if _axis_key(ref, letter) != key:
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
            (padded if trace.type in _FAST_TRACE_TYPES else tight).append(arr)
    for frame in states:
        for state in frame.values():
            if _axis_key(state.get(f"{letter}axis"), letter) == key:
                try:
                    padded.append(_xy(state)[0 if letter == "x" else 1])
                except _NeedsFullRender:
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


def _fix_ranges(fig: go.Figure, layout: dict, axis_keys: Iterable[tuple[str, str]],
                states: list[dict[int, dict]]) -> dict[str, tuple[float, float, bool]]:
    """Give every axis of a moving trace an explicit range; returns key -> (r0, r1, log)."""
    ranges = {}
    for key, letter in axis_keys:
        axis = dict(layout.get(key) or {})
        kind = axis.get("type") or "-"
        if kind not in ("-", "linear", "log"):
            raise _NeedsFullRender(f"{key} is a {kind} axis")
        log = kind == "log"
        given = axis.get("range")
        autorange = axis.get("autorange")
        explicit = (given is not None and len(given) == 2 and autorange in (None, False)
                    and all(v is not None for v in given))
        if explicit:
            try:
                r0, r1 = float(given[0]), float(given[1])
            except (TypeError, ValueError) as exc:
                raise _NeedsFullRender(f"{key} has a non-numeric range") from exc
        else:
            extent = _axis_extent(fig, key, letter, states, log)
            if extent is None:
                raise _NeedsFullRender(f"no data to set the range of {key}")
            r0, r1 = extent
            if given is not None and len(given) == 2:  # partial range: keep the given end
                r0 = float(given[0]) if given[0] is not None else r0
                r1 = float(given[1]) if given[1] is not None else r1
            if isinstance(autorange, str) and "reversed" in autorange:
                r0, r1 = r1, r0
        if not (math.isfinite(r0) and math.isfinite(r1)) or r0 == r1:
            raise _NeedsFullRender(f"{key} has an empty range")
        axis.update(range=[r0, r1], autorange=False)
        layout[key] = axis
        ranges[key] = (r0, r1, log)
    return ranges


class _AxisMap:
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


def _calibration_dict(background: dict, pairs: list[tuple[str, str]],
                      ranges: dict[str, tuple[float, float, bool]]) -> tuple[dict, list]:
    """The background with everything transparent, plus known markers and plot-area fills."""
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


def _measure(calib_png: bytes, probes: list, ranges: dict) -> dict:
    """Axis maps and plot-area pixel boxes, per axis pair, from the calibration render."""
    rgb = np.asarray(Image.open(io.BytesIO(calib_png)).convert("RGB")).astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    min_pixels = 0.6 * (_CALIBRATION_MARKER_PX * _SUPERSAMPLE) ** 2  # whole, not covered

    def locate(color) -> tuple[np.ndarray, np.ndarray]:
        ys, xs = np.nonzero(packed == ((color[0] << 16) | (color[1] << 8) | color[2]))
        return xs, ys

    geometry = {}
    for (xkey, ykey), fill, (ux1, uy1, c1), (ux2, uy2, c2) in probes:
        (x1s, y1s), (x2s, y2s) = locate(c1), locate(c2)
        if x1s.size < min_pixels or x2s.size < min_pixels:
            raise _NeedsFullRender("calibration markers not found")
        fx, fy = locate(fill)
        if fx.size < 16:
            raise _NeedsFullRender("plot area not found")
        xmap = _AxisMap(ux1, x1s.mean(), ux2, x2s.mean(), ranges[xkey][2])
        ymap = _AxisMap(uy1, y1s.mean(), uy2, y2s.mean(), ranges[ykey][2])
        allx = np.concatenate([fx, x1s, x2s])
        ally = np.concatenate([fy, y1s, y2s])
        s = _SUPERSAMPLE  # boxes on the supersampling grid, so that reduce() lines up
        box = (int(allx.min()) // s * s, int(ally.min()) // s * s,
               -(-(int(allx.max()) + 1) // s) * s, -(-(int(ally.max()) + 1) // s) * s)
        geometry[(xkey, ykey)] = (xmap, ymap, box)
    return geometry


# ------------------------------------------------------------------ colours and styles


@lru_cache(maxsize=512)
def _parse_color(color: str) -> tuple[int, int, int, float] | None:
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
    parsed = _parse_color(color) if isinstance(color, str) else None
    if parsed is None:
        parsed = _parse_color(default) or (68, 68, 68, 1.0)
    r, g, b, a = parsed
    return (r, g, b, int(round(255 * max(0.0, min(1.0, a * opacity)))))


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


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
    if _is_sequence(value):
        arr = np.asarray([default if v is None else v for v in list(value)[:n]], dtype=float)
        return np.concatenate([arr, np.full(max(0, n - len(arr)), default)])
    return np.full(n, default if value is None else float(value))


# ------------------------------------------------------------------ geometry


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
        if not (ok[i] and ok[i + 1]):
            if len(current) >= 2:
                lines.append(current)
            current = []
            continue
        clipped = _clip_segment(px[i], py[i], px[i + 1], py[i + 1], box)
        if clipped is None:
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


# ------------------------------------------------------------------ drawing


class _Style:
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


def _draw_scatter(draw: ImageDraw.ImageDraw, state: Mapping, default: str, style: _Style,
                  xmap: _AxisMap, ymap: _AxisMap, origin: tuple[int, int],
                  size: tuple[int, int]) -> None:
    """Draw one scatter trace (lines and markers) in supersampled pixels."""
    if state.get("visible") in (False, "legendonly"):
        return
    x, y = _xy(state)
    n = len(x)
    if n == 0:
        return
    s = _SUPERSAMPLE
    px, py = xmap(x) - origin[0], ymap(y) - origin[1]
    mode = state.get("mode") or ("lines+markers" if n < 20 else "lines")
    opacity = float(state.get("opacity", 1) if state.get("opacity") is not None else 1)
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
        colors = _point_colors(marker_color or line_color, marker, n, default,
                               style.colorscale, opacity * float(
                                   marker.get("opacity", 1)
                                   if not _is_sequence(marker.get("opacity"))
                                   and marker.get("opacity") is not None else 1))
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


def _render_png(fig_dict: dict, width: int, height: int, scale: float) -> Image.Image:
    data = _render(fig_dict, "png", width, height, scale, what="GIF")
    return Image.open(io.BytesIO(data)).convert("RGB")


def _palette(sample: Image.Image, exact: Sequence[tuple[int, int, int]]) -> list[int]:
    """A 256-colour palette (flat list): the traces' colours and the sample's most frequent
    colours exactly (paper, plot area, contour fills stay true), median cut for the rest."""
    exact = list(dict.fromkeys(exact))[:48]
    counts = sample.getcolors(maxcolors=sample.width * sample.height) or []
    frequent = [rgb for count, rgb in sorted(counts, key=lambda c: -c[0])[:96]
                if count * 2000 >= sample.width * sample.height]  # >= 0.05 % of the pixels
    keep = list(dict.fromkeys([tuple(c) for c in exact] + [tuple(c) for c in frequent]))
    quantized = sample.quantize(colors=256 - len(keep), method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette()[: 3 * (256 - len(keep))]
    for color in keep:
        palette += list(color)
    return palette + [0] * (768 - len(palette))


class _Indexer:
    """RGB image -> palette image with the exactly nearest colour.

    Pillow's own palette conversion looks colours up on a coarse grid (white can come out
    as (252, 253, 253)); this keeps a sorted cache of the colours already seen.
    """

    def __init__(self, palette: list[int]):
        self.palette = palette
        self.rgb = np.asarray(palette, dtype=np.int32).reshape(256, 3)
        self.keys = np.empty(0, dtype=np.uint32)
        self.values = np.empty(0, dtype=np.uint8)

    def _nearest(self, packed: np.ndarray) -> np.ndarray:
        rgb = np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255],
                       axis=1).astype(np.int32)
        out = np.empty(len(rgb), dtype=np.uint8)
        for lo in range(0, len(rgb), 2048):
            d = ((rgb[lo:lo + 2048, None, :] - self.rgb[None, :, :]) ** 2).sum(axis=-1)
            out[lo:lo + 2048] = d.argmin(axis=1)
        return out

    def indices(self, pixels: np.ndarray) -> np.ndarray:
        """Palette indices of an (..., 3) uint8 array of colours."""
        a = np.asarray(pixels, dtype=np.uint32)
        packed = (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]
        uniq, inverse = np.unique(packed.ravel(), return_inverse=True)
        pos = np.minimum(np.searchsorted(self.keys, uniq), max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == uniq) if len(self.keys) else np.zeros(len(uniq), bool)
        index = np.empty(len(uniq), dtype=np.uint8)
        index[found] = self.values[pos[found]]
        if not found.all():
            new = uniq[~found]
            index[~found] = values = self._nearest(new)
            keys = np.concatenate([self.keys, new])
            order = np.argsort(keys, kind="stable")
            self.keys, self.values = keys[order], np.concatenate([self.values, values])[order]
        return index[inverse].reshape(packed.shape)

    def image(self, indices: np.ndarray) -> Image.Image:
        """A palette image of an index array."""
        result = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8))
        result.putpalette(self.palette)
        return result


def _fast_gif_frames(fig: go.Figure, moving: list[int], states: list[dict[int, dict]],
                     width: int, height: int) -> Iterator[Image.Image]:
    """GIF frames (one palette) drawn with Pillow onto one rendered background."""
    for frame in states:
        for state in frame.values():
            if (state.get("type") or "scatter") not in _FAST_TRACE_TYPES:
                raise _NeedsFullRender("a moving trace is not a scatter trace")
            _xy(state)  # numeric coordinates, or _NeedsFullRender now rather than mid-GIF
    style = _Style(fig)
    background = _static_dict(fig)
    pairs = sorted({(_axis_key(st.get("xaxis"), "x"), _axis_key(st.get("yaxis"), "y"))
                    for frame in states for st in frame.values()})
    axis_keys = sorted({(xk, "x") for xk, _ in pairs} | {(yk, "y") for _, yk in pairs})
    ranges = _fix_ranges(fig, background["layout"], axis_keys, states)
    for i in moving:
        trace = background["data"][i]
        for key in ("text", "hovertext", "customdata", "x0", "y0", "dx", "dy"):
            trace.pop(key, None)
        # one missing point, not no points: plotly hides empty traces from the legend;
        # keep the legend symbol of the default mode, which depends on the point count
        if trace.get("type", "scatter") in _FAST_TRACE_TYPES and not trace.get("mode"):
            trace["mode"] = "lines+markers" if len(_xy(fig.data[i].to_plotly_json())[0]) < 20 \
                else "lines"
        trace["x"], trace["y"] = [None], [None]
    calib, probes = _calibration_dict(background, pairs, ranges)
    s = _SUPERSAMPLE
    geometry = _measure(_render(calib, "png", width, height, s, what="GIF"), probes, ranges)
    big = _render_png(background, width, height, s)
    if big.size != (width * s, height * s):
        raise _NeedsFullRender("unexpected background size")
    small = big.reduce(s)

    groups: dict[tuple, list[int]] = {}
    for i in moving:
        st = states[0][i]
        pair = (_axis_key(st.get("xaxis"), "x"), _axis_key(st.get("yaxis"), "y"))
        groups.setdefault(geometry[pair][2], []).append(i)

    def compose(frame: dict[int, dict]) -> list[tuple[tuple[int, int], Image.Image]]:
        """Per plot area: (top-left in output pixels, RGB patch with the moving traces)."""
        patches = []
        for box, indices in groups.items():
            sub = big.crop(box)
            draw = ImageDraw.Draw(sub, "RGBA")
            for i in indices:
                st = frame[i]
                pair = (_axis_key(st.get("xaxis"), "x"), _axis_key(st.get("yaxis"), "y"))
                xmap, ymap, _ = geometry.get(pair, geometry[next(iter(geometry))])
                _draw_scatter(draw, st, style.default_color(i), style, xmap, ymap,
                              (box[0], box[1]), sub.size)
            patches.append(((box[0] // s, box[1] // s), sub.reduce(s)))
        return patches

    # one palette for all frames (no flicker): background, the last frame, the trace colours
    last = small.copy()
    for corner, patch in compose(states[-1]):
        last.paste(patch, corner)
    sample = Image.new("RGB", (small.width * 2, small.height))
    sample.paste(small, (0, 0))
    sample.paste(last, (small.width, 0))
    exact = []
    for i in moving:
        for st in (states[0][i], states[-1][i]):
            for c in ((st.get("line") or {}).get("color"), (st.get("marker") or {}).get("color")):
                if isinstance(c, str) and (p := _parse_color(c)) is not None and p[3] == 1:
                    exact.append(p[:3])
        if (p := _parse_color(style.default_color(i))) is not None:
            exact.append(p[:3])
    indexer = _Indexer(_palette(sample, exact))
    background_index = indexer.indices(np.asarray(small))
    background_patches = {box: small.crop(tuple(v // s for v in box)) for box in groups}

    def frames() -> Iterator[Image.Image]:
        # only the pixels the drawing changed need a palette look-up
        for frame in states:
            index = background_index.copy()
            for box, ((left, top), patch) in zip(groups, compose(frame)):
                r, g, b = ImageChops.difference(patch, background_patches[box]).split()
                changed = np.asarray(ImageChops.lighter(ImageChops.lighter(r, g), b)) != 0
                if changed.any():
                    region = index[top:top + patch.height, left:left + patch.width]
                    region[changed] = indexer.indices(np.asarray(patch)[changed])
            yield indexer.image(index)

    return frames()


def _full_render_frames(fig: go.Figure, moving: list[int], states: list[dict[int, dict]],
                        width: int, height: int) -> Iterator[Image.Image]:
    """Slow but faithful: render every frame through kaleido (~0.5 s a frame)."""
    base = _static_dict(fig)
    for frame in states:
        d = copy.copy(base)
        d["data"] = list(base["data"])
        for i in moving:
            d["data"][i] = frame[i]
        yield _render_png(d, width, height, 1)


def animation_to_gif(
    fig: go.Figure,
    *,
    fps: float = 10,
    width: int = 800,
    height: int = 600,
    progress: Callable[[int, int], object] | None = None,
) -> bytes:
    """An animated GIF of a Plotly animation, one GIF frame per figure frame.

    The static part of the figure is rendered once through kaleido; the moving scatter
    traces of every frame (those named by ``frame.traces``) are drawn with Pillow, with
    their lines, markers, colours, widths, dashes and opacity.  Axes of moving traces get
    an explicit range (the given one, else the extent of the data over all frames).  When
    that is impossible (a moving trace that is not a scatter, date or category axes) every
    frame is rendered through kaleido instead, which is correct but ~0.5 s a frame.

    Not drawn: text labels of moving traces, fills, frame layout changes (e.g. a title
    that counts steps), moving traces always drawn above the static ones.  Consecutive
    identical frames are merged by the GIF encoder (their durations add up).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure with ``frames``.
    fps : float
        Frames per second.  GIF delays are in 1/100 s and viewers slow delays under 20 ms
        down to 100 ms, so above 50 fps the GIF plays at 50 fps.
    width, height : int
        GIF size in pixels.
    progress : callable, optional
        ``progress(i, n)`` after frame i of n (1-based) is done.

    Returns
    -------
    bytes
        The GIF (loops forever).

    Raises
    ------
    ValueError
        The figure has no frames, or a bad parameter.
    ExportUnavailable
        No Chrome/Chromium can be found, or kaleido failed.
    """
    fig = _as_figure(fig)
    if not fig.frames:
        raise ValueError("the figure has no frames: there is no animation to export")
    _check_size("fps", fps, 0.01, 1000)
    _check_size("width", width, 16, 4096)
    _check_size("height", height, 16, 4096)
    width, height = int(width), int(height)
    moving, states = _frame_states(fig)
    n = len(states)
    try:
        frames = _fast_gif_frames(fig, moving, states, width, height)
    except _NeedsFullRender:
        frames = _full_render_frames(fig, moving, states, width, height)

    def reported(images: Iterator[Image.Image]) -> Iterator[Image.Image]:
        for i, image in enumerate(images, start=1):
            yield image
            if progress is not None:
                progress(i, n)

    stream = reported(frames)
    first = next(stream)
    buffer = io.BytesIO()
    first.save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=stream,
        duration=max(20, int(round(1000 / fps))),
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()


# =========================================================================== trajectories

_CSV_FORMAT = "saddle-lab-trajectories/1"
_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _plain(obj: Any) -> Any:
    """JSON-ready Python: numpy to lists/floats, enums to names, non-finite floats to None."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_plain(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.name.lower()
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, complex):
        return [_plain(obj.real), _plain(obj.imag)]
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _dumps(obj: Any) -> str:
    return json.dumps(_plain(obj), allow_nan=False, ensure_ascii=False)


def _key(name: str) -> str:
    name = str(name)
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _num(v: float) -> str:
    v = float(v)
    return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0
                                                                        else "-inf"))


def trajectories_to_csv(
    trajectories: Sequence[Trajectory],
    extra_params: Mapping[str, Any] | None = None,
) -> str:
    """Trajectories in long format (one row per run and step), parameters in a header.

    The header is ``#``-comment lines ``# key: json-value`` carrying every parameter: the
    scene (`extra_params`, e.g. the start point) as ``scene.<key>``, the landscape and its
    parameters, and per run ``run.<i>.method``, ``.hyper``, ``.stop``, ``.steps``.  Read it
    back with :func:`csv_parameters`; spreadsheet and pandas users skip it with
    ``comment="#"``.  Columns: ``run, method, step, x0 … x{n-1}, value, grad_norm,
    eig_min, eig_max, stop``; ``run`` tells apart two runs of the same method.  Numbers are
    written exactly (shortest round-trip form; ``nan``, ``inf`` when non-finite).  Lines
    end with CRLF (RFC 4180).

    Parameters
    ----------
    trajectories : sequence of optimizers.trajectory.Trajectory
    extra_params : mapping, optional
        Scene parameters to record (start point, step count, ...).

    Returns
    -------
    str
    """
    runs = list(trajectories)
    dim = max((np.asarray(t.xs).reshape(len(t.xs), -1).shape[1] for t in runs), default=0)
    lines = ["# Saddle Lab trajectories: one row per run and step; parameters below as "
             "'key: JSON value'",
             f"# format: {_dumps(_CSV_FORMAT)}"]
    for key, value in (extra_params or {}).items():
        lines.append(f"# scene.{_key(key)}: {_dumps(value)}")
    shared = bool(runs) and all(
        t.landscape == runs[0].landscape
        and _plain(t.landscape_params) == _plain(runs[0].landscape_params) for t in runs)
    if shared:
        lines.append(f"# landscape: {_dumps(runs[0].landscape)}")
        lines.append(f"# landscape_params: {_dumps(runs[0].landscape_params)}")
    for i, t in enumerate(runs):
        lines.append(f"# run.{i}.method: {_dumps(t.method)}")
        if not shared:
            lines.append(f"# run.{i}.landscape: {_dumps(t.landscape)}")
            lines.append(f"# run.{i}.landscape_params: {_dumps(t.landscape_params)}")
        lines.append(f"# run.{i}.hyper: {_dumps(t.hyper)}")
        lines.append(f"# run.{i}.stop: {_dumps(t.stop)}")
        lines.append(f"# run.{i}.steps: {_dumps(t.steps)}")
    out = io.StringIO()
    out.write("".join(line + "\r\n" for line in lines))
    # CRLF as RFC 4180 says; it also makes the writer quote a field holding a lone "\r"
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["run", "method", "step", *(f"x{j}" for j in range(dim)),
                     "value", "grad_norm", "eig_min", "eig_max", "stop"])
    for i, t in enumerate(runs):
        xs = np.asarray(t.xs, dtype=float).reshape(len(t.xs), -1)
        values = np.asarray(t.values, dtype=float).ravel()
        grads = np.asarray(t.grad_norms, dtype=float).ravel()
        eig = np.asarray(t.eigenvalues, dtype=float)
        eig = eig.reshape(len(eig), -1) if eig.size else np.full((len(xs), 0), np.nan)
        stop = _plain(t.stop)
        for k in range(len(xs)):
            row = xs[k].tolist() + [math.nan] * (dim - xs.shape[1])
            e_min = eig[k, 0] if k < len(eig) and eig.shape[1] else math.nan
            e_max = eig[k, -1] if k < len(eig) and eig.shape[1] else math.nan
            writer.writerow([i, t.method, k, *map(_num, row),
                             _num(values[k] if k < len(values) else math.nan),
                             _num(grads[k] if k < len(grads) else math.nan),
                             _num(e_min), _num(e_max), stop])
    return out.getvalue()


def _parse_key_path(text: str) -> tuple[list[str], str] | None:
    """'run.0.hyper: {...}' -> (['run', '0', 'hyper'], '{...}'); None if not a key line."""
    path, pos, decoder = [], 0, json.JSONDecoder()
    while True:
        if text.startswith('"', pos):
            try:
                part, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                return None
        else:
            m = re.compile(r"[A-Za-z0-9_]+").match(text, pos)
            if not m:
                return None
            part, pos = m.group(0), m.end()
        path.append(str(part))
        if text.startswith(": ", pos) or text.startswith(":", pos) and pos + 1 == len(text):
            return path, text[pos + 1:].strip()
        if not text.startswith(".", pos):
            return None
        pos += 1


def csv_parameters(text: str) -> dict:
    """Read back the parameter header written by :func:`trajectories_to_csv`.

    Parameters
    ----------
    text : str
        The CSV text (only its leading ``#`` lines are read).

    Returns
    -------
    dict
        ``{"format": ..., "scene": {...}, "landscape": ..., "landscape_params": {...},
        "runs": [{"method", "hyper", "stop", "steps", ...}, ...]}`` with the values as
        JSON gives them back (lists for arrays, stop reasons as lower-case names).
    """
    params: dict[str, Any] = {"scene": {}, "runs": []}
    runs: dict[int, dict] = {}
    for line in text.split("\n"):  # not splitlines(): JSON keeps e.g. U+2028 unescaped
        line = line.rstrip("\r")
        if not line.startswith("#"):
            break
        parsed = _parse_key_path(line[1:].strip())
        if parsed is None:
            continue
        path, raw = parsed
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if path[0] == "scene" and len(path) == 2:
            params["scene"][path[1]] = value
        elif path[0] == "run" and len(path) == 3 and path[1].isdigit():
            runs.setdefault(int(path[1]), {})[path[2]] = value
        elif len(path) == 1:
            params[path[0]] = value
    params["runs"] = [runs[i] for i in sorted(runs)]
    if "landscape" in params:
        for run in params["runs"]:
            run.setdefault("landscape", params["landscape"])
            run.setdefault("landscape_params", params.get("landscape_params", {}))
    return params


def trajectories_to_json(
    trajectories: Sequence[Trajectory],
    extra_params: Mapping[str, Any] | None = None,
) -> str:
    """``{"scene": extra_params, "trajectories": [t.to_dict(), ...]}`` as strict JSON.

    Non-finite numbers (a diverged run) become ``null`` so that any JSON parser, a
    browser's included, reads the file; ``np.asarray(d["xs"], dtype=float)`` turns them
    back into NaN.

    Parameters
    ----------
    trajectories : sequence of optimizers.trajectory.Trajectory
    extra_params : mapping, optional
        Scene parameters to record (start point, step count, ...).

    Returns
    -------
    str
    """
    return _dumps({"scene": dict(extra_params or {}),
                   "trajectories": [t.to_dict() for t in trajectories]})


# =========================================================================== command line


def main(argv: Sequence[str] | None = None) -> int:
    """``saddle-lab-export FIGURE.json OUT.{png,svg,pdf,html,gif}``: convert a saved figure.

    ``saddle-lab-export --check`` reports whether static export can work here.

    Returns
    -------
    int
        0 on success, 1 when export is unavailable, 2 on bad input.
    """
    parser = argparse.ArgumentParser(
        prog="saddle-lab-export",
        description="Export a Plotly figure saved as JSON (fig.write_json) to PNG, SVG, PDF, "
                    "HTML or an animated GIF.")
    parser.add_argument("figure", nargs="?", help="figure JSON file")
    parser.add_argument("output", nargs="?", help="output file; its suffix picks the format")
    parser.add_argument("--width", type=int, default=None)
    parser.add_argument("--height", type=int, default=None)
    parser.add_argument("--scale", type=float, default=2.0, help="PNG pixel density")
    parser.add_argument("--fps", type=float, default=10.0, help="GIF frames per second")
    parser.add_argument("--check", action="store_true",
                        help="check that a browser is available and starts")
    args = parser.parse_args(argv)
    try:
        if args.check:
            browser = find_browser()
            if browser is None:
                raise ExportUnavailable(_no_browser_message("Image"))
            warm_up()
            print(f"static export works (browser: {browser})")
            return 0
        if not args.figure or not args.output:
            parser.error("FIGURE and OUTPUT are required (or use --check)")
        import plotly.io as pio

        fig = pio.from_json(Path(args.figure).read_text(encoding="utf-8"))
        out = Path(args.output)
        fmt = out.suffix.lower().lstrip(".")
        if fmt == "html":
            data = figure_to_html(fig)
        elif fmt == "gif":
            data = animation_to_gif(fig, fps=args.fps, width=args.width or 800,
                                    height=args.height or 600)
        else:
            data = figure_to_image(fig, fmt, width=args.width or 1200,
                                   height=args.height or 800, scale=args.scale)
        out.write_bytes(data)
        print(f"wrote {out} ({len(data)} bytes)")
        return 0
    except ExportUnavailable as exc:
        print(f"saddle-lab-export: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, TypeError) as exc:
        print(f"saddle-lab-export: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
