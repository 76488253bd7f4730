"""Separable convolutions: a kernel as an outer product; depthwise then pointwise."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from convlib.functional.separable import separate_kernel
from convlib.plotting import palette
from convlib.plotting.grid import draw_grid, finish, format_number


def draw_outer_product(kernel, ax=None):
    """A rank-1 kernel as column vector x row vector = matrix, factors from the SVD."""
    kernel = np.asarray(kernel, dtype=float)
    factors = separate_kernel(kernel)
    column, row = factors.columns[0], factors.rows[0]
    nonzero = np.abs(column[np.abs(column) > 1e-12])
    scale = nonzero.min() if nonzero.size else 1.0  # smallest column entry 1: integer-looking
    column, row = column / scale, row * scale
    if ax is None:
        ax = Figure(figsize=(5.0, 2.2)).add_subplot()
    kh, kw = kernel.shape

    def labels(array):
        return np.vectorize(lambda v: format_number(round(v, 3)), otypes=[object])(array)

    draw_grid(
        ax,
        (kh, 1),
        (0, 0),
        np.full((kh, 1), palette.INPUT_LIGHT, object),
        values=labels(column[:, None]),
    )
    ax.text(1.6, kh / 2, "\u00d7", ha="center", va="center", fontsize=16)
    draw_grid(
        ax,
        (1, kw),
        (2.2, (kh - 1) / 2),
        np.full((1, kw), palette.KERNEL, object),
        values=labels(row[None, :]),
    )
    ax.text(2.2 + kw + 0.6, kh / 2, "=", ha="center", va="center", fontsize=16)
    draw_grid(
        ax,
        (kh, kw),
        (2.2 + kw + 1.2, 0),
        np.full((kh, kw), palette.OUTPUT_LIGHT, object),
        values=labels(kernel),
    )
    verdict = "separable" if factors.error < 1e-9 else f"rank-1 error {factors.error:.3g}"
    finish(
        ax,
        f"{kh}\u00d7{kw} kernel = column \u00d7 row ({verdict}):\n"
        f"{kh + kw} numbers instead of {kh * kw}",
    )
    return ax


def draw_separable_stages(channels: int = 3, out_channels: int = 4, kernel_size: int = 3, ax=None):
    """Depthwise-separable convolution as its two stages, with the parameter count of each."""
    if ax is None:
        ax = Figure(figsize=(6.4, 2.6)).add_subplot()
    k = kernel_size
    for c in range(channels):
        color = palette.group_color(c)
        ax.add_patch(_square(0, c * 1.3, 1, color))
        ax.add_patch(_square(2, c * 1.3, 0.8, color, alpha=0.6))
        ax.annotate(
            "",
            (1.9, c * 1.3 + 0.5),
            (1.1, c * 1.3 + 0.5),
            arrowprops={"arrowstyle": "->", "color": palette.EDGE},
        )
        for o in range(out_channels):
            y = o * (channels * 1.3) / out_channels
            ax.plot([2.8, 4.5], [c * 1.3 + 0.4, y + 0.4], color=palette.EDGE, lw=0.6, alpha=0.6)
    for o in range(out_channels):
        y = o * (channels * 1.3) / out_channels
        ax.add_patch(_square(4.5, y, 0.8, palette.OUTPUT))
    depthwise, pointwise = channels * k * k, channels * out_channels
    ax.text(0.5, -0.6, "input\nchannels", ha="center", fontsize=8)
    ax.text(2.4, -0.6, f"depthwise {k}\u00d7{k}\n{depthwise} weights", ha="center", fontsize=8)
    ax.text(4.9, -0.6, f"pointwise 1\u00d71\n{pointwise} weights", ha="center", fontsize=8)
    ax.set_xlim(-0.3, 5.6)
    ax.set_ylim(channels * 1.3 + 0.2, -1.4)
    finish(
        ax,
        f"depthwise separable: {depthwise + pointwise} weights vs "
        f"{channels * out_channels * k * k} for a standard {k}\u00d7{k} convolution",
    )
    ax.invert_yaxis()  # finish() inverted it; the limits above are already top-down
    return ax


def _square(x, y, size, color, alpha=1.0):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), size, size, facecolor=color, edgecolor=palette.EDGE, alpha=alpha)
