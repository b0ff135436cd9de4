"""Tests of app/export/: static images, HTML, animated GIF, CSV and JSON of trajectories.

Tests that render through kaleido need Chrome/Chromium: they skip when neither Debian's
/usr/bin/chromium nor a browser kaleido finds is installed, unless CI is set, where they fail.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import threading
import time

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import app.export.gif as export_gif
import app.export.static as export_static
from app import export
from app.export import ExportUnavailable
from optimizers.trajectory import Stop, Trajectory

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# --------------------------------------------------------------------------- browser check


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _kaleido_browser() -> str | None:
    """The browser kaleido itself would find (its download, BROWSER_PATH, PATH), if any."""
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001
        return None
    return path if path and os.path.isfile(path) else None


def _require_browser() -> None:
    if os.access("/usr/bin/chromium", os.X_OK) or _kaleido_browser() is not None:
        return
    if _in_ci():
        pytest.fail("CI is set but no Chrome/Chromium is installed (neither /usr/bin/chromium "
                    "nor a browser kaleido finds): image export cannot be tested",
                    pytrace=False)
    pytest.skip("image export needs Chrome/Chromium: `apt-get install chromium` "
                "(or `kaleido_get_chrome`) to run this test")


@pytest.fixture
def chromium() -> None:
    """Needs Chrome/Chromium (not conftest's Playwright `browser`: kaleido drives its own)."""
    _require_browser()


# --------------------------------------------------------------------------- figures

LINE_COLOR = "#1fa81f"    # green path of trace 1
MARKER_COLOR = "#1f3fff"  # blue marker of trace 2
N_FRAMES = 6


def _paths(n: int = N_FRAMES) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 1.0, n)
    a = np.c_[-1.0 + 2.0 * t, -1.0 + 1.5 * t]           # (-1, -1) -> (1, 0.5)
    b = np.c_[1.0 - 2.0 * t, -1.0 + 2.0 * t]            # (1, -1) -> (-1, 1)
    return a, b


def _animated_figure(n: int = N_FRAMES, **layout) -> go.Figure:
    """A contour and two moving scatter traces (1: a growing path, 2: a moving marker)."""
    x = np.linspace(-1.5, 1.5, 41)
    X, Y = np.meshgrid(x, x)
    a, b = _paths(n)
    fig = go.Figure(
        data=[
            go.Contour(x=x, y=x, z=X**2 - Y**2, colorscale="Greys", showscale=True),
            go.Scatter(x=a[:1, 0], y=a[:1, 1], mode="lines+markers", name="path",
                       line=dict(color=LINE_COLOR, width=3), marker=dict(size=6)),
            go.Scatter(x=b[:1, 0], y=b[:1, 1], mode="markers", name="walker",
                       marker=dict(color=MARKER_COLOR, size=18, symbol="circle")),
        ],
        frames=[
            go.Frame(
                data=[go.Scatter(x=a[: k + 1, 0].tolist(), y=a[: k + 1, 1].tolist()),
                      go.Scatter(x=b[k : k + 1, 0].tolist(), y=b[k : k + 1, 1].tolist())],
                traces=[1, 2],
                name=f"step-{k}",
            )
            for k in range(n)
        ],
    )
    fig.update_layout(
        xaxis=layout.pop("xaxis", dict(range=[-1.5, 1.5])),
        yaxis=layout.pop("yaxis", dict(range=[-1.5, 1.5])),
        updatemenus=[dict(type="buttons", buttons=[
            dict(label="Play", method="animate",
                 args=[None, dict(frame=dict(duration=50, redraw=False))])])],
        sliders=[dict(steps=[dict(method="animate", label=str(k),
                                  args=[[f"step-{k}"], dict(mode="immediate")])
                             for k in range(n)])],
        **layout,
    )
    return fig


def _final_state_figure(fig: go.Figure) -> go.Figure:
    """The figure as the animation leaves it, without frames (a static reference)."""
    static = go.Figure(fig)
    static.frames = ()
    a, b = _paths(len(fig.frames))
    static.data[1].update(x=a[:, 0], y=a[:, 1])
    static.data[2].update(x=b[-1:, 0], y=b[-1:, 1])
    return static


