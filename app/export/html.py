"""Interactive HTML: the figure as a self-contained page that works offline."""

from __future__ import annotations

import plotly.graph_objects as go

from app.export.figure import as_figure


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
    html = as_figure(fig).to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config={"displaylogo": False},
    )
    return html.encode("utf-8")
