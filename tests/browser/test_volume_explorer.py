"""The volume explorer in the built book (chapters 4, 5 and 7), in headless Chromium with every
other host blocked: its drawing changes when the groups control moves and its counts equal
convlib's layer specs'; hovering an output channel's number lights exactly the input channels
convlib.conv2d feeds it from (and hovering an output cell, exactly the cells it depends on);
the pixel-shuffle view lights the input cell convlib.pixel_shuffle copies; moving a control
writes the page URL and reloading restores it; no console error.

Run after a book build (``make book``; ``CONVLIB_BOOK_HTML`` points at another build).
"""

from __future__ import annotations

import pytest

import convlib
from convlib import widgets
from convlib.widgets.volume_explorer import channel_reads, dependencies

CHAPTER_4 = "notebooks/04_separable.html"
CHAPTER_5 = "notebooks/05_grouped.html"
CHAPTER_7 = "notebooks/07_pooling.html"
# the chapters' calls: widgets.volume_explorer(in_channels=4, out_channels=8, groups=2) in
# chapter 5, mode="separable", in_channels=4, out_channels=8, size=4 in chapter 4 and
# mode="pixel_shuffle", in_channels=8, size=3, upscale_factor=2 in chapter 7
EXPLORER = ".cl-vol"
LIT = """(root, index) => [...root.querySelectorAll('.cl-vols > svg')[index]
    .querySelectorAll('polygon.lit')].map(p => Number(p.dataset.i)).sort((a, b) => a - b)"""


def lit_cells(explorer, volume: int = 0) -> list[int]:
    """The flat indices of the lit cells of the explorer's `volume`-th drawing (0: the input)."""
    return explorer.evaluate(LIT, volume)


def counts_line(c_in, c_out, groups, k=3, size=4) -> tuple[str, str]:
    """The starts of the explorer's parameter and MAC counts, as convlib counts them."""
    layer = convlib.Conv2d(c_in, c_out, k, padding=k // 2, groups=groups)
    return f"parameters {layer.num_params:,} = ", f"MACs {layer.macs((c_in, size, size)):,} = "


def test_chapter_5_volume_drawing_follows_groups_and_counts_equal_convlibs(open_page):
    page, errors, _ = open_page(CHAPTER_5)
    explorer = page.locator(EXPLORER)
    assert explorer.count() == 1
    before = explorer.locator(".cl-drawing").inner_html()
    for groups in (2, 4, 1):  # the slider walks the common divisors 1, 2, 4 of 4 and 8
        slider = explorer.locator('input[data-trait="groups"]')
        slider.focus()
        current = int(explorer.locator('input[data-trait="groups"] + output').inner_text())
        key = "ArrowRight" if groups > current else "ArrowLeft"
        while int(explorer.locator('input[data-trait="groups"] + output').inner_text()) != groups:
            page.keyboard.press(key)
        text = explorer.locator(".cl-text").inner_text()
        params, macs = counts_line(4, 8, groups)
        assert params in text and macs in text, text
        kind = convlib.nn.summaries.conv_kind(convlib.Conv2d(4, 8, 3, groups=groups))
        assert text.startswith(f"{kind} convolution")
        layer = convlib.Conv2d(4, 8, 3, padding=1, groups=groups)
        assert layer.torch_code() in text
        drawn = explorer.locator(".cl-drawing").inner_html()
        assert (drawn != before) == (groups != 2)
    assert errors == []


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_chapter_5_hovering_an_output_channel_lights_exactly_its_groups_input_channels(
    open_page, groups
):
    page, errors, _ = open_page(CHAPTER_5, f"#volume.groups={groups}")
    explorer = page.locator(EXPLORER)
    assert explorer.locator('input[data-trait="groups"] + output').inner_text() == str(groups)
    reads = channel_reads(4, 8, groups)
    for o in range(8):
        explorer.locator(f'.cl-vols > svg:last-child g[data-channel="{o}"]').hover()
        channels = sorted({i // 16 for i in lit_cells(explorer)})  # 4 x 4 cells per channel
        assert channels == reads[o], (o, channels)
        assert len(lit_cells(explorer)) == 16 * len(reads[o])  # whole channels
    deps = dependencies("convolution", 4, 8, groups, 3, 4)
    for flat in (0, 21, 127):
        explorer.locator(f'.cl-vols > svg:last-child polygon[data-i="{flat}"]').hover()
        assert lit_cells(explorer) == deps[flat]
    assert errors == []


def test_chapter_5_impossible_groups_show_convlibs_message(open_page):
    page, errors, _ = open_page(CHAPTER_5)
    explorer = page.locator(EXPLORER)
    c_in = explorer.locator('input[data-trait="in_channels"]')
    c_in.focus()
    page.keyboard.press("ArrowLeft")  # 3 input channels: groups=2 does not divide them
    message = widgets.describe_volume(in_channels=3, out_channels=8, groups=2)["error"]
    assert explorer.locator(".cl-error").inner_text().endswith(message)
    assert "Traceback" not in explorer.inner_text()
    assert errors == []


def test_chapter_4_separable_view_lights_every_channel_through_the_depthwise_step(open_page):
    page, errors, _ = open_page(CHAPTER_4)
    explorer = page.locator(EXPLORER)
    assert explorer.count() == 1
    deps = dependencies("separable", 4, 8, 2, 3, 4)
    explorer.locator('.cl-vols > svg:last-child polygon[data-i="37"]').hover()  # channel 2, (1, 1)
    assert lit_cells(explorer) == deps[37]
    assert lit_cells(explorer, 2) == [c * 16 + 5 for c in range(4)]  # depthwise output, (1, 1)
    info = widgets.describe_volume("separable", 4, 8, size=4)
    text = explorer.locator(".cl-text").inner_text()
    assert f"together: parameters {info['params']:,}, MACs {info['macs']:,}" in text
    assert ", ".join(step["torch"] for step in info["steps"]) in text
    assert errors == []


def test_chapter_7_pixel_shuffle_view_lights_the_cell_pixel_shuffle_copies(open_page):
    page, errors, _ = open_page(CHAPTER_7)
    explorer = page.locator(EXPLORER)
    assert explorer.count() == 1
    source = widgets.describe_volume("pixel_shuffle", 8, size=3, upscale_factor=2)["source"]
    for flat in (0, 7, 40, 71):
        explorer.locator(f'.cl-vols > svg:last-child polygon[data-i="{flat}"]').hover()
        assert lit_cells(explorer) == [source[flat]]
    assert "nn.PixelShuffle(upscale_factor=2)" in explorer.locator(".cl-text").inner_text()
    assert errors == []


def test_volume_settings_go_into_the_url_and_come_back_on_reload(open_page):
    page, errors, _ = open_page(CHAPTER_5)
    kernel = page.locator(f'{EXPLORER} input[data-trait="kernel_size"]')
    kernel.focus()
    page.keyboard.press("ArrowRight")
    hash_ = page.evaluate("() => location.hash")
    assert "volume.kernel_size=4" in hash_
    again, errors_again, _ = open_page(CHAPTER_5, hash_)
    assert again.locator(f'{EXPLORER} input[data-trait="kernel_size"]').input_value() == "4"
    assert "kernel_size=4" in again.locator(f"{EXPLORER} .cl-text").inner_text()
    assert errors == errors_again == []
