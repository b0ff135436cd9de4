"""Every page of the app in a real Chromium, reached the way a student reaches it: open "/",
then follow the sidebar's navigation links (opening a sub-page's URL directly makes the
client fetch /<page>/_stcore/health, which 404s).  On every page: no exception box, no
st.error, no console error.  And the Stories page's arrow keys (``st.button(...,
shortcut="Right")``) move through a story.
"""

from __future__ import annotations

import pytest

from conftest import rerun, wait_for_app

pytestmark = [pytest.mark.browser]

NAV_LINKS = '[data-testid="stSidebarNav"] a'
PROBLEMS = {
    "exception": '[data-testid="stException"]',
    "st.error": '[data-testid="stAlertContentError"]',
}
PAGE_TIMEOUT_MS = 300_000  # a page's first run may compute (a critical-point survey, a sweep)


def _problems(page) -> list[str]:
    out = []
    for what, selector in PROBLEMS.items():
        boxes = page.locator(selector)
        if boxes.count():
            out.append(f"{what}: {' | '.join(t[:300] for t in boxes.all_inner_texts())}")
    out += page.console_errors
    return out


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_every_page_through_the_sidebar_shows_no_error(open_app):
    page = open_app("/")
    links = page.locator(NAV_LINKS)
    count = links.count()
    assert count >= 10, "the sidebar lists every page"
    labels = [links.nth(i).inner_text().strip() for i in range(count)]
    hrefs = [links.nth(i).get_attribute("href") for i in range(count)]
    failures = {}
    problems = _problems(page)
    if problems:
        failures["(home, on arrival)"] = problems
    for i, label in enumerate(labels):
        page.console_errors.clear()
        link = page.locator(NAV_LINKS).nth(i)
        if i == 0:
            # the home page is open already: a click on it would not rerun; leave and come back
            rerun(page, lambda: page.locator(NAV_LINKS).nth(1).click(), timeout=PAGE_TIMEOUT_MS)
        rerun(page, link.click, timeout=PAGE_TIMEOUT_MS)
        wait_for_app(page, timeout=PAGE_TIMEOUT_MS, settle_ms=500)
        assert page.url.split("?")[0].rstrip("/") == hrefs[i].split("?")[0].rstrip("/"), label
        assert page.locator('[data-testid="stMain"] h1').count() >= 1, f"{label}: no title"
        problems = _problems(page)
        if problems:
            failures[label] = problems
    assert failures == {}


def _press(page, key: str, step: int, total: int = 4) -> None:
    """Press ``key`` and wait until the banner shows ``step``.

    Now and then the first key press right after a page switch is dropped by the browser
    side (seen in 1 of 13 fresh sessions on this machine, never twice running); a dropped
    press changes nothing, so pressing again is safe, and two dropped presses fail the test.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for _ in range(2):
        try:
            rerun(page, lambda: page.keyboard.press(key), timeout=15_000)
        except PlaywrightTimeoutError:
            continue
        break
    page.wait_for_function(
        "(text) => document.querySelector('.st-key-stories_banner').innerText.includes(text)",
        arg=f"step {step} of {total}", timeout=15_000)
    assert page.url.endswith(f"?story=escaping&step={step}")


@pytest.mark.timeout(600)
def test_the_arrow_keys_move_through_a_story(open_app):
    page = open_app("/")
    stories = page.locator(NAV_LINKS, has_text="Stories")
    assert stories.count() == 1, "register app/views/stories.py in app/main.py"
    rerun(page, stories.click, timeout=PAGE_TIMEOUT_MS)
    banner = page.locator(".st-key-stories_banner")
    assert "step 1 of 4" in banner.inner_text()
    assert page.url.endswith("?story=escaping&step=1")

    _press(page, "ArrowRight", 2)
    assert "Gradient descent: a slow escape" in banner.inner_text()
    # step 2 asks first: no figure until the answer
    assert page.locator(".st-key-stories_figure").count() == 0

    _press(page, "ArrowRight", 3)
    page.wait_for_selector(".st-key-stories_figure .js-plotly-plot")
    _press(page, "ArrowLeft", 2)
    assert _problems(page) == []
