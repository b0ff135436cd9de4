"""Saxe et al.'s learning curves: closed forms, the deep-chain ODE, the starts, and gradient
descent on the ``linear_net`` landscape checked against them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

import landscapes
import optimizers
from landscapes import saxe
from landscapes.nets import unflatten

S = np.array([3.0, 2.0, 1.0, 0.5])


def _crossing(iterations, values, level):
    """First (linearly interpolated) iteration at which ``values`` reaches ``level``."""
    k = int(np.argmax(values >= level))
    assert values[k] >= level > values[k - 1]
    return iterations[k - 1] + (level - values[k - 1]) / (values[k] - values[k - 1]) * (
        iterations[k] - iterations[k - 1])


def test_first_crossing_interpolates():
    assert saxe.first_crossing([0, 10, 20], [0.0, 1.0, 3.0], 2.0) == pytest.approx(15.0)
    assert saxe.first_crossing([0, 10], [5.0, 6.0], 1.0) == 0.0
    assert np.isnan(saxe.first_crossing([0, 10], [0.0, 1.0], 2.0))


# -- closed forms ------------------------------------------------------------------------------


def test_formula_gives_the_stated_times_to_half():
    # science.md section 4: eta = 1e-3, u0 = 1e-3, time to s/2
    times = saxe.time_to_reach(S / 2, S, 1e-3, 1e-3)
    np.testing.assert_allclose(times, [1334, 1900, 3453, 6213], atol=1.0)


@pytest.mark.parametrize("s, u0, lr", [(3.0, 1e-3, 1e-3), (0.5, 0.2, 0.01), (2.0, 2.5, 0.05)])
def test_mode_strength_solves_the_two_layer_flow(s, u0, lr):
    tau = 1.0 / lr
    t = np.linspace(0.0, 10 * tau / s, 50)
    sol = integrate.solve_ivp(lambda _, u: 2.0 * u * (s - u) / tau, (0, t[-1]), [u0], t_eval=t,
                              rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(saxe.mode_strength(t, s, u0, lr), sol.y[0], rtol=1e-7)


def test_time_to_reach_inverts_mode_strength():
    u_final = np.array([0.1, 1.0, 2.9])
    t = saxe.time_to_reach(u_final, 3.0, 1e-3, 1e-3)
    np.testing.assert_allclose(saxe.mode_strength(t, 3.0, 1e-3, 1e-3), u_final, rtol=1e-10)


def test_mode_strength_does_not_overflow_at_late_times():
    assert saxe.mode_strength(1e9, 3.0, 1e-3, 1e-3) == pytest.approx(3.0)


@pytest.mark.parametrize("bad", [dict(u0=0.0), dict(u0=-1e-3), dict(s=0.0), dict(lr=0.0)])
def test_invalid_mode_parameters_raise(bad):
    args = dict(s=3.0, u0=1e-3, lr=1e-3) | bad
    with pytest.raises(ValueError):
        saxe.mode_strength(10.0, **args)


# -- the deep chain ----------------------------------------------------------------------------


def test_deep_chain_of_two_is_the_closed_form():
    t = np.linspace(0, 8000, 81)
    deep = saxe.deep_mode_strength(t, S, 1e-3, 1e-3, 2)
    np.testing.assert_allclose(deep, saxe.mode_strength(t[:, None], S, 1e-3, 1e-3), rtol=1e-6)
    for s in S:
        assert saxe.deep_time_to_reach(s / 2, s, 1e-3, 1e-3, 2) == pytest.approx(
            saxe.time_to_reach(s / 2, s, 1e-3, 1e-3), rel=1e-9)


def test_one_layer_chain_is_exponential_relaxation():
    # tau du/dt = s - u: u = s - (s - u0) e^{-t/tau}
    t = np.linspace(0, 500, 11)
    np.testing.assert_allclose(saxe.deep_mode_strength(t, 2.0, 0.1, 0.01, 1)[:, 0],
                               2.0 - 1.9 * np.exp(-0.01 * t), rtol=1e-7)


@pytest.mark.parametrize("depth", [3, 5])
def test_deep_time_to_reach_agrees_with_the_integrated_curve(depth):
    t_half = saxe.deep_time_to_reach(1.0, 2.0, 0.05, 1e-2, depth)
    u = saxe.deep_mode_strength([0.0, t_half], 2.0, 0.05, 1e-2, depth)
    assert u[-1, 0] == pytest.approx(1.0, rel=1e-6)


def test_deep_time_to_relative_error_matches_the_curve():
    t = saxe.deep_time_to_relative_error(S, 0.01, 1e-2 / 3, 3, target=0.05)
    u = saxe.deep_mode_strength([0.0, t], S, 0.01, 1e-2 / 3, 3)[-1]
    assert 0.5 * np.sum((S - u) ** 2) / (0.5 * np.sum(S**2)) == pytest.approx(0.05, rel=1e-5)


# -- starts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth, widths", [(2, None), (3, [4, 6, 5, 4]), (4, None)])
def test_decoupled_start_has_the_given_mode_strengths(depth, widths):
    L = landscapes.get("linear_net", depth=depth, widths=widths, s=tuple(S))
    u0 = np.array([1e-3, 2e-3, 0.1, 0.5])
    theta = saxe.decoupled_start(L, u0, seed=3)
    u, v = L.extras["U"], L.extras["V"]
    np.testing.assert_allclose(saxe.product(L, theta), (u * u0) @ v.T, atol=1e-15)
    np.testing.assert_allclose(saxe.mode_strengths(L, theta), u0, rtol=1e-12)
    # balanced: every layer carries the same per-mode scale u0^(1/D)
    for w in unflatten(theta, L.extras["widths"]):
        np.testing.assert_allclose(np.sort(np.linalg.svd(w, compute_uv=False))[-4:],
                                   np.sort(u0 ** (1 / depth)), rtol=1e-12)


def test_orthogonal_starts_have_orthogonal_layers():
    L = landscapes.get("linear_net", depth=4, s=tuple(S))
    for aligned in (True, False):
        theta = saxe.orthogonal_start(L, 1.0, seed=2, aligned=aligned)
        for w in unflatten(theta, L.extras["widths"]):
            np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-12)
    # the Haar start has the orientation of U V^T (else it would have to cross a saddle)
    for seed in range(6):
        p = saxe.product(L, saxe.orthogonal_start(L, 1.0, seed=seed, aligned=False))
        assert np.linalg.det(p) * np.linalg.det(L.extras["U"] @ L.extras["V"].T) > 0


def test_small_random_start_is_on_the_plateau():
    L = landscapes.get("linear_net", depth=3)
    theta = saxe.small_random_start(L, 1e-3, seed=0)
    assert np.std(theta) == pytest.approx(1e-3, rel=0.3)
    assert saxe.relative_error(L, L.value(theta)) == pytest.approx(1.0, abs=1e-6)


def test_starts_refuse_other_landscapes():
    with pytest.raises(ValueError, match="linear_net"):
        saxe.decoupled_start(landscapes.get("quadratic"), 1e-3)


# -- gradient descent on the network -----------------------------------------------------------


def test_acceptance_simulated_time_to_half_within_one_percent():
    """science.md section 4: a 2-layer linear_net (4 units per layer, s = 3, 2, 1, 0.5) from
    the decoupled balanced start u0 = 1e-3, plain GD with eta = 1e-3 (the library's runner):
    the iteration at which each mode strength reaches s/2 is within 1 % of the formula."""
    L = landscapes.get("linear_net", depth=2, s=tuple(S))
    T = optimizers.run(L, "gd", saxe.decoupled_start(L, 1e-3), steps=7000, lr=1e-3)
    strengths = saxe.mode_strengths(L, T.xs)
    iterations = np.arange(len(T.xs))
    for a, s in enumerate(S):
        simulated = _crossing(iterations, strengths[:, a], s / 2)
        predicted = saxe.time_to_reach(s / 2, s, 1e-3, 1e-3)
        assert abs(simulated - predicted) <= 0.01 * predicted, (s, simulated, predicted)


def test_compiled_gd_takes_the_runners_steps():
    L = landscapes.get("linear_net", depth=3, widths=[4, 5, 6, 4], s=tuple(S))
    x0 = saxe.small_random_start(L, 0.3, seed=1)
    T = optimizers.run(L, "gd", x0, steps=300, lr=0.01)
    run = saxe.gradient_descent(L, x0, 0.01, 300, every=10)
    np.testing.assert_allclose(run.values, T.values[::10], rtol=1e-11)
    np.testing.assert_allclose(run.thetas, T.xs[::10], atol=1e-12)
    np.testing.assert_allclose(run.final, T.xs[-1], atol=1e-12)
    np.testing.assert_allclose(run.strengths, saxe.mode_strengths(L, T.xs[::10]), atol=1e-12)


def test_gd_on_a_deep_net_follows_the_deep_chain_ode():
    depth, lr, u0 = 4, 0.01 / 4, 0.3**4
    L = landscapes.get("linear_net", depth=depth, s=tuple(S))
    run = saxe.gradient_descent(L, saxe.decoupled_start(L, u0), lr, 8000)
    for a, s in enumerate(S):
        simulated = _crossing(run.iterations, run.strengths[:, a], s / 2)
        predicted = saxe.deep_time_to_reach(s / 2, s, u0, lr, depth)
        # discrete steps against the flow: O(lr * rate) relative difference
        assert abs(simulated - predicted) <= 0.015 * predicted, (s, simulated, predicted)
    # off the decoupled modes nothing is learned
    assert np.abs(saxe.product(L, run.final) - (L.extras["U"] * run.strengths[-1]) @ L.extras["V"].T).max() < 1e-12


def test_target_stops_the_run():
    L = landscapes.get("linear_net", depth=2, s=tuple(S))
    run = saxe.gradient_descent(L, saxe.decoupled_start(L, 0.01), 0.01, 100_000, every=100_000, target=0.05)
    assert run.steps < 100_000
    assert saxe.relative_error(L, run.values[-1]) <= 0.05 < saxe.relative_error(
        L, L.value(saxe.gradient_descent(L, saxe.decoupled_start(L, 0.01), 0.01, run.steps - 1).final))


def test_hessian_index_on_the_plateau_and_after_learning():
    L = landscapes.get("linear_net", depth=2, s=tuple(S))
    origin, minimum = L.critical_points[0], L.critical_points[1]
    spectrum = saxe.hessian_index_along(L, [origin.position, minimum.position])
    assert spectrum.index.tolist() == [origin.index, 0]
    assert origin.index == 4 * 4  # n_1 r: eigenvalue -s_a for each hidden unit and mode
    assert spectrum.smallest[0] == pytest.approx(-3.0)