def _blob_centre(image: Image.Image, color: str, tol: float = 60.0) -> tuple[float, float, int]:
    """Centroid (x, y) and pixel count of the pixels within `tol` of `color`."""
    rgb = np.asarray(image.convert("RGB"), dtype=float)
    target = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    ys, xs = np.nonzero(np.linalg.norm(rgb - target, axis=-1) < tol)
    if xs.size == 0:
        return math.nan, math.nan, 0
    return float(xs.mean()), float(ys.mean()), int(xs.size)


def _gif_frames(data: bytes) -> list[Image.Image]:
    gif = Image.open(io.BytesIO(data))
    frames = []
    for k in range(gif.n_frames):
        gif.seek(k)
        frames.append(gif.convert("RGB"))
    return frames


# --------------------------------------------------------------------------- trajectories


def _trajectory(method: str, k: int, *, stop=Stop.SADDLE, dim: int = 2, seed: int = 0,
                hyper=None) -> Trajectory:
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(k + 1, dim))
    return Trajectory(
        method=method,
        landscape="quadratic",
        xs=xs,
        values=0.5 * (xs[:, 0] ** 2 - xs[:, 1] ** 2) if dim >= 2 else xs[:, 0] ** 2,
        grad_norms=np.linalg.norm(xs, axis=1),
        eigenvalues=np.tile([-0.5, 1.0], (k + 1, 1)),
        stop=stop,
        landscape_params={"eigenvalues": np.array([1.0, -0.5]), "angle": np.float64(0.3)},
        hyper=hyper if hyper is not None else {"lr": 0.1, "damping": "auto"},
    )


def _csv_rows(text: str) -> list[dict]:
    """The data rows (the header comments skipped as pandas' comment="#" would)."""
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return list(csv.DictReader(io.StringIO("\n".join(lines), newline="")))


SCENE = {"x0": np.array([0.5, -0.25]), "steps": 40, "seed": np.int64(7), "note": "λ<0: saddle"}


# =========================================================================== no browser needed


def test_unknown_format_is_a_value_error_naming_the_allowed_ones():
    with pytest.raises(ValueError, match="png, svg, pdf"):
        export.figure_to_image(go.Figure(), "bmp")
    with pytest.raises(ValueError, match="allowed formats"):
        export.figure_to_image(go.Figure(), "html")


def test_bad_sizes_are_value_errors():
    with pytest.raises(ValueError, match="width"):
        export.figure_to_image(go.Figure(), "png", width=0)
    with pytest.raises(ValueError, match="scale"):
        export.figure_to_image(go.Figure(), "png", scale=float("nan"))


def test_kaleido_failure_becomes_export_unavailable(monkeypatch):
    import kaleido

    def boom(*args, **kwargs):
        raise OSError("simulated crash inside kaleido")

    # pretend the server runs so that the (patched) kaleido entry point is what gets called
    monkeypatch.setattr(export_static, "_server_running", lambda: True)
    monkeypatch.setattr(export_static, "_server_thread_alive", lambda module: None)
    monkeypatch.setattr(kaleido, "calc_fig_sync", boom)
    with pytest.raises(ExportUnavailable, match="PNG export failed") as info:
        export.figure_to_image(go.Figure(), "png")
    assert isinstance(info.value, RuntimeError)
    assert "simulated crash" in str(info.value)
    assert isinstance(info.value.__cause__, OSError)


def test_missing_browser_is_a_clear_export_unavailable(monkeypatch):
    import kaleido

    def must_not_start(*args, **kwargs):
        raise AssertionError("the server must not be started without a browser")

    monkeypatch.setattr(export_static, "_server_running", lambda: False)
    monkeypatch.setattr(export_static, "_server_thread_alive", lambda module: None)
    monkeypatch.setattr(export_static, "find_browser", lambda: None)
    monkeypatch.setattr(kaleido, "start_sync_server", must_not_start)
    with pytest.raises(ExportUnavailable, match="apt-get install chromium") as info:
        export.figure_to_image(go.Figure(), "svg")
    assert str(info.value).startswith("SVG export needs Chrome or Chromium")
    with pytest.raises(ExportUnavailable, match="GIF export needs Chrome or Chromium"):
        export.animation_to_gif(_animated_figure())


