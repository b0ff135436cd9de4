"""Facts of science.md section 4 on the library's own landscapes: Baldi & Hornik's critical
points, depth (in)dependence of learning, saddle-free Newton off a deep linear net's plateau,
and the saddle between two symmetric minima."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes import saxe

S = (3.0, 2.0, 1.0, 0.5)


# -- Baldi & Hornik ------------------------------------------------------------------------------


@pytest.mark.parametrize("eigenvalues, p", [((5.0, 4.0, 3.0, 2.0, 1.0), 2),
                                            ((2.0, 0.3, 1.1, 4.0, 0.7), 2),
                                            ((6.0, 5.0, 3.5, 2.0, 1.5, 0.5), 3)])
def test_baldi_hornik_index_and_error_from_the_hessian(eigenvalues, p):
    """At n = 5, p = 2 (and two more settings) the number of negative eigenvalues of the exact
    Hessian (numpy eigvalsh) at every critical point A = U_I, B = U_I^T equals
    #{(i in I, j not in I): lambda_j > lambda_i}; its error is 1/2 (tr Sigma - sum_I lambda_i)."""
    L = landscapes.get("linear_autoencoder", eigenvalues=eigenvalues, p=p)
    points = saxe.baldi_hornik_points(L)
    n = len(eigenvalues)
    assert len(points) == comb(n, p)
    lam = np.sort(eigenvalues)[::-1]
    for cp in points:
        assert cp.grad_norm < 1e-12
        eig = np.linalg.eigvalsh(L.hess(cp.position))
        index = int(np.sum(eig < -1e-8 * np.abs(eig).max()))
        others = [j for j in range(1, n + 1) if j not in cp.subset]
        formula = sum(1 for i in cp.subset for j in others if lam[j - 1] > lam[i - 1])
        assert index == formula == cp.index == cp.index_formula, cp.label
        assert L.value(cp.position) == pytest.approx(0.5 * (lam.sum() - sum(lam[i - 1] for i in cp.subset)), rel=1e-12)
        assert cp.zero_eigenvalues == p * p  # GL(p): A C, C^-1 B
    minima = [cp for cp in points if cp.index == 0]
    assert [cp.subset for cp in minima] == [tuple(range(1, p + 1))]


def test_baldi_hornik_origin_spectrum_is_plus_minus_lambda():
    L = landscapes.get("linear_autoencoder", eigenvalues=(5.0, 4.0, 3.0, 2.0, 1.0), p=2)
    eig = np.linalg.eigvalsh(L.hess(np.zeros(L.dim)))
    np.testing.assert_allclose(eig, np.sort(np.repeat([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5], 2)), atol=1e-12)


# -- depth ------------------------------------------------------------------------------------------


def test_orthogonal_starts_learn_in_depth_independent_time():
    """Decoupled start with per-layer strength a (u0 = a^D), GD with step 0.01/D, iterations to
    1 % relative error on the network (simulated): with a = 1 (orthogonal layers) the time
    levels off with depth, with a = 0.5 it roughly doubles with every extra layer."""
    depths = [2, 4, 6, 8]
    orthogonal = saxe.depth_sweep(depths, 1.0, s=S)
    small = saxe.depth_sweep(depths, 0.5, s=S)
    for sweep in (orthogonal, small):
        np.testing.assert_allclose(sweep.simulated, sweep.predicted, rtol=0.02)
    t1, t05 = orthogonal.simulated, small.simulated
    assert np.all(np.diff(t1) <= 0) and t1[-1] / t1[-2] > 0.95  # levels off
    assert np.all(t05[1:] / t05[:-1] > 3.0)  # two more layers: ~4x slower
    assert t05[-1] / t1[-1] > 100


# -- saddle-free Newton off the plateau ----------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_saddle_free_beats_damped_newton_on_the_deep_plateau(seed):
    """Setting: linear_net with depth 3, 4 units per layer, s = (3, 2, 1, 0.5), seed 0 data;
    start: Gaussian weights of std 0.01 (relative error 1 - 1e-6: on the plateau of the
    degenerate saddle at the origin); 40 iterations.  Saddle-free Newton is Dauphin et al.'s
    Algorithm 1 with k = n Lanczos vectors (so |H| is exact) and its damping line search.
    Damped Newton gets the best of a damping grid (the slides' automatic m with margin 1, and
    fixed m = 0.1, 1, 10).  Saddle-free ends at least 10x lower."""
    L = landscapes.get("linear_net", depth=3, s=S)
    x0 = saxe.small_random_start(L, 0.01, seed=seed)
    assert saxe.relative_error(L, L.value(x0)) > 0.999
    steps = 40
    damped = []
    for damping, margin in [("auto", 1.0), (0.1, None), (1.0, None), (10.0, None)]:
        T = optimizers.run(L, "damped_newton", x0, steps=steps, damping=damping, margin=margin)
        damped.append(T.values[-1] if T.stop != optimizers.Stop.DIVERGED else np.inf)
    sf = optimizers.run(L, "krylov_saddle_free", x0, steps=steps, k=L.dim)
    assert sf.steps <= steps
    assert sf.values[-1] * 10 <= min(damped), (sf.values[-1], damped)


def test_saddle_free_sees_negative_curvature_damped_newton_cannot_use():
    # On the plateau the Hessian has negative eigenvalues that damped Newton shifts away.
    L = landscapes.get("linear_net", depth=3, s=S)
    x0 = saxe.small_random_start(L, 0.01, seed=0)
    T = optimizers.run(L, "damped_newton", x0, steps=40, damping="auto", margin=1.0)
    assert np.all(T.eigenvalues[:, 0] < 0)


# -- symmetric minima -------------------------------------------------------------------------------


def test_path_between_symmetric_minima_crosses_a_saddle():
    L = landscapes.get("symmetric_net", a=1.5, b=0.5)
    minima = [cp for cp in L.critical_points if cp.kind == landscapes.Kind.MINIMUM]
    saddles = [cp for cp in L.critical_points if cp.kind == landscapes.Kind.SADDLE]
    assert len(minima) == 2 and len(saddles) == 1
    saddle = saddles[0]
    assert saddle.position[0] == pytest.approx(saddle.position[1])
    lam, vecs = np.linalg.eigh(L.hess(saddle.position))
    assert lam[0] < 0 < lam[1]
    ends = []
    for sign in (-1.0, 1.0):  # steepest descent out of the saddle: the minimum-energy path
        T = optimizers.run(L, "gd", saddle.position + sign * 1e-6 * vecs[:, 0], steps=5000, lr=0.05, gtol=1e-10)
        assert T.stop == optimizers.Stop.MINIMUM
        assert np.all(np.diff(T.values) <= 1e-15)
        ends.append(T.final)
    targets = sorted(tuple(np.round(m.position, 6)) for m in minima)
    assert sorted(tuple(np.round(e, 6)) for e in ends) == targets
    # the straight segment between the minima climbs higher than the saddle
    t = np.linspace(0, 1, 201)
    straight = [L.value((1 - s) * minima[0].position + s * minima[1].position) for s in t]
    assert max(straight) >= saddle.value > minima[0].value
