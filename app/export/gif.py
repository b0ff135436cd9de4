"""Animated GIF of a Plotly animation: one rendered background, moving traces drawn by Pillow.

The static part of the figure (contours, legend, axes) is rendered once through kaleido, a
calibration render measures where data coordinates land in pixels (``calibration``), and
every frame's moving scatter traces are drawn onto a copy of the background (``drawing``)
with one palette for all frames (``palette``).  100 frames take a few seconds instead of a
minute.  Animations this cannot draw faithfully are rendered frame by frame instead.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterator

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageChops, ImageDraw

from app.export.calibration import SUPERSAMPLE, calibration_dict, fix_ranges, measure
from app.export.drawing import Style, draw_scatter, parse_color
from app.export.figure import as_figure, check_range, static_dict
from app.export.frames import (FAST_TRACE_TYPES, NeedsFullRender, axis_pair, frame_states,
                               trace_xy)
from app.export.palette import Indexer, build_palette
from app.export.static import render


def _render_png(fig_dict: dict, width: int, height: int, scale: float) -> Image.Image:
    data = render(fig_dict, "png", width, height, scale, what="GIF")
    return Image.open(io.BytesIO(data)).convert("RGB")


def _background(fig: go.Figure, moving: list[int], states: list[dict[int, dict]],
                pairs: list[tuple[str, str]]) -> tuple[dict, dict]:
    """The figure dict without the moving traces' points, and the axis ranges it fixes."""
    background = static_dict(fig)
    axis_keys = sorted({(xk, "x") for xk, _ in pairs} | {(yk, "y") for _, yk in pairs})
    ranges = fix_ranges(fig, background["layout"], axis_keys, states)
    for i in moving:
        trace = background["data"][i]
        for key in ("text", "hovertext", "customdata", "x0", "y0", "dx", "dy"):
            trace.pop(key, None)
        # one missing point, not no points: plotly hides empty traces from the legend;
        # keep the legend symbol of the default mode, which depends on the point count
        if trace.get("type", "scatter") in FAST_TRACE_TYPES and not trace.get("mode"):
            n_points = len(trace_xy(fig.data[i].to_plotly_json())[0])
            trace["mode"] = "lines+markers" if n_points < 20 else "lines"
        trace["x"], trace["y"] = [None], [None]
    return background, ranges


def _exact_colors(moving: list[int], states: list[dict[int, dict]],
                  style: Style) -> list[tuple[int, int, int]]:
    """Colours the palette must hold exactly: the moving traces' opaque line and marker
    colours in the first and last frames, and their colorway colours."""
    exact = []
    for i in moving:
        for st in (states[0][i], states[-1][i]):
            for c in ((st.get("line") or {}).get("color"), (st.get("marker") or {}).get("color")):
                if isinstance(c, str) and (p := parse_color(c)) is not None and p[3] == 1:
                    exact.append(p[:3])
        if (p := parse_color(style.default_color(i))) is not None:
            exact.append(p[:3])
    return exact


