"""Plotly figures that update in place: a small Streamlit component around ``Plotly.react``.

``st.plotly_chart`` (Streamlit 1.67) derives its element id from the figure's JSON, keyed or
not, so every change of a slider mounts a new chart: the browser builds the whole figure
(300 animation frames, contour, legend, step slider) from scratch in a new graph element.
The explorer's figures are drawn by this component instead.  It keeps one Plotly graph per
key and hands every new figure to ``Plotly.react``, which updates that graph in place
(``benchmarks/bench_explorer.py`` measures the difference).

Plotly.js is the bundle that ships with the installed ``plotly`` package (the one its HTML
exports embed).  It is copied to ``app/static`` and served by Streamlit's static
file serving, which ``.streamlit/config.toml`` turns on.

A click on the figure reports the clicked point (for a contour, the nearest grid point) to
``on_click(x, y)``.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import NamedTuple

import plotly  # the package only: its submodules load on use
import streamlit as st

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
_BUNDLE_SOURCE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
BUNDLE_NAME = f"plotly-{plotly.__version__}.min.js"
# Relative to the page, so it also works under a server.baseUrlPath.
BUNDLE_URL = f"./app/static/{BUNDLE_NAME}"

_JS = r"""
function loadPlotly(src) {
  if (!window.__saddleLabPlotly) {
    window.__saddleLabPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => (window.Plotly ? resolve(window.Plotly)
                                           : reject(new Error(src + " did not define Plotly")));
      script.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(script);
    });
    window.__saddleLabPlotly.catch(() => { window.__saddleLabPlotly = null; });
  }
  return window.__saddleLabPlotly;
}

// The step slider and the play/pause buttons of an animated figure, as HTML under the graph.
// Plotly redraws its own slider (every step's label, measured) on each update of the figure:
// tens of milliseconds of every slider change elsewhere on the page.  The figure's JSON keeps
// Plotly's controls for the exports; here they are taken out and drawn once.
function takeAnimationControls(figure) {
  const layout = figure.layout || {};
  const menus = layout.updatemenus || [];
  const sliders = layout.sliders || [];
  if (!figure.frames || !figure.frames.length || sliders.length !== 1 || menus.length !== 1) {
    return null;
  }
  const play = (menus[0].buttons || []).find((b) => b.method === "animate" && b.args
                                                 && b.args[0] === null);
  if (!play || !sliders[0].steps.every((step) => step.method === "animate")) return null;
  delete layout.sliders;
  delete layout.updatemenus;
  if (layout.margin && layout.margin.b > 60) layout.margin.b = 60;  // their room
  const options = play.args[1] || {};
  return { duration: (options.frame && options.frame.duration) || 50,
           redraw: Boolean(options.frame && options.frame.redraw),
           prefix: (sliders[0].currentvalue && sliders[0].currentvalue.prefix) || "step " };
}

function animateTo(Plotly, gd, names, duration) {
  const a = gd.__saddleLabAnimation;
  return Plotly.animate(gd, names, { mode: "immediate", transition: { duration: 0 },
                                     frame: { duration, redraw: a.redraw } });
}

function stop(Plotly, gd) {
  return animateTo(Plotly, gd, [null], 0).catch(() => {});
}

