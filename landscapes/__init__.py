"""Test landscapes with exact gradients and Hessians, compiled with Numba.

    >>> import landscapes
    >>> L = landscapes.get("quadratic", eigenvalues=[1.0, -0.5], angle=0.3)
    >>> L.value([0.1, 0.2]), L.grad([0.1, 0.2]).shape, L.hess([0.1, 0.2]).shape
"""

from . import analytic, gaussian_field, mlp, nets  # noqa: F401  (registers the landscapes)
from ._jit import ValueFn, VghFn, MetricFn, value_kernel, vgh_kernel, metric_kernel
from .base import (
    CriticalPoint,
    Kernels,
    Kind,
    Landscape,
    build,
    classify_eigenvalues,
    defaults,
    get,
    names,
    register,
)

__all__ = [
    "CriticalPoint", "Kernels", "Kind", "Landscape", "MetricFn", "ValueFn", "VghFn",
    "build", "classify_eigenvalues", "defaults", "get", "metric_kernel", "names",
    "register", "value_kernel", "vgh_kernel",
]
