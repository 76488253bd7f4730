"""How convolutions are computed: im2col + GEMM, FFT, Winograd, and what each costs.

Every ``*_conv`` function computes exactly what :func:`convlib.conv` computes (same arguments,
same PyTorch semantics) by another algorithm; the counting functions say what an algorithm
costs in multiplications or in memory traffic. Chapter 8 of the book ("Computing convolutions")
explains them; the tests compare each against :mod:`convlib.reference`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable

import numpy as np

from convlib._typing import IntOrTuple, Padding, Shape
from convlib._validation import (
    as_tuple,
    check_batched_input,
    check_groups,
    check_positive_int,
    result_dtype,
)
from convlib.functional.convolution import checked_conv_arguments, finish_conv
from convlib.functional.padding import pad
from convlib.functional.windows import window_view
from convlib.geometry.shapes import conv_geometry

# Winograd's minimal filtering algorithm F(2, 3) in Lavin and Gray's matrix form:
# y = A^T [(G g) * (B^T d)] for a tile d of 4 inputs, a kernel g of 3 taps, 2 outputs.
WINOGRAD_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)
WINOGRAD_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
WINOGRAD_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=float)


# --- im2col + GEMM ----------------------------------------------------------------------


def im2col(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    dilation: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    stride: IntOrTuple = 1,
) -> np.ndarray:
    r"""The window matrix of a convolution, as ``torch.nn.functional.unfold`` (N-d, zero padding).

    Column :math:`l` holds the input cells that output position :math:`l` (row-major) reads:
    row :math:`c \prod k + j` is channel :math:`c` at kernel tap :math:`j` (row-major), so a
    convolution is one matrix product, ``weight.reshape(C_out, -1) @ im2col(x, k)``.

    Parameters
    ----------
    input : ndarray
        ``(N, C, *spatial)``; unbatched ``(C, *spatial)`` when ``kernel_size`` is a tuple (its
        length gives the number of spatial dimensions, 1 to 3).
    kernel_size, dilation, padding, stride : int or tuple of int
        As in :func:`convlib.conv` (the argument order is ``unfold``'s).

    Returns
    -------
    ndarray
        ``(N, C \prod_i k_i, L)`` (or ``(C \prod_i k_i, L)`` unbatched) with
        :math:`L = \prod_i o_i` and
        :math:`o_i = \lfloor (n_i + 2p_i - d_i(k_i - 1) - 1)/s_i \rfloor + 1`.

    Examples
    --------
    >>> im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    x = np.asarray(input)
    nd = len(kernel_size) if isinstance(kernel_size, tuple) else x.ndim - 2
    if nd not in (1, 2, 3):
        raise ValueError(
            "input must be (N, C, *spatial) with 1 to 3 spatial dimensions (or unbatched with a "
            f"tuple kernel_size); received input with shape {x.shape} and "
            f"kernel_size={kernel_size!r}"
        )
    x, batched = check_batched_input(x, nd)
    kernel = as_tuple(kernel_size, nd, "kernel_size")
    dilation, stride = as_tuple(dilation, nd, "dilation"), as_tuple(stride, nd, "stride")
    padding = as_tuple(padding, nd, "padding", minimum=0)  # unfold takes no padding strings
    plan = conv_geometry(x.shape[2:], kernel, stride, padding, dilation)
    windows = window_view(pad(x, plan.padding), plan)  # (N, C, *out, *kernel)
    order = [0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd)]  # (N, C, *kernel, *out)
    n, c = x.shape[:2]
    cols = windows.transpose(order).reshape(n, c * math.prod(kernel), math.prod(plan.output_size))
    return cols if batched else cols[0]


