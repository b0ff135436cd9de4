"""The saddle-free algorithm: the trust-region derivation on a 2D saddle (deck section E)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import optimizers
from app.components.common import METHOD_COLOURS
from app.components.lecture import link_or_label, slide_question, think_first
from app.components.presenter import columns, controls
from app.components.theme import show
from optimizers import trust_region as tr

st.title("The saddle-free algorithm")
slide_question("How should the step (and H) look like, so that it depends on sign(λᵢ) but not on "
               "|λᵢ| — and where does −|H|⁻¹∇f come from?")

st.markdown(
    r"""
**Trust region.** Minimise the first-order model $f(\theta) + \Delta\theta^\top \nabla f$ only as far
as we trust it: where it differs little from the second-order one,
"""
)
st.latex(
    r"d(\theta, \theta + \Delta\theta) = \left|\text{Taylor}_2 - \text{Taylor}_1\right|"
    r" = \tfrac12 \left|\Delta\theta^\top H \Delta\theta\right|"
    r" \;\le\; \tfrac12 \Delta\theta^\top |H| \Delta\theta \;\le\; \Delta"
)
st.markdown(
    r"""
with $|H| = V |D| V^\top$ (absolute eigenvalues). On a saddle the first region (shaded below) is **unbounded** along the asymptotes of $H$'s level
sets, so the linear model has no minimum on it. The second is an **ellipse**; Lagrange multipliers
give its minimiser $\Delta\theta^* = -\sqrt{2\Delta / (g^\top |H|^{-1} g)}\; |H|^{-1} g$ — the
saddle-free step $-|H|^{-1}\nabla f$, rescaled.
"""
)

with controls("sf"):
    c1, c2, c3 = st.columns(3)
    lam_plus = c1.slider("λ₁ (positive curvature)", 0.2, 5.0, 2.0, 0.1, key="sf_lambda_1")
    lam_minus = c2.slider("λ₂ (negative curvature)", -5.0, -0.2, -0.5, 0.1, key="sf_lambda_2")
    angle_deg = c3.slider("eigenvector angle (degrees)", -90, 90, 0, 5, key="sf_angle")
    c4, c5, c6 = st.columns(3)
    delta = c4.slider("trust radius Δ", 0.05, 2.0, 0.5, 0.05, key="sf_delta")
    theta_1 = c5.slider("point θ₁ (gradient g = Hθ)", -2.0, 2.0, 0.6, 0.05, key="sf_theta_1")
    theta_2 = c6.slider("point θ₂", -2.0, 2.0, 0.4, 0.05, key="sf_theta_2")

angle = np.deg2rad(angle_deg)
V = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
lam = np.array([lam_plus, lam_minus])
H = (V * lam) @ V.T
theta = np.array([theta_1, theta_2])
g = H @ theta

if np.linalg.norm(g) < 1e-12:
    st.warning("At θ = 0 the gradient vanishes: the linear model is flat and every step is a "
               "minimiser. Move the point away from the saddle.")
    st.stop()

semi_axes = np.sqrt(2.0 * delta / np.abs(lam))
extent = 1.35 * float(semi_axes.max())
try:
    pic = tr.trust_region_picture(g, H, delta, extent, num=241)
    numeric = tr.numerical_trust_step(g, H, delta)
    full = tr.saddle_free_direction(g, H)
except ValueError as exc:
    st.error(f"Cannot draw the derivation: {exc}")
    st.stop()

step = pic.step
newton = -np.linalg.solve(H, g)
descent = -g / np.linalg.norm(g) * float(semi_axes.min())

fig = go.Figure()
fig.add_trace(go.Heatmap(
    x=pic.s, y=pic.t, z=pic.curvature_region.astype(float), showscale=False, hoverinfo="skip",
    colorscale=[[0.0, "rgba(0,0,0,0)"], [1.0, "rgba(86,180,233,0.40)"]], zmin=0, zmax=1,
    name="½|dᵀHd| ≤ Δ"))
fig.add_trace(go.Contour(
    x=pic.s, y=pic.t, z=pic.linear_model, contours=dict(coloring="lines", showlabels=True),
    line=dict(width=1), colorscale=[[0, "#999999"], [1, "#999999"]], showscale=False, ncontours=14,
    name="linear model gᵀd", hoverinfo="skip"))
# A legend entry for the shaded region (heatmaps have none).
fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(size=14, color="rgba(86,180,233,0.6)",
                         symbol="square"), name="½|dᵀHd| ≤ Δ (unbounded)"))
for k, a in enumerate(pic.asymptotes):
    fig.add_trace(go.Scatter(x=[-3 * extent * a[0], 3 * extent * a[0]], y=[-3 * extent * a[1], 3 * extent * a[1]],
                             mode="lines", line=dict(color="#56B4E9", dash="dot", width=2),
                             name="asymptotes dᵀHd = 0", showlegend=k == 0))
fig.add_trace(go.Scatter(x=pic.ellipse[:, 0], y=pic.ellipse[:, 1], mode="lines",
                         line=dict(color="#CC79A7", width=3), name="½ dᵀ|H|d = Δ (ellipse)"))


def arrow(vec, colour, label, dash=False):
    fig.add_annotation(x=vec[0], y=vec[1], ax=0, ay=0, xref="x", yref="y", axref="x", ayref="y",
                       showarrow=True, arrowhead=3, arrowwidth=3, arrowcolor=colour, text="")
    fig.add_trace(go.Scatter(x=[vec[0]], y=[vec[1]], mode="markers", marker=dict(color=colour, size=9),
                             name=label))


arrow(step, METHOD_COLOURS["saddle_free"], "Δθ* = −√(2Δ/gᵀ|H|⁻¹g) |H|⁻¹g")
arrow(descent, METHOD_COLOURS["gd"], "−g/‖g‖ (steepest descent, same length as the short axis)")
if np.all(np.abs(newton) <= extent):
    arrow(newton, METHOD_COLOURS["newton"], "Newton −H⁻¹g")
fig.add_trace(go.Scatter(x=[numeric[0]], y=[numeric[1]], mode="markers",
                         marker=dict(symbol="x-thin", size=16, line=dict(width=3, color="#0072B2")),
                         name="numerical minimiser (SLSQP)"))
fig.update_layout(
    title="Step plane d = Δθ: linear model (grey) and the two trust regions",
    xaxis=dict(title="d₁", range=[-extent, extent], constrain="domain"),
    yaxis=dict(title="d₂", range=[-extent, extent], scaleanchor="x", scaleratio=1),
    height=640, legend=dict(orientation="h", yanchor="top", y=-0.25),
)

left, right = columns([3, 2])
with left:
    show(fig, key="sf_figure")
with right:
    scale = float(np.linalg.norm(step) / max(np.linalg.norm(full), 1e-300))
    st.markdown("**The step on the ellipse**")
    st.latex(r"g = H\theta = (%.3g,\ %.3g)" % (g[0], g[1]))
    st.latex(r"-|H|^{-1}g = (%.3g,\ %.3g)" % (full[0], full[1]))
    st.latex(r"\Delta\theta^* = %.3g \cdot (-|H|^{-1} g) = (%.4g,\ %.4g)" % (scale, step[0], step[1]))
    m1, m2 = st.columns(2)
    m1.metric("gᵀΔθ* (closed form)", f"{g @ step:.5f}")
    m2.metric("gᵀd (SLSQP)", f"{g @ numeric:.5f}", delta=f"{g @ numeric - g @ step:+.1e}", delta_color="off")
    m3, m4 = st.columns(2)
    m3.metric("½ Δθ*ᵀ|H|Δθ*", f"{tr.ellipse_distance(H, step)[0]:.4f}", help="= Δ: the constraint is active")
    m4.metric("½ |Δθ*ᵀHΔθ*|", f"{tr.curvature_distance(H, step)[0]:.4f}", help="≤ Δ, as |xᵀAx| ≤ xᵀ|A|x")
    along = pic.asymptotes[0] if len(pic.asymptotes) else None
    if along is not None:
        downhill = -np.sign(g @ along) * along if g @ along != 0 else along
        st.caption(
            f"Along an asymptote, d = r·({downhill[0]:.2f}, {downhill[1]:.2f}) stays inside the shaded "
            f"region for every r, and gᵀd = {g @ downhill:.3g}·r → −∞: the first region gives no step.")
    factors = {
        "Newton": optimizers.update_factors("newton", lam),
        "saddle-free": optimizers.update_factors("saddle_free", lam),
    }
    st.markdown("**Per eigendirection** ($\\theta_{new} = \\theta^* + \\sum_i \\text{factor}_i\\, \\epsilon_i v_i$)")
    st.latex(r"\text{Newton: } 1 - 1 = (%.3g,\ %.3g)" % tuple(factors["Newton"]))
    st.latex(r"\text{saddle-free: } 1 - \tfrac{\lambda_i}{|\lambda_i|} = (%.3g,\ %.3g)" % tuple(factors["saddle-free"]))
    st.caption("Saddle-free keeps Newton's 0 along λ₁ > 0 and doubles the distance along λ₂ < 0: "
               "it moves away from the saddle, at a speed that does not depend on |λ₂|.")

st.markdown("#### Questions from the slides")
q1, q2, q3 = columns(3)
with q1:
    think_first(
        r"Gradient descent with a fixed step size $\|p\|_2 = 1$ minimises $p^\top \nabla f(\theta_0)$; "
        r"Newton minimises the second-order model. $p = ?$",
        r"""$p^\top \nabla f = \|p\|_2 \|\nabla f\|_2 \cos\beta$ is smallest at $\cos\beta = -1$:
