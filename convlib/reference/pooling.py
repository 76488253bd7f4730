"""Pooling, interpolation and pixel shuffle by their definitions, as plain loops: the test oracle.

Like :mod:`convlib.reference`, slow on purpose and independent of the fast path (it imports
nothing from convlib): each output value is computed cell by cell, exactly as the formula says,
and the output sizes are found by counting windows, not by the size formula.

Max pooling, per output position ``t``::

    y[n, c, t] = max over taps j of x[n, c, t*s - p + j*d]   (cells outside the input skipped)

Average pooling::

    y[n, c, t] = sum over taps j of x[n, c, t*s - p + j] / divisor
"""

# ruff: noqa: B905 - the loops are read by students: plain zip() keeps them short
from __future__ import annotations

import itertools
import math

import numpy as np


def _expand(value, n: int) -> tuple:
    return (value,) * n if not isinstance(value, tuple | list) else tuple(value)


def _batch(input, n_dims):
    x = np.asarray(input, dtype=float)
    batched = x.ndim == n_dims + 2
    return (x if batched else x[None]), batched


def _window_starts(size, k, s, p, d, ceil_mode):
    """Start of every window (an input coordinate, negative in the left padding), counted.

    Every window that fits in the padded input is kept. In ceil mode, if those leave cells at
    the end uncovered, one more, partial window is kept, unless it would start in the right
    padding (PyTorch's rule).
    """
    span, padded = d * (k - 1) + 1, size + 2 * p
    starts, t = [], 0
    while t * s + span <= padded:
        starts.append(t * s - p)
        t += 1
    uncovered = not starts or starts[-1] + p + span < padded
    if ceil_mode and uncovered and t * s < size + p:
        starts.append(t * s - p)
    return starts


def _pool(input, kernel_size, stride, padding, dilation, ceil_mode, n_dims, combine):
    x, batched = _batch(input, n_dims)
    k = _expand(kernel_size, n_dims)
    s = k if stride is None else _expand(stride, n_dims)
    p, d = _expand(padding, n_dims), _expand(dilation, n_dims)
    starts = [
        _window_starts(n, ki, si, pi, di, ceil_mode)
        for n, ki, si, pi, di in zip(x.shape[2:], k, s, p, d)
    ]
    out = [len(st) for st in starts]
    y = np.zeros((*x.shape[:2], *out))
    indices = np.zeros(y.shape, dtype=np.int64)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for t in itertools.product(*(range(o) for o in out)):
                origin = [starts[a][t[a]] for a in range(n_dims)]
                cells = []  # (value or None for padding, flat input index)
                for j in itertools.product(*(range(ki) for ki in k)):
                    index = [o + ji * di for o, ji, di in zip(origin, j, d)]
                    inside = all(0 <= i < m for i, m in zip(index, x.shape[2:]))
                    flat = 0
                    for i, m in zip(index, x.shape[2:]):
                        flat = flat * m + i
                    cells.append((x[(n, c, *index)] if inside else None, flat, index))
                y[(n, c, *t)], indices[(n, c, *t)] = combine(cells, origin, x.shape[2:])
    if not batched:
        y, indices = y[0], indices[0]
    return y, indices


def max_pool(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
    n_dims=None,
):
    """Max pooling by the definition; ``n_dims`` defaults to the length of a tuple kernel size,
    else the input is batched. Ties: the first maximum in the window's row-major order."""
    n_dims = n_dims or (len(kernel_size) if isinstance(kernel_size, tuple) else input.ndim - 2)

    dilation_ = _expand(dilation, n_dims)

    def largest(cells, origin, sizes):
        # PyTorch's loop: start at the first tap with no negative coordinate; a larger value
        # or a NaN takes over
        corner = [o + d * max(0, math.ceil(-o / d)) for o, d in zip(origin, dilation_)]
        where = 0
        for i, m in zip(corner, sizes):
            where = where * m + i
        best = -math.inf
        for value, flat, _ in cells:
            if value is not None and (value > best or math.isnan(value)):
                best, where = value, flat
        return best, where

    y, indices = _pool(input, kernel_size, stride, padding, dilation, ceil_mode, n_dims, largest)
    return (y, indices) if return_indices else y


def avg_pool(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
    n_dims=None,
):
    """Average pooling by the definition. The divisor: ``divisor_override``; else the window's
    cells inside the padded input (``count_include_pad``) or inside the input."""
    n_dims = n_dims or (len(kernel_size) if isinstance(kernel_size, tuple) else input.ndim - 2)
    p = _expand(padding, n_dims)

    def mean(cells, origin, sizes):
        total = sum(value for value, _, _ in cells if value is not None)
        if divisor_override is not None:
            return total / divisor_override, 0
        if count_include_pad:
            count = sum(
                all(-pi <= i < m + pi for i, m, pi in zip(index, sizes, p)) for _, _, index in cells
            )
        else:
            count = sum(value is not None for value, _, _ in cells)
        return total / count, 0

    return _pool(input, kernel_size, stride, padding, 1, ceil_mode, n_dims, mean)[0]


