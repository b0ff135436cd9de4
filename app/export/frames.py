"""Reading a Plotly animation for the GIF: the state of every moving trace in every frame."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

FAST_TRACE_TYPES = {"scatter", "scattergl"}
"""Trace types the GIF can draw itself; any other moving trace means rendering every frame."""


class NeedsFullRender(Exception):
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


def frame_states(fig: go.Figure) -> tuple[list[int], list[dict[int, dict]]]:
    """Moving trace indices and, per frame, the full state of every moving trace.

    Raises ValueError when a frame names a trace the figure does not have.
    """
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
    """Values as a flat float array; None when absent; NeedsFullRender when not numeric."""
    if values is None:
        return None
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NeedsFullRender("non-numeric coordinates") from exc
    return arr.ravel()


def trace_xy(state: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """A scatter trace's coordinates, shape (n,) each (x0/dx and y0/dy when x or y is omitted).

    Raises NeedsFullRender when the coordinates are not numbers (dates, categories).
    """
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


def axis_key(ref: str | None, letter: str) -> str:
    """The layout key of a trace's axis: 'x' -> 'xaxis', 'x2' -> 'xaxis2', None -> 'xaxis'."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def axis_pair(state: Mapping) -> tuple[str, str]:
    """The layout keys of a trace's x and y axes, e.g. ('xaxis', 'yaxis2')."""
    return axis_key(state.get("xaxis"), "x"), axis_key(state.get("yaxis"), "y")
