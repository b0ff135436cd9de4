"""Natural gradient and the Fisher matrix (the deck's section D and Appendix 1)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from app.components.common import METHOD_COLOURS, get_landscape
from app.components.lecture import misconception_card, slide_question, think_first
from app.components.presenter import columns, controls
from app.components.theme import show
from optimizers import fisher

st.title("Natural gradient and the Fisher matrix")
slide_question("Why is the Fisher matrix important? Demonstrate that its eigenvalues are ≥ 0 — "
               "and see why natural gradient might still not escape a saddle.")

st.markdown(
    r"""
Natural gradient is a **trust region in distribution space**: minimise $f(\theta + \Delta\theta)$
subject to $KL(p_\theta \,\|\, p_{\theta + \Delta\theta}) \approx \tfrac12 \Delta\theta^\top F \Delta\theta < \epsilon$,
which gives $\Delta\theta = -F^{-1}\nabla f$ with the **Fisher matrix**
$F = E[s s^\top]$, $s = \partial \log p_\theta / \partial\theta$ the score (Amari 1998).
Below, the two-parameter net $y = w_2 w_1 x$ read as a likelihood $y \sim \mathcal N(w_2 w_1 x, 1)$,
$x \sim \mathcal N(0, 1)$: its score is $s = (y - w_2 w_1 x)\, x\, (w_2, w_1)$ and $F = J^\top J$, the
Gauss–Newton matrix of $f = \tfrac12 (1 - w_1 w_2)^2$.
"""
)

sample_tab, plane_tab, blowup_tab = st.tabs(
    ["Fisher from sampled scores", "Hessian vs Fisher over the plane", "Natural-gradient steps near the saddle"])

SIZES = np.unique(np.round(np.logspace(1, 5, 25)).astype(int))


@st.cache_data(max_entries=32, show_spinner=False)
def sampled_fisher(w1: float, w2: float, seed: int):
    return fisher.fisher_convergence([w1, w2], SIZES, seed)


@st.cache_data(max_entries=8, show_spinner=False)
def plane(name: str, lo: float, hi: float, n: int):
    s = np.linspace(lo, hi, n)
    return fisher.curvature_grid(get_landscape(name), s, s)


@st.cache_data(max_entries=16, show_spinner=False)
def step_sizes(lr: float):
    return fisher.natural_gradient_step_sizes(np.logspace(-3, np.log10(0.95), 40), lr)


# -- 1. Fisher from sampled scores --------------------------------------------------------------
with sample_tab:
    with controls("ng_sample"):
        c1, c2, c3 = st.columns(3)
        w1 = c1.slider("w₁", -2.0, 2.0, 0.5, 0.05, key="ng_w1")
        w2 = c2.slider("w₂", -2.0, 2.0, 0.8, 0.05, key="ng_w2")
        seed = c3.number_input("random seed", 0, 10_000, 0, 1, key="ng_seed")
    conv = sampled_fisher(float(w1), float(w2), int(seed))
    largest = conv.sizes[-1]
    F_hat = conv.eigenvalues[-1]
    # Rank one: the smaller eigenvalue is 0; eigvalsh returns it as +-1e-16 round-off.
    mu_min = 0.0 if abs(F_hat[0]) <= 1e-12 * max(F_hat[1], 1e-300) else F_hat[0]
    st.latex(r"\hat F_{%d} = \tfrac1m \textstyle\sum s s^\top: \text{ eigenvalues } (%.3g,\ %.4f)"
             % (largest, mu_min, F_hat[1]))
    st.latex(r"F = J^\top J = \begin{pmatrix} %.3f & %.3f \\ %.3f & %.3f \end{pmatrix}: "
             r"\text{ eigenvalues } (0,\ %.4f)" % (*conv.exact.ravel(), w1**2 + w2**2))
    left, right = columns(2)
    with left:
        fig = go.Figure([
            go.Scatter(x=conv.sizes, y=conv.eigenvalues[:, 1], mode="lines+markers", name="μ_max of sampled F",
                       line=dict(color="#0072B2")),
            go.Scatter(x=conv.sizes, y=conv.eigenvalues[:, 0], mode="lines+markers",
                       name="μ_min of sampled F", line=dict(color="#D55E00")),
            go.Scatter(x=[conv.sizes[0], conv.sizes[-1]], y=[w1**2 + w2**2] * 2, mode="lines",
                       name="exact μ_max = w₁² + w₂²", line=dict(color="#0072B2", dash="dash")),
        ])
        fig.update_layout(title="Eigenvalues of F̂ (never below 0)", xaxis=dict(title="samples m", type="log"),
                          yaxis=dict(title="eigenvalue", rangemode="tozero"), height=430,
                          legend=dict(orientation="h", yanchor="top", y=-0.25))
        show(fig, key="ng_eigen_figure")
    with right:
        ref = conv.errors[0] * np.sqrt(conv.sizes[0] / conv.sizes)
        fig = go.Figure([
            go.Scatter(x=conv.sizes, y=conv.errors, mode="lines+markers", name="‖F̂ − JᵀJ‖_F",
                       line=dict(color="#009E73")),
            go.Scatter(x=conv.sizes, y=ref, mode="lines", name="∝ 1/√m", line=dict(color="#999999", dash="dash")),
        ])
        fig.update_layout(title="F̂ converges to JᵀJ", xaxis=dict(title="samples m", type="log"),
                          yaxis=dict(title="Frobenius error", type="log", exponentformat="power"), height=430,
                          legend=dict(orientation="h", yanchor="top", y=-0.25))
        show(fig, key="ng_error_figure")
    st.caption(
        f"Every score is a multiple of (w₂, w₁), so F̂ has rank one: its smallest eigenvalue is 0 "
        f"(up to round-off of {abs(F_hat[0]):.0e}), never below (the smallest vᵀF̂v over 64 directions is "
        f"{conv.quadratic_forms[-1]:.2e} ≥ 0).")
    think_first(
        r"Why is the Fisher matrix important? Demonstrate that $\lambda_i \ge 0$ for all $i$.",
        r"""It is the **metric of the KL divergence**: $KL(p_\theta \| p_{\theta+\Delta\theta}) \approx