def test_server_start_failure_becomes_export_unavailable(monkeypatch):
    import kaleido

    def broken(*args, **kwargs):
        raise RuntimeError("simulated: cannot spawn")

    monkeypatch.setattr(export_static, "_server_running", lambda: False)
    monkeypatch.setattr(export_static, "_server_thread_alive", lambda module: None)
    monkeypatch.setattr(export_static, "find_browser", lambda: "/usr/bin/some-chrome")
    monkeypatch.setattr(kaleido, "start_sync_server", broken)
    with pytest.raises(ExportUnavailable, match="could not start the browser"):
        export.figure_to_image(go.Figure(), "pdf")


def test_a_dead_server_does_not_hang_the_export(monkeypatch):
    # kaleido's sync server waits forever when its thread has died (e.g. the browser failed
    # to start); the export must notice and raise instead.
    import kaleido

    released = threading.Event()
    calls = {"alive": 0}

    def hang(*args, **kwargs):
        released.wait(10)
        return b""

    def alive(module):
        calls["alive"] += 1
        return None if calls["alive"] < 3 else False

    monkeypatch.setattr(export_static, "_server_running", lambda: True)
    monkeypatch.setattr(export_static, "_server_thread_alive", alive)
    monkeypatch.setattr(export_static, "_stop_server", lambda: None)
    monkeypatch.setattr(kaleido, "calc_fig_sync", hang)
    start = time.monotonic()
    try:
        with pytest.raises(ExportUnavailable, match="stopped or could not start"):
            export.figure_to_image(go.Figure(), "png")
    finally:
        released.set()
    assert time.monotonic() - start < 5


def test_gif_needs_frames():
    fig = _animated_figure()
    fig.frames = ()
    with pytest.raises(ValueError, match="no frames"):
        export.animation_to_gif(fig)


def test_gif_rejects_frames_that_name_missing_traces():
    fig = _animated_figure()
    fig.frames = [go.Frame(data=[go.Scatter(x=[0], y=[0])], traces=[7])]
    with pytest.raises(ValueError, match="trace"):
        export.animation_to_gif(fig)
    with pytest.raises(ValueError, match="fps"):
        export.animation_to_gif(_animated_figure(), fps=0)
    with pytest.raises(ValueError, match="fps"):
        export.animation_to_gif(_animated_figure(), fps=float("inf"))


def test_html_is_self_contained_interactive_and_does_not_autoplay():
    fig = _animated_figure()
    fig.frames[3].data[1].x = [0.123456789]
    html = export.figure_to_html(fig).decode("utf-8")
    assert html.lstrip().lower().startswith(("<!doctype html>", "<html"))
    assert "plotly" in html.lower()
    assert not re.search(r"<script[^>]+src=", html)  # plotly.js is embedded: works offline
    assert len(html) > 1_000_000
    assert all(f"step-{k}" in html for k in range(N_FRAMES))
    assert "0.123456789" in html  # frame data is in the page
    assert "Plotly.addFrames" in html
    assert not re.search(r"Plotly\.animate\(\s*['\"][0-9a-f-]{36}['\"]", html)
    assert '"updatemenus"' in html  # the play button stays


