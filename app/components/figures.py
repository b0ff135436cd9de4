"""The explorer's Plotly figures (no Streamlit: the page and the command line draw them).

The main figure holds the contour (or surface) once and animates only the moving traces:
each frame carries, per method, a short trail and the current position
(``frame.traces`` names them, ``redraw=False`` in 2D), which keeps the figure JSON well
under 1 MB for 5 methods x 300 steps.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

import optimizers

from .explorer_panel import eps_magnitudes, shown_directions
from .scene import Plane, Reference, Scene

from .palette import KIND_COLOURS, KIND_SYMBOLS, METHOD_COLOURS, OKABE_ITO  # noqa: F401

# Eigenvector arrows by the sign of λ: dark, so that no method colour is mistaken for them.
NEGATIVE_COLOUR, POSITIVE_COLOUR = "#8B0A1A", "#08306B"

TRAIL = 10          # points of the moving trail behind each method's head
GRID = 121          # contour grid points per axis
SLIDER_TICKS = 60   # most stops of the step slider (see slider_steps)
CONTOUR_LEVELS = 16  # Plotly traces every level on each redraw: 30 cost ~25 ms more
FAR = 50.0          # a path is cut after its first point this many half-windows out
# Pale greys (low) to warm white (high): the method colours stay readable on top.
CONTOUR_COLOURS = [[0.0, "#8f99a8"], [0.5, "#dde2e8"], [1.0, "#fbf7ef"]]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose animation frames are plain dicts.

    Validating 300 frames of 10 traces as ``go.Frame`` objects takes about a second, which
    is the whole budget of a slider change; the frames here are built as the JSON they
    become.  ``to_dict()`` (what Streamlit and ``plotly.io`` serialise) includes them;
    ``full_figure()`` gives an ordinary validated ``go.Figure`` for the exporters.
    """

    def __init__(self, *args, raw_frames=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_frames = list(raw_frames or [])

    @property
    def raw_frames(self) -> list:
        return self._raw_frames

    def to_dict(self):
        d = super().to_dict()
        d["frames"] = self._raw_frames
        return d

    def to_plotly_json(self):
        return self.to_dict()

    def full_figure(self) -> go.Figure:
        """An ordinary ``go.Figure`` with ``go.Frame`` frames (slow: for exports only)."""
        return go.Figure(self.to_dict())


# --------------------------------------------------------------------------- helpers


def landscape_grid(L, plane: Plane, resolution: int = GRID):
    """f on a ``resolution`` x ``resolution`` grid of the plane.

    Returns
    -------
    s : ndarray, shape (resolution,)
    t : ndarray, shape (resolution,)
    z : ndarray, shape (resolution, resolution)
        ``z[j, i] = f(origin + s_i d1 + t_j d2)``.
    """
    s = np.linspace(*plane.s_range, resolution)
    t = np.linspace(*plane.t_range, resolution)
    if plane.is_slice:
        z = L.grid_values(s, t, plane.origin, plane.d1, plane.d2)
    else:
        z = L.grid_values(s, t)
    return s, t, z


def _digits(plane: Plane) -> int:
    """Decimals that resolve a ten-thousandth of the window."""
    return max(0, 4 - int(math.floor(math.log10(max(plane.half_width, 1e-12)))))


def _plain(arr, digits: int) -> list:
    """Rounded plain floats; non-finite entries become None (a gap)."""
    a = np.round(np.asarray(arr, dtype=float), digits)
    out = a.tolist()
    if not np.all(np.isfinite(a)):
        out = [v if math.isfinite(v) else None for v in out]
    return out


def _padded(values: list) -> list:
    """A trail of fewer than TRAIL points, its first point repeated in front up to TRAIL."""
    return [values[0]] * (TRAIL - len(values)) + values if values else values


def visible_path(traj, plane: Plane) -> np.ndarray:
    """Plane coordinates (k, 2) of a trajectory, cut after its first point far outside the
    window (FAR half-windows) or before its first non-finite one."""
    with np.errstate(all="ignore"):
        st = plane.project(traj.xs)
    finite = np.all(np.isfinite(st), axis=1)
    end = len(st) if finite.all() else int(np.argmin(finite))
    st = st[:end]
    centre = np.array([np.mean(plane.s_range), np.mean(plane.t_range)])
    far = np.max(np.abs(st - centre), axis=1) > FAR * plane.half_width if len(st) else np.zeros(0, bool)
    if far.any():
        st = st[: int(np.argmax(far)) + 1]
    return st


def _kind_key(cp) -> tuple[str, str]:
    """(palette key, legend name) of a listed critical point."""
    kind = cp.kind.value
    if kind == "degenerate":
        return "degenerate", "degenerate critical point"
    if cp.degenerate:
        return "degenerate", f"degenerate {kind}"
    return kind, kind


# --------------------------------------------------------------------------- main figure


def explorer_figure(scene: Scene, L, plane: Plane, trajectories, grid, reference: Reference,
                    *, clickable: bool = True, height: int = 720) -> AnimatedFigure:
    """Contour (or surface), critical points, eigenvector arrows and the animated paths.

    Parameters
    ----------
    scene : Scene
    L : Landscape
    plane : Plane
    trajectories : list of optimizers.Trajectory
    grid : tuple (s, t, z)
        From :func:`landscape_grid`.
    reference : Reference
        θ* of the update-rule panel; its eigenvectors are drawn as arrows.
    clickable : bool
        Say in the contour's hover text that a click starts the runs there (the page's
        live plot reports clicks; see app/components/live_plot.py).

    Returns
    -------
    AnimatedFigure
        One frame per step t = 0 .. scene.steps.
    """
    three_d = scene.view == "3d"
    s, t, z = grid
    digits = _digits(plane)
    z32 = np.asarray(z, dtype=np.float32)
    finite_z = z[np.isfinite(z)]
    zlo, zhi = (float(finite_z.min()), float(finite_z.max())) if finite_z.size else (0.0, 1.0)
    zspan = max(zhi - zlo, 1e-12)
    xlab, ylab = plane.axis_labels
    hint = "<br><i>click: start here</i>"

    data: list = []
    if three_d:
        data.append(dict(type="surface", x=s, y=t, z=z32, colorscale=CONTOUR_COLOURS, opacity=0.9,
                               name="f", showscale=False, hoverinfo="skip"))
    else:
        data.append(dict(type="contour", x=s, y=t, z=z32, colorscale=CONTOUR_COLOURS, ncontours=CONTOUR_LEVELS,
                               line=dict(width=0.6, color="rgba(60,60,60,0.45)"), name="f",
                               showscale=True,
                               colorbar=dict(title=dict(text="f"), thickness=10, len=0.8),
                               hovertemplate=f"{xlab} = %{{x:.3g}}<br>{ylab} = %{{y:.3g}}"
                                             "<br>f = %{z:.4g}" + (hint if clickable else "")
                                             + "<extra></extra>"))

    def z_of(values):
        return np.clip(np.asarray(values, float), zlo - zspan, zhi + zspan)

    # critical points, one legend entry per kind
    groups: dict[str, dict] = {}
    for cp in L.critical_points:
        if plane.is_slice and plane.distance(cp.position) > 1e-3 * plane.half_width:
            continue  # off the slice: drawing its projection would mislead
        key, name = _kind_key(cp)
        g = groups.setdefault(name, dict(key=key, pts=[], vals=[], notes=[]))
        g["pts"].append(plane.project(cp.position[None])[0])
        g["vals"].append(cp.value)
        g["notes"].append(cp.note or name)
    for name, g in groups.items():
        pts = np.array(g["pts"])
        common = dict(mode="markers", name=name, legendgroup="critical points",
                      legendgrouptitle=dict(text="critical points"), text=g["notes"],
                      hovertemplate="%{text}<extra>" + name + "</extra>",
                      marker=dict(symbol=KIND_SYMBOLS[g["key"]], color=KIND_COLOURS[g["key"]],
                                  size=13, line=dict(width=2, color=KIND_COLOURS[g["key"]])))
        if three_d:
            data.append(dict(type="scatter3d", x=pts[:, 0], y=pts[:, 1], z=z_of(g["vals"]), **common))
        else:
            data.append(dict(type="scatter", x=pts[:, 0], y=pts[:, 1], cliponaxis=False, **common))

    start = np.array(scene.start, dtype=float)
    start_marker = dict(symbol="circle-open", size=14, color="black", line=dict(width=2.5))
    if three_d:
        z0 = z_of([trajectories[0].values[0]]) if trajectories else [zhi]
        data.append(dict(type="scatter3d", x=start[:1], y=start[1:], z=z0, mode="markers", name="start",
                                 marker=dict(symbol="circle-open", size=6, color="black")))
    else:
        data.append(dict(type="scatter", x=start[:1], y=start[1:], mode="markers", name="start θ₀",
                               marker=start_marker, cliponaxis=False,
                               hovertemplate="start θ₀ = (%{x:.3g}, %{y:.3g})<extra></extra>"))

    # Hessian eigenvectors at θ*, scaled by |λ| and coloured by its sign
    if scene.arrows and not three_d:
        data += _arrows(plane, reference)

    # paths: full path (static), end marker (static); then trail and head (animated)
    colours = [METHOD_COLOURS.get(tr.method, "#444444") for tr in trajectories]
    paths = [visible_path(tr, plane) for tr in trajectories]
    for tr, path, colour in zip(trajectories, paths, colours):
        label = optimizers.method_info(tr.method).label
        if three_d:
            zs = z_of(tr.values[: len(path)])
            data.append(dict(type="scatter3d", x=path[:, 0], y=path[:, 1], z=zs, mode="lines",
                                     line=dict(color=colour, width=3), opacity=0.5,
                                     legendgroup=tr.method, showlegend=False, name=label,
                                     hoverinfo="skip"))
        else:
            data.append(dict(type="scatter", x=_plain(path[:, 0], digits), y=_plain(path[:, 1], digits),
                                   mode="lines", line=dict(color=colour, width=2),
                                   opacity=0.45, legendgroup=tr.method, showlegend=False,
                                   name=f"{label} path",
                                   hovertemplate=f"{label}<br>({xlab}, {ylab}) = "
                                                 "(%{x:.3g}, %{y:.3g})<extra></extra>"))
    for tr, path, colour in zip(trajectories, paths, colours):
        label = optimizers.method_info(tr.method).label
        end = path[-1] if len(path) else np.array([np.nan, np.nan])
        name = f"{label}: {tr.stop.label} ({tr.steps} step{'' if tr.steps == 1 else 's'})"
        marker = dict(symbol="square", size=11, color=colour, line=dict(width=1.5, color="black"))
        hover = f"{name}<br>{tr.stop.description}<extra></extra>"
        if three_d:
            data.append(dict(type="scatter3d", x=[end[0]], y=[end[1]], z=z_of(tr.values[len(path) - 1:len(path)]),
                                     mode="markers", marker=marker, name=name,
                                     legendgroup=tr.method, hovertemplate=hover))
        else:
            data.append(dict(type="scatter", x=_plain(end[:1], digits), y=_plain(end[1:], digits),
                                   mode="markers", marker=marker, name=name,
                                   legendgroup=tr.method, hovertemplate=hover,
                                   cliponaxis=True))

    moving_start = len(data)
    steps = int(scene.steps)
    for tr, path, colour in zip(trajectories, paths, colours):
        label = optimizers.method_info(tr.method).label
        trail = path[max(0, len(path) - TRAIL):]
        head = path[-1:]
        if three_d:
            zt = z_of(tr.values[max(0, len(path) - TRAIL):len(path)])
            data.append(dict(type="scatter3d", x=trail[:, 0], y=trail[:, 1], z=zt, mode="lines",
                                     line=dict(color=colour, width=7), showlegend=False,
                                     legendgroup=tr.method, name=f"{label} trail", hoverinfo="skip"))
            data.append(dict(type="scatter3d", x=head[:, 0], y=head[:, 1], z=zt[-1:], mode="markers",
                                     marker=dict(color=colour, size=6), showlegend=False,
                                     legendgroup=tr.method, name=label, hoverinfo="skip"))
        else:
            # trail and head in one trace: the trail padded to TRAIL points (its first point
            # repeated), so that the head is always the last point, the only one with a
            # marker (one trace a method instead of two, on every redraw and every frame)
            data.append(dict(type="scatter", x=_padded(_plain(trail[:, 0], digits)),
                             y=_padded(_plain(trail[:, 1], digits)), mode="lines+markers",
                             line=dict(color=colour, width=4),
                             marker=dict(color=colour, size=[0] * (TRAIL - 1) + [12],
                                         line=dict(width=1.5, color="white")),
                             showlegend=False, legendgroup=tr.method, name=label,
                             hoverinfo="skip"))
    moving = list(range(moving_start, len(data)))

    frames = _frames(trajectories, paths, steps, digits, three_d, moving, z_of)
    # Traces are plain dicts and validation is off: validating them costs more than the
    # rest of a rerun; the tests validate the same figures through full_figure().
    layout = _layout(scene, plane, steps, three_d, height, (zlo - 0.05 * zspan, zhi + 0.05 * zspan))
    return AnimatedFigure(data=data, layout=layout, raw_frames=frames, _validate=False)


def _arrows(plane: Plane, ref: Reference) -> list:
    """One arrow per eigendirection that lies (mostly) in the plane, length ∝ |λ|."""
    lam, vecs = ref.eigenvalues, ref.eigenvectors
    scale = float(np.max(np.abs(lam))) if lam.size else 0.0
    base = plane.project(ref.position[None])[0]
    out = []
    order = sorted(range(len(lam)), key=lambda i: -abs(lam[i]))
    shown = 0
    for i in order:
        p = plane.project((plane.origin + vecs[:, i])[None])[0]
        if np.linalg.norm(p) < 0.7 or shown >= 4:
            continue
        shown += 1
        length = 0.4 * plane.half_width * (abs(lam[i]) / scale if scale > 0 else 0.0)
        tip = base + length * p
        colour = NEGATIVE_COLOUR if lam[i] < 0 else POSITIVE_COLOUR
        sign = "negative" if lam[i] < 0 else "positive" if lam[i] > 0 else "zero"
        name = f"v{i + 1}: λ = {lam[i]:.3g} ({sign} curvature)"
        out.append(dict(type="scatter", 
            x=[base[0], tip[0]], y=[base[1], tip[1]], mode="lines+markers", name=name,
            line=dict(color=colour, width=3),
            marker=dict(symbol=["circle", "arrow"], size=[1, 16], angleref="previous", color=colour),
            legendgroup="eigenvectors", legendgrouptitle=dict(text="Hessian eigenvectors at θ*"),
            hovertemplate=name + "<extra></extra>", cliponaxis=False,
        ))
    return out


def _frames(trajectories, paths, steps, digits, three_d, moving, z_of) -> list:
    # Round and convert every path once; frames then slice plain lists.
    kind = "scatter3d" if three_d else "scatter"
    plain = []
    for tr, path in zip(trajectories, paths):
        if len(path) == 0:
            path = np.full((1, 2), np.nan)
        zs = z_of(tr.values[: len(path)]).tolist() if three_d else None
        plain.append((_plain(path[:, 0], digits), _plain(path[:, 1], digits), zs))
    frames = []
    for k in range(steps + 1):
        traces = []
        for xs, ys, zs in plain:
            j = min(k, len(xs) - 1)
            lo = max(0, j + 1 - TRAIL)
            if three_d:
                traces += [{"type": kind, "x": xs[lo:j + 1], "y": ys[lo:j + 1],
                            "z": zs[lo:j + 1]},
                           {"type": kind, "x": xs[j:j + 1], "y": ys[j:j + 1],
                            "z": zs[j:j + 1]}]
            else:  # trail and head in one trace (see explorer_figure)
                traces.append({"type": kind, "x": _padded(xs[lo:j + 1]),
                               "y": _padded(ys[lo:j + 1])})
        frames.append({"name": str(k), "data": traces, "traces": moving})
    return frames


def slider_steps(steps: int, most: int = SLIDER_TICKS) -> list[int]:
    """The steps the step slider stops at: every step up to ``most``, else every k-th step
    and the last.  Plotly measures and draws every slider step on each redraw (about 1.3 ms
    each in Chromium), so 300 of them would cost ~0.4 s of every slider change on the page."""
    stride = max(1, math.ceil(steps / most))
    ks = list(range(0, steps + 1, stride))
    if ks[-1] != steps:
        ks.append(steps)
    return ks


def _step_slider(steps: int, redraw: bool) -> dict:
    """The step slider as plain layout JSON; its steps show frames (see ``slider_steps``)."""
    ks = slider_steps(steps)
    return dict(
        active=len(ks) - 1, x=0.2, len=0.8, y=0, yanchor="top", pad=dict(t=45, b=10),
        currentvalue=dict(prefix="step t = ", visible=True, xanchor="right"),
        steps=[dict(method="animate", label=str(k),
                    args=[[str(k)], {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw},
                                     "transition": {"duration": 0}}])
               for k in ks],
    )


