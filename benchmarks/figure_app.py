"""A one-figure Streamlit app for benchmarks/bench_explorer.py: the explorer's main figure
(5 methods x 300 steps) under a lambda_2 slider, drawn either by the app's live plot
(``?draw=live``) or by ``st.plotly_chart`` (``?draw=plotly_chart``, the baseline)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.components import figures, live_plot  # noqa: E402
from app.components import scene as sc  # noqa: E402
from app.components.theme import style  # noqa: E402

METHODS = ("gd", "sgd", "newton", "damped_newton", "saddle_free")

# Streamlit serves the static folder next to the main script: this one's, here.
live_plot.ensure_bundle(Path(__file__).resolve().parent / "static")

l2 = st.slider("lambda_2", -5.0, 5.0, -1.0, step=0.1, key="l2")
scene = sc.Scene.make("quadratic", {"l1": 2.0, "l2": l2, "ang": 0.0}, methods=METHODS,
                      steps=300)
L = scene.build_landscape()
plane = sc.plane_for(L)
trajectories = sc.compute(scene, L)
grid = figures.landscape_grid(L, plane)
ref = sc.reference_point(L, plane.lift(scene.start))
fig = figures.explorer_figure(scene, L, plane, trajectories, grid, ref)
if st.query_params.get("draw") == "plotly_chart":
    st.plotly_chart(style(fig, streamlit_theme=False), key="figure", theme=None,
                    on_select="rerun", selection_mode="points")
else:
    live_plot.show_live(fig, "figure", on_click=lambda x, y: None)
