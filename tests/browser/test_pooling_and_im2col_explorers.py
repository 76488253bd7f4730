"""Chapter 7's pooling explorer and chapter 8's im2col explorer in the built book, in headless
Chromium with every other host blocked: the pooling explorer shows a pooling layer's PyTorch
call and no parameter count, and hovering or focusing an output cell writes how convlib's value
was obtained (the maximum and where, or the sum over PyTorch's divisor); the im2col explorer
fills its window matrix column by column with convlib's im2col values; moving a control writes
the setting into the page URL and reloading that URL restores it; no console error.

Run after a book build (``make book``; ``CONVLIB_BOOK_HTML`` points at another build).
"""

from __future__ import annotations

import importlib

import numpy as np

from convlib import widgets

pooling_module = importlib.import_module("convlib.widgets.pooling_explorer")
im2col_module = importlib.import_module("convlib.widgets.im2col_explorer")
CHAPTER_7 = "notebooks/07_pooling.html"
CHAPTER_8 = "notebooks/08_computing.html"
# the chapters' calls: widgets.pooling_explorer(input_size=6, kernel_size=2, stride=2) and
# widgets.im2col_explorer(in_channels=2, input_size=5, kernel_size=3, padding=1)
POOL = {"input_size": 6, "kernel_size": 2, "stride": 2}
IM2COL = {"in_channels": 2, "input_size": 5, "kernel_size": 3, "padding": 1}


def test_chapter_7_explorer_shows_a_pooling_call_and_no_parameter_count(open_page):
    page, errors, _ = open_page(CHAPTER_7)
    assert page.locator(".cl-pool").count() == 1
    text = page.locator(".cl-pool .cl-text").inner_text()
    assert "nn.MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)" in text
    assert "nn.Conv2d" not in text and "parameters" not in text.lower()
    page.locator('.cl-pool select[data-trait="mode"]').select_option(label="average")
    text = page.locator(".cl-pool .cl-text").inner_text()
    assert "nn.AvgPool2d(kernel_size=2, stride=2, padding=0)" in text
    assert "parameters" not in text.lower()
    assert errors == []


def test_chapter_7_hovering_an_output_writes_how_convlibs_value_was_obtained(open_page):
    page, errors, _ = open_page(CHAPTER_7)
    explorer = page.locator(".cl-pool")
    values = np.asarray(pooling_module.explorer_values())[:6, :6]
    info = widgets.describe_pooling("max", **POOL)
    cell = explorer.locator('g[data-flat="5"]')  # output (1, 2)
    cell.hover()
    line = explorer.locator(".cl-derivation").inner_text()
    window = values[2:4, 4:6].ravel().tolist()
    index = info["indices"][1][2]
    assert line.startswith(
        f"output (1, 2) = max({', '.join(map(str, window))}) = {info['values'][1][2]:g}, "
        f"at input ({index // 6}, {index % 6})"
    )
    assert cell.text_content() == f"{info['values'][1][2]:g}"
    lit = explorer.locator("g.cl-c.lit")
    assert lit.count() == 4
    best = explorer.locator("g.cl-c.best")
    assert best.get_attribute("data-r") == str(index // 6)
    assert best.get_attribute("data-c") == str(index % 6)

    # average pooling with padding 1 and count_include_pad=False: the corner divides by 4
    explorer.locator('select[data-trait="mode"]').select_option(label="average")
    explorer.locator('input[data-trait="kernel_size"]').focus()
    page.keyboard.press("ArrowRight")  # kernel 3 (padding 1 needs kernel_size // 2 >= 1)
    explorer.locator('input[data-trait="padding"]').focus()
    page.keyboard.press("ArrowRight")
    explorer.locator('select[data-trait="count_include_pad"]').select_option(label="False")
    info = widgets.describe_pooling(
        "avg", 6, 3, 2, padding=1, count_include_pad=False, input_values=None
    )
    corner = explorer.locator('g[data-flat="0"]')
    corner.focus()  # keyboard focus writes the same line as hovering
    line = explorer.locator(".cl-derivation").inner_text()
    sum_, divisor = info["sums"][0][0], info["divisors"][0][0]
    assert divisor == 4
    value = f"{round(info['values'][0][0], 4):g}"
    assert f"/ {divisor} = {sum_:g} / {divisor} = {value};" in line, line
    assert "count_include_pad=False" in line
    assert errors == []


def test_chapter_7_settings_go_into_the_url_and_come_back_on_reload(open_page):
    page, errors, _ = open_page(CHAPTER_7)
    stride = page.locator('.cl-pool input[data-trait="stride"]')
    stride.focus()
    page.keyboard.press("ArrowRight")
    assert "pool.stride=3" in page.evaluate("() => location.hash")
    hash_ = page.evaluate("() => location.hash")
    again, errors_again, _ = open_page(CHAPTER_7, hash_)
    assert again.locator('.cl-pool input[data-trait="stride"]').input_value() == "3"
    assert "stride=3" in again.locator(".cl-pool .cl-text").inner_text()
    assert errors == errors_again == []


def test_chapter_8_im2col_explorer_fills_convlibs_window_matrix_column_by_column(open_page):
    page, errors, _ = open_page(CHAPTER_8)
    explorer = page.locator(".cl-im2col")
    assert explorer.count() == 1
    built = im2col_module.window_matrix(2, 5, 3, 1, 1, 1)
    info = widgets.describe_im2col(2, 2, 5, 3, 1, 1, 1)
    text = explorer.locator(".cl-text").inner_text()
    assert f"= ({info['rows']}, {info['columns']})" in text and "18, 25" in text
    assert "9\u00d7 the input" in text
    matrix = explorer.locator('svg[role="slider"]')
    matrix.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    filled = explorer.evaluate(  # one text per matrix row: the numbers of the filled columns
        "root => [...root.querySelectorAll('g.cl-values text')].map(node => node.textContent)"
    )
    assert filled == ["".join(f"{v:g}" for v in row[:4]) for row in built["matrix"]]
    assert explorer.locator('svg[role="slider"]').get_attribute("aria-valuenow") == "3"
    assert explorer.locator("rect.cl-lit").count() == info["rows"]  # the window, both channels
    play = explorer.locator(".cl-controls button[aria-pressed]")
    play.click()
    page.wait_for_timeout(1600)
    play.click()
    assert explorer.locator('input[data-trait="position"]').input_value() not in ("3",)
    assert errors == []
