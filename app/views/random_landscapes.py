"""Random landscapes: Bray and Dean's law for the critical points of a Gaussian field in N
dimensions, and the random-matrix facts behind it (the deck's "Generic cost landscapes")."""

from __future__ import annotations

import math
import os
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
from app.components.common import KIND_COLOURS, KIND_SYMBOLS, get_landscape  # noqa: E402
from app.components.theme import show  # noqa: E402
from landscapes import random_matrix as rm  # noqa: E402

PREFIX = "rl_"
KERNELS = {
    "κ = 1:  f(r) = e^(−r)": (1.0,),
    "mixture κ ∈ {0.5, 2}:  f(r) = ½(e^(−r/2) + e^(−2r))": (0.5, 2.0),
    "custom list of κ": None,
}
DEFAULTS = {
    "dim": 30, "seed": 0, "kernel": next(iter(KERNELS)), "kappas": "0.5, 2.0", "features_per_dim": 100,
    "starts": 200, "half_width": 3.0, "goe_n": 100, "goe_samples": 20, "pos_max_n": 7,
    "pos_samples": 200_000,
}
# Measured on this machine (shared, loaded): about 100 kernel calls per start, each about
# 0.5 ns per multiply-add of the Hessian's D N^2, on one core.
SECONDS_PER_START_AND_FLOP = 100 * 5e-10
NEWTON_MAX_ITER = 50  # starts not converged by then rarely converge later (measured: 126 of 127)
BAND_NAMES = ("low ε", "middle ε", "high ε")


def K(name: str) -> str:
    """Session-state key of one of this page's widgets."""
    return PREFIX + name


for _name, _value in DEFAULTS.items():
    st.session_state.setdefault(K(_name), _value)


# =========================================================================== cached computations


@st.cache_data(max_entries=16, show_spinner=False)
def survey(dim: int, features: int, seed: int, kappa: tuple, half_width: float, n_starts: int) -> dict:
    """Newton's method on grad phi = 0 from uniform starts in [-a, a]^N (the bar lives in here so
    that a cache hit replays nothing but an emptied placeholder)."""
    L = get_landscape("gaussian_field", dim=dim, features=features, seed=seed,
                      kappa=list(kappa) if len(kappa) > 1 else kappa[0])
    starts = np.random.default_rng((seed, 1)).uniform(-half_width, half_width, (n_starts, dim))
    bar = st.progress(0.0, text=f"Newton's method from {n_starts} starts...")

    def progress(done, total):
        bar.progress(done / total, text=f"Newton's method: {done} of {total} starts")

    search = optimizers.find_critical_points(L, starts, gtol=1e-8, max_iter=NEWTON_MAX_ITER, progress=progress)
    bar.empty()
    points = search.points
    return dict(
        values=np.array([p.value for p in points]),
        eigenvalues=np.array([p.eigenvalues for p in points]).reshape(len(points), dim),
        kinds=[p.kind.value for p in points],
        n_starts=search.n_starts,
        n_converged=search.n_converged,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def goe_spectrum(n: int, samples: int) -> np.ndarray:
    return rm.goe_eigenvalues(n, samples, seed=0).ravel()


@st.cache_data(max_entries=8, show_spinner=False)
def positivity(max_n: int, samples: int) -> list:
    bar = st.progress(0.0, text="Sampling GOE matrices...")
    out = []
    for n in range(1, max_n + 1):
        out.append(rm.probability_all_positive(n, samples, seed=n))
        bar.progress(n / max_n, text=f"Sampled N = {n} of {max_n}")
    bar.empty()
    return out


# =========================================================================== figures


def eps_alpha_figure(check: rm.SpectraAgainstTheory, kinds: list, theory, dim: int) -> go.Figure:
    threshold = theory.minimum_threshold
    reach = 1.25 * abs(threshold)
    lo = min(-reach, float(check.eps.min()) if check.eps.size else -reach)
    hi = max(reach, float(check.eps.max()) if check.eps.size else reach)
    grid = np.linspace(lo, hi, 401)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=theory.index(grid), mode="lines", name="theory α(ε)",
                             line=dict(color="#000000", width=2)))
    kinds = np.asarray(kinds)
    for kind in ("minimum", "saddle", "maximum", "degenerate"):
        mask = kinds == kind
        if mask.any():
            fig.add_trace(go.Scatter(
                x=check.eps[mask], y=check.alpha[mask], mode="markers", name=f"{kind} ({int(mask.sum())})",
                marker=dict(color=KIND_COLOURS[kind], symbol=KIND_SYMBOLS[kind], size=8, opacity=0.8)))
    fig.add_vline(x=threshold, line=dict(dash="dot", color="#777777"))
    fig.add_annotation(x=threshold, y=0.85, text=f"ε_c = {threshold:.2f}<br>only minima below",
                       showarrow=False, xanchor="left", xshift=6, align="left")
    fig.update_layout(title=f"Critical points of a Gaussian field in N = {dim} dimensions",
                      xaxis_title="value density ε = φ / N", yaxis_title="index fraction α = (negative eigenvalues) / N",
                      yaxis=dict(range=[-0.03, 1.03]), height=480, legend=dict(orientation="h", y=-0.2))
    return fig


