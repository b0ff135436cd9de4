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
