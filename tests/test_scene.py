"""The explorer's Scene (query round trip, hostile links), its plane, presets, the update-rule
panel's numbers and the main figure's structure, against closed forms and numpy.linalg."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import plotly.io as pio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
import optimizers
from app.components import explorer_panel as panel
from app.components import figures
from app.components import scene as sc

TWO_D = ["quadratic", "symmetric_net", "two_param_net", "himmelblau", "monkey_saddle",
         "degenerate_saddle"]


# --------------------------------------------------------------------------- round trip


def test_default_scene_is_the_quadratic_default():
    assert sc.Scene() == sc.Scene.default("quadratic")
    # "next to the saddle" on 2x^2/2 - y^2/2: half a window along v+ = x, 2% along v- = y
    assert sc.Scene().start == (1.0, 0.04)


@pytest.mark.parametrize("name", landscapes.names())
def test_every_landscape_default_round_trips(name):
    scene = sc.Scene.default(name)
    query = scene.to_query()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    back, warnings = sc.Scene.from_query(query)
    assert warnings == []
    assert back == scene


def _floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def scenes(draw):
    name = draw(st.sampled_from(TWO_D))
    params = {}
    for spec in sc.param_specs(name):
        if spec.kind == "float":
            params[spec.key] = draw(_floats(spec.lo, spec.hi))
    if name == "symmetric_net" and abs(params["a"] - params["b"]) < 1e-3:
        params["b"] = params["a"] + (0.5 if params["a"] < 0 else -0.5)
    L = landscapes.get(name, **sc.landscape_kwargs(name, params))
    lo, hi = sc.plane_for(L).start_limits()
    start = (draw(_floats(lo[0], hi[0])), draw(_floats(lo[1], hi[1])))
    allowed = [m for m in optimizers.methods()
               if not optimizers.method_info(m).needs_metric or L.has_metric]
    methods = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=len(allowed)))
    hyper = {}
    for m in draw(st.lists(st.sampled_from(optimizers.methods()), unique=True, max_size=3)):
        h = {"lr": draw(_floats(1e-4, 10.0))}
        if "damping" in optimizers.method_info(m).hyper:
            auto = optimizers.method_info(m).hyper["damping"].allow_auto and draw(st.booleans())
            h["damping"] = "auto" if auto else draw(_floats(0.0, 100.0))
        if m == "sgd":
            h["noise"] = draw(_floats(0.0, 10.0))
            h["seed"] = draw(st.integers(0, 2**31 - 1))
        hyper[m] = h
    return sc.Scene.make(
        name, params, start, methods, hyper, draw(st.integers(1, sc.MAX_STEPS)),
        view=draw(st.sampled_from(["2d", "3d"])), arrows=draw(st.booleans()),
        fps=draw(st.integers(*sc.FPS_RANGE)), basins=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_query_round_trip_is_exact(scene):
    back, warnings = sc.Scene.from_query(scene.to_query())
    assert warnings == []
    assert back == scene
    assert back.to_query() == scene.to_query()


def test_nd_slice_round_trips():
    scene = sc.Scene.make("linear_net", {"depth": 2, "s": (2.0, 1.0)}, start=(0.3, -0.2),
                          origin="c0", directions="e:1,-2")
    back, warnings = sc.Scene.from_query(scene.to_query())
    assert warnings == [] and back == scene
    assert back.to_query()["p.s"] == "2,1"


def test_query_keys_are_short_and_minimal():
    q = sc.Scene().with_hyper("gd", lr=0.05).with_hyper("damped_newton", damping="auto").to_query()
    # damped Newton's damping is "auto" by default: not written; gd.lr differs: written
    assert q == {"l": "quadratic", "x0": "1,0.04", "m": "gd,nt,dn,sf", "gd.lr": "0.05", "n": "100"}


# --------------------------------------------------------------------------- hostile links


@pytest.mark.parametrize("key, value", [
    ("l", "no_such_landscape"), ("p.l1", "nan"), ("p.l1", "7"), ("p.l2", "abc"),
    ("p.zz", "1"), ("x0", "1"), ("x0", "inf,0"), ("x0", "1e9,0"), ("m", "gd,bogus"),
    ("gd.lr", "-1"), ("gd.lr", "nan"), ("dn.damping", "sometimes"), ("sgd.seed", "1.5"),
    ("ksf.k", "0"), ("gd.zz", "1"), ("n", "0"), ("n", "1e9"), ("n", "ten"), ("fps", "0"),
    ("v", "4d"), ("arr", "2"), ("b", "yes"), ("o", "c0"), ("d", "e:0,0"), ("zz", "1"),
])
def test_a_bad_value_falls_back_with_a_warning_naming_its_key(key, value):
    scene, warnings = sc.Scene.from_query({key: value})
    assert warnings, f"no warning for {key}={value}"
    assert any(w.startswith(key) for w in warnings), warnings
    default = sc.Scene()
    # everything else is the default scene (a dropped method keeps the others)
    if key == "m":
        assert scene.methods == ("gd",)
    else:
        assert scene == default


def test_parameters_that_do_not_fit_together_fall_back():
    scene, warnings = sc.Scene.from_query({"l": "symmetric_net", "p.a": "1", "p.b": "1"})
    assert scene.params_dict == {"a": 1.5, "b": 0.5}
    assert any("a and b must differ" in w for w in warnings)


def test_natural_gradient_is_dropped_where_there_is_no_metric():
    scene, warnings = sc.Scene.from_query({"l": "quadratic", "m": "gd,ng"})
    assert scene.methods == ("gd",) and any("metric" in w for w in warnings)
    scene, warnings = sc.Scene.from_query({"l": "two_param_net", "m": "gd,ng"})
    assert scene.methods == ("gd", "natural_gradient") and warnings == []


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
known = st.sampled_from(sorted(sc._SCENE_KEYS) + ["p.l1", "p.l2", "p.ang", "p.s", "gd.lr",
                                                   "dn.damping", "ksf.k", "sgd.seed", "p.dim"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(known, text), st.one_of(text, st.lists(text, max_size=3)),
                       max_size=8))
def test_garbage_never_raises(mapping):
    scene, warnings = sc.Scene.from_query(mapping)
    assert isinstance(scene, sc.Scene)
    assert all(isinstance(w, str) for w in warnings)
    again, more = sc.Scene.from_query(scene.to_query())
    assert more == [] and again == scene


# --------------------------------------------------------------------------- compute


def test_compute_runs_the_methods_from_the_start():
    scene = sc.Scene.make("quadratic", {"l1": 3.0, "l2": -1.5, "ang": 30.0}, start=(0.5, 0.2),
                          methods=("gd", "newton"), hyper={"gd": {"lr": 0.05}}, steps=20)
    gd, newton = sc.compute(scene)
    a = math.radians(30.0)
    V = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    H = V @ np.diag([3.0, -1.5]) @ V.T
    x0 = np.array([0.5, 0.2])
    np.testing.assert_allclose(gd.xs[0], x0)
    np.testing.assert_allclose(gd.xs[1], x0 - 0.05 * H @ x0, rtol=1e-12)
    np.testing.assert_allclose(newton.xs[1], [0.0, 0.0], atol=1e-12)  # Newton: onto the saddle


def test_the_n_d_slice_is_spanned_by_the_extreme_eigenvectors():
    L = landscapes.get("linear_net")
    plane = sc.plane_for(L, "auto", "e:0,-1")
    H = L.hess(plane.origin)
    lam = np.linalg.eigvalsh(H)
    assert abs(plane.d1 @ plane.d2) < 1e-12
    assert np.isclose(np.linalg.norm(plane.d1), 1) and np.isclose(np.linalg.norm(plane.d2), 1)
    np.testing.assert_allclose(H @ plane.d1, lam[0] * plane.d1, atol=1e-10)
    np.testing.assert_allclose(H @ plane.d2, lam[-1] * plane.d2, atol=1e-10)
    st_ = np.array([0.3, -0.7])
    np.testing.assert_allclose(plane.project(plane.lift(st_)[None])[0], st_, atol=1e-12)
    axes = sc.plane_for(L, "centre", "a:2,5")
    np.testing.assert_array_equal(axes.d1, np.eye(L.dim)[2])


def test_presets_around_a_rotated_saddle():
    L = landscapes.get("quadratic", eigenvalues=[2.0, -1.0], angle=math.radians(30))
    plane = sc.plane_for(L)
    ref = sc.nearest_saddle(L, np.zeros(2))
    v_minus = np.array([-math.sin(math.radians(30)), math.cos(math.radians(30))])
    named = sc.presets(L, plane, ref)
    assert abs(np.array(named["stable"]) @ v_minus) < 1e-12      # on the stable manifold
    assert 0 < abs(np.array(named["near"]) @ v_minus) < 0.1       # a small push along v-
    gd = optimizers.run(L, "gd", named["stable"], steps=300, lr=0.1)
    assert gd.stop == optimizers.Stop.SADDLE  # GD from the stable manifold ends on the saddle


# --------------------------------------------------------------------------- panel numbers


def test_panel_factors_match_the_closed_forms():
    scene = sc.Scene.make("quadratic", {"l1": 2.0, "l2": -1.0}, start=(1.0, 0.04),
                          methods=("gd", "newton", "damped_newton", "saddle_free"),
                          hyper={"gd": {"lr": 0.1}})
    L = scene.build_landscape()
    ref = sc.reference_point(L, np.array(scene.start))
    np.testing.assert_allclose(ref.eigenvalues, [-1.0, 2.0])
    got = {m: panel.method_factors(scene, L, ref, m) for m in scene.methods}
    lam = np.array([-1.0, 2.0])
    np.testing.assert_allclose(got["gd"].factors, 1 - 0.1 * lam)
    np.testing.assert_allclose(got["newton"].factors, [0.0, 0.0], atol=1e-15)
    m = 0.1 - lam.min()  # the slides' auto damping plus the 0.1 margin
    np.testing.assert_allclose(got["damped_newton"].factors, m / (lam + m))
    np.testing.assert_allclose(got["saddle_free"].factors, [2.0, 0.0])
    assert got["gd"].verdicts[0] == "negative curvature: pushed away, ×1.1 per step"
    assert got["newton"].verdicts[0].startswith("negative curvature: attracted: ×0")
    assert "oscillates and grows" in panel.verdict(3.0, -2.5)
    assert "(oscillating)" in panel.verdict(3.0, -0.5)
    assert "singular" in panel.verdict(0.0, math.inf)


def test_panel_markdown_block_of_a_method():
    """One markdown element per method: the rule and the factors as display math, then a
    plain-text verdict per shown direction (v₁, v₂, ... as Unicode subscripts)."""
    assert [panel.direction_name(i) for i in (0, 1, 11)] == ["v₁", "v₂", "v₁₂"]
    scene = sc.Scene.make("quadratic", {"l1": 2.0, "l2": -1.0}, start=(1.0, 0.04),
                          methods=("gd",), hyper={"gd": {"lr": 0.1}})
    L = scene.build_landscape()
    ref = sc.reference_point(L, np.array(scene.start))
    mf = panel.method_factors(scene, L, ref, "gd")
    text = panel.method_markdown(mf, [0, 1], "#123456")
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", text, flags=re.S)
    assert blocks == [mf.rule, panel.factors_latex(mf, [0, 1])]
    factors = re.search(r"= \(([^)]*)\)$", blocks[1]).group(1).split(", ")
    np.testing.assert_allclose([float(f) for f in factors], 1 - 0.1 * ref.eigenvalues)
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets == ["- v₁ (λ = -1): negative curvature: pushed away, ×1.1 per step",
                       f"- v₂ (λ = 2): {mf.verdicts[1]}"]
    assert "color:#123456" in text and "**Gradient descent**" in text
    assert "$" not in "".join(bullets)  # no KaTeX outside the two display formulas
    assert "<small" not in text  # gradient descent has no note
    sgd = panel.method_factors(scene, L, ref, "sgd")
    assert panel.method_markdown(sgd, [0, 1], "#000").endswith(
        "\n\n<small style='opacity:0.7'>" + sgd.note + "</small>")
    assert panel.small("a < b & c") == "<small style='opacity:0.7'>a &lt; b &amp; c</small>"


def test_natural_gradient_factors_use_the_metric_along_the_eigenvectors():
    scene = sc.Scene.make("two_param_net", methods=("natural_gradient",),
                          hyper={"natural_gradient": {"damping": 0.5}})
    L = scene.build_landscape()
    ref = sc.reference_point(L, np.array(scene.start))
    mf = panel.method_factors(scene, L, ref, "natural_gradient")
    # At the origin F = J^T J = 0: phi = 1/(0 + m), factor 1 - lambda/m
    np.testing.assert_allclose(mf.factors, 1 - ref.eigenvalues / 0.5)


def test_eps_coordinates_shrink_by_the_factor_per_step():
    L = landscapes.get("quadratic", eigenvalues=[2.0, -1.0], angle=0.4)
    ref = sc.reference_point(L, np.array([0.5, 0.1]))
    traj = optimizers.run(L, "gd", [0.5, 0.1], steps=10, lr=0.1)
    eps = panel.eigen_coordinates(traj.xs, ref)
    np.testing.assert_allclose(eps[1:] / eps[:-1], np.tile(1 - 0.1 * ref.eigenvalues, (10, 1)),
                               rtol=1e-10)
    newton = optimizers.run(L, "newton", [0.5, 0.1], steps=3)
    mags = panel.eps_magnitudes(newton.xs, ref)
    assert np.all(mags[1] == panel.EPS_FLOOR)


# --------------------------------------------------------------------------- the figure


def _figure(scene):
    L = scene.build_landscape()
    plane = sc.plane_for(L, scene.origin, scene.directions)
    trajs = sc.compute(scene, L)
    ref = sc.reference_point(L, plane.lift(scene.start))
    fig = figures.explorer_figure(scene, L, plane, trajs, figures.landscape_grid(L, plane), ref)
    return fig, json.loads(pio.to_json(fig.to_dict(), validate=False)), trajs


def test_figure_has_one_frame_per_step_and_moves_only_the_paths():
    scene = sc.Scene.make("quadratic", methods=("gd", "saddle_free"), steps=37)
    fig, spec, trajs = _figure(scene)
    assert len(spec["frames"]) == 38  # t = 0 .. 37
    moving = spec["frames"][0]["traces"]
    names = [spec["data"][i]["name"] for i in moving]
    assert names == ["Gradient descent", "Saddle-free Newton"]  # trail and head, one trace
    # frame t shows each method's trail up to theta_t, the head (the one marker) at theta_t
    gd = trajs[0]
    sizes = spec["data"][moving[0]]["marker"]["size"]
    assert sizes == [0] * (figures.TRAIL - 1) + [12]
    for t in (0, 5, 20):
        trail = spec["frames"][t]["data"][0]
        xy = np.column_stack([trail["x"], trail["y"]])
        assert len(xy) == figures.TRAIL  # padded with its first point
        np.testing.assert_allclose(xy[-1], gd.xs[t], atol=1e-4)
        lo = max(0, t + 1 - figures.TRAIL)
        np.testing.assert_allclose(np.unique(xy, axis=0),
                                   np.unique(np.round(gd.xs[lo:t + 1], 4), axis=0), atol=1e-4)
    # the end marker's legend names the stop reason
    end = next(d for d in spec["data"] if d["name"].startswith("Saddle-free Newton:"))
    assert trajs[1].stop.label in end["name"] and trajs[1].stop.description in end["hovertemplate"]
    assert spec["layout"]["xaxis"]["range"] == [-2.0, 2.0]
    # validated plotly frames for the exporters
    assert len(fig.full_figure().frames) == 38


def test_figure_json_stays_under_a_megabyte_with_five_methods_and_300_steps():
    # tiny steps: no run stops early, every frame carries full trails
    methods = ("gd", "sgd", "newton", "damped_newton", "saddle_free")
    hyper = {m: {"lr": 1e-3} for m in methods}
    scene = sc.Scene.make("quadratic", methods=methods, hyper=hyper, steps=300, start=(1.5, 1.5))
    fig, spec, trajs = _figure(scene)
    assert [t.steps for t in trajs] == [300] * 5
    size = len(pio.to_json(fig.to_dict(), validate=False))
    assert size < 1_000_000, size
    assert len(spec["frames"]) == 301
    # the step slider stops at every 5th step (at most SLIDER_TICKS + 1 stops), the last
    # included, and every stop shows an existing frame
    stops = spec["layout"]["sliders"][0]["steps"]
    shown = [int(step["args"][0][0]) for step in stops]
    assert shown == list(range(0, 301, 5)) and len(stops) <= figures.SLIDER_TICKS + 1
    assert {str(k) for k in shown} <= {f["name"] for f in spec["frames"]}
    assert spec["layout"]["sliders"][0]["active"] == len(stops) - 1  # starts at the end


@pytest.mark.parametrize("steps", [1, 59, 60, 61, 119, 300, 1000])
def test_slider_stops_cover_the_run(steps):
    ks = figures.slider_steps(steps)
    assert ks[0] == 0 and ks[-1] == steps and ks == sorted(set(ks))
    assert len(ks) <= figures.SLIDER_TICKS + 2
    gaps = np.diff(ks)
    assert gaps.max() == max(1, -(-steps // figures.SLIDER_TICKS))  # one stride, the last shorter
    if steps <= figures.SLIDER_TICKS:
        assert ks == list(range(steps + 1))


def test_critical_points_are_marked_by_kind():
    _, spec, _ = _figure(sc.Scene.make("quadratic", {"l2": -1.0}))
    assert "saddle" in [d["name"] for d in spec["data"]]
    _, spec, _ = _figure(sc.Scene.make("quadratic", {"l2": 1.0}))
    names = [d["name"] for d in spec["data"]]
    assert "minimum" in names and "saddle" not in names
    _, spec, _ = _figure(sc.Scene.make("monkey_saddle"))
    assert "degenerate saddle" in [d["name"] for d in spec["data"]]
    fig, _, _ = _figure(sc.Scene.make("himmelblau"))
    kinds = {d.name: len(d.x) for d in fig.data if d.legendgroup == "critical points"}
    assert kinds == {"minimum": 4, "maximum": 1, "saddle": 4}


def test_eigenvector_arrows_scale_with_the_eigenvalue_and_its_sign():
    _, spec, _ = _figure(sc.Scene.make("quadratic", {"l1": 4.0, "l2": -1.0}))
    arrows = {d["name"]: d for d in spec["data"] if d.get("legendgroup") == "eigenvectors"}
    neg = next(d for n, d in arrows.items() if "negative" in n)
    pos = next(d for n, d in arrows.items() if "positive" in n)
    length = lambda d: math.hypot(d["x"][1] - d["x"][0], d["y"][1] - d["y"][0])  # noqa: E731
    assert math.isclose(length(pos) / length(neg), 4.0)
    assert neg["line"]["color"] == figures.NEGATIVE_COLOUR
    assert pos["line"]["color"] == figures.POSITIVE_COLOUR


def test_3d_view_and_slices_build():
    _, spec, _ = _figure(sc.Scene.make("quadratic", view="3d", steps=12))
    assert spec["data"][0]["type"] == "surface" and len(spec["frames"]) == 13
    _, spec, _ = _figure(sc.Scene.make("linear_autoencoder", steps=15))
    assert spec["data"][0]["type"] == "contour" and len(spec["frames"]) == 16


def test_every_method_has_its_own_colour():
    from app.components import palette

    assert set(palette.METHOD_COLOURS) == set(optimizers.methods())
    assert len(set(palette.METHOD_COLOURS.values())) == len(palette.METHOD_COLOURS)


def test_panel_figures_are_valid_plotly():
    import plotly.graph_objects as go

    scene = sc.Scene.make("quadratic", methods=("gd", "newton", "saddle_free"), steps=60)
    L = scene.build_landscape()
    plane = sc.plane_for(L)
    trajs = sc.compute(scene, L)
    ref = sc.reference_point(L, plane.lift(scene.start))
    eps = go.Figure(figures.eps_figure(trajs, ref).to_dict())  # validates every property
    assert eps.layout.yaxis.type == "log" and len(eps.data) == 3 * 2
    grid = figures.landscape_grid(L, plane)
    progress = go.Figure(figures.progress_figure(trajs, window_values=grid[2]).to_dict())
    # saddle-free escapes to -inf: the value axis stops one landscape range below the window
    z = grid[2]
    lo, hi = progress.layout.yaxis.range
    assert lo == pytest.approx((z.min() - (z.max() - z.min())) - 0.05 * (hi - lo) / 1.1, rel=0.05)
    assert progress.layout.yaxis2.type == "log"


# --------------------------------------------------------------------------- command line


def test_cli_writes_the_trajectories_and_the_scene(tmp_path, capsys):
    from app import export, export_cli

    code = export_cli.main([
        "--landscape", "quadratic", "--params", '{"l1": 3, "l2": -0.5}', "--start", "0.8,0.1",
        "--methods", '{"gd": {"lr": 0.05}, "newton": {}}', "--steps", "25",
        "--formats", "csv,json,html", "--out", str(tmp_path), "--name", "fig"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads((tmp_path / "fig.json").read_text())
    assert doc["scene"]["query"] == {"l": "quadratic", "p.l1": "3", "p.l2": "-0.5", "x0": "0.8,0.1",
                                     "m": "gd,nt", "gd.lr": "0.05", "n": "25"}
    gd = doc["trajectories"][0]
    assert gd["method"] == "gd" and gd["hyper"]["lr"] == 0.05
    # the first step is the closed form x - alpha H x with H = diag(3, -0.5)
    np.testing.assert_allclose(gd["xs"][1], [0.8 - 0.05 * 3 * 0.8, 0.1 + 0.05 * 0.5 * 0.1])
    header = export.csv_parameters((tmp_path / "fig.csv").read_text())
    assert header["scene"]["landscape_kwargs"]["eigenvalues"] == [3.0, -0.5]
    assert [r["method"] for r in header["runs"]] == ["gd", "newton"]
    html = (tmp_path / "fig.html").read_bytes()
    assert b"<html" in html[:200].lower() and b"Plotly.addFrames" in html  # animated paths
    # the link the page would show for the same scene
    assert "l=quadratic&p.l1=3&p.l2=-0.5" in capsys.readouterr().out


def test_cli_rejects_bad_values_unless_lenient(tmp_path, capsys):
    from app import export_cli

    args = ["--query", "l=quadratic&p.l2=abc", "--formats", "csv", "--out", str(tmp_path)]
    assert export_cli.main(args) == 2
    assert "p.l2" in capsys.readouterr().err
    assert export_cli.main(args + ["--lenient"]) == 0
    assert (tmp_path / "saddle-quadratic.csv").exists()
    assert export_cli.main(["--formats", "bmp"]) == 2
    assert export_cli.main(["--methods", "{not json", "--formats", "csv"]) == 2
    assert export_cli.main(["--list"]) == 0
    assert "quadratic: l1=2" in capsys.readouterr().out
