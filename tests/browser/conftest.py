"""Fixtures for the browser tests: the app served for real, and Chromium driven by Playwright.

The tests drive Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser
here. `scripts/test` installs Chromium when it is missing and the run is root's.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from gcmhub.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags, Chromium's own connections are refused on machines
# with no outside network, and page loads can stall behind them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # one action or assertion; a search answers in well under a second
# Assertions wait as long as actions: a page that matches a request embeds its need, which
# takes seconds when the two cores are busy with other tests (scripts/test runs the SQLite
# and PostgreSQL suites at once). A step that succeeds returns at once, whatever the limit.
expect.set_options(timeout=TIMEOUT_MS)
STARTUP_S = 30.0  # the server's first answer (database prepared)
# The first search of a process trains the objective tagger from the cached concept texts and
# loads the model; the fixture pays that before a test starts, so no step waits on it.
WARM_UP_S = 180.0


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch headless Chromium once for the whole run; a missing browser fails the tests."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium "
            "(`apt-get install -y chromium`; scripts/test installs it when run as root).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield launched
        launched.close()


def _answers(url: str, timeout: float = STARTUP_S) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def site(demo_data: Path) -> Iterator[str]:
    """Serve the app with uvicorn on a free port, on the test's copy of the demo; yield its URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        ws="none",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="uvicorn", daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    try:
        while not _answers(url + "/"):
            if not thread.is_alive():
                pytest.fail("the web server stopped before it answered", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the web server did not answer within {STARTUP_S:.0f} s", pytrace=False
                )
            time.sleep(0.05)
        if not _answers(url + "/search?q=remittance+costs", WARM_UP_S):
            pytest.fail("the web server's first search failed", pytrace=False)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        assert not thread.is_alive(), "the web server did not stop"


class Watch:
    """What went wrong in a browser context: server errors, script errors, refused content."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and re.search(r"Content.Security.Policy", message.text, re.I):
            self.problems.append(f"refused by the CSP: {message.text}")

    def page_error(self, error: Any) -> None:
        self.problems.append(f"script error: {error}")


@pytest.fixture
def new_context(browser: Browser, site: str) -> Iterator[Callable[..., BrowserContext]]:
    """Return a maker of fresh browser contexts on the site (downloads accepted); checks them."""
    made: list[tuple[BrowserContext, Watch]] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("accept_downloads", True)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "en-US")  # the site's default language, whatever the host
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch = Watch()
        context.on("response", watch.response)
        context.on("console", watch.console)
        context.on("weberror", lambda error: watch.page_error(error.error))
        made.append((context, watch))
        return context

    yield make
    problems = [p for _, watch in made for p in watch.problems]
    for context, _ in made:
        context.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """Return a page in a fresh browser context (JavaScript on, downloads accepted)."""
    return new_context().new_page()
