"""How a convolution is computed: the methods and the rule that picks one from the shapes.

Like ``scipy.signal.correlate(method=...)`` and ``scipy.signal.choose_conv_method``, the
algorithm is an argument: ``conv(..., method='auto')`` asks :func:`choose_conv_method`, and a
user (or a chapter comparing algorithms) can name one. Every method gives the same result up to
rounding; the tests hold each one against the reference loops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

METHODS = ("gemm", "direct", "fft")
"""The methods ``conv`` and ``conv_transpose`` accept besides ``'auto'``."""

# Measured with benchmarks/bench_methods.py (float32, 2 threads, ms as gemm / direct / fft):
# depthwise 8x128x56x56 k3 11.3 / 13.6 / -, 8x128x28x28 k5 7.8 / 8.0, 1x96x56x56 k7 8.9 / 5.5,
# 1-D 8x64x4000 k31 30.2 / 18.3; one channel 512x512 k5 3.2 / 5.1 / 11.0, k15 62 / 19.5 / 7.2,
# k25 479 / 52 / 7.6; 4->4 channels 256x256 k7 5.2 / 11.2 / 15.0, k15 89 / 63 / 12.2; 64 groups
# of 2x2 k3 9.8 / 15.0 / -; 32 groups of 4x4 k3 10.4 / 35.6 / -; 16->16 channels 1-D k65 20.1 /
# 150 / 19.5 (A/B runs: one channel k9 13.6 / 7.6). So: FFT from about 128 taps per output cell
# on small groups; sums of scaled rows for one channel pair per group from 5x5 when there are
# many groups (9x9 for a single one), where a small product's window matrix costs more than the
# product; the matrix product everywhere else.
FFT_MIN_TAPS = 128
FFT_MAX_GROUP_PRODUCT = 256
DIRECT_MAX_GROUP_PRODUCT = 1
DIRECT_MIN_TAPS = 25  # with more than one group; a single group needs DIRECT_MIN_TAPS_ALONE
DIRECT_MIN_TAPS_ALONE = 81


def choose_conv_method(
    input_shape: Sequence[int],
    weight_shape: Sequence[int],
    stride: int | Sequence[int] = 1,
    groups: int = 1,
    transposed: bool = False,
) -> str:
    r"""The method ``method='auto'`` uses for a convolution of these shapes.

    With :math:`T` the number of kernel taps, :math:`P = \frac{C_{in}}{g}\cdot\frac{C_{out}}{g}`
    the number of channel pairs a group mixes and :math:`S` the product of the strides
    (1 for a transposed convolution):

    .. math::

        \text{method} = \begin{cases}
            \texttt{'fft'} & \text{if } T \ge 128\,S \text{ and } P \le 256
                \quad\text{(large kernels: the FFT's cost does not grow with } T)\\
            \texttt{'direct'} & \text{if } P = 1 \text{ and } T \ge 25 \text{ (} T \ge 81
                \text{ for } g = 1 \text{)}
                \quad\text{(large depthwise and single-channel kernels)}\\
            \texttt{'gemm'} & \text{otherwise (a matrix product per group).}
        \end{cases}

    The thresholds come from timings on the development machine (see the module source and
    ``benchmarks/``); every method gives the same result up to rounding.

    Parameters
    ----------
    input_shape : sequence of int
        ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``; only ``C_in`` is read.
    weight_shape : sequence of int
        ``(C_out, C_in / groups, *kernel)``, or for a transposed convolution
        ``(C_in, C_out / groups, *kernel)``.
    stride : int or sequence of int
        The convolution's stride (the FFT computes every position, then keeps each
        ``stride``-th).
    groups : int
        Number of channel groups.
    transposed : bool
        Whether ``weight_shape`` is a transposed convolution's weight.

    Returns
    -------
    str
        One of :data:`METHODS`: ``'gemm'``, ``'direct'`` or ``'fft'``.

    Raises
    ------
    ValueError
        If ``groups`` is not a positive int or the shapes are too short.

    See Also
    --------
    scipy.signal.choose_conv_method : the same idea for scipy's correlate.

    Examples
    --------
    >>> choose_conv_method((8, 64, 56, 56), (64, 64, 3, 3))
    'gemm'
    >>> choose_conv_method((8, 128, 56, 56), (128, 1, 3, 3), groups=128)
    'gemm'
    >>> choose_conv_method((8, 128, 28, 28), (128, 1, 5, 5), groups=128)
    'direct'
    >>> choose_conv_method((1, 1, 512, 512), (1, 1, 25, 25))
    'fft'
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
        pairs = (c_in // groups) * weight_shape[1]
        step = 1
    else:
        pairs = weight_shape[1] * (weight_shape[0] // groups)
        step = math.prod(stride) if isinstance(stride, tuple | list) else stride**nd
    if math.prod(weight_shape[2:]) >= FFT_MIN_TAPS * step and pairs <= FFT_MAX_GROUP_PRODUCT:
        return "fft"
    taps = math.prod(weight_shape[2:])
    enough = DIRECT_MIN_TAPS if groups > 1 else DIRECT_MIN_TAPS_ALONE
    return "direct" if pairs <= DIRECT_MAX_GROUP_PRODUCT and taps >= enough else "gemm"


def check_method(method: object) -> str:
    """``method`` checked against ``'auto'`` and :data:`METHODS`."""
    allowed = ("auto", *METHODS)
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"method must be one of {allowed}; received method={method!r}")
    return method
