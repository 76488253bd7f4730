"""The fast inner loops of convolution and transposed convolution (private).

All functions take already-checked, already-padded arrays in PyTorch's layouts and return the
result in PyTorch's layout. The strategies:

* ``correlate_im2col``: strided windows of the channels-last input (no copy until the window
  matrix is formed), then one matrix product per group (a batched ``matmul`` over groups). The
  batch is processed in chunks so the window matrix stays under ``WORKSPACE_BYTES``.
* ``correlate_depthwise``: for one input channel per group (depthwise, single-channel images),
  one ``einsum`` over the strided windows of the channels-last input; no matrix product.

A stride-1 variant that multiplies the input by all taps at once and then adds shifted slices
was measured slower than the window matrix here (38 vs 27 ms on 8x64x56x56, 3x3) and removed.
* ``scatter_transpose``: transposed convolution as one matrix product per group followed by a
  strided scatter-add per kernel tap; the zero-inserted input is never built.
"""

from __future__ import annotations

import itertools
import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

WORKSPACE_BYTES = 256 * 2**20
# Temporaries up to this size are kept between calls and reused: on a machine where fresh
# memory costs page faults, this makes repeated convolutions of one shape (a training loop, a
# widget redrawing) several times faster. Results are always fresh arrays, never a workspace.
REUSE_BYTES = 64 * 2**20
_local = threading.local()  # one set of workspaces per thread: concurrent calls never share