def hessian_figure(check: rm.SpectraAgainstTheory, eigenvalues: np.ndarray, theory) -> go.Figure:
    bands = rm.energy_bands(check.eps, 3)
    titles = []
    for name, band in zip(BAND_NAMES, bands):
        if band.size:
            titles.append(f"{name} ∈ [{check.eps[band].min():.2f}, {check.eps[band].max():.2f}], "
                          f"mean α = {check.alpha[band].mean():.2f}")
        else:
            titles.append(f"{name}: no points")
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, shared_yaxes=True)
    lam_all = eigenvalues.ravel()
    span = (float(lam_all.min()) - 0.5, float(lam_all.max()) + 0.5) if lam_all.size else (-3.0, 3.0)
    grid = np.linspace(*span, 400)
    for col, band in enumerate(bands, start=1):
        if not band.size:
            continue
        fig.add_trace(go.Histogram(x=eigenvalues[band].ravel(), histnorm="probability density", nbinsx=40,
                                   marker_color="#56B4E9", opacity=0.75, name="measured eigenvalues",
                                   showlegend=col == 1), row=1, col=col)
        fig.add_trace(go.Scatter(x=grid, y=rm.band_density(grid, check.eps[band], theory), mode="lines",
                                 line=dict(color="#D55E00", width=2), name="shifted semicircle (theory)",
                                 showlegend=col == 1), row=1, col=col)
        fig.add_vline(x=0.0, line=dict(color="#777777", dash="dot"), row=1, col=col)
        fig.update_xaxes(title_text="Hessian eigenvalue λ", row=1, col=col)
    fig.update_yaxes(title_text="density per eigenvalue", row=1, col=1)
    fig.update_layout(height=420, bargap=0.02, legend=dict(orientation="h", y=-0.25))
    return fig


def goe_figure(lam: np.ndarray, n: int, samples: int) -> go.Figure:
    grid = np.linspace(-2.3, 2.3, 400)
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=lam, histnorm="probability density", nbinsx=60, marker_color="#56B4E9",
                               opacity=0.75, name=f"{samples} GOE matrices, N = {n}"))
    fig.add_trace(go.Scatter(x=grid, y=rm.semicircle_density(grid), mode="lines",
                             line=dict(color="#D55E00", width=2), name="semicircle, R = 2"))
    fig.update_layout(title="Wigner's semicircle", xaxis_title="eigenvalue λ", yaxis_title="density",
                      height=400, bargap=0.02, legend=dict(orientation="h", y=-0.25))
    return fig


def positivity_figure(estimates: list) -> go.Figure:
    ns = np.array([e.n for e in estimates])
    curve_n = np.arange(1, max(10, ns.max()) + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve_n, y=rm.coin_flip_probability(curve_n), mode="lines+markers",
                             name="coin flip 2^(−N) (the slides)", line=dict(color="#E69F00", dash="dash")))
    fig.add_trace(go.Scatter(x=curve_n, y=rm.dean_majumdar_probability(curve_n), mode="lines",
                             name="exp(−θN²), θ = ln 3 / 4 (Dean & Majumdar)", line=dict(color="#0072B2")))
    exact = sorted(rm.EXACT_ALL_POSITIVE.items())
    fig.add_trace(go.Scatter(x=[n for n, _ in exact], y=[p for _, p in exact], mode="markers",
                             name="exact (N = 1, 2)", marker=dict(color="#CC79A7", size=14, symbol="circle-open")))
    measured = [e for e in estimates if e.hits > 0]
    fig.add_trace(go.Scatter(
        x=[e.n for e in measured], y=[e.probability for e in measured], mode="markers", name="measured",
        marker=dict(color="#000000", size=9),
        error_y=dict(type="data", array=[2 * e.stderr for e in measured], visible=True)))
    bounded = [e for e in estimates if e.hits == 0]
    if bounded:
        fig.add_trace(go.Scatter(
            x=[e.n for e in bounded], y=[e.upper_95 for e in bounded], mode="markers",
            name="none positive: 95 % upper bound", marker=dict(color="#000000", size=10, symbol="triangle-down-open")))
    fig.update_layout(title="P(all eigenvalues > 0) for a GOE matrix", xaxis_title="matrix size N",
                      yaxis_title="probability (log scale)", height=400,
                      yaxis=dict(type="log", exponentformat="power"),
                      legend=dict(orientation="h", y=-0.25))
    return fig


