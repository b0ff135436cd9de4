"""Export explorer scenes without the UI: ``python -m app.export_cli``.

Builds the same ``Scene`` as the explorer page (app/components/scene.py), runs the methods,
draws the same figure and writes the chosen files::

    python -m app.export_cli --landscape quadratic --params '{"l1": 2, "l2": -1}' \\
        --start 1,0.04 --methods '{"gd": {"lr": 0.1}, "newton": {}, "saddle_free": {}}' \\
        --steps 100 --formats png,gif,csv --out slides/

    python -m app.export_cli --query 'l=two_param_net&m=gd,ng&n=60' --formats html,json

``--query`` takes a link's query string (what the page shows in the address bar); the
other options override it.  ``--list`` prints every landscape's controls and every method's
hyperparameters.  Exit codes: 0 done, 1 an image format needs Chrome/Chromium and none
works, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence
from urllib.parse import parse_qsl

FORMATS = ("png", "svg", "pdf", "html", "gif", "csv", "json")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m app.export_cli",
        description="Export an explorer scene (figure, animation, trajectories) without the UI.")
    p.add_argument("--query", default="", help="a link's query string, e.g. 'l=quadratic&p.l2=1'")
    p.add_argument("--landscape", help="landscape name (see --list)")
    p.add_argument("--params", help="landscape controls as JSON, e.g. '{\"l1\": 2, \"l2\": -1}'")
    p.add_argument("--start", help="start point 's,t' (plane coordinates; x,y in 2D)")
    p.add_argument("--methods", help="methods with hyperparameters as JSON, "
                                     "e.g. '{\"gd\": {\"lr\": 0.1}, \"newton\": {}}'; a list of names also works")
    p.add_argument("--steps", type=int, help="number of steps")
    p.add_argument("--view", choices=("2d", "3d"), help="contour or surface")
    p.add_argument("--formats", default="png,csv,json",
                   help=f"comma-separated, from {','.join(FORMATS)} (default png,csv,json)")
    p.add_argument("--out", default=".", help="output directory (created if missing)")
    p.add_argument("--name", help="file name stem (default saddle-<landscape>)")
    p.add_argument("--width", type=int, default=1200, help="image width in px")
    p.add_argument("--height", type=int, default=800, help="image height in px")
    p.add_argument("--scale", type=float, default=2.0, help="PNG pixel density")
    p.add_argument("--lenient", action="store_true",
                   help="accept bad values with a warning and use defaults (as the page does)")
    p.add_argument("--list", action="store_true", help="list landscapes, controls and methods")
    return p


def _listing() -> str:
    import landscapes
    import optimizers

    from app.components import scene as sc

    lines = ["landscapes and their controls (--params keys):"]
    for name in landscapes.names():
        specs = sc.param_specs(name)
        keys = ", ".join(f"{s.key}={s.format(s.default)} [{s.lo:g}, {s.hi:g}]" for s in specs)
        lines.append(f"  {name}: {keys or '(no parameters)'}")
    lines.append("methods (code) and hyperparameters:")
    for m in optimizers.methods():
        info = optimizers.method_info(m)
        hyper = ", ".join(f"{k}={h.default!r}" for k, h in info.hyper.items())
        lines.append(f"  {m} ({sc.method_code(m)}): {hyper}")
    return "\n".join(lines)


def build_query(args: argparse.Namespace) -> dict[str, str]:
    """The scene's query parameters from the command line (``--query`` first, then the
    other options override it).  Raises ValueError on malformed JSON."""
    from app.components import scene as sc

    query = dict(parse_qsl(args.query.lstrip("?"), keep_blank_values=True))
    if args.landscape:
        if args.landscape != query.get("l"):
            query = {k: v for k, v in query.items() if not k.startswith("p.") and k != "x0"}
        query["l"] = args.landscape
    if args.params:
        params = _json(args.params, "--params")
        if not isinstance(params, dict):
            raise ValueError("--params must be a JSON object of landscape controls")
        for key, value in params.items():
            query[f"p.{key}"] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if args.start:
        query["x0"] = args.start
    if args.methods:
        methods = _json(args.methods, "--methods") if args.methods.lstrip()[:1] in "{[" \
            else args.methods.split(",")
        if isinstance(methods, list):
            methods = {m: {} for m in methods}
        if not isinstance(methods, dict):
            raise ValueError("--methods must be a JSON object {method: {hyper: value}} or a list")
        codes = []
        for method, hyper in methods.items():
            name = sc.method_from_code(str(method))
            code = sc.method_code(name) if name else str(method)
            codes.append(code)
            if not isinstance(hyper, dict):
                raise ValueError(f"--methods: the hyperparameters of {method} must be an object")
            for key, value in hyper.items():
                query[f"{code}.{key}"] = str(value)
        query["m"] = ",".join(codes)
    if args.steps is not None:
        query["n"] = str(args.steps)
    if args.view:
        query["v"] = args.view
    return query


def _json(text: str, option: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{option} is not valid JSON: {exc}") from None


def export_scene(scene, formats: Sequence[str], out: Path, stem: str, *, width: int = 1200,
                 height: int = 800, scale: float = 2.0, progress=None) -> list[Path]:
    """Run the scene and write one file per format; returns the paths written.

    Raises ``app.export.ExportUnavailable`` when an image format needs a browser and none
    works (files of the other formats are still written first).
    """
    from app import export
    from app.components import figures
    from app.components import scene as sc

    L = scene.build_landscape()
    plane = sc.plane_for(L, scene.origin, scene.directions)
    trajectories = sc.compute(scene, L)
    ref = sc.reference_point(L, plane.lift(scene.start))
    fig = figures.explorer_figure(scene, L, plane, trajectories, figures.landscape_grid(L, plane),
                                  ref, clickable=False)
    full = fig.full_figure()
    # the page's look (app.components.theme.style) without importing Streamlit
    full.update_layout(colorway=figures.OKABE_ITO, font=dict(size=13), paper_bgcolor="white",
                       plot_bgcolor="white", margin=dict(l=50, r=20, t=50, b=130))
    params = scene.parameters()
    out.mkdir(parents=True, exist_ok=True)
    written, unavailable = [], None
    for fmt in sorted(formats, key=lambda f: f in ("png", "svg", "pdf", "gif")):
        path = out / f"{stem}.{fmt}"
        try:
            if fmt == "csv":
                data = export.trajectories_to_csv(trajectories, params).encode()
            elif fmt == "json":
                data = export.trajectories_to_json(trajectories, params).encode()
            elif fmt == "html":
                data = export.figure_to_html(full)
            elif fmt == "gif":
                data = export.animation_to_gif(full, fps=scene.fps, progress=progress)
            else:
                data = export.figure_to_image(full, fmt, width=width, height=height, scale=scale)
        except export.ExportUnavailable as exc:
            unavailable = exc
            continue
        path.write_bytes(data)
        written.append(path)
    if unavailable is not None:
        raise unavailable
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring); returns the exit code."""
    args = _parser().parse_args(argv)
    if args.list:
        print(_listing())
        return 0
    from app import export
    from app.components import scene as sc

    formats = [f.strip().lower().lstrip(".") for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        print(f"export_cli: unknown format(s) {bad}; choose from {', '.join(FORMATS)}",
              file=sys.stderr)
        return 2
    try:
        query = build_query(args)
    except ValueError as exc:
        print(f"export_cli: {exc}", file=sys.stderr)
        return 2
    scene, warnings = sc.Scene.from_query(query)
    for message in warnings:
        print(f"export_cli: {'warning: ' if args.lenient else ''}{message}", file=sys.stderr)
    if warnings and not args.lenient:
        print("export_cli: fix the values above (or pass --lenient to use the defaults)",
              file=sys.stderr)
        return 2
    stem = args.name or f"saddle-{scene.landscape}"

    def progress(i, n):
        if i == n or i % 20 == 0:
            print(f"  GIF frame {i}/{n}", file=sys.stderr)

    try:
        written = export_scene(scene, formats, Path(args.out), stem, width=args.width,
                               height=args.height, scale=args.scale, progress=progress)
    except export.ExportUnavailable as exc:
        print(f"export_cli: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"export_cli: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(f"scene link query: {'&'.join(f'{k}={v}' for k, v in scene.to_query().items())}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
