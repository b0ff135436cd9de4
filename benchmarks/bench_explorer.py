"""Benchmark of the Saddle explorer page (issue 3's performance targets).

    python benchmarks/bench_explorer.py [--repeats 10]

Measures, on this machine:
1. the main figure's JSON size with 5 methods x 300 steps (target < 1 MB), built in-process;
2. a cold server's first figure: from launching `streamlit run app/main.py` to the
   explorer's figure drawn in Chromium (target < 8 s; Numba's on-disk cache is warm);
3. in Chromium, the time from a key press on the lambda_2 slider to the re-rendered path,
   with 5 methods x 300 steps (target < 0.5 s median).

Needs Debian's Chromium and Playwright (as the browser tests do).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-dev-shm-usage"]
FIVE = "gd,sgd,nt,dn,sf"
PLOT = ".st-key-explorer_figure .js-plotly-plot"
PATH_JS = """(name) => {
    const gd = document.querySelector('%s');
    if (!gd || !gd.data) return null;
    const t = gd.data.find(d => d.name === name);
    return t ? JSON.stringify([Array.from(t.x), Array.from(t.y)]) : null;
}""" % PLOT


def figure_sizes() -> dict:
    import plotly.io as pio

    from app.components import figures
    from app.components import scene as sc

    out = {}
    methods = ("gd", "sgd", "newton", "damped_newton", "saddle_free")
    cases = {
        "default hyperparameters": sc.Scene.make("quadratic", methods=methods, steps=300),
        "every run 300 steps (lr 1e-3)": sc.Scene.make(
            "quadratic", methods=methods, steps=300, start=(1.5, 1.5),
            hyper={m: {"lr": 1e-3} for m in methods}),
    }
    for label, scene in cases.items():
        L = scene.build_landscape()
        plane = sc.plane_for(L)
        trajs = sc.compute(scene, L)
        grid = figures.landscape_grid(L, plane)
        ref = sc.reference_point(L, plane.lift(scene.start))
        t0 = time.perf_counter()
        fig = figures.explorer_figure(scene, L, plane, trajs, grid, ref)
        text = pio.to_json(fig.to_dict(), validate=False)
        out[label] = {"bytes": len(text), "frames": len(json.loads(text)["frames"]),
                      "build_and_serialise_s": round(time.perf_counter() - t0, 3),
                      "steps_taken": [t.steps for t in trajs]}
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def _wait_health(url: str, proc, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def _stop(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def browser_timings(repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    result = {}
    with tempfile.TemporaryFile() as log, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(120_000)
        t0 = time.perf_counter()
        proc = _start_server(port, log)
        try:
            _wait_health(url, proc)
            t_health = time.perf_counter() - t0
            page.goto(url + "/explorer", wait_until="domcontentloaded")
            page.wait_for_function(
                "() => { const f = " + PATH_JS + "; return f('Gradient descent path') !== null; }")
            result["cold_server_first_figure_s"] = round(time.perf_counter() - t0, 2)
            result["cold_server_health_s"] = round(t_health, 2)

            t1 = time.perf_counter()
            page.goto(url + f"/explorer?m={FIVE}&n=300", wait_until="domcontentloaded")
            page.wait_for_function(
                "() => { const f = " + PATH_JS + "; return f('Noisy SGD path') !== null; }")
            result["warm_page_load_5x300_s"] = round(time.perf_counter() - t1, 2)
            page.wait_for_timeout(1000)
            slider = page.locator(".st-key-explorer_p_quadratic_l2").get_by_role("slider")
            slider.focus()
            times = []
            for i in range(repeats):
                before = page.evaluate(PATH_JS, "Gradient descent path")
                key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"
                start = time.perf_counter()
                slider.press(key)
                page.wait_for_function(
                    "([b]) => { const f = " + PATH_JS + "; const now = f('Gradient descent path');"
                    " return now !== null && now !== b; }", arg=[before], polling="raf")
                times.append(time.perf_counter() - start)
                # let the run finish completely before the next key press
                page.wait_for_function(
                    "() => document.querySelector('[data-testid=stApp]')"
                    ".getAttribute('data-test-script-state') === 'notRunning'")
                page.wait_for_timeout(300)
            result["slider_to_path_s"] = {
                "median": round(statistics.median(times), 3), "min": round(min(times), 3),
                "max": round(max(times), 3), "n": len(times)}
        finally:
            _stop(proc)
            browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    report = {"figure_json": figure_sizes()}
    if not args.no_browser:
        report["browser"] = browser_timings(args.repeats)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
