"""The book's figure style: sharp SVG figures that follow the page's light or dark theme.

Every static figure and every animation frame of the book is an SVG whose text stays text
(``svg.fonttype = "none"``), drawn on a transparent background. Colours that sit on the page
background (text, axes, ticks, arrows) are the palette's ``INK`` and ``EDGE``; each SVG carries a
small style sheet that swaps them for light colours when the page is dark. An SVG shown by an
``<img>`` follows the colour scheme of the page that embeds it, so the book's theme switch
(``html[data-theme=dark]`` sets ``color-scheme: dark``) recolours the figures too. Data colours
(images, colour maps, cells and their values) are left as they are: a figure's numbers and colours
mean the same thing in both themes.

:func:`use_book_style` is called once by each chapter's first cell; :func:`figure_to_svg` is the one
place a Figure becomes the book's SVG.
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib
from matplotlib.figure import Figure
from matplotlib.text import Text

from convlib.plotting import palette

CSS_PX_PER_INCH = 96  # a CSS pixel is 1/96 in; matplotlib's SVG point is 1/72 in
BOOK_COLUMN_PX = 720  # the content column at 1366 px is 741 CSS px; a player's panel is less
MIN_TEXT_PX = 10.0  # no text in a figure under 10 CSS px at desktop width (issue 26)

# colour on the light page -> colour on the dark page (only colours drawn on the page background)
DARK_COLOURS = {palette.INK: palette.INK_DARK, palette.EDGE: palette.EDGE_DARK}

BOOK_RC = {
    "svg.fonttype": "none",  # text stays text: sharp, selectable, recoloured in the dark theme
    "svg.hashsalt": "convlib",  # deterministic ids: the same figure gives the same file
    "figure.facecolor": "none",  # transparent: the figure sits on the page's own background
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "legend.facecolor": "none",
    "text.color": palette.INK,
    "axes.labelcolor": palette.INK,
    "axes.edgecolor": palette.INK,
    "axes.titlecolor": palette.INK,
    "xtick.color": palette.INK,
    "ytick.color": palette.INK,
    "patch.edgecolor": palette.EDGE,
    "hatch.color": palette.EDGE,
    "font.size": 10.0,
    # images keep their own pixels (embedded at their size, drawn pixelated by the browser) instead
    # of being resampled to 72 dpi, which is blurry on a high-density screen
    "image.interpolation": "none",
}


def dark_style_sheet() -> str:
    """The CSS that an SVG of the book carries: ``INK``/``EDGE`` become light on a dark page."""
    rules = []
    for light, dark in DARK_COLOURS.items():
        for prop in ("fill", "stroke"):
            for spelling in {light.lower(), light.upper()}:
                rules.append(f'[style*="{prop}: {spelling}"] {{ {prop}: {dark} !important }}')
    return "@media (prefers-color-scheme: dark) {\n" + "\n".join(rules) + "\n}"


_ROOT_TAG = re.compile(r"<svg\b[^>]*>")


def theme_svg(svg: str) -> str:
    """Insert :func:`dark_style_sheet` right after the root ``<svg>`` tag of ``svg``."""
    match = _ROOT_TAG.search(svg)
    if match is None:
        raise ValueError("svg must contain an <svg> element; received text without one")
    sheet = f'\n <style type="text/css">\n{dark_style_sheet()}\n </style>'
    return svg[: match.end()] + sheet + svg[match.end() :]


def readable_text(figure: Figure, column_px: float = BOOK_COLUMN_PX) -> None:
    """Raise every text of ``figure`` that would show under :data:`MIN_TEXT_PX` CSS px.

    The figure is shown at 96 CSS px per inch, shrunk to ``column_px`` when wider (the book's
    content column); a text's size in points is 4/3 of its CSS px at full size.
    """
    scale = min(1.0, column_px / (figure.get_figwidth() * CSS_PX_PER_INCH))
    floor = MIN_TEXT_PX / scale * 72 / CSS_PX_PER_INCH * 1.02  # in points, with a 2% margin
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for ticks in (axis.get_major_ticks(), axis.get_minor_ticks()):
                if ticks and ticks[0].label1.get_fontsize() < floor:
                    axis.set_tick_params(which="both", labelsize=floor)
    for text in figure.findobj(Text):
        if text.get_text().strip() and text.get_fontsize() < floor:
            text.set_fontsize(floor)


def figure_to_svg(figure: Figure) -> str:
    """The book's SVG of ``figure``: tight bounding box, text as text and at least
    :data:`MIN_TEXT_PX` CSS px in the book's column (:func:`readable_text`), dark-theme style sheet.
    """
    readable_text(figure)
    buffer = io.StringIO()
    with matplotlib.rc_context(BOOK_RC):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return theme_svg(buffer.getvalue())


_SVG_FRAME = re.compile(r'"data:image/svg\+xml;base64,([A-Za-z0-9+/=\s\\]+)"')


# matplotlib's animation writer paints the figure white behind every frame (patch_1)
_WHITE_FIGURE = re.compile(r'(<g id="patch_1">\s*<path d="[^"]*"\s*style=")fill: #ffffff')


def theme_svg_frames(player: str) -> str:
    """Apply :func:`theme_svg` to every base64 SVG frame embedded in an animation's HTML, on a
    transparent background (matplotlib's animation writer composites frames onto white)."""

    def themed(match: re.Match) -> str:
        svg = base64.b64decode(match.group(1).replace("\\n", "")).decode("utf-8")
        svg = _WHITE_FIGURE.sub(r"\1fill: none", svg, count=1)
        data = base64.b64encode(theme_svg(svg).encode("utf-8")).decode("ascii")
        return f'"data:image/svg+xml;base64,{data}"'

    return _SVG_FRAME.sub(themed, player)


def use_book_style() -> None:
    """Apply :data:`BOOK_RC` and, inside IPython, show every Figure as :func:`figure_to_svg`.

    Call it once, after ``%matplotlib inline``: a Figure returned by a cell is then displayed as the
    book's SVG (no PNG), in the notebook and in the built book alike.
    """
    matplotlib.rcParams.update(BOOK_RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks only
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/jpeg", "application/pdf"):
        formatters[mime].pop(Figure, None)
    formatters["image/svg+xml"].for_type(Figure, figure_to_svg)
