"""Padding of the spatial dimensions with PyTorch's four modes.

``torch.nn.Conv2d(padding_mode=...)`` pads explicitly, then convolves without padding; this
module is that explicit step. The modes, on the row ``[1, 2, 3]`` padded by 2 on each side:

============  =========================  =======================================
mode          result                     numpy equivalent
============  =========================  =======================================
``zeros``     ``0 0 | 1 2 3 | 0 0``      ``np.pad(mode="constant")``
``reflect``   ``3 2 | 1 2 3 | 2 1``      ``np.pad(mode="reflect")`` (edge not repeated)
``replicate`` ``1 1 | 1 2 3 | 3 3``      ``np.pad(mode="edge")``
``circular``  ``2 3 | 1 2 3 | 1 2``      ``np.pad(mode="wrap")``
============  =========================  =======================================
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convlib._validation import check_padding_mode

NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: np.ndarray, padding: Sequence[tuple[int, int]], mode: str = "zeros") -> np.ndarray:
    """Pad the trailing ``len(padding)`` (spatial) dimensions of ``x``.

    Parameters
    ----------
    x : ndarray
        Array of shape ``(..., *spatial)``.
    padding : sequence of (int, int)
        ``(before, after)`` for each spatial dimension, in order.
    mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How to fill the new cells (see the module docstring).

    Returns
    -------
    ndarray
        Shape ``(..., *(n + before + after))``, same dtype as ``x``.

    Raises
    ------
    ValueError
        For more pairs than the input has dimensions; for an unknown ``mode``; for ``reflect``
        padding not smaller than the input size, or ``circular`` padding larger than it (the
        limits PyTorch enforces).

    Examples
    --------
    >>> pad(np.array([1, 2, 3]), [(2, 2)], "reflect")
    array([3, 2, 1, 2, 3, 2, 1])
    """
    mode = check_padding_mode(mode)
    if len(padding) > x.ndim:
        raise ValueError(
            f"padding must hold at most one (before, after) pair per dimension of the input "
            f"({x.ndim}); received {len(padding)} pairs, padding={padding!r}"
        )
    spatial = x.shape[x.ndim - len(padding) :]
    for axis, ((before, after), size) in enumerate(zip(padding, spatial, strict=True)):
        widest = max(before, after)
        if mode == "reflect" and widest >= size:
            raise ValueError(
                f"reflect padding must be smaller than the input size along spatial dimension "
                f"{axis}; received padding ({before}, {after}) for size {size}"
            )
        if mode == "circular" and widest > size:
            raise ValueError(
                f"circular padding must not exceed the input size along spatial dimension "
                f"{axis}; received padding ({before}, {after}) for size {size}"
            )
    if not any(before or after for before, after in padding):
        return x
    widths = [(0, 0)] * (x.ndim - len(padding)) + [tuple(p) for p in padding]
    return np.pad(x, widths, mode=NUMPY_MODES[mode])
