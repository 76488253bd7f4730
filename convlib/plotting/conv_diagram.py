"""One step of a 1-D or 2-D convolution: the padded input, the kernel footprint, the output.

Which cells are highlighted comes from the geometry plan
(:meth:`convlib.geometry.shapes.Geometry.window`, the library's own index arithmetic), never from
separate drawing logic; the tests check it against the cells
:func:`convlib.reference.windows_read` reads.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.axes import Axes

from convlib._validation import as_tuple
from convlib.functional import convolution as ops
from convlib.geometry.shapes import Geometry, diagram_conv_geometry
from convlib.plotting import palette
from convlib.plotting.grid import draw_grid, finish, format_number, new_axes, size_text


def diagram_geometry(input_size, kernel_size, stride=1, padding=0, dilation=1) -> Geometry:
    """The plan a diagram draws: ``input_size`` an int (square 2-D) or 1 or 2 sizes."""
    if isinstance(input_size, int):
        input_size = (input_size, input_size)
    nd = len(input_size)
    if nd not in (1, 2):
        raise ValueError(f"diagrams are 1-D or 2-D; received input_size={input_size!r}")
    size = as_tuple(tuple(input_size), nd, "input_size")
    kernel = as_tuple(kernel_size, nd, "kernel_size")
    return diagram_conv_geometry(size, kernel, stride, padding, dilation)


def highlighted_cells(
    input_size, kernel_size, stride=1, padding=0, dilation=1, output_index=0
) -> tuple[set[tuple[int, ...]], set[tuple[int, ...]]]:
    """Cells the kernel covers at ``output_index``: ``(input cells, padding cells)``.

    Coordinates are those of the unpadded input (padding cells have an index below 0 or at
    least the size). ``input_size`` is an int (square 2-D), or a tuple of 1 or 2 sizes.
    """
    plan = diagram_geometry(input_size, kernel_size, stride, padding, dilation)
    return _split_window(plan, output_index)


def _split_window(plan: Geometry, output_index) -> tuple[set, set]:
    """``plan``'s window at ``output_index``, split into input cells and padding cells."""
    size, out = plan.input_size, plan.output_size
    index = as_tuple(output_index, len(size), "output_index", minimum=0)
    if any(i >= o for i, o in zip(index, out, strict=True)):
        raise ValueError(f"output_index must be within the output {out}; received {output_index!r}")
    cells = set(itertools.product(*plan.window(index)))
    inside = {c for c in cells if all(0 <= ci < n for ci, n in zip(c, size, strict=True))}
    return inside, cells - inside


def conv_title(size, kernel, stride, pads, dilation, out) -> str:
    """A caption generated from the same numbers that draw the figure."""
    pad_parts = [f"{lo}" if lo == hi else f"{lo} before, {hi} after" for lo, hi in pads]
    pad_text = pad_parts[0] if len(set(pad_parts)) == 1 else " / ".join(pad_parts)
    return (
        f"input {size_text(size)}, kernel {size_text(kernel)}, stride {_same(stride)}, "
        f"padding {pad_text}, dilation {_same(dilation)}\n\u2192 output {size_text(out)}"
    )


def _same(values) -> str:
    """One number when every dimension agrees, else all of them."""
    return str(values[0]) if len(set(values)) == 1 else size_text(values)


def _factor(value) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


