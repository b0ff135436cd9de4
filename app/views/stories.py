"""Stories: guided sequences of explorer scenes, one step at a time.

The page keeps its place in the query parameters (``?story=escaping&step=2``), draws the
current step's scene with the explorer's own figure builder (app/components/figures.py), asks
the step's prediction before drawing anything, and links each scene to the explorer.  The
stories, scenes and the panels' measurements are Streamlit-free data and functions in
app/components/stories.py and app/components/scenes.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # AppTest.from_file on this page alone
    sys.path.insert(0, str(_ROOT))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.errors import StreamlitPageNotFoundError  # noqa: E402

import landscapes  # noqa: E402
from app.components import cached, figures  # noqa: E402
from app.components import scene as sc  # noqa: E402
from app.components import stories as stories_lib  # noqa: E402
from app.components.common import (  # noqa: E402
    KIND_COLOURS, KIND_SYMBOLS, OKABE_ITO, get_landscape, method_label,
)
from app.components.lecture import link_or_label, slide_question  # noqa: E402
from app.components.live_plot import show_live  # noqa: E402
from app.components.presenter import controls  # noqa: E402
from app.components.scenes import describe_changes, landscape_name, outcome_matches  # noqa: E402
from app.components.theme import show  # noqa: E402

PAGES = Path(__file__).resolve().parent
PREFIX = "stories_"
STORIES = stories_lib.STORIES
FIGURE_HEIGHT = 560
MODE_COLOURS = [OKABE_ITO[i] for i in (5, 4, 2, 6)]


def K(name: str) -> str:
    """Session-state key of one of this page's widgets or values."""
    return PREFIX + name


ss = st.session_state

# =========================================================================== state


def _init_state() -> list[str]:
    """First run of the page in a session (or after a visit elsewhere): the place comes from
    the link, else from the last visit, else the first story; returns the link's warnings."""
    if K("story") in ss and ss[K("story")] in STORIES:
        return []
    query = st.query_params.to_dict()
    if "story" in query or "step" in query:
        position = stories_lib.parse_story_query(query)
    elif K("saved") in ss:
        position = stories_lib.StoryPosition(*ss[K("saved")])
    else:
        position = stories_lib.StoryPosition(stories_lib.DEFAULT_STORY, 0)
    ss[K("story")] = position.story
    ss[K("step")] = position.step
    return list(position.warnings)


def _on_story_change() -> None:
    ss[K("step")] = 0


def _go(step: int) -> None:
    n = len(STORIES[ss[K("story")]])
    ss[K("step")] = int(min(max(step, 0), n - 1))


def _reveal(revealed_key: str, answer_key: str, answered_key: str) -> None:
    if ss.get(answer_key) is None:
        return
    ss[answered_key] = ss[answer_key]
    ss[revealed_key] = True


def _ask_again(revealed_key: str, answered_key: str) -> None:
    ss[revealed_key] = False
    ss.pop(answered_key, None)


# =========================================================================== cached work




@st.cache_data(max_entries=4, show_spinner=False)
def _escape_times(eigenvalues: tuple, distances: tuple, lr: float):
    return [stories_lib.gd_escape_times(lam, np.array(distances), lr=lr) for lam in eigenvalues]


@st.cache_data(max_entries=4, show_spinner=False)
def _degenerate_escape(distances: tuple, lr: float):
    d = np.array(distances)
    return [stories_lib.gd_escape_times(-1.0, d, lr=lr), stories_lib.quartic_escape_times(d, lr=lr)]


@st.cache_data(max_entries=8, show_spinner=False)
def _index_survey(kwargs_key: str, _L, n_starts: int):
    # The bar lives inside the cached call: a cache hit replays "draw, then empty".
    bar = st.progress(0.0, text=f"Newton's method from {n_starts} starts...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Newton's method: {done} of {total} starts")

    survey = stories_lib.index_survey(_L, n_starts, progress=progress)
    bar.empty()
    return survey


