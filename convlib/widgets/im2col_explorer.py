"""The im2col explorer: the window matrix built column by column, its GEMM and its memory."""

from __future__ import annotations

import numpy as np
import traitlets

from convlib import Conv2d, conv_output_size
from convlib._validation import check_positive_int
from convlib.algorithms import im2col
from convlib.widgets._base import Explorer, _as_trait_error, checked_count, esm

LIMITS = {
    "in_channels": (1, 3),
    "out_channels": (1, 4),
    "input_size": (1, 6),
    "kernel_size": (1, 4),
    "stride": (1, 3),
    "padding": (0, 2),
    "dilation": (1, 3),
}
"""The range of each slider (the explorer's control grid, swept by the node tests)."""

VALUES_SEED = 8
BYTES_PER_VALUE = 4  # float32


def explorer_values(seed: int = VALUES_SEED) -> list:
    """The input the explorer unfolds: ``(3, 6, 6)`` integers 1-9 from a seeded generator (a
    setting takes the first ``in_channels`` channels and their top-left ``input_size`` square)."""
    c, n = LIMITS["in_channels"][1], LIMITS["input_size"][1]
    return np.random.default_rng(seed).integers(1, 10, (c, n, n)).tolist()


def describe_im2col(
    in_channels=1,
    out_channels=2,
    input_size=5,
    kernel_size=3,
    stride=1,
    padding=0,
    dilation=1,
) -> dict:
    """What the explorer writes for a setting, computed with convlib (im2col.mjs mirrors it).

    Returns ``{"error": message}`` for a setting convlib rejects, else the output size ``out``
    (:func:`convlib.conv_output_size`), the window matrix's ``rows`` (:math:`C k^2`) and
    ``columns`` (:math:`H_\\text{out} W_\\text{out}`) from the shape of
    :func:`convlib.algorithms.im2col`'s result, the GEMM's shapes, its ``macs``
    (:class:`convlib.Conv2d`'s count), the float32 bytes of the column matrix and of the input
    and the ``duplication`` (their ratio), and the PyTorch and convlib calls.
    """
    c, n, k, s, p, d = in_channels, input_size, kernel_size, stride, padding, dilation
    try:
        o = conv_output_size(n, k, s, p, d)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    x = np.zeros((1, c, n, n), dtype=np.float32)
    cols = im2col(x, k, dilation=d, padding=p, stride=s)
    rows, columns = cols.shape[1:]
    macs = Conv2d(c, out_channels, k, s, p, d, bias=False).macs((c, n, n))
    return {
        "out": [o, o],
        "rows": rows,
        "columns": columns,
        "weight": [out_channels, rows],
        "product": [out_channels, columns],
        "macs": macs,
        "column_bytes": cols.nbytes,
        "input_bytes": x.nbytes,
        "duplication": cols.size / x.size,
        "torch": f"F.unfold(x, kernel_size={k}, dilation={d}, padding={p}, stride={s})",
        "call": f"convlib.algorithms.im2col(x, {k}, dilation={d}, padding={p}, stride={s})",
    }


def window_matrix(
    in_channels=1, input_size=5, kernel_size=3, stride=1, padding=0, dilation=1, input_values=None
) -> dict:
    """The window matrix the explorer draws, from :func:`convlib.algorithms.im2col`: ``matrix``
    of the input values, and ``cells``, the flat input index (``c n^2 + r n + q``) each entry
    copies, ``-1`` for padding (im2col of the input ``1 + index``, minus 1)."""
    grid = explorer_values() if input_values is None else input_values
    c, n = in_channels, input_size
    x = np.asarray(grid, dtype=float)[None, :c, :n, :n]
    index = np.arange(1, c * n * n + 1, dtype=float).reshape(1, c, n, n)
    args = {"dilation": dilation, "padding": padding, "stride": stride}
    try:
        matrix = im2col(x, kernel_size, **args)[0]
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    cells = im2col(index, kernel_size, **args)[0] - 1
    return {"matrix": matrix.tolist(), "cells": cells.astype(int).tolist()}


def _checked_values(value) -> list:
    """The input: at least 3 channels of at least 6 x 6 ints (a list of lists of lists)."""
    c, n = LIMITS["in_channels"][1], LIMITS["input_size"][1]
    grid = np.asarray(value, dtype=object)
    if (
        grid.ndim != 3
        or grid.shape[0] < c
        or grid.shape[1] < n
        or grid.shape[1] != grid.shape[2]
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in grid.flat)
    ):
        raise traitlets.TraitError(
            f"input_values must be at least {c} channels of {n} x {n} ints (lists of lists of "
            f"lists); received input_values with shape {np.shape(value)}"
        )
    return [[list(row) for row in channel] for channel in value]


class Im2colExplorer(Explorer):
    """The im2col explorer (see :func:`im2col_explorer`)."""

    _esm = esm("im2col.mjs")
    in_channels = traitlets.Int(1).tag(sync=True)
    out_channels = traitlets.Int(2).tag(sync=True)
    input_size = traitlets.Int(5).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Int(0).tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    input_values = traitlets.List(explorer_values()).tag(sync=True)

    @traitlets.validate(
        "in_channels", "out_channels", "input_size", "kernel_size", "stride", "dilation", "position"
    )
    def _check_count(self, proposal):
        return checked_count(proposal)

    @traitlets.validate("padding")
    def _check_padding(self, proposal):
        return _as_trait_error(check_positive_int, proposal["value"], "padding", minimum=0)

    @traitlets.validate("input_values")
    def _check_values(self, proposal):
        return _checked_values(proposal["value"])

    def describe(self) -> dict:
        values = self.values()
        for name in ("position", "input_values"):
            values.pop(name)
        return describe_im2col(**values)


def im2col_explorer(**initial) -> Im2colExplorer:
    """Explore im2col: the window matrix built column by column, the GEMM and its memory.

    Keyword arguments set the initial values: ``in_channels`` (1-3), ``out_channels`` (1-4, the
    GEMM's rows), ``input_size`` (1-6), ``kernel_size`` (1-4), ``stride`` (1-3), ``padding``
    (0-2), ``dilation`` (1-3), ``position`` (the column being filled, the output position in
    row-major order) and ``input_values`` (at least 3 channels of 6 x 6 ints; default
    :func:`explorer_values`). The play button slides the window and fills the next column.
    """
    return Im2colExplorer(**initial)


__all__ = ["describe_im2col", "explorer_values", "im2col_explorer", "window_matrix"]
