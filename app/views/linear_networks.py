"""Linear networks: Saxe et al.'s learning dynamics, Baldi & Hornik's saddles, and the saddle
between two symmetric minima (the deck's "Practical landscape" and "Symmetries" slides)."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import optimizers
from app.components.common import KIND_COLOURS, KIND_SYMBOLS, METHOD_COLOURS, OKABE_ITO, get_landscape
from app.components.presenter import controls
from app.components.theme import show
from landscapes import saxe

S = (3.0, 2.0, 1.0, 0.5)  # singular values of Sigma31, Saxe's four modes
MODE_COLOURS = [OKABE_ITO[i] for i in (5, 4, 2, 6)]
STARTS = {
    "decoupled, small (Saxe's exact solution)": "decoupled",
    "small random weights": "random",
    "orthogonal layers (per-layer strength 1)": "orthogonal",
    "random orthogonal layers": "haar",
}
SWEEP_DEPTHS = tuple(range(1, 11))
TARGET = 0.01  # "learned": relative error 1 %

st.title("Linear networks")
st.markdown(
    r"""
A linear network $y = W_D \cdots W_1 x$ can only represent linear maps, yet its loss
$f = \tfrac12\|\Sigma_{31} - W_D\cdots W_1\|_F^2$ (whitened inputs, $\Sigma_{31} = U\,\mathrm{diag}(s)\,V^\top$)
is non-convex: **every local minimum is global and every other critical point is a saddle**
(Baldi & Hornik 1989). The saddle at the origin makes training stall on a plateau, longer the
deeper the net, unless the layers start orthogonal (Saxe et al. 2014).
"""
)

dyn_tab, bh_tab, sym_tab = st.tabs(
    ["Learning dynamics and depth (Saxe)", "Critical points of the autoencoder (Baldi & Hornik)",
     "Symmetric minima"])


# -- cached computations ------------------------------------------------------------------------


def _start(L, start: str, u0: float, scale: float, seed: int) -> np.ndarray:
    if start == "decoupled":
        return saxe.decoupled_start(L, u0, seed)
    if start == "random":
        return saxe.small_random_start(L, scale, seed)
    return saxe.orthogonal_start(L, 1.0, seed, aligned=start == "orthogonal")


@st.cache_data(max_entries=24, show_spinner=False)
def learning_run(depth: int, start: str, u0: float, scale: float, lr: float, steps: int, seed: int):
    """Gradient descent from the chosen start, the theory for each mode, and the Hessian index."""
    L = get_landscape("linear_net", depth=depth, s=S, seed=seed)
    x0 = _start(L, start, u0, scale, seed)
    run = saxe.gradient_descent(L, x0, lr, steps, every=max(1, steps // 400))
    u_start = run.strengths[0]
    t = run.iterations.astype(float)
    theory = np.full((t.size, len(S)), np.nan)
    positive = u_start > 1e-12
    if positive.any():
        if depth == 2:
            theory[:, positive] = saxe.mode_strength(t[:, None], np.array(S)[positive], u_start[positive], lr)
        else:
            theory[:, positive] = saxe.deep_mode_strength(t, np.array(S)[positive], u_start[positive], lr, depth)
    finite = np.flatnonzero(np.all(np.isfinite(run.thetas), axis=1) & np.isfinite(run.values))
    sample = finite[np.unique(np.linspace(0, len(finite) - 1, 60).astype(int))]
    spectrum = saxe.hessian_index_along(L, run.thetas[sample])
    return dict(
        iterations=run.iterations, strengths=run.strengths, theory=theory,
        relative_error=saxe.relative_error(L, run.values), index_at=run.iterations[sample],
        index=spectrum.index, smallest=spectrum.smallest, origin_index=L.critical_points[0].index,
        dim=L.dim, u_start=u_start, diverged=len(finite) < len(t),
    )


@st.cache_data(max_entries=128, show_spinner=False)
def depth_time(depth: int, strength: float):
    """One depth of the sweep (cached per depth, so the page can show progress between them)."""
    return saxe.depth_sweep([depth], strength, s=S, target=TARGET)


def depth_times(strength: float, bar, label: str):
    sweeps = []
    for i, d in enumerate(SWEEP_DEPTHS):
        bar.progress(i / len(SWEEP_DEPTHS), text=f"Depth sweep ({label}): depth {d}")
        sweeps.append(depth_time(d, strength))
    return saxe.DepthSweep(
        np.array(SWEEP_DEPTHS), strength, np.concatenate([s.simulated for s in sweeps]),
        np.concatenate([s.predicted for s in sweeps]), np.concatenate([s.lr for s in sweeps]))


@st.cache_data(max_entries=16, show_spinner=False)
def autoencoder_points(eigenvalues: tuple, p: int):
    L = get_landscape("linear_autoencoder", eigenvalues=list(eigenvalues), p=p)
    return saxe.baldi_hornik_points(L)


@st.cache_data(max_entries=16, show_spinner=False)
def symmetric_paths(a: float, b: float):
    """The straight segment between the mirror minima and the minimum-energy path: steepest
    descent out of the saddle along its negative-curvature direction, both ways."""
    L = get_landscape("symmetric_net", a=a, b=b)
    minima = [cp for cp in L.critical_points if cp.kind.value == "minimum"]
    saddles = [cp for cp in L.critical_points if cp.kind.value == "saddle"]
    saddle = min(saddles, key=lambda cp: cp.value)
    _, vecs = np.linalg.eigh(L.hess(saddle.position))
    down = vecs[:, 0]
    halves = [optimizers.run(L, "gd", saddle.position + sign * 1e-5 * down, steps=20_000, lr=0.02, gtol=1e-9)
              for sign in (-1.0, 1.0)]
    # order: from minimum (a, b) through the saddle to (b, a)
    first, second = halves if np.linalg.norm(halves[0].final - minima[0].position) < np.linalg.norm(
        halves[1].final - minima[0].position) else halves[::-1]
    path = np.vstack([first.xs[::-1], saddle.position[None, :], second.xs])
    values = np.concatenate([first.values[::-1], [saddle.value], second.values])
    t = np.linspace(0.0, 1.0, 301)
    straight = minima[0].position[None, :] * (1 - t[:, None]) + minima[1].position[None, :] * t[:, None]
    straight_values = np.array([L.value(x) for x in straight])
    grid = np.linspace(*L.bounds[0], 161)
    return dict(
        path=path, path_values=values, straight=straight, straight_values=straight_values,
        minima=[m.position for m in minima], saddle=saddle.position, saddle_value=saddle.value,
        minimum_value=minima[0].value, grid=grid, z=L.grid_values(grid, grid),
        reached=[h.stop.label for h in halves],
    )


def _arc_length(points: np.ndarray) -> np.ndarray:
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(steps)])
    return s / s[-1] if s[-1] > 0 else s


# -- 1. learning dynamics ------------------------------------------------------------------------
with dyn_tab:
    st.markdown(
        r"""