def _layout(scene: Scene, plane: Plane, steps: int, three_d: bool, height: int, zrange) -> dict:
    """The explorer figure's layout as plain JSON, for the figure's constructor (Plotly's
    update API would validate it: ~15 ms of every slider change)."""
    redraw = three_d  # 3D traces only move with a full redraw
    duration = int(round(1000 / max(scene.fps, 1)))
    play = dict(label="▶ play", method="animate",
                args=[None, {"frame": {"duration": duration, "redraw": redraw},
                             "fromcurrent": True, "transition": {"duration": 0},
                             "mode": "immediate"}])
    pause = dict(label="❚❚ pause", method="animate",
                 args=[[None], {"frame": {"duration": 0, "redraw": redraw},
                                "transition": {"duration": 0}, "mode": "immediate"}])
    xlab, ylab = plane.axis_labels
    layout = dict(
        height=height,
        sliders=[_step_slider(steps, redraw)],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=0, xanchor="left",
                          yanchor="top", pad=dict(t=62, r=10), showactive=False,
                          buttons=[play, pause])],
        legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom",
                    groupclick="togglegroup"),
        hovermode="closest",
        uirevision=f"{scene.landscape}-{scene.view}",
        margin=dict(b=130, t=30),
    )
    if three_d:
        layout["scene"] = dict(
            xaxis=dict(title=dict(text=xlab), range=list(plane.s_range)),
            yaxis=dict(title=dict(text=ylab), range=list(plane.t_range)),
            zaxis=dict(title=dict(text="f"), range=list(zrange)),
            aspectmode="cube",
        )
    else:
        layout["xaxis"] = dict(title=dict(text=xlab), range=list(plane.s_range),
                               constrain="domain")
        layout["yaxis"] = dict(title=dict(text=ylab), range=list(plane.t_range),
                               scaleanchor="x", scaleratio=1, constrain="domain")
    return layout


