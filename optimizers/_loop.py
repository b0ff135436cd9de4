"""Compiled trajectory loops.  One compilation serves every landscape: kernels arrive as
first-class function values with the signatures of ``landscapes._jit``; results are cached on
disk (``cache=True``) and kernels compiled after start-up work unchanged."""

from __future__ import annotations

import numba
import numpy as np
from numba import types

from landscapes._jit import MetricFn, ValueFn, VghFn, mat, vec

from .spectral import (
    DAMPED_NEWTON,
    GD,
    KRYLOV_SADDLE_FREE,
    NATURAL_GRADIENT,
    SGD,
    auto_damping,
    denominator,
    eigh_sym_into,
    phi,
)

# Stop codes, mirrored by optimizers.trajectory.Stop.
STEP_LIMIT, MINIMUM, SADDLE, MAXIMUM, DEGENERATE, DIVERGED, ESCAPED, SINGULAR = range(8)

# |denominator| below this times the spectral scale counts as a division by zero.
SINGULAR_TOL = 1e-12
# Eigenvalues below this times the spectral scale count as zero when classifying the end point.
ZERO_TOL = 1e-6

_opts = dict(cache=True, nogil=True)


@numba.njit(**_opts)
def _norm(v):
    acc = 0.0
    for i in range(v.shape[0]):
        acc += v[i] * v[i]
    return np.sqrt(acc)


@numba.njit(**_opts)
def lanczos_dense(h, start, k, q, t, w):
    """k steps of Lanczos with full re-orthogonalisation on a dense symmetric matrix.

    Writes the basis into the columns of ``q`` (n, >= k) and the tridiagonal into ``t``
    (>= k, >= k); ``w`` (n,) is scratch.  Returns j <= k, the size reached (smaller on
    breakdown, 0 for a zero start).
    """
    n = h.shape[0]
    beta0 = 0.0
    for r in range(n):
        beta0 += start[r] * start[r]
    beta0 = np.sqrt(beta0)
    if beta0 == 0.0:
        return 0
    for r in range(n):
        q[r, 0] = start[r] / beta0
    for i in range(k):
        alpha = 0.0
        for r in range(n):
            acc = 0.0
            for c in range(n):
                acc += h[r, c] * q[c, i]
            w[r] = acc
            alpha += acc * q[r, i]
        t[i, i] = alpha
        for _ in range(2):  # Gram-Schmidt twice is enough (Parlett)
            for j in range(i + 1):
                proj = 0.0
                for r in range(n):
                    proj += w[r] * q[r, j]
                for r in range(n):
                    w[r] -= proj * q[r, j]
        beta = 0.0
        for r in range(n):
            beta += w[r] * w[r]
        beta = np.sqrt(beta)
        if i + 1 == k or beta <= 1e-12 * max(1.0, abs(alpha)):
            return i + 1
        t[i, i + 1] = beta
        t[i + 1, i] = beta
        for r in range(n):
            q[r, i + 1] = w[r] / beta
    return k


@numba.njit(**_opts)
def _spectral_step(code, g, lam, vecs, lr, damping, step):
    """step = -V diag(phi(lam)) V^T g; returns False if a denominator is numerically zero."""
    n = g.shape[0]
    pinv = code == NATURAL_GRADIENT and damping == 0.0
    # The pseudo-inverse judges "zero" relative to the largest eigenvalue, Newton-type
    # steps relative to max(1, |lambda|_max).
    scale = 0.0 if pinv else 1.0
    for i in range(lam.shape[0]):
        scale = max(scale, abs(lam[i]))
    gnorm = _norm(g)
    step[:] = 0.0
    if pinv and scale == 0.0:
        return gnorm == 0.0
    for i in range(lam.shape[0]):
        c = 0.0
        for r in range(n):
            c += vecs[r, i] * g[r]
        if pinv and abs(lam[i]) <= 1e-10 * scale:
            # Pseudo-inverse: the metric's null space carries no step.
            continue
        if abs(denominator(code, lam[i], damping)) <= SINGULAR_TOL * scale:
            if abs(c) > 1e-14 * max(gnorm, 1e-300):
                return False
            continue
        p = phi(code, lam[i], lr, damping)
        for r in range(n):
            step[r] -= vecs[r, i] * p * c
    return True


