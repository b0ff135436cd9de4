"""AppTest of the Linear networks page: it loads without errors, and its widgets change what
it draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_spec as _figure
from plotly_json import plotly_array as _values

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "linear_networks.py")


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_loads_with_every_figure(app):
    assert not app.error
    for key in ["ln_modes_figure", "ln_plateau_figure", "ln_depth_figure", "bh_spectrum_figure",
                "bh_error_index_figure", "sym_contour_figure", "sym_profile_figure"]:
        _figure(app, key)
    assert any("All 10 critical points" in s.value for s in app.success)


def test_theory_overlays_simulation_from_the_decoupled_start(app):
    fig = _figure(app, "ln_modes_figure")
    simulated = [t for t in fig["data"] if t["name"].endswith("GD")]
    theory = [t for t in fig["data"] if "theory" in t["name"]]
    assert len(simulated) == len(theory) == 4
    for sim, th in zip(simulated, theory):
        # the same curve up to the step-versus-flow error
        assert np.abs(_values(sim["y"]) - _values(th["y"])).max() < 0.05


def test_depth_slider_changes_the_curves_and_the_marked_depth(app):
    before = _values(_figure(app, "ln_modes_figure")["data"][0]["y"])
    app.slider(key="ln_depth").set_value(4).run()
    assert not app.exception
    after = _figure(app, "ln_modes_figure")
    assert not np.array_equal(_values(after["data"][0]["y"]), before)
    assert "depth 4" in after["layout"]["title"]["text"]
    depth_fig = _figure(app, "ln_depth_figure")
    assert any(shape.get("x0") == 4 for shape in depth_fig["layout"]["shapes"])
    # orthogonal start: flat in depth; small start: grows
    ortho = _values(next(t for t in depth_fig["data"] if t["name"] == "orthogonal, a = 1: GD on the net")["y"])
    small = _values(next(t for t in depth_fig["data"] if t["name"].startswith("small") and "GD" in t["name"])["y"])
    assert ortho[-1] < 1.2 * ortho[3] and small[-1] > 50 * small[3]
    app.slider(key="ln_depth").set_value(2).run()


def test_start_choice_changes_the_run(app):
    before = _values(_figure(app, "ln_plateau_figure")["data"][0]["y"])
    app.radio(key="ln_start").set_value("orthogonal layers (per-layer strength 1)").run()
    assert not app.exception
    after = _values(_figure(app, "ln_plateau_figure")["data"][0]["y"])
    assert after[0] < 0.5 * before[0]  # the orthogonal start is off the plateau
    app.radio(key="ln_start").set_value("decoupled, small (Saxe's exact solution)").run()


def test_baldi_hornik_table_follows_the_inputs(app):
    app.text_input(key="bh_eigenvalues").set_value("6, 5, 4, 3, 2, 1").run()
    app.slider(key="bh_p").set_value(3).run()
    assert not app.exception
    assert any("All 20 critical points" in s.value for s in app.success)
    table = app.dataframe[0].value
    assert len(table) == 20
    assert list(table["index (eigvalsh of H)"]) == list(table["index (formula)"])


def test_bad_eigenvalues_give_a_message_not_a_traceback(app):
    app.slider(key="bh_p").set_value(2).run()
    app.text_input(key="bh_eigenvalues").set_value("5, 4, banana").run()
    assert not app.exception
    assert any("Could not read" in e.value for e in app.error)
    app.text_input(key="bh_eigenvalues").set_value("4, 4, 2, 1").run()
    assert not app.exception
    assert any("distinct" in e.value for e in app.error)
    app.text_input(key="bh_eigenvalues").set_value("5, 4, 3, 2, 1").run()
    app.slider(key="bh_p").set_value(6).run()
    assert any("smaller than n" in w.value for w in app.warning)
    app.slider(key="bh_p").set_value(2).run()


def test_symmetric_teacher_changes_the_path(app):
    before = _values(_figure(app, "sym_profile_figure")["data"][1]["y"])
    app.slider(key="sym_b").set_value(0.5).run()
    assert not app.exception
    after = _values(_figure(app, "sym_profile_figure")["data"][1]["y"])
    assert after.max() < before.max()  # closer minima, lower barrier
    app.slider(key="sym_b").set_value(1.5).run()
    assert any("merge" in w.value for w in app.warning)
    assert not app.exception
