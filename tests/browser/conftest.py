"""Browser tests: the app served by uvicorn on a free port, driven in Debian's Chromium.

Without Chromium they skip and say so; with CI=true a missing Chromium fails the run.
Never `playwright install`: Playwright drives the system browser by its path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, TEST_ENGINE
from tests.live import LiveServer, serve_copy_of

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists():
        if IN_CI:
            raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}: browser tests must run in CI")
        skip = pytest.mark.skip(reason=f"SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="module")
def live_server(demo_template_database, tmp_path_factory) -> Iterator[LiveServer]:
    """The app with the demo loaded, on its own database copy."""
    if TEST_ENGINE != "sqlite":
        pytest.skip("browser tests run in the SQLite pass")
    with serve_copy_of(demo_template_database, tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture
async def page(browser) -> AsyncIterator:
    """A phone-sized page (360 px wide), as most residents will see the site."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    yield page
    await context.close()


async def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.1 A or AA violation on the page as it stands."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"],
    })
    assert results.violations_count == 0, results.generate_report()


async def assert_fits_the_phone(page) -> None:
    """Nothing makes a 360 px page scroll sideways."""
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