@st.cache_data(max_entries=4, show_spinner=False)
def _saxe_modes(lr: float, u0: float, steps: int):
    return stories_lib.saxe_modes(lr=lr, u0=u0, steps=steps)


@st.cache_data(max_entries=8, show_spinner=False)
def _basins(kwargs_key: str, _L, grid: int, steps: int):
    from app.components import basin

    bar = st.progress(0.0, text="Running Newton from every start of the grid...")
    maps = {}
    for i, method in enumerate(("newton", "saddle_free")):
        bar.progress(i / 2, text=f"Basins: {method_label(method)} from {grid * grid} starts")
        maps[method] = basin.compute_basin(_L, method, {}, grid=grid, steps=steps)
    bar.empty()
    return maps


# =========================================================================== panels


def escape_times_figure(curves, lr: float, title: str, log_y: bool = False) -> go.Figure:
    fig = go.Figure()
    for i, curve in enumerate(curves):
        colour = OKABE_ITO[(4, 5, 2, 6)[i % 4]]
        fig.add_trace(go.Scatter(x=curve.distances, y=curve.predicted, mode="lines",
                                 line=dict(color=colour, dash="dash", width=2),
                                 name=f"{curve.label}: law", legendgroup=curve.label))
        fig.add_trace(go.Scatter(x=curve.distances, y=curve.measured, mode="markers",
                                 marker=dict(color=colour, size=10, symbol="circle"),
                                 name=f"{curve.label}: measured runs", legendgroup=curve.label))
    fig.update_layout(title=title, height=420, legend=dict(orientation="h", y=-0.25))
    fig.update_xaxes(title_text="distance d of the start from the stable manifold (log scale)",
                     type="log", autorange="reversed", exponentformat="power")
    fig.update_yaxes(title_text="escape time k (steps until |ε₋| ≥ 1)",
                     **({"type": "log", "exponentformat": "power"} if log_y else {}))
    return fig


def panel_escape_times() -> None:
    lr = 0.1
    distances = tuple(float(d) for d in np.logspace(-1, -8, 8))
    curves = _escape_times((-1.0, -0.5, -0.25), distances, lr)
    show(escape_times_figure(curves, lr, "Gradient descent (α = 0.1) leaving the saddle of "
                             "½(2x² + λ₋y²) from (1, d)"), key=K("escape_times"))
    worst = max(float(np.nanmax(np.abs(c.measured - c.predicted) / c.predicted)) for c in curves)
    st.caption(
        "Markers: real runs (optimizers.run). Dashed: the law k ≈ ln(R/d)/(α|λ₋|), R = 1: a "
        "straight line against log d, with slope 1/(α|λ₋|). The exact count "
        "⌈ln(R/d)/ln(1 + α|λ₋|)⌉ matches every run; the continuous-time law is within "
        f"{worst:.0%} (the runs' factor 1 + α|λ₋| is a little below e^(α|λ₋|)).")


def panel_degenerate_escape() -> None:
    lr = 0.1
    distances = (0.3, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005)
    strict, quartic = _degenerate_escape(distances, lr)
    strict = stories_lib.EscapeTimes("strict saddle x² − ½y² (λ₋ = −1)", strict.distances, strict.measured,
                                     strict.predicted, strict.exact)
    show(escape_times_figure([strict, quartic], lr, "Escape time: a strict saddle against x² − y⁴",
                             log_y=True), key=K("degenerate_escape"))
    st.caption(
        "Gradient descent, α = 0.1. Strict saddle: k ≈ ln(1/d)/(α|λ₋|), logarithmic in 1/d. "
        "x² − y⁴: along y, dy/dt = 4y³, so k ≈ (1/d² − 1)/(8α): polynomial. From d = 0.005 the "
        f"strict saddle takes {strict.measured[-1]:.0f} steps, the degenerate one "
        f"{quartic.measured[-1]:,.0f}.")