function showControls(Plotly, gd, parentElement, animation) {
  let bar = parentElement.querySelector("div.saddle-live-controls");
  if (!animation) {
    if (bar) bar.remove();
    gd.__saddleLabAnimation = null;
    return;
  }
  const names = animation.frames.map((f) => String(f.name));
  gd.__saddleLabAnimation = { ...animation, names };
  if (!bar) {
    bar = document.createElement("div");
    bar.className = "saddle-live-controls";
    bar.style.cssText = "display:flex;align-items:center;gap:0.6rem;margin:0.2rem 0 0.4rem 0;"
      + "font-family:var(--st-font, sans-serif);color:var(--st-text-color, inherit);";
    const button = (label, name) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.name = name;
      b.style.cssText = "padding:0.25rem 0.7rem;border-radius:0.4rem;cursor:pointer;"
        + "border:1px solid var(--st-border-color, #ccc);color:inherit;font:inherit;"
        + "background:var(--st-secondary-background-color, transparent);";
      return b;
    };
    const play = button("▶ play", "play");
    const pause = button("❚❚ pause", "pause");
    const range = document.createElement("input");
    range.type = "range";
    range.min = "0";
    range.step = "1";
    range.setAttribute("aria-label", "animation step");
    range.style.cssText = "flex:1;accent-color:var(--st-primary-color, auto);";
    const label = document.createElement("span");
    label.className = "saddle-live-step";
    label.style.cssText = "min-width:7.5em;text-align:right;font-variant-numeric:tabular-nums;";
    bar.append(play, pause, range, label);
    gd.after(bar);
    range.addEventListener("input", () => {
      const a = gd.__saddleLabAnimation;
      const i = Number(range.value);
      showStep(bar, a, i);
      animateTo(Plotly, gd, [a.names[i]], 0).catch(() => {});
    });
    play.addEventListener("click", () => {
      const a = gd.__saddleLabAnimation;
      const i = Number(range.value);
      const from = i >= a.names.length - 1 ? 0 : i + 1;  // at the end: from the start
      animateTo(Plotly, gd, a.names.slice(from), a.duration).catch(() => {});
    });
    pause.addEventListener("click", () => stop(Plotly, gd));
    gd.on("plotly_animatingframe", (event) => {
      const a = gd.__saddleLabAnimation;
      const i = a ? a.names.indexOf(String(event.name)) : -1;
      if (i >= 0) showStep(bar, a, i);
    });
  }
  bar.querySelector("input[type=range]").max = String(names.length - 1);
  showStep(bar, gd.__saddleLabAnimation, names.length - 1);  // the figure shows the runs' end
}

function showStep(bar, animation, i) {
  bar.querySelector("input[type=range]").value = String(i);
  bar.querySelector(".saddle-live-step").textContent = animation.prefix + animation.names[i];
}

function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

export default async function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data.preload) {
    // nothing to show: take no room (not even the gap between elements) above the page
    const box = parentElement.closest('[data-testid="stElementContainer"]');
    if (box) box.style.display = "none";
    loadPlotly(data.src).catch(() => {});  // the figures report a failure
    return;
  }
  let gd = parentElement.querySelector("div.saddle-live-plot");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "saddle-live-plot";
    gd.style.width = "100%";
    parentElement.appendChild(gd);
  }
  gd.style.minHeight = data.height + "px";
  gd.__saddleLabClick = data.click ? setTriggerValue : null;
  let Plotly;
  try {
    Plotly = await loadPlotly(data.src);
  } catch (err) {
    gd.textContent = "The figure could not be drawn: " + err.message + ". Start the app from "
      + "the project folder (streamlit run app/main.py): its .streamlit/config.toml turns on "
      + "the static file serving that delivers Plotly.";
    return;
  }
  if (gd.__saddleLabSpec === data.spec) return;
  gd.__saddleLabSpec = data.spec;
  const current = () => gd.__saddleLabSpec === data.spec;  // no newer figure arrived
  if (data.defer) {
    // a secondary figure: let the browser draw and paint the page's main figure first
    await afterPaint();
    await window.__saddleLabDrawing;
    await afterPaint();
    if (!current()) return;
  }
  const figure = JSON.parse(data.spec);
  figure.config = data.config;
  const animation = takeAnimationControls(figure);
  if (gd.__saddleLabAnimation) stop(Plotly, gd);
  // Draw first, then hand over the animation frames (Plotly.react with the same data
  // only stores them): the new paths are painted without waiting for 300 frames.
  const frames = figure.frames;
  delete figure.frames;
  const drawn = Plotly.react(gd, figure);
  if (!data.defer) window.__saddleLabDrawing = drawn.catch(() => {});
  await drawn;
  if (frames) {
    await afterPaint();
    if (!current()) return;
    figure.frames = frames;
    await Plotly.react(gd, figure);
  }
  showControls(Plotly, gd, parentElement, animation && frames ? { ...animation, frames } : null);
  if (!gd.__saddleLabBound) {
    gd.__saddleLabBound = true;
    gd.on("plotly_click", (event) => {
      const report = gd.__saddleLabClick;
      const point = event && event.points && event.points[0];
      if (report && point && Number.isFinite(point.x) && Number.isFinite(point.y)) {
        report("click", { x: point.x, y: point.y });
      }
    });
  }
}
"""

_CONFIG = {"responsive": True, "displaylogo": False,
           "toImageButtonOptions": {"format": "png", "scale": 2}}

COMPONENT_NAME = "saddle_lab.live_plot"
_component = st.components.v2.component(COMPONENT_NAME, js=_JS, isolate_styles=False)


def ensure_bundle(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the installed Plotly.js bundle to the static folder (once per plotly version)."""
    target = static_dir / BUNDLE_NAME
    if not target.exists() or target.stat().st_size != _BUNDLE_SOURCE.stat().st_size:
        static_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=static_dir, suffix=".part", delete=False) as tmp:
            with open(_BUNDLE_SOURCE, "rb") as source:
                shutil.copyfileobj(source, tmp)
        Path(tmp.name).replace(target)  # atomic: a browser never reads half a file
    return target


