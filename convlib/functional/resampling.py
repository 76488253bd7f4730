"""Upsampling without learned weights, and the sub-pixel rearrangement, as in PyTorch.

``interpolate`` is ``torch.nn.functional.interpolate`` for the modes ``'nearest'``,
``'nearest-exact'``, ``'linear'``, ``'bilinear'`` and ``'trilinear'``; ``pixel_shuffle`` and
``pixel_unshuffle`` are the functions of the same names. ``bilinear_upsampling_weight`` is the
initialisation FCN gives a transposed convolution so that it starts as bilinear interpolation.
The textbook loops the tests compare against are in :mod:`convlib.reference.pooling`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from convlib._typing import IntOrTuple
from convlib._validation import as_tuple, check_array, check_positive_int, result_dtype

NEAREST_MODES = ("nearest", "nearest-exact")
LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
MODES = (*NEAREST_MODES, *LINEAR_MODES)


def _scale_factors(scale_factor: object, nd: int) -> tuple[float, ...]:
    expected = f"scale_factor must be a positive number or a tuple of {nd} positive numbers"
    values = scale_factor if isinstance(scale_factor, tuple | list) else (scale_factor,) * nd
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{expected}; received scale_factor={scale_factor!r}")
    if len(values) != nd:
        raise ValueError(
            f"{expected} (one per spatial dimension of the input); "
            f"received scale_factor={scale_factor!r}"
        )
    return tuple(float(v) for v in values)


def _plan(input, size, scale_factor, mode, align_corners, recompute_scale_factor):
    """Check every argument as ``torch.nn.functional.interpolate`` does; return the output
    size and the scale factors the index rule uses (``None`` per dimension: in / out)."""
    if mode not in MODES:
        raise ValueError(
            f"mode must be one of {', '.join(map(repr, MODES))}; received mode={mode!r}"
        )
    x = check_array(input, "input", ndims=(3, 4, 5), batch_axes=1)
    nd = x.ndim - 2
    if mode in LINEAR_MODES and LINEAR_MODES[mode] != nd:
        needs = LINEAR_MODES[mode] + 2
        raise ValueError(
            f"mode={mode!r} needs a {needs}-D input (N, C, {('L', 'H, W', 'D, H, W')[needs - 3]}); "
            f"received input with shape {x.shape} (interpolate has no unbatched form)"
        )
    if mode in NEAREST_MODES and align_corners is not None:
        raise ValueError(
            "align_corners can only be set with the interpolating modes 'linear', 'bilinear' "
            f"and 'trilinear'; received align_corners={align_corners!r} with mode={mode!r}"
        )
    if align_corners is not None and not isinstance(align_corners, bool | np.bool_):
        raise TypeError(f"align_corners must be None, True or False; received {align_corners!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "exactly one of size and scale_factor must be given; received "
            f"size={size!r}, scale_factor={scale_factor!r}"
        )
    if recompute_scale_factor and size is not None:
        raise ValueError(
            "recompute_scale_factor is not meaningful with an explicit size; "
            f"received size={size!r}, recompute_scale_factor={recompute_scale_factor!r}"
        )
    if size is not None:
        if isinstance(size, tuple | list) and len(size) != nd:
            raise ValueError(
                f"size must be an int or a tuple of {nd} ints, one per spatial dimension of "
                f"the input of shape {x.shape}; received size={size!r}"
            )
        out = as_tuple(size, nd, "size")
        scales = (None,) * nd
    else:
        factors = _scale_factors(scale_factor, nd)
        out = tuple(math.floor(n * f) for n, f in zip(x.shape[2:], factors, strict=True))
        if any(o < 1 for o in out):
            raise ValueError(
                f"scale_factor gives an empty output: input size {x.shape[2:]} times "
                f"scale_factor={scale_factor!r} rounds down to {out}"
            )
        scales = (None,) * nd if recompute_scale_factor else factors
    return x, out, scales, bool(align_corners)


def _nearest_source(n: int, o: int, scale: float | None, exact: bool, nd: int) -> np.ndarray:
    """PyTorch's nearest index rule: ``min(floor(dst * r), n - 1)``, ``r = 1 / scale_factor``
    (or ``n / o``), computed in single precision as PyTorch does; ``'nearest-exact'`` uses
    ``dst + 0.5``. PyTorch's 2-D ``'nearest'`` alone copies a dimension when ``o = n`` and
    reads ``dst // 2`` when ``o = 2n``, whatever the scale factor."""
    dst = np.arange(o)
    if nd == 2 and not exact and o in (n, 2 * n):
        return dst // (o // n)
    r = (
        np.float32(1.0 / scale)
        if scale is not None and scale > 0
        else np.float32(n) / np.float32(o)
    )
    position = (dst.astype(np.float32) + np.float32(0.5 if exact else 0.0)) * r
    return np.minimum(np.floor(position).astype(np.int64), n - 1)