# =========================================================================== page

st.title("Random landscapes")
st.markdown(
    "Bray & Dean (2007) and Fyodorov & Williams (2007): on a random Gaussian landscape in many "
    "dimensions, **the larger the value of a critical point, the larger its index** (the fraction "
    "of negative Hessian eigenvalues). Critical points with low error are minima; the others are "
    "saddles. Here Newton's method finds critical points of a random field and we compare them "
    "with the theory."
)
st.latex(r"\phi(x) = \sqrt{2N/D}\sum_{k=1}^{D}\cos(w_k\cdot x + b_k),\qquad "
         r"\mathbb E[\phi(x)\phi(y)] = N f\!\left(\frac{|x-y|^2}{2N}\right),\qquad "
         r"f(r) = \mathbb E\,e^{-\kappa r}")

controls = st.columns(4)
with controls[0]:
    dim = st.slider("dimension N", 5, 120, step=1, key=K("dim"))
    seed = st.number_input("seed of the field", 0, 2**31 - 1, step=1, key=K("seed"))
with controls[1]:
    kernel = st.selectbox("covariance kernel", list(KERNELS), key=K("kernel"))
    kappa = KERNELS[kernel]
    if kappa is None:
        text = st.text_input("κ values (comma-separated, each > 0)", key=K("kappas"))
        try:
            kappa = tuple(float(v) for v in text.replace(";", ",").split(",") if v.strip())
            if not kappa or not all(math.isfinite(v) and 0 < v <= 100 for v in kappa) or len(kappa) > 10:
                raise ValueError
        except ValueError:
            st.warning(f"Could not read {text!r} as 1 to 10 numbers in (0, 100]; using κ = 1.")
            kappa = (1.0,)
with controls[2]:
    features_per_dim = st.select_slider("random features D / N", [20, 50, 100, 200], key=K("features_per_dim"))
    n_starts = st.slider("Newton starts", 20, 1000, step=20, key=K("starts"))
with controls[3]:
    half_width = st.slider("start box half-width a", 0.5, 10.0, step=0.5, key=K("half_width"))

features = int(features_per_dim * dim)
cores = os.cpu_count() or 1
estimate = n_starts * features * dim * dim * SECONDS_PER_START_AND_FLOP / cores
if features * dim > 50_000_000:
    st.error(f"D × N = {features} × {dim} is too large (at most 5·10⁷); lower D / N or N.")
    st.stop()
st.caption(
    f"Starts: uniform in the box [−a, a]^N = [−{half_width:g}, {half_width:g}]^{dim}. A start counts "
    f"only if Newton's method (Levenberg–Marquardt safeguarded, at most {NEWTON_MAX_ITER} iterations) "
    "ends with ‖∇φ‖ ≤ 10⁻⁸: stalls in gradient-flat regions are rejected (Frye et al. 2021). "
    "Why this box: at N = 30, D = 3000, κ = 1 (two seeds, 400 starts each) uniform boxes with "
    "a = 2, 3, 5 and Gaussian starts of width 1 and 2 all converged from 53–59 % of the starts, "
    "with the same agreement with the theory (RMS 0.020–0.023); with a = 3 two starts lie about 1.7 "
    "correlation lengths √(2N/κ) apart. "
    f"First run of a setting: roughly {estimate:.0f} s on {cores} cores, then cached."
)

LONG_RUN_SECONDS = 60  # beyond this a survey waits for a click instead of starting at once


