"""A shared explorer link opened in a new session shows the app's navigation and the scene."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# Streamlit's client first probes /<page>/_stcore/health and host-config on a deep link and
# falls back to /_stcore/... (streamlit/streamlit#7074); those two 404s are its own.
PROBE = re.compile(r"Failed to load resource: the server responded with a status of 404")


def test_deep_link_in_a_new_session_keeps_the_navigation(open_app):
    page = open_app("/explorer?l=monkey_saddle&m=gd,nt&n=40")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    nav = page.get_by_test_id("stSidebarNav")
    # The app's own navigation (sections and titles), not Streamlit's file-name listing.
    assert nav.get_by_text("Saddle explorer").count() == 1
    assert nav.get_by_text("Optimizers near saddle points").count() == 1
    assert nav.get_by_text("main", exact=True).count() == 0
    # The explorer kept the linked scene (it rewrites the URL from its controls).
    assert "l=monkey_saddle" in page.url and "m=gd%2Cnt" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    others = [m for m in page.console_errors if not PROBE.search(m)]
    assert others == []
    assert len(page.console_errors) - len(others) <= 4