From a **decoupled** start each mode strength $u_\alpha = U_{:,\alpha}^\top W_D\cdots W_1 V_{:,\alpha}$
learns on its own. For two layers, gradient descent with step $\eta$ ($\tau = 1/\eta$, time in iterations)
follows Saxe et al.'s sigmoid; a deep balanced chain follows an ODE solved here numerically:
"""
    )
    st.latex(r"u(t) = \frac{s\,e^{2st/\tau}}{e^{2st/\tau} - 1 + s/u_0}, \qquad "
             r"t(u_f) = \frac{\tau}{2s}\ln\frac{u_f(s - u_0)}{u_0(s - u_f)}, \qquad "
             r"\tau \frac{du}{dt} = D\,u^{2 - 2/D}(s - u)")
    with controls("ln_dynamics"):
        c1, c2, c3 = st.columns(3)
        depth = c1.slider("depth D (layers)", 2, 6, 2, 1, key="ln_depth")
        start_label = c2.radio("start", list(STARTS), key="ln_start")
        start = STARTS[start_label]
        with c3:
            u0 = st.select_slider("initial mode strength u₀ (decoupled start)", [1e-4, 1e-3, 1e-2, 1e-1], 1e-3,
                                  key="ln_u0", disabled=start != "decoupled")
            scale = st.select_slider("weight scale σ (small random start)", [1e-3, 1e-2, 3e-2, 1e-1, 3e-1], 3e-2,
                                     key="ln_scale", disabled=start != "random")
        c4, c5, c6 = st.columns(3)
        lr = c4.select_slider("step η", [3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="ln_lr")
        steps = c5.select_slider("iterations", [2_000, 5_000, 10_000, 20_000, 50_000, 100_000], 10_000,
                                 key="ln_steps")
        seed = c6.number_input("seed (data and start)", 0, 10_000, 0, 1, key="ln_seed")

    with st.spinner("Running gradient descent..."):
        res = learning_run(int(depth), start, float(u0), float(scale), float(lr), int(steps), int(seed))
    it = res["iterations"]
    if res["diverged"]:
        st.warning(f"Gradient descent diverged with step η = {lr:g} at depth {depth}: the curvature grows with "
                   "depth and with the weights; choose a smaller step.")
    left, right = st.columns(2)
    with left:
        fig = go.Figure()
        for a, s in enumerate(S):
            colour = MODE_COLOURS[a]
            fig.add_trace(go.Scatter(x=it, y=res["strengths"][:, a], mode="lines", name=f"u{a + 1} (s = {s:g}), GD",
                                     line=dict(color=colour, width=3), legendgroup=str(a)))
            if np.isfinite(res["theory"][:, a]).any():
                fig.add_trace(go.Scatter(x=it, y=res["theory"][:, a], mode="lines", name="theory (Saxe et al.)",
                                         line=dict(color="#000000", width=1.5, dash="dash"), legendgroup=str(a),
                                         showlegend=a == 0))
        for s in S:
            fig.add_hline(y=s, line=dict(color="#999999", width=1, dash="dot"))
        fig.update_layout(title=f"Mode strengths, depth {depth}", height=520,
                          xaxis_title="iteration t", yaxis_title="mode strength u_α",
                          legend=dict(orientation="h", y=-0.22))
        show(fig, key="ln_modes_figure")
    with right:
        fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                            row_heights=[0.4, 0.3, 0.3])
        fig.add_trace(go.Scatter(x=it, y=res["relative_error"], mode="lines", name="relative error",
                                 line=dict(color=METHOD_COLOURS["gd"], width=3)), row=1, col=1)
        fig.add_trace(go.Scatter(x=res["index_at"], y=res["index"], mode="lines+markers", name="Hessian index",
                                 line=dict(color=KIND_COLOURS["saddle"], shape="hv"), marker=dict(size=5)),
                      row=2, col=1)
        fig.add_hline(y=res["origin_index"], line=dict(color="#999999", dash="dot"), row=2, col=1,
                      annotation_text="index of the origin" if depth == 2 else None)
        fig.add_trace(go.Scatter(x=res["index_at"], y=res["smallest"], mode="lines+markers", name="λ_min(H)",
                                 line=dict(color=KIND_COLOURS["maximum"]), marker=dict(size=5)), row=3, col=1)
        fig.add_hline(y=0.0, line=dict(color="#000000", width=1), row=3, col=1)
        fig.update_yaxes(title_text="f / f(0)", type="log", exponentformat="power", row=1, col=1)
        fig.update_yaxes(title_text="index", rangemode="tozero", row=2, col=1)
        fig.update_yaxes(title_text="λ_min", row=3, col=1)
        fig.update_xaxes(title_text="iteration t", row=3, col=1)
        fig.update_layout(title="The plateau is the saddle at the origin", height=520,
                          legend=dict(orientation="h", y=-0.22))
        show(fig, key="ln_plateau_figure")

    negative = int(np.sum(res["u_start"] <= 1e-12))
    notes = {
        "decoupled": "From the decoupled start the theory is exact; the small gap is the step η against the flow.",
        "random": "From small random weights the modes are coupled at first; the dashed curves use the measured "
                  "u_α(0) and are only approximate.",
        "orthogonal": "Orthogonal layers aligned with U and V: every mode starts at u₀ = 1, far from the saddle.",
        "haar": "Haar-random orthogonal layers: the product is an isometry, but not aligned with U, V; the "
                "dashed curves use the measured u_α(0) and are approximate.",
    }
    extra = f" {negative} mode(s) start at u_α ≤ 0 (on the saddle's stable manifold in the decoupled picture): " \
            "no dashed curve." if negative else ""
    index_note = (f"At the origin the Hessian of the 2-layer net has eigenvalues ±s_α, each n₁ = {len(S)} times: "
                  f"index {res['origin_index']} of {res['dim']}. " if depth == 2 else
                  "For D ≥ 3 the origin is a degenerate saddle (its Hessian is zero), so the plateau is flatter. ")
    if start == "decoupled" and depth == 2:
        halves = [saxe.first_crossing(it, res["strengths"][:, a], s / 2) for a, s in enumerate(S)]
        formula = [float(saxe.time_to_reach(s / 2, s, u0, lr)) if u0 < s / 2 else float("nan") for s in S]
        st.markdown("Iterations to reach u = s/2 — " + "; ".join(
            f"s = {s:g}: formula **{f:.0f}**, gradient descent **{h:.0f}**" if np.isfinite(h) else
            f"s = {s:g}: formula {f:.0f}, not reached in {steps} iterations"
            for s, f, h in zip(S, formula, halves)) + ".")
    st.caption(notes[start] + extra + " " + index_note +
               "While the error sits on its plateau the Hessian keeps negative eigenvalues: gradient descent is "
               "crawling past a saddle, not resting in a minimum. Each learned mode removes negative directions; the "
               "ones left shrink with the unlearned modes' error (λ_min → 0) and vanish at the minimum.")

    st.subheader("Depth: orthogonal layers learn in a depth-independent time")
    with controls("ln_depth_sweep"):
        strength = st.select_slider("per-layer strength a of the small start (u₀ = a^D)",
                                    [0.4, 0.5, 0.6, 0.7, 0.8, 0.9], 0.5, key="ln_strength")
    bar = st.progress(0.0, text="Depth sweep...")
    orthogonal_sweep = depth_times(1.0, bar, "orthogonal")
    small_sweep = depth_times(float(strength), bar, f"a = {strength:g}")
    bar.empty()
    fig = go.Figure()
    for sweep, name, colour in [(orthogonal_sweep, "orthogonal, a = 1", METHOD_COLOURS["saddle_free"]),
                                (small_sweep, f"small, a = {strength:g}", METHOD_COLOURS["gd"])]:
        fig.add_trace(go.Scatter(x=sweep.depths, y=sweep.simulated, mode="markers", name=f"{name}: GD on the net",
                                 marker=dict(color=colour, size=11)))
        fig.add_trace(go.Scatter(x=sweep.depths, y=sweep.predicted, mode="lines", name=f"{name}: ODE",
                                 line=dict(color=colour, dash="dash")))
    fig.add_vline(x=depth, line=dict(color="#999999", dash="dot"), annotation_text=f"D = {depth}")
    fig.update_layout(title="Iterations to 1 % error, step η = 0.01/D", height=440,
                      xaxis=dict(title="depth D", dtick=1), yaxis=dict(title="iterations", type="log",
                                                                        exponentformat="power"),
                      legend=dict(orientation="h", y=-0.22))
    show(fig, key="ln_depth_figure")
    d_index = list(SWEEP_DEPTHS).index(depth)
    st.caption(
        f"At D = {depth}: {orthogonal_sweep.simulated[d_index]:.0f} iterations from orthogonal layers, "
        f"{small_sweep.simulated[d_index]:.0f} from per-layer strength {strength:g}. The product of "
        "orthogonal layers keeps every mode at u₀ = 1 whatever the depth, while a^D shrinks exponentially and "
        "the start sinks deeper into the plateau of the origin's saddle. The step is η = 0.01/D because the "
        "curvature grows like D.")


# -- 2. Baldi & Hornik ---------------------------------------------------------------------------
with bh_tab:
    st.markdown(
        r"""
