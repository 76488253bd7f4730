"""Max, average and adaptive average pooling, N-d, with exactly PyTorch's semantics.

``max_pool{1,2,3}d`` and ``avg_pool{1,2,3}d`` are ``torch.nn.functional``'s functions of the same
names (same arguments, order and defaults); ``adaptive_avg_pool{1,2,3}d`` likewise. Inputs are
batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``; the result has the same batching
(``N = 0`` gives an empty result, as in torch). ``float32`` stays ``float32``; integer inputs
compute in ``float64``. One N-d core serves every variant; the textbook loops the tests compare
against are in :mod:`convlib.reference.pooling`.

A pooling window slides like a convolution's kernel (the same stride, padding and dilation), so
the output size is the convolution's, with ``stride`` defaulting to ``kernel_size`` and an
optional ceiling (:func:`convlib.geometry.shapes.pool_output_size`). Padding never wins a
maximum (it is :math:`-\\infty`) and counts in an average only with ``count_include_pad=True``.
"""

from __future__ import annotations

import math

import numpy as np

from convlib._typing import IntOrTuple
from convlib._validation import as_tuple, check_batched_input, expand_single, result_dtype
from convlib.functional.windows import window_view
from convlib.geometry.shapes import Geometry, pool_geometry

SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def _input(input: object, nd: int, op: str) -> tuple[np.ndarray, bool]:
    """``input`` as a checked batched array, and whether it was batched."""
    x = np.asarray(input)
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(
            f"{op} expects input of shape (C, {SPATIAL[nd]}) or (N, C, {SPATIAL[nd]}), "
            f"{nd + 1}-D or {nd + 2}-D; received input with shape {x.shape}"
        )
    return check_batched_input(x, nd)


def _rank(input: object, size: object, nd: int | None, name: str) -> tuple[int, str]:
    """The number of spatial dimensions and the function's name for messages.

    The named variants fix it; the N-d function reads it from a tuple ``kernel_size`` (or
    ``output_size``), else takes the input as batched ``(N, C, *spatial)``.
    """
    if nd is not None:
        return nd, f"{name}{nd}d"
    nd = len(size) if isinstance(size, tuple | list) else np.ndim(input) - 2
    if nd not in (1, 2, 3):
        raise ValueError(
            f"{name} pools 1 to 3 spatial dimensions: give a tuple kernel size or a batched "
            f"(N, C, *spatial) input; received input with shape {np.shape(input)}"
        )
    return nd, name


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; received {name}={value!r}")
    return bool(value)


def _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode) -> Geometry:
    """The pooling's plan (:func:`~convlib.geometry.shapes.pool_geometry`, whose errors name
    each argument), from arguments expanded as torch's poolings expand them."""
    kernel_size, stride, padding, dilation = (
        expand_single(v, nd) for v in (kernel_size, stride, padding, dilation)
    )  # torch's poolings expand kernel_size=(2,) to every spatial dimension
    k = as_tuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or stride == () or stride == [] else as_tuple(stride, nd, "stride")
    p = as_tuple(padding, nd, "padding", minimum=0)
    d = as_tuple(dilation, nd, "dilation")
    ceil_mode = _check_bool(ceil_mode, "ceil_mode")
    return pool_geometry(x.shape[2:], k, s, p, d, ceil_mode)


def _windows(x, plan: Geometry, fill):
    """Every window as a last axis: ``(N, C, *out, prod(k))``, padding filled with ``fill``.

    In ceil mode the last window may run past the padding; those cells are ``fill`` too.
    """
    widths = [(0, 0), (0, 0)]
    for o, s, e, n, (lo, hi) in zip(
        plan.output_size,
        plan.stride,
        plan.effective_kernel_size,
        x.shape[2:],
        plan.padding,
        strict=True,
    ):
        widths.append((lo, hi + max(0, (o - 1) * s + e - (n + lo + hi))))
    windows = window_view(np.pad(x, widths, constant_values=fill), plan)
    # (no -1: a batch may be empty)
    return windows.reshape(*x.shape[:2], *plan.output_size, math.prod(plan.kernel_size))


