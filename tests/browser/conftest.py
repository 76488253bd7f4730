"""Serve the built book on 127.0.0.1 and open it in a real headless Chromium (Playwright).

Every request to any other host is blocked and recorded, so a page that needs the network
fails its test. Run with ``make test-browser`` after ``make book``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the built book; CONVLIB_BOOK_HTML points at another build (a private --path-output one)
HTML = Path(os.environ.get("CONVLIB_BOOK_HTML", ROOT / "_build" / "html"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or next((p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), None)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def serve(html: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``html`` on a free port of 127.0.0.1 in a daemon thread; (server, base URL)."""
    handler = functools.partial(QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def block_other_hosts(context, base: str) -> list[str]:
    """Let only ``base``, data: and blob: through; return the list the blocked URLs go to."""
    blocked: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith((base, "data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    return blocked


# How many of the page's widget views are convlib's explorers and quizzes (anywidget models); a
# page may also hold plain ipywidgets, such as chapter 5's progress bar, which draw no .cl-x panel.
COUNT_EXPLORER_VIEWS = """() => {
    const script = type => `script[type="application/vnd.jupyter.widget-${type}+json"]`;
    const state = document.querySelector(script('state'));
    const models = state ? JSON.parse(state.textContent).state : {};
    return [...document.querySelectorAll(script('view'))]
        .filter(view => models[JSON.parse(view.textContent).model_id]?.model_name === 'AnyModel')
        .length;
}"""


def wait_for_explorers(page, timeout: int = 15000) -> int:
    """Wait until every explorer and quiz on ``page`` has drawn its panel; return how many."""
    explorers = page.evaluate(COUNT_EXPLORER_VIEWS)
    if explorers:
        page.wait_for_function(
            f"() => document.querySelectorAll('.cl-x').length >= {explorers}", timeout=timeout
        )
    return explorers


def is_error(message) -> bool:
    """A console error other than a failed resource load (test_book_pages reports those by URL)."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


class OpenedPage(NamedTuple):
    page: object  # playwright's Page
    errors: list[str]  # uncaught exceptions and console errors
    outside: list[str]  # requests to other hosts, blocked


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    if not (HTML / "index.html").exists():
        pytest.fail("no built book: run `make book` first")
    server, base = serve(HTML)
    yield base
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        message = (
            "Chromium not found: install it with `apt-get install -y chromium` "
            "(CI's .ci/run does this) to run the browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def open_page(browser, book_url):
    """``open_page(path, hash_="", **context options)`` opens a page of the built book at 1280 px
    with every other host blocked, waits until its explorers and quizzes have drawn, and returns
    ``OpenedPage(page, errors, outside)``."""
    contexts = []

    def opener(path: str, hash_: str = "", **options) -> OpenedPage:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        outside = block_other_hosts(context, book_url)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if is_error(m) else None)
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        page.goto(f"{book_url}/{path}{hash_}", wait_until="networkidle")
        wait_for_explorers(page)
        page.wait_for_timeout(200)
        return OpenedPage(page, errors, outside)

    yield opener
    for context in contexts:
        context.close()
