"""The Saddle explorer in a real Chromium: the contour and the paths render, a keyboard
change of a slider redraws a path, a click on the contour moves the start, and the PNG and
GIF downloads are valid files."""

from __future__ import annotations

import pytest

from conftest import rerun

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLOT = ".st-key-explorer_figure .js-plotly-plot"
EXPLORER = "/explorer"  # the page's URL path (explorer.py in app/main.py)

_PATH_JS = """(name) => {
    const gd = document.querySelector('.st-key-explorer_figure .js-plotly-plot');
    if (!gd || !gd.data) return null;
    const t = gd.data.find(d => d.name === name);
    return t ? JSON.stringify([Array.from(t.x), Array.from(t.y)]) : null;
}"""


def _open_explorer(open_app):
    """Open the app's root and go to the explorer through the sidebar.  (Loading /explorer
    directly makes Streamlit's frontend probe /explorer/_stcore/... first, which logs two
    404s to the console before it finds the server's root.)"""
    page = open_app("/")
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Saddle explorer")
    rerun(page, lambda: nav.click())
    page.wait_for_selector(PLOT)
    return page


def _path(page, name="Gradient descent path"):
    return page.evaluate(_PATH_JS, name)


def _wait_for_new_path(page, before, name="Gradient descent path", timeout=30_000):
    page.wait_for_function(
        "([name, before]) => { const f = " + _PATH_JS + "; const now = f(name);"
        " return now !== null && now !== before; }",
        arg=[name, before], timeout=timeout)
    return _path(page, name)


def test_contour_and_paths_render(open_app):
    page = _open_explorer(open_app)
    page.wait_for_selector(PLOT)
    plot = page.locator(PLOT)
    assert plot.locator(".contourlayer .contour, g.contour").count() >= 1  # the contour
    assert plot.locator(".scatterlayer .trace").count() >= 8               # paths and markers
    names = page.evaluate("() => document.querySelector('%s').data.map(d => d.name)" % PLOT)
    for label in ("Gradient descent path", "Newton path", "Saddle-free Newton path"):
        assert label in names
    # the animation frames follow the drawn figure (app/components/live_plot.py)
    page.wait_for_function("() => document.querySelector('%s')._transitionData._frames.length"
                           " === 101" % PLOT)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_keyboard_slider_change_redraws_a_path(open_app):
    page = _open_explorer(open_app)
    page.wait_for_selector(PLOT)
    before = _path(page)
    assert before is not None
    graph = page.evaluate_handle(f"() => document.querySelector('{PLOT}')")
    slider = page.locator(".st-key-explorer_p_quadratic_l2").get_by_role("slider")
    rerun(page, lambda: slider.press("ArrowLeft"))  # lambda_2: -1.0 -> -1.1
    after = _wait_for_new_path(page, before)
    assert after != before
    # updated in place by Plotly.react (app/components/live_plot.py), not drawn anew
    assert page.evaluate(f"(g) => g === document.querySelector('{PLOT}')", graph)
    assert page.evaluate("() => new URLSearchParams(location.search).get('p.l2')") == "-1.1"
    assert page.console_errors == []


def test_plotly_js_is_preloaded_on_the_explorer_only(open_app):
    page = open_app("/")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "/app/static/" in r.url else None)
    page.wait_for_timeout(500)
    assert requested == []  # the home page draws with st.plotly_chart alone
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Saddle explorer")
    rerun(page, lambda: nav.click())
    page.wait_for_selector(PLOT)
    assert len(requested) == 1 and requested[0].split("/")[-1].startswith("plotly-")
    # the preload's element takes no room above the page's title
    assert not page.locator(".st-key-live_plot_preload").is_visible()


def test_click_on_the_contour_sets_the_start(open_app):
    page = open_app(EXPLORER)
    page.wait_for_selector(PLOT)
    s_input = page.locator(".st-key-explorer_x0_s input")
    before = s_input.input_value()
    box = page.locator(PLOT + " .nsewdrag").first.bounding_box()
    # a point of the clickable grid: x = -1 (a quarter across), y = +1 (a quarter down)
    rerun(page, lambda: page.mouse.click(box["x"] + 0.25 * box["width"],
                                         box["y"] + 0.25 * box["height"]))
    page.wait_for_function("(b) => document.querySelector('.st-key-explorer_x0_s input').value !== b",
                           arg=before, timeout=30_000)
    s = float(s_input.input_value())
    t = float(page.locator(".st-key-explorer_x0_t input").input_value())
    assert s == pytest.approx(-1.0, abs=0.15) and t == pytest.approx(1.0, abs=0.15)


def _render_and_download(page, render: str, download: str, path, timeout: float) -> bytes:
    """Press the render button, then the download button it brings; the downloaded bytes."""
    rerun(page, lambda: page.get_by_role("button", name=render).click(), timeout=timeout)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=download).click()
    info.value.save_as(path)
    return path.read_bytes()


