"""Saddle-free Newton in N dimensions: Dauphin et al. (2014) Figure 3, in small, with exact
Hessians -- a deep linear network started on its plateau and a tanh network on real digits."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscapes.mlp as mlp  # registers tanh_mlp (until landscapes/__init__ imports it)
import optimizers
from app.components.common import METHOD_COLOURS, get_landscape, method_label
from app.components.presenter import controls
from app.components.theme import show
from landscapes import saxe

S = (3.0, 2.0, 1.0, 0.5)
ALL_METHODS = ["gd", "sgd", "damped_newton", "saddle_free", "krylov_saddle_free"]
MLP_DATA = dict(n_components=6, n_classes=4, n_samples=200)
SWEEP_CHOICES = [1, 2, 3, 4, 6, 8, 12]

st.title("Saddle-free Newton in N dimensions")
st.markdown(
    r"""
Dauphin et al. (2014, Figure 3) trained small networks with **exact** Hessians and compared
minibatch SGD, damped Newton and saddle-free Newton: near saddles, damped Newton adds $m$ to every
eigenvalue and so takes tiny steps along the directions of negative curvature that lead away
from them, while saddle-free Newton rescales by $|\lambda_i|$ and **escapes along them**.
The same experiment, in small:
"""
)
st.latex(r"\Delta\theta_{\text{damped}} = -(H + mI)^{-1}\nabla f, \qquad "
         r"\Delta\theta_{\text{saddle-free}} = -(|H| + mI)^{-1}\nabla f, \qquad "
         r"|H| = V\,|\Lambda|\,V^\top")

with controls("sf_methods"):
    c1, c2, c3 = st.columns([3, 1, 1])
    methods = c1.multiselect("methods", ALL_METHODS, ALL_METHODS, format_func=method_label, key="sf_methods")
    steps = c2.slider("iterations", 10, 200, 60, 10, key="sf_steps")
    k = c3.slider("Krylov vectors k", 1, 60, 10, 1, key="sf_k",
                  help="Lanczos vectors per step of Krylov saddle-free Newton (Dauphin et al. Algorithm 1); "
                       "k = n gives the exact |H|.")
    with st.expander("Method settings"):
        c1, c2, c3, c4 = st.columns(4)
        noise = c1.select_slider("SGD gradient noise σ", [0.0, 0.01, 0.03, 0.1, 0.3], 0.03, key="sf_noise")
        margin = c2.select_slider("damped Newton: margin above −λ_min", [0.1, 0.3, 1.0, 3.0], 1.0,
                                  key="sf_margin")
        sf_damping = c3.select_slider("saddle-free: damping m in |H| + mI", [0.0, 0.01, 0.1, 1.0], 0.1,
                                      key="sf_damping")
        seed = c4.number_input("seed (start, noise, data sample)", 0, 10_000, 0, 1, key="sf_seed")
    st.caption(
        "Damped Newton uses the slides' damping: the smallest m that makes H + mI positive definite, "
        "plus the margin. Krylov saddle-free picks its damping by a small line search "
        "(Dauphin et al. Algorithm 1). Noisy SGD is gradient descent plus Gaussian gradient noise "
        "of std σ: a stand-in for minibatch noise on these full-batch problems.")

if not methods:
    st.warning("Pick at least one method above.")


# -- cached runs ------------------------------------------------------------------------------------


def _hyper(method: str, lr: float) -> dict:
    if method == "gd":
        return dict(lr=lr)
    if method == "sgd":
        return dict(lr=lr, noise=float(noise), seed=int(seed))
    if method == "damped_newton":
        return dict(damping="auto", margin=float(margin))
    if method == "saddle_free":
        return dict(damping=float(sf_damping))
    return dict(k=int(k), damping="auto")


@st.cache_data(max_entries=512, show_spinner=False)
def run_one(problem: str, params_json: str, start: str, scale: float, start_seed: int, method: str,
            hyper_json: str, steps: int) -> dict:
    """One method on one problem: the loss, the smallest Hessian eigenvalue along the run, and
    (for the digits) the final classification error."""
    params = json.loads(params_json)
    L = get_landscape(problem, **params)
    if problem == "linear_net":
        x0 = saxe.small_random_start(L, scale, start_seed)
    elif start == "plateau":
        x0 = mlp.plateau_start(L, scale, start_seed)
    else:
        x0 = mlp.random_start(L, start_seed)
    T = optimizers.run(L, method, x0, steps=steps, **json.loads(hyper_json))
    out = dict(values=T.values, smallest=T.eigenvalues[:, 0], stop=T.stop.label, steps=T.steps, dim=L.dim)
    if problem == "tanh_mlp":
        out["classification_error"] = mlp.classification_error(L, T.final)
    return out


def run_all(problem: str, params: dict, start: str, scale: float, lr: float, bar=None, label: str = "") -> dict:
    results = {}
    for i, method in enumerate(methods):
        if bar is not None:
            bar.progress(i / max(1, len(methods)), text=f"{label}{method_label(method)}")
        results[method] = run_one(problem, json.dumps(params, sort_keys=True), start, float(scale), int(seed),
                                  method, json.dumps(_hyper(method, lr), sort_keys=True), int(steps))
    return results


def curves(results: dict, title: str, y_title: str, scale_by: float = 1.0, key: str = "") -> None:
    """Training error and most negative Hessian eigenvalue against iteration, side by side."""
    left, right = st.columns(2)
    with left:
        fig = go.Figure()
        for method, res in results.items():
            fig.add_trace(go.Scatter(y=res["values"] / scale_by, mode="lines", name=method_label(method),
                                     line=dict(color=METHOD_COLOURS[method], width=3)))
        fig.update_layout(title=title, height=440, xaxis_title="iteration",
                          yaxis=dict(title=y_title, type="log", exponentformat="power"),
                          legend=dict(orientation="h", y=-0.22))
        show(fig, key=f"{key}_error_figure")
    with right:
        fig = go.Figure()
        for method, res in results.items():
            fig.add_trace(go.Scatter(y=res["smallest"], mode="lines", name=method_label(method),
                                     line=dict(color=METHOD_COLOURS[method], width=3)))
        fig.add_hline(y=0.0, line=dict(color="#000000", width=1))
        fig.update_layout(title="Most negative Hessian eigenvalue along the run", height=440,
                          xaxis_title="iteration", yaxis_title="λ_min(H)", legend=dict(orientation="h", y=-0.22))
        values = np.concatenate([r["smallest"] for r in results.values()])
        values = values[np.isfinite(values)]
        typical = float(np.percentile(values, 5)) if values.size else 0.0
        clipped = values.size and typical < 0 and values.min() < 4 * typical
        if clipped:
            # One overshooting step can visit a far more curved region; keep the plateau readable.
            fig.update_yaxes(range=[2 * typical, max(0.0, float(values.max())) - 0.1 * typical])
        show(fig, key=f"{key}_lambda_figure")
        if clipped:
            st.caption(f"Axis cut at {2 * typical:.3g}; the lowest value visited is {values.min():.3g} "
                       "(an overshooting step far from the quadratic model's validity).")


def stop_notes(results: dict) -> str:
    return "; ".join(f"{method_label(m)}: {r['stop']} after {r['steps']} steps" for m, r in results.items())


deep_tab, mlp_tab, sweep_tab = st.tabs(
    ["(a) Deep linear network on its plateau", "(b) tanh network on digits", "(c) Final error vs hidden units"])

# -- (a) deep linear network ----------------------------------------------------------------------
with deep_tab:
    with controls("sf_deep"):
        c1, c2, c3 = st.columns(3)
        depth = c1.slider("depth D", 2, 6, 3, 1, key="sf_depth")
        scale = c2.select_slider("start: weight scale σ", [1e-3, 3e-3, 1e-2, 3e-2, 1e-1], 1e-2, key="sf_scale")
        lr_deep = c3.select_slider("GD / SGD step α", [0.005, 0.01, 0.02, 0.05, 0.1], 0.05, key="sf_lr_deep")
    if methods:
        params = dict(depth=int(depth), s=list(S), seed=0)
        with st.spinner("Running the methods on the deep linear network..."):
            deep = run_all("linear_net", params, "random", float(scale), float(lr_deep))
        dim = next(iter(deep.values()))["dim"]
        curves(deep, f"Deep linear network, D = {depth}, {dim} parameters", "relative error f / f(0)",
               scale_by=0.5 * sum(s * s for s in S), key="sf_deep")
        finals = {m: r["values"][-1] / (0.5 * sum(s * s for s in S)) for m, r in deep.items()}
        best = min(finals, key=finals.get)
        st.markdown(
            f"Started from Gaussian weights of std σ = {scale:g}: the relative error is "
            f"{next(iter(deep.values()))['values'][0] / (0.5 * sum(s * s for s in S)):.6f}, on the plateau of the "
            f"saddle at the origin. After {steps} iterations: "
            + ", ".join(f"{method_label(m)} **{v:.2e}**" for m, v in finals.items())
            + f". Lowest: {method_label(best)}.")
        st.caption(stop_notes(deep) + (f". k is capped at n = {dim}." if k > dim else "."))

# -- (b) tanh MLP on digits -----------------------------------------------------------------------
with mlp_tab:
    with controls("sf_mlp"):
        c1, c2, c3 = st.columns(3)
        hidden = c1.slider("hidden units h", 1, 16, 4, 1, key="sf_hidden")
        start = c2.radio("start", ["plateau", "random"], key="sf_mlp_start",
                         format_func=lambda s: {"plateau": "on the plateau (idle units + noise 0.01)",
                                                "random": "random (Glorot)"}[s])
        lr_mlp = c3.select_slider("GD / SGD step α", [0.05, 0.1, 0.2, 0.5, 1.0], 0.5, key="sf_lr_mlp")
    if methods:
        params = dict(hidden=int(hidden), seed=int(seed), **MLP_DATA)
        L = get_landscape("tanh_mlp", **params)
        with st.spinner("Running the methods on the digits network..."):
            net = run_all("tanh_mlp", params, start, 0.01, float(lr_mlp))
        curves(net, f"tanh network, h = {hidden}, {L.dim} parameters", "training error f (mean squared)",
               key="sf_mlp")
        st.markdown(
            f"{L.description} Data: scikit-learn's bundled 8×8 digits (no download), reduced by PCA "
            f"as Dauphin et al. downsampled MNIST, to keep the exact Hessian small.")
        st.dataframe(
            {"method": [method_label(m) for m in net],
             "final training error f": [r["values"][-1] for r in net.values()],
             "misclassified digits": [f"{100 * r['classification_error']:.1f} %" for r in net.values()],
             "λ_min at the end": [r["smallest"][-1] for r in net.values()],
             "stop": [r["stop"] for r in net.values()]},
            hide_index=True, width="stretch", key="sf_mlp_table")
        idle = L.critical_points[0]
        st.caption(
            f"The plateau start sits next to the saddle where every hidden unit is idle (W = 0, b₂ = mean target): "
            f"there the tanh net is locally linear and its Hessian has index {idle.index} "
            f"(eigenvalues ±σ(C), h times each) — the analogue of a linear network's origin.")

# -- (c) sweep over hidden units --------------------------------------------------------------------
with sweep_tab:
    with controls("sf_sweep"):
        sizes = st.multiselect("hidden units h in the sweep", SWEEP_CHOICES, [1, 2, 4, 8], key="sf_sweep_hidden")
    if not sizes:
        st.warning("Pick at least one number of hidden units.")
    elif methods:
        sizes = sorted(int(h) for h in sizes)
        bar = st.progress(0.0, text="Sweep over hidden units...")
        table = {}
        for i, h in enumerate(sizes):
            params = dict(hidden=h, seed=int(seed), **MLP_DATA)
            table[h] = run_all("tanh_mlp", params, start, 0.01, float(lr_mlp), bar=None)
            bar.progress((i + 1) / len(sizes), text=f"Sweep over hidden units: h = {h} done")
        bar.empty()
        left, right = st.columns(2)
        with left:
            fig = go.Figure()
            for method in methods:
                fig.add_trace(go.Scatter(x=sizes, y=[table[h][method]["values"][-1] for h in sizes],
                                         mode="lines+markers", name=method_label(method),
                                         line=dict(color=METHOD_COLOURS[method], width=3), marker=dict(size=10)))
            fig.update_layout(title=f"Training error after {steps} iterations", height=440,
                              xaxis=dict(title="hidden units h", type="log", tickvals=sizes),
                              yaxis=dict(title="training error f", type="log", exponentformat="power"),
                              legend=dict(orientation="h", y=-0.22))
            show(fig, key="sf_sweep_figure")
        with right:
            fig = go.Figure()
            for method in methods:
                fig.add_trace(go.Scatter(x=sizes, y=[100 * table[h][method]["classification_error"] for h in sizes],
                                         mode="lines+markers", name=method_label(method),
                                         line=dict(color=METHOD_COLOURS[method], width=3), marker=dict(size=10)))
            fig.update_layout(title="Misclassified training digits", height=440,
                              xaxis=dict(title="hidden units h", type="log", tickvals=sizes),
                              yaxis=dict(title="error (%)", rangemode="tozero"), legend=dict(orientation="h", y=-0.22))
            show(fig, key="sf_sweep_class_figure")
        st.caption(
            f"Same start ({start}), steps and settings as tab (b), for each h. Dauphin et al. found saddle-free "
            "Newton's advantage over damped Newton and SGD growing with the size of the network; with a few "
            "hundred parameters here the trend is qualitative, not the paper's numbers.")
