"""Named scenes and stories (app/components/scenes.py, app/components/stories.py).

Every named scene is a link that reads back to the same scene without a warning, and every
claim a scene makes (how each run ends, what its narrative says about factors and times, the
right answer of its prediction) is checked against real runs.  The stories' measurements are
checked against the closed forms they illustrate.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

import landscapes
import optimizers
from app.components import stories as stories_lib
from app.components.scene import Scene, compute
from app.components.scenes import (
    SCENES, SLIDE_SCENES, Option, Prediction, describe_changes, explorer_link, outcome_matches,
    scene_plane,
)
from optimizers import Stop

NAMES = sorted(SCENES)


@pytest.fixture(scope="module")
def runs() -> dict:
    """name -> {method: Trajectory} for every named scene."""
    return {name: {t.method: t for t in compute(SCENES[name].scene)} for name in NAMES}


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize("name", NAMES)
def test_scene_round_trips_through_its_query_without_warnings(name):
    scene = SCENES[name].scene
    back, warnings = Scene.from_query(scene.to_query())
    assert warnings == []
    assert back == scene


@pytest.mark.parametrize("name", NAMES)
def test_link_is_the_explorer_path_with_the_scene_query(name):
    named = SCENES[name]
    parts = urlsplit(named.link)
    assert parts.path == "/explorer"
    query = dict(parse_qsl(parts.query, strict_parsing=True))
    assert query == named.scene.to_query()
    assert Scene.from_query(query) == (named.scene, [])


def test_a_link_keeps_commas_readable():
    assert SCENES["newton_attracted"].link == "/explorer?l=quadratic&x0=1,0.04&m=gd,nt&n=100"
    assert explorer_link(Scene()) == "/explorer?l=quadratic&x0=1,0.04&m=gd,nt,dn,sf&n=100"


def test_slide_scenes_follow_the_deck():
    letters = [s.slide[0] for s in SLIDE_SCENES]
    assert letters == ["A", "B", "C", "C", "D", "E"]
    methods = [set(s.scene.methods) for s in SLIDE_SCENES]
    assert "gd" in methods[0] and "newton" in methods[1] and "damped_newton" in methods[2]
    assert "natural_gradient" in methods[4] and "saddle_free" in methods[5]
    assert SLIDE_SCENES[4].scene.landscape == "two_param_net"


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize("name", NAMES)
def test_every_run_ends_as_the_scene_claims(name, runs):
    named = SCENES[name]
    assert named.expect, "a scene states how its runs end"
    for method, stops in named.expect:
        run = runs[name][method]
        assert run.stop in stops, f"{method}: {run.stop} not in {sorted(s.name for s in stops)}"


PREDICTED = [n for n in NAMES if SCENES[n].prediction is not None]


@pytest.mark.parametrize("name", PREDICTED)
def test_the_correct_answer_and_only_it_describes_the_outcome(name, runs):
    named = SCENES[name]
    matches = outcome_matches(named.prediction, list(runs[name].values()), scene_plane(named.scene))
    assert matches[named.prediction.correct]
    assert sum(matches) == 1, matches


def test_the_slides_ask_their_questions():
    assert {"newton_attracted", "damped_attracted", "saddle_free_escapes",
            "natural_gradient_singular", "gd_slow_escape"} <= set(PREDICTED)


def test_a_prediction_needs_a_valid_answer_and_method():
    with pytest.raises(ValueError, match="correct"):
        Prediction("q", "gd", (Option("a", frozenset()),), 1, "e")
    with pytest.raises(ValueError, match="unknown method"):
        Prediction("q", "nope", (Option("a", frozenset()),), 0, "e")


def test_gd_slow_escape_grows_by_one_percent_per_step(runs):
    gd = runs["gd_slow_escape"]["gd"]
    # factors 1 - alpha lambda = (0.5, 1.01); the narrative's 0.04 * 1.01^300 = 0.79
    np.testing.assert_allclose(gd.xs[:, 1], 0.04 * 1.01 ** np.arange(301), rtol=1e-12)
    np.testing.assert_allclose(gd.xs[:, 0], 0.5 ** np.arange(301), rtol=1e-12, atol=1e-300)
    assert gd.xs[-1, 1] == pytest.approx(0.79, abs=0.005)
    assert abs(gd.xs[-1, 1]) < 1.0  # still in the unit window: the prediction's answer
    sf = runs["saddle_free_small_gap"]["saddle_free"]
    assert sf.steps == 17  # the same saddle, saddle-free Newton: doubling, gone after 17


@pytest.mark.parametrize("name", ["newton_attracted", "newton_far_start", "saddle_free_escapes"])
def test_newton_lands_on_the_quadratic_saddle_in_one_step(name, runs):
    newton = runs[name]["newton"]
    assert newton.steps == 1
    np.testing.assert_allclose(newton.xs[1], [0.0, 0.0], atol=1e-14)


def test_damped_newton_moves_by_m_over_lambda_plus_m(runs):
    dn = runs["damped_slow"]["damped_newton"]
    np.testing.assert_allclose(dn.xs[1:, 1] / dn.xs[:-1, 1], 1.0 / (-0.1 + 1.0), rtol=1e-9)
    np.testing.assert_allclose(dn.xs[1:6, 0] / dn.xs[:5, 0], 1.0 / (2.0 + 1.0), rtol=1e-9)
    sf = runs["damped_slow"]["saddle_free"]
    np.testing.assert_allclose(sf.xs[2:, 1] / sf.xs[1:-1, 1], 2.0, rtol=1e-9)
    # "38 steps to reach the window's edge (y = 2) ... saddle-free is there after 6"
    assert np.argmax(np.abs(dn.xs[:, 1]) >= 2) == 38 and np.argmax(np.abs(sf.xs[:, 1]) >= 2) == 6
    for name, m, factor in (("damped_attracted", 0.4, -2 / 3), ("damped_threshold", 0.5, -1.0),
                            ("damped_oscillating_escape", 0.6, -1.5)):
        ys = runs[name]["damped_newton"].xs[:, 1]
        k = min(len(ys) - 1, 20)
        np.testing.assert_allclose(ys[1:k + 1] / ys[:k], m / (-1.0 + m), rtol=1e-9)
        assert m / (-1.0 + m) == pytest.approx(factor)
    auto = runs["damped_auto"]["damped_newton"]
    assert auto.xs[1, 1] / auto.xs[0, 1] == pytest.approx(1.1 / 0.1)  # m = 0.1 - lambda_min


@pytest.mark.parametrize("lam", [-0.5, -1.0, -2.0])
def test_damped_newton_is_attracted_exactly_when_lambda_is_below_minus_two_m(lam):
    L = landscapes.get("quadratic", eigenvalues=[2.0, lam])
    for ratio in (0.3, 0.45, 0.55, 0.8, 1.2):
        m = -lam * ratio  # lambda < -2m  <=>  ratio < 1/2
        run = optimizers.run(L, "damped_newton", [1.0, 0.04], steps=400, damping=m)
        attracted = lam < -2 * m
        assert (run.stop == Stop.SADDLE) == attracted, (lam, m, run.stop)


def test_natural_gradient_jumps_far_from_the_singular_fisher(runs):
    ng = runs["natural_gradient_singular"]["natural_gradient"]
    first = float(np.linalg.norm(ng.xs[1] - ng.xs[0]))
    assert 500 < first < 800  # "about 640"
    end = ng.xs[-1]
    assert end[0] * end[1] == pytest.approx(1.0, abs=1e-5)  # on the valley w1 w2 = 1
    np.testing.assert_allclose(end, [210, 0.0048], rtol=0.02)
    L = landscapes.get("two_param_net")
    assert np.linalg.matrix_rank(L.metric(ng.xs[0]), tol=1e-12) <= 1
    np.testing.assert_allclose(L.metric([0.0, 0.0]), np.zeros((2, 2)), atol=0)
    gd = runs["natural_gradient_singular"]["gd"]
    assert np.linalg.norm(gd.xs[-1]) < 5 and gd.xs[-1].prod() == pytest.approx(1.0, abs=1e-5)


def test_saddle_free_maps_x_y_to_0_2y(runs):
    sf = runs["saddle_free_doubling"]["saddle_free"]
    np.testing.assert_allclose(sf.xs[1], [0.0, 0.08], atol=1e-15)
    np.testing.assert_allclose(sf.xs[1:, 1], 0.04 * 2.0 ** np.arange(1, len(sf.xs)), rtol=1e-12)


def test_saddle_free_on_the_two_parameter_net_is_fast(runs):
    r = runs["saddle_free_two_param"]
    np.testing.assert_allclose(r["saddle_free"].xs[-1], [1.0, 1.0], atol=1e-3)
    assert r["saddle_free"].steps < 20 < 100 < r["gd"].steps
    np.testing.assert_allclose(r["newton"].xs[-1], [0.0, 0.0], atol=1e-6)  # stopped at ||g|| < 1e-6


def test_himmelblau_newton_ends_on_the_listed_maximum_and_saddle(runs):
    L = landscapes.get("himmelblau")
    by_kind = {}
    for cp in L.critical_points:
        by_kind.setdefault(cp.kind.value, []).append(cp.position)

    def nearest_kind(x):
        return min(((np.linalg.norm(x - p), k) for k, ps in by_kind.items() for p in ps))[1]

    assert nearest_kind(runs["newton_himmelblau_maximum"]["newton"].xs[-1]) == "maximum"
    assert nearest_kind(runs["newton_himmelblau_saddle"]["newton"].xs[-1]) == "saddle"
    # the explanation: Newton's model at the start is an upside-down bowl
    assert np.all(np.linalg.eigvalsh(L.hess([0.5, 0.5])) < 0)
    f0 = runs["newton_himmelblau_maximum"]["newton"].values
    assert f0[0] == pytest.approx(144.125) and f0[-1] == pytest.approx(181.6, abs=0.1)
    for name in ("newton_himmelblau_maximum", "newton_himmelblau_saddle"):
        assert nearest_kind(runs[name]["gd"].xs[-1]) == "minimum"
        assert nearest_kind(runs[name]["saddle_free"].xs[-1]) == "minimum"


def test_newton_halves_the_distance_on_the_monkey_saddle(runs):
    newton = runs["monkey_saddle"]["newton"]
    k = np.arange(len(newton.xs))[:, None]
    np.testing.assert_allclose(newton.xs, newton.xs[0] / 2.0**k, rtol=1e-12)
    assert np.all(landscapes.get("monkey_saddle").hess([0.0, 0.0]) == 0)


def test_x2_minus_y4_escapes_polynomially(runs):
    r = runs["quartic_saddle"]
    np.testing.assert_allclose(r["newton"].xs[1:, 1] / r["newton"].xs[:-1, 1], 2 / 3, rtol=1e-9)
    y = r["gd"].xs[:, 1]
    assert y[-1] == pytest.approx(0.057, abs=0.001)  # "from 0.03 to 0.057 in 1000 steps"
    # dy/dt = 4 y^3 with t = alpha k: 1/y^2 = 1/d^2 - 8 alpha k
    k = np.arange(len(y))
    np.testing.assert_allclose(1.0 / y**2, 1.0 / 0.03**2 - 8 * 0.1 * k, rtol=0.02)


def test_newton_climbs_to_a_saddle_of_the_random_field(runs):
    r = runs["random_field_newton"]
    L = SCENES["random_field_newton"].scene.build_landscape()
    newton = r["newton"]
    lam = np.linalg.eigvalsh(L.hess(newton.xs[-1]))
    assert int(np.sum(lam < 0)) == 6  # "6 of 10 negative eigenvalues"
    assert newton.values[0] == pytest.approx(-1.7, abs=0.05)
    assert newton.values[-1] == pytest.approx(2.5, abs=0.05)
    sf = r["saddle_free"]
    assert sf.values[-1] < sf.values[0] and np.all(np.linalg.eigvalsh(L.hess(sf.xs[-1])) > 0)


@pytest.mark.parametrize("name, a", [("plateau_two_param", 1e-3), ("plateau_smaller_start", 1e-6)])
def test_the_plateau_lasts_tau_over_2_ln_1_over_u0(name, a, runs):
    gd = runs[name]["gd"]
    u0 = a * a
    # u = w1 w2 reaches 1/2 when f = (1 - 1/2)^2 / 2 = 1/8; Saxe: t = (tau/2) ln((1 - u0)/u0)
    k = int(np.argmax(gd.values <= 0.125))
    law = 0.5 / 0.1 * math.log((1 - u0) / u0)
    assert k == pytest.approx(law, rel=0.06)
    # f > 0.49 while u < 0.01: the plateau, (tau/2) ln[0.01 (1 - u0) / (u0 0.99)] steps
    plateau = int(np.flatnonzero(gd.values > 0.49)[-1])
    assert plateau == pytest.approx(0.5 / 0.1 * math.log(0.01 * (1 - u0) / (u0 * 0.99)), rel=0.08)


def test_the_smaller_start_doubles_the_plateau(runs):
    times = [int(np.argmax(runs[n]["gd"].values <= 0.125))
             for n in ("plateau_two_param", "plateau_smaller_start")]
    assert times[1] / times[0] == pytest.approx(2.0, rel=0.06)


def test_linear_net_slice_learns_one_mode_and_stops_on_the_next_saddle(runs):
    gd = runs["plateau_linear_net"]["gd"]
    assert gd.values[-1] == pytest.approx(0.5 * (2**2 + 1**2 + 0.5**2), abs=1e-9)


# --------------------------------------------------------------------------- what changed


def test_describe_changes_names_each_changed_control():
    base = Scene()
    assert describe_changes(base, base) == []
    assert describe_changes(base, Scene.make(params={"l2": 1.0}, methods=("gd", "newton"))) == [
        "λ₂: -1 → 1", "methods: − Damped Newton, − Saddle-free Newton"]
    new = Scene.make(params={"l1": 5.0}, start=(1.0, 1e-6), methods=("gd", "damped_newton"),
                     hyper={"damped_newton": {"damping": 0.4}, "gd": {"lr": 0.05}}, steps=300,
                     view="3d", fps=10)
    assert describe_changes(base, new) == [
        "λ₁: 2 → 5", "start: (1, 0.04) → (1, 1e-06)",
        "methods: − Newton, − Saddle-free Newton", "Gradient descent α: 0.1 → 0.05",
        "Damped Newton m: auto → 0.4", "steps: 100 → 300", "view: 2D → 3D",
        "animation speed (fps): 20 → 10"]
    other = describe_changes(base, SCENES["natural_gradient_singular"].scene)
    assert other[0] == "landscape: quadratic saddle → two-parameter net"
    assert "methods: + Natural gradient, − Damped Newton, − Saddle-free Newton" in other
    field = describe_changes(base, SCENES["random_field_newton"].scene)
    assert "dimension N = 10" in field


def test_describe_changes_is_empty_exactly_for_equal_scenes():
    names = NAMES[:8]
    for a in names:
        for b in names:
            changes = describe_changes(SCENES[a].scene, SCENES[b].scene)
            assert (changes == []) == (SCENES[a].scene == SCENES[b].scene), (a, b, changes)


# --------------------------------------------------------------------------- stories


def test_every_required_story_exists_and_uses_named_scenes():
    assert list(stories_lib.STORIES) == ["escaping", "newton", "damping", "saddle_free",
                                         "degenerate", "high_dimensions", "plateaus"]
    for story in stories_lib.STORIES.values():
        assert len(story) >= 2
        assert len({step.title for step in story.steps}) == len(story)  # a readable contents
        for step in story.steps:
            assert SCENES[step.scene.name] is step.scene
            assert set(step.panels) <= set(stories_lib.PANELS)
    panels = {p for s in stories_lib.STORIES.values() for st in s.steps for p in st.panels}
    assert {"escape_times", "index_error", "saxe_modes", "basins", "degenerate_escape"} <= panels


def test_story_query_round_trips_for_every_step():
    for slug, story in stories_lib.STORIES.items():
        for k in range(len(story)):
            position = stories_lib.parse_story_query(stories_lib.story_query(slug, k))
            assert (position.story, position.step, position.warnings) == (slug, k, ())


@pytest.mark.parametrize("query, story, step, warned", [
    ({}, "escaping", 0, ()),
    ({"story": "damping"}, "damping", 0, ()),
    ({"story": "damping", "step": "5"}, "damping", 4, ()),
    ({"story": ["newton", "plateaus"], "step": ["1", "2"]}, "plateaus", 1, ()),
    ({"story": "nope"}, "escaping", 0, ("story",)),
    ({"story": "damping", "step": "6"}, "damping", 0, ("step",)),
    ({"story": "damping", "step": "0"}, "damping", 0, ("step",)),
    ({"story": "damping", "step": "2.5"}, "damping", 0, ("step",)),
    ({"story": "damping", "step": "nan"}, "damping", 0, ("step",)),
    ({"story": "<script>", "step": "x" * 500}, "escaping", 0, ("story", "step")),
])
def test_parse_story_query_falls_back_with_a_warning_naming_the_key(query, story, step, warned):
    position = stories_lib.parse_story_query(query)
    assert (position.story, position.step) == (story, step)
    assert [w.split(":")[0] for w in position.warnings] == list(warned)
    assert all(len(w) < 200 for w in position.warnings)


@pytest.mark.parametrize("lam", [-1.0, -0.5, -0.25])
def test_gd_escape_time_follows_log_1_over_d_over_lambda(lam):
    lr = 0.1
    d = np.logspace(-1, -8, 8)
    times = stories_lib.gd_escape_times(lam, d, lr=lr)
    # exact discrete count: ceil(ln(R/d) / ln(1 + alpha |lambda|))
    np.testing.assert_array_equal(times.measured, np.ceil(np.log(1 / d) / np.log1p(lr * -lam)))
    np.testing.assert_array_equal(times.measured, times.exact)
    # the story's law ln(R/d)/(alpha |lambda|): the discrete factor 1 + x < e^x makes runs
    # slower by at most x/2 relative, plus one step for the ceiling
    law = np.log(1 / d) / (lr * -lam)
    np.testing.assert_allclose(times.predicted, law)
    tolerance = (lr * -lam / 2 + 0.01) * law + 1
    assert np.all(np.abs(times.measured - law) <= tolerance), times.measured - law
    slope = np.polyfit(np.log(1 / d), times.measured, 1)[0]
    assert slope == pytest.approx(1 / (lr * -lam), rel=lr * -lam / 2 + 0.01)


def test_escape_time_grows_like_one_over_d_squared_at_x2_minus_y4():
    d = np.array([0.05, 0.03, 0.02, 0.01, 0.005])
    times = stories_lib.quartic_escape_times(d, lr=0.1)
    np.testing.assert_allclose(times.measured, (1 / d**2 - 1) / 0.8, rtol=0.02)
    slope = np.polyfit(np.log(d), np.log(times.measured), 1)[0]
    assert slope == pytest.approx(-2.0, abs=0.05)
    strict = stories_lib.gd_escape_times(-1.0, d, lr=0.1)
    assert np.all(times.measured > 10 * strict.measured)


def test_escape_steps_reports_nan_when_the_budget_is_too_short():
    L = landscapes.get("quadratic", eigenvalues=[2.0, -1.0])
    out = stories_lib.escape_steps(L, "gd", [[1.0, 1e-8], [1.0, 0.5]], max_steps=20, lr=0.1)
    assert math.isnan(out[0]) and out[1] == 8  # 0.5 * 1.1^8 = 1.07
    with pytest.raises(ValueError, match="d must"):
        stories_lib.gd_escape_times(-1.0, [0.1, -1.0])
    with pytest.raises(ValueError, match="λ₋"):
        stories_lib.gd_escape_times(0.5, [0.1])


def test_index_survey_of_a_small_field_follows_bray_dean():
    L = SCENES["random_field_newton"].scene.build_landscape()
    survey = stories_lib.index_survey(L, n_starts=200)
    assert len(survey.eps) > 50
    assert survey.rms < 0.1  # 0.058 measured at N = 10; 0.02 at N = 30
    # the monotone trend: higher critical points have more negative directions
    assert np.corrcoef(survey.eps, survey.alpha)[0, 1] > 0.8
    assert survey.threshold == pytest.approx(-2.0)
    assert np.all(np.diff(survey.theory_alpha) >= 0)


def test_saxe_modes_follow_the_closed_form():
    modes = stories_lib.saxe_modes(lr=0.01, u0=1e-3, steps=1000)
    # science.md: at eta = 1e-3 the times are 1334, 1900, 3453, 6213; at eta = 1e-2 a tenth
    np.testing.assert_allclose(modes.half_times, [133.4, 190.0, 345.3, 621.3], rtol=1e-3)
    measured = [int(np.argmax(modes.measured[:, a] >= s / 2)) for a, s in enumerate(modes.s)]
    np.testing.assert_allclose(measured, modes.half_times, rtol=0.02)
    assert np.max(np.abs(modes.measured - modes.theory) / modes.s) < 0.05


def test_himmelblau_basins_newton_has_saddle_bands_saddle_free_only_minima():
    from app.components import basin

    L = SCENES["newton_himmelblau_saddle"].scene.build_landscape()
    cells = 60 * 60
    newton = basin.compute_basin(L, "newton", {}, grid=60, steps=100).counts()
    assert newton.get(Stop.SADDLE, 0) > 0.2 * cells and newton.get(Stop.MAXIMUM, 0) > 0.02 * cells
    assert basin.compute_basin(L, "saddle_free", {}, grid=60, steps=100).counts() == {Stop.MINIMUM: cells}