def test_csv_long_format_columns_rows_and_parameters():
    runs = [_trajectory("gd", 5, stop=Stop.SADDLE, seed=1),
            _trajectory("saddle_free", 3, stop=Stop.MINIMUM, seed=2,
                        hyper={"lr": 1.0, "damping": 0.0}),
            _trajectory("gd", 2, stop=Stop.STEP_LIMIT, seed=3, hyper={"lr": 0.5})]
    text = export.trajectories_to_csv(runs, extra_params=SCENE)
    rows = _csv_rows(text)
    assert list(rows[0]) == ["run", "method", "step", "x0", "x1", "value", "grad_norm",
                             "eig_min", "eig_max", "stop"]
    assert len(rows) == 6 + 4 + 3
    assert [r["method"] for r in rows] == ["gd"] * 6 + ["saddle_free"] * 4 + ["gd"] * 3
    assert [int(r["run"]) for r in rows] == [0] * 6 + [1] * 4 + [2] * 3
    assert [int(r["step"]) for r in rows[:6]] == list(range(6))
    assert {r["stop"] for r in rows[:6]} == {"saddle"}
    assert {r["stop"] for r in rows[6:10]} == {"minimum"}
    # numbers are exact
    xs = np.array([[float(r["x0"]), float(r["x1"])] for r in rows[6:10]])
    np.testing.assert_array_equal(xs, runs[1].xs)
    np.testing.assert_array_equal([float(r["value"]) for r in rows[:6]], runs[0].values)
    assert float(rows[0]["eig_min"]) == -0.5 and float(rows[0]["eig_max"]) == 1.0
    # every header line is "# key: JSON"
    assert text.endswith("\r\n")  # RFC 4180 line ends
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any(line == '# scene.x0: [0.5, -0.25]' for line in header)
    params = export.csv_parameters(text)
    assert params["scene"] == {"x0": [0.5, -0.25], "steps": 40, "seed": 7,
                               "note": "λ<0: saddle"}
    assert params["landscape"] == "quadratic"
    assert params["landscape_params"] == {"eigenvalues": [1.0, -0.5], "angle": 0.3}
    assert [r["method"] for r in params["runs"]] == ["gd", "saddle_free", "gd"]
    assert [r["hyper"] for r in params["runs"]] == [
        {"lr": 0.1, "damping": "auto"}, {"lr": 1.0, "damping": 0.0}, {"lr": 0.5}]
    assert [r["stop"] for r in params["runs"]] == ["saddle", "minimum", "step_limit"]
    assert [r["steps"] for r in params["runs"]] == [5, 3, 2]


def test_csv_keeps_non_finite_values_and_per_run_landscapes():
    bad = _trajectory("newton", 2, stop=Stop.DIVERGED)
    bad.xs[2] = [np.inf, np.nan]
    bad.values[2] = -np.inf
    other = Trajectory(method="gd", landscape="monkey_saddle", xs=np.zeros((2, 2)),
                       values=np.zeros(2), grad_norms=np.zeros(2),
                       eigenvalues=np.zeros((2, 2)), stop=Stop.DEGENERATE)
    text = export.trajectories_to_csv([bad, other])
    rows = _csv_rows(text)
    assert rows[2]["x0"] == "inf" and rows[2]["x1"] == "nan" and rows[2]["value"] == "-inf"
    assert math.isinf(float(rows[2]["x0"])) and math.isnan(float(rows[2]["x1"]))
    params = export.csv_parameters(text)
    assert params["scene"] == {}
    assert "landscape" not in params
    assert [r["landscape"] for r in params["runs"]] == ["quadratic", "monkey_saddle"]
    assert params["runs"][1]["landscape_params"] == {}
    assert params["runs"][0]["stop"] == "diverged"


def test_csv_of_no_trajectories_is_just_a_header():
    text = export.trajectories_to_csv([], {"x0": [0, 0]})
    assert _csv_rows(text) == []
    assert export.csv_parameters(text)["scene"] == {"x0": [0, 0]}
    assert export.csv_parameters(text)["runs"] == []


_json_scalars = st.one_of(
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(
    scene=st.dictionaries(st.text(min_size=1, max_size=12),
                          st.one_of(_json_scalars, st.lists(_json_scalars, max_size=4)),
                          max_size=6),
    xs=st.integers(1, 4).flatmap(lambda n: st.lists(
        st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64),
                 min_size=n, max_size=n), min_size=1, max_size=8)),
    method=st.text(min_size=1, max_size=10),
)
def test_csv_round_trips_any_numbers_and_parameters(scene, xs, method):
    xs = np.array(xs, dtype=float)
    k = len(xs)
    t = Trajectory(method=method, landscape="quadratic", xs=xs, values=xs.sum(axis=1),
                   grad_norms=np.abs(xs[:, 0]), eigenvalues=np.c_[xs[:, 0], xs[:, -1]],
                   stop=Stop.STEP_LIMIT, hyper={"lr": 0.01})
    text = export.trajectories_to_csv([t], extra_params=scene)
    rows = _csv_rows(text)
    assert len(rows) == k
    assert all(r["method"] == method for r in rows)
    got = np.array([[float(r[f"x{j}"]) for j in range(xs.shape[1])] for r in rows])
    np.testing.assert_array_equal(got, xs)  # NaN compares equal in assert_array_equal
    np.testing.assert_array_equal([float(r["value"]) for r in rows], t.values)
    assert export.csv_parameters(text)["scene"] == scene
    assert export.csv_parameters(text)["runs"][0]["method"] == method


