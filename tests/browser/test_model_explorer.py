"""Chapter 6's "paste your model" explorer in the built book, in headless Chromium with every
other host blocked: for each example, for pasted printed models and for the receptive explorer's
stack text, the page's table is convlib's ``summary(from_torch_repr(text), shape)``
(:func:`convlib.widgets.describe_model`), computed in the page; malformed text or an impossible
input shape shows convlib's message; the chosen example is kept in the page URL; no console error.

Run after a book build (``make book``; ``CONVLIB_BOOK_HTML`` points at another build).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from convlib.widgets import describe_model
from convlib.widgets.model_explorer import PRESETS

CHAPTER_6 = "notebooks/06_architectures.html"
EXPLORER = ".cl-model"


def shown(page) -> dict:
    """What the explorer shows: its table (header, rows, total), warnings and message."""
    return page.locator(EXPLORER).evaluate(
        """root => {
            const cells = row => [...row.querySelectorAll('th, td')].map(c => c.textContent);
            const table = root.querySelector('table.cl-summary');
            return {
                header: table ? cells(table.querySelector('thead tr')) : null,
                cells: table ? [...table.querySelectorAll('tbody tr')].map(cells) : null,
                total: table ? cells(table.querySelector('tfoot tr')) : null,
                warnings: [...root.querySelectorAll('.cl-warn')].map(w => w.textContent),
                error: root.querySelector('.cl-error')?.textContent ?? null,
            };
        }"""
    )


def expected(text: str, shape: str) -> dict:
    info = describe_model(text, shape)
    return {
        "header": info.get("header"),
        "cells": info.get("cells"),
        "total": info.get("total"),
        "warnings": info.get("warnings", []),
        "error": f"convlib says: {info['error']}" if "error" in info else None,
    }


def paste(page, text: str, shape: str | None = None) -> None:
    explorer = page.locator(EXPLORER)
    if shape is not None:
        explorer.locator('input[data-trait="input_shape"]').fill(shape)
        explorer.locator('input[data-trait="input_shape"]').press("Enter")
    area = explorer.locator('textarea[data-trait="text"]')
    area.fill(text)
    area.press("Tab")  # leaving the text area commits it


def printed_fixture_models() -> list[tuple[str, str]]:
    """torch's print(model) text of the node fixture's hand-written models (every layer kind)."""
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "node"))
    try:
        from make_model_fixture import hand_written
    finally:
        sys.path.pop(0)
    return hand_written(torch.nn, torch)


def test_each_example_shows_convlibs_summary_of_its_printed_text(open_page):
    page, errors, _ = open_page(CHAPTER_6)
    assert page.locator(EXPLORER).count() == 1
    select = page.locator(f'{EXPLORER} select[data-trait="preset"]')
    for name, text, shape in PRESETS:
        select.select_option(label=name)
        assert page.locator(f'{EXPLORER} textarea[data-trait="text"]').input_value() == text
        assert shown(page) == expected(text, shape), name
    ambiguous = next(p for p in PRESETS if "ambiguous" in p[0])
    select.select_option(label=ambiguous[0])
    assert "BasicBlock" in shown(page)["warnings"][0] and shown(page)["error"]
    assert errors == []


def test_a_pasted_printed_model_shows_convlibs_summary(open_page):
    page, errors, _ = open_page(CHAPTER_6)
    for text, shape in printed_fixture_models():
        paste(page, text, shape)
        assert shown(page) == expected(text, shape), text[:80]
    assert page.locator(f'{EXPLORER} select[data-trait="preset"]').input_value() == ""
    assert errors == []


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Sequential(\n  (0): Conv2d 3 8\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), groups=2)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3))\n)", "4, 8, 8"),
        ("Conv2d(3, 8, kernel_size=(3, 3))", "3, eight"),
        ("3,1,1; 3,0,1", "1, 16, 16"),
    ],
)
def test_malformed_text_or_shape_shows_convlibs_message(open_page, text, shape):
    page, errors, _ = open_page(CHAPTER_6)
    paste(page, text, shape)
    info = describe_model(text, shape)
    assert "error" in info and shown(page)["error"] == f"convlib says: {info['error']}"
    assert page.locator(f"{EXPLORER} table.cl-summary").count() == 0
    assert errors == []


def test_the_chosen_example_is_kept_in_the_page_url(open_page):
    page, _, _ = open_page(CHAPTER_6)
    name, text, shape = PRESETS[2]
    page.locator(f'{EXPLORER} select[data-trait="preset"]').select_option(label=name)
    hash_ = urlparse(page.url).fragment
    assert hash_
    again, errors, _ = open_page(CHAPTER_6, f"#{hash_}")
    assert again.locator(f'{EXPLORER} textarea[data-trait="text"]').input_value() == text
    assert shown(again) == expected(text, shape)
    assert errors == []
