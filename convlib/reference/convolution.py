"""The textbook definitions, as plain loops: the test oracle and the book's definition.

Slow on purpose and independent of the fast path (it imports nothing else from convlib): each
output value is computed by reading the input one cell at a time, exactly as the formula says.

Convolution (cross-correlation, as in deep learning)::

    y[n, o, t] = b[o] + sum over input channels c of o's group, kernel taps j of
                 w[o, c, j] * x_padded[n, c, t*s + j*d]

Transposed convolution (scatter)::

    for every input cell i and tap j:  y[n, o, i*s - p + j*d] += x[n, c, i] * w[c, o, j]
"""

from __future__ import annotations

import itertools

import numpy as np


def _expand(value, n: int) -> tuple[int, ...]:
    return (value,) * n if isinstance(value, int) else tuple(value)


def _batch(input, weight):
    """Float arrays, the number of spatial dimensions, and whether the input had a batch."""
    weight = np.asarray(weight, dtype=float)
    n_dims = weight.ndim - 2
    x = np.asarray(input, dtype=float)
    batched = x.ndim == n_dims + 2
    return (x if batched else x[None]), weight, n_dims, batched


def _padding_pairs(padding, kernel, dilation, n):
    """(before, after) per dimension; PyTorch's 'same' puts the odd cell after."""
    if padding == "valid":
        return [(0, 0)] * n
    if padding == "same":
        return [
            (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)
        ]
    if padding == "causal":
        return [(d * (k - 1), 0) for k, d in zip(kernel, dilation)]
    return [(p, p) for p in _expand(padding, n)]


def _source_index(i: int, size: int, mode: str) -> int | None:
    """Which input cell a (possibly padded) index reads; None for a zero."""
    if 0 <= i < size:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return min(max(i, 0), size - 1)
    if mode == "circular":
        return i % size
    if mode == "reflect":  # mirror about the edge cells, edge not repeated
        return -i if i < 0 else 2 * (size - 1) - i
    raise ValueError(f"unknown padding_mode {mode!r}")


class _Reader:
    """Reads input cells through the padding (a zero-padding cell reads as 0)."""

    def __init__(self, x, mode):
        self.x, self.mode = x, mode

    def __call__(self, n, c, index):
        sizes = self.x.shape[2:]
        source = [_source_index(i, s, self.mode) for i, s in zip(index, sizes)]
        cell = None if any(i is None for i in source) else tuple(source)
        return 0.0 if cell is None else self.x[(n, c, *cell)]


def conv(
    input,
    weight,
    bias=None,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
    padding_mode="zeros",
):
    """Cross-correlation by the definition: same arguments and meaning as ``convlib.conv``."""
    x, weight, n_dims, batched = _batch(input, weight)
    kernel = weight.shape[2:]
    stride, dilation = _expand(stride, n_dims), _expand(dilation, n_dims)
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError("padding='same' needs stride 1")
    before = [b for b, _ in _padding_pairs(padding, kernel, dilation, n_dims)]
    after = [a for _, a in _padding_pairs(padding, kernel, dilation, n_dims)]
    read = _Reader(x, padding_mode)

    # output positions: every t whose window fits inside the padded input (counted, not a formula)
    out_size = []
    for size, k, s, d, lo, hi in zip(x.shape[2:], kernel, stride, dilation, before, after):
        count = 0
        while count * s + d * (k - 1) < size + lo + hi:
            count += 1
        if count == 0:
            raise ValueError("kernel larger than the padded input")
        out_size.append(count)

    c_out, c_per_group = weight.shape[:2]
    out_per_group = c_out // groups
    y = np.zeros((x.shape[0], c_out, *out_size))
    for n in range(x.shape[0]):
        for o in range(c_out):
            group = o // out_per_group
            for t in itertools.product(*(range(m) for m in out_size)):
                total = 0.0 if bias is None else float(bias[o])
                for c in range(c_per_group):
                    for j in itertools.product(*(range(k) for k in kernel)):
                        index = [
                            ti * s + ji * d - lo
                            for ti, ji, s, d, lo in zip(t, j, stride, dilation, before)
                        ]
                        total += weight[(o, c, *j)] * read(n, group * c_per_group + c, index)
                y[(n, o, *t)] = total
    return y if batched else y[0]


def conv_transpose(
    input,
    weight,
    bias=None,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
    output_size=None,
):
    """Transposed convolution by the scatter definition: arguments as ``convlib.conv_transpose``."""
    x, weight, n_dims, batched = _batch(input, weight)
    kernel = weight.shape[2:]
    stride, padding = _expand(stride, n_dims), _expand(padding, n_dims)
    dilation, output_padding = _expand(dilation, n_dims), _expand(output_padding, n_dims)
    sizes = x.shape[2:]
    smallest = [
        (i - 1) * s - 2 * p + d * (k - 1) + 1
        for i, s, p, d, k in zip(sizes, stride, padding, dilation, kernel)
    ]
    if output_size is not None:
        output_size = _expand(output_size, n_dims)[-n_dims:]
        output_padding = [o - m for o, m in zip(output_size, smallest)]
        if any(not 0 <= op < s for op, s in zip(output_padding, stride)):
            raise ValueError("output_size out of range")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError("output_padding must be smaller than stride or dilation")
    out_size = [m + op for m, op in zip(smallest, output_padding)]
    if any(o < 1 for o in out_size):
        raise ValueError("padding removes the whole output")

    c_in, out_per_group = weight.shape[:2]
    in_per_group = c_in // groups
    y = np.zeros((x.shape[0], out_per_group * groups, *out_size))
    for n in range(x.shape[0]):
        for c in range(c_in):
            group = c // in_per_group
            for i in itertools.product(*(range(m) for m in sizes)):
                for o in range(out_per_group):
                    for j in itertools.product(*(range(k) for k in kernel)):
                        target = [
                            ii * s - p + jj * d
                            for ii, jj, s, p, d in zip(i, j, stride, padding, dilation)
                        ]
                        if all(0 <= t < m for t, m in zip(target, out_size)):
                            y[(n, group * out_per_group + o, *target)] += (
                                x[(n, c, *i)] * weight[(c, o, *j)]
                            )
    if bias is not None:
        y += np.asarray(bias, dtype=float).reshape(-1, *(1,) * n_dims)
    return y if batched else y[0]


def windows_read(output_index, input_spatial_shape, kernel_size, stride=1, padding=0, dilation=1):
    """The input coordinates the reference reads for one output position (zero padding excluded).

    Runs :func:`conv` on an input whose cell ``u`` holds ``1 + flat index of u``, with one output
    channel per kernel tap that picks that tap alone: output channel ``j`` then holds the cell tap
    ``j`` read (0 for a zero-padding cell), so this is exactly what the definition reads, not a
    re-derivation of the index arithmetic.
    """
    n_dims = len(input_spatial_shape)
    kernel = _expand(kernel_size, n_dims)
    taps = int(np.prod(kernel))
    x = 1.0 + np.arange(int(np.prod(input_spatial_shape))).reshape(1, 1, *input_spatial_shape)
    pick = np.eye(taps).reshape(taps, 1, *kernel)
    out = conv(x, pick, None, stride, padding, dilation)
    values = out[(0, slice(None), *_expand(output_index, n_dims))]
    return {
        tuple(int(i) for i in np.unravel_index(int(v) - 1, input_spatial_shape))
        for v in values
        if v != 0
    }
