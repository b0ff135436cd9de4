"""Cached explorer computations shared by the pages that draw explorer scenes (one cache for
all sessions and pages, bounded)."""

from __future__ import annotations

import streamlit as st

from . import figures
from . import scene as sc


@st.cache_data(max_entries=64, show_spinner=False)
def trajectories(scene: sc.Scene, _L) -> list:
    """The scene's runs (``scene`` is the cache key; the landscape follows from it)."""
    return sc.compute(scene, _L)


@st.cache_data(max_entries=32, show_spinner=False)
def _grid(landscape: str, kwargs_key: str, origin: str, directions: str, _L, _plane):
    return figures.landscape_grid(_L, _plane)


def grid(scene: sc.Scene, L, plane):
    """The contour grid of the scene's plane, keyed by what determines it."""
    return _grid(scene.landscape, repr(sorted(scene.kwargs().items())), scene.origin,
                 scene.directions, L, plane)