def test_json_has_scene_and_trajectories_and_reproduces_arrays():
    runs = [_trajectory("gd", 4, seed=1), _trajectory("damped_newton", 2, seed=2,
                                                      stop=Stop.MINIMUM)]
    runs[1].xs[1] = [np.nan, np.inf]
    text = export.trajectories_to_json(runs, extra_params=SCENE)
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON: {c}"))
    assert set(doc) == {"scene", "trajectories"}
    assert doc["scene"] == {"x0": [0.5, -0.25], "steps": 40, "seed": 7, "note": "λ<0: saddle"}
    assert [d["method"] for d in doc["trajectories"]] == ["gd", "damped_newton"]
    first = doc["trajectories"][0]
    np.testing.assert_array_equal(np.asarray(first["xs"], dtype=float), runs[0].xs)
    np.testing.assert_array_equal(np.asarray(first["values"], dtype=float), runs[0].values)
    np.testing.assert_array_equal(np.asarray(first["eigenvalues"], dtype=float),
                                  runs[0].eigenvalues)
    assert first["stop"] == "saddle" and first["steps"] == 4
    assert first["landscape_params"] == {"eigenvalues": [1.0, -0.5], "angle": 0.3}
    second = np.asarray(doc["trajectories"][1]["xs"], dtype=float)  # null -> NaN
    assert np.isnan(second[1]).all()
    np.testing.assert_array_equal(second[[0, 2]], runs[1].xs[[0, 2]])


def test_export_package_does_not_import_streamlit():
    import ast
    from pathlib import Path

    sources = sorted(Path(export.__file__).parent.glob("*.py"))
    assert {p.name for p in sources} >= {"__init__.py", "static.py", "gif.py", "data.py"}
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and n.module}
        assert "streamlit" not in names, path.name


# =========================================================================== with a browser


def test_png_has_the_requested_size_and_leaves_the_figure_alone(chromium):
    fig = _animated_figure()
    before = fig.to_json()
    data = export.figure_to_image(fig, "png", width=300, height=200, scale=2)
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (600, 400)
    assert fig.to_json() == before  # play button, sliders and frames still there
    assert len(fig.layout.updatemenus) == 1 and len(fig.frames) == N_FRAMES


def test_persistent_server_makes_later_pngs_fast(chromium):
    import kaleido

    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 0, 1]))
    export.figure_to_image(fig, "png", width=400, height=300, scale=1)
    assert kaleido._global_server.is_running()
    start = time.perf_counter()
    for _ in range(2):
        assert export.figure_to_image(fig, "png", width=400, height=300, scale=1) \
            .startswith(PNG_MAGIC)
    # ~0.5 s each on 2 cores; a browser started per call would take ~4 s each
    assert (time.perf_counter() - start) / 2 < 2.5


def test_svg_and_pdf(chromium):
    fig = _animated_figure()
    svg = export.figure_to_image(fig, "SVG", width=400, height=300)
    head = svg.lstrip()[:200].decode("utf-8", "replace")
    assert head.startswith("<svg") or head.startswith("<?xml")
    assert b"<svg" in svg
    assert b"updatemenu" not in svg  # no play button in a static image
    pdf = export.figure_to_image(fig, "pdf", width=400, height=300)
    assert pdf.startswith(b"%PDF")


def test_gif_frames_size_loop_and_moving_marker(chromium):
    fig = _animated_figure()
    seen = []
    data = export.animation_to_gif(fig, fps=5, width=320, height=240,
                                   progress=lambda i, n: seen.append((i, n)))
    assert data.startswith(b"GIF89a")
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == N_FRAMES
    assert gif.size == (320, 240)
    assert gif.info.get("loop") == 0
    assert gif.info.get("duration") == 200
    assert seen == [(i, N_FRAMES) for i in range(1, N_FRAMES + 1)]
    frames = _gif_frames(data)
    cx, cy, count = _blob_centre(frames[-1], MARKER_COLOR)
    assert count > 50, "the moving marker is not drawn in the last frame"
    pixel = (round(cx), round(cy))
    assert frames[0].getpixel(pixel) != frames[-1].getpixel(pixel)
    # in the first frame the marker sits elsewhere, the path has only started
    cx0, cy0, _ = _blob_centre(frames[0], MARKER_COLOR)
    assert math.hypot(cx - cx0, cy - cy0) > 50
    assert _blob_centre(frames[-1], LINE_COLOR)[2] > 3 * _blob_centre(frames[0], LINE_COLOR)[2]
    assert len(fig.frames) == N_FRAMES and len(fig.layout.updatemenus) == 1