def survey_section(dim, features, seed, kappa, half_width, n_starts, estimate) -> None:
    """Run (or fetch from the cache) the survey and draw its figures."""
    settings = (dim, features, seed, kappa, half_width, n_starts)
    confirmed = st.session_state.setdefault(K("confirmed"), [])
    if estimate > LONG_RUN_SECONDS and settings not in confirmed:
        st.warning(f"This survey takes roughly {estimate / 60:.0f} min on this machine the first time "
                   "(afterwards it is cached for every session).")
        if not st.button("Run the survey", key=K("run_long")):
            return
        confirmed.append(settings)
    theory = get_landscape("gaussian_field", dim=dim, features=features, seed=seed,
                           kappa=list(kappa) if len(kappa) > 1 else kappa[0]).extras["theory"]
    result = survey(dim, features, seed, kappa, half_width, n_starts)
    found = len(result["values"])
    check = rm.compare_with_theory(result["values"], result["eigenvalues"], theory)

    cols = st.columns(4)
    cols[0].metric("critical points found", found)
    cols[1].metric("yield (converged / starts)", f"{result['n_converged'] / result['n_starts']:.0%}")
    cols[2].metric("RMS of α − α(ε)", f"{check.rms_index_deviation:.3f}" if found else "–")
    cols[3].metric("minima among them", int(sum(k == "minimum" for k in result["kinds"])))

    if found == 0:
        st.warning("No critical point found from these starts: try more starts or another box half-width a.")
    else:
        show(eps_alpha_figure(check, result["kinds"], theory, dim), key=K("eps_alpha"))
        st.markdown("At a critical point of value density ε the Hessian is a GOE matrix shifted by t(ε):")
        st.latex(r"t(\varepsilon) = \frac{2 f'(0) f''(0)\,\varepsilon}{f(0) f''(0) + f'(0)^2},\qquad "
                 r"R = 2\sqrt{f''(0)},\qquad "
                 r"\alpha(\varepsilon) = \frac12 + \frac{u\sqrt{1-u^2} + \arcsin u}{\pi},\quad u = -\frac{t}{R}")
        st.markdown(
            f"For this kernel f′(0) = {theory.f1:.3g}, f″(0) = {theory.f2:.3g}: t(ε) = {float(theory.shift(1.0)):.3g} ε, "
            f"R = {theory.radius:.3g}, and every critical point below ε_c = {theory.minimum_threshold:.3g} is a "
            "minimum. Such minima are exponentially rarer than saddles, so random starts mostly find saddles "
            "near ε = 0."
        )
        if found >= 3:
            st.subheader("Hessian spectra at low, middle and high ε: the semicircle shifts left as ε grows")
            show(hessian_figure(check, result["eigenvalues"], theory), key=K("spectra"))
        st.caption(
            "Scaling checked on the points above: the Hessian eigenvalues themselves, not rescaled by N, "
            f"fill the semicircle. Mean eigenvalue − t(ε) = {np.mean(check.centre_offset):+.3f} on average; "
            f"their standard deviation is {np.mean(check.spread):.3f} against R/2 = {theory.radius / 2:.3f}. "
            "The predicted curve in each panel is the average of the points' own semicircles, each "
            "normalised to one per eigenvalue. The dip at λ = 0 is real at this N: the density of critical "
            "points carries a factor |det H| (Kac–Rice), which makes eigenvalues near zero rarer."
        )


survey_section(dim, features, int(seed), kappa, float(half_width), n_starts, estimate)

with st.expander("Running a larger survey outside the app"):
    st.markdown(
        "The survey is `optimizers.find_critical_points`, which splits the starts into chunks and runs "
        "them on joblib's thread pool, on every core (the compiled kernels release the GIL). Any joblib "
        "backend moves it to another engine without code changes, for example a Dask cluster:"
    )
    st.code(
        "import joblib, numpy as np, landscapes, optimizers\n"
        "from dask.distributed import Client      # pip install \"dask[distributed]\"\n\n"
        "client = Client(\"tcp://scheduler:8786\")   # or Client() for a local cluster\n"
        "L = landscapes.get(\"gaussian_field\", dim=100, features=10_000, seed=0)\n"
        "starts = np.random.default_rng((0, 1)).uniform(-3, 3, (10_000, L.dim))\n"
        "with joblib.parallel_config(backend=\"dask\"):\n"
        "    search = optimizers.find_critical_points(L, starts)\n",
        language="python",
    )
    st.caption("Each new worker process loads the kernels once before its first chunk (measured with "
               "joblib's process backend: tens of seconds on this machine), then runs as fast as a thread.")

st.header("Random matrices: why minima are rare")
st.markdown(
    "The slides' argument: if each eigenvalue is positive with probability ½, independently, a random "
    "critical point is a minimum with probability 2^(−N). Eigenvalues of random symmetric matrices are "
    "**not** independent: they repel, and the probability that all are positive falls much faster, "
    "like exp(−θN²)."
)
left, right = st.columns(2)
with left:
    goe_n = st.slider("GOE matrix size N", 2, 400, step=1, key=K("goe_n"))
    goe_samples = st.slider("matrices sampled", 1, 100, step=1, key=K("goe_samples"))
    show(goe_figure(goe_spectrum(goe_n, goe_samples), goe_n, goe_samples), key=K("goe"))
with right:
    pos_max_n = st.slider("largest N sampled", 2, 8, step=1, key=K("pos_max_n"))
    pos_samples = st.select_slider("matrices per N", [10_000, 50_000, 200_000, 1_000_000], key=K("pos_samples"))
    show(positivity_figure(positivity(pos_max_n, pos_samples)), key=K("positivity"))
st.caption(
    "GOE: H = σ(A + Aᵀ)/√2 with A_ij ~ N(0, 1), σ = R/(2√N), so the spectrum fills [−R, R] with R = 2. "
    "Exact values: P = ½ at N = 1 and (2 − √2)/4 ≈ 0.146 at N = 2 (not ¼). Error bars: ±2 standard "
    "errors. exp(−θN²) is a large-N law, so at small N it is off by a prefactor."
)
