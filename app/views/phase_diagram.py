"""Phase diagrams: escaped / attracted / diverged near a saddle, with the theory's boundaries."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import optimizers
from app.components.common import get_landscape
from app.components.lecture import misconception_card, slide_question, think_first
from app.components.presenter import columns, controls
from app.components.theme import show
from optimizers import phase

OUTCOME_COLOURS = {
    phase.Outcome.ESCAPED: "#009E73",
    phase.Outcome.ATTRACTED: "#D55E00",
    phase.Outcome.DIVERGED: "#0072B2",
    phase.Outcome.UNDECIDED: "#999999",
    phase.Outcome.SINGULAR: "#CC79A7",
}
BOUNDARY_DASHES = ["solid", "dash", "dot", "dashdot"]
METHODS = {
    "Gradient descent over (λ₋, η)": "gd",
    "Damped Newton over (λ₋, m)": "damped_newton",
}



def pretty(label: str) -> str:
    """The library's plain boundary labels with the slides' symbols."""
    for plain, symbol in (("lambda_+", "λ₊"), ("lambda_-", "λ₋"), ("eta", "η"), ("lambda", "λ")):
        label = label.replace(plain, symbol)
    return label


st.title("Phase diagrams near a saddle")
slide_question("For which eigenvalues and step sizes does an optimizer escape the saddle, get "
               "attracted by it, or blow up?")
st.markdown(
    r"""
