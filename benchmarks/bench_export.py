"""Benchmark of app/export/: static PNG through the persistent kaleido server, animated GIF.

    python benchmarks/bench_export.py

Prints the first PNG (browser start included), the median of the next 5 PNGs and a
100-frame GIF of a figure with a 200x200 contour and 5 moving traces, with their ratios to
the targets (PNG after the first < 1 s, GIF < 15 s).  Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
from PIL import Image  # noqa: E402

from app import export  # noqa: E402

PNG_TARGET_S = 1.0
GIF_TARGET_S = 15.0


def bench_figure(n_frames: int = 100, n_traces: int = 5, grid: int = 200) -> go.Figure:
    """A saddle contour (grid x grid) and n_traces paths growing over n_frames frames."""
    x = np.linspace(-2.0, 2.0, grid)
    X, Y = np.meshgrid(x, x)
    t = np.linspace(0.0, 1.0, n_frames)
    paths = []
    for k in range(n_traces):
        angle = 2 * np.pi * k / n_traces
        r = 1.8 * (1 - 0.8 * t)
        paths.append(np.c_[r * np.cos(angle + 3 * t), r * np.sin(angle + 3 * t) * (1 - 0.1 * k)])
    data = [go.Contour(x=x, y=x, z=X**2 - Y**2, colorscale="RdBu", ncontours=20)]
    for k, p in enumerate(paths):
        data.append(go.Scatter(x=p[:1, 0], y=p[:1, 1], mode="lines+markers", name=f"method {k}",
                               line=dict(width=3), marker=dict(size=7)))
    frames = [
        go.Frame(data=[go.Scatter(x=p[: i + 1, 0], y=p[: i + 1, 1]) for p in paths],
                 traces=list(range(1, n_traces + 1)), name=str(i))
        for i in range(n_frames)
    ]
    fig = go.Figure(data=data, frames=frames)
    fig.update_layout(
        xaxis=dict(range=[-2, 2]), yaxis=dict(range=[-2, 2], scaleanchor="x"),
        title="Optimizers near a saddle",
        updatemenus=[dict(type="buttons", buttons=[dict(label="Play", method="animate",
                                                        args=[None])])],
    )
    return fig


def _cpu_seconds() -> float:
    """CPU time of this process and all its descendants (the browser), from /proc."""
    try:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
        tree, todo = set(), [os.getpid()]
        while todo:
            pid = todo.pop()
            tree.add(pid)
            todo += [c for c, (ppid, _) in stats.items() if ppid == pid and c not in tree]
        return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")
    except Exception:  # noqa: BLE001 - not Linux: no CPU figure
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--save", type=Path, default=None, help="also write the GIF here")
    args = parser.parse_args(argv)

    fig = bench_figure(n_frames=args.frames)
    start = time.perf_counter()
    png = export.figure_to_image(fig, "png")
    first = time.perf_counter() - start
    times, cpu = [], []
    for _ in range(args.repeats):
        start, cpu0 = time.perf_counter(), _cpu_seconds()
        png = export.figure_to_image(fig, "png")
        times.append(time.perf_counter() - start)
        cpu.append(_cpu_seconds() - cpu0)
    png_median = statistics.median(times)
    size = Image.open(io.BytesIO(png)).size

    ticks = []
    start, cpu0 = time.perf_counter(), _cpu_seconds()
    gif = export.animation_to_gif(fig, progress=lambda i, n: ticks.append(time.perf_counter()))
    gif_time = time.perf_counter() - start
    gif_cpu = _cpu_seconds() - cpu0
    n_frames = Image.open(io.BytesIO(gif)).n_frames
    if args.save:
        args.save.write_bytes(gif)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end "
          "(timings stretch when other work competes for the CPUs)")
    print(f"first PNG (browser start)      : {first:6.2f} s   ({size[0]}x{size[1]} px)")
    print(f"next {args.repeats} PNGs, median            : {png_median:6.2f} s   "
          f"ratio to target {png_median / PNG_TARGET_S:.2f} (< {PNG_TARGET_S:g} s); "
          f"all: {', '.join(f'{t:.2f}' for t in times)}; "
          f"CPU (Python + browser) {statistics.median(cpu):.2f} s each")
    print(f"{args.frames}-frame GIF (800x600)       : {gif_time:6.2f} s   "
          f"ratio to target {gif_time / GIF_TARGET_S:.2f} (< {GIF_TARGET_S:g} s); "
          f"{n_frames} frames, {len(gif) / 1e6:.2f} MB, "
          f"first frame after {ticks[0] - start:.2f} s, "
          f"then {(ticks[-1] - ticks[0]) / max(1, len(ticks) - 1) * 1000:.0f} ms/frame; "
          f"CPU {gif_cpu:.2f} s")
    ok = png_median < PNG_TARGET_S and gif_time < GIF_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