def panel_index_error(scene: sc.Scene, L, trajectories) -> None:
    n_starts = 200
    survey = _index_survey(repr(sorted(scene.kwargs().items())), L, n_starts)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=survey.theory_eps, y=survey.theory_alpha, mode="lines",
                             line=dict(color="#000000", width=2), name="theory α(ε)"))
    kinds = np.asarray(survey.kinds)
    for kind in ("minimum", "saddle", "maximum", "degenerate"):
        mask = kinds == kind
        if mask.any():
            fig.add_trace(go.Scatter(x=survey.eps[mask], y=survey.alpha[mask], mode="markers",
                                     name=f"{kind} ({int(mask.sum())})",
                                     marker=dict(color=KIND_COLOURS[kind], symbol=KIND_SYMBOLS[kind],
                                                 size=8, opacity=0.8)))
    newton = next((t for t in trajectories if t.method == "newton" and t.stop.is_critical_point), None)
    if newton is not None:
        lam = np.linalg.eigvalsh(L.hess(newton.final))
        _, index, _ = landscapes.classify_eigenvalues(lam)
        fig.add_trace(go.Scatter(x=[newton.values[-1] / L.dim], y=[index / L.dim], mode="markers",
                                 name="where Newton stopped (the scene)",
                                 marker=dict(symbol="star", size=20, color="#E69F00",
                                             line=dict(width=1.5, color="black"))))
    fig.add_vline(x=survey.threshold, line=dict(dash="dot", color="#777777"))
    fig.update_layout(title=f"Critical points of the field (N = {L.dim}) from {survey.n_starts} "
                            "Newton starts", height=460, legend=dict(orientation="h", y=-0.25))
    fig.update_xaxes(title_text="value density ε = φ / N")
    fig.update_yaxes(title_text="index α = (negative eigenvalues) / N", range=[-0.03, 1.03])
    show(fig, key=K("index_error"))
    st.caption(
        f"{len(survey.eps)} distinct critical points; their index deviates from Bray & Dean's "
        f"α(ε) by {survey.rms:.3f} RMS at this small N (0.02 at N = 30). Below ε_c = "
        f"{survey.threshold:.2g} every critical point is a minimum; random starts mostly find "
        "saddles near ε = 0. The same library calls, at larger N, on the Random landscapes page.")


def panel_saxe_modes() -> None:
    lr, u0, steps = 0.01, 1e-3, 1000
    modes = _saxe_modes(lr, u0, steps)
    fig = go.Figure()
    for a, s in enumerate(modes.s):
        colour = MODE_COLOURS[a % len(MODE_COLOURS)]
        fig.add_trace(go.Scatter(x=modes.steps, y=modes.measured[:, a], mode="lines",
                                 line=dict(color=colour, width=3), name=f"u{a + 1} (s = {s:g}): run",
                                 legendgroup=str(a)))
        fig.add_trace(go.Scatter(x=modes.steps, y=modes.theory[:, a], mode="lines",
                                 line=dict(color="#000000", width=1.5, dash="dot"),
                                 name="Saxe's u(t)" if a == 0 else None, showlegend=a == 0,
                                 legendgroup="theory"))
    fig.update_layout(title=f"Two-layer linear network, gradient descent α = {lr:g}, every mode "
                            f"starting at u₀ = {u0:g}", height=420, legend=dict(orientation="h", y=-0.25))
    fig.update_xaxes(title_text="step t")
    fig.update_yaxes(title_text="mode strength u_α = u_αᵀ W₂W₁ v_α")
    show(fig, key=K("saxe_modes"))
    halves = ", ".join(f"{t:.0f}" for t in modes.half_times)
    st.caption(f"Each mode waits on a plateau near the saddle at the origin, then rises in a "
               f"sigmoid to s. Predicted steps to s/2: {halves} (τ/2s · ln[(s − u₀)/u₀]); the "
               "runs follow Saxe's closed form.")