def figure_spec(fig) -> str:
    """The figure as the JSON that the browser draws (styled for the current theme)."""
    return prepare(fig).spec


def unavailable() -> str | None:
    """Why live plots cannot be drawn in this server, or None when they can."""
    if not st.get_option("server.enableStaticServing"):
        return ("Static file serving is off, so the figures are drawn by st.plotly_chart: "
                "slower to redraw, and a click does not set the start.  Start the app from "
                "the project folder (streamlit run app/main.py), whose .streamlit/config.toml "
                "turns it on.")
    try:
        ensure_bundle()
    except OSError as exc:
        return (f"Plotly.js could not be copied to {STATIC_DIR} ({exc}), so the figures are "
                "drawn by st.plotly_chart: slower to redraw, and a click does not set the start.")
    return None


def preload(key: str = "live_plot_preload") -> None:
    """Start loading Plotly.js in the browser now, while the server still computes the page.

    Light on purpose: it imports neither the kernels nor Plotly's figure classes, so that an
    entry script can call it before its own heavy imports.
    """
    if unavailable() is None:
        _component(key=key, data={"src": BUNDLE_URL, "preload": True}, height="content")


class Prepared(NamedTuple):
    """A figure made ready for ``show_live``: its styled JSON and height (see ``prepare``)."""

    fig: object
    spec: str
    height: int


def prepare(fig) -> Prepared:
    """Style and serialise ``fig`` now, so that ``show_live`` only sends it: a page can
    make its figure before it sends the containers that hold it, so that no time passes
    between them (the explorer sends its figure first; see ``_scene_view`` there)."""
    import plotly.io as pio

    from .theme import style_spec

    styled = style_spec(fig.to_dict())
    return Prepared(fig, pio.to_json(styled, validate=False),
                    int(styled["layout"].get("height") or 450))


def show_live(fig, key: str, *, on_click=None, defer: bool = False) -> None:
    """Draw ``fig`` (a Plotly figure, or one made ready by ``prepare``) under ``key``,
    updating the same graph in place on every rerun.

    ``on_click(x, y)``, if given, runs (as a widget callback, before the rerun) with the
    clicked point's coordinates.  A ``defer``-red figure is drawn after the browser has
    painted the others (the explorer's side plots wait for its main figure).  Where live
    plots are unavailable (see ``unavailable``) the figure is drawn by ``st.plotly_chart``
    instead, with a note saying why.
    """
    reason = unavailable()
    if reason is not None:
        from .theme import show

        show(fig.fig if isinstance(fig, Prepared) else fig, key=key)
        st.caption(reason)
        return
    _, spec, height = fig if isinstance(fig, Prepared) else prepare(fig)
    callbacks = {}
    if on_click is not None:
        def _clicked() -> None:
            point = clicked_point(st.session_state.get(key))
            if point is not None:
                on_click(*point)

        callbacks["on_click_change"] = _clicked
    _component(key=key, data={"spec": spec, "src": BUNDLE_URL, "config": _CONFIG,
                              "height": height, "click": on_click is not None,
                              "defer": defer},
               height="content", **callbacks)  # the graph (min-height) and its controls


def clicked_point(state) -> tuple[float, float] | None:
    """(x, y) of the click in a live plot's widget state, or None when there is none or it is
    not a pair of finite numbers (the browser's report is not trusted)."""
    try:
        point = state["click"]
        x, y = float(point["x"]), float(point["y"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def spec_of(data_json: str) -> dict:
    """The figure dict inside a live plot's component data (for tests and tools)."""
    return json.loads(json.loads(data_json)["spec"])
