"""AppTest of the "Power iteration and Lanczos" page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_specs as figures
from plotly_json import plotly_array as array

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "lanczos.py")


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def test_default_shows_ghosts_only_without_reorthogonalisation(app):
    assert len(figures(app)) == 3
    assert metric(app, "parameters n") == "100"
    assert metric(app, "copies of λ_max, re-orthogonalised") == "1"
    assert int(metric(app, "copies of λ_max, plain")) >= 2
    assert float(metric(app, "final loss of orthogonality")) > 0.1


def test_k_changes_the_number_of_iterations_drawn(app):
    power = lambda at: next(t for t in figures(at)[0]["data"] if t["name"].startswith("power"))  # noqa: E731
    assert array(power(app)["x"]).size == 60
    app.slider(key="lz_k").set_value(25).run()
    assert not app.exception
    assert array(power(app)["x"]).size == 25


@pytest.mark.parametrize("label, n", [("random Gaussian field", "60"), ("deep linear network", "108")])
def test_landscape_choice_changes_the_hessian(app, label, n):
    before = array(figures(app)[0]["data"][0]["y"])
    app.selectbox(key="lz_landscape").set_value(label).run()
    assert not app.exception
    assert metric(app, "parameters n") == n
    assert not np.allclose(array(figures(app)[0]["data"][0]["y"]), before)


def test_seed_changes_the_start_vector(app):
    before = array(figures(app)[0]["data"][0]["y"])
    app.number_input(key="lz_seed").set_value(3).run()
    assert not app.exception
    assert not np.allclose(array(figures(app)[0]["data"][0]["y"]), before)
