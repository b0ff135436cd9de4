"""Saddle explorer: every method animated around a saddle, next to the slides' update rules.

The page reads its controls into a ``Scene`` (app/components/scene.py), mirrors it in the
URL's query parameters, runs the methods (cached) and draws.  The math lives in the library
and in the Streamlit-free components (scene, explorer_panel, figures).
"""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path
from typing import NamedTuple

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # AppTest.from_file on this page alone
    sys.path.insert(0, str(_ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

import optimizers  # noqa: E402
from app.components import cached  # noqa: E402
from app.components import explorer_panel as panel  # noqa: E402
from app.components import figures  # noqa: E402
from app.components import live_plot  # noqa: E402
from app.components import scene as sc  # noqa: E402
from app.components.common import METHOD_COLOURS, get_landscape, method_label  # noqa: E402

PREFIX = "explorer_"
FIGURE_KEY = PREFIX + "figure"


def K(name: str) -> str:
    """Session-state key of one of this page's widgets."""
    return PREFIX + name


def param_key(landscape: str, key: str) -> str:
    return K(f"p_{landscape}_{key}")


def hyper_key(method: str, name: str) -> str:
    return K(f"h_{method}_{name}")


# =========================================================================== state <-> scene


def _widget_value(spec: sc.ParamSpec, value):
    if spec.kind == "floats":
        return ", ".join(sc._fmt(v) for v in value)
    return value


def _write_scene(scene: sc.Scene) -> None:
    """Put a scene into the widgets' session state (before the widgets are drawn)."""
    ss = st.session_state
    ss[K("landscape")] = scene.landscape
    for spec in sc.param_specs(scene.landscape):
        ss[param_key(scene.landscape, spec.key)] = _widget_value(spec, scene.params_dict[spec.key])
    ss[K("x0_s")], ss[K("x0_t")] = float(scene.start[0]), float(scene.start[1])
    ss[K("methods")] = list(scene.methods)
    ss[K("hyper_store")] = {m: scene.hyper_for(m) for m in optimizers.methods()}
    for method in optimizers.methods():
        for name in optimizers.method_info(method).hyper:
            for suffix in ("", "_auto"):
                ss.pop(hyper_key(method, name) + suffix, None)
    ss[K("steps")] = scene.steps
    ss[K("origin")] = scene.origin
    kind, _, rest = scene.directions.partition(":")
    i, j = (int(v) for v in rest.split(","))
    ss[K("dir_kind")], ss[K("dir_i")], ss[K("dir_j")] = kind, i, j
    ss[K("view3d")] = scene.view == "3d"
    ss[K("arrows")] = scene.arrows
    ss[K("fps")] = scene.fps
    ss[K("basins")] = scene.basins


def _init_state() -> list[str]:
    """First run of this page in a session: restore the scene from the link (or from the
    last visit), returning the link's warnings."""
    if K("landscape") in st.session_state:
        return []
    query = st.query_params.to_dict()
    warnings: list[str] = []
    if query:
        scene, warnings = sc.Scene.from_query(query)
    elif K("saved") in st.session_state:
        scene, _ = sc.Scene.from_query(st.session_state[K("saved")])
    else:
        scene = sc.Scene()
    _write_scene(scene)
    return warnings


def _on_landscape_change() -> None:
    """A new landscape starts from its own defaults; methods and their settings stay."""
    ss = st.session_state
    name = ss[K("landscape")]
    store = ss.get(K("hyper_store"), {})
    methods = ss.get(K("methods"), list(sc.DEFAULT_METHODS))
    scene = sc.Scene.make(name, methods=methods, hyper=store, steps=ss.get(K("steps"), 100),
                          view="3d" if ss.get(K("view3d")) else "2d",
                          arrows=ss.get(K("arrows"), True), fps=ss.get(K("fps"), 20),
                          basins=ss.get(K("basins"), False))
    scene, _ = sc.validate(scene, start_text="")
    _write_scene(scene)


def _ensure(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _set_start(s: float, t: float) -> None:
    st.session_state[K("x0_s")], st.session_state[K("x0_t")] = float(s), float(t)


# =========================================================================== controls


class _Widgets:
    """The sidebar's widgets (``draw=True``), or the values they would return, read from the
    session state without drawing anything (``draw=False``).

    The page works out its scene once without drawing, sends the main figure, and only then
    draws the widgets: the figure reaches the browser ahead of them (slider key press to
    drawn path, A/B on one server: 0.55 s against 0.63 s median).  Every widget here has a
    key whose session-state value is set before it is drawn (``_write_scene``, ``_ensure``),
    so both passes see the same values."""

    def __init__(self, draw: bool):
        self.draw = draw

    def columns(self, spec, **kwargs):
        if self.draw:
            return st.columns(spec, **kwargs)
        return [self] * (spec if isinstance(spec, int) else len(spec))

    def expander(self, *args, **kwargs):
        return st.expander(*args, **kwargs) if self.draw else contextlib.nullcontext()

    def box(self, container):
        return container if self.draw else contextlib.nullcontext()

    def __getattr__(self, name: str):
        if self.draw:
            return getattr(st, name)

        def value(*args, key=None, **kwargs):
            return st.session_state.get(key) if key is not None else None

        return value


def _landscape_controls(name: str, ui) -> dict:
    values = {}
    for spec in sc.param_specs(name):
        key = param_key(name, spec.key)
        _ensure(key, _widget_value(spec, spec.default))
        if spec.kind == "floats":
            ui.text_input(spec.label, key=key, help=spec.help)
            values[spec.key] = st.session_state[key]
        elif spec.kind == "int" and spec.hi - spec.lo > 50:
            values[spec.key] = ui.number_input(spec.label, int(spec.lo), int(spec.hi), step=1,
                                               key=key, help=spec.help)
        elif spec.kind == "int":
            values[spec.key] = ui.slider(spec.label, int(spec.lo), int(spec.hi), step=1, key=key,
                                         help=spec.help)
        else:
            values[spec.key] = ui.slider(spec.label, float(spec.lo), float(spec.hi),
                                         step=float(spec.step), key=key, help=spec.help)
    return values


def _parse_params(name: str, raw: dict) -> tuple[dict, list[str]]:
    """Widget values -> scene values; list fields are text and may be malformed."""
    out, warnings = {}, []
    for spec in sc.param_specs(name):
        value = raw.get(spec.key, spec.default)
        if spec.kind == "floats":
            try:
                value = spec.parse(str(value))
            except ValueError as exc:
                warnings.append(f"{spec.key}: {str(value)[:40]!r} {exc}; using the default "
                                f"{spec.format(spec.default)}")
                value = spec.default
        out[spec.key] = value
    return out, warnings


def _hyper_controls(method: str, dim: int, ui) -> dict:
    """Widgets for one method's hyperparameters; returns their values."""
    info = optimizers.method_info(method)
    stored = st.session_state[K("hyper_store")].get(method, sc.hyper_defaults(method))
    values = {}
    for name, h in info.hyper.items():
        key = hyper_key(method, name)
        current = stored.get(name, h.default)
        if name == "lr":
            _ensure(key, float(current))
            first_order = method in ("gd", "sgd")
            values[name] = ui.number_input(
                "learning rate α" if first_order else "step scale α",
                min_value=1e-4, max_value=1000.0, step=0.01 if first_order else 0.1,
                format="%.4g", key=key, help=h.doc)
        elif name == "damping":
            auto = h.allow_auto and current == "auto"
            if h.allow_auto:
                _ensure(key + "_auto", auto)
                auto = ui.checkbox("damping m: auto", key=key + "_auto", help=h.doc)
            _ensure(key, 0.0 if current == "auto" else float(current))
            number = ui.number_input("damping m", min_value=0.0, max_value=1e4, step=0.05,
                                     format="%.4g", key=key, disabled=auto, help=h.doc)
            values[name] = "auto" if auto else number
        elif name == "margin":
            _ensure(key, float(current))
            values[name] = ui.number_input("auto margin", min_value=1e-4, max_value=1e4, step=0.05,
                                           format="%.4g", key=key, help=h.doc)
        elif name == "noise":
            _ensure(key, float(current))
            values[name] = ui.number_input("noise σ", min_value=0.0, max_value=100.0,
                                           step=0.05, format="%.4g", key=key, help=h.doc)
        elif name == "seed":
            _ensure(key, int(current))
            values[name] = int(ui.number_input("noise seed", min_value=0, max_value=2**31 - 1,
                                               step=1, key=key, help=h.doc))
        elif name == "k":
            default_k = min(dim, 20)
            _ensure(key, int(current) if current is not None else default_k)
            if st.session_state[key] > dim:
                st.session_state[key] = default_k
            k = int(ui.number_input("Krylov vectors k", min_value=1, max_value=dim, step=1,
                                    key=key, help=h.doc))
            values[name] = None if k == default_k else k
    st.session_state[K("hyper_store")][method] = stored | values
    return values


class _Sidebar(NamedTuple):
    """The sidebar's containers below the landscape choice, created by every full run of the
    page: the scene fragment writes ``scene`` and ``steps``, the full run the others."""

    scene: object    # landscape parameters, slice, start point
    methods: object  # methods and their hyperparameters
    steps: object    # steps
    view: object     # 3D, arrows, animation speed, basin map


def _scene_controls(ui: _Widgets, sidebar: _Sidebar) -> tuple[dict, list[str]]:
    """The fragment's sidebar widgets; returns their values (and the landscape they make)
    and warnings about them."""
    ss = st.session_state
    warnings: list[str] = []
    name = ss[K("landscape")]
    with ui.box(sidebar.scene):
        raw = _landscape_controls(name, ui)
        params, more = _parse_params(name, raw)
        warnings += more
        base = sc.Scene.make(name, params, start=(0.0, 0.0))
        try:
            L = get_landscape(name, **base.kwargs())
        except ValueError as exc:
            warnings.append(f"landscape parameters: {exc}; using the defaults")
            params = sc.default_params(name)
            base = sc.Scene.make(name, params, start=(0.0, 0.0))
            L = get_landscape(name, **base.kwargs())

        origin, directions = "auto", "e:0,-1"
        if L.dim > 2:
            ui.caption(f"{L.dim} parameters: shown on a 2D slice.")
            options = ["auto", "centre"] + [f"c{i}" for i in range(len(L.critical_points))]
            if ss.get(K("origin")) not in options:
                ss[K("origin")] = "auto"
            origin = ui.selectbox("Slice through", options, key=K("origin"),
                                  format_func=lambda o: _origin_label(L, o))
            kind = ui.selectbox("Slice directions", ["e", "a"], key=K("dir_kind"),
                                format_func=lambda k: {"e": "Hessian eigenvectors v_i, v_j",
                                                       "a": "coordinate axes i, j"}[k])
            for key in (K("dir_i"), K("dir_j")):
                if not -L.dim <= ss.get(key, 0) < L.dim:
                    ss[key] = 0 if key == K("dir_i") else -1
            c1, c2 = ui.columns(2)
            i = c1.number_input("i", -L.dim, L.dim - 1, step=1, key=K("dir_i"),
                                help="index from 0 (ascending eigenvalues); -1 is the last")
            j = c2.number_input("j", -L.dim, L.dim - 1, step=1, key=K("dir_j"))
            directions = f"{kind}:{int(i)},{int(j)}"
            if sc._directions(directions, L.dim) is None:
                warnings.append(f"slice directions {directions}: i and j must differ; "
                                "using e:0,-1")
                directions = "e:0,-1"
        plane = sc.plane_for(L, origin, directions)

        ui.subheader("Start point")
        lo, hi = plane.start_limits()
        for key, a, b in ((K("x0_s"), lo[0], hi[0]), (K("x0_t"), lo[1], hi[1])):
            if key not in ss or not (a <= ss[key] <= b):
                ss[key] = float(np.clip(ss.get(key, 0.0), a, b))
        focus = sc.nearest_saddle(L, plane.lift((ss[K("x0_s")], ss[K("x0_t")])))
        named = sc.presets(L, plane, focus)
        for pkey, label in sc.PRESETS.items():
            ui.button(label, key=K(f"preset_{pkey}"), on_click=_set_start, args=named[pkey],
                      width="stretch", help=f"start {label}: ({named[pkey][0]:.3g}, "
                                            f"{named[pkey][1]:.3g})")
        c1, c2 = ui.columns(2)
        step = plane.half_width / 100
        names = ("s", "t") if plane.is_slice else plane.axis_labels
        s = c1.number_input(names[0], float(lo[0]), float(hi[0]), step=step, format="%.4g",
                            key=K("x0_s"), help=plane.axis_labels[0])
        t = c2.number_input(names[1], float(lo[1]), float(hi[1]), step=step, format="%.4g",
                            key=K("x0_t"), help=plane.axis_labels[1])

    with ui.box(sidebar.steps):
        steps = ui.slider("Steps", 1, sc.MAX_STEPS, key=K("steps"))
    values = dict(name=name, params=params, L=L, origin=origin, directions=directions,
                  start=(float(s), float(t)), steps=int(steps))
    return values, warnings


def _view_controls(ui: _Widgets) -> dict:
    """How the scene is drawn (drawn by full runs only: a change reruns the page)."""
    ui.subheader("View")
    view3d = ui.toggle("3D surface", key=K("view3d"))
    arrows = ui.toggle("Hessian eigenvector arrows", key=K("arrows"), disabled=view3d)
    fps = ui.slider("Animation speed (frames per second)", *sc.FPS_RANGE, key=K("fps"))
    basins = ui.toggle("Basins of attraction map", key=K("basins"),
                       help="runs every method from a grid of starts (a few seconds)")
    return dict(view="3d" if view3d else "2d", arrows=arrows, fps=int(fps), basins=basins)


def _method_controls(ui: _Widgets, L) -> tuple[list[str], dict]:
    """The methods and their hyperparameters (drawn by full runs only)."""
    ss = st.session_state
    ui.subheader("Methods")
    allowed = [m for m in optimizers.methods()
               if not optimizers.method_info(m).needs_metric or L.has_metric]
    ss[K("methods")] = [m for m in ss.get(K("methods"), []) if m in allowed]
    methods = ui.multiselect("Methods", allowed, key=K("methods"), format_func=method_label,
                             help="natural gradient needs a landscape with a metric (the nets)")
    hyper = {}
    for method in methods:
        with ui.expander(f"{method_label(method)}: hyperparameters"):
            hyper[method] = _hyper_controls(method, L.dim, ui)
    store = ss[K("hyper_store")]
    return methods, {m: store.get(m, {}) for m in optimizers.methods()} | hyper


def _scene(sidebar: _Sidebar) -> tuple[sc.Scene, object, list[str]]:
    """The scene the widgets' session state describes (nothing drawn), its landscape, and
    warnings about its values."""
    v, warnings = _scene_controls(_Widgets(draw=False), sidebar)
    v |= _view_controls(_Widgets(draw=False))
    methods, hyper = _method_controls(_Widgets(draw=False), v["L"])
    scene = sc.Scene.make(v["name"], v["params"], v["start"], methods, hyper, v["steps"],
                          v["origin"], v["directions"], v["view"], v["arrows"], v["fps"],
                          v["basins"])
    scene, more = sc.validate(scene, start_text="")
    return scene, v["L"], warnings + more


def landscapes_names() -> list[str]:
    import landscapes

    return landscapes.names()


def _origin_label(L, origin: str) -> str:
    if origin == "auto":
        return "auto: the listed saddle nearest the window centre"
    if origin == "centre":
        return "the window centre"
    cp = L.critical_points[int(origin[1:])]
    return f"critical point {origin[1:]}: {cp.kind.value}" + (f" ({cp.note})" if cp.note else "")


# =========================================================================== drawing


def _update_rule_markdown(scene: sc.Scene, L, ref: sc.Reference) -> tuple[str, list[str]]:
    """The panel as one markdown text (each element costs the browser a little on every
    rerun; the page reruns on every slider change), and the methods it could not show."""
    shown = panel.shown_directions(len(ref.eigenvalues))
    lam_text = ", ".join(f"{ref.eigenvalues[i]:.3g}" for i in shown)
    parts = [f"**θ\\* = {ref.label}**, λᵢ at θ\\*: ({lam_text})"]
    if not ref.listed:
        parts.append(panel.small("This landscape lists no critical point: the factors use "
                                 "the Hessian at the start, where the gradient is not zero."))
    if len(shown) < len(ref.eigenvalues):
        parts.append(panel.small(f"Showing {len(shown)} of {len(ref.eigenvalues)} "
                                 "eigendirections: the most negative and the most positive."))
    failed = []
    for method in scene.methods:
        try:
            mf = panel.method_factors(scene, L, ref, method)
        except ValueError as exc:
            failed.append(f"{method_label(method)}: {exc}")
            continue
        parts.append(panel.method_markdown(mf, shown, METHOD_COLOURS.get(method, "#444")))
    return "\n\n".join(parts), failed


def _export_module():
    try:
        from app import export
    except ImportError as exc:  # pragma: no cover - export ships with the app
        st.info(f"Exports are unavailable: {exc}")
        return None
    return export


def _stem(landscape: str) -> str:
    """The exported files' name without its extension."""
    return f"saddle-{landscape}"


def _white(fig):
    """The figure for a file: validated, with its frames, on white."""
    full = fig.full_figure()
    full.update_layout(paper_bgcolor="white", plot_bgcolor="white")
    return full


def _data_exports(drawn: dict) -> None:
    """The figure as HTML and the runs as CSV and JSON, made when clicked from the scene
    the fragment drew last (``drawn``: the fragment updates it, so these buttons are drawn
    by full runs only and a slider change does not send them again)."""
    export = _export_module()
    if export is None:
        return
    stem = _stem(st.session_state[K("landscape")])
    c1, c2, c3 = st.columns(3)
    c1.download_button("HTML (interactive)", lambda: export.figure_to_html(_white(drawn["fig"])),
                       file_name=f"{stem}.html", mime="text/html", key=K("dl_html"),
                       on_click="ignore", width="stretch")
    c2.download_button("CSV (trajectories)",
                       lambda: export.trajectories_to_csv(drawn["trajectories"], drawn["params"]),
                       file_name=f"{stem}.csv", mime="text/csv", key=K("dl_csv"),
                       on_click="ignore", width="stretch")
    c3.download_button("JSON (trajectories)",
                       lambda: export.trajectories_to_json(drawn["trajectories"], drawn["params"]),
                       file_name=f"{stem}.json", mime="application/json", key=K("dl_json"),
                       on_click="ignore", width="stretch")


def _rendered_exports(scene: sc.Scene, fig) -> None:
    """PNG, SVG, PDF and the GIF, rendered on request (they need a browser); their download
    buttons show while the scene is the one they were rendered from."""
    export = _export_module()
    if export is None:
        return
    ss = st.session_state
    token = tuple(sorted(scene.to_query().items()))
    stem = _stem(scene.landscape)
    c1, c2 = st.columns(2)
    images = ss.get(K("images"))
    if c1.button("Render PNG / SVG / PDF", key=K("render_images"), width="stretch"):
        try:
            with st.spinner("Rendering the figure (the first time starts a browser)..."):
                full = _white(fig)
                images = (token, {fmt: export.figure_to_image(full, fmt) for fmt in ("png", "svg", "pdf")})
            ss[K("images")] = images
        except export.ExportUnavailable as exc:
            st.info(str(exc))
            images = None
    render_gif = c2.button("Render animated GIF", key=K("render_gif"), width="stretch")
    if images and images[0] == token:
        cols = st.columns(3)
        for col, fmt, mime in zip(cols, ("png", "svg", "pdf"),
                                  ("image/png", "image/svg+xml", "application/pdf")):
            col.download_button(f"Download {fmt.upper()}", images[1][fmt], file_name=f"{stem}.{fmt}",
                                mime=mime, key=K(f"dl_{fmt}"), on_click="ignore")

    gif = ss.get(K("gif"))
    if render_gif:
        bar = st.progress(0.0, text="Drawing the GIF frames...")
        try:
            gif_fig = _gif_figure(_white(fig))
            data = export.animation_to_gif(
                gif_fig, fps=scene.fps,
                progress=lambda i, n: bar.progress(i / n, text=f"GIF frame {i} of {n}"))
            gif = (token, data)
            ss[K("gif")] = gif
            bar.empty()
        except export.ExportUnavailable as exc:
            bar.empty()
            st.info(str(exc))
            gif = None
        except ValueError as exc:
            bar.empty()
            st.warning(f"GIF export: {exc}")
            gif = None
    if gif and gif[0] == token:
        st.download_button("Download GIF", gif[1], file_name=f"{stem}.gif", mime="image/gif",
                           key=K("dl_gif"), on_click="ignore")


GIF_MAX_FRAMES = 120


def _gif_figure(fig):
    """At most GIF_MAX_FRAMES frames (every k-th step, the last one kept)."""
    frames = list(fig.frames)
    if len(frames) > GIF_MAX_FRAMES:
        stride = math.ceil(len(frames) / GIF_MAX_FRAMES)
        keep = frames[::stride]
        if keep[-1] is not frames[-1]:
            keep.append(frames[-1])
        fig.frames = keep
    return fig


def _basins(scene: sc.Scene, L) -> None:
    st.subheader("Basins of attraction")
    try:
        from app.components import basin
    except ImportError:
        st.info("The basins-of-attraction map is not part of this build yet.")
        return
    try:
        basin.render_basin_section(L, scene)
    except Exception as exc:  # noqa: BLE001 - a failing section must not take the page down
        st.error(f"The basin map failed: {type(exc).__name__}: {exc}")


# =========================================================================== the page


@st.fragment
def _scene_view(sidebar: _Sidebar, exports):
    """Everything the scene's own widgets change: their part of the sidebar, the figure, the
    update-rule panel, the side plots, the basin map, and the rendered exports (written to
    ``exports``, a container of the page's export section).

    A change of one of these widgets (an eigenvalue slider, the start point, a click on the
    figure) reruns only this fragment: the page's other ~40 elements (the navigation, the
    method widgets) are neither rebuilt nor sent again.  Returns the landscape."""
    ss = st.session_state
    scene, L, warnings = _scene(sidebar)  # the widgets are drawn after the figure
    if not ss.get(K("full_run")) and ss.get(K("methods_drawn_for")) != (L.dim, L.has_metric):
        st.rerun()  # the method widgets outside the fragment depend on both
    for message in ss.pop(K("link_warnings"), []):
        st.warning(f"Link parameter {message}")
    for message in warnings:
        st.warning(message)

    plane = sc.plane_for(L, scene.origin, scene.directions)
    x0 = plane.lift(scene.start)
    try:
        trajectories = cached.trajectories(scene, L)
    except ValueError as exc:
        st.error(f"The methods could not run: {exc}")
        trajectories = []
    ref = sc.reference_point(L, x0)
    grid = cached.grid(scene, L, plane)

    # The main figure is the scene's first element, right after the containers that hold
    # it, with all it needs computed before them: the browser renders every message that
    # arrives before the figure first.  The formula, the side plots and the panel follow.
    clickable = scene.view == "2d"
    fig = figures.explorer_figure(scene, L, plane, trajectories, grid, ref, clickable=clickable)
    main_plot = live_plot.prepare(fig)
    head = st.container()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        live_plot.show_live(main_plot, FIGURE_KEY, on_click=_set_start if clickable else None)
    side_plots = (live_plot.prepare(figures.eps_figure(trajectories, ref)),
                  live_plot.prepare(figures.progress_figure(trajectories, window_values=grid[2]))
                  ) if trajectories else ()
    rule_text, rule_failures = _update_rule_markdown(scene, L, ref)
    with head:
        st.latex(L.formula)
        st.caption(L.description)
    query = scene.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    ss[K("saved")] = query
    with left:
        _scene_controls(_Widgets(draw=True), sidebar)
        if plane.is_slice:
            st.caption(f"A 2D slice of {L.dim} dimensions through {plane.origin_label}: "
                       f"{plane.axis_labels[0]}, {plane.axis_labels[1]}. Paths are projected "
                       "onto it; the contour is f on the slice.")
        elif scene.view == "2d":
            st.caption("Click the contour to start there.")
        if not scene.methods:
            st.info("Choose at least one method in the sidebar.")
        stops = ", ".join(f"{method_label(t.method)}: {t.stop.label} after {t.steps} "
                          f"step{'' if t.steps == 1 else 's'}" for t in trajectories)
        if stops:
            st.caption(f"Runs from ({scene.start[0]:.3g}, {scene.start[1]:.3g}): {stops}.")
    with right:
        st.subheader("Update rule near θ*")
        for message in rule_failures:
            st.warning(message)
        st.markdown(rule_text, unsafe_allow_html=True)

    if side_plots:
        a, b = st.columns(2)
        with a:
            live_plot.show_live(side_plots[0], K("eps_figure"), defer=True)
            st.caption("GD leaves a negative-curvature direction at rate |1 − αλ| per step; "
                       "Newton lands on θ* (|ε| drops to the 1e-16 floor); saddle-free Newton "
                       "doubles ε along negative curvature at once.")
        with b:
            live_plot.show_live(side_plots[1], K("progress_figure"), defer=True)
            st.caption("The value axis stops one landscape range below the window's lowest "
                       "value: runs that escape to −∞ leave it.")

    if scene.basins:
        _basins(scene, L)

    ss.setdefault(K("drawn"), {}).update(fig=fig, trajectories=trajectories,
                                          params=scene.parameters())
    with exports:
        _rendered_exports(scene, fig)
    return L


def main() -> None:
    st.title("Saddle explorer")
    st.caption("Near a critical point θ\\* every method multiplies the distance ε_i along each "
               "Hessian eigenvector v_i by a factor per step (the slides' *Recap*). Change the "
               "eigenvalues and watch which methods escape.")
    ss = st.session_state
    ss[K("link_warnings")] = _init_state()
    with st.sidebar:
        st.header("Explorer controls")
        st.selectbox("Landscape", landscapes_names(), key=K("landscape"),
                     on_change=_on_landscape_change)
        sidebar = _Sidebar(st.container(), st.container(), st.container(), st.container())
    body, exports = st.container(), st.container()
    export_head, rendered = exports.container(), exports.container()  # filled after the figure
    ss[K("full_run")] = True
    try:
        with body:
            L = _scene_view(sidebar, rendered)
    finally:
        ss[K("full_run")] = False
    with export_head:
        st.subheader("Export")
        _data_exports(ss[K("drawn")])
    with sidebar.methods:
        _method_controls(_Widgets(draw=True), L)
    with sidebar.view:
        _view_controls(_Widgets(draw=True))
    ss[K("methods_drawn_for")] = (L.dim, L.has_metric)

main()