@numba.njit(**_opts)
def _krylov_step(h, g, x, value, params, k, lr, damping, auto, step, work):
    """Dauphin et al. Algorithm 1: |T| in a Lanczos basis, damping by a small line search.

    ``work`` holds scratch buffers (q (n, k), t (k, k), w (n,), trial (n,), theta (k,),
    s (k, k), coeff (k,), sub (k,)) so the step allocates nothing in 2D.
    """
    q, t, w, trial, theta_buf, s_buf, coeff, sub = work
    n = x.shape[0]
    j = lanczos_dense(h, g, k, q, t, w)
    if j == 0:
        step[:] = 0.0
        return True
    theta = theta_buf[:j]
    s = s_buf[:j, :j]
    eigh_sym_into(t[:j, :j], theta, s)
    # Coefficients S^T Q^T g; Q^T g = |g| e_1 because the basis starts at g.
    gnorm = _norm(g)
    scale = 1.0
    for i in range(j):
        coeff[i] = s[0, i] * gnorm
        scale = max(scale, abs(theta[i]))
    n_try = 5 if auto else 1
    best = np.inf
    found = False
    for c in range(n_try):
        m = damping
        if auto:
            m = 0.0 if c == 0 else scale * 10.0 ** (c - 4)
        ok = True
        for i in range(j):
            d = abs(theta[i]) + m
            if d <= SINGULAR_TOL * scale:
                ok = False
                break
            sub[i] = lr * coeff[i] / d
        if not ok:
            continue
        # trial = x - Q S sub
        for r in range(n):
            acc = 0.0
            for i in range(j):
                inner = 0.0
                for l in range(j):
                    inner += s[i, l] * sub[l]
                acc += q[r, i] * inner
            w[r] = -acc
        if n_try == 1:
            step[:] = w
            return True
        for r in range(n):
            trial[r] = x[r] + w[r]
        f_trial = value(trial, params)
        if np.isfinite(f_trial) and f_trial < best:
            best = f_trial
            step[:] = w
            found = True
    return found


@numba.njit(**_opts)
def _classify_end(x, f, gnorm, lam, vecs, value, params, probe):
    """Name the critical point reached, from the Hessian and, where it has a zero eigenvalue,
    from the values a small distance away along the zero-curvature directions."""
    scale = 1.0
    for i in range(lam.shape[0]):
        scale = max(scale, abs(lam[i]))
    tol = ZERO_TOL * scale
    neg = False
    pos = False
    zero = False
    for i in range(lam.shape[0]):
        if lam[i] < -tol:
            neg = True
        elif lam[i] > tol:
            pos = True
        else:
            zero = True
    if neg and pos:
        return SADDLE
    if not zero:
        return MAXIMUM if neg else MINIMUM
    down = False
    up = False
    y = np.empty_like(x)
    for i in range(lam.shape[0]):
        if abs(lam[i]) > tol:
            continue
        for delta in (probe * 1e-2, probe * 1e-1):
            thresh = gnorm * delta + 1e-12 * max(1.0, abs(f))
            for sign in (-1.0, 1.0):
                y[:] = x + sign * delta * vecs[:, i]
                fy = value(y, params)
                if fy < f - thresh:
                    down = True
                elif fy > f + thresh:
                    up = True
    if (neg or down) and (pos or up):
        return SADDLE if neg else DEGENERATE
    if neg or down:
        return MAXIMUM
    return MINIMUM


_integrate_sig = types.UniTuple(types.int64, 2)(
    VghFn, ValueFn, MetricFn, vec,  # kernels, packed params
    types.int64, vec, types.int64,  # method code, x0, steps
    types.float64, types.float64, types.boolean, types.float64,  # lr, damping, auto, margin
    mat, types.int64,  # noise (steps, n) or (0, n), krylov k
    vec, types.float64, types.float64, types.float64,  # centre, radius, gtol, probe scale
    types.boolean, mat, vec, vec, mat,  # record, xs, values, grad norms, eigenvalues
)


