"""Phase diagrams near a 2D quadratic saddle: computed runs against the update-factor theory."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import phase
from optimizers.phase import Outcome


@pytest.fixture(scope="module")
def gd_diagram():
    return phase.gd_phase_diagram(lambda_plus=1.0, lambda_minus=(-3.0, 3.0), lr=(0.0, 3.0), shape=(30, 30))


@pytest.fixture(scope="module")
def damped_diagram():
    return phase.damped_newton_phase_diagram(lambda_plus=1.0, lambda_minus=(-3.0, 1.0),
                                             damping=(0.0, 2.0), shape=(30, 30))


# -- the theory, on hand-computed factors ---------------------------------------------------------
@pytest.mark.parametrize("eigenvalues, factors, expected", [
    # GD, lambda = (1, -0.5), eta = 0.5: factors 0.5 and 1.25 -> escapes downhill
    ([1.0, -0.5], [0.5, 1.25], Outcome.ESCAPED),
    # eta = 2.5: the + direction overshoots (|1 - 2.5| = 1.5) but 1 + 1.25 = 2.25 grows faster
    ([1.0, -0.5], [-1.5, 2.25], Outcome.ESCAPED),
    # lambda = (1, -0.2), eta = 2.8: |1 - 2.8| = 1.8 beats 1 + 0.56 = 1.56 -> leaves uphill
    ([1.0, -0.2], [-1.8, 1.56], Outcome.DIVERGED),
    # a minimum with both |factors| < 1
    ([1.0, 0.5], [0.5, 0.75], Outcome.ATTRACTED),
    # damped Newton, lambda_- = -2, m = 0.5: m/(lambda + m) = -1/3 -> attracted (lambda < -2m)
    ([1.0, -2.0], [0.5 / 1.5, 0.5 / -1.5], Outcome.ATTRACTED),
    # lambda_- = -0.5, m = 0.5: division by zero
    ([1.0, -0.5], [0.5, np.inf], Outcome.SINGULAR),
    # |factor| = 1 exactly: on the boundary
    ([1.0, -1.0], [0.5, -1.0], Outcome.UNDECIDED),
])
def test_outcome_from_factors_hand_cases(eigenvalues, factors, expected):
    assert phase.outcome_from_factors(eigenvalues, factors) == expected


def test_theory_uses_the_registered_update_factors():
    # GD factor 1 - eta lambda, damped Newton m / (lambda + m), computed by hand.
    lam = np.array([1.0, -0.4])
    np.testing.assert_allclose(optimizers.update_factors("gd", lam, lr=0.7), 1 - 0.7 * lam)
    np.testing.assert_allclose(optimizers.update_factors("damped_newton", lam, lr=1.0, damping=0.3),
                               0.3 / (lam + 0.3))


@pytest.mark.parametrize("lam_minus", [-2.0, -0.3, 0.7])
def test_zero_level_start_splits_f_equally(lam_minus):
    x0 = phase.zero_level_start(1.5, lam_minus)
    assert np.linalg.norm(x0) == pytest.approx(phase.START_RADIUS)
    np.testing.assert_allclose(1.5 * x0[0] ** 2, abs(lam_minus) * x0[1] ** 2, rtol=1e-12)
    if lam_minus < 0:
        L = landscapes.get("quadratic", eigenvalues=[1.5, lam_minus])
        assert abs(L.value(x0)) < 1e-15


def test_outcome_of_stop_mapping():
    S = optimizers.Stop
    assert phase.outcome_of_stop(S.SADDLE) == Outcome.ATTRACTED
    assert phase.outcome_of_stop(S.MINIMUM) == Outcome.ATTRACTED
    assert phase.outcome_of_stop(S.ESCAPED) == Outcome.ESCAPED
    assert phase.outcome_of_stop(S.DIVERGED) == Outcome.DIVERGED
    assert phase.outcome_of_stop(S.STEP_LIMIT) == Outcome.UNDECIDED
    assert phase.outcome_of_stop(S.SINGULAR) == Outcome.SINGULAR


# -- computed grids against theory ---------------------------------------------------------------
def test_gd_grid_agrees_with_theory_away_from_boundaries(gd_diagram):
    d = gd_diagram
    assert d.outcomes.shape == d.theory.shape == (30, 30)
    away = ~d.near_boundary(1)
    assert away.mean() > 0.7  # most of the grid is tested, not only a sliver
    assert d.agreement(1) > 0.98
    # All three outcomes occur, each in a sizeable region.
    for outcome in (Outcome.ESCAPED, Outcome.ATTRACTED, Outcome.DIVERGED):
        assert np.mean(d.outcomes == outcome) > 0.1, outcome


def test_damped_newton_grid_agrees_with_theory_away_from_boundaries(damped_diagram):
    d = damped_diagram
    assert (~d.near_boundary(1)).mean() > 0.7
    assert d.agreement(1) > 0.98
    assert np.mean(d.outcomes == Outcome.ATTRACTED) > 0.2
    assert np.mean(d.outcomes == Outcome.ESCAPED) > 0.2
    # Damped Newton never climbs: with lambda_+ > 0 and m > 0 the + factor is in (0, 1).
    assert not np.any(d.outcomes == Outcome.DIVERGED)


def test_gd_regions_sit_where_the_closed_form_puts_them(gd_diagram):
    d = gd_diagram
    X, Y = np.meshgrid(d.lambda_minus, d.values)
    computed = d.outcomes
    # Saddle (lambda_- < 0) with eta < 2 / lambda_+: the factor 1 - eta lambda_- > 1 wins -> escape.
    region = (X < -0.25) & (Y < 2.0 - 0.25)
    assert np.all(computed[region] == Outcome.ESCAPED)
    # Minimum with eta < 2 / max(lambda): attracted.
    region = (X > 0.25) & (Y < 2.0 / np.maximum(1.0, X) - 0.25)
    assert np.all(computed[region] == Outcome.ATTRACTED)
    # Minimum with eta > 2 / max(lambda) (comfortably): a positive direction overshoots.
    region = (X > 0.25) & (Y > 2.0 / np.maximum(1.0, X) + 0.25)
    assert np.all(computed[region] == Outcome.DIVERGED)


def test_damped_newton_threshold_is_minus_two_m(damped_diagram):
    d = damped_diagram
    X, Y = np.meshgrid(d.lambda_minus, d.values)
    below = X < -2 * Y - 0.2  # lambda_- < -2m: attracted, oscillating
    above = (X > -2 * Y + 0.2) & (X < -0.1)
    assert below.sum() > 50 and above.sum() > 50
    assert np.all(d.outcomes[below] == Outcome.ATTRACTED)
    assert np.all(d.outcomes[above] == Outcome.ESCAPED)


def test_a_cell_is_the_same_run_as_optimizers_run():
    d = phase.damped_newton_phase_diagram(lambda_minus=(-2.0, -1.0), damping=(0.2, 0.8), shape=(2, 2))
    j, i = 0, 1
    lam = [1.0, float(d.lambda_minus[j])]
    T = optimizers.run(landscapes.get("quadratic", eigenvalues=lam), "damped_newton",
                       phase.zero_level_start(*lam), steps=d.step_limit, lr=1.0, damping=float(d.values[i]))
    assert d.steps[i, j] == T.steps
    assert d.outcomes[i, j] == phase.outcome_of_stop(T.stop)


# -- boundaries -----------------------------------------------------------------------------------
def test_gd_boundaries_satisfy_their_equations():
    lp = 1.3
    curves = {b.label: b for b in phase.gd_boundaries(lp, (-3.0, 3.0), (0.0, 3.0))}
    plus = curves["|1 - eta lambda_+| = 1"]
    np.testing.assert_allclose(np.abs(1 - plus.y * lp), 1.0)
    minus = curves["|1 - eta lambda_-| = 1"]
    ok = np.isfinite(minus.x) & np.isfinite(minus.y)
    np.testing.assert_allclose(np.abs(1 - minus.y[ok] * minus.x[ok]), 1.0, atol=1e-9)
    tie = curves["|1 - eta lambda_+| = |1 - eta lambda_-|"]
    ok = np.isfinite(tie.y)
    assert ok.sum() > 10 and np.all(tie.x[ok] <= 0)
    np.testing.assert_allclose(np.abs(1 - tie.y[ok] * lp), np.abs(1 - tie.y[ok] * tie.x[ok]), rtol=1e-9)


def test_damped_boundaries_satisfy_their_equations():
    curves = {b.label: b for b in phase.damped_newton_boundaries(1.0, (-3.0, 0.5), (0.0, 2.0))}
    b = curves["lambda_- = -2m"]
    np.testing.assert_allclose(b.x, -2 * b.y)
    # On it the factor m / (lambda + m) has magnitude exactly 1.
    m = b.y[np.abs(b.y) > 0]
    lam = -2 * m
    np.testing.assert_allclose(np.abs(m / (lam + m)), 1.0)
    np.testing.assert_allclose(curves["lambda_- = -m (singular step)"].x, -curves["lambda_- = -m (singular step)"].y)


# -- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(lambda_plus=0.0), "lambda_plus"),
    (dict(lambda_plus=float("nan")), "lambda_plus"),
    (dict(lr=(-1.0, 2.0)), "lr"),
    (dict(lr=(2.0, 1.0)), "lr"),
    (dict(shape=(1, 5)), "shape"),
    (dict(lambda_minus="abc"), "lambda_minus"),
])
def test_bad_arguments_raise_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        phase.gd_phase_diagram(**kwargs)


def test_progress_is_reported_per_column():
    calls = []
    phase.gd_phase_diagram(shape=(2, 3), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
