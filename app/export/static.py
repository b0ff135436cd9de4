"""Static images (PNG, SVG, PDF) through one persistent kaleido server.

kaleido 1.x drives a headless Chrome/Chromium.  Starting one costs a few seconds, so a
single server (``kaleido.start_sync_server``) is started on the first export and shared by
the whole process; calls are serialised by a lock, as kaleido's sync server is not safe for
concurrent callers.  A watchdog stops waiting when the server dies or a render hangs.  Every
failure (no browser, a browser that dies, a render that hangs) is raised as
:class:`ExportUnavailable`, whose message a student can read.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from typing import Any

import plotly.graph_objects as go

from app.export.figure import as_figure, check_range, static_dict

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
"""Formats :func:`figure_to_image` accepts."""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

RENDER_TIMEOUT = 60.0
"""Seconds kaleido may spend on one figure before it gives up."""

CALL_TIMEOUT = 150.0
"""Seconds one export may take in all (browser start included) before we give up waiting."""

_INSTALL_HINT = (
    "install it with `apt-get install chromium` (Debian/Ubuntu) or `kaleido_get_chrome`, "
    "then restart the app"
)
_BROWSER_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
_LOCK = threading.RLock()


class ExportUnavailable(RuntimeError):
    """Static export is impossible here: no Chrome/Chromium, or kaleido failed.

    The message is meant to be shown to the user as it is.
    """


def find_browser() -> str | None:
    """Path of the Chrome/Chromium kaleido would use, or None when there is none.

    Looks where kaleido looks (its own download, ``BROWSER_PATH``, ``PATH``, the usual
    install locations), then at Debian's ``/usr/bin/chromium``.

    Returns
    -------
    str or None
        An executable file, or None.
    """
    candidates: list[str] = []
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
        if found:
            candidates.append(str(found))
    except Exception:  # noqa: BLE001 - best effort: choreographer internals may move
        pass
    candidates += list(_BROWSER_CANDIDATES)
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if (which := shutil.which(name)) is not None:
            candidates.append(which)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


# --------------------------------------------------------------------------- the server


def _kaleido():
    """The kaleido module (imported on first use: it costs ~0.25 s)."""
    try:
        import kaleido
    except Exception as exc:  # noqa: BLE001
        raise ExportUnavailable(
            f"Image export needs the Python package kaleido (>= 1.0), which could not be "
            f"imported ({type(exc).__name__}: {exc}); install it with `pip install kaleido`."
        ) from exc
    return kaleido


def _server_thread_alive(kaleido_module) -> bool | None:
    """Whether kaleido's sync-server thread runs: True, False, or None if we cannot tell."""
    server = getattr(kaleido_module, "_global_server", None)
    if server is None or not hasattr(server, "is_running"):
        return None
    if not server.is_running():
        return False
    thread = getattr(server, "_thread", None)
    return None if thread is None else thread.is_alive()


def _server_running() -> bool:
    """True when the persistent kaleido server is up (or was started and looks alive)."""
    return bool(_server_thread_alive(_kaleido()))


def _stop_server() -> None:
    """Stop a dead or broken server so that the next export starts a fresh one."""
    kaleido = _kaleido()
    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - it is broken already; nothing better to do
        pass


def _no_browser_message(what: str) -> str:
    return f"{what} export needs Chrome or Chromium; {_INSTALL_HINT}."


def _ensure_server(what: str) -> None:
    """Start the persistent kaleido server once per process (caller holds ``_LOCK``)."""
    if _server_running():
        return
    kaleido = _kaleido()
    if _server_thread_alive(kaleido) is False:
        _stop_server()  # registered as running but its thread died: reset it
    browser = find_browser()
    if browser is None:
        raise ExportUnavailable(_no_browser_message(what))
    try:
        kaleido.start_sync_server(
            path=browser,
            timeout=RENDER_TIMEOUT,
            mathjax=False,  # no CDN fetch on every page reload; LaTeX is not typeset
            silence_warnings=True,
        )
    except Exception as exc:  # noqa: BLE001
        raise ExportUnavailable(
            f"{what} export could not start the browser at {browser} "
            f"({type(exc).__name__}: {exc}); check that Chrome/Chromium runs, or "
            f"{_INSTALL_HINT}."
        ) from exc