@numba.njit(_integrate_sig, **_opts)
def integrate(vgh, value, metric, params, code, x0, steps, lr, damping, auto, margin,
              noise, k, centre, radius, gtol, probe, record, xs, values, gnorms, eigs):
    """Run one trajectory; returns (stop code, steps taken).  With ``record`` the arrays
    receive row t for step t, else only row 0 is written (the current point)."""
    n = x0.shape[0]
    x = x0.copy()
    g = np.empty(n)
    h = np.empty((n, n))
    lam = np.empty(n)
    vecs = np.empty((n, n))
    mbuf = np.empty((n, n))
    mu = np.empty(n)
    mvecs = np.empty((n, n))
    step = np.empty(n)
    kk = max(1, min(k, n))
    work = (np.empty((n, kk)), np.zeros((kk, kk)), np.empty(n), np.empty(n),
            np.empty(kk), np.empty((kk, kk)), np.empty(kk), np.empty(kk))
    f0 = np.nan
    needs_eigs = code != GD and code != SGD and code != KRYLOV_SADDLE_FREE and code != NATURAL_GRADIENT
    for t in range(steps + 1):
        row = t if record else 0
        f = vgh(x, params, g, h)
        gnorm = _norm(g)
        xs[row, :] = x
        values[row] = f
        gnorms[row] = gnorm
        if t == 0:
            f0 = f
        finite = np.isfinite(f) and np.isfinite(gnorm)
        for i in range(n):
            for j in range(n):
                if not np.isfinite(h[i, j]):
                    finite = False
        if not finite:
            eigs[row, 0] = np.nan
            eigs[row, 1] = np.nan
            return DIVERGED, t
        # Only Newton-type steps use H's eigenpairs every step; the others need them for a
        # recorded trajectory and for naming the end point.
        have_eigs = record or needs_eigs
        if have_eigs:
            eigh_sym_into(h, lam, vecs)
            eigs[row, 0] = lam[0]
            eigs[row, 1] = lam[n - 1]
        dist = 0.0
        for i in range(n):
            dist += (x[i] - centre[i]) ** 2
        dist = np.sqrt(dist)
        if dist > radius:
            return (ESCAPED if f < f0 else DIVERGED), t
        if gnorm <= gtol:
            if not have_eigs:
                eigh_sym_into(h, lam, vecs)
                eigs[row, 0] = lam[0]
                eigs[row, 1] = lam[n - 1]
            return _classify_end(x, f, gnorm, lam, vecs, value, params, probe), t
        if t == steps:
            return STEP_LIMIT, t
        ok = True
        if code == KRYLOV_SADDLE_FREE:
            ok = _krylov_step(h, g, x, value, params, kk, lr, damping, auto, step, work)
        elif code == NATURAL_GRADIENT:
            metric(x, params, mbuf)
            eigh_sym_into(mbuf, mu, mvecs)
            ok = _spectral_step(code, g, mu, mvecs, lr, damping, step)
        elif code == GD or code == SGD:
            # First-order phi does not depend on lambda: V diag(phi) V^T g = phi g, so the
            # step needs no eigenpairs.
            p = phi(code, 0.0, lr, damping)
            for i in range(n):
                step[i] = -p * g[i]
        else:
            m = auto_damping(lam[0], margin) if (auto and code == DAMPED_NEWTON) else damping
            ok = _spectral_step(code, g, lam, vecs, lr, m, step)
        if not ok:
            return SINGULAR, t
        if code == SGD:
            for i in range(n):
                step[i] -= lr * noise[t, i]
        for i in range(n):
            x[i] += step[i]
    return STEP_LIMIT, steps


_many_sig = types.Tuple((types.int64[::1], types.int64[::1], mat, vec))(
    VghFn, ValueFn, MetricFn, vec, types.int64, mat, types.int64,
    types.float64, types.float64, types.boolean, types.float64, mat, types.int64,
    vec, types.float64, types.float64, types.float64,
)


@numba.njit(_many_sig, cache=True, nogil=True, parallel=True)
def integrate_many(vgh, value, metric, params, code, starts, steps, lr, damping, auto, margin,
                   noise, k, centre, radius, gtol, probe):
    """Run from every row of ``starts`` in parallel; returns stop codes, steps taken, end
    points and end values (the basin / escape-time map)."""
    m, n = starts.shape
    stops = np.empty(m, dtype=np.int64)
    taken = np.empty(m, dtype=np.int64)
    ends = np.empty((m, n))
    end_values = np.empty(m)
    for j in numba.prange(m):
        xs = np.empty((1, n))
        values = np.empty(1)
        gnorms = np.empty(1)
        eigs = np.empty((1, 2))
        s, c = integrate(vgh, value, metric, params, code, np.ascontiguousarray(starts[j]), steps,
                         lr, damping, auto, margin, noise, k, centre, radius, gtol, probe,
                         False, xs, values, gnorms, eigs)
        stops[j] = s
        taken[j] = c
        ends[j] = xs[0]
        end_values[j] = values[0]
    return stops, taken, ends, end_values