def adaptive_avg_pool(input, output_size, n_dims):
    """Adaptive average pooling: output cell i averages input cells floor(i n / o) to
    ceil((i + 1) n / o) - 1 along each dimension."""
    x, batched = _batch(input, n_dims)
    out = _expand(output_size, n_dims)
    out = [n if o is None else o for o, n in zip(out, x.shape[2:])]
    y = np.zeros((*x.shape[:2], *out))
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for t in itertools.product(*(range(o) for o in out)):
            ranges = [
                range(math.floor(ti * m / o), math.ceil((ti + 1) * m / o))
                for ti, m, o in zip(t, x.shape[2:], out)
            ]
            cells = [x[(n, c, *index)] for index in itertools.product(*ranges)]
            y[(n, c, *t)] = sum(cells) / len(cells)
    return y if batched else y[0]


def _ratio(n, o, scale):
    """PyTorch's r: 1 / scale_factor if one was given, else n / o (single precision)."""
    if scale is not None:
        return np.float32(1.0 / scale)
    return np.float32(n) / np.float32(o)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None):  # fmt: skip
    """Interpolation by the definition: every output cell looks up its source position along
    each dimension and (linear modes) blends the 2, 4 or 8 surrounding input cells."""
    x = np.asarray(input, dtype=float)
    sizes = x.shape[2:]
    n_dims = len(sizes)
    if size is not None:
        out, scales = list(_expand(size, n_dims)), [None] * n_dims
    else:
        factors = list(_expand(scale_factor, n_dims))
        out = [math.floor(n * f) for n, f in zip(sizes, factors)]
        scales = [None] * n_dims if recompute_scale_factor else factors

    def nearest(dst, n, o, scale):
        if mode == "nearest" and n_dims == 2 and o in (n, 2 * n):  # PyTorch's 2-D shortcut
            return [(dst * n // o, 1.0)]
        shift = np.float32(0.5) if mode == "nearest-exact" else np.float32(0.0)
        source = math.floor((np.float32(dst) + shift) * _ratio(n, o, scale))
        return [(min(source, n - 1), 1.0)]

    def linear(dst, n, o, scale):
        if o == n:  # a dimension whose size does not change is copied
            return [(dst, 1.0)]
        if align_corners:
            source = dst * (n - 1) / (o - 1) if o > 1 else 0.0
        else:
            r = 1.0 / scale if scale is not None else n / o
            source = max((dst + 0.5) * r - 0.5, 0.0)
        left = min(math.floor(source), n - 1)
        right = min(left + 1, n - 1)
        weight = min(max(source - left, 0.0), 1.0)
        return [(left, 1 - weight), (right, weight)]

    lookup = nearest if mode in ("nearest", "nearest-exact") else linear
    y = np.zeros((*x.shape[:2], *out))
    for t in itertools.product(*(range(o) for o in out)):
        per_axis = [lookup(ti, n, o, sc) for ti, n, o, sc in zip(t, sizes, out, scales)]
        for combination in itertools.product(*per_axis):
            index = tuple(i for i, _ in combination)
            weight = math.prod(w for _, w in combination)
            y[(slice(None), slice(None), *t)] += weight * x[(slice(None), slice(None), *index)]
    return y


def pixel_shuffle(input, upscale_factor):
    """y[..., c, h*r + i, w*r + j] = x[..., c*r*r + i*r + j, h, w], cell by cell."""
    x = np.asarray(input, dtype=float)
    r = upscale_factor
    *lead, channels, height, width = x.shape
    y = np.zeros((*lead, channels // (r * r), height * r, width * r))
    for c, h, w, i, j in itertools.product(
        range(channels // (r * r)), range(height), range(width), range(r), range(r)
    ):
        y[..., c, h * r + i, w * r + j] = x[..., c * r * r + i * r + j, h, w]
    return y


def pixel_unshuffle(input, downscale_factor):
    """y[..., c*r*r + i*r + j, h, w] = x[..., c, h*r + i, w*r + j], cell by cell."""
    x = np.asarray(input, dtype=float)
    r = downscale_factor
    *lead, channels, height, width = x.shape
    y = np.zeros((*lead, channels * r * r, height // r, width // r))
    for c, h, w, i, j in itertools.product(
        range(channels), range(height // r), range(width // r), range(r), range(r)
    ):
        y[..., c * r * r + i * r + j, h, w] = x[..., c, h * r + i, w * r + j]
    return y
