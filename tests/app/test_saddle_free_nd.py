"""AppTest of the Saddle-free in N dimensions page: loads, and the widgets change the runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_spec as _figure
from plotly_json import plotly_array as _values

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "saddle_free_nd.py")


def _trace(fig: dict, name: str) -> np.ndarray:
    return _values(next(t for t in fig["data"] if t["name"] == name)["y"])


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_loads_with_every_figure(app):
    assert not app.error
    for key in ["sf_deep_error_figure", "sf_deep_lambda_figure", "sf_mlp_error_figure",
                "sf_mlp_lambda_figure", "sf_sweep_figure", "sf_sweep_class_figure"]:
        _figure(app, key)
    table = app.dataframe[0].value
    assert len(table) == 5


def test_saddle_free_leaves_the_deep_plateau_first(app):
    fig = _figure(app, "sf_deep_error_figure")
    assert _trace(fig, "Krylov saddle-free")[-1] < 0.1 * _trace(fig, "Damped Newton")[-1]
    assert _trace(fig, "Gradient descent")[-1] > 0.9  # still on the plateau


def test_k_slider_changes_the_krylov_run(app):
    before = _trace(_figure(app, "sf_mlp_error_figure"), "Krylov saddle-free")
    app.slider(key="sf_k").set_value(2).run()
    assert not app.exception
    after = _trace(_figure(app, "sf_mlp_error_figure"), "Krylov saddle-free")
    assert not np.array_equal(after, before)
    app.slider(key="sf_k").set_value(10).run()


def test_hidden_units_change_the_network(app):
    app.slider(key="sf_hidden").set_value(2).run()
    assert not app.exception
    fig = _figure(app, "sf_mlp_error_figure")
    assert "h = 2, 26 parameters" in fig["layout"]["title"]["text"]
    app.slider(key="sf_hidden").set_value(4).run()


def test_sweep_selection_and_empty_choices(app):
    app.multiselect(key="sf_sweep_hidden").set_value([1, 2]).run()
    assert not app.exception
    assert _values(_figure(app, "sf_sweep_figure")["data"][0]["x"]).tolist() == [1, 2]
    app.multiselect(key="sf_sweep_hidden").set_value([]).run()
    assert any("hidden units" in w.value for w in app.warning)
    app.multiselect(key="sf_methods").set_value([]).run()
    assert not app.exception
    assert any("at least one method" in w.value for w in app.warning)
