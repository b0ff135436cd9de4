"""Figure plumbing the exporters share: figure dicts, a copy without animation controls, checks."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go


def as_figure(fig: go.Figure | Mapping) -> go.Figure:
    """`fig` itself, or a figure built from a figure dict; TypeError for anything else."""
    if isinstance(fig, go.Figure):
        return fig
    if isinstance(fig, Mapping):
        return go.Figure(dict(fig))
    raise TypeError(f"expected a plotly Figure or a figure dict, got {type(fig).__name__}")


def static_dict(fig: go.Figure) -> dict:
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


def check_range(name: str, value: float, lo: float, hi: float) -> None:
    """ValueError naming `name` unless `value` is a finite number in [lo, hi] (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
