"""Basin and escape-time maps against closed forms (app/components/basin.py).

Closed forms used (science.md section 1, the slides' "Recap"): one step multiplies the
coordinate eps_i along the Hessian eigenvector v_i by 1 - phi(lambda_i) lambda_i, so on a
quadratic GD's gradient shrinks or grows by |1 - alpha lambda_i| per step, Newton lands on the
critical point in one step and exact saddle-free Newton maps (eps_+, eps_-) to (0, 2 eps_-).
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

import landscapes
from app.components import basin
from app.components.basin import OUTCOME_COLOURS, BasinMap, Stop, compute_basin
from optimizers.run import ESCAPE_FACTOR

GTOL = 1e-6


@pytest.fixture(scope="module")
def saddle():
    """5x^2 - y^2: Hessian diag(10, -2), window [-2, 2]^2."""
    L = landscapes.get("quadratic", eigenvalues=[10.0, -2.0])
    assert np.allclose(L.hess([0.3, -0.2]), np.diag([10.0, -2.0]))
    return L


def escape_radius(L) -> float:
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    return ESCAPE_FACTOR * 0.5 * float(np.linalg.norm(hi - lo))


# ------------------------------------------------------------------------------- the saddle


def test_newton_lands_on_the_saddle_from_every_start_in_one_step(saddle):
    m = compute_basin(saddle, "newton", {}, grid=41, steps=50)
    assert m.stops.shape == (41, 41) and m.steps.shape == (41, 41)
    assert np.all(m.stops == Stop.SADDLE)
    # One step from everywhere but the saddle itself (grid 41 over [-2, 2] contains 0).
    at_origin = (np.abs(m.s)[None, :] < 1e-12) & (np.abs(m.t)[:, None] < 1e-12)
    assert at_origin.sum() == 1
    assert np.all(m.steps[~at_origin] == 1) and np.all(m.steps[at_origin] == 0)
    assert np.max(np.abs(m.ends)) < 1e-12


def test_gd_escapes_off_the_line_y0_and_reaches_the_saddle_on_it(saddle):
    m = compute_basin(saddle, "gd", {"lr": 0.1}, grid=41, steps=200)
    on_line = np.abs(m.t) < 1e-12
    assert on_line.sum() == 1
    row = np.flatnonzero(on_line)[0]
    assert np.all(m.stops[row] == Stop.SADDLE)
    assert np.all(np.delete(m.stops, row, axis=0) == Stop.ESCAPED)
    # lr 0.1: factor 1 - 0.1 * 10 = 0 along x (gone after one step), 1 + 0.1 * 2 = 1.2 along y.
    # The run stops at the first t with |y0| 1.2^t beyond the escape radius R.
    R = escape_radius(saddle)
    y0 = np.abs(m.t[np.abs(m.t) > 1e-12])
    expected = np.floor(np.log(R / y0) / np.log(1.2)) + 1
    taken = np.delete(m.steps, row, axis=0)[:, 0]
    assert np.all(np.abs(taken - expected) <= 1), (taken, expected)
    # Escaped runs went downhill without bound: f(end) far below f(start).
    start_values = np.array([saddle.value(m.start(i, 0)) for i in range(m.grid) if i != row])
    assert np.all(np.delete(m.end_values, row, axis=0)[:, 0] < start_values - 1e5)


def test_saddle_free_escapes_in_the_plane_of_a_3d_saddle():
    """N-D starts on origin + s v+ + t v-: exact saddle-free maps (eps+, eps-) to (0, 2 eps-)."""
    L = landscapes.get("quadratic", eigenvalues=[3.0, 1.0, -2.0], seed=3)
    lam, V = L.extras["eigenvalues"], L.extras["eigenvectors"]
    assert np.allclose(L.hess(np.zeros(3)), V @ np.diag(lam) @ V.T)
    d1, d2 = V[:, 0], V[:, 2]  # lambda = 3 and -2
    m = compute_basin(L, "saddle_free", {}, grid=21, steps=100, origin=np.zeros(3), d1=d1, d2=d2,
                      window=((-1.0, 1.0), (-1.0, 1.0)))
    assert m.ends.shape == (21, 21, 3)
    assert np.allclose(m.start(4, 7), m.s[7] * d1 + m.t[4] * d2)
    row = np.flatnonzero(np.abs(m.t) < 1e-12)[0]
    assert np.all(m.stops[row] == Stop.SADDLE)
    assert np.all(m.steps[row][np.abs(m.s) > 1e-12] == 1)
    assert np.all(np.delete(m.stops, row, axis=0) == Stop.ESCAPED)
    # Escape time: first k with |t| 2^k beyond R (the window's centre is the origin here).
    R = escape_radius(L)
    t0 = np.abs(np.delete(m.t, row))
    expected = np.floor(np.log(R / t0) / np.log(2.0)) + 1
    assert np.all(np.abs(np.delete(m.steps, row, axis=0) - expected[:, None]) <= 1)


def test_newton_slice_keeps_to_the_plane_and_projects_critical_points():
    L = landscapes.get("quadratic", eigenvalues=[3.0, 1.0, -2.0], seed=3)
    V = L.extras["eigenvectors"]
    m = compute_basin(L, "newton", {}, grid=5, steps=10, d1=V[:, 0], d2=V[:, 2])
    assert np.all(m.stops == Stop.SADDLE)
    fig = basin.basin_figure({"newton": m}, critical_points=L.critical_points)
    marks = [t for t in fig.data if t.name == "critical point: saddle"]
    assert len(marks) == 1 and abs(marks[0].x[0]) < 1e-12 and abs(marks[0].y[0]) < 1e-12
    # A plane that misses the saddle does not draw it.
    off = compute_basin(L, "newton", {}, grid=5, steps=10, origin=V[:, 1], d1=V[:, 0], d2=V[:, 2])
    fig = basin.basin_figure({"newton": off}, critical_points=L.critical_points)
    assert not [t for t in fig.data if t.name == "critical point: saddle"]


# ----------------------------------------------------------------------------- escaped vs diverged


def test_too_large_a_rate_diverges_on_a_minimum_but_escapes_on_the_saddle(saddle):
    bowl = landscapes.get("quadratic", eigenvalues=[10.0, 2.0])
    # lr 0.3: factor 1 - 3 = -2 along x: |x| doubles per step and f grows: uphill.
    m = compute_basin(bowl, "gd", {"lr": 0.3}, grid=20, steps=200)
    assert np.all(m.stops == Stop.DIVERGED)
    starts = np.array([m.start(i, j) for i in range(m.grid) for j in range(m.grid)])
    assert np.all(m.end_values.ravel() > np.array([bowl.value(x) for x in starts]))
    # The same rate on 5x^2 - y^2 also diverges (x doubles, f = 5x^2 - y^2 grows) ...
    assert np.all(compute_basin(saddle, "gd", {"lr": 0.3}, grid=20).stops == Stop.DIVERGED)
    # ... while a stable rate leaves downhill along y: escaped, not diverged.
    assert np.all(compute_basin(saddle, "gd", {"lr": 0.1}, grid=20).stops == Stop.ESCAPED)


# ------------------------------------------------------------------------------- Himmelblau


def test_gd_from_near_every_minimum_of_himmelblau_ends_at_that_minimum():
    L = landscapes.get("himmelblau")
    minima = [cp for cp in L.critical_points if cp.kind == landscapes.Kind.MINIMUM]
    assert len(minima) == 4
    for cp in minima:
        c = cp.position
        m = compute_basin(L, "gd", {"lr": 0.01}, grid=7, steps=500, origin=c,
                          d1=[1.0, 0.0], d2=[0.0, 1.0], window=((-0.3, 0.3), (-0.3, 0.3)))
        assert np.all(m.stops == Stop.MINIMUM), cp.position
        ends = m.ends.reshape(-1, 2)
        assert np.max(np.linalg.norm(ends - c, axis=1)) < 1e-4
        for x in ends[::5]:
            assert np.all(np.linalg.eigvalsh(L.hess(x)) > 0)


# ---------------------------------------------------------------------------- steps taken


def test_gd_steps_on_an_isotropic_minimum_match_the_closed_form():
    lam, lr = 2.0, 0.1  # |1 - lr lam| = 0.8
    L = landscapes.get("quadratic", eigenvalues=[lam, lam])
    m = compute_basin(L, "gd", {"lr": lr}, grid=30, steps=500, gtol=GTOL)
    assert np.all(m.stops == Stop.MINIMUM)
    starts = np.array([[m.start(i, j) for j in range(m.grid)] for i in range(m.grid)])
    g0 = lam * np.linalg.norm(starts, axis=-1)
    expected = np.ceil(np.log(GTOL / g0) / np.log(abs(1 - lr * lam)))
    assert np.max(np.abs(m.steps - expected)) <= 1


def test_gd_steps_on_an_anisotropic_minimum_match_the_exact_gradient_decay():
    """|g_t|^2 = sum_i (lambda_i (1 - lr lambda_i)^t x0_i)^2; first t with |g_t| <= gtol, and
    the slowest direction's closed form bounds it within 2 steps."""
    lams, lr = np.array([4.0, 1.0]), 0.1  # factors 0.6 and 0.9
    L = landscapes.get("quadratic", eigenvalues=lams.tolist())
    m = compute_basin(L, "gd", {"lr": lr}, grid=16, steps=1000, gtol=GTOL,
                      window=((0.1, 2.0), (0.1, 2.0)))
    t = np.arange(1001)[:, None, None]
    tt, ss = np.meshgrid(m.t, m.s, indexing="ij")
    gx = lams[0] * ss[None] * (1 - lr * lams[0]) ** t
    gy = lams[1] * tt[None] * (1 - lr * lams[1]) ** t
    exact = np.argmax(np.hypot(gx, gy) <= GTOL, axis=0)
    assert np.max(np.abs(m.steps - exact)) <= 1
    slowest = np.ceil(np.log(GTOL / (lams[1] * tt)) / np.log(1 - lr * lams[1]))
    assert np.max(np.abs(m.steps - slowest)) <= 2


