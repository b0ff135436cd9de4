"""Critical points: the second-order test, made visible (the deck's "Definitions" slide)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscapes
import optimizers
from app.components.common import KIND_COLOURS, KIND_SYMBOLS, get_landscape
from app.components.lecture import misconception_card, slide_question, think_first
from app.components.presenter import columns, controls
from app.components.theme import show
from optimizers.classify import classify_point

POSITIVE, NEGATIVE, ZERO = "#009E73", "#D55E00", "#999999"  # Okabe-Ito green / vermillion, grey
CURVATURE_TEXT = {
    landscapes.Kind.MINIMUM: "curving up in every direction",
    landscapes.Kind.MAXIMUM: "curving down in every direction",
    landscapes.Kind.SADDLE: "curving up in some directions and down in others",
    landscapes.Kind.DEGENERATE: "flat in some direction",
}
KIND_TEXT = {
    landscapes.Kind.MINIMUM: "a minimum",
    landscapes.Kind.MAXIMUM: "a maximum",
    landscapes.Kind.SADDLE: "a saddle",
    landscapes.Kind.DEGENERATE: "degenerate (the Hessian cannot decide)",
}
# Labels kept short so the buttons fit in one row in presenter mode.
MORPH_PRESETS = {
    "Minimum": (2.0, 1.0),
    "λ₂ = 0": (2.0, 0.0),
    "Saddle": (2.0, -1.0),
    "λ₁ = 0": (0.0, -1.0),
    "Maximum": (-1.0, -2.0),
}


def sign_colour(value: float, scale: float) -> str:
    if abs(value) <= 1e-8 * max(1.0, scale):
        return ZERO
    return POSITIVE if value > 0 else NEGATIVE


def verdict_text(verdict) -> str:
    text = f"**Hessian test:** {KIND_TEXT[verdict.kind]}, index {verdict.index}"
    if verdict.known is not None and verdict.known.kind != verdict.kind:
        text += f" — **known:** {KIND_TEXT[verdict.known.kind]}"
        if verdict.known.note:
            text += f" ({verdict.known.note})"
    return text


def eigen_arrows(fig: go.Figure, centre, verdict, length: float) -> None:
    """Eigenvectors through ``centre``, each scaled by |lambda_i| (zero: a dashed line)."""
    lam, vecs = verdict.eigenvalues, verdict.eigenvectors
    scale = float(np.max(np.abs(lam))) if lam.size else 1.0
    for i, value in enumerate(lam):
        colour = sign_colour(value, scale)
        v = vecs[:, i]
        if colour == ZERO:
            a, b = centre - length * v, centre + length * v
            fig.add_trace(go.Scatter(x=[a[0], b[0]], y=[a[1], b[1]], mode="lines",
                                     line=dict(color=ZERO, dash="dash", width=3),
                                     name=f"v{i + 1}: λ{i + 1} = 0 (flat)"))
            continue
        reach = length * abs(value) / scale
        for sign in (1.0, -1.0):
            tip = centre + sign * reach * v
            fig.add_annotation(x=tip[0], y=tip[1], ax=centre[0], ay=centre[1], xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=3, arrowwidth=3,
                               arrowcolor=colour, text="")
        fig.add_trace(go.Scatter(x=[centre[0] + reach * v[0]], y=[centre[1] + reach * v[1]],
                                 mode="markers+text", marker=dict(color=colour, size=7),
                                 text=[f"λ{i + 1} = {value:.3g}"], textposition="top center",
                                 textfont=dict(color=colour), name=f"v{i + 1}: λ{i + 1} = {value:.3g}"))


def contour_figure(L, n: int = 121, title: str = "") -> go.Figure:
    (x0, x1), (y0, y1) = L.bounds
    s, t = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    z = L.grid_values(s, t)
    # Cubic and quartic landscapes span a wide range: contour levels on a clipped range.
    lo, hi = np.percentile(z, [2, 98])
    fig = go.Figure(go.Contour(x=s, y=t, z=z, colorscale="Cividis", ncontours=25,
                               contours=dict(start=lo, end=hi, size=(hi - lo) / 25 or 1.0),
                               colorbar=dict(title="f"), name="f", showscale=True))
    fig.update_layout(title=title, xaxis_title="θ₁", yaxis_title="θ₂", height=520,
                      xaxis=dict(range=[x0, x1], constrain="domain"),
                      yaxis=dict(range=[y0, y1], scaleanchor="x", scaleratio=1), showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.25))
    return fig


def surface_figure(L, verdict=None, n: int = 61, title: str = "") -> go.Figure:
    (x0, x1), (y0, y1) = L.bounds
    s, t = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    z = L.grid_values(s, t)
    fig = go.Figure(go.Surface(x=s, y=t, z=z, colorscale="Cividis", opacity=0.9, showscale=False, name="f"))
    if verdict is not None:
        scale = float(np.max(np.abs(verdict.eigenvalues)))
        r = np.linspace(-1.0, 1.0, 41) * 0.9 * min(x1 - x0, y1 - y0) / 2
        for i, value in enumerate(verdict.eigenvalues):
            v = verdict.eigenvectors[:, i]
            pts = verdict.position[None, :] + r[:, None] * v[None, :]
            fig.add_trace(go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=[L.value(p) for p in pts], mode="lines",
                                       line=dict(color=sign_colour(value, scale), width=8),
                                       name=f"along v{i + 1}: λ{i + 1} = {value:.3g}"))
    fig.update_layout(title=title, height=560, scene=dict(xaxis_title="θ₁", yaxis_title="θ₂", zaxis_title="f"),
                      legend=dict(orientation="h", yanchor="top", y=0))
    return fig


def mark_critical_points(fig: go.Figure, L) -> None:
    for kind in landscapes.Kind:
        pts = [p for p in L.critical_points if p.kind == kind]
        if pts:
            fig.add_trace(go.Scatter(
                x=[p.position[0] for p in pts], y=[p.position[1] for p in pts], mode="markers",
                marker=dict(symbol=KIND_SYMBOLS[kind.value], color=KIND_COLOURS[kind.value], size=12,
                            line=dict(width=1, color="white")),
                name=f"listed {kind.value}"))


# ---------------------------------------------------------------------------------------------
st.title("Critical points")
slide_question("A point where the gradient vanishes: is it a minimum, a maximum or a saddle, "
               "and what can the Hessian's eigenvalues tell us?")
st.markdown(
    r"""
