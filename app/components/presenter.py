"""Presenter mode: one toggle for the whole app (called from app/main.py on every page).

On: larger text everywhere (injected CSS scales the root font size, so headings, widgets and
LaTeX grow together), and thicker lines and larger fonts in every figure (``theme.style`` reads
the same flag).  The Okabe-Ito palette is always on.  "Hide controls" then collapses every
block a page wrapped in ``controls(...)``, leaving figures and text for the projector; the
widgets keep their values while hidden.  Both work with Streamlit's light and dark themes: the
CSS sets sizes only, never colours.
"""

from __future__ import annotations

import streamlit as st

from .theme import PRESENTER_KEY, presenter

HIDE_CONTROLS_KEY = "presenter_hide_controls"
CONTROLS_PREFIX = "controls_"

# Root font size in presenter mode; Streamlit sizes text in rem, so this scales it all.
PRESENTER_ROOT_FONT_PX = 22

_PRESENTER_CSS = f"""
html {{ font-size: {PRESENTER_ROOT_FONT_PX}px; }}
.katex {{ font-size: 1.25em; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 2rem; max-width: 100%; }}
"""

_HIDE_CONTROLS_CSS = f"""
[class*="st-key-{CONTROLS_PREFIX}"] {{ display: none !important; }}
"""


def hide_controls() -> bool:
    """True when presenter mode is on and its "hide controls" switch too."""
    return presenter() and bool(st.session_state.get(HIDE_CONTROLS_KEY, False))


def presenter_css(presenting: bool, hiding: bool) -> str:
    """The CSS injected for the given switches ('' when presenter mode is off)."""
    if not presenting:
        return ""
    return _PRESENTER_CSS + (_HIDE_CONTROLS_CSS if hiding else "")


def presenter_toggle() -> bool:
    """Draw the presenter switches in the sidebar and apply them; returns presenter mode.

    Call once per run, from the entry script, before the page runs.
    """
    with st.sidebar:
        with st.container(key="presenter_panel"):
            on = st.toggle(
                "Presenter mode",
                key=PRESENTER_KEY,
                help="Larger text, thicker lines and larger fonts in every figure, for a projector.",
            )
            if on:
                st.toggle(
                    "Hide controls",
                    key=HIDE_CONTROLS_KEY,
                    help="Collapse the pages' sliders and inputs so only "
                    "figures and text remain; turn off to bring them back.",
                )
    css = presenter_css(on, hide_controls())
    if css:
        # A body of only <style> goes to the event container: it takes no space on the page.
        st.html(f"<style>{css}</style>")
    return on


def controls(name: str):
    """A container for a page's widgets that "hide controls" collapses away.

    >>> with controls("quadratic"):
    ...     lam = st.slider("lambda_1", -3.0, 3.0, 1.0, key="cp_lambda_1")
    """
    return st.container(key=f"{CONTROLS_PREFIX}{name}")


def columns(spec, **kwargs):
    """``st.columns(spec)``, stacked into full-width containers in presenter mode, where large
    text would not fit side by side."""
    if presenter():
        count = spec if isinstance(spec, int) else len(spec)
        return [st.container() for _ in range(count)]
    return st.columns(spec, **kwargs)
