"""The pooling explorer: max or average pooling of small integers, each output's derivation."""

from __future__ import annotations

import numpy as np
import traitlets

from convlib import AvgPool2d, MaxPool2d, avg_pool2d, max_pool1d, max_pool2d, pool_output_size
from convlib._validation import check_positive_int
from convlib.widgets._base import Explorer, _as_trait_error, checked_count, esm

MODES = ["max", "avg"]
LIMITS = {"input_size": (1, 8), "kernel_size": (1, 4), "stride": (1, 4), "padding": (0, 2),
          "dilation": (1, 3)}  # fmt: skip
"""The range of each slider (the explorer's control grid, swept by the node tests)."""

VALUES_SEED = 7


def explorer_values(size: int = LIMITS["input_size"][1], seed: int = VALUES_SEED) -> list:
    """The input the explorer pools: ``size`` x ``size`` integers 0-9 from a seeded generator
    (an ``input_size`` n setting pools its top-left n x n corner)."""
    return np.random.default_rng(seed).integers(0, 10, (size, size)).tolist()


def _finite(row) -> list:
    """Floats for JSON: -inf (a max window holding padding only) becomes None."""
    return [None if v == -np.inf else float(v) for v in row]


def describe_pooling(
    mode="max",
    input_size=6,
    kernel_size=2,
    stride=2,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
    input_values=None,
) -> dict:
    """What the explorer shows for a setting, computed with convlib's public functions
    (pooling.mjs computes the same in the page; the node tests compare them).

    Returns ``{"error": message}`` for a setting convlib (and PyTorch) rejects, else the output
    size ``out`` (:func:`convlib.pool_output_size`), the output ``values`` (``max_pool2d`` or
    ``avg_pool2d`` of the input's top-left ``input_size`` square; ``None`` for a max window of
    padding only), then for max pooling the flat input ``indices`` of each maximum
    (``return_indices``) and for average pooling each window's ``sums`` (``divisor_override=1``)
    and ``divisors`` (the divisor PyTorch uses); ``reads[o]``, the input indices along one axis
    that output ``o`` reads (one-hot inputs through ``max_pool1d``); the PyTorch layer and the
    convlib call. Average pooling has no dilation: it is ignored in that mode, as
    ``count_include_pad`` is for max pooling.
    """
    grid = explorer_values() if input_values is None else input_values
    n, k, s, p = input_size, kernel_size, stride, padding
    d = dilation if mode == "max" else 1
    x = np.asarray(grid, dtype=float)[None, None, :n, :n]
    try:
        out = pool_output_size(n, k, s, p, d, ceil_mode)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    onehot = np.eye(n)[:, None, :]  # sample i: one 1 at position i
    reads = max_pool1d(onehot, k, s, p, d, ceil_mode)[:, 0, :]
    info = {"out": [out, out]}
    if mode == "max":
        y, where = max_pool2d(x, k, s, p, d, ceil_mode, return_indices=True)
        layer = MaxPool2d(k, s, p, d, ceil_mode=ceil_mode)
        info |= {"values": [_finite(r) for r in y[0, 0]], "indices": where[0, 0].tolist()}
        call = f"dilation={d}, ceil_mode={ceil_mode}"
    else:
        y = avg_pool2d(x, k, s, p, ceil_mode, count_include_pad)
        sums = avg_pool2d(x, k, s, p, ceil_mode, count_include_pad, divisor_override=1)
        ones = np.ones_like(x)  # every window holds an input cell: the ratio is the divisor
        inside = avg_pool2d(ones, k, s, p, ceil_mode, count_include_pad, divisor_override=1)
        divisors = np.rint(inside / avg_pool2d(ones, k, s, p, ceil_mode, count_include_pad))
        layer = AvgPool2d(k, s, p, ceil_mode, count_include_pad)
        info |= {
            "values": [_finite(r) for r in y[0, 0]],
            "sums": [_finite(r) for r in sums[0, 0]],
            "divisors": divisors[0, 0].astype(int).tolist(),
        }
        call = f"ceil_mode={ceil_mode}, count_include_pad={count_include_pad}"
    info["reads"] = [np.flatnonzero(reads[:, o] == 1).tolist() for o in range(out)]
    info["torch"] = layer.torch_code()
    info["call"] = f"convlib.{mode}_pool2d(x, kernel_size={k}, stride={s}, padding={p}, {call})"
    return info


def _checked_values(value) -> list:
    """The input grid: at least ``LIMITS['input_size'][1]`` square rows of ints."""
    size = LIMITS["input_size"][1]
    grid = np.asarray(value, dtype=object)
    if (
        grid.ndim != 2
        or grid.shape[0] < size
        or grid.shape[0] != grid.shape[1]
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in grid.flat)
    ):
        raise traitlets.TraitError(
            f"input_values must be a square grid (a list of lists) of at least {size} x {size} "
            f"ints; received input_values with shape {np.shape(value)}"
        )
    return [list(row) for row in value]


class PoolingExplorer(Explorer):
    """The pooling explorer (see :func:`pooling_explorer`)."""

    _esm = esm("pooling.mjs")
    mode = traitlets.Enum(MODES, "max").tag(sync=True)
    input_size = traitlets.Int(6).tag(sync=True)
    kernel_size = traitlets.Int(2).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)
    padding = traitlets.Int(0).tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)
    ceil_mode = traitlets.Bool(False).tag(sync=True)
    count_include_pad = traitlets.Bool(True).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    input_values = traitlets.List(explorer_values()).tag(sync=True)

    @traitlets.validate("input_size", "kernel_size", "stride", "dilation", "position")
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
        values.pop("position")
        return describe_pooling(**values)


def pooling_explorer(**initial) -> PoolingExplorer:
    """Explore max and average pooling: values, windows, divisors and the PyTorch layer.

    Keyword arguments set the initial values: ``mode`` ('max'/'avg'), ``input_size`` (1-8),
    ``kernel_size`` (1-4), ``stride`` (1-4), ``padding`` (0-2, at most ``kernel_size // 2``),
    ``dilation`` (1-3, max pooling only), ``ceil_mode``, ``count_include_pad`` (average pooling
    only), ``position`` (the output cell shown, row-major) and ``input_values`` (a square grid of
    at least 8 x 8 ints; default :func:`explorer_values`). Hover or focus an output cell to see
    its window and how its value was obtained; the play button steps the output position.
    """
    return PoolingExplorer(**initial)


__all__ = ["describe_pooling", "explorer_values", "pooling_explorer"]
