"""Figure styling shared by every page, including the app-wide presenter mode.

Every page passes its Plotly figures through ``style(fig)`` right before drawing them, and
draws them with ``show(fig, key=...)``.
"""

from __future__ import annotations

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


def style(fig: go.Figure, *, streamlit_theme: bool = True) -> go.Figure:
    """Apply the app's look: Okabe-Ito colourway, transparent background, and in presenter
    mode larger fonts and thicker lines.  Without Streamlit's theme the text and grid colours
    of the current light or dark theme are set here."""
    big = presenter()
    fig.update_layout(
        colorway=OKABE_ITO,
        font=dict(size=20 if big else 13),
        paper_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=50, r=20, t=50, b=50),
        legend=dict(font=dict(size=18 if big else 12)),
    )
    axis = {}
    if not streamlit_theme:
        ink, grid = _INK[theme_type()]
        fig.update_layout(font_color=ink, plot_bgcolor="rgba(0,0,0,0)")
        axis = dict(gridcolor=grid, zerolinecolor=grid, linecolor=grid)
    # Streamlit's Plotly theme overrides layout.font.size; explicit per-element sizes survive.
    tick, title = (18, 22) if big else (12, 14)
    fig.update_layout(title_font_size=title + 2)
    axis.update(tickfont_size=tick, title_font_size=title)
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_annotations(font_size=title)
    fig.update_scenes(
        xaxis=dict(tickfont_size=tick, title_font_size=title),
        yaxis=dict(tickfont_size=tick, title_font_size=title),
        zaxis=dict(tickfont_size=tick, title_font_size=title),
    )
    if big:
        for trace in fig.data:
            if getattr(trace, "type", "") in ("scatter", "scattergl", "scatter3d"):
                line = getattr(trace, "line", None)
                if line is not None:
                    trace.line.width = max((line.width or 2) * 2, 4)
                marker = getattr(trace, "marker", None)
                if marker is not None and marker.size is not None and not isinstance(marker.size, (list, tuple)):
                    trace.marker.size = marker.size * 1.6
    return fig


def show(fig: go.Figure, key: str, **kwargs):
    """Style and draw a figure (``st.plotly_chart`` with a stable key).

    A figure with many animation frames is drawn without Streamlit's Plotly theme, which walks
    the whole figure in the browser: for the explorer's 300 frames that cost about half a
    second of every redraw (benchmarks/bench_explorer.py: median 1.43 s with it, 0.93 s
    without).
    """
    streamlit_theme = not _many_frames(fig)
    return st.plotly_chart(style(fig, streamlit_theme=streamlit_theme), key=key, width="stretch",
                           theme="streamlit" if streamlit_theme else None, **kwargs)