def _linear_source(n, o, scale, align_corners, dtype):
    """Left neighbour, right neighbour and the right weight of each output cell.

    ``align_corners=True`` maps the corner cells' centres onto each other,
    ``src = dst (n - 1) / (o - 1)``; ``False`` maps the corners of the cells' squares,
    ``src = (dst + 1/2) r - 1/2`` with ``r = 1 / scale_factor`` (or ``n / o``), clamped at 0.
    A dimension whose size does not change is copied.
    """
    dst = np.arange(o, dtype=dtype)
    if o == n:  # PyTorch copies a dimension whose size does not change, whatever the scale
        return np.arange(n), np.arange(n), np.zeros(n, dtype)
    if align_corners:
        src = dst * dtype.type((n - 1) / (o - 1) if o > 1 else 0.0)
    else:
        r = dtype.type(1.0 / scale) if scale is not None and scale > 0 else dtype.type(n / o)
        src = np.maximum((dst + dtype.type(0.5)) * r - dtype.type(0.5), 0)
    left = np.minimum(np.floor(src).astype(np.int64), n - 1)
    right = np.minimum(left + 1, n - 1)
    weight = np.clip(src - left, 0, 1).astype(dtype)
    return left, right, weight


def interpolate(
    input: np.ndarray,
    size: IntOrTuple | None = None,
    scale_factor: float | tuple[float, ...] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
) -> np.ndarray:
    r"""Resize by nearest-neighbour or (bi/tri)linear interpolation, as
    ``torch.nn.functional.interpolate`` (without ``antialias``).

    Each spatial dimension is resampled independently. Output cell ``dst`` reads input position

    .. math::

        \text{nearest: } \lfloor \text{dst}\cdot r \rfloor, \qquad
        \text{linear, align\_corners=False: }
            \max\!\big(0, (\text{dst} + \tfrac12)\, r - \tfrac12\big), \qquad
        \text{linear, align\_corners=True: } \text{dst}\,\frac{n - 1}{o - 1}

    (clamped to the last cell), where :math:`r = 1/\text{scale\_factor}` if a scale factor was
    given (and not recomputed), else :math:`n / o`; linear modes blend the two neighbours of a
    fractional position. As in PyTorch, the nearest index is computed in single precision, linear
    modes copy a dimension whose size does not change, and 2-D ``'nearest'`` copies such a
    dimension too and reads ``dst // 2`` for an exact doubling, whatever the scale factor.

    Parameters
    ----------
    input : ndarray
        ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``: always batched, as in PyTorch.
    size : int or tuple of int, optional
        The output's spatial size.
    scale_factor : float or tuple of float, optional
        Multiplier of the spatial size; exactly one of ``size`` and ``scale_factor`` is given.
    mode : {'nearest', 'nearest-exact', 'linear', 'bilinear', 'trilinear'}
        ``'linear'`` needs 3-D input, ``'bilinear'`` 4-D, ``'trilinear'`` 5-D.
    align_corners : bool, optional
        Linear modes only (``None`` means ``False``); the nearest modes reject it.
    recompute_scale_factor : bool, optional
        ``True``: compute :math:`r = n / o` from the output size instead of using
        ``1 / scale_factor``; not allowed with ``size``.

    Returns
    -------
    ndarray
        ``(N, C, *out)`` with :math:`o = \text{size}` or
        :math:`o = \lfloor n \cdot \text{scale\_factor} \rfloor`.

    See Also
    --------
    convlib.reference.pooling.interpolate : the same as loops.
    pixel_shuffle, bilinear_upsampling_weight

    Examples
    --------
    >>> x = np.array([[[0.0, 1.0]]])
    >>> interpolate(x, scale_factor=2)
    array([[[0., 0., 1., 1.]]])
    >>> interpolate(x, size=4, mode="linear")
    array([[[0.  , 0.25, 0.75, 1.  ]]])
    >>> interpolate(x, size=4, mode="linear", align_corners=True).round(3)
    array([[[0.   , 0.333, 0.667, 1.   ]]])
    """
    x, out, scales, align_corners = _plan(
        input, size, scale_factor, mode, align_corners, recompute_scale_factor
    )
    y = x.astype(result_dtype(x), copy=False)
    for axis, (n, o, scale) in enumerate(zip(x.shape[2:], out, scales, strict=True)):
        if mode in NEAREST_MODES:
            source = _nearest_source(n, o, scale, mode == "nearest-exact", len(out))
            y = np.take(y, source, axis=2 + axis)
            continue
        left, right, weight = _linear_source(n, o, scale, align_corners, y.dtype)
        shape = [1] * y.ndim
        shape[2 + axis] = o
        weight = weight.reshape(shape)
        a, b = np.take(y, left, axis=2 + axis), np.take(y, right, axis=2 + axis)
        y = a * (1 - weight) + b * weight
    return np.ascontiguousarray(y)


