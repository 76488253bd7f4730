"""The book's figure style (convlib.plotting.style): SVG, text as text, themed for dark pages."""

from __future__ import annotations

import base64
import re

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from convlib import plotting
from convlib.plotting import palette, style


def small_figure() -> Figure:
    with matplotlib.rc_context(style.BOOK_RC):
        figure = Figure(figsize=(3, 2))
        ax = figure.add_subplot()
        ax.plot([0, 1], [1, 0])
        ax.set_title("a title")
    return figure


def test_book_figure_is_an_svg_whose_text_stays_text_on_a_transparent_background():
    svg = plotting.figure_to_svg(small_figure())
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert re.search(r"<text[^>]*>a title</text>", svg)  # not glyph paths
    assert "fill: #ffffff" not in svg.lower()  # no white card behind the figure


def test_book_figure_recolours_ink_and_edge_on_a_dark_page():
    svg = plotting.figure_to_svg(small_figure())
    sheet = svg[svg.index("<style") : svg.index("</style>")]
    assert "prefers-color-scheme: dark" in sheet
    for light, dark in ((palette.INK, palette.INK_DARK), (palette.EDGE, palette.EDGE_DARK)):
        assert f'[style*="fill: {light.lower()}"] {{ fill: {dark} !important }}' in sheet
    assert f"fill: {palette.INK.lower()}" in svg.lower()  # the title is drawn in INK


def test_theme_svg_refuses_text_without_an_svg_element():
    with pytest.raises(ValueError, match="svg must contain an <svg> element"):
        style.theme_svg("<html></html>")


def test_use_book_style_makes_ipython_show_figures_as_themed_svg():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    with matplotlib.rc_context():
        plotting.use_book_style()
        data, _ = shell.display_formatter.format(small_figure())
    assert "image/png" not in data
    assert "prefers-color-scheme: dark" in data["image/svg+xml"]


def test_animation_player_frames_are_themed_svgs_shown_at_96_css_px_per_inch():
    animation = plotting.animate_conv(4, 3, show_numbers=True)
    player = plotting.to_html(animation)
    frames = re.findall(r'"data:image/(\w+)[^;]*;base64,([^"]+)"', player)
    assert len(frames) == 4 and {kind for kind, _ in frames} == {"svg"}
    for _, data in frames:
        svg = base64.b64decode(data).decode()
        assert "prefers-color-scheme: dark" in svg
        assert "fill: #ffffff" not in svg  # no white card behind the frame on a dark page
    width = round(animation._fig.get_figwidth() * 96)
    assert re.search(rf'<img id="_anim_img\w+" alt="[^"]+" width="{width}"', player)


@pytest.mark.parametrize("width", [4.0, 7.5, 10.0])
def test_no_text_of_a_book_figure_shows_under_10_css_px_in_the_column(width):
    figure = Figure(figsize=(width, 2))
    ax = figure.add_subplot()
    ax.plot([0, 1], [1, 0], label="a line")
    ax.legend(fontsize=5)
    ax.set_title("a title", fontsize=6)
    ax.tick_params(labelsize=4)
    plotting.figure_to_svg(figure)
    scale = min(1.0, style.BOOK_COLUMN_PX / (width * 96))
    texts = [t for t in figure.findobj(Text) if t.get_text().strip()]
    ticks = ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks()
    texts += [tick.label1 for tick in ticks]
    assert len(texts) > 5
    assert min(t.get_fontsize() * 96 / 72 * scale for t in texts) >= style.MIN_TEXT_PX