def _fast_gif_frames(fig: go.Figure, moving: list[int], states: list[dict[int, dict]],
                     width: int, height: int) -> Iterator[Image.Image]:
    """GIF frames (one palette) drawn with Pillow onto one rendered background.

    Raises NeedsFullRender, before the first frame, when the animation cannot be drawn.
    """
    for frame in states:
        for state in frame.values():
            if (state.get("type") or "scatter") not in FAST_TRACE_TYPES:
                raise NeedsFullRender("a moving trace is not a scatter trace")
            trace_xy(state)  # numeric coordinates, or NeedsFullRender now rather than mid-GIF
    style = Style(fig)
    pairs = sorted({axis_pair(st) for frame in states for st in frame.values()})
    background, ranges = _background(fig, moving, states, pairs)
    calib, probes = calibration_dict(background, pairs, ranges)
    s = SUPERSAMPLE
    geometry = measure(_render_png(calib, width, height, s), probes, ranges)
    big = _render_png(background, width, height, s)
    if big.size != (width * s, height * s):
        raise NeedsFullRender("unexpected background size")
    small = big.reduce(s)

    groups: dict[tuple, list[int]] = {}  # plot-area pixel box -> moving traces drawn in it
    for i in moving:
        groups.setdefault(geometry[axis_pair(states[0][i])][2], []).append(i)

    def compose(frame: dict[int, dict]) -> list[tuple[tuple[int, int], Image.Image]]:
        """Per plot area: (top-left in output pixels, RGB patch with the moving traces)."""
        patches = []
        for box, indices in groups.items():
            sub = big.crop(box)
            draw = ImageDraw.Draw(sub, "RGBA")
            for i in indices:
                xmap, ymap, _ = geometry[axis_pair(frame[i])]
                draw_scatter(draw, frame[i], style.default_color(i), style, xmap, ymap,
                             (box[0], box[1]), sub.size)
            patches.append(((box[0] // s, box[1] // s), sub.reduce(s)))
        return patches

    # one palette for all frames (no flicker): background, the last frame, the trace colours
    last = small.copy()
    for corner, patch in compose(states[-1]):
        last.paste(patch, corner)
    sample = Image.new("RGB", (small.width * 2, small.height))
    sample.paste(small, (0, 0))
    sample.paste(last, (small.width, 0))
    indexer = Indexer(build_palette(sample, _exact_colors(moving, states, style)))
    background_index = indexer.indices(np.asarray(small))
    background_patches = {box: small.crop(tuple(v // s for v in box)) for box in groups}

    def frames() -> Iterator[Image.Image]:
        # only the pixels the drawing changed need a palette look-up
        for frame in states:
            index = background_index.copy()
            for box, ((left, top), patch) in zip(groups, compose(frame)):
                r, g, b = ImageChops.difference(patch, background_patches[box]).split()
                changed = np.asarray(ImageChops.lighter(ImageChops.lighter(r, g), b)) != 0
                if changed.any():
                    region = index[top:top + patch.height, left:left + patch.width]
                    region[changed] = indexer.indices(np.asarray(patch)[changed])
            yield indexer.image(index)

    return frames()


def _full_render_frames(fig: go.Figure, moving: list[int], states: list[dict[int, dict]],
                        width: int, height: int) -> Iterator[Image.Image]:
    """Slow but faithful: render every frame through kaleido (~0.5 s a frame)."""
    base = static_dict(fig)
    for frame in states:
        d = copy.copy(base)
        d["data"] = list(base["data"])
        for i in moving:
            d["data"][i] = frame[i]
        yield _render_png(d, width, height, 1)


def animation_to_gif(
    fig: go.Figure,
    *,
    fps: float = 10,
    width: int = 800,
    height: int = 600,
    progress: Callable[[int, int], object] | None = None,
) -> bytes:
    """An animated GIF of a Plotly animation, one GIF frame per figure frame.

    The static part of the figure is rendered once through kaleido; the moving scatter
    traces of every frame (those named by ``frame.traces``) are drawn with Pillow, with
    their lines, markers, colours, widths, dashes and opacity.  Axes of moving traces get
    an explicit range (the given one, else the extent of the data over all frames).  When
    that is impossible (a moving trace that is not a scatter, date or category axes) every
    frame is rendered through kaleido instead, which is correct but ~0.5 s a frame.

    Not drawn: text labels of moving traces, fills, frame layout changes (e.g. a title
    that counts steps), moving traces always drawn above the static ones.  Consecutive
    identical frames are merged by the GIF encoder (their durations add up).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure with ``frames`` (a figure dict is accepted too).
    fps : float
        Frames per second.  GIF delays are in 1/100 s and viewers slow delays under 20 ms
        down to 100 ms, so above 50 fps the GIF plays at 50 fps.
    width, height : int
        GIF size in pixels.
    progress : callable, optional
        ``progress(i, n)`` after frame i of n (1-based) is done.

    Returns
    -------
    bytes
        The GIF (loops forever).

    Raises
    ------
    ValueError
        The figure has no frames, or a bad parameter.
    ExportUnavailable
        No Chrome/Chromium can be found, or kaleido failed.
    """
    fig = as_figure(fig)
    if not fig.frames:
        raise ValueError("the figure has no frames: there is no animation to export")
    check_range("fps", fps, 0.01, 1000)
    check_range("width", width, 16, 4096)
    check_range("height", height, 16, 4096)
    width, height = int(width), int(height)
    moving, states = frame_states(fig)
    n = len(states)
    try:
        frames = _fast_gif_frames(fig, moving, states, width, height)
    except NeedsFullRender:
        frames = _full_render_frames(fig, moving, states, width, height)

    def reported(images: Iterator[Image.Image]) -> Iterator[Image.Image]:
        for i, image in enumerate(images, start=1):
            yield image
            if progress is not None:
                progress(i, n)

    stream = reported(frames)
    first = next(stream)
    buffer = io.BytesIO()
    first.save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=stream,
        duration=max(20, int(round(1000 / fps))),
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()