@pytest.mark.parametrize("layout", [
    {},
    {"yaxis": dict(range=[-1.5, 1.5], scaleanchor="x")},  # plotly widens the x range
    {"xaxis": dict(range=None), "yaxis": dict(range=None), "showlegend": True,
     "margin": dict(l=120, r=10, t=90, b=30), "title": "no explicit ranges"},
    # a legend and an annotation over the plot area, where the calibration probes go
    {"showlegend": True, "legend": dict(x=0.62, y=0.75, bgcolor="white"),
     "annotations": [dict(x=-0.6, y=-0.6, text="saddle", showarrow=False, bgcolor="white",
                          font=dict(size=40))]},
], ids=["explicit-ranges", "equal-aspect", "autorange-and-margins", "legend-inside"])
def test_gif_draws_moving_traces_where_plotly_does(chromium, layout, monkeypatch):
    monkeypatch.setattr(export_gif, "_full_render_frames", _no_slow_path)
    fig = _animated_figure(**layout)
    static = _final_state_figure(_gif_ready(fig))
    colors = (MARKER_COLOR, LINE_COLOR)
    if "annotations" in layout:
        # moving traces are drawn above everything in the GIF, the legend shows the path's
        # colour: compare the marker only, without the overlays (they do not move the plot)
        fig.data[2].showlegend = False
        static.update_layout(annotations=(), showlegend=False)
        colors = (MARKER_COLOR,)
    reference = Image.open(io.BytesIO(export.figure_to_image(
        static, "png", width=400, height=300, scale=1)))
    last = _gif_frames(export.animation_to_gif(fig, width=400, height=300))[-1]
    for color in colors:
        rx, ry, rn = _blob_centre(reference, color)
        gx, gy, gn = _blob_centre(last, color)
        assert rn > 20 and gn > 20
        assert math.hypot(rx - gx, ry - gy) < 2.0, (color, (rx, ry), (gx, gy))
        assert 0.6 < gn / rn < 1.6, (color, rn, gn)


def _no_slow_path(*args, **kwargs):
    raise AssertionError("the fast GIF path fell back to rendering every frame")


def test_gif_on_log_axes(chromium, monkeypatch):
    monkeypatch.setattr(export_gif, "_full_render_frames", _no_slow_path)
    a, b = _paths()
    a, b = 10 ** a, 10 ** b  # 0.1 .. 10
    x = np.logspace(-1.2, 1.2, 30)
    fig = go.Figure(
        data=[go.Contour(x=x, y=x, z=np.log10(x)[None, :] * np.log10(x)[:, None],
                         colorscale="Greys"),
              go.Scatter(x=b[:1, 0], y=b[:1, 1], mode="markers",
                         marker=dict(color=MARKER_COLOR, size=18))],
        frames=[go.Frame(data=[go.Scatter(x=b[k : k + 1, 0], y=b[k : k + 1, 1])], traces=[1])
                for k in range(N_FRAMES)],
        layout=dict(xaxis=dict(type="log", range=[-1.2, 1.2]),
                    yaxis=dict(type="log", range=[-1.2, 1.2])),
    )
    static = go.Figure(fig)
    static.frames = ()
    static.data[1].update(x=b[-1:, 0], y=b[-1:, 1])
    reference = Image.open(io.BytesIO(export.figure_to_image(static, "png", width=400,
                                                             height=300, scale=1)))
    last = _gif_frames(export.animation_to_gif(fig, width=400, height=300))[-1]
    rx, ry, rn = _blob_centre(reference, MARKER_COLOR)
    gx, gy, gn = _blob_centre(last, MARKER_COLOR)
    assert rn > 20 and gn > 20
    assert math.hypot(rx - gx, ry - gy) < 2.0, ((rx, ry), (gx, gy))


