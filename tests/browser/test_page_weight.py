"""Each page of the built book stays light: its HTML, images and embedded animations <= 3 MB.

Shared theme and vendored assets under ``_static/`` are cached once by the browser and reported
separately (``python tests/browser/test_page_weight.py`` prints the table).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import HTML  # noqa: E402
from test_book_pages import PAGES  # noqa: E402

PAGE_BUDGET = 3 * 1024 * 1024
LOCAL_REFERENCE = re.compile(r"""(?:src|href)=["']([^"'#?]+)""")


def page_weight(page_path: str) -> tuple[int, int]:
    """(bytes of the page's own HTML and images, bytes of the shared _static files it loads)."""
    page = HTML / page_path
    own, shared = page.stat().st_size, 0
    for reference in set(LOCAL_REFERENCE.findall(page.read_text(encoding="utf-8"))):
        if "://" in reference or reference.startswith(("data:", "mailto:")):
            continue
        target = (page.parent / unquote(reference)).resolve()
        if not target.is_file() or target.suffix == ".html":
            continue
        if "_static" in target.relative_to(HTML.resolve()).parts:
            shared += target.stat().st_size
        else:
            own += target.stat().st_size
    return own, shared


@pytest.mark.parametrize("page_path", PAGES)
def test_page_weight_is_within_budget(page_path):
    if not (HTML / page_path).exists():
        pytest.fail("no built book: run `make book` first")
    own, _ = page_weight(page_path)
    assert own <= PAGE_BUDGET, f"{page_path} weighs {own / 1e6:.2f} MB (budget 3 MB)"


if __name__ == "__main__":
    print(f"{'page':45s} {'own (KB)':>10s} {'shared _static (KB)':>20s}")
    for path in PAGES:
        own, shared = page_weight(path)
        print(f"{path:45s} {own / 1024:10.0f} {shared / 1024:20.0f}")
