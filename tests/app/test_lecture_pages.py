"""AppTests of the lecture pages (home, critical points, saddle-free derivation, natural gradient,
phase diagram), the lecture widgets and presenter mode: every page loads without an exception,
and setting one widget changes what it shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_spec as spec
from plotly_json import plotly_array as arr

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "app" / "views"
MY_PAGES = {
    "home.py": "Home",
    "critical_points.py": "Critical points",
    "saddle_free_derivation.py": "The saddle-free algorithm",
    "natural_gradient.py": "Natural gradient and the Fisher matrix",
    "phase_diagram.py": "Phase diagrams",
}


def page(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def entry_script(tmp_path: Path, default: str, pages: dict[str, str]) -> Path:
    """An entry script like app/main.py that registers the given pages and the presenter toggle."""
    lines = [
        "import sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        "import streamlit as st",
        "from app.components.presenter import presenter_toggle",
        "pages = [",
    ]
    for file, title in pages.items():
        lines.append(f"    st.Page({str(PAGES / file)!r}, title={title!r}, default={file == default}),")
    lines += ["]", "presenter_toggle()", "st.navigation(pages).run()"]
    path = tmp_path / "main.py"
    path.write_text("\n".join(lines) + "\n")
    return path


# -- home ---------------------------------------------------------------------------------------
def test_home_alone_lists_every_section_in_the_deck_order():
    at = page("home.py")
    headers = [h.value for h in at.subheader]
    assert [h.split(". ", 1)[1] for h in headers] == [
        "Introduction", "Cost function — theoretical landscape", "Cost function — practical landscape",
        "Behaviour of the optimization algorithms", "Saddle-free algorithm", "Results / experiments", "Appendix",
    ]
    # Run alone, no page is registered: every link falls back to a label, without an error.
    assert "Critical points *(page not available in this run)*" in markdown_text(at)


def test_home_links_the_registered_pages(tmp_path):
    at = AppTest.from_file(str(entry_script(tmp_path, "home.py", MY_PAGES)), default_timeout=120).run()
    assert not at.exception
    links = at.get("page_link")
    labels = [link.proto.label for link in links]
    assert labels == ["Critical points", "Phase diagrams", "The saddle-free algorithm",
                      "Natural gradient and the Fisher matrix"]
    assert all(link.proto.page_script_hash for link in links)
    # Pages not registered in this navigation are named, not linked.
    assert "Random landscapes *(page not available in this run)*" in markdown_text(at)


# -- presenter mode -----------------------------------------------------------------------------
def test_presenter_mode_enlarges_text_and_figures_and_hides_controls(tmp_path):
    path = entry_script(tmp_path, "critical_points.py", {"critical_points.py": "Critical points"})
    at = AppTest.from_file(str(path), default_timeout=120).run()
    assert not at.exception
    assert not at.get("html")  # no CSS while presenting is off
    small = spec(at, "cp_morph_figure")["layout"]["font"]["size"]

    at.toggle(key="presenter_mode").set_value(True).run()
    css = "".join(h.proto.body for h in at.get("html"))
    assert "font-size: 22px" in css and "st-key-controls_" not in css
    big = spec(at, "cp_morph_figure")
    assert big["layout"]["font"]["size"] > small
    widths = [d["line"]["width"] for d in big["data"] if d.get("type") == "scatter" and "line" in d
              and d["line"].get("width")]
    assert widths and min(widths) >= 4

    at.toggle(key="presenter_hide_controls").set_value(True).run()
    css = "".join(h.proto.body for h in at.get("html"))
    assert '[class*="st-key-controls_"] { display: none !important; }' in css
    # Hidden, not removed: the widgets keep their values and still drive the page.
    at.slider(key="cp_lambda_2").set_value(0.5).run()
    assert "a minimum" in markdown_text(at)

    at.toggle(key="presenter_mode").set_value(False).run()
    assert not at.get("html")


# -- lecture widgets ----------------------------------------------------------------------------
def test_think_first_reveals_and_hides_the_answer():
    at = page("critical_points.py")
    assert "spectral theorem" not in markdown_text(at)
    at.button(key="cp_q_spectral").click().run()
    assert "spectral theorem" in markdown_text(at)
    # Another widget's rerun keeps it open.
    at.slider(key="cp_lambda_1").set_value(1.0).run()
    assert "spectral theorem" in markdown_text(at)
    at.button(key="cp_q_spectral").click().run()
    assert "spectral theorem" not in markdown_text(at)


def test_misconception_card_reveals_the_truth():
    at = page("phase_diagram.py")
    assert "descent direction only when" not in markdown_text(at)
    at.button(key="pd_myth_newton").click().run()
    assert "descent direction only when" in markdown_text(at)


# -- critical points ----------------------------------------------------------------------------
def test_critical_points_morph_from_saddle_to_minimum():
    at = page("critical_points.py")
    assert "**Hessian test:** a saddle, index 1" in markdown_text(at)
    before = spec(at, "cp_morph_figure")
    at.slider(key="cp_lambda_2").set_value(0.5).run()
    assert "**Hessian test:** a minimum, index 0" in markdown_text(at)
    assert spec(at, "cp_morph_figure") != before
    at.button(key="cp_preset_2.0_0.0").click().run()
    assert at.slider(key="cp_lambda_2").value == 0.0
    assert "degenerate (the Hessian cannot decide)" in markdown_text(at)
    at.button(key="cp_preset_-1.0_-2.0").click().run()
    assert "**Hessian test:** a maximum, index 2" in markdown_text(at)
    at.toggle(key="cp_surface").set_value(True).run()
    assert spec(at, "cp_morph_figure")["data"][0]["type"] == "surface"


def test_critical_points_degenerate_tab_names_the_truth():
    at = page("critical_points.py")
    text = markdown_text(at)
    assert "degenerate (the Hessian cannot decide)" in text and "**known:** a saddle" in text
    slice_before = arr(spec(at, "cp_slice_figure")["data"][0]["y"])
    at.slider(key="cp_slice_angle_monkey_saddle").set_value(90).run()
    assert not np.allclose(arr(spec(at, "cp_slice_figure")["data"][0]["y"]), slice_before)


def test_classifier_presets_warnings_and_newton():
    at = page("critical_points.py")
    assert any("a saddle, index 1" in s.value for s in at.success)  # opens on a listed saddle
    at.selectbox(key="cp_preset_himmelblau").set_value(
        next(o for o in at.selectbox(key="cp_preset_himmelblau").options if o.startswith("maximum"))).run()
    assert any("a maximum, index 2" in s.value for s in at.success)
    at.number_input(key="cp_point_x").set_value(1.0).run()
    at.number_input(key="cp_point_y").set_value(1.0).run()
    assert not at.success and any("Not a critical point" in w.value for w in at.warning)
    at.button(key="cp_polish").click().run()
    assert not at.exception
    assert any("converged" in c.value for c in at.caption)
    assert at.success and not any("Not a critical point" in w.value for w in at.warning)
    at.selectbox(key="cp_landscape").set_value("monkey_saddle").run()
    at.selectbox(key="cp_preset_monkey_saddle").set_value(at.selectbox(key="cp_preset_monkey_saddle").options[1]).run()
    assert any("degenerate" in s.value and "known:** a saddle" in s.value for s in at.success)


# -- saddle-free derivation ---------------------------------------------------------------------
def metric_value(at: AppTest, label: str) -> float:
    for m in at.metric:
        if m.label.startswith(label):
            return float(m.value)
    raise AssertionError(label)


def test_saddle_free_derivation_step_follows_delta():
    at = page("saddle_free_derivation.py")
    assert metric_value(at, "½ Δθ*ᵀ|H|Δθ*") == pytest.approx(0.5, abs=1e-4)
    assert metric_value(at, "gᵀΔθ* (closed form)") == pytest.approx(metric_value(at, "gᵀd (SLSQP)"), abs=1e-5)
    assert metric_value(at, "½ |Δθ*ᵀHΔθ*|") <= 0.5 + 1e-4
    before = spec(at, "sf_figure")
    at.slider(key="sf_delta").set_value(1.2).run()
    assert not at.exception
    assert metric_value(at, "½ Δθ*ᵀ|H|Δθ*") == pytest.approx(1.2, abs=1e-4)
    assert spec(at, "sf_figure") != before
    # A larger trust radius gives a lower linear model: sqrt(2 Delta) scaling.
    at.slider(key="sf_theta_1").set_value(0.0).run()
    at.slider(key="sf_theta_2").set_value(0.0).run()
    assert any("gradient vanishes" in w.value for w in at.warning) and not at.exception


# -- natural gradient ---------------------------------------------------------------------------
def test_natural_gradient_page_reacts():
    at = page("natural_gradient.py")
    sampled_before = arr(spec(at, "ng_eigen_figure")["data"][0]["y"])
    at.slider(key="ng_w1").set_value(1.5).run()
    exact = arr(spec(at, "ng_eigen_figure")["data"][2]["y"])
    assert exact[0] == pytest.approx(1.5**2 + 0.8**2)
    sampled = arr(spec(at, "ng_eigen_figure")["data"][0]["y"])
    assert not np.allclose(sampled, sampled_before)
    assert sampled[-1] == pytest.approx(exact[0], rel=0.05)  # 1e5 samples
    plane_before = spec(at, "ng_plane_figure")
    at.radio(key="ng_plane_landscape").set_value("symmetric net (two hidden units)").run()
    assert spec(at, "ng_plane_figure") != plane_before
    assert any("(w₁ − w₂)²" in c.value for c in at.caption)
    at.slider(key="ng_lr").set_value(1.0).run()
    blowup = spec(at, "ng_blowup_figure")["data"]
    a, measured, formula = arr(blowup[0]["x"]), arr(blowup[0]["y"]), arr(blowup[1]["y"])
    np.testing.assert_allclose(measured, formula, rtol=1e-9)
    np.testing.assert_allclose(formula, (1 - a**2) / (np.sqrt(2) * a), rtol=1e-12)


# -- phase diagram ------------------------------------------------------------------------------
def test_phase_diagram_page_switches_method_and_probes():
    at = page("phase_diagram.py")
    at.select_slider(key="pd_resolution").set_value(20).run()
    gd = spec(at, "pd_figure")
    assert {d["name"] for d in gd["data"]} >= {"escaped", "attracted", "diverged", "|1 - η λ₊| = 1"}
    assert any("Computed = theory in 100.0%" in c.value for c in at.caption)
    at.radio(key="pd_method").set_value("Damped Newton over (λ₋, m)").run()
    assert not at.exception
    dn = spec(at, "pd_figure")
    assert "λ₋ = -2m" in {d["name"] for d in dn["data"]}
    assert arr(dn["data"][0]["z"]).shape == (20, 20)
    assert not np.array_equal(arr(dn["data"][0]["z"]), arr(gd["data"][0]["z"]))
    at.slider(key="pd_probe_lambda_damped_newton").set_value(-2.0).run()
    at.slider(key="pd_probe_param_damped_newton_1").set_value(0.5).run()
    assert "Theory: **attracted**; the run: **attracted**" in markdown_text(at)
    at.slider(key="pd_probe_param_damped_newton_1").set_value(1.5).run()
    assert "Theory: **escaped**; the run: **escaped**" in markdown_text(at)


@pytest.mark.parametrize("name", sorted(MY_PAGES))
def test_every_widget_has_a_key(name):
    at = page(name)
    for kind in ("slider", "select_slider", "radio", "selectbox", "number_input", "button", "toggle"):
        for widget in at.get(kind):
            assert widget.key, f"{name}: a {kind} without a key ({getattr(widget, 'label', '')})"