def _watched_call(kaleido, fig_dict: dict, opts: dict, what: str) -> Any:
    """``kaleido.calc_fig_sync`` in a helper thread, watched by this one.

    kaleido's sync server waits forever once its thread has died (e.g. the browser failed
    to start), so we stop waiting when it dies or after ``CALL_TIMEOUT``.
    """
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = kaleido.calc_fig_sync(fig_dict, opts=opts)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=work, name="saddle-lab-kaleido-call", daemon=True)
    worker.start()
    deadline = time.monotonic() + CALL_TIMEOUT
    worker.join(0.05)
    while worker.is_alive():
        if _server_thread_alive(kaleido) is False:
            _stop_server()
            browser = find_browser()
            raise ExportUnavailable(
                _no_browser_message(what) if browser is None else
                f"{what} export failed: the browser ({browser}) stopped or could "
                f"not start. Try again; if it keeps failing, {_INSTALL_HINT}."
            )
        if time.monotonic() > deadline:
            _stop_server()
            raise ExportUnavailable(
                f"{what} export timed out after {CALL_TIMEOUT:.0f} s; "
                "the figure may be too large, or the browser is stuck."
            )
        worker.join(0.05)
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc
        name = type(exc).__name__
        if "ChromeNotFound" in name:
            raise ExportUnavailable(_no_browser_message(what)) from exc
        if "Browser" in name:  # BrowserClosedError / BrowserFailedError: restart next time
            _stop_server()
        raise ExportUnavailable(f"{what} export failed in kaleido ({name}: {exc}).") from exc
    return box.get("result")


def render(fig_dict: dict, fmt: str, width: int, height: int, scale: float,
           what: str | None = None) -> bytes:
    """Render a figure dict through the persistent kaleido server.

    `what` names the export in error messages ("GIF"); the format by default.
    """
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    what = what or fmt.upper()
    with _LOCK:
        _ensure_server(what)
        result = _watched_call(_kaleido(), fig_dict, opts, what)
    if isinstance(result, str):
        result = result.encode("utf-8")
    if not isinstance(result, (bytes, bytearray)) or not result:
        raise ExportUnavailable(f"{what} export failed: kaleido returned no data.")
    return bytes(result)


def warm_up() -> None:
    """Start the export browser now (≈3 s) so that the first download is fast.

    Raises
    ------
    ExportUnavailable
        No Chrome/Chromium, or it does not start.
    """
    render({"data": [], "layout": {}}, "png", 64, 64, 1, what="Image")


# --------------------------------------------------------------------------- images


def figure_to_image(
    fig: go.Figure,
    fmt: str,
    width: int = 1200,
    height: int = 800,
    scale: float = 2,
) -> bytes:
    """Render a Plotly figure as a static PNG, SVG or PDF.

    The first call in a process starts a persistent headless browser (a few seconds);
    later calls take well under a second.  Play buttons and animation sliders are dropped
    (on a copy; `fig` is not modified) and the figure shows its initial state.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (a figure dict is accepted too).
    fmt : {"png", "svg", "pdf"}
        Output format (case-insensitive).
    width, height : int
        Size in CSS pixels.
    scale : float
        Pixel density: a PNG is ``width * scale`` by ``height * scale`` pixels.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ValueError
        Unknown format or a size out of range.
    ExportUnavailable
        No Chrome/Chromium can be found, or kaleido failed.
    """
    if not isinstance(fmt, str) or fmt.lower().lstrip(".") not in IMAGE_FORMATS:
        raise ValueError(
            f"unknown image format {fmt!r}; allowed formats: {', '.join(IMAGE_FORMATS)}"
        )
    fmt = fmt.lower().lstrip(".")
    check_range("width", width, 10, 10_000)
    check_range("height", height, 10, 10_000)
    check_range("scale", scale, 0.1, 10)
    data = render(static_dict(as_figure(fig)), fmt, width, height, scale)
    if fmt == "png" and not data.startswith(PNG_MAGIC):
        raise ExportUnavailable("PNG export failed: kaleido returned something else than a PNG.")
    return data
