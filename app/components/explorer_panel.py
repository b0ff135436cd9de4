"""What the explorer's update-rule panel shows, computed without Streamlit.

Near a critical point θ* with H = Σ λ_i v_i v_iᵀ and θ − θ* = Σ ε_i v_i, one step of every
method multiplies ε_i by a factor (the slides' "Recap").  The factors come from
``optimizers.update_factors``, the function the compiled steps use, so the numbers on
screen are the numbers the code ran.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

import optimizers

from .scene import Reference, Scene

EPS_FLOOR = 1e-16  # |eps_i| below this is drawn at it: a log axis cannot show 0
_ZERO = 1e-12


@dataclass(frozen=True)
class MethodFactors:
    """The panel's numbers for one method.

    Attributes
    ----------
    method, label : str
    rule : str
        The slides' update rule (LaTeX).
    factor : str
        The factor alone (LaTeX).
    eigenvalues : ndarray, shape (n,)
        λ_i at θ*, ascending.
    factors : ndarray, shape (n,)
        1 − λ_i φ(λ_i) from ``optimizers.update_factors`` (inf where the step is singular).
    verdicts : list of str
        A plain sentence per direction.
    note : str
        What the factors leave out for this method (empty when nothing).
    """

    method: str
    label: str
    rule: str
    factor: str
    eigenvalues: np.ndarray
    factors: np.ndarray
    verdicts: list
    note: str = ""


def curvature(eigenvalue: float) -> str:
    scale = 1e-9
    if eigenvalue < -scale:
        return "negative curvature"
    if eigenvalue > scale:
        return "positive curvature"
    return "flat (λ = 0)"


def verdict(eigenvalue: float, factor: float) -> str:
    """A plain sentence for one direction, e.g. "negative curvature: pushed away, ×3 per step".

    ``factor`` multiplies ε_i at every step: |factor| < 1 attracts (0: in one step), > 1
    repels, < 0 flips the side each step.
    """
    head = curvature(eigenvalue)
    if not np.isfinite(factor):
        return f"{head}: singular, the step divides by zero here"
    f = float(factor)
    size = f"×{f:.3g} per step"
    if abs(f) <= _ZERO:
        return f"{head}: attracted: ×0, onto θ* in one step"
    if abs(abs(f) - 1.0) <= _ZERO:
        return f"{head}: neutral, ×{f:.3g}: neither approaches nor leaves"
    if abs(f) < 1.0:
        return f"{head}: attracted, {size}" + (" (oscillating)" if f < 0 else "")
    if f < -1.0:
        return f"{head}: oscillates and grows, {size}"
    return f"{head}: pushed away, {size}"


def metric_eigenvalues(L, ref: Reference) -> tuple[np.ndarray, bool]:
    """The metric's curvature μ_i = v_iᵀ F v_i along the Hessian's eigenvectors at θ*.

    Returns ``(mu, commutes)``; the per-direction factors are exact only when F commutes
    with H (F V = V diag(μ)).
    """
    F = L.metric(ref.position)
    V = ref.eigenvectors
    mu = np.einsum("ji,jk,ki->i", V, F, V)
    commutes = bool(np.linalg.norm(F @ V - V * mu) <= 1e-8 * max(1.0, np.abs(F).max()))
    return mu, commutes


def method_factors(scene: Scene, L, ref: Reference, method: str) -> MethodFactors:
    """The update-rule panel's numbers for one method at θ* = ``ref``."""
    info = optimizers.method_info(method)
    hyper = scene.hyper_for(method)
    lam = np.asarray(ref.eigenvalues, dtype=float)
    note = ""
    kwargs = dict(lr=hyper.get("lr"), damping=hyper.get("damping"), margin=hyper.get("margin"))
    if method == "natural_gradient":
        mu, commutes = metric_eigenvalues(L, ref)
        kwargs["metric_eigenvalues"] = mu
        if not commutes:
            note = ("The metric does not commute with H here: μ_i = v_iᵀ F v_i, and the "
                    "factors are an approximation of the step.")
        if np.any(np.abs(mu) <= 1e-12) and not hyper.get("damping"):
            note += (" The metric is zero along some v_i: with m = 0 the run uses the "
                     "pseudo-inverse, which leaves those directions unchanged.")
    elif method == "krylov_saddle_free":
        note = ("With k = n Lanczos vectors the step equals saddle-free Newton's; 'auto' "
                "damping is a line search per step, shown here as m = 0.")
    elif method == "sgd":
        note = "The noise adds a random kick on top of the factor at every step."
    factors = optimizers.update_factors(method, lam, **kwargs)
    verdicts = [verdict(l, f) for l, f in zip(lam, factors)]
    return MethodFactors(method, info.label, info.rule, info.factor, lam, factors, verdicts,
                         note.strip())


