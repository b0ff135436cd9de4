"""Core library benchmark: prints figures and ratios against baselines measured in the same run.

    python benchmarks/bench_core.py

(a) microseconds per step of every method over a 10,000-step trajectory on a 2D landscape
    through the public ``optimizers.run``, against a plain numpy loop taking the same steps
    (eigh + solve per step; for Krylov saddle-free, numpy Lanczos + eigh + solve);
                                                                       target ratio >= 100x
(b) value + gradient + Hessian of ``gaussian_field`` at dim 100, 10,000 features against the
    bare matrix product of the same shape;                             target within 1.5x
(c) cold compile and warm import + first run of the library in fresh processes; target warm < 1.5 s
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landscapes  # noqa: E402
import optimizers  # noqa: E402

STEPS = 10_000


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# -- (a) -------------------------------------------------------------------------------
def himmelblau_numpy(x):
    u, v = x
    a, b = u * u + v - 11.0, u + v * v - 7.0
    g = np.array([4 * u * a + 2 * b, 2 * a + 4 * v * b])
    h = np.array([[4 * a + 8 * u * u + 2, 4 * (u + v)], [4 * (u + v), 2 + 4 * b + 8 * v * v]])
    return a * a + b * b, g, h


def numpy_loop(method, x0, steps, lr, damping):
    """The same spectral steps written as one would in numpy: eigh and a solve per step."""
    x = np.array(x0, dtype=float)
    noise = 0.1 * np.random.default_rng(0).standard_normal((steps, 2)) if method == "sgd" else None
    for t in range(steps):
        f, g, h = himmelblau_numpy(x)
        lam, vecs = np.linalg.eigh(h)
        if method == "gd":
            step = -lr * g
        elif method == "sgd":
            step = -lr * (g + noise[t])
        elif method == "newton":
            step = -lr * np.linalg.solve(h, g)
        elif method == "damped_newton":
            step = -lr * np.linalg.solve(h + damping * np.eye(2), g)
        elif method == "saddle_free":
            abs_h = (vecs * (np.abs(lam) + damping)) @ vecs.T
            step = -lr * np.linalg.solve(abs_h, g)
        else:  # Krylov saddle-free: the same algorithm, Lanczos in numpy, then |T| + m
            basis = optimizers.lanczos(lambda v: h @ v, g, 2)
            theta, s = np.linalg.eigh(basis.tridiagonal)
            abs_t = (s * (np.abs(theta) + damping)) @ s.T
            step = -lr * basis.basis @ np.linalg.solve(abs_t, basis.basis.T @ g)
        x = x + step
    return x


def bench_steps():
    L = landscapes.get("himmelblau")
    x0 = [0.2, 0.3]
    print(f"(a) {STEPS}-step trajectories on himmelblau, microseconds per step")
    print(f"    {'method':22s} {'run()':>9s} {'numpy':>9s} {'ratio':>8s}  steps taken")
    ratios = []
    for method in optimizers.methods():
        if method == "natural_gradient":
            continue
        hyper = dict(lr=0.001) if method in ("gd", "sgd") else dict(lr=0.05, damping=5.0)
        if method == "newton":
            hyper = dict(lr=0.05)
        if method == "sgd":
            hyper["noise"] = 0.1
        if method == "krylov_saddle_free":
            hyper["k"] = 2
        optimizers.run(L, method, x0, steps=10, gtol=0.0, **hyper)  # load compiled code
        T = optimizers.run(L, method, x0, steps=STEPS, gtol=0.0, **hyper)
        t_run = best_of(lambda: optimizers.run(L, method, x0, steps=STEPS, gtol=0.0, **hyper), 3)
        n = max(T.steps, 1)
        t_np = best_of(lambda: numpy_loop(method, x0, n, hyper["lr"], hyper.get("damping", 0.0)), 1)
        ratio = t_np / t_run
        ratios.append(ratio)
        print(f"    {method:22s} {1e6 * t_run / n:9.3f} {1e6 * t_np / n:9.2f} {ratio:7.0f}x  {n}")
    L2 = landscapes.get("two_param_net")
    optimizers.run(L2, "natural_gradient", [0.5, 0.4], steps=10, gtol=0.0, lr=0.01, damping=0.1)
    t = best_of(lambda: optimizers.run(L2, "natural_gradient", [0.5, 0.4], steps=STEPS, gtol=0.0, lr=0.01, damping=0.1), 3)
    print(f"    {'natural_gradient*':22s} {1e6 * t / STEPS:9.3f}   (* on two_param_net: himmelblau has no metric)")
    print(f"    smallest ratio {min(ratios):.0f}x (target >= 100x)")


# -- (b) -------------------------------------------------------------------------------
def bench_field():
    n, d = 100, 10_000
    L = landscapes.get("gaussian_field", dim=n, features=d, seed=0)
    x = np.random.default_rng(0).standard_normal(n)
    L.value_grad_hess(x)
    g = np.empty(n)
    h = np.empty((n, n))
    vgh, packed = L.kernels.vgh, L.packed
    t_kernel = best_of(lambda: vgh(x, packed, g, h), 20)
    rng = np.random.default_rng(1)
    # The Hessian is W^T diag(cos) W: a product of two different (D, N) operands.  numpy turns
    # the literal ``w.T @ w`` into a half-cost SYRK, so that is timed too, for reference.
    a, b = rng.standard_normal((d, n)), rng.standard_normal((d, n))
    t_gemm = best_of(lambda: a.T @ b, 20)
    t_syrk = best_of(lambda: a.T @ a, 20)
    print(f"(b) gaussian_field dim={n}, features={d}: value+grad+Hessian {1e3 * t_kernel:.2f} ms; "
          f"bare A^T B of the same shape {1e3 * t_gemm:.2f} ms, ratio {t_kernel / t_gemm:.2f} "
          f"(target <= 1.5); A^T A (SYRK) {1e3 * t_syrk:.2f} ms")


# -- (c) -------------------------------------------------------------------------------
SNIPPET = (
    "import time; t = time.perf_counter(); import landscapes, optimizers; "
    "optimizers.run(landscapes.get('quadratic'), 'saddle_free', [1.0, 0.1], steps=10); "
    "optimizers.run(landscapes.get('two_param_net'), 'natural_gradient', [1.0, 0.1], steps=10); "
    "print(time.perf_counter() - t)"
)


def fresh_process(cache_dir: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", SNIPPET], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_start():
    with tempfile.TemporaryDirectory() as cache:
        cold = fresh_process(cache)
        warm = min(fresh_process(cache) for _ in range(3))
    print(f"(c) fresh process, import + first runs: cold cache {cold:.1f} s, warm cache {warm:.2f} s "
          f"(target warm < 1.5 s)")


if __name__ == "__main__":
    bench_steps()
    bench_field()
    bench_start()
