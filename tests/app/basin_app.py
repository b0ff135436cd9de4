"""A tiny page for the basin section's tests: a landscape select, a start, two methods."""

from pathlib import Path
import sys
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.components.basin import render_basin_section  # noqa: E402
from app.components.common import get_landscape  # noqa: E402

name = st.selectbox("Landscape", ["quadratic", "himmelblau", "quadratic 3-D"], key="landscape")
plane = {}
if name == "quadratic 3-D":
    L = get_landscape("quadratic", eigenvalues=[3.0, 1.0, -2.0], seed=3)
    V = L.extras["eigenvectors"]
    plane = dict(origin=[0.0, 0.0, 0.0], d1=V[:, 0], d2=V[:, 2])  # lambda = 3 and -2
else:
    L = get_landscape(name)
x = st.number_input("start x", value=0.5, key="start_x")
y = st.number_input("start y", value=0.1, key="start_y")
lr = st.number_input("GD learning rate", value=0.01, format="%.3f", key="lr")
scene = SimpleNamespace(
    methods=["gd", "newton"],
    hyper={"gd": {"lr": lr}, "newton": {}},
    steps=200,
    start=(x, y),
    **plane,
)
picked = render_basin_section(L, scene, start_keys=("start_x", "start_y"),
                              heading="Basin and escape-time map")
if picked is not None:
    st.write(f"picked {picked[0]!r}, {picked[1]!r}")
