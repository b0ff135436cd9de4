"""Reading Plotly figure JSON in AppTests (shared by the page tests)."""

from __future__ import annotations

import base64
import json

import numpy as np


def plotly_array(data) -> np.ndarray:
    """A figure array from its JSON: a list, or Plotly's typed array {"dtype", "bdata"[, "shape"]}."""
    if isinstance(data, dict) and "bdata" in data:
        out = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        if "shape" in data:
            out = out.reshape([int(v) for v in str(data["shape"]).split(",")])
        return out
    return np.asarray(data, dtype=float)


def live_figures(at) -> dict[str, dict]:
    """The figures an AppTest run drew with app/components/live_plot.py, by widget key, in
    page order."""
    from app.components import live_plot

    out = {}
    for element in at.get("bidi_component"):
        if element.proto.component_name == live_plot.COMPONENT_NAME:
            key = element.proto.id.split("-", 2)[2]  # "$$ID-<hash>-<key>"
            out[key] = live_plot.spec_of(element.proto.json)
    return out


def chart_specs(at) -> list[dict]:
    """The figure JSON of every ``st.plotly_chart`` of an AppTest run, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_spec(at, key: str) -> dict:
    """The figure JSON of the ``st.plotly_chart`` whose element id contains ``key``."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id and key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")