# --------------------------------------------------------------------------- panel figures


def eps_figure(trajectories, reference: Reference, height: int = 380) -> go.Figure:
    """|ε_i| (coordinates of θ − θ* in the eigenbasis at θ*) against step, log scale."""
    data = []
    shown = shown_directions(len(reference.eigenvalues), limit=4)
    for tr in trajectories:
        label = optimizers.method_info(tr.method).label
        eps = eps_magnitudes(tr.xs, reference)
        for rank, i in enumerate(shown):
            data.append(dict(
                type="scatter", x=np.arange(len(eps)), y=eps[:, i], mode="lines",
                line=dict(color=METHOD_COLOURS.get(tr.method), dash=DASHES[rank % len(DASHES)], width=2),
                name=f"{label}: |ε{i + 1}| (λ = {reference.eigenvalues[i]:.3g})",
                legendgroup=tr.method,
            ))
    layout = dict(
        height=height, title=dict(text="Distance from θ* along each eigenvector"),
        legend=dict(orientation="h", y=-0.25), margin=dict(b=90),
        xaxis=dict(title=dict(text="step t")),
        yaxis=dict(title=dict(text="|ε_i| = |v_iᵀ(θ_t − θ*)|"), type="log", exponentformat="power"),
    )
    return go.Figure(data=data, layout=layout, _validate=False)