class ConvStepDiagram:
    """The figure of one convolution step; :meth:`show` moves it to another output position.

    Built once, recoloured per frame: animations and widgets stay fast.
    """

    def __init__(
        self,
        input_size,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        values=None,
        weights=None,
        show_numbers=False,
        ax: Axes | None = None,
        title=None,
    ):
        plan = self.geometry = diagram_geometry(input_size, kernel_size, stride, padding, dilation)
        self.size, self.kernel, self.stride = plan.input_size, plan.kernel_size, plan.stride
        self.dilation, self.pads, self.out = plan.dilation, plan.padding, plan.output_size
        self.padding = padding
        nd = len(self.size)
        rng = np.random.default_rng(0)
        if show_numbers or values is not None or weights is not None:
            self.values = np.asarray(
                values if values is not None else rng.integers(0, 4, self.size)
            )
            self.weights = np.asarray(
                weights if weights is not None else rng.integers(-1, 2, self.kernel)
            )
            # the numbers come from convlib itself: pad explicitly, then a valid convolution
            padded = np.pad(self.values.astype(float), self.pads)
            self.result = ops.conv(
                padded[None],
                self.weights[None, None].astype(float),
                stride=self.stride,
                dilation=self.dilation,
            )[0]
        else:
            self.values = self.weights = self.result = None
        self.ax = ax = new_axes(ax, figsize=(6.4, 3.0 if nd == 2 else 1.8))
        self.figure = ax.figure
        # 2-D shapes of everything (a 1-D diagram is one row)
        self._padded = tuple(n + lo + hi for n, (lo, hi) in zip(self.size, self.pads, strict=True))
        grid_in, grid_out = self._as2d(self._padded), self._as2d(self.out)
        self._before = self._as2d(tuple(lo for lo, _ in self.pads), fill=0)
        in_range = np.zeros(grid_in, dtype=bool)
        in_range[self._slices()] = True
        self._base = np.where(in_range, palette.INPUT_LIGHT, palette.PADDING).astype(object)
        labels = None
        if self.values is not None:
            labels = np.full(grid_in, None, dtype=object)
            labels[self._slices()] = np.vectorize(format_number, otypes=[object])(
                np.atleast_2d(self.values)
            )
        self.input_grid = draw_grid(ax, grid_in, (0, 0), self._base, ~in_range, labels)
        top = (grid_in[0] - grid_out[0]) / 2
        self.output_origin = (grid_in[1] + 1.5, top)
        out_labels = None
        if self.result is not None:
            out_labels = np.full(grid_out, "", dtype=object)
        self.output_grid = draw_grid(
            ax,
            grid_out,
            self.output_origin,
            np.full(grid_out, palette.OUTPUT_LIGHT, dtype=object),
            values=out_labels,
        )
        self._out_result = None if self.result is None else np.atleast_2d(self.result)
        ax.text(
            grid_in[1] / 2,
            -0.35,
            "input (padding hatched)",
            ha="center",
            va="bottom",
            fontsize=9,
            color=palette.INK,
        )
        ax.text(
            self.output_origin[0] + grid_out[1] / 2,
            top - 0.35,
            "output",
            ha="center",
            va="bottom",
            fontsize=9,
            color=palette.INK,
        )
        self._weight_texts = []
        if self.weights is not None:
            for _ in range(self.weights.size):
                self._weight_texts.append(
                    ax.text(
                        0, 0, "", ha="right", va="bottom", fontsize=7.5, color=palette.HIGHLIGHT
                    )
                )
        self._equation = ax.text(
            0,
            grid_in[0] + 0.4,
            "",
            ha="left",
            va="top",
            fontsize=8,
            color=palette.INK,
            family="monospace",
        )
        self._decorate()
        self.title = title or conv_title(
            self.size, self.kernel, self.stride, self.pads, self.dilation, self.out
        )
        finish(ax, self.title)
        ax.set_xlim(-0.2, self.output_origin[0] + grid_out[1] + 0.2)
        ax.set_ylim(grid_in[0] + (1.5 if self.values is not None else 0.3), -1.3)
        self.positions = list(itertools.product(*(range(o) for o in self.out)))
        self.show(self.positions[0])

    def _decorate(self) -> None:
        """Hook for subclasses to restyle cells before the first frame."""

    def _as2d(self, shape, fill=1):
        return (fill, *shape) if len(shape) == 1 else tuple(shape)

    def _slices(self):
        before = self._as2d(tuple(lo for lo, _ in self.pads), fill=0)
        size = self._as2d(self.size)
        return tuple(slice(b, b + n) for b, n in zip(before, size, strict=True))

    def show(self, output_index) -> None:
        """Highlight the kernel footprint and output cell of ``output_index``."""
        index = as_tuple(output_index, len(self.size), "output_index", minimum=0)
        inside, padding = _split_window(self.geometry, index)
        colors = self._base.copy()
        before = self._before
        for cell in inside | padding:
            r, c = (0, cell[0]) if len(cell) == 1 else cell
            colors[r + before[0], c + before[1]] = palette.KERNEL
        self.input_grid.set_colors(colors)
        out_colors = np.full(self.output_grid.shape, palette.OUTPUT_LIGHT, dtype=object)
        order = self.positions.index(index)
        r_out, c_out = (0, index[0]) if len(index) == 1 else index
        out_colors[r_out, c_out] = palette.OUTPUT
        self.output_grid.set_colors(out_colors)
        if self._out_result is not None:
            for number, position in enumerate(self.positions):
                r, c = (0, position[0]) if len(position) == 1 else position
                text = format_number(self._out_result[r, c]) if number <= order else ""
                self.output_grid.texts[r, c].set_text(text)
            self._show_weights(index)

    def _show_weights(self, index) -> None:
        taps = list(itertools.product(*(range(k) for k in self.kernel)))
        window = self.geometry.window(index)  # input coordinates of every tap, per dimension
        terms = []
        for text, tap in zip(self._weight_texts, taps, strict=True):
            source = [cells[j] for cells, j in zip(window, tap, strict=True)]
            cell = [si + lo for si, (lo, _) in zip(source, self.pads, strict=True)]  # padded grid
            r, c = (0, cell[0]) if len(cell) == 1 else cell
            text.set_position((c + 0.97, r + 0.98))
            weight = self.weights[tap]
            text.set_text(format_number(weight))
            inside = all(0 <= si < n for si, n in zip(source, self.size, strict=True))
            value = self.values[tuple(source)] if inside else 0
            terms.append(f"{_factor(value)}\u00b7{_factor(weight)}")
        r, c = (0, index[0]) if len(index) == 1 else index
        total = format_number(self._out_result[r, c])
        if len(terms) > 9:
            terms = [*terms[:8], "\u2026"]
        # five products a line, so the sum stays inside the figure (and a phone's width)
        lines = [" + ".join(terms[i : i + 5]) for i in range(0, len(terms), 5)]
        shown = "\n    + ".join(lines)
        self._equation.set_text(f"output{list(index)} = {shown} = {total}")


def draw_conv_step(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    dilation=1,
    output_index=None,
    values=None,
    weights=None,
    show_numbers=False,
    ax=None,
) -> ConvStepDiagram:
    """Draw one step of a 1-D or 2-D convolution.

    Parameters
    ----------
    input_size : int or tuple
        An int draws a square 2-D input; ``(n,)`` a 1-D row; ``(h, w)`` a 2-D grid.
    kernel_size, stride, dilation : int or tuple
        As in :func:`convlib.conv`.
    padding : int, tuple or {'valid', 'same', 'causal', 'full'}
        ``'full'`` pads :math:`d(k-1)` on each side (every partial overlap); an arithmetic
        convenience of the book, not a PyTorch padding string.
    output_index : int or tuple, optional
        The output position to show (default: the first).
    values, weights : array, optional
        Input values and kernel weights to print; ``show_numbers=True`` makes small integers up.
    ax : matplotlib Axes, optional

    Returns
    -------
    ConvStepDiagram
        With ``.figure``, ``.ax`` and ``.show(output_index)``.
    """
    diagram = ConvStepDiagram(
        input_size, kernel_size, stride, padding, dilation, values, weights, show_numbers, ax
    )
    if output_index is not None:
        diagram.show(output_index)
    return diagram
