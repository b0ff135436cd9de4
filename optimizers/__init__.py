"""Optimizers near saddle points, all written as one spectral step
``step = -V diag(phi(lambda)) V^T g`` (see ``optimizers.spectral``).

    >>> import landscapes, optimizers
    >>> L = landscapes.get("quadratic", eigenvalues=[10.0, -2.0])
    >>> T = optimizers.run(L, "saddle_free", [1.0, 0.1], steps=50)
    >>> T.stop, T.xs[1]          # (x, y) -> (0, 2y)
"""

from .critical import CriticalPointSearch, FoundPoint, find_critical_points
from .krylov import lanczos, krylov_saddle_free_step
from .methods import Hyper, Method, method_info, methods
from .run import BatchResult, run, run_many
from .spectral import update_factors
from .trajectory import Stop, Trajectory

__all__ = [
    "BatchResult", "CriticalPointSearch", "FoundPoint", "Hyper", "Method", "Stop", "Trajectory",
    "find_critical_points", "krylov_saddle_free_step", "lanczos", "method_info", "methods",
    "run", "run_many", "update_factors",
]
