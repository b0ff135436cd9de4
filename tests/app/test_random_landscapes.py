"""AppTest of the "Random landscapes" page: it loads, and its widgets change what it draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_specs as figures
from plotly_json import plotly_array as array

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "random_landscapes.py")
# Small settings so that each run takes about a second.
SMALL = {"rl_dim": 8, "rl_starts": 40, "rl_pos_max_n": 3, "rl_pos_samples": 10_000, "rl_goe_n": 30,
         "rl_goe_samples": 2}


def trace(fig: dict, name_start: str) -> dict:
    return next(t for t in fig["data"] if t.get("name", "").startswith(name_start))


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in SMALL.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_page_draws_points_theory_spectra_and_random_matrices(app):
    figs = figures(app)
    assert len(figs) == 4
    eps_alpha = figs[0]
    assert "N = 8" in eps_alpha["layout"]["title"]["text"]
    points = [t for t in eps_alpha["data"] if t.get("mode") == "markers"]
    found = int(metric(app, "critical points found"))
    assert found > 0 and sum(array(t["x"]).size for t in points) == found
    curve = array(trace(eps_alpha, "theory")["y"])
    assert curve.min() == pytest.approx(0.0, abs=1e-12) and curve.max() == pytest.approx(1.0, abs=1e-12)
    assert len([t for t in figs[1]["data"] if t["type"] == "histogram"]) == 3
    positivity = figs[3]
    assert positivity["layout"]["yaxis"]["type"] == "log"
    assert array(trace(positivity, "measured")["x"]).tolist() == [1, 2, 3]
    assert not app.warning


def test_seed_changes_the_critical_points(app):
    before = array(trace(figures(app)[0], "saddle")["x"])
    app.number_input(key="rl_seed").set_value(5).run()
    assert not app.exception
    after = array(trace(figures(app)[0], "saddle")["x"])
    assert after.shape != before.shape or not np.allclose(after, before)


def test_dimension_changes_the_figure(app):
    app.slider(key="rl_dim").set_value(10).run()
    assert not app.exception
    assert "N = 10" in figures(app)[0]["layout"]["title"]["text"]


def test_mixture_kernel_widens_the_predicted_semicircle(app):
    peak = lambda at: array(trace(figures(at)[1], "shifted semicircle")["y"]).max()  # noqa: E731
    # kappa = 1: R = 2, peak 2 / (pi R) = 0.318 (up to the averaging over the band's shifts).
    assert peak(app) == pytest.approx(1 / np.pi, rel=0.02)
    app.selectbox(key="rl_kernel").set_value("mixture κ ∈ {0.5, 2}:  f(r) = ½(e^(−r/2) + e^(−2r))").run()
    assert not app.exception
    assert peak(app) == pytest.approx(2 / (np.pi * 2 * np.sqrt(2.125)), rel=0.02)


def test_bad_custom_kappa_warns_and_keeps_running(app):
    app.selectbox(key="rl_kernel").set_value("custom list of κ").run()
    app.text_input(key="rl_kappas").set_value("0.5, -1").run()
    assert not app.exception
    assert any("using κ = 1" in w.value for w in app.warning)
    assert len(figures(app)) == 4


def test_goe_size_changes_the_semicircle_histogram(app):
    before = array(figures(app)[2]["data"][0]["x"]).size
    app.slider(key="rl_goe_n").set_value(50).run()
    assert not app.exception
    assert array(figures(app)[2]["data"][0]["x"]).size == 50 * SMALL["rl_goe_samples"] != before


def test_a_long_survey_waits_for_a_click(app):
    app.slider(key="rl_dim").set_value(100).run()
    app.slider(key="rl_starts").set_value(400).run()
    assert not app.exception
    assert any("takes roughly" in w.value for w in app.warning)
    assert app.button(key="rl_run_long").label == "Run the survey"
    assert len(figures(app)) == 2  # only the random-matrix panel until the click
