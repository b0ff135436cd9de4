"""AppTest of the Saddle explorer page: it loads, its sliders change the figure and the
update-rule panel, its state round-trips through the query parameters, and bad links
fall back to defaults with warnings."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import live_figures, plotly_array

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "explorer.py")


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _spec(at: AppTest, key: str = "explorer_figure") -> dict:
    return live_figures(at)[key]


def _critical_point_names(spec: dict) -> set[str]:
    return {d["name"] for d in spec["data"] if d.get("legendgroup") == "critical points"}


def _gd_factors(at: AppTest) -> list[float]:
    """The numbers after "1 - alpha lambda_i =" in the panel's LaTeX for gradient descent."""
    for md in at.markdown:
        m = re.search(r"1 - \\alpha\\lambda_i = \(([^)]*)\)", md.value)
        if m:
            return [float(v) for v in m.group(1).split(",")]
    raise AssertionError("no gradient-descent factors in the panel")


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return _app()


def test_page_loads_without_exception(default_app):
    at = default_app
    assert not at.exception
    assert len(at.warning) == 0
    assert at.title[0].value == "Saddle explorer"
    spec = _spec(at)
    assert spec["data"][0]["type"] == "contour"
    names = [d["name"] for d in spec["data"]]
    for label in ("Gradient descent", "Newton", "Damped Newton", "Saddle-free Newton"):
        assert label in names and f"{label} path" in names
    assert dict(at.query_params) == {"l": "quadratic", "x0": "1,0.04", "m": "gd,nt,dn,sf",
                                     "n": "100"}


def test_figure_has_one_frame_per_step(default_app):
    at = default_app
    assert len(_spec(at)["frames"]) == 101  # steps t = 0 .. 100
    at.slider(key="explorer_steps").set_value(37).run()
    spec = _spec(at)
    assert len(spec["frames"]) == 38
    assert len(spec["layout"]["sliders"][0]["steps"]) == 38
    at.slider(key="explorer_steps").set_value(100).run()


def test_lambda_2_through_zero_turns_the_saddle_into_a_minimum(default_app):
    at = default_app
    assert _critical_point_names(_spec(at)) == {"saddle"}
    # GD with alpha = 0.1 on lambda = (-1, 2): factors 1 - alpha lambda = (1.1, 0.8)
    np.testing.assert_allclose(_gd_factors(at), [1.1, 0.8])
    assert any("negative curvature: pushed away, ×1.1 per step" in md.value for md in at.markdown)

    at.slider(key="explorer_p_quadratic_l2").set_value(1.0).run()
    assert not at.exception
    assert _critical_point_names(_spec(at)) == {"minimum"}
    np.testing.assert_allclose(_gd_factors(at), [0.9, 0.8])  # lambda = (1, 2)
    assert not any("negative curvature" in md.value for md in at.markdown)
    assert at.query_params["p.l2"] == "1"

    at.slider(key="explorer_p_quadratic_l2").set_value(0.0).run()
    assert _critical_point_names(_spec(at)) == {"degenerate minimum"}
    at.slider(key="explorer_p_quadratic_l2").set_value(-1.0).run()
    assert _critical_point_names(_spec(at)) == {"saddle"}


def test_query_params_round_trip():
    at = _app()
    at.slider(key="explorer_p_quadratic_l1").set_value(3.5).run()
    at.slider(key="explorer_p_quadratic_ang").set_value(30.0).run()
    at.multiselect(key="explorer_methods").set_value(["gd", "saddle_free"]).run()
    at.number_input(key="explorer_h_gd_lr").set_value(0.05).run()
    at.number_input(key="explorer_x0_s").set_value(0.7).run()
    at.toggle(key="explorer_view3d").set_value(True).run()
    assert not at.exception
    query = dict(at.query_params)
    assert query == {"l": "quadratic", "p.l1": "3.5", "p.ang": "30", "x0": "0.7,0.04",
                     "m": "gd,sf", "gd.lr": "0.05", "n": "100", "v": "3d"}
    again = _app(query)
    assert not again.exception and len(again.warning) == 0
    assert again.slider(key="explorer_p_quadratic_l1").value == 3.5
    assert again.slider(key="explorer_p_quadratic_ang").value == 30.0
    assert again.multiselect(key="explorer_methods").value == ["gd", "saddle_free"]
    assert again.number_input(key="explorer_h_gd_lr").value == 0.05
    assert again.number_input(key="explorer_x0_s").value == 0.7
    assert again.toggle(key="explorer_view3d").value is True
    assert dict(again.query_params) == query
    # the same scene draws the same paths
    a, b = _spec(at), _spec(again)
    assert a["data"] == b["data"] and a["frames"] == b["frames"]


