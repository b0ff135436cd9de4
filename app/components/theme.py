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


def style(fig: go.Figure) -> go.Figure:
    """Apply the app's look: Okabe-Ito colourway, and in presenter mode larger fonts and
    thicker lines.  Works with Streamlit's light and dark themes (transparent background)."""
    big = presenter()
    fig.update_layout(
        colorway=OKABE_ITO,
        font=dict(size=20 if big else 13),
        paper_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=50, r=20, t=50, b=50),
        legend=dict(font=dict(size=18 if big else 12)),
    )
    # Streamlit's Plotly theme overrides layout.font.size; explicit per-element sizes survive.
    tick, title = (18, 22) if big else (12, 14)
    fig.update_layout(title_font_size=title + 2)
    fig.update_xaxes(tickfont_size=tick, title_font_size=title)
    fig.update_yaxes(tickfont_size=tick, title_font_size=title)
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
    """Style and draw a figure (``st.plotly_chart`` with a stable key)."""
    return st.plotly_chart(style(fig), key=key, width="stretch", **kwargs)
