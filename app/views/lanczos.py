"""Power iteration and Lanczos (the deck's Appendix 2): extreme Hessian eigenvalues from
Hessian-vector products only, and what happens to Lanczos without re-orthogonalisation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # AppTest.from_file on this page alone
    sys.path.insert(0, str(_ROOT))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import streamlit as st  # noqa: E402
from plotly.subplots import make_subplots  # noqa: E402

import optimizers  # noqa: E402
from app.components.common import get_landscape  # noqa: E402
from app.components.theme import show  # noqa: E402
from landscapes import random_matrix as rm  # noqa: E402
from optimizers.krylov import power_iteration  # noqa: E402

PREFIX = "lz_"
LANDSCAPES = {
    "quadratic with a chosen spectrum": "quadratic",
    "random Gaussian field": "gaussian_field",
    "deep linear network": "linear_net",
}
SPECTRA = ("bulk uniform in [−1, 1] plus one top eigenvalue", "semicircle (a GOE sample) plus one top eigenvalue")
DEFAULTS = {
    "landscape": next(iter(LANDSCAPES)), "n": 100, "spectrum": SPECTRA[0], "top": 3.0, "field_dim": 60,
    "depth": 3, "width": 6, "seed": 0, "k": 60,
}
COLOURS = {"power": "#E69F00", "reorth": "#0072B2", "plain": "#D55E00", "exact": "#000000"}
# Ritz values closer than this (relative to the spectral radius) to an eigenvalue count as a copy.
COPY_TOL = 1e-6


def K(name: str) -> str:
    """Session-state key of one of this page's widgets."""
    return PREFIX + name


for _name, _value in DEFAULTS.items():
    st.session_state.setdefault(K(_name), _value)


# =========================================================================== computation


