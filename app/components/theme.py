"""Figure styling shared by every page, including the app-wide presenter mode.

Every page passes its Plotly figures through ``style(fig)`` right before drawing them, and
draws them with ``show(fig, key=...)``.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import plotly.graph_objects as go
import streamlit as st

from .common import OKABE_ITO

PRESENTER_KEY = "presenter_mode"


def presenter() -> bool:
    """True when the app-wide presenter toggle is on."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


# Text and grid colours for figures drawn without Streamlit's Plotly theme: the light and
# dark themes' own, and a grey that reads on both while the browser has not said which.
_INK = {
    "light": ("#31333F", "rgba(49, 51, 63, 0.14)"),
    "dark": ("#FAFAFA", "rgba(250, 250, 250, 0.16)"),
    None: ("#808495", "rgba(128, 132, 149, 0.25)"),
}
# Figures with more animation frames than this skip Streamlit's Plotly theme (see ``show``).
MANY_FRAMES = 20


def theme_type() -> str | None:
    """"light" or "dark" as the browser reports it, or None before it has."""
    theme = getattr(st.context, "theme", None)
    kind = getattr(theme, "type", None)
    return kind if kind in ("light", "dark") else None


def _many_frames(fig) -> bool:
    frames = getattr(fig, "raw_frames", None) or fig.frames
    return len(frames) > MANY_FRAMES


class _Look(NamedTuple):
    layout: dict      # patch of the layout
    axis: dict        # patch of every 2D axis
    scene: dict       # patch of every 3D scene
    annotation: int   # annotation font size
    big: bool         # presenter mode: thicker lines, larger markers


_3D_TYPES = ("scatter3d", "surface")
_THICK_TYPES = ("scatter", "scattergl", "scatter3d")


def _rules(streamlit_theme: bool) -> _Look:
    """The app's look: Okabe-Ito colourway, transparent background, and in presenter mode
    larger fonts.  Without Streamlit's theme the text and grid colours of the current light or
    dark theme are set."""
    big = presenter()
    # Streamlit's Plotly theme overrides layout.font.size; explicit per-element sizes survive.
    tick, title = (18, 22) if big else (12, 14)
    layout = dict(colorway=OKABE_ITO, font=dict(size=20 if big else 13),
                  paper_bgcolor="rgba(0,0,0,0)", margin=dict(l=50, r=20, t=50, b=50),
                  legend=dict(font=dict(size=18 if big else 12)),
                  title=dict(font=dict(size=title + 2)))
    # ticklabeloverflow: Plotly's default for numeric axes ('hide past div') measures every
    # tick label again after each label it places (quadratic in the labels, ~10 ms a
    # figure redraw); the margins keep the labels inside the figure anyway.
    axis = dict(tickfont=dict(size=tick), title=dict(font=dict(size=title)),
                ticklabeloverflow="allow")
    if not streamlit_theme:
        ink, grid = _INK[theme_type()]
        layout["font"]["color"] = ink
        layout["plot_bgcolor"] = "rgba(0,0,0,0)"
        axis.update(gridcolor=grid, zerolinecolor=grid, linecolor=grid)
    sized = {"tickfont": axis["tickfont"], "title": axis["title"]}
    return _Look(layout, axis, {"xaxis": sized, "yaxis": sized, "zaxis": sized}, title, big)


def _thicker(trace) -> dict:
    """Presenter mode: the line width and marker size a scatter trace gets."""
    line, marker = trace.get("line") or {}, trace.get("marker") or {}
    out = {"line": {"width": max((line.get("width") or 2) * 2, 4)}}
    size = marker.get("size")
    if size is not None and not isinstance(size, (list, tuple)):
        out["marker"] = {"size": size * 1.6}
    return out


def style(fig: go.Figure, *, streamlit_theme: bool = True) -> go.Figure:
    """Apply the app's look (see ``_rules``) to a figure, in place."""
    look = _rules(streamlit_theme)
    fig.update_layout(look.layout)
    fig.update_xaxes(look.axis)
    fig.update_yaxes(look.axis)
    fig.update_annotations(font_size=look.annotation)
    if any(getattr(trace, "type", "") in _3D_TYPES for trace in fig.data):
        fig.update_scenes(look.scene)
    if look.big:
        for trace in fig.data:
            if getattr(trace, "type", "") in _THICK_TYPES:
                trace.update(_thicker(trace.to_plotly_json()))
    return fig


def _merge(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def style_spec(spec: dict, *, streamlit_theme: bool = False) -> dict:
    """``style`` for a figure as JSON-ready dicts (``fig.to_dict()``), in place: no Plotly
    validation, so it costs microseconds where ``style`` costs tens of milliseconds."""
    look = _rules(streamlit_theme)
    layout = spec.setdefault("layout", {})
    if isinstance(layout.get("title"), str):
        layout["title"] = {"text": layout["title"]}
    _merge(layout, look.layout)
    traces = spec.get("data", [])
    axis_names = {"xaxis", "yaxis"} | {k for k in layout if k[1:5] == "axis" and k[0] in "xy"}
    for trace in traces:
        for ref, prefix in (("xaxis", "x"), ("yaxis", "y")):
            name = trace.get(ref)
            if name:
                axis_names.add(prefix + "axis" + name[1:])
    for name in axis_names:
        ax = layout.setdefault(name, {})
        if isinstance(ax.get("title"), str):
            ax["title"] = {"text": ax["title"]}
        _merge(ax, look.axis)
    for note in layout.get("annotations", []):
        _merge(note, {"font": {"size": look.annotation}})
    scenes = {k for k in layout if k.startswith("scene")}
    scenes |= {trace.get("scene", "scene") for trace in traces if trace.get("type") in _3D_TYPES}
    for name in scenes:
        _merge(layout.setdefault(name, {}), look.scene)
    if look.big:
        for trace in traces:
            if trace.get("type", "scatter") in _THICK_TYPES:
                _merge(trace, _thicker(trace))
    return spec


def show(fig: go.Figure, key: str, **kwargs):
    """Style and draw a figure (``st.plotly_chart`` with a stable key).

    A figure with many animation frames is drawn without Streamlit's Plotly theme, which walks
    the whole figure in the browser: with the explorer's 300 frames that cost about half a
    second of every redraw, back when the explorer drew through ``st.plotly_chart`` (median
    1.43 s with it, 0.93 s without).  Figures redrawn on every change of a control are better
    drawn by ``live_plot.show_live``, which updates them in place.
    """
    streamlit_theme = not _many_frames(fig)
    return st.plotly_chart(style(fig, streamlit_theme=streamlit_theme), key=key, width="stretch",
                           theme="streamlit" if streamlit_theme else None, **kwargs)
