"""Pooling windows, the sample positions of upsampling (``align_corners``) and pixel shuffle.

Every picture computes its numbers with convlib itself: the pooled values with
:func:`convlib.max_pool2d` / :func:`convlib.avg_pool2d`, the sample positions by interpolating a
ramp with :func:`convlib.interpolate` (linear interpolation of ``0, 1, ..., n-1`` *is* the source
position), the rearrangement with :func:`convlib.pixel_shuffle`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from convlib.functional.pooling import avg_pool2d, max_pool2d
from convlib.functional.resampling import interpolate, pixel_shuffle
from convlib.geometry.shapes import pool_geometry
from convlib.plotting import palette
from convlib.plotting.grid import draw_grid, finish, format_number, new_axes, size_text


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def draw_pooling(
    input,
    kernel_size=2,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    mode="max",
    count_include_pad=True,
    output_index=(0, 0),
    ax=None,
):
    """One pooling window on a 2-D input, and the whole output.

    The padded input is drawn with its padding hatched (labelled ``-inf`` for max pooling, 0 for
    average pooling) and, in ceil mode, the cells a last window reaches beyond the padding
    dashed; the window's cells are orange, the maximum (``mode='max'``) vermillion. The output,
    computed by convlib, is on the right with ``output_index`` highlighted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = np.asarray(input, dtype=float)
    k, p, d = _pair(kernel_size), _pair(padding), _pair(dilation)
    s = k if stride is None else _pair(stride)
    if mode == "max":
        y, indices = max_pool2d(x[None], k, s, p, d, ceil_mode, return_indices=True)
        y, indices = y[0], indices[0]
    elif mode == "avg":
        if d != (1, 1):
            raise ValueError(f"average pooling has no dilation; received dilation={dilation!r}")
        y = avg_pool2d(x[None], k, s, p, ceil_mode, count_include_pad)[0]
    else:
        raise ValueError(f"mode must be 'max' or 'avg'; received mode={mode!r}")
    plan = pool_geometry(x.shape, k, s, p, d, ceil_mode)
    out = plan.output_size
    row, col = output_index
    if not (0 <= row < out[0] and 0 <= col < out[1]):
        raise ValueError(
            f"output_index must lie in the {size_text(out)} output; received {output_index!r}"
        )
    # the drawn canvas: padding on both sides, plus what a ceil-mode window reaches beyond it
    spans = plan.effective_kernel_size
    reach = [(o - 1) * si + e for o, si, e in zip(out, s, spans, strict=True)]
    extent = [max(n + 2 * pi, r) for n, pi, r in zip(x.shape, p, reach, strict=True)]
    colors = np.full(extent, palette.INPUT_LIGHT, dtype=object)
    hatches = np.zeros(extent, dtype=bool)
    values = np.full(extent, None, dtype=object)
    pad_label = "-\u221e" if mode == "max" else "0"
    for r in range(extent[0]):
        for c in range(extent[1]):
            i, j = r - p[0], c - p[1]
            if 0 <= i < x.shape[0] and 0 <= j < x.shape[1]:
                values[r, c] = format_number(x[i, j])
            elif r < x.shape[0] + 2 * p[0] and c < x.shape[1] + 2 * p[1]:
                colors[r, c], hatches[r, c], values[r, c] = palette.PADDING, True, pad_label
            else:
                colors[r, c] = palette.BACKGROUND
    taps = [
        (row * s[0] + a * d[0], col * s[1] + b * d[1]) for a in range(k[0]) for b in range(k[1])
    ]
    for r, c in taps:
        colors[r, c] = palette.KERNEL
    if mode == "max":
        flat = int(indices[row, col])
        top = (flat // x.shape[1] + p[0], flat % x.shape[1] + p[1])
        if top in taps:  # a window of padding only has no maximum to show
            colors[top] = palette.HIGHLIGHT
    ax = new_axes(ax, figsize=(7.0, 3.4))
    draw_grid(ax, tuple(extent), (0, 0), colors, hatches, values)
    if extent != [n + 2 * pi for n, pi in zip(x.shape, p, strict=True)]:
        ax.add_patch(
            _frame(x.shape[1] + 2 * p[1], x.shape[0] + 2 * p[0], palette.EDGE, linestyle="--")
        )
    left = extent[1] + 1.5
    out_colors = np.full(out, palette.OUTPUT_LIGHT, dtype=object)
    out_colors[row, col] = palette.OUTPUT
    labels = np.vectorize(lambda v: format_number(round(float(v), 2)), otypes=[object])(y)
    draw_grid(ax, tuple(out), (left, 0), out_colors, values=labels)
    ax.annotate(
        "",
        (left - 0.2, out[0] / 2),
        (extent[1] + 0.2, out[0] / 2),
        arrowprops={"arrowstyle": "->", "color": palette.EDGE},
    )
    what = "max" if mode == "max" else "average"
    extras = []
    if ceil_mode:
        extras.append("ceil_mode")
    if mode == "avg" and p != (0, 0):
        extras.append(f"count_include_pad={count_include_pad}")
    if d != (1, 1):
        extras.append(f"dilation {size_text(d)}")
    finish(
        ax,
        f"{what} pooling, kernel {size_text(k)}, stride {size_text(s)}, padding {size_text(p)}"
        f"{', ' if extras else ''}{', '.join(extras)}\n"
        f"input {size_text(x.shape)} \u2192 output {size_text(out)}",
    )
    return ax


def _frame(width, height, color, linestyle="-"):
    from matplotlib.patches import Rectangle

    return Rectangle((0, 0), width, height, fill=False, edgecolor=color, lw=1.6, ls=linestyle)


def sample_positions(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """Where each output cell of linear interpolation reads the input, in input-cell units
    (``0`` is the centre of the first input cell): the interpolated ramp ``0, 1, ..., n-1``."""
    ramp = np.arange(float(in_size))[None, None]
    return interpolate(ramp, size=out_size, mode="linear", align_corners=align_corners)[0, 0]


def draw_align_corners(in_size: int = 3, out_size: int = 6):
    """The input and output cells of linear upsampling on one axis, for both ``align_corners``.

    Top of each panel: ``in_size`` input cells; bottom: ``out_size`` output cells. A line joins
    each output cell's centre to the input position it reads (the dot). With
    ``align_corners=False`` the cells' outer edges coincide and positions before the first
    centre are clamped to it; with ``True`` the corner cells' *centres* coincide.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    for ax, align in zip(figure.subplots(2, 1), (False, True), strict=True):
        positions = sample_positions(in_size, out_size, align)
        width = out_size / in_size  # input cells drawn in output-cell units
        if align:  # centres of the corner cells coincide
            width = (out_size - 1) / (in_size - 1) if in_size > 1 else float(out_size)
        left = 0.5 - width / 2 if align else 0.0

        def centre_x(position, left=left, width=width):
            return left + (position + 0.5) * width

        for i in range(in_size):
            ax.add_patch(_cell(left + i * width, 1.6, width, palette.INPUT_LIGHT))
            ax.plot(centre_x(i), 2.1, "o", color=palette.INPUT, ms=5)
            ax.text(left + i * width + width / 2, 2.85, f"in {i}", ha="center", fontsize=8)
        for j, position in enumerate(positions):
            ax.add_patch(_cell(j, 0, 1, palette.OUTPUT_LIGHT))
            ax.plot(j + 0.5, 0.5, "o", color=palette.OUTPUT, ms=4)
            ax.plot([j + 0.5, centre_x(position)], [0.5, 2.1], color=palette.EDGE, lw=0.8)
            ax.plot(centre_x(position), 2.1, "o", color=palette.HIGHLIGHT, ms=3)
            ax.text(j + 0.5, -0.45, f"{position:.2f}", ha="center", fontsize=8)
        rule = (
            r"src = dst $\cdot$ (n-1)/(o-1)"
            if align
            else r"src = max(0, (dst + 1/2) $\cdot$ n/o - 1/2)"
        )
        ax.set_title(f"align_corners={align}: {rule}", color=palette.INK, fontsize=10)
        ax.set_xlim(min(left, 0) - 0.3, max(left + in_size * width, out_size) + 0.3)
        ax.set_ylim(-0.8, 3.2)
        ax.set_aspect("equal")
        ax.axis("off")
    return figure


def _cell(x0, y0, width, color):
    from matplotlib.patches import Rectangle

    return Rectangle((x0, y0), width, 1, facecolor=color, edgecolor=palette.EDGE, lw=0.8)


def draw_pixel_shuffle(factor: int = 2, size: int = 2, ax=None):
    """PixelShuffle with one output channel: ``factor**2`` low-resolution channels (one colour
    each) interleave into one ``size*factor`` square grid; every cell is labelled with the
    channel it came from.

    Returns
    -------
    matplotlib.axes.Axes
    """
    r = factor
    channel_ids = np.repeat(np.arange(r * r, dtype=float), size * size).reshape(r * r, size, size)
    shuffled = pixel_shuffle(channel_ids, r)[0]
    ax = new_axes(ax, figsize=(7.0, 3.0))
    grids = []
    for c in range(r * r):
        origin = (c % r * (size + 0.4), c // r * (size + 0.4))
        colors = np.full((size, size), palette.group_color(c), dtype=object)
        labels = np.full((size, size), str(c), object)
        grids.append(draw_grid(ax, (size, size), origin, colors, values=labels))
    left = r * (size + 0.4) + 1.5
    colors = np.vectorize(lambda v: palette.group_color(int(v)), otypes=[object])(shuffled)
    labels = np.vectorize(lambda v: str(int(v)), otypes=[object])(shuffled)
    output = draw_grid(ax, shuffled.shape, (left, 0), colors, values=labels)
    ax.annotate(
        "",
        (left - 0.2, r * size / 2),
        (left - 1.3, r * size / 2),
        arrowprops={"arrowstyle": "->", "color": palette.EDGE},
    )
    dark = {palette.group_color(0), palette.group_color(4), palette.group_color(7)}
    for c in range(r * r):
        if palette.group_color(c) in dark:
            for text in grids[c].texts.values():
                text.set_color("white")
    for (i, j), text in output.texts.items():
        if colors[i, j] in dark:
            text.set_color("white")
    finish(
        ax,
        f"pixel_shuffle, r={r}: {r * r} channels of {size}\u00d7{size} \u2192 "
        f"1 channel of {size * r}\u00d7{size * r}\n"
        "output cell (h r + i, w r + j) comes from channel i r + j",
    )
    return ax
