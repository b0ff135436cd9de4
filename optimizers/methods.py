"""The registered methods: names, their hyperparameters (defaults and ranges), and the slides'
update rule for each.  Methods are data; ``run`` and ``update_factors`` resolve them here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import spectral


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter: default, allowed closed range, and whether "auto" is allowed."""

    default: object
    lo: float
    hi: float
    doc: str
    allow_auto: bool = False
    integer: bool = False


@dataclass(frozen=True)
class Method:
    """A registered optimizer.

    Attributes
    ----------
    name, label : str
        Registry key and display name.
    code : int
        Code of its phi in ``optimizers.spectral``.
    rule : str
        The slides' update rule theta_new = theta* + sum_i factor_i eps_i v_i, as LaTeX.
    factor : str
        The factor alone, as LaTeX.
    hyper : dict of Hyper
    reference : str
    """

    name: str
    label: str
    code: int
    rule: str
    factor: str
    hyper: dict = field(default_factory=dict)
    reference: str = ""
    needs_metric: bool = False


_LR = {
    "first": Hyper(0.1, 0.0, 1e3, "learning rate alpha (> 0)"),
    "second": Hyper(1.0, 0.0, 1e3, "step scale alpha (> 0; 1 is the full step)"),
}


def _rule(factor: str) -> str:
    return r"\theta_{new} = \theta^* + \sum_i \left(" + factor + r"\right)\epsilon_i v_i"


_METHODS = {
    m.name: m
    for m in [
        Method(
            "gd", "Gradient descent", spectral.GD, _rule(r"1 - \alpha\lambda_i"), r"1 - \alpha\lambda_i",
            {"lr": _LR["first"]},
            "Cauchy 1847; Dauphin et al. 2014, section 4",
        ),
        Method(
            "sgd", "Noisy SGD", spectral.SGD, _rule(r"1 - \alpha\lambda_i"), r"1 - \alpha\lambda_i",
            {
                "lr": _LR["first"],
                "noise": Hyper(0.1, 0.0, 1e3, "std sigma of Gaussian noise added to the gradient"),
                "seed": Hyper(0, 0, 2**32 - 1, "noise seed", integer=True),
            },
            "gradient plus seeded Gaussian noise, step -alpha (g + sigma xi)",
        ),
        Method(
            "newton", "Newton", spectral.NEWTON, _rule(r"1 - 1"), r"1 - \alpha",
            {"lr": _LR["second"]},
            "Nocedal & Wright 2006, ch. 3",
        ),
        Method(
            "damped_newton", "Damped Newton", spectral.DAMPED_NEWTON,
            _rule(r"1 - \frac{\lambda_i}{\lambda_i + m}"), r"\frac{m}{\lambda_i + m}",
            {
                "lr": _LR["second"],
                "damping": Hyper("auto", 0.0, 1e6, "shift m >= 0, or 'auto': the smallest m with "
                                 "lambda_min + m > 0, plus the margin", allow_auto=True),
                "margin": Hyper(0.1, 0.0, 1e6, "margin added to the automatic damping (> 0)"),
            },
            "Levenberg 1944; the slides' 'Hessian approximation'",
        ),
        Method(
            "natural_gradient", "Natural gradient", spectral.NATURAL_GRADIENT,
            _rule(r"1 - \frac{\lambda_i}{\mu_i + m}"), r"1 - \frac{\lambda_i}{\mu_i + m}",
            {
                "lr": _LR["second"],
                "damping": Hyper(0.0, 0.0, 1e6, "m >= 0 added to the metric; 0 = pseudo-inverse"),
            },
            "Amari 1998; the metric is the Fisher / Gauss-Newton matrix",
            needs_metric=True,
        ),
        Method(
            "saddle_free", "Saddle-free Newton", spectral.SADDLE_FREE,
            _rule(r"1 - \frac{\lambda_i}{|\lambda_i| + m}"), r"1 - \frac{\lambda_i}{|\lambda_i| + m}",
            {"lr": _LR["second"], "damping": Hyper(0.0, 0.0, 1e6, "m >= 0 added to |H|")},
            "Dauphin et al. 2014, eq. 13",
        ),
        Method(
            "krylov_saddle_free", "Krylov saddle-free", spectral.KRYLOV_SADDLE_FREE,
            _rule(r"1 - \frac{\lambda_i}{|\lambda_i| + m}"), r"1 - \frac{\lambda_i}{|\lambda_i| + m}",
            {
                "lr": _LR["second"],
                "k": Hyper(None, 1, 10_000, "number of Lanczos vectors (default min(n, 20))", integer=True),
                "damping": Hyper("auto", 0.0, 1e6, "m >= 0, or 'auto': line search over "
                                 "m in {0, 1e-3, 1e-2, 1e-1, 1} x max|Ritz value|", allow_auto=True),
            },
            "Dauphin et al. 2014, Algorithm 1",
        ),
    ]
}


def methods() -> list[str]:
    """Names of the registered methods, in the slides' order."""
    return list(_METHODS)


def method_info(name: str) -> Method:
    """The registered Method record (label, rule, hyperparameters)."""
    if name not in _METHODS:
        raise ValueError(f"unknown method '{name}'; choose one of {methods()}")
    return _METHODS[name]


def resolve(name: str, hyper: dict) -> tuple[Method, dict]:
    """Check hyperparameters against the method's ranges and fill in defaults.

    ``None`` values mean "use the default".  Raises ValueError naming the parameter and range.
    """
    spec = method_info(name)
    unknown = sorted(k for k, v in hyper.items() if k not in spec.hyper and v is not None)
    if unknown:
        raise ValueError(
            f"unknown hyperparameter(s) {unknown} for method '{name}'; allowed: {sorted(spec.hyper)}"
        )
    out = {}
    for key, h in spec.hyper.items():
        value = hyper.get(key)
        if value is None:
            value = h.default
        if value is None:
            out[key] = None
            continue
        if h.allow_auto and isinstance(value, str):
            if value != "auto":
                raise ValueError(f"{key} must be a number in [{h.lo}, {h.hi}] or 'auto', got {value!r}")
            out[key] = "auto"
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{key} must be a number in [{h.lo}, {h.hi}], got {value!r}") from None
        positive = key in ("lr", "margin")
        ok = np.isfinite(number) and h.lo <= number <= h.hi and not (positive and number <= 0)
        if h.integer and ok:
            ok = number.is_integer()
        if not ok:
            kind = "an integer" if h.integer else "a number"
            extra = " (> 0)" if positive else ""
            raise ValueError(f"{key} ({h.doc}) must be {kind} in [{h.lo}, {h.hi}]{extra}, got {value!r}")
        out[key] = int(number) if h.integer else number
    return spec, out
