"""Transposed convolution, two views: a direct convolution over the zero-inserted input, and the
scatter of each input cell's stamp into the output (with the overlap counts behind
checkerboard artifacts)."""

from __future__ import annotations

import itertools

import numpy as np

from convlib._validation import as_tuple
from convlib.functional import convolution as ops
from convlib.geometry.shapes import (
    conv_transpose_geometry,
    conv_transpose_output_size,
    transpose_scatter_window,
)
from convlib.plotting import palette
from convlib.plotting.conv_diagram import ConvStepDiagram
from convlib.plotting.grid import draw_grid, finish, format_number, new_axes, size_text


def zero_insertion_layout(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Per dimension: ``(inner, before, after)`` of the fractionally strided view.

    The input's ``n`` cells with ``s - 1`` zeros between them make ``inner = n + (n-1)(s-1)``
    cells; the padding is ``d(k-1) - p`` before and ``d(k-1) - p + output_padding`` after. A
    stride-1 convolution of that with the flipped kernel is the transposed convolution.
    """
    nd = len(size)
    k = as_tuple(kernel_size, nd, "kernel_size")
    plan = conv_transpose_geometry(size, k, stride, padding, output_padding, dilation)
    view = plan.as_conv()  # jax's view: input dilation, (low, high) padding
    for (before, _), e in zip(view.padding, plan.effective_kernel_size, strict=True):
        if before < 0:
            raise ValueError(
                f"the fractionally strided view needs padding <= d(k-1) = {e - 1}; "
                f"received padding={padding!r}"
            )
    return tuple((n, lo, hi) for n, (lo, hi) in zip(view.input_size, view.padding, strict=True))


def _as_tuple_size(input_size):
    return (input_size, input_size) if isinstance(input_size, int) else tuple(input_size)


class TransposedAsConvDiagram(ConvStepDiagram):
    """The equivalent direct convolution: stride 1 over the zero-inserted, padded input."""

    def __init__(
        self, input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1, ax=None
    ):
        size = _as_tuple_size(input_size)
        self.t_stride = as_tuple(stride, len(size), "stride")
        layout = zero_insertion_layout(size, kernel_size, stride, padding, output_padding, dilation)
        self.t_size = size
        out = conv_transpose_output_size(
            size, kernel_size, stride, padding, output_padding, dilation
        )
        kernel = as_tuple(kernel_size, len(size), "kernel_size")
        title = (
            f"transposed conv: input {size_text(size)}, kernel {size_text(kernel)}, "
            f"stride {stride}, padding {padding},\noutput_padding {output_padding}, dilation "
            f"{dilation} = stride-1 conv over the zero-inserted,\npadded input "
            f"\u2192 output {size_text(out)}"
        )
        super().__init__(
            tuple(n for n, _, _ in layout),
            kernel_size,
            1,
            tuple((lo, hi) for _, lo, hi in layout),
            dilation,
            ax=ax,
            title=title,
        )
        self.ax.texts[0].set_text("zero-inserted input (inserted zeros dotted, padding hatched)")

    def _decorate(self) -> None:
        """Mark the inserted zeros: cells of the inner grid not at a multiple of the stride."""
        before = self._before
        inner = self._as2d(tuple(n for n in self.size))
        stride = self._as2d(self.t_stride)
        hatch = np.zeros(self.input_grid.shape, dtype=bool)
        for r in range(inner[0]):
            for c in range(inner[1]):
                if r % stride[0] or c % stride[1]:
                    self._base[r + before[0], c + before[1]] = palette.INSERTED
                    hatch[r + before[0], c + before[1]] = True
        ax = self.ax
        cells = [(c, r) for r, c in zip(*np.nonzero(hatch), strict=True)]
        if cells:
            ax.scatter(
                [c + 0.5 for c, _ in cells],
                [r + 0.5 for _, r in cells],
                s=4,
                color=palette.EDGE,
                marker=".",
            )


def overlap_counts(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """How many kernel stamps land on each output cell of a transposed convolution.

    Computed by convlib itself: the transposed convolution of all-ones by an all-ones kernel.
    Uneven counts (kernel size not divisible by the stride) cause checkerboard artifacts.
    """
    size = _as_tuple_size(input_size)
    kernel = as_tuple(kernel_size, len(size), "kernel_size")
    ones = np.ones((1, 1, *size))
    return ops.conv_transpose(
        ones,
        np.ones((1, 1, *kernel)),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )[0, 0]


class TransposedScatterDiagram:
    """Each input cell stamps the kernel into the output; numbers are the overlap counts."""

    def __init__(
        self, input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1, ax=None
    ):
        self.size = _as_tuple_size(input_size)
        nd = len(self.size)
        self.kernel = as_tuple(kernel_size, nd, "kernel_size")
        self.stride = as_tuple(stride, nd, "stride")
        self.padding = as_tuple(padding, nd, "padding", minimum=0)
        self.dilation = as_tuple(dilation, nd, "dilation")
        self.counts = overlap_counts(
            self.size, self.kernel, stride, padding, output_padding, dilation
        )
        self.out = self.counts.shape
        self.ax = ax = new_axes(ax, figsize=(6.4, 3.2 if nd == 2 else 1.8))
        self.figure = ax.figure
        grid_in = (1, *self.size) if nd == 1 else self.size
        grid_out = (1, *self.out) if nd == 1 else self.out
        self.input_grid = draw_grid(
            ax,
            grid_in,
            (0, (grid_out[0] - grid_in[0]) / 2),
            np.full(grid_in, palette.INPUT_LIGHT, dtype=object),
        )
        labels = np.vectorize(format_number, otypes=[object])(self.counts.reshape(grid_out))
        self.output_origin = (grid_in[1] + 1.5, 0)
        self._heat = self._count_colors(grid_out)
        self.output_grid = draw_grid(ax, grid_out, self.output_origin, self._heat, values=labels)
        ax.text(
            grid_in[1] / 2,
            (grid_out[0] - grid_in[0]) / 2 - 0.35,
            "input",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        ax.text(
            self.output_origin[0] + grid_out[1] / 2,
            -0.35,
            "output (numbers: overlaps)",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        self.title = (
            f"transposed conv as scatter: input {size_text(self.size)}, kernel "
            f"{size_text(self.kernel)}, stride {stride}, padding {padding}\n\u2192 output "
            f"{size_text(self.out)}; overlaps from {int(self.counts.min())} to "
            f"{int(self.counts.max())}"
        )
        finish(ax, self.title)
        ax.set_ylim(max(grid_out[0], grid_in[0]) + 0.3, -1.4)
        self.positions = list(itertools.product(*(range(n) for n in self.size)))
        self.show(self.positions[0])

    def _count_colors(self, shape) -> np.ndarray:
        from matplotlib import colormaps, colors

        scale = colors.Normalize(0, max(self.counts.max(), 1) * 1.6)
        cmap = colormaps["Greens"]
        return np.vectorize(lambda v: colors.to_hex(cmap(scale(v))), otypes=[object])(
            self.counts.reshape(shape)
        )

    def stamp(self, input_index) -> set[tuple[int, ...]]:
        """Output cells input cell ``input_index`` writes to (from convlib's index arithmetic)."""
        windows = transpose_scatter_window(
            input_index, self.kernel, self.stride, self.padding, self.dilation
        )
        return {
            cell
            for cell in itertools.product(*windows)
            if all(0 <= c < n for c, n in zip(cell, self.out, strict=True))
        }

    def show(self, input_index) -> None:
        index = as_tuple(input_index, len(self.size), "input_index", minimum=0)
        colors = np.full(self.input_grid.shape, palette.INPUT_LIGHT, dtype=object)
        r, c = (0, index[0]) if len(index) == 1 else index
        colors[r, c] = palette.INPUT
        self.input_grid.set_colors(colors)
        out_colors = self._heat.copy()
        for cell in self.stamp(index):
            rr, cc = (0, cell[0]) if len(cell) == 1 else cell
            out_colors[rr, cc] = palette.KERNEL
        self.output_grid.set_colors(out_colors)


def draw_transposed_as_conv(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    output_index=None,
    ax=None,
) -> TransposedAsConvDiagram:
    """Draw the fractionally strided view of a transposed convolution (one output position)."""
    diagram = TransposedAsConvDiagram(
        input_size, kernel_size, stride, padding, output_padding, dilation, ax
    )
    if output_index is not None:
        diagram.show(output_index)
    return diagram


def draw_transposed_scatter(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    input_index=None,
    ax=None,
) -> TransposedScatterDiagram:
    """Draw the scatter view of a transposed convolution, with overlap counts."""
    diagram = TransposedScatterDiagram(
        input_size, kernel_size, stride, padding, output_padding, dilation, ax
    )
    if input_index is not None:
        diagram.show(input_index)
    return diagram
