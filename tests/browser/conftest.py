"""Browser tests: the app served by uvicorn on a free port, driven in Debian's Chromium.

Without Chromium they skip and say so; with CI=true a missing Chromium fails the run.
Never `playwright install`: Playwright drives the system browser by its path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest

from dialogue.settings import PROJECT_ROOT
from tests.conftest import IN_CI, TEST_ENGINE

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret-" + "y" * 40,
            "BASE_URL": self.url,
            "PORT": str(self.port),
        }
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "dialogue", *args], cwd=PROJECT_ROOT, env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=PROJECT_ROOT, env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app did not start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the app did not start listening within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def live_server(template_database, tmp_path_factory) -> Iterator[LiveServer]:
    """The app with the demo loaded, on its own database copy."""
    if TEST_ENGINE != "sqlite":
        pytest.skip("browser tests run in the SQLite pass")
    target = tmp_path_factory.mktemp("live") / "live.sqlite3"
    shutil.copyfile(urlsplit(template_database).path, target)
    server = LiveServer(f"sqlite:///{target}")
    server.cli("demo", "load")
    server.start()
    yield server
    server.stop()


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