def panel_basins(scene: sc.Scene, L) -> None:
    from app.components import basin

    grid, steps = 100, 100
    maps = _basins(repr(sorted(scene.kwargs().items())), L, grid, steps)
    fig = basin.basin_figure(maps, critical_points=L.critical_points,
                             start=sc.plane_for(L).lift(scene.start))
    show(fig, key=K("basins"))
    st.caption(f"Every start of a {grid} × {grid} grid coloured by where the run ends "
               f"(at most {steps} steps). " + " ".join(f"{method_label(m)}: {maps[m].summary()}."
                                                       for m in maps))


# =========================================================================== page pieces


def _banner(story: stories_lib.Story, k: int, revealed: bool) -> None:
    step = story.steps[k]
    named = step.scene
    n = len(story)
    with st.container(border=True, key=K("banner")):
        # One horizontal row, buttons sized to their labels, at its two ends: columns would
        # cut the labels short in presenter mode's large font.
        with st.container(horizontal=True, horizontal_alignment="distribute",
                          vertical_alignment="center", key=K("navigation")):
            st.button("Previous", key=K("previous"), on_click=_go, args=(k - 1,), disabled=k == 0,
                      icon=":material/arrow_back:", shortcut="Left", help="Previous step (← key)")
            st.button("Next", key=K("next"), on_click=_go, args=(k + 1,), disabled=k == n - 1,
                      icon=":material/arrow_forward:", icon_position="right", shortcut="Right",
                      type="primary",
                      help="Next step (→ key; click the page first if a widget has the focus)")
        st.markdown(f"**{story.title}** · step {k + 1} of {n}: **{step.title}**")
        st.caption(named.slide)
        st.markdown(step.narrative)
        if named.prediction is not None and not revealed:
            st.markdown("**Observe:** predict first: the figure appears after your answer.")
        else:
            st.markdown(f"**Observe:** {step.observe}")


def _contents(story: stories_lib.Story, k: int) -> None:
    with st.expander("Contents", icon=":material/list:"):
        for i, step in enumerate(story.steps):
            marker = "▶ " if i == k else ""
            st.button(f"{marker}{i + 1}. {step.title}", key=K(f"toc_{i}"), on_click=_go, args=(i,),
                      type="tertiary")


def _notice(slug: str, k: int, scene: sc.Scene) -> None:
    """Which controls the step's scene changed, against the scene shown before (the explorer's
    default scene on arrival)."""
    shown = ss.get(K("shown"))
    if shown is None or shown[:2] != (slug, k):
        previous = shown[2] if shown is not None else sc.Scene()
        ss[K("notice")] = describe_changes(previous, scene)
        ss[K("shown")] = (slug, k, scene)
    changes = ss.get(K("notice"), [])
    text = ", ".join(changes) if changes else "no control changed"
    st.info(f"**Scene loaded.** Changed: {text}.", icon=":material/tune:")


def _predict(named, revealed_key: str, answer_key: str, answered_key: str) -> None:
    pred = named.prediction
    with st.container(border=True, key=K("predict")):
        st.markdown(f":material/psychology: **Predict, then reveal.** {pred.question}")
        answer = st.radio("Your prediction", list(range(len(pred.options))), index=None,
                          format_func=lambda i: pred.options[i].text, key=answer_key)
        st.button("Reveal", key=K("reveal"), on_click=_reveal,
                  args=(revealed_key, answer_key, answered_key), disabled=answer is None,
                  icon=":material/visibility:", type="primary")
    st.caption("The figure is drawn once you have answered.")


def _outcome(named, trajectories, plane, revealed_key: str, answered_key: str) -> None:
    pred = named.prediction
    matches = outcome_matches(pred, trajectories, plane)
    answered = ss.get(answered_key)
    run = next((t for t in trajectories if t.method == pred.method), None)
    what = (f"{method_label(pred.method)}: {run.stop.label} after {run.steps} "
            f"step{'' if run.steps == 1 else 's'}") if run else ""
    right = pred.options[pred.correct].text
    if answered is not None and matches[answered]:
        st.success(f"**Right.** {right}. ({what}.) {pred.explanation}", icon=":material/check_circle:")
    else:
        chosen = pred.options[answered].text if answered is not None else "no answer"
        st.warning(f"**Not quite:** you said “{chosen}”. What happens: {right} ({what}). "
                   f"{pred.explanation}", icon=":material/lightbulb:")
    st.button("Ask again", key=K("ask_again"), on_click=_ask_again, args=(revealed_key, answered_key),
              type="tertiary", icon=":material/replay:")


