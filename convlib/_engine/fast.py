"""The fast inner loops of convolution and transposed convolution (private).

Everything stays channels-first. A chunk of the batch is copied once into *planes*: per input
channel, the samples' padded grids laid end to end and flattened, ``(C, N * prod(grid))``. A
kernel tap is then a constant offset into that flat axis, so the input cells one tap reads for
every output cell are a plain 2-D slice ``planes[:, off : off + L]`` (a strided view, no copy):
the output is computed on the same flat "wide" grid, and the few columns that straddle a row
end are computed and dropped. Strides use the polyphase decomposition: the padded input is
split into its ``prod(stride)`` phases (``x[r::s]``), each tap reads exactly one phase at one
offset, and a strided convolution becomes a sum of stride-1 tap products with no wasted work.
A transposed convolution is the same sum, once per output phase (each output phase receives
the taps whose positions fall on it), so nothing is scattered tap by tap. With fewer output
than input channels per group it is computed the other way round instead (col2im): one
product of the weights with a block of input cells gives every tap's contribution, and each
tap's rows are added, in one contiguous pass, at its shift into the output phases.

The sum over taps is computed by one of two methods, column block by column block (a block
stays in cache):

* ``gemm``: copy the block's tap slices into a channel-major window ``(C, taps, B)`` (one
  copy per tap, for all channels) and multiply it by the weights in one stacked product,
  ``(g, O_g, C_g * taps) @ (g, C_g * taps, B)``: a group's window matrix is a contiguous slice
  of the block. A 1x1 convolution needs no copy at all (one product per sample). When the
  kernel is large next to the input (a weight gradient), the wide grid would drop most of what
  it computes, so the window matrix of the kept cells is formed instead.
* ``direct``: no matrix product, for depthwise layers and single channels. One multiplication
  scales the input rows by every tap's weight at once, and since a phase's tap offsets form a
  grid, the shifted scaled rows are one strided view that one reduction sums: two passes per
  output row, where multiply-adding tap by tap takes two per tap.

Work is split between worker threads (:mod:`convlib._engine.threads`): the batch's samples, or for a
single sample the columns (the groups, for ``direct``; the output channels, for col2im), each
worker calling BLAS on one thread.

Temporaries are bounded: ``CHUNK_BYTES`` in all for the workers' planes and wide outputs,
``BLOCK_BYTES`` (up to 4x that for very many channels) or ``DIRECT_BYTES`` for each worker's
window block, ``PRODUCTS_BYTES`` for the col2im products of each worker's chunk; arrays up to
``REUSE_BYTES`` are kept per thread and reused between calls (fresh memory costs page faults
on this kind of machine). Results are always fresh arrays.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading

import numpy as np

from convlib._engine import threads as _threads
from convlib.functional.padding import pad
from convlib.geometry.shapes import Geometry

CHUNK_BYTES = 48 * 2**20
BLOCK_BYTES = 2 * 2**20  # one window block (see benchmarks/README.md)
DIRECT_BYTES = 2**20  # the scaled rows of one direct block stay in cache
PRODUCTS_BYTES = 8 * 2**20  # col2im products of a chunk (benchmarks/README.md)
REUSE_BYTES = 64 * 2**20
_local = threading.local()  # one set of workspaces per thread: concurrent calls never share


def _workspace(name: str, shape, dtype) -> np.ndarray:
    """A scratch array of ``shape``, reused across calls when small enough."""
    shape = tuple(int(n) for n in shape)
    count = math.prod(shape)
    if count * np.dtype(dtype).itemsize > REUSE_BYTES:
        return np.empty(shape, dtype=dtype)
    workspaces = _local.__dict__.setdefault("workspaces", {})
    cached = workspaces.get(name)
    if cached is None or cached.size < count or cached.dtype != dtype:
        cached = workspaces[name] = np.empty(count, dtype=dtype)
    return cached[:count].reshape(shape)


def _chunks(
    start: int, stop: int, bytes_per_sample: int, workers: int = 1, most: int | None = None
) -> list[slice]:
    """Slices of samples ``start:stop`` whose temporaries fit one worker's share of the chunk.

    ``most``: at most that many samples per slice (at least one).
    """
    size = max(1, min(stop - start, CHUNK_BYTES // workers // max(bytes_per_sample, 1)))
    if most is not None:
        size = max(1, min(size, most))
    return [slice(first, min(first + size, stop)) for first in range(start, stop, size)]


def _row_major(grid) -> list[int]:
    """Element strides of a C-ordered array of shape ``grid``."""
    return [math.prod(grid[i + 1 :]) for i in range(len(grid))]


def _cells(spatial) -> tuple:
    """An index of (channel, sample, *spatial) arrays: every channel and sample, ``spatial``."""
    return (slice(None), slice(None), *spatial)


def _wide_columns(batch: int, grid, counts) -> int:
    """Columns of the flat wide output that hold ``counts`` valid cells per dimension."""
    strides = _row_major(grid)
    return (
        (batch - 1) * math.prod(grid)
        + sum((c - 1) * s for c, s in zip(counts, strides, strict=True))
        + 1
    )


def sum_taps(planes, weights, taps, out, columns, method) -> None:
    """``out[:, :columns] = sum_t weights[..., t] @ planes[p_t][:, off_t : off_t + columns]``.

    ``planes`` (phases, C, L); ``weights`` (g, O_g, C_g, T); ``taps`` a list of
    ``(phase, offset, tap)``; ``out`` (O, >= columns), written in place, group by group. The
    columns are split between the worker threads (:mod:`convlib._engine.threads`).
    """
    groups, o_group, c_group, _ = weights.shape
    work = columns * len(taps) * math.prod(weights.shape[:3])  # multiply-adds
    if method == "gemm":
        matrix = _tap_matrix(weights, taps)

        def columns_of_every_group(start: int, stop: int) -> None:
            _gemm(planes, matrix, taps, out, start, stop)

        _threads.run(columns_of_every_group, _threads.split(columns, work, step=64))
    else:
        plans = _direct_plans(taps, c_group, out.itemsize)
        if groups > 1:  # many short passes: whole groups to a worker, so it seldom waits on the GIL

            def some_groups(start: int, stop: int) -> None:
                _direct(planes, weights, plans, out, (0, columns), (start, stop))

            _threads.run(some_groups, _threads.split(groups, work))
        else:

            def some_columns(start: int, stop: int) -> None:
                _direct(planes, weights, plans, out, (start, stop), (0, 1))

            _threads.run(some_columns, _threads.split(columns, work, step=64))


def _tap_matrix(weights, taps) -> np.ndarray:
    """(g, O_g, C_g * taps) weight matrices, columns ordered (channel, tap) as the window's."""
    groups, o_group, c_group, _ = weights.shape
    chosen = weights[..., [tap for _, _, tap in taps]]
    return np.ascontiguousarray(chosen).reshape(groups, o_group, c_group * len(taps))


