"""Shared pieces of the UI: cached landscapes, one colour per method, start-up warm-up."""

from __future__ import annotations

import gc
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: 1 thread is faster

import numpy as np
import streamlit as st

import landscapes
import optimizers

from .palette import KIND_COLOURS, KIND_SYMBOLS, METHOD_COLOURS, OKABE_ITO  # noqa: F401  (re-exported)


def method_label(name: str) -> str:
    return optimizers.method_info(name).label


@st.cache_resource(max_entries=64, show_spinner=False)
def _landscape(name: str, params_json: str) -> landscapes.Landscape:
    return landscapes.get(name, **json.loads(params_json))


def get_landscape(name: str, **params) -> landscapes.Landscape:
    """Build (once per distinct parameter set, shared by all sessions) a landscape."""
    return _landscape(name, json.dumps(params, sort_keys=True, default=_plain))


def _plain(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Load (or compile, on a cold cache) the compiled kernels once per server process."""
    L = landscapes.get("quadratic")
    for method in optimizers.methods():
        if method != "natural_gradient":
            optimizers.run(L, method, [1.0, 0.1], steps=2)
    optimizers.run(landscapes.get("two_param_net"), "natural_gradient", [0.5, 0.2], steps=2)
    optimizers.run_many(L, "gd", np.zeros((2, 2)), steps=2)
    L.grid_values(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    import plotly.graph_objects  # noqa: F401  (every page builds figures)

    # Everything loaded so far lives as long as the server.  Freezing it keeps it out of the
    # garbage collector's full scans, which otherwise run every few thousand allocations
    # (building the explorer's 300 animation frames) and walk every object in the process
    # (benchmarks/bench_explorer.py times the explorer figure both ways).
    gc.collect()
    gc.freeze()
    return True
