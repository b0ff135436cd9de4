"""One Krylov saddle-free step at 10,000 parameters from Hessian-vector products only.

    python benchmarks/bench_krylov.py            # k = 20 and 50, a few steps each (~1 minute)
    python benchmarks/bench_krylov.py --quick    # k = 20 only

Target (issue 4): one ``krylov_saddle_free_step`` (Dauphin et al. Algorithm 1) on a deep linear
network with ~10,000 parameters, no dense Hessian: time per step and memory.

The network: depth 4, widths [50] * 5 (4 x 50 x 50 = 10,000 weights), Saxe data with
s = (3, 2, 1, 0.5), started at small random weights (the plateau).  Printed: time per step
(median of a few), Hessian-vector products per step, the peak of memory allocated during a
step (tracemalloc, which sees numpy's buffers), next to the 800 MB a dense 10,000 x 10,000
float64 Hessian would take; also a check that the matrix-free Hessian-vector product matches
a central difference of the gradient, and that the step lowers the loss.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landscapes  # noqa: E402
import optimizers  # noqa: E402


class CountingLandscape:
    """The landscape with its Hessian-vector products counted (everything else passed on)."""

    def __init__(self, L):
        self._L = L
        self.hvps = 0

    def __getattr__(self, name):
        return getattr(self._L, name)

    def hvp(self, x, v):
        self.hvps += 1
        return self._L.hvp(x, v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    t = time.perf_counter()
    L = landscapes.get("linear_net", depth=4, widths=[50] * 5, seed=0)
    print(f"linear_net depth 4, widths [50]*5: n = {L.dim} parameters (built in {time.perf_counter() - t:.1f} s); "
          f"load average {os.getloadavg()[0]:.1f}")
    rng = np.random.default_rng(0)
    x = 0.05 * rng.standard_normal(L.dim)
    grad = L.extras["grad"]

    # The matrix-free product against a central difference of the (exact) gradient.
    v = rng.standard_normal(L.dim)
    v /= np.linalg.norm(v)
    h = 1e-5
    fd = (grad(x + h * v) - grad(x - h * v)) / (2 * h)
    hv = L.hvp(x, v)
    print(f"hvp vs central difference of the gradient: relative error {np.linalg.norm(hv - fd) / np.linalg.norm(fd):.1e}")
    t = time.perf_counter()
    for _ in range(20):
        L.hvp(x, v)
    hvp_ms = (time.perf_counter() - t) / 20 * 1e3
    print(f"one Hessian-vector product: {hvp_ms:.2f} ms")

    dense_bytes = L.dim * L.dim * 8
    print(f"a dense Hessian would need {dense_bytes / 1e6:.0f} MB (n^2 float64), its eigh ~n^3 = {L.dim**3:.0e} flops")
    ks = (20,) if args.quick else (20, 50)
    f0 = L.value(x)
    for k in ks:
        counting = CountingLandscape(L)
        times = []
        for _ in range(args.repeats):
            counting.hvps = 0
            t = time.perf_counter()
            step = optimizers.krylov_saddle_free_step(counting, x, k=k, damping="auto")
            times.append(time.perf_counter() - t)
        tracemalloc.start()
        optimizers.krylov_saddle_free_step(L, x, k=k, damping="auto")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        f1 = L.value(x + step.step)
        print(f"k = {k:3d}: {np.median(times) * 1e3:7.1f} ms per step (median of {args.repeats}), "
              f"{counting.hvps} Hessian-vector products, peak allocated {peak / 1e6:.1f} MB "
              f"({dense_bytes / peak:.0f}x less than the dense Hessian); damping m = {step.damping:.3g}; "
              f"loss {f0:.4f} -> {f1:.4f}")


if __name__ == "__main__":
    main()
