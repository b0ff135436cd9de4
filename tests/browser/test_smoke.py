"""Smoke test: the app loads in a real Chromium without exceptions or console errors."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_app_root_loads_cleanly(open_app, tmp_path):
    page = open_app("/")

    assert page.locator('[data-testid="stApp"]').count() == 1
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()
    assert page.title() == "Saddle Lab"
    assert page.console_errors == []

    shot = tmp_path / "app_root.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == PNG_MAGIC