A **critical (stationary) point** has $\partial F / \partial \theta_i (\theta_0) = 0$ for every $i$.
Near it $F(\theta_0 + \Delta\theta) \approx F(\theta_0) + \tfrac12 \Delta\theta^\top H \Delta\theta$,
so the Hessian's eigenvalues $\lambda_i$ decide:
**minimum** if all $\lambda_i > 0$, **maximum** if all $\lambda_i < 0$,
**saddle** if some $\lambda_i > 0$ and some $\lambda_j < 0$ (its **index** is the number of
negative ones), and **degenerate** when some $\lambda_i = 0$ — then the second-order test is
silent (the monkey saddle).
"""
)

morph_tab, degenerate_tab, classify_tab = st.tabs(
    ["Morph a quadratic", "Degenerate saddles", "Classify any point"])

# -- 1. morph a quadratic ---------------------------------------------------------------------
with morph_tab:
    def _set_morph(pair):
        st.session_state["cp_lambda_1"], st.session_state["cp_lambda_2"] = pair

    with controls("cp_morph"):
        st.caption("Presets: minimum → degenerate (a zero eigenvalue) → saddle → degenerate → maximum")
        cols = st.columns(len(MORPH_PRESETS))
        for col, (label, pair) in zip(cols, MORPH_PRESETS.items()):
            col.button(label, key=f"cp_preset_{pair[0]}_{pair[1]}", on_click=_set_morph, args=(pair,),
                       width="stretch")
        c1, c2, c3 = st.columns(3)
        lam1 = c1.slider("λ₁", -3.0, 3.0, 2.0, 0.1, key="cp_lambda_1")
        lam2 = c2.slider("λ₂", -3.0, 3.0, -1.0, 0.1, key="cp_lambda_2")
        angle_deg = c3.slider("eigenvector angle (degrees)", -90, 90, 20, 5, key="cp_angle")
        surface = st.toggle("3D surface", key="cp_surface")

    Lq = get_landscape("quadratic", eigenvalues=[round(lam1, 10), round(lam2, 10)],
                       angle=float(np.deg2rad(angle_deg)))
    verdict = classify_point(Lq, np.zeros(2))
    st.markdown(verdict_text(verdict))
    V = verdict.eigenvectors
    D = np.diag(verdict.eigenvalues)
    st.latex(
        r"H = V D V^\top = \begin{pmatrix} %.2f & %.2f \\ %.2f & %.2f \end{pmatrix}"
        r"\begin{pmatrix} %.2f & 0 \\ 0 & %.2f \end{pmatrix}"
        r"\begin{pmatrix} %.2f & %.2f \\ %.2f & %.2f \end{pmatrix}"
        % (V[0, 0], V[0, 1], V[1, 0], V[1, 1], D[0, 0], D[1, 1], V[0, 0], V[1, 0], V[0, 1], V[1, 1])
    )
    st.latex(r"f(\theta^* + \Delta\theta) = f(\theta^*) + \tfrac12 \sum_i \lambda_i (v_i^\top \Delta\theta)^2"
             r" = \tfrac12 (%.2f\, \epsilon_1^2 %+.2f\, \epsilon_2^2)" % (D[0, 0], D[1, 1]))
    if not surface:
        fig = contour_figure(Lq, title="Eigenvectors scaled by |λᵢ| (green: λ > 0, vermillion: λ < 0)")
        eigen_arrows(fig, np.zeros(2), verdict, length=1.8)
    else:
        fig = surface_figure(Lq, verdict, title="Along each eigenvector: a parabola ½ λᵢ r²")
    show(fig, key="cp_morph_figure")

    left, right = columns(2)
    with left:
        think_first(
            r"Why can we write $H = H^\top = V D V^\top$, $V = [v_1 | v_2 | \dots]$?",
            r"""The Hessian is **symmetric**: mixed partial derivatives commute
