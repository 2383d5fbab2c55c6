"""Fixtures for end-to-end tests in a real headless Chromium (Debian's ``chromium`` package).

``browser`` launches /usr/bin/chromium through Playwright (no browser download); ``app_url``
starts the real app with ``streamlit run`` on a free local port for the session. Both skip
with a clear reason where the browser is not installed, so a developer without it still has
a green ``make test``; ``.ci/run`` installs it, so CI always runs these.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.app_server import ARTIFACTS, running_app

CHROMIUM = os.environ.get("BEYOND_GDP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing: .ci/run installs chromium")
        pytest.skip(f"headless Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def app_url(browser):
    with running_app() as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def ui():
    """The small page helpers below, as a fixture (test modules cannot import a conftest)."""
    return UI


def wait_for_charts(page, count: int = 1, timeout: float = 30_000) -> None:
    """Wait until ``count`` Vega charts have drawn (an SVG with marks or a canvas)."""
    page.wait_for_function(
        "n => document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length >= n",
        arg=count,
        timeout=timeout,
    )


def exception_boxes(page) -> int:
    return page.locator("[data-testid='stException']").count()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class UI:
    wait_for_charts = staticmethod(wait_for_charts)
    exception_boxes = staticmethod(exception_boxes)
    screenshot = staticmethod(screenshot)
