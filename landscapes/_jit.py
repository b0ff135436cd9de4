"""The one place that decides how landscape kernels are compiled.

Every landscape provides Numba kernels with these explicit signatures, so that the trajectory
loop (``optimizers``) takes them as first-class function values and is compiled once for all
landscapes, cached on disk, and accepts kernels compiled after start-up too.

    value(x, params) -> f
    vgh(x, params, grad_out, hess_out) -> f       # fills grad_out (n,) and hess_out (n, n)
    vg(x, params, grad_out) -> f                  # optional: value and gradient only
    metric(x, params, out) -> None                # fills the (n, n) Fisher / Gauss-Newton matrix

``params`` is a flat float64 array that packs whatever the landscape needs.  Output buffers are
passed in so the inner loops allocate nothing.
"""

from __future__ import annotations

import numba
from numba import types

vec = types.float64[::1]
mat = types.float64[:, ::1]

value_signature = types.float64(vec, vec)
vgh_signature = types.float64(vec, vec, vec, mat)
metric_signature = types.none(vec, vec, mat)
vg_signature = types.float64(vec, vec, vec)

ValueFn = types.FunctionType(value_signature)
VghFn = types.FunctionType(vgh_signature)
MetricFn = types.FunctionType(metric_signature)
VgFn = types.FunctionType(vg_signature)

_options = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")


def value_kernel(fn):
    """Compile ``fn(x, params) -> f`` with the shared signature."""
    return numba.njit(value_signature, **_options)(fn)


def vgh_kernel(fn):
    """Compile ``fn(x, params, grad_out, hess_out) -> f`` with the shared signature."""
    return numba.njit(vgh_signature, **_options)(fn)


def vg_kernel(fn):
    """Compile ``fn(x, params, grad_out) -> f`` (value and gradient, no Hessian)."""
    return numba.njit(vg_signature, **_options)(fn)


def metric_kernel(fn):
    """Compile ``fn(x, params, out)`` (fills the metric) with the shared signature."""
    return numba.njit(metric_signature, **_options)(fn)


def helper(fn):
    """Compile a private helper called from kernels (signature inferred, cached)."""
    return numba.njit(**_options)(fn)


@metric_kernel
def no_metric(x, params, out):  # pragma: no cover - placeholder never run
    out[:, :] = float("nan")


@vg_kernel
def no_vg(x, params, grad_out):  # pragma: no cover - placeholder never run
    grad_out[:] = float("nan")
    return float("nan")
