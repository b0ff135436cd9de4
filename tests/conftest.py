"""Shared pytest fixtures: thread settings, Chromium discovery, a Streamlit server, Playwright.

Browser tests (mark them ``@pytest.mark.browser``)::

    import pytest
    from conftest import wait_for_app, rerun

    pytestmark = pytest.mark.browser

    def test_slider(open_app):
        page = open_app()                       # new page on the app root, first run finished
        slider = page.get_by_test_id("stSlider").first.get_by_role("slider")
        rerun(page, lambda: slider.press("ArrowRight"))   # waits for the rerun it triggers
        assert page.console_errors == []

``page.console_errors`` lists console errors and uncaught page errors (as strings).
"""

from __future__ import annotations

import os

# numpy's OpenBLAS would use 2 threads for tiny matrices (15 ms vs 0.3 ms for a 50x50 eigh).
# Set before numpy is imported anywhere; the Streamlit server subprocess inherits it.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_SCRIPT = "app/main.py"
SERVER_START_TIMEOUT = 90.0  # seconds
APP_TIMEOUT_MS = 60_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# --------------------------------------------------------------------------- Chromium


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_path() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else `chromium` on PATH, else None."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def require_chromium() -> str:
    """Return Chromium's path; without it, fail in CI and skip elsewhere."""
    path = chromium_path()
    if path is None:
        if in_ci():
            pytest.fail("Chromium missing in CI: .ci/run must install it", pytrace=False)
        pytest.skip("Chromium not installed; `apt-get install -y chromium` to run browser tests")
    return path


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Every test marked `browser` needs Chromium, whether or not it uses the fixtures.
    if item.get_closest_marker("browser") is not None:
        require_chromium()


# --------------------------------------------------------------------------- Streamlit server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, n: int = 60) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "<no output>"
    return "\n".join(lines[-n:]) or "<empty>"


def _stop_process_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def streamlit_server() -> str:
    """Run `streamlit run app/main.py` for the session; yields its base URL (no trailing /)."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    logdir = Path(tempfile.mkdtemp(prefix="saddle-lab-streamlit-"))
    out_path, err_path = logdir / "stdout.log", logdir / "stderr.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", APP_SCRIPT,
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group, killed as a whole at the end
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"Streamlit server exited with code {proc.returncode} before answering.\n"
                    f"--- stderr tail ---\n{_tail(err_path)}\n--- stdout tail ---\n{_tail(out_path)}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Streamlit server did not answer /_stcore/health within "
                    f"{SERVER_START_TIMEOUT:.0f} s.\n"
                    f"--- stderr tail ---\n{_tail(err_path)}\n--- stdout tail ---\n{_tail(out_path)}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield base_url
    finally:
        _stop_process_group(proc)
        shutil.rmtree(logdir, ignore_errors=True)


# --------------------------------------------------------------------------- Playwright


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright's sync API."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A fresh context and page; `page.console_errors` collects console errors and page errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(APP_TIMEOUT_MS)
    context.add_init_script(_WS_PROBE_JS)
    pg = context.new_page()
    errors: list[str] = []
    pg.console_errors = errors

    def on_console(msg):
        # Streamlit 1.67 on a clean page logs nothing at all (checked, all message types), so
        # no error is filtered out as "benign".
        if msg.type == "error":
            loc = msg.location or {}
            where = f" ({loc['url']}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            errors.append(f"console.error: {msg.text}{where}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    try:
        yield pg
    finally:
        context.close()


# --------------------------------------------------------------------------- waiting for Streamlit

# Streamlit (checked on 1.67) puts the script and connection state on the app root:
#   <div data-testid="stApp" data-test-script-state="initial|running|rerunRequested|
#        stopRequested|notRunning|compilationError" data-test-connection-state="CONNECTED|...">
# and shows [data-testid="stStatusWidget"] > [data-testid="stStatusWidgetRunningIcon"] while running.
_APP_DONE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const state = app.getAttribute('data-test-script-state');
    if (state !== 'notRunning' && state !== 'compilationError') return false;
    if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    const icon = document.querySelector(
        '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]');
    if (icon && icon.getClientRects().length > 0) return false;
    return true;
}"""

# Installed in every page by the `page` fixture: counts WebSocket messages both ways, so that
# `rerun` can tell that the server answered the action. The script-state attribute alone is not
# enough: for a run of a few ms React may render "notRunning" without ever showing "running".
_WS_PROBE_JS = """(() => {
    const probe = window.__stWs = {sent: 0, recv: 0, lastSent: 0, lastRecv: 0};
    const origSend = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        probe.sent += 1; probe.lastSent = performance.now();
        return origSend.call(this, data);
    };
    window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args) {
            const ws = new target(...args);
            ws.addEventListener('message', () => { probe.recv += 1; probe.lastRecv = performance.now(); });
            return ws;
        },
    });
})();"""

_RERUN_DONE_JS = """([sent0, recv0, quietMs]) => {
    const p = window.__stWs;
    return p.sent > sent0 && p.recv > recv0 && p.lastRecv > p.lastSent
        && performance.now() - p.lastRecv >= quietMs && (%s)();
}""" % _APP_DONE_JS


def wait_for_app(page, timeout: float = APP_TIMEOUT_MS, settle_ms: int = 100) -> None:
    """Wait until the app is connected and its script run has finished (timeout in ms)."""
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout)
    page.wait_for_function(_APP_DONE_JS, timeout=timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)  # let the last deltas render
        page.wait_for_function(_APP_DONE_JS, timeout=timeout)


def rerun(page, action: Callable[[], object], timeout: float = APP_TIMEOUT_MS,
          quiet_ms: int = 150) -> None:
    """Do `action` (a key press, a click...) and wait until the run it triggers has finished.

    "Finished": the page sent the server something, the server answered after the last such
    message, nothing arrived for `quiet_ms`, and the app shows a finished run. Fails with a
    TimeoutError if the action triggers no rerun. Needs a page from the `page` fixture.
    """
    sent0, recv0 = page.evaluate("() => [window.__stWs.sent, window.__stWs.recv]")
    action()
    page.wait_for_function(_RERUN_DONE_JS, arg=[sent0, recv0, quiet_ms], timeout=timeout)
    wait_for_app(page, timeout=timeout)


@pytest.fixture
def open_app(page, streamlit_server):
    """`open_app(path="/")`: go to the app (URL path or ?query), wait for its run, return page."""

    def _open(path: str = "/", timeout: float = APP_TIMEOUT_MS):
        if not path.startswith("/"):
            path = "/" + path
        page.goto(streamlit_server + path, wait_until="domcontentloaded", timeout=timeout)
        wait_for_app(page, timeout=timeout)
        return page

    return _open
