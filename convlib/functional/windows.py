"""The one window primitive: every window a convolution or pooling reads, as a strided view.

A plan (:class:`~convlib.geometry.shapes.Geometry`) says where output position ``t`` reads:
cells ``t s + j d`` of the padded input for taps ``j``. :func:`window_view` turns that into a
view with no copy; pooling reduces its kernel axes, ``im2col`` lays them out as a matrix.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convlib.geometry.shapes import Geometry


def window_view(padded: np.ndarray, plan: Geometry) -> np.ndarray:
    r"""Every window of ``padded`` (already padded as ``plan`` says), as a read-only view.

    Parameters
    ----------
    padded : ndarray
        ``(..., *padded_size)``: the plan's spatial dimensions last, padding included (cells
        past the padding, as a ceil-mode pooling window may need, included too).
    plan : Geometry
        A convolution's or pooling's plan (not a transposed one).

    Returns
    -------
    ndarray
        ``(..., *output_size, *kernel_size)``, with
        ``view[..., t_1, ..., t_n, j_1, ..., j_n] = padded[..., t_1 s_1 + j_1 d_1, ...]``.

    Examples
    --------
    >>> from convlib.geometry.shapes import conv_geometry
    >>> window_view(np.arange(5.0), conv_geometry(5, 2, stride=2, dilation=2)).tolist()
    [[0.0, 2.0], [2.0, 4.0]]
    """
    if plan.transposed:
        raise ValueError(
            "window_view takes a convolution's or pooling's plan, not a transposed one"
        )
    nd = plan.ndim
    axes = tuple(range(padded.ndim - nd, padded.ndim))
    view = sliding_window_view(padded, plan.effective_kernel_size, axis=axes)
    positions = tuple(
        slice(0, (o - 1) * s + 1, s) for o, s in zip(plan.output_size, plan.stride, strict=True)
    )
    taps = tuple(slice(None, None, d) for d in plan.dilation)
    return view[(Ellipsis, *positions, *taps)]