def test_png_and_gif_downloads_are_valid(open_app, tmp_path):
    page = open_app(EXPLORER + "?l=quadratic&n=40")
    page.wait_for_selector(PLOT)
    png = _render_and_download(page, "Render PNG / SVG / PDF", "Download PNG",
                               tmp_path / "figure.png", timeout=180_000)
    assert png[:8] == PNG_MAGIC

    gif = tmp_path / "paths.gif"
    data = _render_and_download(page, "Render animated GIF", "Download GIF", gif,
                                timeout=300_000)
    assert data[:6] in (b"GIF89a", b"GIF87a")
    from PIL import Image

    with Image.open(gif) as im:
        assert im.n_frames > 1
    assert page.locator('[data-testid="stException"]').count() == 0


def _frame_names(page) -> list[str]:
    return page.evaluate("() => document.querySelector('%s')._transitionData._frames"
                         ".map(f => f.name)" % PLOT)


def test_fewer_steps_leave_no_stale_frames(open_app):
    """The frames follow the drawn figure in a second Plotly.react: after a change of the
    step count the graph holds exactly the new run's frames, in order."""
    page = open_app(EXPLORER + "?n=40")
    page.wait_for_selector(PLOT)
    page.wait_for_function("() => document.querySelector('%s')._transitionData._frames.length"
                           " === 41" % PLOT)
    steps = page.locator(".st-key-explorer_steps").get_by_role("slider")
    rerun(page, lambda: steps.press("ArrowLeft"))  # 40 -> 39 steps
    page.wait_for_function("() => document.querySelector('%s')._transitionData._frames.length"
                           " === 40" % PLOT, timeout=30_000)
    assert _frame_names(page) == [str(k) for k in range(40)]
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_dimension_change_redraws_the_method_widgets(open_app):
    """The landscape's parameters rerun only the page's scene fragment; a change of the
    dimension reruns the whole page, so the Krylov k input (at most the dimension) follows."""
    page = open_app(EXPLORER + "?l=gaussian_field&p.dim=6&m=ksf&n=20")
    page.wait_for_selector(PLOT)
    k_input = page.locator(".st-key-explorer_h_krylov_saddle_free_k input")
    assert k_input.get_attribute("max") == "6"
    dim = page.locator(".st-key-explorer_p_gaussian_field_dim").get_by_role("slider")
    rerun(page, lambda: dim.press("ArrowLeft"))  # 6 -> 5 dimensions
    page.wait_for_function("() => document.querySelector("
                           "'.st-key-explorer_h_krylov_saddle_free_k input').max === '5'",
                           timeout=30_000)
    assert page.evaluate("() => new URLSearchParams(location.search).get('p.dim')") == "5"
    assert page.locator('[data-testid="stException"]').count() == 0


_HEAD_AT_JS = """([k]) => {
    const gd = document.querySelector('%s');
    const trail = gd.data.find(d => d.name === 'Gradient descent');  // its head: the last point
    const path = gd.data.find(d => d.name === 'Gradient descent path');
    const last = trail.x.length - 1;
    return trail.x[last] === path.x[k] && trail.y[last] === path.y[k];
}""" % PLOT


def test_animation_controls_scrub_and_play(open_app):
    """The live plot draws the step slider and play/pause as HTML under the graph (Plotly's
    own slider is left out of it): the slider shows step k, play runs to the last step."""
    page = open_app(EXPLORER + "?n=40&m=gd")
    page.wait_for_selector(PLOT)
    page.wait_for_function("() => document.querySelector('%s')._transitionData._frames.length"
                           " === 41" % PLOT)
    figure = page.locator(".st-key-explorer_figure")
    assert page.locator(PLOT + " .slider-container").count() == 0
    assert page.locator(PLOT + " .updatemenu-container").count() == 0
    step = figure.get_by_role("slider", name="animation step")
    label = figure.locator(".saddle-live-step")
    assert step.get_attribute("max") == "40" and label.inner_text() == "step t = 40"
    step.focus()
    page.keyboard.press("Home")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.st-key-explorer_figure "
                           ".saddle-live-step').textContent === 'step t = 10'")
    page.wait_for_function(_HEAD_AT_JS, arg=[10], timeout=10_000)
    figure.get_by_role("button", name="▶ play").click()
    page.wait_for_function("() => document.querySelector('.st-key-explorer_figure "
                           ".saddle-live-step').textContent === 'step t = 40'",
                           timeout=30_000)
    page.wait_for_function(_HEAD_AT_JS, arg=[40], timeout=10_000)
    assert step.input_value() == "40"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_data_downloads_follow_the_scene_after_a_slider_change(open_app, tmp_path):
    """The HTML/CSV/JSON buttons are drawn by full runs only; a slider change reruns the
    scene fragment alone, and the CSV made on the next click is the new scene's."""
    from app import export

    page = open_app(EXPLORER + "?n=20")
    page.wait_for_selector(PLOT)
    before = _path(page)
    slider = page.locator(".st-key-explorer_p_quadratic_l2").get_by_role("slider")
    rerun(page, lambda: slider.press("ArrowLeft"))  # lambda_2: -1.0 -> -1.1
    _wait_for_new_path(page, before)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="CSV (trajectories)").click()
    path = tmp_path / "runs.csv"
    info.value.save_as(path)
    params = export.csv_parameters(path.read_text())
    assert params["landscape_params"]["eigenvalues"] == [2.0, -1.1]
    assert params["scene"]["steps"] == 20
    assert page.locator('[data-testid="stException"]').count() == 0