def shown_directions(n: int, limit: int = 6) -> list[int]:
    """Indices of the eigendirections worth showing (all up to ``limit``; else the most
    negative and most positive ones)."""
    if n <= limit:
        return list(range(n))
    half = limit // 2
    return list(range(half)) + list(range(n - half, n))


def eigen_coordinates(xs, ref: Reference) -> np.ndarray:
    """ε = Vᵀ(θ − θ*) for every row of ``xs`` (k, n); returns (k, n)."""
    return (np.asarray(xs, dtype=float) - ref.position) @ ref.eigenvectors


def eps_magnitudes(xs, ref: Reference) -> np.ndarray:
    """|ε_i| per step, floored at EPS_FLOOR (non-finite entries become NaN); shape (k, n)."""
    with np.errstate(all="ignore"):
        eps = np.abs(eigen_coordinates(xs, ref))
    eps[~np.isfinite(eps)] = np.nan
    return np.maximum(eps, EPS_FLOOR, where=np.isfinite(eps), out=eps)


def factors_latex(mf: MethodFactors, shown: list[int]) -> str:
    """One LaTeX line: the eigenvalues and the factors of the shown directions."""
    def num(v):
        if not np.isfinite(v):
            return r"\infty"
        return f"{v:.3g}".replace("e", r"\mathrm{e}")

    lam = ", ".join(num(mf.eigenvalues[i]) for i in shown)
    fac = ", ".join(num(mf.factors[i]) for i in shown)
    sub = "" if len(shown) == len(mf.eigenvalues) else r"\ (\text{shown})"
    if len(shown) <= 3:
        return rf"\lambda_i = ({lam}){sub},\qquad " + mf.factor + rf" = ({fac})"
    return (r"\begin{aligned}" + rf"\lambda_i &= ({lam}){sub}\\ " + mf.factor + rf" &= ({fac})"
            + r"\end{aligned}")


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def direction_name(i: int) -> str:
    """v₁, v₂, ... for the 0-based index ``i`` (plain text, no LaTeX)."""
    return "v" + str(i + 1).translate(_SUBSCRIPT)


def method_markdown(mf: MethodFactors, shown: list[int], colour: str) -> str:
    """One method's block of the panel as a single markdown element: its name in its
    colour, the slides' rule and the factors (display math), and the verdict per shown
    direction (plain text: each formula costs the browser a KaTeX render on every rerun),
    then the method's note, if any."""
    verdicts = "\n".join(f"- {direction_name(i)} (λ = {mf.eigenvalues[i]:.3g}): {mf.verdicts[i]}"
                         for i in shown)
    note = f"\n\n{small(mf.note)}" if mf.note else ""
    return (f"<span style='color:{colour};font-size:1.3em'>■</span> **{mf.label}**\n\n"
            f"$$\n{mf.rule}\n$$\n\n$$\n{factors_latex(mf, shown)}\n$$\n\n{verdicts}{note}")


def small(text: str) -> str:
    """Caption-like text inside a markdown element (HTML-escaped)."""
    return f"<small style='opacity:0.7'>{html.escape(text)}</small>"


__all__ = [
    "EPS_FLOOR", "MethodFactors", "curvature", "direction_name", "eigen_coordinates",
    "eps_magnitudes", "factors_latex", "method_factors", "method_markdown",
    "metric_eigenvalues", "shown_directions", "small", "verdict",
]