def _gemm(planes, matrix, taps, out, first, last) -> None:
    """Columns ``first:last`` of every group: a window block ``(C, taps, B)`` per column block.

    Each tap is one copy for all channels, and all groups are one stacked matrix product
    (``(g, O_g, C_g * taps) @ (g, C_g * taps, B)``): the window is channel-major, so a group's
    window matrix is a contiguous slice of it.
    """
    groups, o_group, depth = matrix.shape
    channels = planes.shape[1]
    if len(taps) == 1:  # the slice itself is the window matrix: no copy
        phase, offset, _ = taps[0]
        source = planes[phase][:, offset + first : offset + last]
        np.matmul(matrix, source.reshape(groups, depth, -1),
                  out=out[:, first:last].reshape(groups, o_group, -1))  # fmt: skip
        return
    column = channels * len(taps) * out.itemsize  # bytes of one window column
    # BLOCK_BYTES, or up to 4x that to keep 256 columns (a product needs some width)
    block = max(1, BLOCK_BYTES // column, min(256, 4 * BLOCK_BYTES // column))
    block = min(last - first, block)
    window = _workspace("window", (channels, len(taps), block), out.dtype)
    for start in range(first, last, block):
        stop = min(start + block, last)
        width = stop - start
        for index, (phase, offset, _) in enumerate(taps):
            window[:, index, :width] = planes[phase][:, offset + start : offset + stop]
        np.matmul(matrix, window[..., :width].reshape(groups, depth, width),
                  out=out[:, start:stop].reshape(groups, o_group, width))  # fmt: skip


def _direct_plans(taps, c_group: int, itemsize: int) -> list[tuple]:
    """Sums of scaled rows: (phase, lowest offset, grid origin, counts, steps, span, taps).

    A phase's taps form a grid (:func:`_offset_grid`). Its inner dimensions are summed in one
    strided pass; its outer dimensions are looped over, as many as it takes to keep the span
    (the extra input cells each scaled row needs) within a quarter of a block. A 25x25 kernel
    on a 512-wide image would otherwise scale some 12,000 cells per row to keep 400.
    """
    phases: dict[int, list] = {}
    for phase, offset, tap in taps:
        phases.setdefault(phase, []).append((offset, tap))
    plans = []
    for phase, entries in phases.items():
        offsets = [offset for offset, _ in entries]
        counts, steps = _offset_grid(offsets)
        for split in range(len(counts) + 1):  # split == len(counts): one tap a row, no span
            size = math.prod(counts[split:])
            span = sum(
                (n - 1) * abs(step) for n, step in zip(counts[split:], steps[split:], strict=True)
            )
            if 4 * span <= DIRECT_BYTES // (size * c_group * itemsize):
                break
        for start in range(0, len(entries), size):  # row-major: an outer index's taps are a run
            chosen = offsets[start : start + size]
            low, row_taps = min(chosen), [tap for _, tap in entries[start : start + size]]
            plans.append((phase, low, chosen[0] - low, counts[split:], steps[split:],
                          max(chosen) - low, row_taps))  # fmt: skip
    return plans


def _direct(planes, weights, plans, out, columns, groups) -> None:
    """Columns ``range(*columns)`` of groups ``range(*groups)``, with no matrix product.

    For each plan (a phase's taps, or one outer row of them for a large kernel), one
    multiplication forms every tap's scaled copy of the input rows at once,
    ``Q[c, t] = w[o, c, t] * planes[c, low : low + width + span]``; the taps' offsets form a
    grid (:func:`_offset_grid`), so the shifted rows ``Q[c, t, off_t - low :]`` are one strided
    view, and one reduction sums them: two passes per output row and plan, however many taps
    and channels it holds (tap by tap it would be two per tap and channel).
    """
    _, o_group, c_group, _ = weights.shape
    first, last = columns
    widest = max(len(plan[-1]) * c_group for plan in plans)
    block = min(last - first, max(64, DIRECT_BYTES // (widest * out.itemsize)))
    spans = max(plan[5] for plan in plans)
    scaled = _workspace("scaled", (widest * (block + spans),), out.dtype)
    partial = _workspace("partial", (block,), out.dtype)
    item = out.itemsize
    for start in range(first, last, block):
        stop = min(start + block, last)
        width = stop - start
        views = []  # per plan: the products' buffer and its shifted rows (made once a block)
        for _, _, origin, counts, steps, span, tap_list in plans:
            length = width + span
            products = scaled[: c_group * len(tap_list) * length]
            inner = [math.prod(counts[d + 1 :]) * length for d in range(len(counts))]
            shifted = np.lib.stride_tricks.as_strided(  # steps may be negative
                products[origin:],
                shape=(c_group, *counts, width),
                strides=(
                    len(tap_list) * length * item,
                    *((i + step) * item for i, step in zip(inner, steps, strict=True)),
                    item,
                ),
                writeable=False,
            )
            axes = tuple(range(len(counts) + 1))  # the channel and the grid's dimensions
            views.append((products.reshape(c_group, len(tap_list), length), shifted, axes))
        for group in range(*groups):
            channels = planes[:, group * c_group : (group + 1) * c_group, None]
            for row in range(o_group):
                target = out[group * o_group + row, start:stop]
                factors = weights[group, row]
                for index, (phase, low, _, _, _, span, tap_list) in enumerate(plans):
                    products, shifted, axes = views[index]
                    source = channels[phase, :, :, low + start : low + start + width + span]
                    np.multiply(factors[:, tap_list, None], source, out=products)
                    if index == 0:
                        np.sum(shifted, axis=axes, out=target)
                    else:
                        target += np.sum(shifted, axis=axes, out=partial[:width])


def _offset_grid(offsets) -> tuple[list[int], list[int]]:
    """Counts and steps of the grid the offsets form: ``offsets[i] = offsets[0] + m . steps``.

    ``m`` runs over ``counts`` in row-major order (the order the tap plans list taps in).
    Found innermost dimension first: a run of equal steps is one dimension, and the runs
    repeat with a larger step. Raises if the offsets are no such grid (a plan bug).
    """
    relative = [offset - offsets[0] for offset in offsets]
    counts, steps, size = [], [], 1
    while size < len(relative):
        step, count = relative[size], 2  # block 0 starts at 0, block 1 at `step`
        while count * size < len(relative) and relative[count * size] == count * step:
            count += 1
        counts.insert(0, count)
        steps.insert(0, step)
        size *= count
    grid = [
        sum(m * step for m, step in zip(index, steps, strict=True))
        for index in itertools.product(*(range(n) for n in counts))
    ]
    if grid != relative:
        raise AssertionError(f"tap offsets {offsets} are not a grid")
    return counts, steps


def _zero_outside(array, box) -> None:
    """Zero every cell of ``array`` (C, N, *grid) outside ``box`` ((start, stop) per dim)."""
    for axis, (start, stop) in enumerate(box):
        before = [slice(None)] * len(box)
        after = list(before)
        before[axis], after[axis] = slice(0, start), slice(stop, None)
        array[_cells(before)] = 0
        array[_cells(after)] = 0


def _phase_planes(x, pads, padding_mode, stride, residues, grid, name):
    """The polyphase components of ``x`` (N, C, *S) padded by ``pads``, channel-major.

    Returns (phases, C, N, *grid): component ``i`` holds the padded cells ``residues[i] +
    stride * m``, zeros past its end. Stride 1 gives the one padded array. Zero padding is
    written straight from ``x``; other modes pad first.
    """
    if padding_mode != "zeros":
        x = pad(x, pads, padding_mode)
        pads = [(0, 0)] * len(pads)
    planes = _workspace(name, (len(residues), x.shape[1], x.shape[0], *grid), x.dtype)
    for plane, residue in zip(planes, residues, strict=True):
        box, source = [], []
        for r, s, (before, _), n in zip(residue, stride, pads, x.shape[2:], strict=True):
            first = max(0, -(-(before - r) // s))  # first m whose cell r + s*m is inside x
            stop = max(first, -(-(n + before - r) // s))
            box.append((first, stop))
            source.append(slice(r + s * first - before, None, s))
        _zero_outside(plane, box)
        plane[_cells(slice(a, b) for a, b in box)] = x[_cells(source)].swapaxes(0, 1)
    return planes


def _padded_planes(x, pads, grid) -> np.ndarray:
    """``x`` (N, C, *S) zero-padded by ``pads`` to ``grid``, as planes ``(C, N * prod(grid))``."""
    nd = x.ndim - 2
    planes = _phase_planes(x, pads, "zeros", (1,) * nd, [(0,) * nd], grid, "planes")
    return planes.reshape(x.shape[1], -1)


def correlate(x, weight, plan: Geometry, groups, padding_mode, method):
    """Cross-correlate unpadded ``x`` (N, C_in, *S) with ``weight`` (C_out, C_in/g, *K).

    ``plan`` is the convolution's :class:`~convlib.geometry.shapes.Geometry` (stride, dilation,
    ``(before, after)`` padding filled as ``padding_mode``, output size); ``method`` is
    ``'gemm'`` or ``'direct'``. Returns a fresh (N, C_out, *out_size) array.
    """
    stride, dilation, pads, out_size = plan.stride, plan.dilation, plan.padding, plan.output_size
    n_batch, c_in, *size = x.shape
    c_out, c_group, *kernel = weight.shape
    weights = weight.reshape(groups, c_out // groups, c_group, -1)
    pointwise = all(k == 1 for k in kernel) and not any(a or b for a, b in pads)
    samples = _threads.split(n_batch, n_batch * plan.macs(c_in, c_out, groups))
    if method == "gemm" and pointwise:
        kept = (slice(None), *(slice(None, None, s) for s in stride))  # one sample's kept cells
        cells = math.prod(out_size)
        y = np.empty((n_batch, groups, c_out // groups, cells), dtype=x.dtype)

        def products(first: int, last: int) -> None:
            for sample in range(first, last):
                if all(s == 1 for s in stride):
                    source = x[sample].reshape(groups, c_group, cells)  # a view
                else:  # one sample's strided cells at a time: memory bounded by a sample
                    source = _workspace("pointwise", (c_in, *out_size), x.dtype)
                    source[...] = x[sample][kept]
                    source = source.reshape(groups, c_group, cells)
                # one 2-D product per group, no layout change
                np.matmul(weights[:, :, :, 0], source, out=y[sample])

        _threads.run(products, samples)
        return y.reshape(n_batch, c_out, *out_size)
    padded = [n + a + b for n, (a, b) in zip(size, pads, strict=True)]
    grid = [-(-p // s) for p, s in zip(padded, stride, strict=True)]  # cells per phase
    phases, taps, shifts = _forward_plan(tuple(kernel), tuple(stride), tuple(dilation),
                                         tuple(grid))  # fmt: skip
    cells = math.prod(grid)
    # The wide grid computes prod(grid) cells for prod(out_size) kept ones; when the kernel is
    # large next to the input (a weight gradient) most would be dropped, so the window matrix
    # of the kept cells only is formed instead.
    compact = method == "gemm" and cells > 2 * math.prod(out_size)
    per_sample = (len(phases) * c_in + c_out) * cells * x.itemsize
    if compact:
        per_sample += len(taps) * c_in * math.prod(out_size) * x.itemsize
    y = np.empty((n_batch, c_out, *out_size), dtype=x.dtype)

    def chunk_by_chunk(first: int, last: int) -> None:
        for chunk in _chunks(first, last, per_sample, len(samples)):
            part = x[chunk]
            count = part.shape[0]
            planes = _phase_planes(part, pads, padding_mode, stride, phases, grid, "planes")
            if compact:
                y[chunk] = _compact_gemm(planes, weights, taps, shifts, out_size)
                del planes
                continue
            planes = planes.reshape(len(phases), c_in, count * cells)
            wide = _workspace("wide", (c_out, count * cells), x.dtype)
            columns = _wide_columns(count, grid, out_size)
            sum_taps(planes, weights, taps, wide, columns, method)
            valid = wide.reshape(c_out, count, *grid)[_cells(map(slice, out_size))]
            y[chunk] = valid.swapaxes(0, 1)
            del planes, wide, valid  # free before the next chunk's (when not reused)

    _threads.run(chunk_by_chunk, samples)  # samples split between workers (if worth it)
    return y


@functools.lru_cache(maxsize=256)
def _forward_plan(kernel, stride, dilation, grid):
    """Per tap: its phase (residues mod stride), flat offset in the phase grid, tap index.

    Returns ``(phases, taps, shifts)``: the residue tuples in order of first use, the
    ``(phase, offset, tap)`` list and each tap's shift in phase cells. Cached: a training loop
    plans each layer once.
    """
    strides = _row_major(grid)
    phases: dict[tuple[int, ...], int] = {}
    taps, shifts = [], []
    for index, tap in enumerate(itertools.product(*(range(k) for k in kernel))):
        where = [j * d for j, d in zip(tap, dilation, strict=True)]
        residue = tuple(w % s for w, s in zip(where, stride, strict=True))
        shifts.append(tuple(w // s for w, s in zip(where, stride, strict=True)))
        offset = sum(q * g for q, g in zip(shifts[-1], strides, strict=True))
        taps.append((phases.setdefault(residue, len(phases)), offset, index))
    return tuple(phases), tuple(taps), tuple(shifts)


def _compact_gemm(planes, weights, taps, shifts, out_size) -> np.ndarray:
    """The window matrix of the kept output cells only, times the weights: (N, C_out, *out)."""
    groups, o_group, c_group, _ = weights.shape
    count = planes.shape[2]
    window = _workspace("compact", (groups, len(taps), c_group, count, *out_size), planes.dtype)
    for index, ((phase, _, _), shift) in enumerate(zip(taps, shifts, strict=True)):
        view = planes[phase][_cells(slice(q, q + o) for q, o in zip(shift, out_size, strict=True))]
        window[:, index] = view.reshape(groups, c_group, count, *out_size)
    depth = len(taps) * c_group
    matrix = (
        weights[..., [t for _, _, t in taps]].transpose(0, 1, 3, 2).reshape(groups, o_group, depth)
    )
    product = np.empty((groups, o_group, window[0].size // depth), dtype=planes.dtype)
    for group in range(groups):  # 2-D products: numpy's stacked matmul can miss BLAS
        np.matmul(matrix[group], window[group].reshape(depth, -1), out=product[group])
    return product.reshape(groups * o_group, count, *out_size).swapaxes(0, 1)


def _transpose_arguments(plan: Geometry):
    """A transposed plan's stride, dilation, cropping per dimension and output size."""
    return plan.stride, plan.dilation, tuple(lo for lo, _ in plan.padding), plan.output_size


def _transpose_taps(kernel, stride, dilation, padding, out_size):
    """Per dimension: for each output phase r, its cell count and [(tap, q)] with t = u - q."""
    plans = []
    for k, s, d, p, o in zip(kernel, stride, dilation, padding, out_size, strict=True):
        per_phase = []
        for r in range(s):
            # output m = s*u + r receives tap j from input t when s*t + d*j = m + p
            hits = [(j, (d * j - r - p) // s) for j in range(k) if (r + p - d * j) % s == 0]
            per_phase.append((len(range(r, o, s)), hits))
        plans.append(per_phase)
    return plans


def transpose(x, weight, plan: Geometry, groups, method):
    """Transposed convolution of ``x`` (N, C_in, *I) by its ``plan`` (cropped by ``padding``).

    Output cell ``m`` receives ``w[j]^T x[t]`` for every ``s*t + d*j = m + p``. Output phase
    ``r`` (cells ``m = s*u + r``) is a stride-1 correlation of the input with the taps that
    land on it, so the whole operation is ``prod(stride)`` calls of :func:`sum_taps`. With
    ``'gemm'`` and fewer output than input channels per group, :func:`_transpose_by_products`
    is used instead (faster there in float32, about as fast in float64, and slower with
    ``O_g >= C_g``: benchmarks/README.md).
    """
    stride, dilation, padding, out_size = _transpose_arguments(plan)
    n_batch, c_in, *size = x.shape
    _, c_group_out, *kernel = weight.shape
    if method == "gemm" and c_group_out < c_in // groups:
        return _transpose_by_products(x, weight, plan, groups)
    c_out = c_group_out * groups
    # (g, O_g, C_g, T): the weight of output channel o, input channel c of a group
    weights = weight.reshape(groups, c_in // groups, c_group_out, -1).transpose(0, 2, 1, 3)
    plans = _transpose_taps(kernel, stride, dilation, padding, out_size)
    lows, grid = [], []
    for n, per_phase in zip(size, plans, strict=True):
        qs = [q for _, hits in per_phase for _, q in hits] or [0]
        low = max(0, max(qs))
        reach = [count + low - q for count, hits in per_phase for _, q in hits]
        lows.append(low)
        grid.append(max([low + n, *reach]))
    strides = _row_major(grid)
    cells = math.prod(grid)
    phase_taps = []  # (residue, cells per dimension, taps) of every output phase some tap hits
    written = True  # every output cell is written (so y needs no zeros)
    for residue in itertools.product(*(range(s) for s in stride)):
        phase_plan = [plan[r] for plan, r in zip(plans, residue, strict=True)]
        counts = [c for c, _ in phase_plan]
        if 0 in counts:
            continue  # no output cells
        if any(not hits for _, hits in phase_plan):
            written = False  # no tap lands on these cells: they stay zero
            continue
        taps = []
        for combo in itertools.product(*(hits for _, hits in phase_plan)):
            tap = np.ravel_multi_index([j for j, _ in combo], kernel)
            offset = sum((low - q) * g for (_, q), low, g in zip(combo, lows, strides, strict=True))
            taps.append((0, offset, int(tap)))
        phase_taps.append((residue, counts, taps))
    y = (np.empty if written else np.zeros)((n_batch, c_out, *out_size), dtype=x.dtype)
    samples = _threads.split(n_batch, n_batch * plan.macs(c_in, c_out, groups))
    pads = [(low, g - low - n) for low, g, n in zip(lows, grid, size, strict=True)]

    def chunk_by_chunk(first: int, last: int) -> None:
        for chunk in _chunks(first, last, (c_in + c_out) * cells * x.itemsize, len(samples)):
            part = x[chunk]
            count = part.shape[0]
            planes = _padded_planes(part, pads, grid)[None]  # one phase: stride 1
            wide = _workspace("wide", (c_out, count * cells), x.dtype)
            valid = None
            for residue, counts, taps in phase_taps:
                columns = _wide_columns(count, grid, counts)
                sum_taps(planes, weights, taps, wide, columns, method)
                valid = wide.reshape(c_out, count, *grid)[_cells(map(slice, counts))]
                phase = tuple(slice(r, None, s) for r, s in zip(residue, stride, strict=True))
                y[(chunk, slice(None), *phase)] = valid.swapaxes(0, 1)
            del planes, wide, valid  # free before the next chunk's (when not reused)

    _threads.run(chunk_by_chunk, samples)  # samples split between workers (if worth it)
    return y


def scatter(x, weight, plan: Geometry, groups):
    """Transposed convolution tap by tap, by its definition: ``y[s*t + d*j - p] += w[j]^T x[t]``.

    One product per tap and group, of the input cells whose target lies in the output, and one
    strided add: every product pairs an input cell with a tap that reaches the output. The
    other paths also multiply padding zeros by the weights, so a ``nan`` or ``inf`` weight (0 *
    ``inf`` is ``nan``) reaches cells torch's result does not give it; this path is for those
    weights (slower: ``prod(kernel)`` passes). Samples go a chunk at a time.
    """
    stride, dilation, padding, out_size = _transpose_arguments(plan)
    n_batch, c_in, *size = x.shape
    _, o_group, *kernel = weight.shape
    c_group = c_in // groups
    y = np.zeros((n_batch, groups * o_group, *out_size), dtype=x.dtype)
    # (g, O_g, C_g, *kernel): the weights from a group's input channels to its outputs
    weights = weight.reshape(groups, c_group, o_group, *kernel).swapaxes(1, 2)
    every = (slice(None),) * 3  # samples, groups, channels of a group
    reach = []  # per tap reaching the output: its input cells, their targets, their counts
    for tap in itertools.product(*(range(k) for k in kernel)):
        cells, targets = [], []
        for n, s, d, j, p, o in zip(size, stride, dilation, tap, padding, out_size, strict=True):
            first = max(0, -(-(p - d * j) // s))  # first t with s*t + d*j - p >= 0
            stop = min(n, (o - 1 + p - d * j) // s + 1)  # past the last t inside the output
            cells.append(slice(first, stop))
            targets.append(slice(s * first + d * j - p, s * (stop - 1) + d * j - p + 1, s))
        counts = [c.stop - c.start for c in cells]
        if min(counts) > 0:
            reach.append((tap, cells, targets, counts))
    per_sample = 2 * (c_in + groups * o_group) * math.prod(size) * x.itemsize
    for chunk in _chunks(0, n_batch, per_sample):
        part = x[chunk].reshape(-1, groups, c_group, *size)
        into = y[chunk].reshape(-1, groups, o_group, *out_size)
        for tap, cells, targets, counts in reach:
            source = part[(*every, *cells)].reshape(*part.shape[:3], -1)  # (n, g, C_g, cells)
            with np.errstate(invalid="ignore"):  # nan from the weights is the answer, as in torch
                products = np.matmul(weights[(*every, *tap)], source)  # (n, g, O_g, cells)
                into[(*every, *targets)] += products.reshape(*products.shape[:3], *counts)
    return y


def _transpose_by_products(x, weight, plan: Geometry, groups):
    """Transposed convolution as one product per column block, then one add per tap (col2im).

    ``P = W^T x`` holds every tap's contribution from every input cell: ``(g, T * O_g, B)``
    for a block of ``B`` cells of the input planes. Tap ``j`` lands at the full (uncropped)
    output position ``s*t + d*j``, which is cell ``t + q`` of phase ``r`` for ``d*j = s*q + r``.
    The full output is kept as its phases, each on the input's grid, so a tap's rows of ``P``
    are one contiguous add at a fixed shift; the phases are then cropped by ``padding`` into
    the output. The product has ``T * O_g`` rows where the per-phase correlation of
    :func:`transpose` has ``O_g``, and the adds move ``T * O_g`` values per input cell where
    the window copies move ``T * C_g``: hence it is used only when ``O_g < C_g`` (the timings
    are in benchmarks/README.md).
    """
    stride, dilation, padding, out_size = _transpose_arguments(plan)
    n_batch, c_in, *size = x.shape
    _, o_group, *kernel = weight.shape
    c_group, c_out, count_taps = c_in // groups, o_group * groups, math.prod(kernel)
    # every full position's phase cell, and room for the largest shift past the input
    grid = [
        max(n + (e - 1) // s, (o - 1 + p) // s + 1)
        for n, e, s, o, p in zip(
            size, plan.effective_kernel_size, stride, out_size, padding, strict=True
        )
    ]
    cells = math.prod(grid)
    # tap j lands where a forward convolution's tap j reads: the same phases and shifts
    residues, taps, _ = _forward_plan(tuple(kernel), tuple(stride), tuple(dilation), tuple(grid))
    phases = {residue: index for index, residue in enumerate(residues)}
    targets = [(phase, shift) for phase, shift, _ in taps]  # row-major, as the weight's taps
    weights = weight.reshape(groups, c_group, o_group, count_taps)
    matrix = weights.transpose(0, 3, 2, 1)  # (g, T, O_g, C_g): rows (tap, o) of a group
    crops = []  # per output phase: the full phase it is cropped from, its cells there and in y
    written = True  # every output cell is written (so y needs no zeros)
    for residue in itertools.product(*(range(s) for s in stride)):
        # output cells m = residue + s*u are full positions m + p
        first_full = [r + p for r, p in zip(residue, padding, strict=True)]
        phase = tuple(f % s for f, s in zip(first_full, stride, strict=True))
        if phase not in phases:  # no tap lands there: those cells stay zero
            written = written and any(r >= o for r, o in zip(residue, out_size, strict=True))
            continue
        kept = [
            slice(f // s, f // s + len(range(r, o, s)))
            for f, s, r, o in zip(first_full, stride, residue, out_size, strict=True)
        ]
        crops.append((phases[phase], kept, tuple(map(slice, residue, out_size, stride))))
    y = (np.empty if written else np.zeros)((n_batch, c_out, *out_size), dtype=x.dtype)
    work = n_batch * plan.macs(c_in, c_out, groups)
    samples = _threads.split(n_batch, work)
    pads = [(0, g - n) for g, n in zip(grid, size, strict=True)]
    per_sample = (c_in + len(phases) * c_out) * cells * x.itemsize
    # as many samples as let one product cover the chunk (see _add_products)
    fitting = PRODUCTS_BYTES // (count_taps * c_out * cells * x.itemsize)

    def chunk_by_chunk(first: int, last: int) -> None:
        for chunk in _chunks(first, last, per_sample, len(samples), most=fitting):
            part = x[chunk]
            count = part.shape[0]
            planes = _padded_planes(part, pads, grid)
            full = _workspace("wide", (len(phases), c_out, count * cells), x.dtype)
            full[...] = 0

            # a single chunk's output rows are split between workers instead of its samples
            ranges = [(0, o_group)] if len(samples) > 1 else _threads.split(o_group, work)
            _threads.run(functools.partial(_add_products, planes, matrix, targets, full), ranges)
            held = full.reshape(len(phases), c_out, count, *grid)
            for index, kept, into in crops:
                y[(chunk, slice(None), *into)] = held[index][_cells(kept)].swapaxes(0, 1)
            del planes, full, held  # free before the next chunk's (when not reused)

    _threads.run(chunk_by_chunk, samples)  # samples split between workers (if worth it)
    return y


def _add_products(planes, matrix, targets, full, first: int, last: int) -> None:
    """Output rows ``first:last`` of every group: per column block, ``P = W^T planes``, then
    tap ``j``'s rows of ``P`` added into ``full[phase_j]`` at its shift.

    ``planes`` (C, L) with zeros past every input cell; ``matrix`` (g, T, O_g, C_g);
    ``full`` (phases, O, L), zero where nothing was added. When ``PRODUCTS_BYTES`` hold the
    products of every column (the caller's chunks are sized for it), each tap is one add, of
    one contiguous range per group; otherwise (a very large sample) one add per column block
    of ``BLOCK_BYTES``.
    """
    matrix = np.ascontiguousarray(matrix[:, :, first:last])
    groups, count_taps, count_rows, c_group = matrix.shape
    depth = count_taps * count_rows
    matrix = matrix.reshape(groups, depth, c_group)
    o_group, length = full.shape[1] // groups, full.shape[2]
    # every input cell lies before this column: the grid leaves room for the largest shift
    columns = length - max(shift for _, shift in targets)
    if groups * depth * length * full.itemsize <= PRODUCTS_BYTES or columns <= 64:
        # one product of every column: each tap's add is one flat range
        products = _workspace("products", (groups, depth, length), full.dtype)
        np.matmul(matrix, planes.reshape(groups, c_group, length), out=products)
        per_tap = products.reshape(groups, count_taps, count_rows * length)
        for index, (phase, shift) in enumerate(targets):
            # Row o's cell c lands at flat o * length + c + shift: in the next row only for
            # c >= columns, where the products are 0 (planes are 0 there, and the weights are
            # finite: ops sends others to scatter), so a group's rows take one add of a
            # contiguous range, ending in row last - 1 (numpy's add into rows of a wider
            # array ran at a third of the speed: benchmarks/README.md)
            rows = full[phase].reshape(groups, o_group * length)
            rows[:, first * length + shift : last * length] += per_tap[:, index, : -shift or None]
        return
    # a sample too large for that: column blocks of the window block's size, a strided add each
    block = max(64, BLOCK_BYTES // (groups * depth * full.itemsize))
    for start in range(0, columns, block):
        stop = min(start + block, columns)
        width = stop - start
        products = _workspace("products", (groups, depth, width), full.dtype)
        np.matmul(matrix, planes[:, start:stop].reshape(groups, c_group, width), out=products)
        per_tap = products.reshape(groups, count_taps, count_rows, width)
        for index, (phase, shift) in enumerate(targets):
            into = full[phase][:, start + shift : stop + shift].reshape(groups, o_group, width)
            into[:, first:last] += per_tap[:, index]