Linear autoencoder $f(A, B) = \tfrac12\,\mathrm{tr}\left[(I - AB)\Sigma(I - AB)^\top\right]$, $A$: $n\times p$,
$B$: $p \times n$, $\Sigma = U\,\mathrm{diag}(\lambda)\,U^\top$ with $\lambda_1 > \dots > \lambda_n$.
Every full-rank critical point projects onto $p$ eigenvectors, $A = U_I C$, $B = C^{-1}U_I^\top$, for a subset $I$:
"""
    )
    st.latex(r"f_I = \tfrac12\Big(\mathrm{tr}\,\Sigma - \sum_{i\in I}\lambda_i\Big), \qquad "
             r"\mathrm{index}_I = \#\{(i \in I,\ j \notin I) : \lambda_j > \lambda_i\}")
    with controls("bh"):
        c1, c2 = st.columns([2, 1])
        text = c1.text_input("eigenvalues λ of Σ (distinct, positive; 3 to 8 numbers)", "5, 4, 3, 2, 1",
                             key="bh_eigenvalues")
        p_max = 7
        p = c2.slider("bottleneck width p", 1, p_max, 2, 1, key="bh_p")
    try:
        eigenvalues = tuple(float(v) for v in re.split(r"[,\s;]+", text.strip()) if v)
    except ValueError:
        eigenvalues = ()
        st.error(f"Could not read the eigenvalues {text!r}: type numbers separated by commas, e.g. 5, 4, 3, 2, 1.")
    points = None
    top = "{" + ", ".join(str(i) for i in range(1, int(p) + 1)) + "}"
    if eigenvalues:
        if not 3 <= len(eigenvalues) <= 8:
            st.error(f"Give between 3 and 8 eigenvalues (got {len(eigenvalues)}).")
        elif p >= len(eigenvalues):
            st.warning(f"The bottleneck p = {p} must be smaller than n = {len(eigenvalues)}: lower p.")
        else:
            try:
                points = autoencoder_points(eigenvalues, int(p))
            except ValueError as err:
                st.error(str(err))
    if points:
        lam = np.sort(eigenvalues)[::-1]
        mismatch = [cp.label for cp in points if cp.index != cp.index_formula
                    or abs(cp.error - cp.error_formula) > 1e-9 * max(1.0, cp.error_formula)]
        if mismatch:
            st.error(f"Hessian and formula disagree at I = {', '.join(mismatch)}.")
        else:
            st.success(f"All {len(points)} critical points: the index counted from the Hessian's eigenvalues "
                       "equals the formula, and the error equals ½(tr Σ − Σ_I λ_i).")
        left, right = st.columns([3, 2])
        with left:
            fig = go.Figure()
            labels = [cp.label for cp in points]
            in_legend = set()
            for cp in points:
                eig = cp.eigenvalues
                scale = max(1.0, np.abs(eig).max())
                sign = np.where(eig < -1e-8 * scale, "negative", np.where(eig > 1e-8 * scale, "positive", "zero"))
                for kind, colour in [("negative", KIND_COLOURS["saddle"]), ("zero", "#999999"),
                                     ("positive", KIND_COLOURS["minimum"])]:
                    sel = sign == kind
                    if not sel.any():
                        continue
                    fig.add_trace(go.Scatter(
                        x=[cp.label] * int(sel.sum()), y=eig[sel], mode="markers", name=f"{kind} eigenvalues",
                        marker=dict(color=colour, size=8, symbol="line-ew-open", line=dict(width=3, color=colour)),
                        legendgroup=kind, showlegend=kind not in in_legend,
                        hovertemplate=f"I = {cp.label}<br>λ = %{{y:.4g}}<extra></extra>"))
                    in_legend.add(kind)
            fig.add_hline(y=0, line=dict(color="#000000", width=1))
            fig.update_layout(title="Hessian spectrum at each critical point (sorted by error)", height=460,
                              xaxis=dict(title="subset I", categoryorder="array", categoryarray=labels),
                              yaxis=dict(title="Hessian eigenvalue"), legend=dict(orientation="h", y=-0.25))
            show(fig, key="bh_spectrum_figure")
        with right:
            fig = go.Figure([
                go.Scatter(x=[cp.error for cp in points], y=[cp.index for cp in points], mode="markers",
                           name="from the Hessian", marker=dict(size=14, color=KIND_COLOURS["saddle"],
                                                                 symbol="circle-open", line=dict(width=3)),
                           text=[cp.label for cp in points], hovertemplate="I = %{text}<br>f = %{x:.4g}<br>"
                           "index %{y}<extra></extra>"),
                go.Scatter(x=[cp.error_formula for cp in points], y=[cp.index_formula for cp in points],
                           mode="markers", name="formula", marker=dict(size=6, color="#000000")),
            ])
            fig.update_layout(title="Larger error, larger index", height=460,
                              xaxis_title="error f_I", yaxis_title="index (# negative eigenvalues)",
                              legend=dict(orientation="h", y=-0.25))
            show(fig, key="bh_error_index_figure")
        table = {
            "I": [cp.label for cp in points],
            "error f (landscape)": [cp.error for cp in points],
            "½(tr Σ − Σ_I λ_i)": [cp.error_formula for cp in points],
            "index (eigvalsh of H)": [cp.index for cp in points],
            "index (formula)": [cp.index_formula for cp in points],
            "zero eigenvalues": [cp.zero_eigenvalues for cp in points],
            "‖∇f‖": [cp.grad_norm for cp in points],
        }
        st.dataframe(table, hide_index=True, width="stretch", key="bh_table", column_config={
            "error f (landscape)": st.column_config.NumberColumn(format="%.6g"),
            "½(tr Σ − Σ_I λ_i)": st.column_config.NumberColumn(format="%.6g"),
            "‖∇f‖": st.column_config.NumberColumn(format="%.1e"),
        })
        st.caption(
            f"Only I = {top} has index 0: the global minimum; every other subset is a saddle, so there are no "
            f"other local minima. The {p * p} zero eigenvalues at every point come from the symmetry "
            "A → AC, B → C⁻¹B (C invertible p×p). Sorted by error, the index grows with it: the "
            "random-landscape picture of Bray & Dean, exactly. Eigenvalues in use: "
            + ", ".join(f"{v:g}" for v in lam) + ".")


# -- 3. symmetric minima -------------------------------------------------------------------------
with sym_tab:
    st.markdown(
        r"""