On $f = \tfrac12(\lambda_+ \epsilon_+^2 + \lambda_- \epsilon_-^2)$ one step multiplies each
$\epsilon_i$ by its factor — gradient descent $1 - \eta\lambda_i$, damped Newton
$1 - \frac{\lambda_i}{\lambda_i + m} = \frac{m}{\lambda_i + m}$. Every cell below is a real run of
the optimizer from a point near the saddle; the lines are where the theory says the outcome
changes: $|1 - \eta\lambda| = 1$ for gradient descent, $\lambda_- = -2m$ for damped Newton.
"""
)

with controls("pd"):
    c1, c2, c3 = st.columns([3, 2, 2])
    method_label = c1.radio("method", list(METHODS), key="pd_method", horizontal=True)
    lambda_plus = c2.slider("fixed positive eigenvalue λ₊", 0.25, 4.0, 1.0, 0.25, key="pd_lambda_plus")
    resolution = c3.select_slider("cells per axis", [20, 30, 40, 60, 80], value=40, key="pd_resolution")
method = METHODS[method_label]

if method == "gd":
    x_range, y_range = (-3.0, 3.0), (0.0, 3.0 / lambda_plus)
    y_symbol, y_name = "η", "learning rate η"
else:
    x_range, y_range = (-3.0, 1.0), (0.0, 2.0)
    y_symbol, y_name = "m", "damping m"


@st.cache_data(max_entries=16, show_spinner=False)
def diagram(method: str, lambda_plus: float, resolution: int, x_range, y_range):
    # The bar lives inside the cached call: a cache hit replays "draw, then empty" (nothing shown).
    bar = st.progress(0.0, text="Running the optimizer in every cell...")
    build = phase.gd_phase_diagram if method == "gd" else phase.damped_newton_phase_diagram
    kwargs = {"lr" if method == "gd" else "damping": y_range}
    result = build(lambda_plus=lambda_plus, lambda_minus=x_range, shape=(resolution, resolution),
                   progress=lambda done, total: bar.progress(done / total, text=f"column {done} of {total}"),
                   **kwargs)
    bar.empty()
    return result


try:
    result = diagram(method, float(lambda_plus), int(resolution), x_range, y_range)
except ValueError as exc:
    st.error(f"Cannot compute the diagram: {exc}")
    st.stop()

with controls("pd_probe"):
    p1, p2 = st.columns(2)
    # Defaults: an escape for gradient descent, the oscillating attraction for damped Newton.
    default_lambda, default_param = (-0.5, 0.5 * y_range[1]) if method == "gd" else (-1.5, 0.5)
    probe_lambda = p1.slider("probe a cell: λ₋", x_range[0], x_range[1], default_lambda, 0.05,
                             key=f"pd_probe_lambda_{method}")
    probe_param = p2.slider(f"probe a cell: {y_symbol}", float(y_range[1] / 100), float(y_range[1]),
                            float(default_param), float(y_range[1] / 100), key=f"pd_probe_param_{method}_{lambda_plus:g}")

# -- the diagram -------------------------------------------------------------------------------
codes = list(phase.Outcome)
colourscale = []
for k, outcome in enumerate(codes):
    colourscale += [[k / len(codes), OUTCOME_COLOURS[outcome]], [(k + 1) / len(codes), OUTCOME_COLOURS[outcome]]]
labels = np.vectorize(lambda c: phase.Outcome(c).label)(result.outcomes)
fig = go.Figure(go.Heatmap(
    x=result.lambda_minus, y=result.values, z=result.outcomes, zmin=-0.5, zmax=len(codes) - 0.5,
    colorscale=colourscale, showscale=False, text=labels, customdata=result.steps,
    hovertemplate=f"λ₋ = %{{x:.3f}}<br>{y_symbol} = %{{y:.3f}}<br>%{{text}} after %{{customdata}} steps<extra></extra>",
    name="computed outcome"))
for outcome in codes:
    if np.any(result.outcomes == outcome):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=outcome.label,
                                 marker=dict(symbol="square", size=14, color=OUTCOME_COLOURS[outcome])))
for k, b in enumerate(result.boundaries):
    fig.add_trace(go.Scatter(x=b.x, y=b.y, mode="lines", name=pretty(b.label),
                             line=dict(color="#000000", width=3, dash=BOUNDARY_DASHES[k % len(BOUNDARY_DASHES)])))
mismatch = (result.outcomes != result.theory) & ~result.near_boundary()
if mismatch.any():
    jj, ii = np.nonzero(mismatch)
    fig.add_trace(go.Scatter(x=result.lambda_minus[ii], y=result.values[jj], mode="markers",
                             marker=dict(symbol="x", color="#F0E442", size=8), name="disagrees with theory"))
fig.add_trace(go.Scatter(x=[probe_lambda], y=[probe_param], mode="markers", name="probed cell",
                         marker=dict(symbol="star", size=16, color="#F0E442", line=dict(width=1.5, color="#000000"))))
fig.update_layout(
    title=f"{'GD' if method == 'gd' else 'Damped Newton'}, λ₊ = {lambda_plus:g}: one run per cell",
    xaxis=dict(title="λ₋ (the second eigenvalue; < 0: a saddle)", range=list(x_range)),
    yaxis=dict(title=y_name, range=list(y_range)), height=620, legend=dict(orientation="h", yanchor="top", y=-0.25))

left, right = columns([3, 2])
with left:
    show(fig, key="pd_figure")
    agree = result.agreement()
    near = result.near_boundary().mean()
    st.caption(
        f"Computed = theory in {agree:.1%} of the cells more than one cell away from a boundary "
        f"({1 - near:.0%} of the grid); step limit {result.step_limit} per run. Runs start on the "
        "level set f = 0, which splits f equally between the two directions, so the faster-growing "
        "direction decides whether the run leaves downhill (escaped) or uphill (diverged).")

# -- one cell up close -------------------------------------------------------------------------
with right:
    eigenvalues = [float(lambda_plus), float(probe_lambda)]
    hyper = {"lr": float(probe_param)} if method == "gd" else {"lr": 1.0, "damping": float(probe_param)}
    factors = optimizers.update_factors(method, eigenvalues, **hyper)
    predicted = phase.outcome_from_factors(eigenvalues, factors)
    L = get_landscape("quadratic", eigenvalues=eigenvalues)
    T = optimizers.run(L, method, phase.zero_level_start(*eigenvalues), steps=300, **hyper)
    observed = phase.outcome_of_stop(T.stop)
    factor_tex = r"1 - \eta\lambda_i" if method == "gd" else r"\frac{m}{\lambda_i + m}"
    st.markdown("**The probed cell**")
    st.latex(r"\begin{aligned} %s &= %.3g & (\lambda_+ &= %.3g) \\ %s &= %.3g & (\lambda_- &= %.3g) \end{aligned}"
             % (factor_tex, factors[0], eigenvalues[0], factor_tex, factors[1], eigenvalues[1]))
    st.markdown(f"Theory: **{predicted.label}**; the run: **{observed.label}** after {T.steps} steps "
                f"— {T.stop.description}")
    eps = np.abs(T.xs)
    steps_axis = np.arange(len(T.xs))
    trace_fig = go.Figure([
        go.Scatter(x=steps_axis, y=np.maximum(eps[:, 0], 1e-300), mode="lines", name="|ε₊| (λ₊ direction)",
                   line=dict(color=OUTCOME_COLOURS[phase.Outcome.DIVERGED], width=3)),
        go.Scatter(x=steps_axis, y=np.maximum(eps[:, 1], 1e-300), mode="lines", name="|ε₋| (λ₋ direction)",
                   line=dict(color=OUTCOME_COLOURS[phase.Outcome.ESCAPED], width=3)),
    ])
    trace_fig.update_layout(title="|εᵢ| along each eigenvector",
                            xaxis_title="step t", yaxis=dict(title="|εᵢ|", type="log", exponentformat="power"),
                            height=420, legend=dict(orientation="h", yanchor="top", y=-0.25))
    show(trace_fig, key="pd_probe_figure")

# -- questions and misconceptions --------------------------------------------------------------
st.markdown("#### Questions from the slides")
q1, q2, q3 = columns(3)
with q1:
    think_first(
        r"Gradient descent: $\theta_{new} = \theta^* + \sum_i (1 - \alpha\lambda_i)\epsilon_i v_i$. "
        r"Analysis over $\lambda_i < 0$, $\lambda_i > 0$?",
        r"""For $\lambda_i < 0$ the factor exceeds 1: GD **moves away** from $\theta^*$ along $v_i$