# --------------------------------------------------------------------------------- checks


@pytest.mark.parametrize("kwargs, match", [
    (dict(grid=1), "grid"),
    (dict(grid=1001), "grid"),
    (dict(grid=20.5), "grid"),
    (dict(window=((1.0, 1.0), (0.0, 1.0))), "window"),
    (dict(window=((0.0, np.inf), (0.0, 1.0))), "window"),
    (dict(window="wide"), "window"),
    (dict(d1=[1.0, 0.0], d2=[2.0, 0.0]), "parallel"),
    (dict(d1=[1.0, 0.0, 0.0], d2=[0.0, 1.0]), "shape"),
    (dict(steps=-1), "steps"),
])
def test_bad_arguments_raise_value_errors_naming_them(saddle, kwargs, match):
    with pytest.raises(ValueError, match=match):
        compute_basin(saddle, "gd", {}, **kwargs)


def test_bad_method_and_hyperparameters_raise(saddle):
    with pytest.raises(ValueError, match="unknown method"):
        compute_basin(saddle, "adam", {})
    with pytest.raises(ValueError, match="lr"):
        compute_basin(saddle, "gd", {"lr": -1.0}, grid=4)
    with pytest.raises(ValueError, match="metric"):
        compute_basin(saddle, "natural_gradient", {}, grid=4)


