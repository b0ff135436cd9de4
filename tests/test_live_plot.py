"""The live-plot component's Python side: the dict styling matches Plotly's own update
machinery, the Plotly.js bundle is copied once, and click reports are validated."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from app.components import figures, live_plot, theme
from app.components import scene as sc

sys.path.insert(0, str(Path(__file__).parent / "app"))
from plotly_json import live_figures  # noqa: E402

PAGE = Path(__file__).resolve().parents[1] / "app" / "views" / "explorer.py"


def _explorer(view: str = "2d"):
    scene = sc.Scene.make("quadratic", methods=("gd", "newton"), steps=30, view=view)
    L = scene.build_landscape()
    plane = sc.plane_for(L)
    trajectories = sc.compute(scene, L)
    grid = figures.landscape_grid(L, plane, resolution=21)
    ref = sc.reference_point(L, plane.lift(scene.start))
    return lambda: figures.explorer_figure(scene, L, plane, trajectories, grid, ref)


def _subplots():
    fig = make_subplots(rows=2, cols=1, subplot_titles=("value", "gradient norm"))
    fig.add_trace(go.Scatter(y=[3, 2, 1], name="a"), row=1, col=1)
    fig.add_trace(go.Scatter(y=[1, 0.1, 0.01], mode="markers", marker=dict(size=5)), row=2, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.update_layout(title="progress", margin=dict(b=130))
    return fig


def _surface():
    z = np.outer(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    return go.Figure([go.Surface(z=z), go.Scatter3d(x=[0], y=[0], z=[0], mode="markers")])


def _plain(d: dict) -> dict:
    return json.loads(pio.to_json(d, validate=False))


@pytest.mark.parametrize("presenting", [False, True])
@pytest.mark.parametrize("make", [_explorer(), _explorer("3d"), _subplots, _surface],
                         ids=["explorer", "explorer-3d", "subplots", "surface"])
def test_style_spec_equals_plotly_styling(make, presenting, monkeypatch):
    monkeypatch.setattr(theme, "presenter", lambda: presenting)
    expected = _plain(theme.style(make(), streamlit_theme=False).to_dict())
    got = _plain(theme.style_spec(make().to_dict(), streamlit_theme=False))
    assert got["layout"] == expected["layout"]
    assert got["data"] == expected["data"]


def test_presenter_mode_thickens_lines_in_the_spec(monkeypatch):
    monkeypatch.setattr(theme, "presenter", lambda: True)
    spec = theme.style_spec(_subplots().to_dict())
    assert spec["layout"]["font"]["size"] == 20
    assert [t["line"]["width"] for t in spec["data"]] == [4, 4]
    assert spec["data"][1]["marker"]["size"] == pytest.approx(8.0)
    assert spec["layout"]["yaxis2"]["type"] == "log"  # the figure's own settings survive
    assert spec["layout"]["title"]["text"] == "progress"


def test_figure_spec_is_the_styled_figure_with_its_frames():
    fig = _explorer()()
    spec = json.loads(live_plot.figure_spec(fig))
    assert len(spec["frames"]) == 31
    assert spec["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    data = {"spec": live_plot.figure_spec(fig)}
    assert live_plot.spec_of(json.dumps(data)) == spec


def test_prepare_makes_the_spec_and_height_that_show_live_sends():
    fig = _explorer()()
    fig.update_layout(height=555)
    prepared = live_plot.prepare(fig)
    assert prepared.fig is fig
    assert json.loads(prepared.spec) == json.loads(live_plot.figure_spec(fig))
    assert prepared.height == 555
    assert live_plot.prepare(_surface()).height == 450  # Plotly's default when none is set


def test_bundle_is_copied_once_and_replaced_when_it_differs(tmp_path):
    target = live_plot.ensure_bundle(tmp_path / "static")
    source = live_plot._BUNDLE_SOURCE.read_bytes()
    assert target.name == live_plot.BUNDLE_NAME and target.read_bytes() == source
    assert live_plot.BUNDLE_URL.endswith("/app/static/" + live_plot.BUNDLE_NAME)
    mtime = target.stat().st_mtime_ns
    assert live_plot.ensure_bundle(tmp_path / "static").stat().st_mtime_ns == mtime
    target.write_bytes(b"truncated")
    assert live_plot.ensure_bundle(tmp_path / "static").read_bytes() == source
    assert [p.name for p in (tmp_path / "static").iterdir()] == [live_plot.BUNDLE_NAME]


@pytest.mark.parametrize("state, expected", [
    ({"click": {"x": 0.5, "y": -1.25}}, (0.5, -1.25)),
    ({"click": {"x": "2", "y": 3}}, (2.0, 3.0)),
    ({"click": None}, None),
    ({"click": {"x": math.nan, "y": 0}}, None),
    ({"click": {"x": "inf", "y": 0}}, None),
    ({"click": {"x": "a", "y": 0}}, None),
    ({"click": {"x": 1}}, None),
    ({}, None),
    (None, None),
    ("click", None),
])
def test_clicked_point_accepts_only_finite_pairs(state, expected):
    assert live_plot.clicked_point(state) == expected


def test_without_static_serving_the_figures_fall_back_to_plotly_chart(monkeypatch):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["n"] = "20"
    at.run()
    assert not at.exception
    assert set(live_figures(at)) == {"explorer_figure", "explorer_eps_figure",
                                     "explorer_progress_figure"}
    assert not at.get("plotly_chart")

    real = live_plot.st.get_option
    monkeypatch.setattr(live_plot.st, "get_option",
                        lambda name: False if name == "server.enableStaticServing" else real(name))
    at.run()
    assert not at.exception
    assert live_figures(at) == {}
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 3 and len(charts[0]["frames"]) == 21
    assert any("Static file serving is off" in c.value for c in at.caption)