\tfrac12 \Delta\theta^\top F \Delta\theta$, so it measures how far a step moves the *distribution*,
not the parameters, and it is the curvature natural gradient uses in place of $H$. And it is
positive semidefinite: for any $x$,
$x^\top F x = E[x^\top s\, s^\top x] = E[(x^\top s)^2] \ge 0$, so every eigenvalue is $\ge 0$.
(The score has mean zero, $E[s] = \int \partial_\theta f_\theta\, dx = \partial_\theta 1 = 0$, so $F$
is its covariance.) Positive *semi*definite only: here $F$ has rank one.""",
        key="ng_q_fisher",
    )

# -- 2. Hessian vs Fisher over the plane --------------------------------------------------------
with plane_tab:
    NETS = {"two-parameter net ½(1 − w₁w₂)²": "two_param_net",
            "symmetric net (two hidden units)": "symmetric_net"}
    with controls("ng_plane"):
        choice = st.radio("landscape", list(NETS), key="ng_plane_landscape", horizontal=True)
    name = NETS[choice]
    L = get_landscape(name)
    (lo, hi), _ = L.bounds
    grid = plane(name, float(lo), float(hi), 81)
    titles = ["λ_min(H)", "λ_max(H)", "μ_min(F)", "μ_max(F)"]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.12, vertical_spacing=0.12)
    panels = [grid.hessian[..., 0], grid.hessian[..., 1], grid.metric[..., 0], grid.metric[..., 1]]
    # A shared, symmetric colour scale saturating at the 95th percentile keeps -1 at the saddle visible.
    bound = float(np.percentile(np.abs(np.stack(panels)), 95)) or 1.0
    for k, z in enumerate(panels):
        row, col = divmod(k, 2)
        # Round-off (|z| ~ 1e-16) would draw a noisy zero level where an eigenvalue is exactly 0.
        z = np.where(np.abs(z) <= 1e-10 * max(bound, 1.0), 0.0, z)
        fig.add_trace(go.Heatmap(
            x=grid.s, y=grid.t, z=z, colorscale="RdBu", zmid=0.0, zmin=-bound, zmax=bound, zsmooth="best",
            showscale=k == 0, colorbar=dict(title="eigenvalue"), name=titles[k]), row=row + 1, col=col + 1)
        if z.min() < 0.0 < z.max():
            fig.add_trace(go.Contour(
                x=grid.s, y=grid.t, z=z, contours=dict(start=0, end=0, size=1, coloring="none"),
                line=dict(color="black", width=2), showscale=False, hoverinfo="skip", name="zero level",
                showlegend=False), row=row + 1, col=col + 1)
        for p in L.critical_points:
            fig.add_trace(go.Scatter(x=[p.position[0]], y=[p.position[1]], mode="markers", showlegend=False,
                                     marker=dict(symbol="x" if p.kind.value == "saddle" else "circle",
                                                 color="#000000", size=9), name=p.kind.value),
                          row=row + 1, col=col + 1)
    if name == "two_param_net":
        singular_note = ("F = JᵀJ has rank one everywhere and vanishes at the origin, the saddle, where "
                         "λ_min(H) = −1: the Fisher holds none of the negative curvature.")
        for r in (1, 2):
            for c in (1, 2):
                fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", showlegend=False,
                                         marker=dict(symbol="circle-open", size=18, color="#F0E442", line=dict(width=3))),
                              row=r, col=c)
    else:
        singular_note = ("det F = (w₁ − w₂)²: the Fisher is singular on the symmetry line w₁ = w₂, "
                         "where the saddle between the mirror-image minima sits.")
        for r in (1, 2):
            for c in (1, 2):
                fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", showlegend=False,
                                         line=dict(color="#F0E442", width=3, dash="dash")), row=r, col=c)
    fig.update_layout(height=760, title="Eigenvalues over the plane (black: zero level; yellow: where F is singular)")
    fig.update_xaxes(title_text="w₁", row=2)
    fig.update_yaxes(title_text="w₂", col=1)
    show(fig, key="ng_plane_figure")
    st.caption(singular_note + f" Smallest Fisher eigenvalue on the grid: {grid.metric[..., 0].min():.1e} "
               f"(≥ 0 up to round-off); smallest Hessian eigenvalue: {grid.hessian[..., 0].min():.3g}.")
    misconception_card(
        "The Fisher matrix is positive definite, so natural gradient is always well-behaved.",
        r"""It is positive **semi**definite, and exactly where saddles of neural networks sit it is
