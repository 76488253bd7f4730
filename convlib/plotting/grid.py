"""Drawing grids of cells: one PatchCollection per grid, so a frame only recolours it."""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlib.plotting import palette


def new_axes(ax: Axes | None, figsize=(6.4, 3.2)) -> Axes:
    """The given axes, or a fresh one on a new Figure (not pyplot: no global state) whose background
    is ``rcParams["figure.facecolor"]`` (transparent in the book's style)."""
    if ax is not None:
        return ax
    figure = Figure(figsize=figsize, layout="constrained")
    return figure.add_subplot()


def finish(ax: Axes, title: str) -> None:
    ax.set_title(title, color=palette.INK)
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.axis("off")


@dataclasses.dataclass
class Grid:
    """A rows x cols grid of unit cells with its top-left corner at ``origin`` (x, y)."""

    collection: PatchCollection
    shape: tuple[int, int]
    origin: tuple[float, float]
    texts: dict

    def set_colors(self, colors: np.ndarray) -> None:
        """Recolour every cell: ``colors`` has shape ``(rows, cols)`` of colour strings."""
        self.collection.set_facecolors(list(np.asarray(colors, dtype=object).ravel()))


def draw_grid(
    ax: Axes,
    shape: tuple[int, int],
    origin: tuple[float, float],
    colors: np.ndarray,
    hatches: np.ndarray | None = None,
    values: np.ndarray | None = None,
    fontsize: float = 8,
) -> Grid:
    """Draw a grid of unit squares; ``hatches`` marks cells drawn hatched (padding)."""
    rows, cols = shape
    cells = [
        Rectangle((origin[0] + c, origin[1] + r), 1, 1) for r in range(rows) for c in range(cols)
    ]
    collection = PatchCollection(
        cells,
        facecolors=list(np.asarray(colors, dtype=object).ravel()),
        edgecolors=palette.EDGE,
        linewidths=0.8,
    )
    ax.add_collection(collection)
    if hatches is not None and np.any(hatches):
        hatched = [
            Rectangle((origin[0] + c, origin[1] + r), 1, 1)
            for r in range(rows)
            for c in range(cols)
            if hatches[r, c]
        ]
        ax.add_collection(
            PatchCollection(
                hatched,
                facecolors="none",
                edgecolors=palette.EDGE,
                hatch="///",
                linewidths=0.0,
                alpha=0.45,
            )
        )
    texts = {}
    if values is not None:
        for r in range(rows):
            for c in range(cols):
                if values[r][c] is not None:
                    texts[r, c] = ax.text(
                        origin[0] + c + 0.5,
                        origin[1] + r + 0.5,
                        values[r][c],
                        ha="center",
                        va="center",
                        fontsize=fontsize,
                        color=palette.TEXT,
                    )
    ax.update_datalim([origin, (origin[0] + cols, origin[1] + rows)])
    ax.autoscale_view()
    return Grid(collection, shape, origin, texts)


def format_number(value: float) -> str:
    """Short label for a cell: integers without decimals, others with up to 2."""
    value = float(value) + 0.0  # no "-0"
    if value.is_integer():
        return f"{value:.0f}".replace("-0", "0") if value == 0 else f"{value:.0f}"
    return f"{value:.2g}"


def size_text(values: tuple[int, ...]) -> str:
    return "\u00d7".join(str(v) for v in values)


def to_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render a Figure to PNG bytes (Agg, deterministic)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