def test_malformed_query_params_warn_and_fall_back():
    at = _app({"l": "quadratic", "p.l2": "abc", "x0": "nan,1", "m": "gd,zzz", "gd.lr": "-3",
               "n": "1e9", "fps": "fast", "hack": "<script>"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for key in ("p.l2", "x0", "m", "gd.lr", "n", "fps", "hack"):
        assert f"Link parameter {key}" in warnings, key
    assert at.slider(key="explorer_p_quadratic_l2").value == -1.0
    assert at.slider(key="explorer_steps").value == 100
    assert at.number_input(key="explorer_h_gd_lr").value == 0.1
    assert at.multiselect(key="explorer_methods").value == ["gd"]
    assert (at.number_input(key="explorer_x0_s").value, at.number_input(key="explorer_x0_t").value) == (1.0, 0.04)
    # the link is rewritten to the scene actually shown
    assert dict(at.query_params) == {"l": "quadratic", "x0": "1,0.04", "m": "gd", "n": "100"}


def test_unknown_landscape_falls_back_to_the_default():
    at = _app({"l": "'; DROP TABLE", "x0": "1e308,1e308"})
    assert not at.exception
    assert at.selectbox(key="explorer_landscape").value == "quadratic"
    assert len(at.warning) == 2


def test_start_presets_and_the_stable_manifold():
    at = _app()
    at.button(key="explorer_preset_stable").click().run()
    # on 2x^2/2 - y^2/2 the stable manifold is the x axis: 60% of the half window
    assert at.number_input(key="explorer_x0_s").value == pytest.approx(1.2)
    assert at.number_input(key="explorer_x0_t").value == 0.0
    ends = {d["name"] for d in _spec(at)["data"] if ": " in d.get("name", "")}
    assert "Gradient descent: saddle" in " ".join(ends)  # GD converges onto the saddle
    at.button(key="explorer_preset_far").click().run()
    assert at.number_input(key="explorer_x0_t").value == pytest.approx(1.0)


def test_landscape_switch_to_an_n_d_slice_and_natural_gradient():
    at = _app()
    at.selectbox(key="explorer_landscape").set_value("linear_net").run()
    assert not at.exception
    assert at.selectbox(key="explorer_origin").value == "auto"
    spec = _spec(at)
    assert any(c.value.startswith("A 2D slice of 32 dimensions through listed critical point 0")
               for c in at.caption)
    assert len(spec["frames"]) == 101
    at.selectbox(key="explorer_landscape").set_value("two_param_net").run()
    options = at.multiselect(key="explorer_methods").options
    assert "Natural gradient" in options
    at.multiselect(key="explorer_methods").set_value(["gd", "natural_gradient"]).run()
    assert not at.exception
    assert at.query_params["m"] == "gd,ng"
    at.selectbox(key="explorer_landscape").set_value("quadratic").run()
    assert at.multiselect(key="explorer_methods").value == ["gd"]  # no metric: dropped


def test_bad_list_parameter_in_a_widget_warns():
    at = _app({"l": "linear_autoencoder", "p.ev": "5,4,3"})
    assert not at.exception
    at.text_input(key="explorer_p_linear_autoencoder_ev").set_value("5, x, 3").run()
    assert not at.exception
    assert any("ev" in w.value for w in at.warning)


def test_basins_section_is_drawn_on_request():
    at = _app({"m": "gd,nt", "n": "20"})
    assert not any(s.value == "Basins of attraction" for s in at.subheader)
    at.toggle(key="explorer_basins").set_value(True).run(timeout=300)
    assert not at.exception
    assert any(s.value == "Basins of attraction" for s in at.subheader)
    assert at.query_params["b"] == "1"


@pytest.mark.parametrize("query", [
    {},
    {"l": "gaussian_field", "n": "40", "o": "c1", "d": "a:0,2"},
    {"l": "two_param_net", "m": "gd,ng", "n": "25"},
    {"l": "quadratic", "x0": "9,-9", "v": "3d", "m": "dn,ksf", "dn.m": "auto"},
])
def test_sidebar_drawn_after_the_figure_shows_the_figures_scene(query):
    """The page computes its scene from the session state, draws the figure, then draws the
    sidebar (explorer._Widgets): the widgets must show exactly what the figure was made of."""
    at = _app(query)
    assert not at.exception
    spec = _spec(at)
    shown = {"l": at.selectbox(key="explorer_landscape").value,
             "n": at.slider(key="explorer_steps").value,
             "s": at.number_input(key="explorer_x0_s").value,
             "t": at.number_input(key="explorer_x0_t").value}
    assert len(spec["frames"]) == shown["n"] + 1
    start = next(d for d in spec["data"] if str(d.get("name", "")).startswith("start"))
    xy = [float(plotly_array(start["x"])[0]), float(plotly_array(start["y"])[0])]
    assert xy == pytest.approx([shown["s"], shown["t"]])
    assert at.query_params["l"] == shown["l"]
    ends = [d for d in spec["data"] if " step" in str(d.get("name", "")) and ": " in d["name"]]
    assert len(ends) == len(at.multiselect(key="explorer_methods").value)


def test_main_figure_is_sent_before_the_rest_of_the_scene(monkeypatch):
    """The browser draws a run's elements when its messages pause or stop, so the scene
    sends its figure first, before the formula, the widgets, the panel and the side plots
    (bench_explorer.py measures the time to the drawn figure)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    sent = []
    enqueue = ScriptRunContext.enqueue

    def record(self, msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            label = {"bidi_component": lambda: element.bidi_component.id.split("-", 2)[-1],
                     "slider": lambda: element.slider.label,
                     "selectbox": lambda: element.selectbox.label,
                     "markdown": lambda: element.markdown.body[:12]}.get(kind, lambda: "")()
            sent.append((kind, label))
        enqueue(self, msg)

    monkeypatch.setattr(ScriptRunContext, "enqueue", record)
    at = _app({"n": "40"})
    assert not at.exception
    first = sent.index(("bidi_component", "explorer_figure"))
    # the scene's first element: the formula and its caption follow it
    assert sent[first - 1] == ("selectbox", "Landscape")
    later = [i for i, (kind, label) in enumerate(sent)
             if kind == "slider" or label in ("explorer_eps_figure", "explorer_progress_figure")
             or label.startswith("**θ\\* =")]
    assert len(later) >= 5 and min(later) > first