def test_progress_is_reported_per_chunk_and_chunks_do_not_change_the_map(saddle):
    seen = []
    m = compute_basin(saddle, "saddle_free", {}, grid=30, progress=seen.append, chunks=4)
    assert seen == [0.25, 0.5, 0.75, 1.0]
    whole = compute_basin(saddle, "saddle_free", {}, grid=30)
    assert np.array_equal(m.stops, whole.stops) and np.array_equal(m.steps, whole.steps)


# --------------------------------------------------------------------------------- figure


def decode_png(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)])


def test_image_colours_outcomes_and_gets_paler_with_more_steps(saddle):
    m = compute_basin(saddle, "gd", {"lr": 0.1}, grid=41, steps=200)
    fig = basin.basin_figure({"gd": m})
    (image,) = [t for t in fig.data if t.type == "image"]
    rgb = decode_png(image.source)
    assert rgb.shape == (41, 41, 3)
    # Row 0 of the image is t[0] at the bottom: y0 = t[0], dy > 0, increasing axis.
    assert image.y0 == pytest.approx(m.t[0]) and image.dy > 0 and image.x0 == pytest.approx(m.s[0])
    assert fig.layout.yaxis.range[0] < fig.layout.yaxis.range[1]
    row = np.flatnonzero(np.abs(m.t) < 1e-12)[0]
    # The line y = 0 reaches the saddle in one step: its exact colour.
    saddle_rgb = hex_rgb(OUTCOME_COLOURS[Stop.SADDLE])
    assert np.all(np.abs(rgb[row, m.steps[row] == 1] - saddle_rgb) <= 1)
    # Escaped cells: between sky blue and white, and paler (brighter) the more steps they took.
    sky = hex_rgb(OUTCOME_COLOURS[Stop.ESCAPED])
    col = rgb[:, 5].astype(int)
    esc = np.arange(m.grid) != row
    assert np.all(col[esc] >= sky - 1) and np.all(col[esc] <= 255)
    order = np.argsort(m.steps[esc, 5], kind="stable")
    brightness = col[esc].sum(axis=1)[order]
    assert np.all(np.diff(brightness) >= -1)
    assert brightness[-1] > brightness[0] + 30


