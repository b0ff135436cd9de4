"""Benchmark of the Saddle explorer page (issue 3's performance targets).

    python benchmarks/bench_explorer.py [--repeats 15] [--cold 3]

Measures, on this machine:
1. the main figure's JSON size with 5 methods x 300 steps (target < 1 MB), built in-process;
2. a cold server's first figure: from launching `streamlit run app/main.py` to the
   explorer's figure drawn in Chromium, over --cold fresh servers (target < 8 s; Numba's
   on-disk cache is warm);
3. in Chromium, the time from a key press on the lambda_2 slider to the first animation
   frame after Plotly has drawn the new path (its SVG, not just its data), timed inside the
   page, with 5 methods x 300 steps (target < 0.5 s median); every press asks for a new
   lambda_2 (see ``_key``);
4. the baseline of 3, in the same run: the explorer's figure alone under one slider
   (benchmarks/figure_app.py), drawn by the app's live plot and by st.plotly_chart, with the
   key presses alternating between the two, and the ratio of their medians.

The machine is shared: the host's CPU pressure is printed before and after, and the ratio
in 4 is the figure to compare between runs.

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
TRACE_JS = """([plot, name]) => {
    const gd = document.querySelector(plot);
    if (!gd || !gd.data) return null;
    const t = gd.data.find(d => d.name === name);
    return t ? JSON.stringify([Array.from(t.x), Array.from(t.y)]) : null;
}"""
PATH_JS = "(name) => (" + TRACE_JS + ")(['%s', name])" % PLOT


def _median_ms(fn, n: int = 15) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(1000 * statistics.median(times), 1)


def figure_sizes() -> dict:
    """JSON size of the main figure, and its build + serialisation time (as the page does
    it: app/components/live_plot.figure_spec) with the garbage collector as Python starts
    it and with the start-up objects frozen, as the app's warm-up does (gc.freeze)."""
    import gc

    import plotly.graph_objects  # noqa: F401  (loaded before the freeze, as in warm_up)

    from app.components import figures, live_plot
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
        def build():
            return live_plot.figure_spec(
                figures.explorer_figure(scene, L, plane, trajs, grid, ref))

        text = build()
        default_ms = _median_ms(build)
        gc.collect()
        gc.freeze()
        frozen_ms = _median_ms(build)
        gc.unfreeze()
        out[label] = {"bytes": len(text), "frames": len(json.loads(text)["frames"]),
                      "build_and_serialise_ms": {"gc_default": default_ms,
                                                 "gc_frozen": frozen_ms},
                      "steps_taken": [t.steps for t in trajs]}
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log, script: str = "app/main.py") -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
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


def _summary(times: list[float]) -> dict:
    return {"median": round(statistics.median(times), 3), "min": round(min(times), 3),
            "max": round(max(times), 3), "n": len(times)}


# The SVG path that Plotly drew for a trace (not the data it was given: Plotly.react takes
# the data at once and draws it in later tasks).
DRAWN_JS = """([plot, name]) => {
    const gd = document.querySelector(plot);
    const full = gd && gd._fullData && gd._fullData.find(d => d.name === name);
    const line = full && gd.querySelector("g.trace" + full.uid + " path.js-line");
    return line ? line.getAttribute("d") : null;
}"""

_WATCH_JS = """([plot, name]) => {
    // In the page: the keydown's time, and the first animation frame after Plotly has
    // drawn a new path for the trace.
    const drawn = () => (%s)([plot, name]);
    const before = drawn();
    window.__keyAt = null;
    window.__pathAt = null;
    document.addEventListener("keydown", () => { window.__keyAt = performance.now(); },
                              {capture: true, once: true});
    const loop = () => {
        const now = drawn();
        if (now !== null && now !== before) window.__pathAt = performance.now();
        else requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
}""" % DRAWN_JS


def _press(page, slider, plot: str, trace: str, key: str) -> float:
    """Seconds from a key press on ``slider`` to the first animation frame after Plotly has
    drawn a new SVG path for ``trace`` in ``plot``, both timed inside the page (so the test
    driver's own latency is left out); then waits for the run to finish, so that presses do
    not overlap."""
    page.evaluate(_WATCH_JS, [plot, trace])
    slider.press(key)
    page.wait_for_function("() => window.__pathAt !== null && window.__keyAt !== null")
    elapsed = page.evaluate("() => (window.__pathAt - window.__keyAt) / 1000")
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                           ".getAttribute('data-test-script-state') === 'notRunning'")
    page.wait_for_timeout(300)
    return elapsed