**singular**: at the two-parameter net's saddle $F = 0$, on the symmetric net's line
$w_1 = w_2$ its determinant $(w_1 - w_2)^2$ vanishes. There $F^{-1}$ does not exist, the
pseudo-inverse step blows up, and the negative curvature of $H$ is invisible to $F$
(Mizutani & Dreyfus 2010).""",
        "compare the λ_min(H) and μ_min(F) panels, then the step sizes in the last tab.",
        key="ng_myth_pd",
    )

# -- 3. step sizes near the saddle -------------------------------------------------------------
with blowup_tab:
    with controls("ng_blowup"):
        lr = st.slider("step scale η", 0.01, 1.0, 0.1, 0.01, key="ng_lr")
    sizes = step_sizes(float(lr))
    fig = go.Figure([
        go.Scatter(x=sizes.a, y=sizes.natural_gradient, mode="markers", name="natural gradient, measured",
                   marker=dict(color=METHOD_COLOURS["natural_gradient"], size=9)),
        go.Scatter(x=sizes.a, y=sizes.formula, mode="lines", name="η(1 − a²)/(√2 a)",
                   line=dict(color="#CC79A7", dash="dash")),
        go.Scatter(x=sizes.a, y=sizes.gradient_descent, mode="lines+markers", name="gradient descent, measured",
                   line=dict(color=METHOD_COLOURS["gd"]), marker=dict(size=5)),
    ])
    fig.update_layout(title="Length of one step from (a, a) on the two-parameter net",
                      xaxis=dict(title="a (distance to the saddle / √2)", type="log", exponentformat="power"),
                      yaxis=dict(title="‖θ₁ − θ₀‖", type="log", exponentformat="power"), height=480,
                      legend=dict(orientation="h", yanchor="top", y=-0.25))
    show(fig, key="ng_blowup_figure")
    worst = int(np.argmin(sizes.a))
    st.markdown(
        f"From a = {sizes.a[worst]:.0e} the natural-gradient step is **{sizes.natural_gradient[worst]:.3g}** long "
        f"(gradient descent: {sizes.gradient_descent[worst]:.1e}). Near the saddle g → 0 and F → 0 together, "
        r"and $F^+ g$ grows like $1/a$: the run is thrown far out along the valley instead of "
        "stepping off the saddle.")
    left, right = columns(2)
    with left:
        think_first(
            "Line search vs trust region?",
            r"""**Line search** picks a direction first (e.g. $-\nabla f$) and then how far to go
along it. A **trust region** fixes how far the model can be trusted first — a region around $\theta$ —
and minimises the model inside it, which chooses direction and length together. Natural gradient
is a trust region: $\arg\min_{\Delta\theta} f(\theta + \Delta\theta)$ subject to
$KL(p_\theta \| p_{\theta+\Delta\theta}) < \epsilon$, with
$KL \approx \tfrac12 \Delta\theta^\top F \Delta\theta$ (Berkeley CS 287).""",
            key="ng_q_tr",
        )
    with right:
        think_first(
            r"$\text{step}_{NG} = -F^{-1}\nabla_\theta f$: where does this formula come from?",
            r"""From that trust region: minimise $f + \nabla f^\top \Delta\theta$ subject to
$\tfrac12 \Delta\theta^\top F \Delta\theta = \epsilon$. The Lagrangian
$\nabla f^\top\Delta\theta + \mu(\tfrac12\Delta\theta^\top F\Delta\theta - \epsilon)$ is stationary at
$\nabla f + \mu F \Delta\theta = 0$, i.e. $\Delta\theta \propto -F^{-1}\nabla f$. The deck then warns:
$F$ is a first-order approximation of the Hessian ($F = -E[H]$ of the log-likelihood), and near a
saddle $H(\theta^*) - E[H(\theta^*)]$ may be large; $F$ may be singular (Mizutani & Dreyfus 2010):
**natural gradient might not escape the saddle.**""",
            key="ng_q_formula",
        )