(negative curvature). For $\lambda_i > 0$ it **moves towards** $\theta^*$ (if $\alpha\lambda_i < 2$).
BUT both proportionally to $\lambda_i$: with a large discrepancy between eigenvalues the step size
must stay below $2/\lambda_{max}$, and escape along a small $|\lambda_-|$ is very slow.
**GD (slowly) escapes saddle points.** In the diagram: the green region, and the line
$\eta = 2/\lambda_+$ above which the positive direction overshoots.""",
        key="pd_q_gd",
    )
with q2:
    think_first(
        r"Newton: $\theta_{new} = \theta^* + \sum_i (1 - 1)\epsilon_i v_i$. Is it bad, is it good?",
        r"""Good near a minimum: one step lands on it. **Bad** near a saddle: the factor is 0 in
*every* direction, so Newton jumps straight onto $\theta^*$ — it loses the information about
$\mathrm{sign}(\lambda_i)$ and treats a saddle like a minimum. **Newton does not escape saddle
points; it is attracted to them.** In the damped-Newton diagram, $m \to 0$ is Newton: attracted
everywhere.""",
        key="pd_q_newton",
    )
with q3:
    think_first(
        r"Damped Hessian $H + mI$, $m$ the smallest with $\lambda_{min} + m > 0$. Is it all fixed?",
        r"""No. The factor is $1 - \frac{\lambda_i}{\lambda_i + m} = \frac{m}{\lambda_i + m}$: the same
problem as GD — with a large discrepancy between eigenvalues, adding a fixed $m$ makes
$\frac{\lambda_i}{\lambda_i + m}$ close to 0 for the small $|\lambda_i|$, so escape is **slow**.
And with too small a shift ($\lambda_- < -2m$) the factor has magnitude below 1: the saddle
**still attracts**, oscillating. See the line $\lambda_- = -2m$.""",
        key="pd_q_damped",
    )

m1, m2 = columns(2)
with m1:
    misconception_card(
        "Newton's method always descends.",
        r"""Newton's step $-H^{-1}g$ is a descent direction only when $H$ is positive definite
($g^\top H^{-1} g > 0$). Near a saddle it moves **uphill** along negative-curvature directions
and lands on the saddle in one step: every factor is $1 - 1 = 0$.""",
        "choose damped Newton and look at small m (the bottom rows): attracted for every λ₋ < −2m.",
        key="pd_myth_newton",
    )
with m2:
    misconception_card(
        "Adding damping fixes saddles.",
        r"""A shift $m$ only helps if $m > |\lambda_-|/2$; below the line $\lambda_- = -2m$ the saddle
still attracts. Above it, escape happens with factor $\frac{m}{\lambda_- + m}$, close to 1 when
$m \gg |\lambda_-|$: **slow**. Only the saddle-free step, factor $1 - \lambda/|\lambda| = 2$,
escapes at a rate independent of $|\lambda_-|$.""",
        "probe λ₋ = −1.5, m = 0.5 (attracted), then m = 2 (escaping slowly: look at the step count).",
        key="pd_myth_damping",
    )