($\partial^2 f / \partial\theta_i \partial\theta_j = \partial^2 f / \partial\theta_j \partial\theta_i$
for a twice continuously differentiable $f$). The **spectral theorem** then gives real eigenvalues
and orthonormal eigenvectors: $H = \sum_i \lambda_i v_i v_i^\top$ and
$H^{-1} = \sum_i \lambda_i^{-1} v_i v_i^\top$. Here: turn the angle slider — $V$ rotates, $D$ stays.""",
            key="cp_q_spectral",
        )
    with right:
        think_first(
            r"Why do the $v_j$ form a basis, so that $\Delta\theta = \sum_j \epsilon_j v_j$?",
            r"""The $n$ eigenvectors of a symmetric matrix can be chosen **orthonormal**
($v_i^\top v_j = \delta_{ij}$), and $n$ orthonormal vectors are linearly independent, so they span
$\mathbb{R}^n$. The coordinates are simply $\epsilon_i = v_i^\top \Delta\theta$, which turns the
Taylor model into $f(\theta^*) + \tfrac12 \sum_i \lambda_i \epsilon_i^2$: one independent parabola
per direction.""",
            key="cp_q_basis",
        )

# -- 2. degenerate saddles --------------------------------------------------------------------
with degenerate_tab:
    DEGENERATE_CASES = {
        "Monkey saddle x³ − 3xy²": "monkey_saddle",
        "x² − y⁴": "degenerate_saddle",
    }
    with controls("cp_degenerate"):
        c1, c2 = st.columns(2)
        case = c1.radio("landscape", list(DEGENERATE_CASES), key="cp_degenerate_case", horizontal=True)
        # One slider per landscape, each opening on its telling direction (x^3 along phi = 0,
        # -y^4 along phi = 90).
        name_d = DEGENERATE_CASES[case]
        phi_deg = c2.slider("direction of the slice φ (degrees)", 0, 180, 0 if name_d == "monkey_saddle" else 90, 5,
                            key=f"cp_slice_angle_{name_d}")
        surface_d = st.toggle("3D surface", key="cp_degenerate_surface")
    Ld = get_landscape(DEGENERATE_CASES[case])
    origin = Ld.critical_points[0].position
    vd = classify_point(Ld, origin)
    st.markdown(f"{Ld.description}")
    st.markdown(verdict_text(vd) + f" — eigenvalues at the origin: {(np.round(vd.eigenvalues, 6) + 0.0).tolist()}")
    direction = np.array([np.cos(np.deg2rad(phi_deg)), np.sin(np.deg2rad(phi_deg))])
    direction[np.abs(direction) < 1e-12] = 0.0  # cos 90° is 6e-17, not 0: it would draw round-off
    left, right = columns([3, 2])
    with left:
        if not surface_d:
            fig = contour_figure(Ld, title=f"{case}: the slice direction dashed")
            mark_critical_points(fig, Ld)
            r = 1.4
            fig.add_trace(go.Scatter(x=[-r * direction[0], r * direction[0]], y=[-r * direction[1], r * direction[1]],
                                     mode="lines", line=dict(dash="dash", color="#F0E442", width=3), name="slice"))
        else:
            fig = surface_figure(Ld, vd, title="Zero eigenvalues: bending only at 3rd/4th order")
        show(fig, key="cp_degenerate_figure")
    with right:
        r = np.linspace(-1.4, 1.4, 201)
        pts = origin[None, :] + r[:, None] * direction[None, :]
        values = np.array([Ld.value(p) for p in pts])
        H0 = Ld.hess(origin)
        model = Ld.value(origin) + 0.5 * r**2 * float(direction @ H0 @ direction)
        slice_fig = go.Figure([
            go.Scatter(x=r, y=values, mode="lines", name="f along the slice", line=dict(color="#0072B2", width=3)),
            go.Scatter(x=r, y=model, mode="lines", name="second-order model ½ r² dᵀHd",
                       line=dict(color="#E69F00", dash="dash", width=3)),
        ])
        slice_fig.update_layout(title=f"slice at φ = {phi_deg}°", xaxis_title="r (distance from the origin)",
                                yaxis_title="f", height=520, legend=dict(orientation="h", yanchor="top", y=-0.25))
        show(slice_fig, key="cp_slice_figure")
    misconception_card(
        "A zero gradient and no negative Hessian eigenvalue make a minimum.",
        r"""With a zero eigenvalue the second-order test is **inconclusive**. $x^2 - y^4$ has