def test_figure_has_one_image_per_method_shared_axes_and_a_consistent_legend():
    L = landscapes.get("himmelblau")
    maps = {m: compute_basin(L, m, {"lr": 0.01} if m == "gd" else {}, grid=40, steps=100)
            for m in ("gd", "newton", "saddle_free")}
    fig = basin.basin_figure(maps, critical_points=L.critical_points, start=[1.0, 1.0])
    images = [t for t in fig.data if t.type == "image"]
    assert [t.name for t in images] == ["gd", "newton", "saddle_free"]
    assert [t.xaxis for t in images] == ["x", "x2", "x3"]
    assert fig.layout.xaxis2.matches == "x" and fig.layout.yaxis3.matches == "y"
    present = set()
    for m in maps.values():
        present |= {Stop(int(c)) for c in np.unique(m.stops)}
    legend = [t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False
              and t.x == (None,)]
    assert legend == [basin.OUTCOME_LABELS[s] for s in basin.OUTCOME_ORDER if s in present]
    # Newton on Himmelblau: minima, saddles and the maximum all attract.
    assert {Stop.MINIMUM, Stop.SADDLE, Stop.MAXIMUM} <= present
    # Nine critical points on each of the three panels, the start once per panel.
    marks = [t for t in fig.data if (t.name or "").startswith("critical point")]
    assert len(marks) == 27
    stars = [t for t in fig.data if t.name == "current start"]
    assert len(stars) == 3 and stars[0].x == (1.0,) and stars[0].y == (1.0,)
    assert fig.layout.meta["kind"] == "basin_map" and fig.layout.meta["grid"] == 40


def test_hover_lattice_carries_the_outcome_and_steps_of_its_starts(saddle):
    m = compute_basin(saddle, "gd", {"lr": 0.1}, grid=200, steps=200)
    fig = basin.basin_figure({"gd": m})
    lattice = [t for t in fig.data if t.type == "scatter" and t.customdata is not None]
    assert {t.name for t in lattice} <= {f"gd: {s.label}" for s in Stop}
    total = 0
    for trace in lattice:
        stop = next(s for s in Stop if trace.name == f"gd: {s.label}")
        assert basin.OUTCOME_LABELS[stop] in trace.hovertemplate
        for x, y, steps in list(zip(trace.x, trace.y, trace.customdata))[::97]:
            s, t = basin.snap_to_grid((x, y), ((m.s[0], m.s[-1]), (m.t[0], m.t[-1])), m.grid)
            j, i = int(np.argmin(np.abs(m.s - s))), int(np.argmin(np.abs(m.t - t)))
            assert m.s[j] == s and m.t[i] == t  # a click lands exactly on a start of the map
            assert m.stops[i, j] == stop and m.steps[i, j] == steps
        total += len(trace.x)
    assert total == basin.CLICK_LATTICE ** 2


