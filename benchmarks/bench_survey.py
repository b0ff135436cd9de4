"""Critical-point survey benchmark: ``find_critical_points`` against ``scipy.optimize.root``.

    python benchmarks/bench_survey.py            # N = 30, D = 3000, 400 starts (a few minutes)
    python benchmarks/bench_survey.py --quick    # 100 starts
    python benchmarks/bench_survey.py --backend loky   # the survey on another joblib engine

Target (issue 4): on ``gaussian_field`` at N = 30, D = 3000 from 400 starts, at least 5x less
time per critical point found than ``scipy.optimize.root(L.grad, x0, jac=L.hess)`` on the
same field and starts, measured in the same run; report the yield (points found / starts) of
both; the survey runs on all cores (n_jobs = 1 against the default).

A start counts for either method only when it ends with ||grad phi|| <= 1e-8 (the same test),
and points are counted once (two ends closer than 1e-6 (1 + |x|) are the same point).

(a) ours, default n_jobs (every core), then n_jobs = 1: time, yield, time per point;
(b) scipy's root (MINPACK hybrj) with ``L.grad`` and ``L.hess`` as briefed: note that
    ``L.grad`` evaluates the whole Hessian too (one kernel for f, g and H);
(c) scipy's root with a gradient-only residual (numpy, -c W^T sin(Wx + b)): the fair
    variant, since hybrj calls the residual ~8x as often as the Jacobian;
(d) optionally the survey inside ``joblib.parallel_config(backend=...)``: how a researcher
    moves it to another engine (Dask: ``pip install "dask[distributed]"``, start a
    ``distributed.Client(...)``, then ``backend="dask"``).
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

N, D, HALF_WIDTH, GTOL, MAX_ITER = 30, 3000, 3.0, 1e-8, 50


def field_and_starts(seed: int, n_starts: int):
    """The page's recipe: kappa = 1, starts uniform in [-3, 3]^N."""
    L = landscapes.get("gaussian_field", dim=N, features=D, seed=seed, kappa=1.0)
    starts = np.random.default_rng((seed, 1)).uniform(-HALF_WIDTH, HALF_WIDTH, (n_starts, N))
    return L, starts


def count_unique(ends: list[np.ndarray]) -> int:
    kept: list[np.ndarray] = []
    for x in ends:
        if not any(np.linalg.norm(x - y) <= 1e-6 * (1 + np.linalg.norm(x)) for y in kept):
            kept.append(x)
    return len(kept)


def gradient_only(L):
    """grad phi = -c W^T sin(Wx + b) from the packed parameters, without the Hessian."""
    p = L.packed
    n, d, c = int(p[0]), int(p[1]), p[2]
    w = p[3 : 3 + d * n].reshape(d, n)
    b = p[3 + d * n : 3 + d * n + d]
    return lambda x: -c * (w.T @ np.sin(w @ x + b))


def ours(L, starts, n_jobs=None, backend=None):
    import joblib

    t, cpu = time.perf_counter(), time.process_time()
    if backend is None:
        search = optimizers.find_critical_points(L, starts, gtol=GTOL, max_iter=MAX_ITER, n_jobs=n_jobs)
    else:
        with joblib.parallel_config(backend=backend):
            search = optimizers.find_critical_points(L, starts, gtol=GTOL, max_iter=MAX_ITER, n_jobs=n_jobs)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    return dict(seconds=seconds, cpu=cpu, converged=search.n_converged, points=len(search.points))


def scipy_root(L, starts, residual):
    from scipy.optimize import root

    t, cpu = time.perf_counter(), time.process_time()
    ends, calls = [], [0, 0]
    for x0 in starts:
        result = root(residual, x0, jac=L.hess)
        calls[0] += result.nfev
        calls[1] += result.njev
        if np.all(np.isfinite(result.x)) and np.linalg.norm(L.grad(result.x)) <= GTOL:
            ends.append(result.x)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    return dict(seconds=seconds, cpu=cpu, converged=len(ends), points=count_unique(ends), nfev=calls[0],
                njev=calls[1])


def report(name: str, r: dict, n_starts: int) -> None:
    per_point = r["seconds"] / r["points"] if r["points"] else float("inf")
    extra = f"  ({r['nfev']} residual, {r['njev']} Jacobian calls)" if "nfev" in r else ""
    cpu_per_point = r["cpu"] / r["points"] if r["points"] else float("inf")
    print(f"  {name:<44s} {r['seconds']:7.1f} s wall {r['cpu']:7.1f} s CPU  yield {r['converged']:3d}/{n_starts} = "
          f"{r['converged'] / n_starts:4.0%}  points {r['points']:3d}  {per_point:6.3f} s/point "
          f"({cpu_per_point:6.3f} CPU s/point){extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 starts instead of 400")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default=None, help="also run the survey inside joblib.parallel_config(backend=...)")
    args = parser.parse_args()
    n_starts = 100 if args.quick else 400
    L, starts = field_and_starts(args.seed, n_starts)
    cores = os.cpu_count() or 1
    optimizers.find_critical_points(L, starts[:2], max_iter=2)  # load the compiled kernels
    print(f"gaussian_field N = {N}, D = {D}, kappa = 1, {n_starts} starts uniform in [-{HALF_WIDTH:g}, "
          f"{HALF_WIDTH:g}]^N, seed {args.seed}; {cores} cores; accepted when ||grad|| <= {GTOL:g}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")

    mine = ours(L, starts)
    report(f"find_critical_points (n_jobs = {cores})", mine, n_starts)
    mine1 = ours(L, starts, n_jobs=1)
    report("find_critical_points (n_jobs = 1)", mine1, n_starts)
    briefed = scipy_root(L, starts, L.grad)
    report("scipy root(L.grad, jac=L.hess)", briefed, n_starts)
    fair = scipy_root(L, starts, gradient_only(L))
    report("scipy root(gradient only, jac=L.hess)", fair, n_starts)
    if args.backend:
        other = ours(L, starts, backend=args.backend)
        report(f"find_critical_points, backend={args.backend!r}", other, n_starts)
    print(f"load average after: {os.getloadavg()[0]:.1f}")

    def per_point(r):
        return r["seconds"] / r["points"] if r["points"] else float("inf")

    print()
    print(f"all cores vs one: {mine1['seconds'] / mine['seconds']:.2f}x faster on {cores} cores "
          f"(CPU used {mine['cpu'] / mine['seconds']:.2f} cores on average; wall-clock ratios need an idle machine)")
    for name, r in (("as briefed", briefed), ("gradient-only residual", fair)):
        ratio = per_point(r) / per_point(mine)
        cpu_ratio = (r["cpu"] / r["points"]) / (mine1["cpu"] / mine1["points"])
        print(f"time per point, scipy ({name}) / ours (all cores): {ratio:.1f}x  "
              f"[target >= 5x: {'met' if ratio >= 5 else 'NOT met'}]; one core: {per_point(r) / per_point(mine1):.1f}x; "
              f"CPU time per point, one core each: {cpu_ratio:.1f}x")


if __name__ == "__main__":
    main()