def progress_figure(trajectories, height: int = 320, window_values=None) -> go.Figure:
    """Value f(θ_t) and gradient norm ||∇f(θ_t)|| against step, side by side.

    ``window_values`` (the contour grid's f) limits the value axis to one landscape range
    around the window's values: an escaping run heads to -inf and would flatten every
    other curve.
    """
    data = []
    for tr in trajectories:
        label = optimizers.method_info(tr.method).label
        colour = METHOD_COLOURS.get(tr.method)
        steps = np.arange(len(tr.values))
        with np.errstate(all="ignore"):
            values = np.where(np.isfinite(tr.values), tr.values, np.nan)
            grads = np.where(np.isfinite(tr.grad_norms) & (tr.grad_norms > 0), tr.grad_norms, np.nan)
        data.append(dict(type="scatter", x=steps, y=values, mode="lines", name=label,
                         legendgroup=tr.method, line=dict(color=colour, width=2)))
        data.append(dict(type="scatter", x=steps, y=grads, mode="lines", name=label,
                         legendgroup=tr.method, showlegend=False, line=dict(color=colour, width=2),
                         xaxis="x2", yaxis="y2"))
    value_range = _value_range(trajectories, window_values)
    layout = dict(
        height=height, legend=dict(orientation="h", y=-0.3), margin=dict(b=80),
        xaxis=dict(domain=[0.0, 0.44], title=dict(text="step t")),
        xaxis2=dict(domain=[0.56, 1.0], title=dict(text="step t"), anchor="y2"),
        yaxis=dict(title=dict(text="f"), **({"range": value_range} if value_range else {})),
        yaxis2=dict(title=dict(text="‖∇f‖"), type="log", exponentformat="power", anchor="x2"),
        annotations=[
            dict(text="value f(θ_t)", x=0.22, y=1.0, xref="paper", yref="paper",
                 xanchor="center", yanchor="bottom", showarrow=False),
            dict(text="gradient norm ‖∇f(θ_t)‖", x=0.78, y=1.0, xref="paper", yref="paper",
                 xanchor="center", yanchor="bottom", showarrow=False),
        ],
    )
    return go.Figure(data=data, layout=layout, _validate=False)


def _value_range(trajectories, window_values):
    """[lo, hi] of the value axis, or None (autorange) when nothing needs cutting."""
    if window_values is None:
        return None
    z = np.asarray(window_values, dtype=float)
    z = z[np.isfinite(z)]
    values = np.concatenate([np.asarray(t.values, float) for t in trajectories] or [np.empty(0)])
    values = values[np.isfinite(values)]
    if not z.size or not values.size:
        return None
    span = max(float(z.max() - z.min()), 1e-12)
    lo = max(float(values.min()), float(z.min()) - span)
    hi = min(float(values.max()), float(z.max()) + span)
    if lo == float(values.min()) and hi == float(values.max()):
        return None
    pad = 0.05 * max(hi - lo, 1e-12)
    return [lo - pad, hi + pad]


__all__ = [
    "AnimatedFigure", "KIND_COLOURS", "KIND_SYMBOLS", "METHOD_COLOURS",
    "eps_figure", "explorer_figure", "landscape_grid", "progress_figure", "visible_path",
]
