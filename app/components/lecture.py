"""Lecture widgets shared by the pages: the slide's question, think-first boxes for the deck's
"Q:" prompts, and misconception cards.

Every box keeps its open/closed state in ``st.session_state`` under its own key, so a lecturer
can reveal answers one by one and a rerun (a slider moved elsewhere) keeps them as they were.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError


def slide_question(text: str) -> None:
    """Open a page with the slide's question (a callout above everything else)."""
    st.info(f"**The slide's question:** {text}", icon=":material/help:")


def _revealed_key(key: str) -> str:
    return f"{key}__revealed"


def is_revealed(key: str) -> bool:
    """Whether the box with this key currently shows its answer."""
    return bool(st.session_state.get(_revealed_key(key), False))


def _flip(key: str) -> None:
    state_key = _revealed_key(key)
    st.session_state[state_key] = not st.session_state.get(state_key, False)


def think_first(question: str, answer: str, key: str) -> bool:
    """A deck "Q:" prompt whose answer appears only after a click.

    Parameters
    ----------
    question : str
        The slide's question (Markdown, LaTeX between $...$ allowed).
    answer : str
        The deck's answer (Markdown).
    key : str
        Widget key of the reveal button (unique on the page).

    Returns
    -------
    bool
        True when the answer is shown.
    """
    return _reveal_card(key, f"think_{key}", f":material/psychology: **Think first.** {question}",
                        ("Reveal the answer", "Hide the answer"), lambda: st.markdown(answer))


def _reveal_card(key: str, container_key: str, heading: str, labels: tuple[str, str], body) -> bool:
    """A bordered card: a heading, a show/hide button, and ``body()`` drawn inside it when
    revealed.  Returns True when revealed."""
    shown = is_revealed(key)
    with st.container(border=True, key=container_key):
        st.markdown(heading)
        st.button(
            labels[1] if shown else labels[0],
            key=key,
            on_click=_flip,
            args=(key,),
            icon=":material/visibility_off:" if shown else ":material/visibility:",
        )
        if shown:
            body()
    return shown


def misconception_card(myth: str, truth: str, demo_hint: str, key: str) -> bool:
    """A misconception the deck invites, with the truth and where to see it, shown on click.

    Parameters
    ----------
    myth : str
        The tempting but wrong statement.
    truth : str
        What is true instead (Markdown).
    demo_hint : str
        What to do in the app to see it (Markdown).
    key : str
        Widget key of the reveal button.

    Returns
    -------
    bool
        True when the truth is shown.
    """
    def body():
        st.markdown(f"**No.** {truth}")
        st.caption(f"See it: {demo_hint}")

    return _reveal_card(key, f"myth_{key}", f":material/report: **Misconception:** *“{myth}”*",
                        ("Is it true?", "Hide"), body)


def link_or_label(page: str | Path, label: str, icon: str | None = None) -> bool:
    """``st.page_link`` to a page file (an absolute path, or one relative to app/main.py);
    when the page is not registered in the navigation (a single page run alone, or a page not
    written yet) show its name as plain text instead.  Returns True when a link was drawn."""
    try:
        st.page_link(page, label=label, icon=icon)
        return True
    except StreamlitPageNotFoundError:
        st.markdown(f"{label} *(page not available in this run)*")
        return False