def max_pool(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""N-d max pooling, as ``torch.nn.functional.max_pool{1,2,3}d``.

    .. math::

        y[n, c, \mathbf{t}] = \max_{\mathbf{j}}\;
            x_\text{pad}[n, c, \mathbf{s}\odot\mathbf{t} + \mathbf{d}\odot\mathbf{j}],
        \qquad x_\text{pad} = -\infty \text{ outside the input}

    Parameters
    ----------
    input : ndarray
        ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``. The named variants fix the number
        of spatial dimensions; this N-d function takes it from a tuple ``kernel_size``, else
        reads the input as batched.
    kernel_size : int or tuple of int
        Window size.
    stride : int or tuple of int, optional
        Step between windows; ``None`` (the default) means ``kernel_size``.
    padding : int or tuple of int
        Implicit :math:`-\infty` cells on each side; at most half the kernel size.
    dilation : int or tuple of int
        Spacing between the cells of a window.
    ceil_mode : bool
        Round the output size up instead of down (a last, partial window is kept if it starts
        inside the input or the left padding).
    return_indices : bool
        Also return where each maximum came from: the flat index into the input's spatial
        dimensions (``h * W + w`` in 2-D), as PyTorch; the first maximum in the window wins.

    Returns
    -------
    ndarray, or (ndarray, ndarray of int64)
        ``(N, C, *out)`` (or ``(C, *out)``), per dimension

        .. math:: o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1

        (a ceiling with ``ceil_mode``, see :func:`convlib.geometry.shapes.pool_output_size`).

    Raises
    ------
    ValueError, TypeError
        For any invalid argument; the message names it and says what is allowed.

    See Also
    --------
    convlib.reference.pooling.max_pool : the same as loops.
    avg_pool, convlib.geometry.shapes.pool_output_size

    Examples
    --------
    >>> x = np.array([[1.0, 3, 2, 5, 4]])
    >>> max_pool1d(x, 2)  # unbatched (C, L)
    array([[3., 5.]])
    >>> max_pool1d(x, 2, ceil_mode=True, return_indices=True)
    (array([[3., 5., 4.]]), array([[1, 3, 4]]))
    """
    return _max_pool(None, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _max_pool(
    nd: int | None, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
):
    """:func:`max_pool` for ``nd`` spatial dimensions (``None``: read them from ``kernel_size``
    or the input, as the N-d function does)."""
    nd, op = _rank(input, kernel_size, nd, "max_pool")
    x, batched = _input(input, nd, op)
    plan = _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    return_indices = _check_bool(return_indices, "return_indices")
    x = x.astype(result_dtype(x), copy=False)
    windows = _windows(x, plan, -np.inf)
    tap = np.argmax(windows, axis=-1)  # the first maximum, or the first NaN
    nan = np.isnan(windows)
    last_nan = windows.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    tap = np.where(nan.any(axis=-1), last_nan, tap)  # PyTorch: a NaN wins, the last one
    y = np.take_along_axis(windows, tap[..., None], axis=-1)[..., 0]
    if not return_indices:
        return y if batched else y[0]
    indices = _max_indices(tap, y, x.shape[2:], plan)
    return (y, indices) if batched else (y[0], indices[0])


def _max_indices(tap, y, sizes, plan: Geometry):
    r"""Flat input index of each maximum (``h * W + w`` in 2-D), as PyTorch returns them.

    Where no cell beats :math:`-\infty` (a window of padding only, or of ``-inf`` values)
    PyTorch reports the window's first tap at a non-negative position, even past the input's end.
    """
    k, s, d = plan.kernel_size, plan.stride, plan.dilation
    p = [lo for lo, _ in plan.padding]
    grids = np.meshgrid(*(np.arange(o) for o in y.shape[2:]), indexing="ij")
    taps = np.unravel_index(tap, k)
    coords = [g * si - pi + j * di for g, si, pi, j, di in zip(grids, s, p, taps, d, strict=True)]
    starts = [g * si - pi for g, si, pi in zip(grids, s, p, strict=True)]
    corner = [st + di * (-(st // di)).clip(min=0) for st, di in zip(starts, d, strict=True)]
    strides = np.cumprod((1, *sizes[:0:-1]))[::-1]
    flat = sum(c * m for c, m in zip(coords, strides, strict=True))
    fallback = sum(c * m for c, m in zip(corner, strides, strict=True))
    return np.where(y == -np.inf, fallback, flat).astype(np.int64)


def avg_pool(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    r"""N-d average pooling, as ``torch.nn.functional.avg_pool{1,2,3}d`` (no dilation, as there).

    .. math::

        y[n, c, \mathbf{t}] = \frac{1}{D(\mathbf{t})} \sum_{\mathbf{j}}
            x_\text{pad}[n, c, \mathbf{s}\odot\mathbf{t} + \mathbf{j}],
        \qquad x_\text{pad} = 0 \text{ outside the input}

    The divisor :math:`D(\mathbf{t})` is ``divisor_override`` if given; else, with
    ``count_include_pad=True``, the number of window cells inside the padded input (all
    :math:`\prod k` except for a ceil-mode window that runs past the padding); with
    ``count_include_pad=False``, the number of window cells inside the input itself.

    Parameters
    ----------
    input : ndarray
        ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``.
    kernel_size, stride, padding, ceil_mode
        As :func:`max_pool` (``stride=None`` means ``kernel_size``).
    count_include_pad : bool
        Count the zero padding in the divisor.
    divisor_override : int, optional
        A fixed non-zero divisor for every window.

    Raises
    ------
    ValueError, TypeError
        For any invalid argument. As in PyTorch, 3-D average pooling also rejects an input
        smaller than the kernel, whatever the padding.

    Returns
    -------
    ndarray
        ``(N, C, *out)`` (or ``(C, *out)``), per dimension

        .. math:: o = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1

        (a ceiling with ``ceil_mode``).

    See Also
    --------
    convlib.reference.pooling.avg_pool : the same as loops.
    max_pool, adaptive_avg_pool

    Examples
    --------
    >>> x = np.array([[1.0, 3, 2, 5]])
    >>> avg_pool1d(x, 2)
    array([[2. , 3.5]])
    >>> avg_pool1d(x, 2, padding=1), avg_pool1d(x, 2, padding=1, count_include_pad=False)
    (array([[0.5, 2.5, 2.5]]), array([[1. , 2.5, 5. ]]))
    """
    return _avg_pool(
        None, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _avg_pool(
    nd: int | None,
    input,
    kernel_size,
    stride,
    padding,
    ceil_mode,
    count_include_pad,
    divisor_override,
):
    """:func:`avg_pool` for ``nd`` spatial dimensions (``None``: read them from ``kernel_size``
    or the input, as the N-d function does)."""
    nd, op = _rank(input, kernel_size, nd, "avg_pool")
    x, batched = _input(input, nd, op)
    plan = _geometry(x, nd, kernel_size, stride, padding, 1, ceil_mode)
    k, s, out = plan.kernel_size, plan.stride, plan.output_size
    p = [lo for lo, _ in plan.padding]
    if nd == 3 and any(n < ki for n, ki in zip(x.shape[2:], k, strict=True)):
        raise ValueError(  # PyTorch's avg_pool3d alone checks this, padding or not
            f"avg_pool3d needs an input at least as large as the kernel in every dimension "
            f"(as in PyTorch); received kernel_size={kernel_size!r} for input of shape {x.shape}"
        )
    count_include_pad = _check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int | np.integer):
            raise TypeError(
                f"divisor_override must be None or a non-zero int; "
                f"received divisor_override={divisor_override!r}"
            )
        if divisor_override == 0:
            raise ValueError("divisor_override must be None or a non-zero int; received 0")
    x = x.astype(result_dtype(x), copy=False)
    total = _windows(x, plan, 0.0).sum(axis=-1)
    if divisor_override is not None:
        y = total / x.dtype.type(divisor_override)
    else:
        divisor = np.ones(out, dtype=x.dtype)
        for axis, (o, n, ki, si, pi) in enumerate(zip(out, x.shape[2:], k, s, p, strict=True)):
            start = np.arange(o) * si - pi
            end = np.minimum(start + ki, n + pi)  # a ceil-mode window is cut at the padding
            if not count_include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, n)
            shape = [1] * nd
            shape[axis] = o
            divisor = divisor * (end - start).astype(x.dtype).reshape(shape)
        y = total / divisor
    return y if batched else y[0]


def _adaptive_bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: ``[floor(i n / o), ceil((i + 1) n / o))``."""
    i = np.arange(o)
    return (i * n) // o, -(-((i + 1) * n) // o)


def adaptive_avg_pool(input: np.ndarray, output_size: IntOrTuple | None) -> np.ndarray:
    r"""N-d adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool{1,2,3}d``.

    Output cell :math:`i` of a dimension of size :math:`n` averages the input cells
    :math:`\lfloor i n / o \rfloor` to :math:`\lceil (i+1) n / o \rceil - 1`; the windows may
    overlap and differ in size by one. ``output_size=1`` is global average pooling.

    Parameters
    ----------
    input : ndarray
        ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``.
    output_size : int or tuple of (int or None)
        The spatial output size :math:`o`; in 2-D and 3-D, ``None`` in a tuple keeps that
        input size (PyTorch's ``adaptive_avg_pool1d`` rejects ``None``, and so does this).

    Returns
    -------
    ndarray
        ``(N, C, *output_size)`` (or ``(C, *output_size)``).

    Examples
    --------
    >>> adaptive_avg_pool1d(np.array([[1.0, 2, 3, 4, 5]]), 2)
    array([[2., 4.]])
    """
    return _adaptive_avg_pool(None, input, output_size)


def _adaptive_avg_pool(nd: int | None, input, output_size):
    """:func:`adaptive_avg_pool` for ``nd`` spatial dimensions (``None``: read them from
    ``output_size`` or the input, as the N-d function does)."""
    nd, op = _rank(input, output_size, nd, "adaptive_avg_pool")
    x, batched = _input(input, nd, op)
    sizes = x.shape[2:]
    if nd > 1 and isinstance(output_size, tuple | list) and len(output_size) == nd:
        output_size = tuple(n if o is None else o for o, n in zip(output_size, sizes, strict=True))
    out = as_tuple(output_size, nd, "output_size", minimum=0)
    y = x.astype(result_dtype(x), copy=False)
    for axis, (n, o) in enumerate(zip(sizes, out, strict=True)):
        start, end = _adaptive_bounds(n, o)
        moved = np.moveaxis(y, 2 + axis, -1)
        sums = np.concatenate([np.zeros((*moved.shape[:-1], 1), y.dtype), moved], -1).cumsum(-1)
        means = (sums[..., end] - sums[..., start]) / (end - start).astype(y.dtype)
        y = np.moveaxis(means, -1, 2 + axis)
    return y if batched else y[0]


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D :func:`max_pool`, as ``torch.nn.functional.max_pool1d``: input ``(N, C, L)``."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D :func:`max_pool`, as ``torch.nn.functional.max_pool2d``: input ``(N, C, H, W)``."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D :func:`max_pool`, as ``torch.nn.functional.max_pool3d``: input ``(N, C, D, H, W)``."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
):  # fmt: skip
    """1-D :func:`avg_pool`, as ``torch.nn.functional.avg_pool1d`` (which has no
    ``divisor_override``): input ``(N, C, L)``."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None,
):  # fmt: skip
    """2-D :func:`avg_pool`, as ``torch.nn.functional.avg_pool2d``: input ``(N, C, H, W)``."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None,
):  # fmt: skip
    """3-D :func:`avg_pool`, as ``torch.nn.functional.avg_pool3d``: input ``(N, C, D, H, W)``."""
    return _avg_pool(
        3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def adaptive_avg_pool1d(input, output_size):
    """1-D :func:`adaptive_avg_pool`, as ``torch.nn.functional.adaptive_avg_pool1d``."""
    return _adaptive_avg_pool(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """2-D :func:`adaptive_avg_pool`, as ``torch.nn.functional.adaptive_avg_pool2d``."""
    return _adaptive_avg_pool(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """3-D :func:`adaptive_avg_pool`, as ``torch.nn.functional.adaptive_avg_pool3d``."""
    return _adaptive_avg_pool(3, input, output_size)