def _gif_ready(fig: go.Figure) -> go.Figure:
    """The figure with the ranges the GIF export fixes when none are given."""
    fig = go.Figure(fig)
    if fig.layout.xaxis.range is None:
        a, b = _paths(len(fig.frames))
        for axis, col in (("xaxis", 0), ("yaxis", 1)):
            lo = min(-1.5, a[:, col].min(), b[:, col].min())
            hi = max(1.5, a[:, col].max(), b[:, col].max())
            fig.layout[axis].range = [lo, hi]
    return fig


def test_gif_falls_back_to_full_renders_for_other_moving_traces(chromium):
    z0 = np.array([[0.0, 1.0], [1.0, 0.0]])
    fig = go.Figure(
        data=[go.Heatmap(z=z0, zmin=0, zmax=3, showscale=False),
              go.Scatter(x=[0], y=[0], mode="markers")],
        frames=[go.Frame(data=[go.Heatmap(z=z0 * k)], traces=[0]) for k in range(1, 4)],
    )
    seen = []
    data = export.animation_to_gif(fig, width=320, height=260,
                                   progress=lambda i, n: seen.append(i))
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == 3 and gif.size == (320, 260)
    assert seen == [1, 2, 3]


# The command line is app/export_cli.py; tests/test_scene.py covers its CSV, JSON, HTML and
# bad input, these its images and its exit code without a browser.


def test_command_line_exits_1_without_a_browser_but_writes_the_data(tmp_path, monkeypatch,
                                                                   capsys):
    from app import export_cli

    monkeypatch.setattr(export_static, "_server_running", lambda: False)
    monkeypatch.setattr(export_static, "_server_thread_alive", lambda module: None)
    monkeypatch.setattr(export_static, "find_browser", lambda: None)
    code = export_cli.main(["--landscape", "quadratic", "--methods", "gd", "--steps", "5",
                            "--formats", "png,csv", "--out", str(tmp_path), "--name", "fig"])
    assert code == 1
    assert "PNG export needs Chrome or Chromium" in capsys.readouterr().err
    assert (tmp_path / "fig.csv").exists() and not (tmp_path / "fig.png").exists()


def test_command_line_writes_png_and_gif(chromium, tmp_path, capsys):
    from app import export_cli

    steps = 8
    code = export_cli.main(["--landscape", "quadratic", "--methods", "gd", "--steps", str(steps),
                            "--formats", "png,gif", "--width", "300", "--height", "200",
                            "--scale", "1", "--out", str(tmp_path), "--name", "fig"])
    assert code == 0, capsys.readouterr().err
    assert Image.open(tmp_path / "fig.png").size == (300, 200)
    frames = _gif_frames((tmp_path / "fig.gif").read_bytes())
    assert len(frames) == steps + 1  # the start, then one frame per step
    assert not np.array_equal(np.asarray(frames[0]), np.asarray(frames[-1]))


def test_gif_survives_a_diverging_run(chromium, monkeypatch):
    # a run that leaves the window for 1e300, then inf and NaN: clipped and broken, not fatal
    monkeypatch.setattr(export_gif, "_full_render_frames", _no_slow_path)
    path = np.array([[0.0, 0.0], [0.5, 0.2], [1e3, -1e3], [1e300, 1e300], [np.inf, 0.0],
                     [np.nan, np.nan]])
    fig = _animated_figure()
    fig.frames = [go.Frame(data=[go.Scatter(x=path[: k + 1, 0], y=path[: k + 1, 1],
                                            line=dict(dash="dashdot")),
                                 go.Scatter(x=path[k : k + 1, 0], y=path[k : k + 1, 1])],
                           traces=[1, 2]) for k in range(len(path))]
    frames = _gif_frames(export.animation_to_gif(fig, width=320, height=240))
    assert len(frames) >= 3  # identical trailing frames may be merged by the encoder
    assert _blob_centre(frames[1], MARKER_COLOR)[2] > 50  # marker at (0.5, 0.2) is drawn
    assert _blob_centre(frames[-1], LINE_COLOR)[2] > 20  # the path up to the exit is drawn