def _explorer_link(named) -> None:
    query = named.scene.to_query()
    try:
        st.page_link(str(PAGES / "explorer.py"), label="Open this scene in the explorer",
                     icon=":material/open_in_new:", query_params=query)
    except StreamlitPageNotFoundError:
        st.markdown("Open this scene in the explorer *(page not available in this run)*")
    st.caption("Link for a slide (append it to the app's address):")
    st.code(named.link, language=None)


def _scene(story: stories_lib.Story, k: int) -> None:
    step = story.steps[k]
    named = step.scene
    scene = named.scene
    pred = named.prediction
    tag = f"{story.slug}_{k}"
    revealed_key, answer_key, answered_key = K(f"revealed_{tag}"), K(f"answer_{tag}"), K(f"answered_{tag}")
    revealed = pred is None or bool(ss.get(revealed_key))

    _banner(story, k, revealed)
    _notice(story.slug, k, scene)

    L = get_landscape(scene.landscape, **scene.kwargs())
    plane = sc.plane_for(L, scene.origin, scene.directions)
    try:
        trajectories = cached.trajectories(scene, L)
    except ValueError as exc:
        st.error(f"The scene's methods could not run: {exc}")
        return

    if not revealed:
        _predict(named, revealed_key, answer_key, answered_key)
        _explorer_link(named)
        return
    if pred is not None:
        _outcome(named, trajectories, plane, revealed_key, answered_key)

    grid = cached.grid(scene, L, plane)
    ref = sc.reference_point(L, plane.lift(scene.start))
    fig = figures.explorer_figure(scene, L, plane, trajectories, grid, ref, clickable=False,
                                  height=FIGURE_HEIGHT)
    show_live(fig, K("figure"))
    stops = "; ".join(f"{method_label(t.method)}: {t.stop.label} after {t.steps} "
                      f"step{'' if t.steps == 1 else 's'}" for t in trajectories)
    st.caption(f"{landscape_name(L.name)}: runs from ({scene.start[0]:.3g}, {scene.start[1]:.3g}). {stops}. "
               "Press ▶ play to animate.")

    for panel in step.panels:
        if panel == "eps":
            show(figures.eps_figure(trajectories, ref), key=K("eps"))
        elif panel == "progress":
            show(figures.progress_figure(trajectories, window_values=grid[2]), key=K("progress"))
        elif panel == "escape_times":
            panel_escape_times()
        elif panel == "degenerate_escape":
            panel_degenerate_escape()
        elif panel == "index_error":
            panel_index_error(scene, L, trajectories)
        elif panel == "saxe_modes":
            panel_saxe_modes()
        elif panel == "basins":
            panel_basins(scene, L)

    _explorer_link(named)
    if step.see_also:
        st.markdown("**Go further:**")
        for file, label in step.see_also:
            link_or_label(PAGES / file, label)


# =========================================================================== the page


def main() -> None:
    link_warnings = _init_state()
    st.title("Stories")
    slugs = list(STORIES)
    with controls("stories"):
        st.selectbox("Story", slugs, key=K("story"), format_func=lambda s: STORIES[s].title,
                     on_change=_on_story_change)
    slug = ss[K("story")]
    story = STORIES[slug]
    k = int(min(max(ss.get(K("step"), 0), 0), len(story) - 1))
    ss[K("step")] = k
    slide_question(story.question)
    for message in link_warnings:
        st.warning(f"Link parameter {message}")
    with controls("stories_contents"):
        _contents(story, k)

    query = stories_lib.story_query(slug, k)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    ss[K("saved")] = (slug, k)

    _scene(story, k)


main()
