"""How a convolution is computed: the methods and the rule that picks one from the shapes.

Like ``scipy.signal.correlate(method=...)`` and ``scipy.signal.choose_conv_method``, the
algorithm is an argument: ``conv(..., method='auto')`` asks :func:`choose_conv_method`, and a
user (or a chapter comparing algorithms) can name one. Every method gives the same result up to
rounding; the tests hold each one against the reference loops.
"""

from __future__ import annotations

from collections.abc import Sequence

METHODS = ("gemm", "direct")
"""The methods ``conv`` and ``conv_transpose`` accept besides ``'auto'``."""

# A group whose (input channels x output channels) is at most this is summed tap by tap:
# measured on 8x128x56x56 3x3 (float32, 2 threads): depthwise (1 x 1) direct 6 ms vs gemm
# 60 ms; 32 groups (4 x 4) direct 26 ms vs gemm 40 ms; 8 groups (16 x 16) gemm wins.
DIRECT_MAX_GROUP_PRODUCT = 16


def choose_conv_method(
    input_shape: Sequence[int],
    weight_shape: Sequence[int],
    groups: int = 1,
    transposed: bool = False,
) -> str:
    r"""The method ``method='auto'`` uses for a convolution of these shapes.

    A matrix product pays off when each group mixes enough channels: for every kernel tap the
    products of a group form a :math:`C_{out}/g \times C_{in}/g` block, and BLAS needs a
    reasonably large block to beat plain vectorised multiply-adds. So

    .. math::

        \text{method} = \begin{cases}
            \texttt{'direct'} & \text{if } \frac{C_{in}}{g} \cdot \frac{C_{out}}{g} \le 16
                \quad\text{(depthwise, single-channel images, tiny groups)}\\
            \texttt{'gemm'} & \text{otherwise.}
        \end{cases}

    Parameters
    ----------
    input_shape : sequence of int
        ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``; only ``C_in`` is read.
    weight_shape : sequence of int
        ``(C_out, C_in / groups, *kernel)``, or for a transposed convolution
        ``(C_in, C_out / groups, *kernel)``.
    groups : int
        Number of channel groups.
    transposed : bool
        Whether ``weight_shape`` is a transposed convolution's weight.

    Returns
    -------
    str
        ``'gemm'`` or ``'direct'`` (see :data:`METHODS` and ``convlib.conv``).

    Raises
    ------
    ValueError
        If ``groups`` is not a positive int or the shapes are too short.

    Examples
    --------
    >>> choose_conv_method((8, 64, 56, 56), (64, 64, 3, 3))
    'gemm'
    >>> choose_conv_method((8, 128, 56, 56), (128, 1, 3, 3), groups=128)
    'direct'
    >>> choose_conv_method((1, 1, 512, 512), (1, 1, 5, 5))
    'direct'
    """
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"groups must be a positive int; received groups={groups!r}")
    if len(weight_shape) < 3 or len(input_shape) < 2:
        raise ValueError(
            f"weight_shape must be (C_out, C_in / groups, *kernel) and input_shape (N, C_in, "
            f"*spatial) or (C_in, *spatial); received input_shape={tuple(input_shape)}, "
            f"weight_shape={tuple(weight_shape)}"
        )
    nd = len(weight_shape) - 2
    c_in = input_shape[-nd - 1]
    if transposed:
        per_group = (c_in // groups) * weight_shape[1]
    else:
        per_group = weight_shape[1] * (weight_shape[0] // groups)
    return "direct" if per_group <= DIRECT_MAX_GROUP_PRODUCT else "gemm"


def check_method(method: object) -> str:
    """``method`` checked against ``'auto'`` and :data:`METHODS`."""
    allowed = ("auto", *METHODS)
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"method must be one of {allowed}; received method={method!r}")
    return method