$H = \mathrm{diag}(2, 0)$ at the origin, yet $f$ falls like $-y^4$ along $y$: a saddle. The monkey
saddle has $H = 0$ and three descending valleys. Gradient descent leaves such points only
polynomially slowly, and a second-order method sees nothing there.""",
        "choose x² − y⁴, set φ = 90°: the model (dashed) is flat, f bends down.",
        key="cp_myth_psd",
    )

# -- 3. classify any point --------------------------------------------------------------------
with classify_tab:
    @st.cache_data(max_entries=4, show_spinner=False)
    def two_d_landscapes() -> list[str]:
        out = []
        for name in landscapes.names():
            try:
                if get_landscape(name).dim == 2:
                    out.append(name)
            except ValueError:
                continue
        return out

    names = two_d_landscapes()

    def _apply_preset(name: str):
        choice = st.session_state.get(f"cp_preset_{name}")
        L = get_landscape(name)
        for p in L.critical_points:
            if preset_label(p) == choice:
                st.session_state["cp_point_x"], st.session_state["cp_point_y"] = map(float, p.position)

    def preset_label(p) -> str:
        return f"{p.kind.value} at ({p.position[0]:.4g}, {p.position[1]:.4g})"

    def _polish(name: str):
        L = get_landscape(name)
        x = np.array([st.session_state.get("cp_point_x", 0.0), st.session_state.get("cp_point_y", 0.0)])
        found = optimizers.find_critical_points(L, x[None, :], gtol=1e-10, n_jobs=1).points
        if found:
            st.session_state["cp_point_x"], st.session_state["cp_point_y"] = map(float, found[0].position)
            st.session_state["cp_polish_message"] = "Newton's method on ∇f = 0 converged; the point moved there."
        else:
            st.session_state["cp_polish_message"] = "Newton's method on ∇f = 0 did not converge from here."

    with controls("cp_classify"):
        c1, c2 = st.columns(2)
        default_name = "himmelblau" if "himmelblau" in names else names[0]
        name = c1.selectbox("landscape", names, index=names.index(default_name), key="cp_landscape")
        L = get_landscape(name)
        labels = ["enter a point"] + [preset_label(p) for p in L.critical_points]
        c2.selectbox("preset", labels, key=f"cp_preset_{name}", on_change=_apply_preset, args=(name,))
        if "cp_point_x" not in st.session_state:
            # Open on a listed saddle, so the first verdict shown is a real one.
            first = next((p for p in L.critical_points if p.kind == landscapes.Kind.SADDLE), None)
            start = first.position if first is not None else np.zeros(2)
            st.session_state["cp_point_x"], st.session_state["cp_point_y"] = map(float, start)
        c3, c4, c5 = st.columns([2, 2, 2])
        x = c3.number_input("θ₁", step=0.1, format="%.6f", key="cp_point_x")
        y = c4.number_input("θ₂", step=0.1, format="%.6f", key="cp_point_y")
        c5.button("Find nearby critical point", key="cp_polish", on_click=_polish, args=(name,),
                  width="stretch", help="Newton's method on ∇f = 0 from θ (Levenberg–Marquardt safeguarded)")
    message = st.session_state.pop("cp_polish_message", None)
    if message:
        st.caption(message)

    point = np.array([x, y], dtype=float)
    try:
        pv = classify_point(L, point)
    except ValueError as exc:
        st.error(f"Cannot classify this point: {exc}")
        pv = None
    if pv is not None:
        st.latex(L.formula)
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("f(θ)", f"{pv.value:.6g}")
        m2.metric("‖∇f(θ)‖", f"{pv.grad_norm:.3g}")
        m3.metric("λ₁", f"{pv.eigenvalues[0]:.4g}")
        m4.metric("λ₂", f"{pv.eigenvalues[1]:.4g}")
        if pv.is_critical:
            st.success(verdict_text(pv))
        else:
            st.warning(
                f"Not a critical point: ‖∇f‖ = {pv.grad_norm:.3g}. The eigenvalues describe the "
                f"curvature here ({CURVATURE_TEXT[pv.kind]}, {pv.index} negative), "
                "but the second-order test applies only where ∇f = 0. Pick a preset or press "
                "“Find nearby critical point”.")
        fig = contour_figure(L, title=f"{name}: θ and its eigenvectors (scaled by |λᵢ|)")
        mark_critical_points(fig, L)
        (x0, x1), (y0, y1) = L.bounds
        eigen_arrows(fig, point, pv, length=0.15 * min(x1 - x0, y1 - y0))
        fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers", marker=dict(size=14, color="#F0E442",
                                 symbol="star", line=dict(width=1, color="black")), name="θ"))
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            st.caption("The point lies outside the plotting window.")
        show(fig, key="cp_classify_figure")

    misconception_card(
        "Most critical points in high dimension are local minima.",
        r"""In high dimension almost all are **saddles**. If each eigenvalue's sign were a coin
flip, a minimum would need all $N$ signs positive: probability $2^{-N}$ (the slide). For a random
Gaussian (GOE) Hessian it is even smaller, about $e^{-\theta N^2}$ with $\theta = \ln 3 / 4$
(Dean & Majumdar). On random landscapes (Bray & Dean) the index grows with the error: the
minima sit near the lowest values, the high critical points are saddles of large index.""",
        "the “Random landscapes” page plots the index against the error of critical points found "
        "on a random field.",
        key="cp_myth_minima",
    )
