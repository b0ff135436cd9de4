"""Basin-map benchmark: prints figures and ratios against baselines measured in the same run.

    python benchmarks/bench_basin.py            # full run, ~1 minute on 2 cores
    python benchmarks/bench_basin.py --quick    # smaller baselines

Target (issue 3): 200 x 200 starts x 5 methods (gd, newton, damped_newton, saddle_free,
krylov_saddle_free) x 200 steps in < 3 s, on the quadratic saddle 5x^2 - y^2 and on Himmelblau.

(a) ``compute_basin`` for the five methods with the explorer's hyperparameters (runs stop at
    critical points, escapes and divergence), per landscape;             target < 3 s each
(b) the same with gtol = 0 on Himmelblau (bounded below: no escapes), so that a run stops
    only at the step limit, at an exactly zero gradient or on divergence: the worst case
    this landscape offers (~24 of the 40 million possible steps);       target < 3 s
(c) baselines in the same run: a plain numpy GD vectorised over all 40,000 starts (same
    stop tests), and the per-trajectory ``optimizers.run`` loop (timed on a subsample,
    scaled to the grid);                                                 ratios printed
(d) the figure: ``basin_figure`` build time and JSON size for 5 maps at 200 x 200 and
    300 x 300;                                                           target < 1 MB at 200
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from streamlit.logger import get_logger  # noqa: E402

# Importing the section outside `streamlit run` logs that its cache lives in memory: expected.
get_logger("streamlit.runtime.caching.cache_data_api").setLevel("ERROR")

from app.components.basin import basin_figure, compute_basin, figure_json_size  # noqa: E402
from optimizers.run import ESCAPE_FACTOR  # noqa: E402

GRID = 200
STEPS = 200
METHODS = ("gd", "newton", "damped_newton", "saddle_free", "krylov_saddle_free")
# GD's rate per landscape: 0.1 is the library default (stable on 5x^2 - y^2, whose largest
# eigenvalue is 10); Himmelblau's Hessian reaches ~100 in the window, so 0.01.
GD_RATE = {"quadratic": 0.1, "himmelblau": 0.01}
TARGET_SECONDS = 3.0


def hyper(landscape: str, method: str) -> dict:
    return {"lr": GD_RATE[landscape]} if method == "gd" else {}


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def numpy_gd(L, starts: np.ndarray, lr: float, steps: int, gtol: float) -> tuple[np.ndarray, float]:
    """Vectorised numpy GD over all starts with the library's stop tests (gradient norm and
    escape radius); returns steps taken and the total number of steps evaluated."""
    grad = {
        "quadratic": lambda x: x * np.array([10.0, -2.0]),
        "himmelblau": lambda x: np.column_stack([
            4 * x[:, 0] * (x[:, 0] ** 2 + x[:, 1] - 11) + 2 * (x[:, 0] + x[:, 1] ** 2 - 7),
            2 * (x[:, 0] ** 2 + x[:, 1] - 11) + 4 * x[:, 1] * (x[:, 0] + x[:, 1] ** 2 - 7),
        ]),
    }[L.name]
    lo = np.array([b[0] for b in L.bounds])
    hi = np.array([b[1] for b in L.bounds])
    centre, radius = 0.5 * (lo + hi), ESCAPE_FACTOR * 0.5 * np.linalg.norm(hi - lo)
    x = starts.copy()
    active = np.ones(len(x), dtype=bool)
    taken = np.full(len(x), steps)
    evaluated = 0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            g = grad(x[idx])
            evaluated += idx.size
            done = (np.linalg.norm(g, axis=1) <= gtol) | ~np.isfinite(g).all(axis=1) \
                | (np.linalg.norm(x[idx] - centre, axis=1) > radius)
            taken[idx[done]] = t
            active[idx[done]] = False
            keep = idx[~done]
            x[keep] -= lr * g[~done]
    return taken, evaluated


def grid_starts(L) -> np.ndarray:
    (s0, s1), (t0, t1) = L.bounds
    tt, ss = np.meshgrid(np.linspace(t0, t1, GRID), np.linspace(s0, s1, GRID), indexing="ij")
    return np.column_stack([ss.ravel(), tt.ravel()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller per-trajectory baseline")
    args = parser.parse_args()
    sample = 100 if args.quick else 400

    print(f"basin maps: {GRID} x {GRID} starts x {len(METHODS)} methods x {STEPS} steps; "
          f"{os.cpu_count()} cores, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    quad = landscapes.get("quadratic")  # 5x^2 - y^2
    himmel = landscapes.get("himmelblau")

    t_first, _ = timed(lambda: [compute_basin(quad, m, hyper("quadratic", m), grid=4, steps=2)
                                for m in METHODS])
    print(f"first calls (load the compiled loop from Numba's cache, or compile): {t_first:.2f} s")

    verdicts = []
    print("\n(a) compute_basin, explorer hyperparameters")
    for L in (quad, himmel):
        total = 0.0
        for m in METHODS:
            seconds, bm = timed(lambda: compute_basin(L, m, hyper(L.name, m), grid=GRID, steps=STEPS))
            total += seconds
            print(f"  {L.name:10s} {m:19s} {seconds:6.3f} s  mean steps {bm.steps.mean():6.1f}  "
                  f"{bm.summary()}")
        verdicts.append((f"(a) {L.name}", total))
        print(f"  {L.name:10s} {'total':19s} {total:6.3f} s   target < {TARGET_SECONDS} s: "
              f"{'met' if total < TARGET_SECONDS else 'MISSED'}")

    print("\n(b) Himmelblau with gtol = 0: runs stop only at 200 steps, g = 0 exactly or divergence")
    total = 0.0
    per_method = {}
    for m in METHODS:
        seconds, bm = timed(lambda: compute_basin(himmel, m, hyper("himmelblau", m), grid=GRID,
                                                  steps=STEPS, gtol=0.0))
        per_method[m] = seconds / max(int(bm.steps.sum()), 1)
        total += seconds
        print(f"  {m:19s} {seconds:6.3f} s  steps taken {int(bm.steps.sum()):>9,d}  "
              f"{1e9 * per_method[m]:6.1f} ns/step")
    verdicts.append(("(b) himmelblau, gtol = 0", total))
    print(f"  {'total':19s} {total:6.3f} s   target < {TARGET_SECONDS} s: "
          f"{'met' if total < TARGET_SECONDS else 'MISSED'}")

    print("\n(c) baselines measured now")
    for L in (quad, himmel):
        starts = grid_starts(L)
        lr = GD_RATE[L.name]
        t_np, (taken_np, evaluated) = timed(lambda: numpy_gd(L, starts, lr, STEPS, 1e-6))
        t_lib, bm = timed(lambda: compute_basin(L, "gd", {"lr": lr}, grid=GRID, steps=STEPS))
        agree = float(np.mean(np.abs(taken_np - bm.steps.ravel()) <= 1))
        print(f"  {L.name:10s} GD numpy vectorised {t_np:6.3f} s ({evaluated:,d} gradient rows)  "
              f"compiled {t_lib:6.3f} s   ratio {t_np / t_lib:5.1f}x   "
              f"steps agree (+-1) on {100 * agree:.1f} % of starts")
    rng = np.random.default_rng(0)
    starts = grid_starts(himmel)
    sub = starts[rng.choice(len(starts), sample, replace=False)]
    for m in METHODS:
        h = hyper("himmelblau", m)
        t_loop, _ = timed(lambda: [optimizers.run(himmel, m, x0, steps=STEPS, gtol=0.0, **h) for x0 in sub])
        t_loop *= len(starts) / sample
        t_many, _ = timed(lambda: compute_basin(himmel, m, h, grid=GRID, steps=STEPS, gtol=0.0))
        print(f"  himmelblau {m:19s} per-trajectory optimizers.run loop {t_loop:7.2f} s "
              f"(from {sample} starts)   compute_basin {t_many:6.3f} s   ratio {t_loop / t_many:5.1f}x")

    print("\n(d) the figure, 5 maps")
    for grid in (200, 300):
        maps = {m: compute_basin(himmel, m, hyper("himmelblau", m), grid=grid, steps=STEPS)
                for m in METHODS}
        seconds, fig = timed(lambda: basin_figure(maps, critical_points=himmel.critical_points,
                                                  start=[1.0, 1.0]))
        size = figure_json_size(fig)
        print(f"  {grid} x {grid}: basin_figure {seconds:.3f} s, JSON {size / 1e6:.3f} MB"
              + (f"   target < 1 MB: {'met' if size < 1e6 else 'MISSED'}" if grid == 200 else ""))

    print("\nsummary")
    for name, seconds in verdicts:
        print(f"  {name:32s} {seconds:6.3f} s  ({'met' if seconds < TARGET_SECONDS else 'MISSED'})")


if __name__ == "__main__":
    main()