def landscape_params(kind: str, n: int, spectrum: str, top: float, field_dim: int, depth: int, width: int,
                     seed: int) -> dict:
    if kind == "quadratic":
        bulk_n = n - 1
        if spectrum == SPECTRA[0]:
            bulk = np.linspace(-1.0, 1.0, bulk_n)
        else:
            bulk = np.linalg.eigvalsh(rm.goe(bulk_n, seed=seed, radius=1.0)) if bulk_n > 0 else np.zeros(0)
        return dict(eigenvalues=np.r_[bulk, top].tolist(), seed=seed)
    if kind == "gaussian_field":
        return dict(dim=field_dim, features=100 * field_dim, seed=seed)
    return dict(depth=depth, widths=[width] * (depth + 1), seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def krylov_run(kind: str, params_json: str, seed: int, k: int) -> dict:
    """Power iteration and both Lanczos variants on the Hessian at a seeded point."""
    L = get_landscape(kind, **json.loads(params_json))
    rng = np.random.default_rng((seed, 2))
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    x = np.zeros(L.dim) if kind == "quadratic" else 0.5 * (lo + hi) + 0.25 * (hi - lo) * rng.uniform(-1, 1, L.dim)
    hess = L.hess(x)  # dense once, only for the exact eigenvalues drawn as dashed lines
    exact = np.linalg.eigvalsh(hess)
    start = rng.standard_normal(L.dim)

    def matvec(v):
        return hess @ v

    out = dict(dim=L.dim, exact=exact, power=power_iteration(matvec, start, k))
    for name, reorth in (("reorth", True), ("plain", False)):
        lz = optimizers.lanczos(matvec, start, k, reorthogonalize=reorth)
        q = lz.basis
        out[name] = dict(
            ritz=[lz.ritz_values(j) for j in range(1, len(lz.alphas) + 1)],
            loss=lz.orthogonality_loss(),
            gram=np.abs(q.T @ q - np.eye(q.shape[1])),
        )
    return out


def copies(values: np.ndarray, target: float, scale: float) -> int:
    """How many of ``values`` agree with ``target`` to COPY_TOL relative to ``scale``."""
    return int(np.sum(np.abs(np.asarray(values) - target) <= COPY_TOL * scale))


# =========================================================================== figures


def convergence_figure(run: dict) -> go.Figure:
    exact = run["exact"]
    lam_max, lam_min = exact[-1], exact[0]
    dominant = exact[np.argmax(np.abs(exact))]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Ritz values", "error against the exact eigenvalue"))
    power = run["power"]
    j_power = np.arange(1, power.size + 1)
    fig.add_trace(go.Scatter(x=j_power, y=power, mode="lines", name="power iteration q·Hq",
                             line=dict(color=COLOURS["power"], width=2)), row=1, col=1)
    fig.add_trace(go.Scatter(x=j_power, y=np.maximum(np.abs(power - dominant), 1e-17), mode="lines",
                             line=dict(color=COLOURS["power"], width=2), showlegend=False), row=1, col=2)
    for name, label, dash in (("reorth", "Lanczos, re-orthogonalised", "solid"), ("plain", "Lanczos, plain", "dot")):
        ritz = run[name]["ritz"]
        j = np.arange(1, len(ritz) + 1)
        top = np.array([r[-1] for r in ritz])
        bottom = np.array([r[0] for r in ritz])
        colour = COLOURS[name]
        fig.add_trace(go.Scatter(x=j, y=top, mode="lines", name=f"{label}: largest and smallest",
                                 line=dict(color=colour, width=2, dash=dash)), row=1, col=1)
        fig.add_trace(go.Scatter(x=j, y=bottom, mode="lines", line=dict(color=colour, width=2, dash=dash),
                                 showlegend=False), row=1, col=1)
        fig.add_trace(go.Scatter(x=j, y=np.maximum(np.abs(top - lam_max), 1e-17), mode="lines",
                                 line=dict(color=colour, width=2, dash=dash), showlegend=False), row=1, col=2)
        fig.add_trace(go.Scatter(x=j, y=np.maximum(np.abs(bottom - lam_min), 1e-17), mode="lines",
                                 line=dict(color=colour, width=1, dash=dash), opacity=0.6, showlegend=False),
                      row=1, col=2)
    for value, text in ((lam_max, "λ_max"), (lam_min, "λ_min")):
        fig.add_hline(y=value, line=dict(color=COLOURS["exact"], dash="dash", width=1), row=1, col=1,
                      annotation_text=f"{text} = {value:.4g}", annotation_position="top right")
    fig.update_xaxes(title_text="iteration j (Hessian-vector products)")
    fig.update_yaxes(title_text="Ritz value θ", row=1, col=1)
    fig.update_yaxes(title_text="|θ − λ| (log scale)", type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(height=460, legend=dict(orientation="h", y=-0.22))
    return fig


def ritz_figure(run: dict) -> go.Figure:
    exact = run["exact"]
    scale = float(np.max(np.abs(exact))) or 1.0
    fig = make_subplots(rows=1, cols=3, shared_yaxes=False, column_widths=[0.36, 0.36, 0.28],
                        subplot_titles=("with re-orthogonalisation", "without: ghost copies appear",
                                        "copies of λ_max among the Ritz values"))
    for col, name in ((1, "reorth"), (2, "plain")):
        ritz = run[name]["ritz"]
        xs = np.concatenate([np.full(r.size, j) for j, r in enumerate(ritz, start=1)])
        ys = np.concatenate(ritz)
        on_top = np.abs(ys - exact[-1]) <= COPY_TOL * scale
        fig.add_trace(go.Scatter(x=xs[~on_top], y=ys[~on_top], mode="markers", name="Ritz values of T_j",
                                 marker=dict(color=COLOURS[name], size=4), showlegend=col == 1), row=1, col=col)
        fig.add_trace(go.Scatter(x=xs[on_top], y=ys[on_top], mode="markers", name="converged to λ_max",
                                 marker=dict(color="#000000", size=6, symbol="diamond"), showlegend=col == 1),
                      row=1, col=col)
        fig.add_trace(go.Scatter(x=np.arange(1, len(ritz) + 1), y=[copies(r, exact[-1], scale) for r in ritz],
                                 mode="lines", line=dict(color=COLOURS[name], width=3, shape="hv"),
                                 name="re-orthogonalised" if name == "reorth" else "plain"), row=1, col=3)
        fig.update_xaxes(title_text="iteration j", row=1, col=col)
        fig.update_yaxes(matches="y", row=1, col=col)
    fig.update_xaxes(title_text="iteration j", row=1, col=3)
    fig.update_yaxes(title_text="Ritz values (all eigenvalues of T_j)", row=1, col=1)
    fig.update_yaxes(title_text="copies within 10⁻⁶ of λ_max", rangemode="tozero", dtick=1, row=1, col=3)
    fig.update_layout(height=460, legend=dict(orientation="h", y=-0.22))
    return fig


def orthogonality_figure(run: dict) -> go.Figure:
    fig = make_subplots(rows=1, cols=3, column_widths=[0.4, 0.3, 0.3], horizontal_spacing=0.08,
                        subplot_titles=("max |qᵢ·qⱼ| for i ≠ j among the first j",
                                        "log₁₀|QᵀQ − I|, re-orthogonalised", "log₁₀|QᵀQ − I|, plain"))
    for name, label in (("reorth", "re-orthogonalised"), ("plain", "plain")):
        loss = run[name]["loss"]
        fig.add_trace(go.Scatter(x=np.arange(1, loss.size + 1), y=np.maximum(loss, 1e-17), mode="lines",
                                 name=label, line=dict(color=COLOURS[name], width=2)), row=1, col=1)
    for col, name in ((2, "reorth"), (3, "plain")):
        gram = run[name]["gram"]
        fig.add_trace(go.Heatmap(z=np.log10(np.maximum(gram, 1e-17)), zmin=-17, zmax=0, colorscale="Cividis",
                                 x=np.arange(1, gram.shape[0] + 1), y=np.arange(1, gram.shape[0] + 1),
                                 showscale=col == 3, colorbar=dict(title="log₁₀"), name=name), row=1, col=col)
        fig.update_yaxes(autorange="reversed", title_text="i", row=1, col=col)
        fig.update_xaxes(title_text="j", row=1, col=col)
    fig.update_xaxes(title_text="iteration j", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", title_text="loss of orthogonality", row=1, col=1)
    fig.update_layout(height=440, legend=dict(orientation="h", y=-0.22))
    return fig


# =========================================================================== page

st.title("Power iteration and Lanczos")
st.markdown(
    "A Hessian with millions of parameters cannot be stored, but its products with vectors, "
    "H v, are cheap. **Power iteration** repeats q ← Hq / ‖Hq‖ and keeps only the last vector: "
    "the vectors x, Hx, H²x, … become linearly dependent and it finds only the eigenvalue of "
    "largest magnitude. **Lanczos** keeps an orthonormal basis of the whole Krylov space "
    "span{x, Hx, …, H^(j−1)x}; the eigenvalues of the small tridiagonal T_j = Q_jᵀ H Q_j (the Ritz "
    "values) approach the extreme eigenvalues of H at both ends at once."
)
st.latex(r"H q_j = \beta_{j-1} q_{j-1} + \alpha_j q_j + \beta_j q_{j+1},\qquad "
         r"T_j = \begin{pmatrix}\alpha_1 & \beta_1 & \\ \beta_1 & \ddots & \beta_{j-1}\\ & \beta_{j-1} & \alpha_j"
         r"\end{pmatrix}")

controls = st.columns(4)
with controls[0]:
    label = st.selectbox("landscape", list(LANDSCAPES), key=K("landscape"))
    kind = LANDSCAPES[label]
with controls[1]:
    if kind == "quadratic":
        n = st.slider("parameters n", 10, 400, step=1, key=K("n"))
        spectrum = st.selectbox("Hessian spectrum", SPECTRA, key=K("spectrum"))
        top = st.slider("top eigenvalue λ_max", 1.0, 10.0, step=0.1, key=K("top"))
    elif kind == "gaussian_field":
        field_dim = st.slider("dimension N", 10, 150, step=1, key=K("field_dim"))
        st.caption("The Hessian at a random point of the field (D = 100 N features).")
    else:
        depth = st.slider("depth", 2, 5, step=1, key=K("depth"))
        width = st.slider("units per layer", 4, 12, step=1, key=K("width"))
with controls[2]:
    seed = st.number_input("seed (point and start vector)", 0, 2**31 - 1, step=1, key=K("seed"))

params = landscape_params(
    kind, int(st.session_state[K("n")]), st.session_state[K("spectrum")], float(st.session_state[K("top")]),
    int(st.session_state[K("field_dim")]), int(st.session_state[K("depth")]),
    int(st.session_state[K("width")]), int(seed))
dim = (len(params["eigenvalues"]) if kind == "quadratic" else params["dim"] if kind == "gaussian_field"
       else params["depth"] * params["widths"][0] ** 2)
with controls[3]:
    # A fixed range: a slider whose bounds change is a new widget and forgets its value.
    k = st.slider("iterations k", 2, 200, step=1, key=K("k"))
    if k > dim:
        st.caption(f"k is capped at n = {dim}: the Krylov space cannot grow beyond n.")
        k = dim

try:
    run = krylov_run(kind, json.dumps(params, sort_keys=True), int(seed), int(k))
except ValueError as err:
    st.error(f"Could not build this landscape: {err}")
    st.stop()

exact = run["exact"]
scale = float(np.max(np.abs(exact))) or 1.0
plain_final, reorth_final = run["plain"]["ritz"][-1], run["reorth"]["ritz"][-1]
cols = st.columns(4)
cols[0].metric("parameters n", run["dim"])
cols[1].metric("copies of λ_max, re-orthogonalised", copies(reorth_final, exact[-1], scale))
cols[2].metric("copies of λ_max, plain Lanczos", copies(plain_final, exact[-1], scale))
cols[3].metric("final loss of orthogonality, plain", f"{run['plain']['loss'][-1]:.1e}")

st.subheader("Convergence to the extreme eigenvalues")
show(convergence_figure(run), key=K("convergence"))
st.caption(
    "Dashed: exact eigenvalues (numpy.linalg.eigvalsh of the dense Hessian, built once only for this "
    "check). The methods themselves only see products H v. Power iteration converges to the "
    f"eigenvalue of largest magnitude ({exact[np.argmax(np.abs(exact))]:.4g} here), at a rate set by "
    "the ratio of the two largest |λ|; Lanczos finds both ends, much faster."
)

st.subheader("Loss of orthogonality and ghost eigenvalues")
st.markdown(
    "In floating point, plain Lanczos (the three-term recurrence only) loses orthogonality exactly "
    "when a Ritz value converges (Paige 1971): the basis picks up the converged eigenvector again, and "
    "the same eigenvalue reappears as a **ghost** copy. Re-orthogonalising each new vector against all "
    "previous ones (Gram–Schmidt, as on the slide) keeps QᵀQ = I to round-off, at the price of storing "
    "the basis."
)
show(ritz_figure(run), key=K("ritz"))
show(orthogonality_figure(run), key=K("orthogonality"))
