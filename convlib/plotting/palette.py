"""One palette for every figure: Okabe & Ito's colour-blind-safe colours.

Figures are drawn on an explicit white card with dark text, so they read the same on the book's
light and dark themes (a transparent figure would put dark text on a dark page).
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
TEXT = "#1A1A1A"
EDGE = "#4D4D4D"
BACKGROUND = "#FFFFFF"
SEQUENTIAL_MAP = "viridis"  # perceptually uniform, colour-blind safe
DIVERGING_MAP = "RdBu_r"


def group_color(index: int) -> str:
    """Colour of channel group ``index`` (cycles after eight groups)."""
    return GROUPS[index % len(GROUPS)]
