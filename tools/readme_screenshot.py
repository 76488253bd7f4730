"""Take the README's picture of the book: a chapter page of a built book, in headless Chromium.

Serves the built HTML on 127.0.0.1 (every other host blocked), opens the chapter at a desktop
width, waits for the explorers and the maths, and writes a small palette PNG
(``book/images/readme-screenshot.png``, under 200 KB).

Usage: ``python tools/readme_screenshot.py [--html _build/html] [--page PAGE] [--anchor CSS]``
(after ``make book``; Chromium at /usr/bin/chromium, as the browser tests use it).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "images" / "readme-screenshot.png"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def screenshot(html: Path, page_path: str, anchor: str, out: Path) -> Path:
    handler = functools.partial(QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlparse(route.request.url).netloc in ("", urlparse(base).netloc)
                    or route.request.url.startswith(("data:", "blob:"))
                    else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(f"{base}/{page_path}", wait_until="networkidle")
            page.wait_for_selector(".cl-x", timeout=60_000)  # an explorer drawn
            page.wait_for_selector("mjx-container", timeout=60_000)  # the maths typeset
            if anchor:
                page.locator(anchor).first.evaluate(
                    "e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -90); }"
                )
            page.wait_for_timeout(1500)
            png = page.screenshot()
            browser.close()
    finally:
        server.shutdown()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--page", default="notebooks/01_convolution.html")
    parser.add_argument(
        "--anchor",
        default=".cl-x:has(input[data-trait='kernel_size'])",  # the convolution explorer
        help="CSS selector scrolled to the top",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    out = screenshot(args.html, args.page, args.anchor, args.out)
    print(f"{out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
