"""Screenshot every page of the built book as a reader sees it (``make screenshots``).

Each page of ``_toc.yml`` (intro, how-to-use, every chapter, instructor guide, references) is
opened in headless Chromium at a desktop width (1366 px) and a phone (390 x 844, touch), in the
light and the dark theme, served from 127.0.0.1 with every other request blocked; the full page
is saved to ``_build/screenshots/<page>-<width>-<theme>.png`` once its explorers have rendered.

Run: ``python tools/screenshots.py [--html _build/html] [--out _build/screenshots]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    block_other_hosts,
    find_chromium,
    serve,
    wait_for_explorers,
)
from test_book_pages import PAGES  # noqa: E402

# name -> Playwright context options
VIEWPORTS = {
    "1366": {"viewport": {"width": 1366, "height": 900}},
    "390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
THEMES = ("light", "dark")


def open_page(page, url: str) -> None:
    """Go to ``url`` and wait until its maths and every explorer have rendered."""
    page.goto(url, wait_until="networkidle")
    page.evaluate("() => window.MathJax?.startup?.promise")
    wait_for_explorers(page)
    page.wait_for_timeout(300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    args = parser.parse_args()
    if not (args.html / "index.html").exists():
        sys.exit(f"no built book in {args.html}: run `make book` first")
    executable = find_chromium()
    if executable is None:
        sys.exit("Chromium not found: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server, base = serve(args.html)
    blocked_anywhere: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for width, options in VIEWPORTS.items():
            for theme in THEMES:
                context = browser.new_context(color_scheme=theme, **options)
                blocked = block_other_hosts(context, base)
                page = context.new_page()
                for path in PAGES:
                    open_page(page, f"{base}/{path}")
                    name = path.replace("/", "__").removesuffix(".html")
                    shot = args.out / f"{name}-{width}-{theme}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    print(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)
                blocked_anywhere += blocked
                context.close()
        browser.close()
    server.shutdown()
    if blocked_anywhere:
        print(f"blocked {len(blocked_anywhere)} requests to other hosts: {blocked_anywhere[:3]}")


if __name__ == "__main__":
    main()