def _prepare(input, weight, bias, stride, padding, dilation, groups, padding_mode):
    """The checks of :func:`convlib.conv`; returns the padded input and the plan."""
    x, weight, bias, groups, padding_mode, plan, batched = checked_conv_arguments(
        input, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    dtype = result_dtype(x, weight, bias)
    x = pad(x.astype(dtype, copy=False), plan.padding, padding_mode)
    weight = weight.astype(dtype, copy=False)
    return x, weight, bias, batched, groups, plan


def im2col_conv(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    r""":func:`convlib.conv` as im2col followed by one matrix product (GEMM) per group.

    .. math:: Y_{(o),\,l} = \sum_{r} W_{o,\,r}\; X^\text{col}_{r,\,l},\qquad
        W = \texttt{weight.reshape}(C_\text{out}, C_\text{in}/g \cdot \textstyle\prod k)

    Arguments, shapes and results as :func:`convlib.conv`.
    """
    x, w, bias, batched, groups, plan = _prepare(
        input, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    cols = im2col(x, w.shape[2:], plan.dilation, 0, plan.stride)  # (N, C * taps, L)
    rows_per_group = cols.shape[1] // groups
    w = w.reshape(groups, w.shape[0] // groups, -1)  # (g, C_out / g, C_in / g * taps)
    y = np.concatenate(
        [w[i] @ cols[:, i * rows_per_group : (i + 1) * rows_per_group] for i in range(groups)],
        axis=1,
    )  # (N, C_out, L)
    return finish_conv(y.reshape(*y.shape[:2], *plan.output_size), bias, batched, x.dtype)


def _mix_channels(v: np.ndarray, u: np.ndarray, groups: int) -> np.ndarray:
    r"""``m[n, o, ..., p] = sum_c v[n, c, ..., p] u[o, c, p]`` over the channels of o's group.

    ``v`` is ``(N, C_in, *middle, *points)``, ``u`` is ``(C_out, C_in / groups, *points)``: one
    matrix product (GEMM) ``(N * middle, C_in / g) @ (C_in / g, C_out / g)`` per point ``p``
    and group (a frequency of the FFT, a tile position of Winograd's transform).
    """
    n, c_out, cg = v.shape[0], u.shape[0], u.shape[1]
    points = u.shape[2:]
    middle = v.shape[2 : v.ndim - len(points)]
    p, t, og = math.prod(points), math.prod(middle), c_out // groups
    a = v.reshape(n, groups, cg, t, p).transpose(1, 4, 0, 3, 2).reshape(groups, p, n * t, cg)
    b = u.reshape(groups, og, cg, p).transpose(0, 3, 2, 1)  # (g, p, Cg_in, Cg_out)
    m = (a @ b).reshape(groups, p, n, t, og).transpose(2, 0, 4, 3, 1)  # (N, g, Cg_out, t, p)
    return m.reshape(n, c_out, *middle, *points)


# --- FFT --------------------------------------------------------------------------------


def fft_conv(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    r""":func:`convlib.conv` through the Fourier transform (convolution theorem).

    The padded input (size :math:`P` per dimension) and the flipped, dilated kernel are
    transformed at size :math:`P`; their products summed over each group's input channels are
    transformed back. The circular wrap-around only reaches the first
    :math:`d(k-1)` cells, which a valid correlation never keeps; the stride subsamples:

    .. math:: y[t] = \mathcal{F}^{-1}\!\left[\sum_c \mathcal{F}x_c\,
        \mathcal{F}\tilde w_{o,c}\right]\!\big[s\,t + d(k-1)\big]

    Arguments, shapes and results as :func:`convlib.conv` (float64 arithmetic inside).
    """
    x, w, bias, batched, groups, plan = _prepare(
        input, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    nd = w.ndim - 2
    axes = tuple(range(2, 2 + nd))
    size = x.shape[2:]
    span = plan.effective_kernel_size
    dilated = np.zeros((*w.shape[:2], *span))
    dilated[(..., *(slice(None, None, d) for d in plan.dilation))] = w
    flipped = np.flip(dilated, axis=axes)
    xf = np.fft.rfftn(x, s=size, axes=axes)  # (N, C_in, *F)
    wf = np.fft.rfftn(flipped, s=size, axes=axes)  # (C_out, C_in / g, *F)
    yf = _mix_channels(xf, wf, groups)  # one matrix product per frequency
    full = np.fft.irfftn(yf, s=size, axes=axes)
    keep = tuple(
        slice(e - 1, e - 1 + s * (o - 1) + 1, s)
        for e, s, o in zip(span, plan.stride, plan.output_size, strict=True)
    )
    return finish_conv(full[(..., *keep)], bias, batched, x.dtype)


# --- Winograd F(2, 3) -------------------------------------------------------------------


def winograd_f23(d: np.ndarray, g: np.ndarray) -> np.ndarray:
    r"""Two outputs of a 3-tap correlation from 4 inputs with 4 multiplications: F(2, 3).

    .. math:: y = A^T\big[(G g) \odot (B^T d)\big],\qquad
        y_t = \sum_{j=0}^{2} g_j\, d_{t+j}\quad (t = 0, 1)

    ``d`` is ``(..., 4)`` (a batch of tiles), ``g`` is ``(3,)``; returns ``(..., 2)``. Works on
    object arrays too, which is how :func:`count_multiplications` counts the products.
    """
    transformed = np.asarray(d) @ WINOGRAD_BT.T  # B^T d per tile: additions only
    return (transformed * (WINOGRAD_G @ np.asarray(g))) @ WINOGRAD_AT.T


def winograd_f23_2d(d: np.ndarray, g: np.ndarray) -> np.ndarray:
    r"""A 2 x 2 output tile of a 3 x 3 correlation from a 4 x 4 input tile: F(2x2, 3x3).

    .. math:: Y = A^T\big[(G g G^T) \odot (B^T d B)\big] A

    ``d`` is ``(4, 4)``, ``g`` is ``(3, 3)``; returns ``(2, 2)``, with 16 multiplications
    instead of the direct 36.
    """
    d, g = np.asarray(d), np.asarray(g)
    product = (WINOGRAD_G @ g @ WINOGRAD_G.T) * (WINOGRAD_BT @ d @ WINOGRAD_BT.T)
    return WINOGRAD_AT @ product @ WINOGRAD_AT.T


def _transform(a: np.ndarray, matrix: np.ndarray, nd: int) -> np.ndarray:
    """Multiply each of the last ``nd`` axes of ``a`` by ``matrix`` (``M a M^T`` for 2-D)."""
    for axis in range(-nd, 0):
        a = np.moveaxis(np.moveaxis(a, axis, -1) @ matrix.T, -1, axis)
    return a


def winograd_conv(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    padding: Padding = 0,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    r""":func:`convlib.conv` with 3-tap (1-D) or 3 x 3 (2-D) kernels, stride 1, by F(2, 3) tiles.

    The output is cut into tiles of 2 (or 2 x 2); each reads a 4 (or 4 x 4) input tile, and
    neighbouring input tiles overlap by 2. An odd output size gets one extra zero tile row,
    cropped at the end. Arguments as :func:`convlib.conv` (no stride or dilation).
    """
    nd = np.ndim(weight) - 2
    if nd not in (1, 2) or np.shape(weight)[2:] != (3,) * nd:
        raise ValueError(
            "winograd_conv implements F(2, 3): weight must be (C_out, C_in / groups, 3) or "
            f"(C_out, C_in / groups, 3, 3); received weight with shape {np.shape(weight)}"
        )
    x, w, bias, batched, groups, plan = _prepare(
        input, weight, bias, 1, padding, 1, groups, padding_mode
    )
    out = plan.output_size
    tiles = [-(-o // 2) for o in out]
    x = pad(x, [(0, 2 * t + 2 - n) for t, n in zip(tiles, x.shape[2:], strict=True)])
    # the 4-cell input tiles, 2 apart: the windows of a stride-2 "convolution" with k = 4
    windows = window_view(x, conv_geometry(x.shape[2:], (4,) * nd, 2))
    n, c_out = x.shape[0], w.shape[0]
    v = _transform(windows, WINOGRAD_BT, nd)  # B^T d (B per dimension): (N, C, *T, *4)
    u = _transform(w, WINOGRAD_G, nd)  # G g G^T: (C_out, C_in / g, *4)
    m = _mix_channels(v, u, groups)  # the data-by-weight products: 4 ** nd matrix products
    y = _transform(m, WINOGRAD_AT, nd).reshape(n, c_out, *tiles, *(2,) * nd)  # A^T M A
    order = [0, 1, *(a for i in range(nd) for a in (2 + i, 2 + nd + i))]
    y = y.transpose(order).reshape(n, c_out, *(2 * t for t in tiles))
    return finish_conv(y[(..., *(slice(0, o) for o in out))], bias, batched, x.dtype)


# --- counting multiplications -------------------------------------------------------------


def correlate_tile(d: np.ndarray, g: np.ndarray) -> np.ndarray:
    r"""Direct 'valid' correlation of one tile ``d`` with a kernel ``g`` (any number of dims).

    .. math:: y[\mathbf{t}] = \sum_{\mathbf{j}} g[\mathbf{j}]\, d[\mathbf{t} + \mathbf{j}]

    Plain loops, one multiplication per tap per output, so it also runs on object arrays.
    """
    d, g = np.asarray(d), np.asarray(g)
    out = tuple(n - k + 1 for n, k in zip(d.shape, g.shape, strict=True))
    y = np.empty(out, dtype=np.result_type(d, g))
    for t in itertools.product(*map(range, out)):
        taps = itertools.product(*map(range, g.shape))
        y[t] = sum(g[j] * d[tuple(a + b for a, b in zip(t, j, strict=True))] for j in taps)
    return y


class _Counted:
    """A number that counts the multiplications between two counted numbers."""

    __slots__ = ("counter", "value")

    def __init__(self, value: float, counter: list[int]) -> None:
        self.value, self.counter = float(value), counter

    def _wrap(self, value: float) -> _Counted:
        return _Counted(value, self.counter)

    def __mul__(self, other):
        if isinstance(other, _Counted):
            self.counter[0] += 1
            return self._wrap(self.value * other.value)
        return self._wrap(self.value * other)  # by a constant of the algorithm: not counted

    __rmul__ = __mul__

    def __add__(self, other):
        return self._wrap(self.value + (other.value if isinstance(other, _Counted) else other))

    __radd__ = __add__

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __neg__(self):
        return self._wrap(-self.value)


def count_multiplications(
    algorithm: Callable[[np.ndarray, np.ndarray], np.ndarray], data: np.ndarray, weight: np.ndarray
) -> tuple[int, np.ndarray]:
    """Run ``algorithm(data, weight)`` on counting numbers: (data-by-weight products, result).

    Multiplications by the algorithm's own constants (0, 1, -1, 1/2 in Winograd's transforms)
    are not counted: only the products of two values derived from the inputs are, the
    multiplications an implementation cannot turn into additions or precompute.
    """
    counter = [0]
    wrap = np.frompyfunc(lambda v: _Counted(v, counter), 1, 1)
    result = algorithm(wrap(np.asarray(data, dtype=float)), wrap(np.asarray(weight, dtype=float)))
    values = np.frompyfunc(lambda c: c.value, 1, 1)(np.asarray(result)).astype(float)
    return counter[0], values


def direct_multiplications(output_tile: IntOrTuple, kernel_size: IntOrTuple) -> int:
    r"""Multiplications of the direct algorithm: :math:`\prod_i m_i \cdot \prod_i r_i`."""
    m, r = _tile_and_kernel(output_tile, kernel_size)
    return math.prod(m) * math.prod(r)


def winograd_multiplications(output_tile: IntOrTuple, kernel_size: IntOrTuple) -> int:
    r"""Multiplications of Winograd's minimal F(m, r), nested per dimension:
    :math:`\prod_i (m_i + r_i - 1)` (16 for F(2x2, 3x3))."""
    m, r = _tile_and_kernel(output_tile, kernel_size)
    return math.prod(a + b - 1 for a, b in zip(m, r, strict=True))


def _tile_and_kernel(output_tile, kernel_size):
    nd = next((len(v) for v in (output_tile, kernel_size) if isinstance(v, tuple)), 1)
    return as_tuple(output_tile, nd, "output_tile"), as_tuple(kernel_size, nd, "kernel_size")


# --- arithmetic intensity -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Traffic:
    """Work and minimum memory traffic of one convolution: every tensor crosses memory once."""

    macs: int
    input_bytes: int
    weight_bytes: int
    output_bytes: int

    @property
    def bytes(self) -> int:
        return self.input_bytes + self.weight_bytes + self.output_bytes

    @property
    def intensity(self) -> float:
        """Multiply-accumulates per byte moved."""
        return self.macs / self.bytes


def conv_traffic(
    input_shape: Shape,
    out_channels: int,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bytes_per_value: int = 4,
) -> Traffic:
    r"""MACs and bytes of a convolution (no bias) of an input ``(N, C_in, *spatial)``.

    .. math::

        \text{MACs} = N\,C_\text{out} \textstyle\prod_i o_i \cdot (C_\text{in}/g)
        \prod_i k_i,\qquad
        \text{bytes} = b\,\big(N C_\text{in} \prod_i n_i + C_\text{out}(C_\text{in}/g)
        \prod_i k_i + N C_\text{out} \prod_i o_i\big)

    with :math:`b` = ``bytes_per_value`` (4 for float32). A lower bound of the traffic: a real
    implementation that cannot keep a tensor in cache reads it more than once.
    """
    if len(input_shape) not in (3, 4, 5):
        raise ValueError(
            f"input_shape must be (N, C_in, *spatial) with 1 to 3 spatial dimensions; "
            f"received input_shape={tuple(input_shape)}"
        )
    batch, c_in, *size = (check_positive_int(v, "input_shape") for v in input_shape)
    nd = len(size)
    c_out = check_positive_int(out_channels, "out_channels")
    groups = check_groups(c_in, c_out, groups)
    kernel = as_tuple(kernel_size, nd, "kernel_size")
    stride_t, dilation = as_tuple(stride, nd, "stride"), as_tuple(dilation, nd, "dilation")
    plan = conv_geometry(tuple(size), kernel, stride_t, padding, dilation)
    out = plan.output_size
    b = check_positive_int(bytes_per_value, "bytes_per_value")
    weights = c_out * (c_in // groups) * math.prod(kernel)
    return Traffic(
        macs=batch * plan.macs(c_in, c_out, groups),
        input_bytes=b * batch * c_in * math.prod(size),
        weight_bytes=b * weights,
        output_bytes=b * batch * c_out * math.prod(out),
    )


def arithmetic_intensity(
    input_shape: Shape,
    out_channels: int,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    bytes_per_value: int = 4,
) -> float:
    """MACs per byte of :func:`conv_traffic` (same arguments)."""
    return conv_traffic(
        input_shape, out_channels, kernel_size, stride, padding, dilation, groups, bytes_per_value
    ).intensity


def attainable_rate(intensity: float, peak_macs_per_s: float, bytes_per_s: float) -> float:
    r"""The roofline: :math:`\min(\text{peak},\ I \cdot \text{bandwidth})` MACs per second."""
    return min(peak_macs_per_s, intensity * bytes_per_s)
