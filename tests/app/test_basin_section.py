"""The basin section in Streamlit: AppTest on a tiny page (tests/app/basin_app.py) and on the
explorer, and a click in Chromium that sets the start point."""

from __future__ import annotations

import base64
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from plotly_json import chart_specs

APP = Path(__file__).with_name("basin_app.py")
ROOT = Path(__file__).resolve().parents[2]


def basin_spec(at) -> dict:
    charts = chart_specs(at)
    specs = [c for c in charts if (c["layout"].get("meta") or {}).get("kind") == "basin_map"]
    assert len(specs) == 1, [c["layout"].get("meta") for c in charts]
    return specs[0]


def images(spec) -> list[np.ndarray]:
    out = []
    for trace in spec["data"]:
        if trace["type"] == "image":
            raw = base64.b64decode(trace["source"].split(",", 1)[1])
            out.append(np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")))
    return out


@pytest.fixture
def app():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_draws_one_map_per_method_and_the_grid_select_changes_it(app):
    spec = basin_spec(app)
    assert spec["layout"]["meta"]["methods"] == ["gd", "newton"]
    assert spec["layout"]["meta"]["grid"] == 200
    before = images(spec)
    assert [im.shape for im in before] == [(200, 200, 3)] * 2
    assert app.selectbox(key="basin_grid").value == 200
    assert "2 map(s) of 200 × 200 starts" in app.caption[0].value

    app.selectbox(key="basin_grid").set_value(100).run()
    assert not app.exception
    spec = basin_spec(app)
    assert spec["layout"]["meta"]["grid"] == 100
    assert [im.shape for im in images(spec)] == [(100, 100, 3)] * 2


def test_a_new_rate_changes_the_gd_map_and_a_bad_one_warns(app):
    # lr 0.01 on 5x^2 - y^2: y grows by 1.02 per step, most runs hit the step limit.
    gd_before = images(basin_spec(app))[0]
    app.number_input(key="lr").set_value(0.1).run()
    assert not app.exception
    gd_after, newton = images(basin_spec(app))
    assert not np.array_equal(gd_before, gd_after)
    # lr 0.1 escapes everywhere but on y = 0: the sky-blue family (blue channel high).
    assert np.mean(gd_after[..., 2] > 200) > 0.95

    app.number_input(key="lr").set_value(5000.0).run()
    assert not app.exception
    assert any("lr" in w.value and "Gradient descent" in w.value for w in app.warning)
    spec = basin_spec(app)  # Newton's map is still drawn
    assert spec["layout"]["meta"]["methods"] == ["newton"]


def test_landscape_change_redraws_with_its_critical_points(app):
    app.selectbox(key="landscape").set_value("himmelblau").run()
    assert not app.exception
    spec = basin_spec(app)
    marks = [t for t in spec["data"] if (t.get("name") or "").startswith("critical point")]
    assert len(marks) == 2 * 9
    legend = {t["name"] for t in spec["data"] if t.get("x") == [None]}
    assert {"reaches a minimum", "reaches a saddle", "reaches a maximum"} <= legend


def test_without_auto_the_maps_wait_for_the_compute_button(app):
    app.toggle(key="basin_auto").set_value(False).run()
    basin_spec(app)  # this configuration was computed already: still drawn
    app.selectbox(key="basin_grid").set_value(300).run()
    assert not app.get("plotly_chart")
    assert any("Press **Compute**" in i.value for i in app.info)
    app.button(key="basin_compute").click().run()
    assert not app.exception
    assert basin_spec(app)["layout"]["meta"]["grid"] == 300


def test_a_3d_slice_waits_for_compute_with_an_estimate_then_draws_the_plane(app):
    app.selectbox(key="basin_grid").set_value(100)
    app.number_input(key="lr").set_value(0.1)
    app.selectbox(key="landscape").set_value("quadratic 3-D").run()
    assert not app.exception
    assert app.toggle(key="basin_auto_nd").value is False  # many dimensions: compute on demand
    assert not app.get("plotly_chart")
    (info,) = [i.value for i in app.info if "Press **Compute**" in i.value]
    assert "about" in info and " s here" in info
    app.button(key="basin_compute").click().run()
    assert not app.exception
    spec = basin_spec(app)
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("s")
    # Newton lands on the saddle from the whole plane: one colour, the saddle's.
    newton = images(spec)[1]
    assert np.all(newton == newton[0, 0])
    marks = [t for t in spec["data"] if (t.get("name") or "").startswith("critical point")]
    assert len(marks) == 2  # the saddle at the origin, on both panels


def test_the_explorer_shows_the_section_when_its_toggle_is_on():
    page = ROOT / "app" / "views" / "explorer.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    keys = {t.key for t in at.toggle}
    if "explorer_basins" not in keys:
        pytest.skip("the explorer has no basin toggle yet")
    at.toggle(key="explorer_basins").set_value(True).run()
    assert not at.exception, at.exception
    spec = basin_spec(at)
    assert spec["layout"]["meta"]["methods"] == list(at.multiselect(key="explorer_methods").value)


# --------------------------------------------------------------------------- a real click


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def basin_server():
    """``streamlit run tests/app/basin_app.py`` in its own process group."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the basin test page's server did not start", pytrace=False)
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_clicking_a_map_sets_the_start(page, basin_server):
    from conftest import rerun, wait_for_app

    page.goto(basin_server, wait_until="domcontentloaded")
    wait_for_app(page, timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=60_000)
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # Window [-2, 2]^2: a quarter across, three quarters up is near (-1, 1).
    x, y = box["x"] + 0.25 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    hover = page.locator(".hoverlayer").text_content()
    assert "click: start here" in hover and "after" in hover
    rerun(page, lambda: page.mouse.click(x, y))
    picked = page.get_by_text("picked").inner_text()
    s, t = (float(v) for v in picked.removeprefix("picked ").split(","))
    grid = np.linspace(-2.0, 2.0, 200)
    assert abs(s + 1.0) < 0.15 and abs(t - 1.0) < 0.15
    assert np.min(np.abs(grid - s)) < 1e-12 and np.min(np.abs(grid - t)) < 1e-12
    values = page.locator('input[type="number"]').evaluate_all("els => els.map(e => e.value)")
    assert float(values[0]) == pytest.approx(s, abs=0.006)
    assert float(values[1]) == pytest.approx(t, abs=0.006)
    assert page.console_errors == []
