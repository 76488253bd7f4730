"""One palette for every figure: Okabe & Ito's colour-blind-safe colours.

Figures are transparent: what sits on the page background (titles, labels, axes, arrows) is
drawn in ``INK`` and ``EDGE``, which the book's SVGs swap for ``INK_DARK`` and ``EDGE_DARK`` on a
dark page (see :mod:`convlib.plotting.style`); cells keep their light colours and dark ``TEXT``.
"""

from __future__ import annotations

INPUT = "#56B4E9"  # sky blue: input cells
INPUT_LIGHT = "#D5ECF9"
PADDING = "#E6E6E6"  # light grey, hatched: padding cells
INSERTED = "#F4F1DE"  # pale sand, dotted: zeros inserted between input cells (transposed view)
KERNEL = "#E69F00"  # orange: the kernel footprint
OUTPUT = "#009E73"  # bluish green: output cells
OUTPUT_LIGHT = "#CCEBE3"
HIGHLIGHT = "#D55E00"  # vermillion: the cell being computed
GROUPS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
TEXT = "#1A1A1A"  # values inside cells (on light cell colours, in both themes)
INK = "#1C1C1C"  # text and lines on the page background (light theme)
INK_DARK = "#E6E6E6"  # the same on the dark page (contrast 14:1 on pydata's #14181e)
EDGE = "#4D4D4D"
EDGE_DARK = "#A6A6A6"
BACKGROUND = "#FFFFFF"  # white cells (e.g. zeros of a block-diagonal matrix)
SEQUENTIAL_MAP = "viridis"  # perceptually uniform, colour-blind safe
DIVERGING_MAP = "RdBu_r"


def group_color(index: int) -> str:
    """Colour of channel group ``index`` (cycles after eight groups)."""
    return GROUPS[index % len(GROUPS)]