Swapping two hidden units does not change the function a network computes, so minima come in
mirror pairs $F(\theta^{(1)}) = F(\theta^{(2)})$. Going from one to the other must pass over a saddle
(Rattray et al. 1998, Inoue et al. 2003). Here $y(x) = (1 + w_1x)(1 + w_2x)$ fitted to the teacher
$(1 + ax)(1 + bx)$:
"""
    )
    st.latex(r"f(w_1, w_2) = \tfrac12\left[(w_1 + w_2 - (a + b))^2 + (w_1w_2 - ab)^2\right]")
    with controls("sym"):
        c1, c2 = st.columns(2)
        a = c1.slider("teacher a", -2.0, 2.0, 1.5, 0.05, key="sym_a")
        b = c2.slider("teacher b", -2.0, 2.0, -0.5, 0.05, key="sym_b")
    if abs(a - b) < 0.1:
        st.warning("With a = b the two minima merge into one on the line w₁ = w₂: move a and b apart "
                   "(by at least 0.1) to see the pair and the saddle between them.")
    else:
        try:
            paths = symmetric_paths(float(a), float(b))
        except ValueError as err:
            paths = None
            st.error(str(err))
        if paths is not None:
            left, right = st.columns(2)
            with left:
                z = paths["z"]
                fig = go.Figure([
                    go.Contour(x=paths["grid"], y=paths["grid"], z=np.log10(z - z.min() + 1e-3), colorscale="Viridis",
                               contours=dict(showlines=False), ncontours=30, name="log₁₀ f", showscale=False,
                               hovertemplate="w₁ = %{x:.3f}<br>w₂ = %{y:.3f}<extra></extra>"),
                    go.Scatter(x=paths["path"][:, 0], y=paths["path"][:, 1], mode="lines",
                               name="minimum-energy path", line=dict(color=METHOD_COLOURS["saddle_free"], width=4)),
                    go.Scatter(x=paths["straight"][:, 0], y=paths["straight"][:, 1], mode="lines",
                               name="straight segment", line=dict(color="#BBBBBB", width=3, dash="dash")),
                    go.Scatter(x=[m[0] for m in paths["minima"]], y=[m[1] for m in paths["minima"]], mode="markers",
                               name="minima", marker=dict(symbol=KIND_SYMBOLS["minimum"], size=14,
                                                          color=KIND_COLOURS["minimum"], line=dict(width=2, color="#FFFFFF"))),
                    go.Scatter(x=[paths["saddle"][0]], y=[paths["saddle"][1]], mode="markers", name="saddle",
                               marker=dict(symbol=KIND_SYMBOLS["saddle"], size=16, color=KIND_COLOURS["saddle"],
                                           line=dict(width=1, color="#FFFFFF"))),
                ])
                lo, hi = paths["grid"][0], paths["grid"][-1]
                fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="symmetry line w₁ = w₂",
                                         line=dict(color="#CCCCCC", width=1, dash="dot")))
                fig.update_layout(title="Mirror minima and the saddle (colour: log f)", height=520,
                                  xaxis=dict(title="w₁", range=[lo, hi]),
                                  yaxis=dict(title="w₂", range=[lo, hi]),
                                  legend=dict(orientation="h", y=-0.2))
                show(fig, key="sym_contour_figure")
            with right:
                fig = go.Figure([
                    go.Scatter(x=np.linspace(0, 1, len(paths["straight_values"])), y=paths["straight_values"],
                               mode="lines", name="straight segment", line=dict(color="#444444", width=3, dash="dash")),
                    go.Scatter(x=_arc_length(paths["path"]), y=paths["path_values"], mode="lines",
                               name="minimum-energy path", line=dict(color=METHOD_COLOURS["saddle_free"], width=4)),
                ])
                fig.add_hline(y=paths["saddle_value"], line=dict(color=KIND_COLOURS["saddle"], dash="dot"),
                              annotation_text="saddle value")
                fig.update_layout(title="Value along the path", height=520,
                                  xaxis_title="fraction of the path length", yaxis_title="f",
                                  legend=dict(orientation="h", y=-0.2))
                show(fig, key="sym_profile_figure")
            barrier = paths["saddle_value"] - paths["minimum_value"]
            ends = "both halves end at a minimum" if paths["reached"] == ["minimum", "minimum"] else \
                f"the halves ended: {', '.join(paths['reached'])}"
            st.caption(
                f"The minimum-energy path is steepest descent out of the saddle along its negative-curvature "
                f"direction, both ways ({ends}). Its highest point is the saddle: "
                f"a barrier of {barrier:.4g} above the minima; the straight segment climbs to "
                f"{paths['straight_values'].max() - paths['minimum_value']:.4g}. Any path between the mirror minima "
                "crosses the line w₁ = w₂, and the lowest crossing is the saddle.")
