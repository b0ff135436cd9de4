"""The second-order test at any point (optimizers.classify), against independent references."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
from landscapes import Kind
from optimizers.classify import classify_point


def fd_hessian(L, x, h=1e-5):
    """Central differences of the value: an independent Hessian."""
    n = x.size
    H = np.empty((n, n))
    E = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            H[i, j] = (L.value(x + E[i] + E[j]) - L.value(x + E[i] - E[j])
                       - L.value(x - E[i] + E[j]) + L.value(x - E[i] - E[j])) / (4 * h * h)
    return H


@pytest.mark.parametrize("eigenvalues, kind, index", [
    ((2.0, 1.0), Kind.MINIMUM, 0),
    ((2.0, 0.0), Kind.DEGENERATE, 0),
    ((2.0, -1.0), Kind.SADDLE, 1),
    ((0.0, -1.0), Kind.DEGENERATE, 1),
    ((-1.0, -2.0), Kind.MAXIMUM, 2),
])
def test_quadratic_morphs_through_every_kind(eigenvalues, kind, index):
    L = landscapes.get("quadratic", eigenvalues=list(eigenvalues), angle=0.35)
    v = classify_point(L, np.zeros(2))
    assert v.is_critical and v.kind == kind and v.index == index
    np.testing.assert_allclose(v.eigenvalues, np.sort(eigenvalues), atol=1e-12)
    # Eigenvectors rotated by the angle: H v_i = lambda_i v_i with orthonormal v_i.
    H = L.hess(np.zeros(2))
    np.testing.assert_allclose(H @ v.eigenvectors, v.eigenvectors * v.eigenvalues, atol=1e-12)
    np.testing.assert_allclose(v.eigenvectors.T @ v.eigenvectors, np.eye(2), atol=1e-12)


def test_himmelblau_listed_points_match_the_independent_hessian():
    L = landscapes.get("himmelblau")
    kinds = []
    for p in L.critical_points:
        v = classify_point(L, p.position)
        assert v.is_critical and v.known is p
        assert v.kind == p.kind and v.index == p.index
        np.testing.assert_allclose(v.eigenvalues, np.linalg.eigvalsh(fd_hessian(L, p.position)), rtol=1e-5, atol=1e-4)
        kinds.append(v.kind)
    assert kinds.count(Kind.MINIMUM) == 4 and kinds.count(Kind.SADDLE) == 4 and kinds.count(Kind.MAXIMUM) == 1


@pytest.mark.parametrize("name, eigenvalues", [("monkey_saddle", [0.0, 0.0]), ("degenerate_saddle", [0.0, 2.0])])
def test_degenerate_saddles_are_inconclusive_for_the_hessian(name, eigenvalues):
    L = landscapes.get(name)
    v = classify_point(L, np.zeros(2))
    np.testing.assert_allclose(v.eigenvalues, eigenvalues, atol=1e-15)
    assert v.is_critical and v.degenerate and v.kind == Kind.DEGENERATE
    # Theory settles it: both are saddles (f takes both signs arbitrarily close to 0).
    assert v.known is not None and v.known.kind == Kind.SADDLE
    r = 1e-2
    values = [L.value(r * np.array([np.cos(t), np.sin(t)])) for t in np.linspace(0, 2 * np.pi, 13)]
    assert min(values) < 0 < max(values)


def test_a_non_critical_point_is_flagged():
    L = landscapes.get("himmelblau")
    x = np.array([1.0, 1.0])
    v = classify_point(L, x)
    assert not v.is_critical and v.known is None
    # Independent gradient by central differences.
    h = 1e-6
    g = np.array([(L.value(x + e) - L.value(x - e)) / (2 * h) for e in np.eye(2) * h])
    assert v.grad_norm == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert v.grad_norm > 1.0


def test_rounded_position_is_not_critical():
    # A listed saddle rounded to 3 decimals: the gradient is no longer at round-off level.
    L = landscapes.get("himmelblau")
    p = next(p for p in L.critical_points if p.kind == Kind.SADDLE)
    v = classify_point(L, np.round(p.position, 3))
    assert not v.is_critical and v.kind == Kind.SADDLE


def test_bad_points_raise_value_errors():
    L = landscapes.get("himmelblau")
    with pytest.raises(ValueError):
        classify_point(L, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        classify_point(L, [np.nan, 0.0])