def _workspace(name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """A scratch array of ``shape``, reused across calls when small enough."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes > REUSE_BYTES:
        return np.empty(shape, dtype=dtype)
    workspaces = _local.__dict__.setdefault("workspaces", {})
    cached = workspaces.get(name)
    if cached is None or cached.nbytes < nbytes or cached.dtype != dtype:
        cached = workspaces[name] = np.empty(nbytes // np.dtype(dtype).itemsize, dtype=dtype)
    return cached[: math.prod(shape)].reshape(shape)


def _batch_chunks(batch: int, bytes_per_sample: int) -> list[slice]:
    size = max(1, min(batch, WORKSPACE_BYTES // max(bytes_per_sample, 1)))
    return [slice(start, start + size) for start in range(0, batch, size)]


def _taps(kernel: tuple[int, ...]):
    return itertools.product(*(range(k) for k in kernel))


def _tap_slices(tap, stride, dilation, count) -> tuple[slice, ...]:
    """Slices selecting, for one kernel tap, the input cells read by ``count`` output cells."""
    return tuple(
        slice(j * d, j * d + s * (o - 1) + 1, s)
        for j, s, d, o in zip(tap, stride, dilation, count, strict=True)
    )


def _channels_last(x: np.ndarray, workspace: str | None = None) -> np.ndarray:
    moved = np.moveaxis(x, 1, -1)
    if workspace is None:
        return np.ascontiguousarray(moved)
    buffer = _workspace(workspace, moved.shape, x.dtype)
    np.copyto(buffer, moved)
    return buffer


def _channels_first(y: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(y, -1, 1))


def correlate_im2col(x, weight, stride, dilation, groups, out_size) -> np.ndarray:
    """Cross-correlate padded ``x`` (N, C_in, *P) with ``weight`` (C_out, C_in/g, *K)."""
    n_batch, c_in = x.shape[:2]
    c_out, c_group, *kernel = weight.shape
    x_last = _channels_last(x, "input")  # (N, *P, C)
    item = x_last.itemsize
    spatial_strides = x_last.strides[1:-1]
    channel_stride = x_last.strides[-1]
    taps = math.prod(kernel)
    positions = math.prod(out_size)
    # (g, K*Cg, Cg_out), matching the window layout (*K, Cg)
    w = weight.reshape(groups, c_out // groups, c_group, *kernel)
    w = np.moveaxis(w, 1, -1)  # (g, Cg, *K, Cg_out)
    w = np.moveaxis(w, 1, -2).reshape(groups, taps * c_group, c_out // groups)
    out = np.empty((n_batch, *out_size, c_out), dtype=x.dtype)
    for chunk in _batch_chunks(n_batch, positions * taps * c_in * item):
        part = x_last[chunk]
        view = as_strided(
            part,
            shape=(part.shape[0], *out_size, groups, *kernel, c_group),
            strides=(
                part.strides[0],
                *(s * st for s, st in zip(stride, spatial_strides, strict=True)),
                c_group * channel_stride,
                *(d * st for d, st in zip(dilation, spatial_strides, strict=True)),
                channel_stride,
            ),
            writeable=False,
        )
        rows = part.shape[0] * positions
        cols = _workspace("windows", view.shape, x.dtype)
        np.copyto(cols, view)
        cols = cols.reshape(rows, groups, taps * c_group)
        if groups == 1:
            result = cols[:, 0, :] @ w[0]
        else:
            result = np.matmul(cols.transpose(1, 0, 2), w).transpose(1, 0, 2)
        out[chunk] = result.reshape(part.shape[0], *out_size, c_out)
    return _channels_first(out)


def correlate_depthwise(x, weight, stride, dilation, out_size) -> np.ndarray:
    """Cross-correlation with one input channel per group (``weight`` shape (C*m, 1, *K)).

    One ``einsum`` over the strided windows of the channels-last input: no window matrix is
    copied and no matrix product is needed (each output channel reads one input channel).
    """
    n_batch, c_in, *_ = x.shape
    c_out, _, *kernel = weight.shape
    nd = len(kernel)
    multiplier = c_out // c_in
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    x_last = _channels_last(x)  # (N, *P, C)
    windows = sliding_window_view(x_last, spans, axis=tuple(range(1, nd + 1)))
    select = (
        slice(None),
        *(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out_size, strict=True)),
        slice(None),
        *(slice(None, None, d) for d in dilation),
    )
    windows = windows[select]  # (N, *O, C, *K)
    # weight (C*m, 1, *K): output channel c*m + j reads input channel c with taps w[c*m + j]
    w = weight.reshape(c_in, multiplier, *kernel)
    positions, taps = "defgh"[:nd], "DEFGH"[:nd]
    out = np.empty((n_batch, *out_size, c_in, multiplier), dtype=x.dtype)
    for j in range(multiplier):
        # einsum is fastest with the channel as the contiguous last axis of both operands
        w_last = np.ascontiguousarray(np.moveaxis(w[:, j], 0, -1))  # (*K, C)
        out[..., j] = np.einsum(f"a{positions}b{taps},{taps}b->a{positions}b", windows, w_last)
    return _channels_first(out.reshape(n_batch, *out_size, c_out))


def scatter_transpose(x, weight, stride, dilation, groups, full_size) -> np.ndarray:
    """Transposed convolution of ``x`` (N, C_in, *I) before cropping the padding.

    Input cell ``i`` adds ``x[i] * w[j]`` to output cell ``i*s + j*d`` of a buffer of shape
    (N, C_out, *full_size).
    """
    n_batch, c_in, *size = x.shape
    _, c_group_out, *kernel = weight.shape
    c_group_in = c_in // groups
    c_out = c_group_out * groups
    taps = math.prod(kernel)
    x_last = _channels_last(x)  # (N, *I, C_in)
    # (g, Cg_in, K*Cg_out)
    w = weight.reshape(groups, c_group_in, c_group_out, taps)
    w = np.swapaxes(w, 2, 3).reshape(groups, c_group_in, taps * c_group_out)
    buffer = np.zeros((n_batch, *full_size, groups, c_group_out), dtype=x.dtype)
    positions = math.prod(size)
    for chunk in _batch_chunks(n_batch, positions * taps * c_out * x.itemsize):
        part = x_last[chunk].reshape(-1, groups, c_group_in)
        if groups == 1:
            products = part[:, 0, :] @ w[0]
            products = products.reshape(-1, *size, 1, taps, c_group_out)
        else:
            products = np.matmul(part.transpose(1, 0, 2), w)  # (g, rows, K*Cg_out)
            products = products.reshape(groups, -1, *size, taps, c_group_out)
            products = np.moveaxis(products, 0, -3)  # (rows, *I, g, K, Cg_out)
        target = buffer[chunk]
        for index, tap in enumerate(_taps(tuple(kernel))):
            window = (slice(None), *_tap_slices(tap, stride, dilation, size))
            target[window] += products[..., index, :]
    return _channels_first(buffer.reshape(n_batch, *full_size, c_out))