def _check_at_least_3d(input: object, name: str) -> np.ndarray:
    x = np.asarray(input)
    if x.ndim < 3:
        raise ValueError(
            f"{name} expects an input of at least 3 dimensions (*, C, H, W); "
            f"received input with shape {x.shape}"
        )
    # any dimension may be empty, as in torch: a rearrangement of no cells gives no cells
    return check_array(x, "input", ndims=tuple(range(3, max(x.ndim, 3) + 1)), batch_axes=x.ndim)


def pixel_shuffle(input: np.ndarray, upscale_factor: int) -> np.ndarray:
    r"""Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``, as
    ``torch.nn.functional.pixel_shuffle``.

    .. math:: y[\ldots, c, h r + i, w r + j] = x[\ldots, c r^2 + i r + j, h, w]

    The sub-pixel convolution of Shi et al.: a convolution at low resolution computes
    :math:`r^2` channels per output channel, one per position of an :math:`r \times r` block.

    Parameters
    ----------
    input : ndarray
        ``(*, C r^2, H, W)``: any number of leading dimensions.
    upscale_factor : int
        :math:`r`, a positive int.

    Returns
    -------
    ndarray
        ``(*, C, H r, W r)``.

    See Also
    --------
    pixel_unshuffle : its inverse.

    Examples
    --------
    >>> pixel_shuffle(np.arange(4.0).reshape(4, 1, 1), 2)
    array([[[0., 1.],
            [2., 3.]]])
    """
    x = _check_at_least_3d(input, "pixel_shuffle")
    r = check_positive_int(upscale_factor, "upscale_factor")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(
            f"pixel_shuffle needs the channel dimension divisible by upscale_factor**2 = {r * r}; "
            f"received input with shape {x.shape} (C = {c}) and upscale_factor={r}"
        )
    n = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.transpose(*range(n + 1), n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(y.reshape(*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: np.ndarray, downscale_factor: int) -> np.ndarray:
    r"""Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)``, as
    ``torch.nn.functional.pixel_unshuffle``: the inverse of :func:`pixel_shuffle`.

    .. math:: y[\ldots, c r^2 + i r + j, h, w] = x[\ldots, c, h r + i, w r + j]

    Examples
    --------
    >>> pixel_unshuffle(np.arange(4.0).reshape(1, 2, 2), 2).ravel()
    array([0., 1., 2., 3.])
    """
    x = _check_at_least_3d(input, "pixel_unshuffle")
    r = check_positive_int(downscale_factor, "downscale_factor")
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise ValueError(
            f"pixel_unshuffle needs height and width divisible by downscale_factor={r}; "
            f"received input with shape {x.shape}"
        )
    n = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.transpose(*range(n + 1), n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(y.reshape(*lead, c * r * r, h // r, w // r))


def bilinear_kernel(factor: int) -> np.ndarray:
    r"""The 1-D kernel of FCN's bilinear initialisation for upsampling by ``factor``.

    Size :math:`k = 2f - (f \bmod 2)`, centre :math:`c = (k - 1)/2`, taps
    :math:`1 - |j - c| / \lceil k/2 \rceil` (the tent of linear interpolation, sampled).

    Examples
    --------
    >>> bilinear_kernel(2)
    array([0.25, 0.75, 0.75, 0.25])
    """
    f = check_positive_int(factor, "factor")
    k = 2 * f - f % 2
    half = (k + 1) // 2
    centre = half - 1 if k % 2 else half - 0.5
    return 1 - np.abs(np.arange(k) - centre) / half


def bilinear_upsampling_weight(channels: int, factor: int) -> np.ndarray:
    r"""Weight ``(C, C, k, k)`` that makes ``conv_transpose2d(x, w, stride=factor,
    padding=factor // 2)`` upsample each channel bilinearly, as FCN initialises it.

    The kernel is the outer product of :func:`bilinear_kernel` with itself, on the diagonal
    (channel ``c`` to channel ``c``; zero elsewhere). With :math:`k = 2f - (f \bmod 2)`,
    :math:`s = f` and :math:`p = \lfloor f/2 \rfloor` the output size is exactly

    .. math:: o = (n - 1) f - 2 \lfloor f/2 \rfloor + 2f - (f \bmod 2) = n f,

    and away from the border the result equals
    ``interpolate(x, scale_factor=factor, mode='bilinear', align_corners=False)``.

    Examples
    --------
    >>> w = bilinear_upsampling_weight(3, 2)
    >>> w.shape, float(w[0, 0, 1, 1]), float(w[0, 1].max())
    ((3, 3, 4, 4), 0.5625, 0.0)
    """
    c = check_positive_int(channels, "channels")
    k1 = bilinear_kernel(factor)
    weight = np.zeros((c, c, k1.size, k1.size))
    weight[np.arange(c), np.arange(c)] = np.outer(k1, k1)
    return weight