$p = -\nabla f / \|\nabla f\|_2$, then iterate. For **Newton**, set the derivative of
$f + p^\top\nabla f + \tfrac12 p^\top H p$ to zero: $\nabla f + Hp = 0$, so $p = -H^{-1}\nabla f$
(Nocedal & Wright 2006). In the figure: the arrows $-g/\|g\|$ and Newton $-H^{-1}g$ (when it fits the window).""",
        key="sf_q_p",
    )
with q2:
    think_first(
        "How should the step (and H) look like?",
        r"""The step should depend on $\mathrm{sign}(\lambda_i)$ but **not** on $|\lambda_i|$:
rescale each direction by $1/|\lambda_i|$. That is Newton with the **absolute** Hessian
$|H| = V|D|V^\top$, $|H|^{-1} = V|D|^{-1}V^\top$ ($|D|$ holds $|\lambda_i|$), so the update factor
is $1 - \lambda_i/|\lambda_i|$: $0$ for $\lambda_i > 0$, $2$ for $\lambda_i < 0$. The idea was
mentioned without proof in Nocedal & Wright (2006) and Murray (2010); the trust region above
proves it.""",
        key="sf_q_shape",
    )
with q3:
    think_first(
        "How would you implement it? (The Hessian is n × n: too large to compute, and to invert.)",
        r"""Never form $H$: use **Hessian-vector products** and a **Krylov subspace**. Lanczos
builds $k \ll n$ orthonormal vectors $V$ from $g, Hg, H^2g, \dots$; in that basis
$\hat H = V^\top H V$ is a small tridiagonal matrix whose $|\hat H|$ is cheap. Step
$\Delta\theta = -V(|\hat H| + \lambda I)^{-1} V^\top \nabla f$, trying a few damping values
$\lambda$ and keeping the lowest loss (Dauphin et al. 2014, Algorithm 1; the deck's Appendix 2).""",
        key="sf_q_implement",
    )
    link_or_label(Path(__file__).resolve().parent / "lanczos.py", "Power iteration and Lanczos (Appendix 2)", icon=":material/functions:")