def _key(i: int) -> str:
    """The i-th key press on a lambda_2 slider (-1 to start, steps of 0.1): leftwards, so
    that each of the first 35 presses asks for a value not seen before.  (Going back and
    forth would time reruns whose figure the browser already holds: Streamlit sends a
    message the browser has cached as a reference to it, and the runs come from st.cache.)"""
    return "ArrowLeft" if i < 35 else "ArrowRight"


def _cpu_pressure() -> str:
    """The host's CPU pressure (share of time some task waited for a CPU), for context."""
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return "unavailable"


def browser_timings(repeats: int, cold_starts: int) -> dict:
    from playwright.sync_api import sync_playwright

    result = {"cpu_pressure_before": _cpu_pressure()}
    with tempfile.TemporaryFile() as log, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            cold = []
            for _ in range(cold_starts):
                port = _free_port()
                url = f"http://127.0.0.1:{port}"
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(120_000)
                t0 = time.perf_counter()
                proc = _start_server(port, log)
                try:
                    _wait_health(url, proc)
                    page.goto(url + "/explorer", wait_until="domcontentloaded")
                    page.wait_for_function(
                        "() => (" + PATH_JS + ")('Gradient descent path') !== null")
                    cold.append(time.perf_counter() - t0)
                    if len(cold) == cold_starts:  # the last server also serves the slider test
                        t1 = time.perf_counter()
                        page.goto(url + f"/explorer?m={FIVE}&n=300", wait_until="domcontentloaded")
                        page.wait_for_function("() => (" + PATH_JS + ")('Noisy SGD path') !== null")
                        result["warm_page_load_5x300_s"] = round(time.perf_counter() - t1, 2)
                        page.wait_for_timeout(1000)
                        slider = page.locator(".st-key-explorer_p_quadratic_l2").get_by_role("slider")
                        slider.focus()
                        times = [_press(page, slider, PLOT, "Gradient descent path",
                                        _key(i))
                                 for i in range(repeats)]
                        result["explorer_slider_to_path_s"] = _summary(times)
                finally:
                    _stop(proc)
                    page.close()
            result["cold_server_first_figure_s"] = _summary(cold)
            result["same_figure_live_plot_vs_plotly_chart"] = _figure_ab(browser, log, repeats)
        finally:
            browser.close()
    result["cpu_pressure_after"] = _cpu_pressure()
    return result


def _figure_ab(browser, log, repeats: int) -> dict:
    """The explorer's figure alone under one slider (benchmarks/figure_app.py), drawn by the
    live plot and by st.plotly_chart, with key presses alternating between the two: a
    baseline measured in the same run, under the same load."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start_server(port, log, "benchmarks/figure_app.py")
    plot = ".st-key-figure .js-plotly-plot"
    try:
        _wait_health(url, proc)
        pages, sliders = {}, {}
        for draw in ("live", "plotly_chart"):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(f"{url}/?draw={draw}", wait_until="domcontentloaded")
            page.wait_for_function("() => (" + TRACE_JS + ")(['%s', 'Newton path']) !== null"
                                   % plot)
            page.wait_for_timeout(1000)
            pages[draw] = page
            sliders[draw] = page.locator(".st-key-l2").get_by_role("slider")
        times = {draw: [] for draw in pages}
        for i in range(repeats):
            for draw, page in pages.items():
                sliders[draw].focus()
                times[draw].append(_press(page, sliders[draw], plot, "Gradient descent path",
                                          _key(i)))
        for page in pages.values():
            page.close()
    finally:
        _stop(proc)
    live, chart = _summary(times["live"]), _summary(times["plotly_chart"])
    return {"live_plot_s": live, "plotly_chart_s": chart,
            "speed_up_of_the_median": round(chart["median"] / live["median"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--cold", type=int, default=3, help="cold server starts to time")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    report = {"figure_json": figure_sizes()}
    if not args.no_browser:
        report["browser"] = browser_timings(args.repeats, args.cold)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