def test_five_maps_at_200_stay_below_one_megabyte_even_for_noise():
    """Random outcomes and steps are the worst case for the PNG encoder."""
    rng = np.random.default_rng(0)
    s = np.linspace(-2, 2, 200)
    maps = {}
    for k in range(5):
        stops = rng.integers(0, 8, (200, 200)).astype(np.int8)
        steps = rng.integers(0, 201, (200, 200)).astype(np.int32)
        maps[f"m{k}"] = BasinMap("gd", {}, s, s, stops, steps, np.zeros((200, 200, 2)),
                                 np.zeros((200, 200)), 200, np.zeros(2), np.eye(2)[0],
                                 np.eye(2)[1])
    fig = basin.basin_figure(maps)
    size = basin.figure_json_size(fig)
    assert size < 1_000_000, size
    json.loads(fig.to_json())


def test_picked_point_reads_selection_events():
    event = {"selection": {"points": [{"x": 0.25, "y": -1.5, "curve_number": 3}]}}
    assert basin.picked_point(event) == (0.25, -1.5)
    assert basin.picked_point(event["selection"]) == (0.25, -1.5)
    assert basin.picked_point({"selection": {"points": []}}) is None
    assert basin.picked_point(None) is None
    assert basin.picked_point({"selection": {"points": [{"x": "nan", "y": 1}]}}) is None
    assert basin.picked_point({"selection": {"points": [{"x": "a"}]}}) is None
    assert basin.snap_to_grid((0.009, 2.7), ((-2.0, 2.0), (-2.0, 2.0)), 201) == (0.0, 2.0)


def test_summary_and_counts(saddle):
    m = compute_basin(saddle, "gd", {"lr": 0.1}, grid=41)
    counts = m.counts()
    assert counts == {Stop.SADDLE: 41, Stop.ESCAPED: 41 * 40}
    assert m.summary().startswith("escaped 97.6 %, saddle 2.44 %")


def test_scene_inputs_reads_the_explorer_scene():
    scene_module = pytest.importorskip("app.components.scene")
    scene = scene_module.Scene()
    L = scene.build_landscape()
    inputs = basin.scene_inputs(L, scene)
    assert inputs.is_explorer_scene and inputs.methods == tuple(scene.methods)
    assert inputs.hyper["gd"]["lr"] == scene.hyper_for("gd")["lr"]
    plane = scene_module.plane_for(L, scene.origin, scene.directions)
    assert inputs.plane["labels"] == tuple(plane.axis_labels)
    m = compute_basin(L, "newton", inputs.hyper["newton"], grid=5, steps=5, **inputs.plane)
    assert np.allclose(m.point(*scene.start), plane.lift(scene.start))


def test_the_pilot_estimate_scales_the_pilot_time_to_the_grid(monkeypatch):
    L = landscapes.get("quadratic", eigenvalues=[3.0, 1.0, -2.0, 0.5, -1.0], seed=1)
    V = L.extras["eigenvectors"]
    pilots = []

    def counted(L_, method, hyper, **kwargs):
        pilots.append((method, kwargs["grid"], kwargs["steps"]))

    clock = iter(np.arange(0.0, 100.0, 0.5))  # every pilot run "takes" 0.5 s
    monkeypatch.setattr(basin, "compute_basin", counted)
    monkeypatch.setattr(basin.time, "perf_counter", lambda: next(clock))
    seconds = basin.estimate_seconds(L, {"saddle_free": {}, "newton": {}}, grid=100, steps=20,
                                     d1=V[:, 0], d2=V[:, 1])
    assert pilots == [("saddle_free", 5, 20), ("newton", 5, 20)]
    assert seconds == pytest.approx(2 * 0.5 * (100 / 5) ** 2)
