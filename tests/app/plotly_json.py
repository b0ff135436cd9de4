"""Reading Plotly figure JSON in AppTests (shared by the page tests)."""

from __future__ import annotations

import base64

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
