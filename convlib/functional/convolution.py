"""Convolution and transposed convolution, N-d, with exactly PyTorch's semantics.

``conv`` is ``torch.nn.functional.conv1d/2d/3d`` (plus the ``padding_mode`` of
``torch.nn.Conv2d``); ``conv_transpose`` is ``torch.nn.functional.conv_transpose1d/2d/3d`` (plus
the ``output_size`` of ``ConvTranspose2d.forward``). Inputs are batched ``(N, C, *spatial)`` or
unbatched ``(C, *spatial)``; the result has the same batching, and a batch of no samples
(``N = 0``) gives an empty result of the right shape, as in torch. ``float32`` stays ``float32``;
integer inputs compute in ``float64``. The textbook definition of both is in
:mod:`convlib.reference`, which the tests compare these against.
"""

from __future__ import annotations

import numpy as np

from convlib._engine import fast, fft
from convlib._engine.methods import check_method, choose_conv_method
from convlib._typing import IntOrTuple, Padding
from convlib._validation import (
    as_tuple,
    check_array,
    check_batched_input,
    check_bias,
    check_conv_dtypes,
    check_groups,
    check_padding_mode,
    expand_single,
    result_dtype,
)
from convlib.geometry.shapes import conv_geometry, conv_transpose_geometry


def _weight_of_rank(weight: object, expected_nd: int, op: str) -> np.ndarray:
    """The weight of ``conv1d``-style wrappers: checked to have ``expected_nd`` spatial dims."""
    weight = _weight(weight)
    if weight.ndim - 2 != expected_nd:
        raise ValueError(
            f"{op}{expected_nd}d expects a {expected_nd + 2}-D weight; "
            f"received weight with shape {weight.shape}"
        )
    return weight


def _weight(weight: object) -> np.ndarray:
    return check_array(weight, "weight", ndims=(3, 4, 5))


def checked_conv_arguments(input, weight, bias, stride, padding, dilation, groups, padding_mode):
    """Every check of :func:`conv`, in one place (``convlib.algorithms`` shares it).

    Returns ``(x, weight, bias, groups, padding_mode, plan, batched)``: the input with a batch
    dimension, the checked arrays and arguments, and the
    :func:`~convlib.geometry.shapes.conv_geometry`.
    """
    weight = _weight(weight)
    x, batched = check_batched_input(input, weight.ndim - 2)
    c_in, c_out = x.shape[1], weight.shape[0]
    groups = check_groups(c_in, c_out, groups)
    if c_in != weight.shape[1] * groups:
        raise ValueError(
            f"input has {c_in} channels but weight of shape {weight.shape} with groups={groups} "
            f"expects weight.shape[1] * groups = {weight.shape[1] * groups}; "
            f"received input with shape {np.shape(input)}"
        )
    bias = check_bias(bias, c_out)
    check_conv_dtypes(x, weight, bias)
    padding_mode = check_padding_mode(padding_mode)
    nd = weight.ndim - 2
    stride, padding, dilation = (expand_single(v, nd) for v in (stride, padding, dilation))
    plan = conv_geometry(x.shape[2:], weight.shape[2:], stride, padding, dilation)
    return x, weight, bias, groups, padding_mode, plan, batched


def finish_conv(y: np.ndarray, bias, batched: bool, dtype) -> np.ndarray:
    """``y`` (N, C_out, *spatial) in ``dtype``, plus the per-channel bias, unbatched if need be.

    The last step of :func:`conv`, :func:`conv_transpose` and ``convlib.algorithms``.
    """
    y = y.astype(dtype, copy=False)
    if bias is not None:
        y += bias.astype(dtype, copy=False).reshape(-1, *(1,) * (y.ndim - 2))
    return y if batched else y[0]


def conv(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> np.ndarray:
    r"""N-d cross-correlation, as ``torch.nn.functional.conv{1,2,3}d``.

    .. math::

        y[n, o, \mathbf{t}] = b[o] + \sum_{c \in \text{group}(o)} \sum_{\mathbf{j}}
            w[o, c, \mathbf{j}]\;
            x_\text{pad}[n, c, \mathbf{s}\odot\mathbf{t} + \mathbf{d}\odot\mathbf{j}]

    Parameters
    ----------
    input : ndarray
        ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``, 1 to 3 spatial dimensions.
    weight : ndarray
        ``(C_out, C_in / groups, *kernel_size)``.
    bias : ndarray, optional
        ``(C_out,)``.
    stride, dilation : int or tuple of int
        Step between output positions; spacing between kernel taps (1 = no dilation).
    padding : int, tuple of int, or {'valid', 'same', 'causal'}
        Cells added on each side; ``'same'`` (stride 1 only) keeps the size, with the extra cell
        of an even kernel after (bottom/right) as in PyTorch; ``'causal'`` pads only before, so
        output ``t`` sees inputs ``<= t`` (Keras' ``Conv1D(padding='causal')``).
    groups : int
        Split channels into ``groups`` independent convolutions (``groups = C_in``: depthwise).
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How padded cells are filled, as ``torch.nn.Conv2d(padding_mode=...)``.
    method : {'auto', 'gemm', 'direct', 'fft'}
        How the sum over kernel taps is computed (the result is the same up to rounding):
        ``'gemm'`` multiplies each cache-sized block of windows by the weight matrix (one matrix
        product per group; a 1x1 convolution is one product per sample, with no copy);
        ``'direct'`` multiply-adds one tap and input channel at a time; ``'fft'`` multiplies
        Fourier transforms (cost independent of the kernel size: large kernels, few channels);
        ``'auto'`` asks :func:`choose_conv_method`. ``'gemm'`` and ``'direct'`` handle strides
        by the polyphase decomposition; ``'fft'`` computes every position and keeps each
        ``stride``-th.

    Returns
    -------
    ndarray
        ``(N, C_out, *out)`` (or ``(C_out, *out)`` if unbatched), with per dimension

        .. math:: o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1

    Raises
    ------
    ValueError, TypeError
        For any invalid argument; the message names it and says what is allowed.

    See Also
    --------
    convlib.reference.conv : the same operation as textbook loops.
    conv_output_size : the output size formula.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv(x, np.ones((1, 1, 3, 3)), stride=1).ravel()
    array([45., 54., 81., 90.])
    """
    x, weight, bias, groups, padding_mode, plan, batched = checked_conv_arguments(
        input, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    method = check_method(method)
    if method == "auto":
        method = choose_conv_method(x.shape, weight.shape, plan.stride, groups)

    dtype = result_dtype(x, weight, bias)
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    if method == "fft":
        y = fft.correlate(x, weight, plan, groups, padding_mode)
    else:
        y = fast.correlate(x, weight, plan, groups, padding_mode, method)
    return finish_conv(y, bias, batched, dtype)


def conv_transpose(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
    output_size: IntOrTuple | None = None,
    *,
    method: str = "auto",
) -> np.ndarray:
    r"""N-d transposed convolution, as ``torch.nn.functional.conv_transpose{1,2,3}d``.

    Each input cell ``i`` adds ``x[i] * w[j]`` to output cell ``i*s - p + j*d``: the adjoint
    (transpose) of :func:`conv` with the same arguments, which is also the gradient of a
    convolution with respect to its input.

    Parameters
    ----------
    input : ndarray
        ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``.
    weight : ndarray
        ``(C_in, C_out / groups, *kernel_size)`` (note: input channels first).
    bias : ndarray, optional
        ``(C_out,)``.
    stride, padding, dilation : int or tuple of int
        The arguments of the convolution this transposes; ``padding`` removes cells from both
        ends of the output.
    output_padding : int or tuple of int
        Extra cells added at the end of the output, to pick one of the ``stride`` input sizes a
        strided convolution maps to the same output size; must be smaller than ``stride`` or
        ``dilation``.
    groups : int
        Number of independent channel groups.
    output_size : int or tuple of int, optional
        Desired spatial output size (a full shape is accepted too); overrides ``output_padding``
        as ``ConvTranspose2d.forward(output_size=...)`` does.
    method : {'auto', 'gemm', 'direct', 'fft'}
        As in :func:`conv`. With ``'gemm'`` and ``'direct'``, each of the ``prod(stride)``
        output phases is a stride-1 correlation of the input with the kernel taps that land on
        it (the polyphase view), so no zero-inserted input is built and nothing is scattered
        tap by tap; ``'gemm'`` with fewer output than input channels per group instead
        multiplies the weights by the input cells, a few samples at a time, and adds each
        tap's rows at its shift (col2im); ``'fft'`` convolves the zero-upsampled input. A
        weight holding ``nan`` or ``inf`` is computed tap by tap, by the scatter definition,
        whatever the method: the others also multiply padding zeros by the weights, and
        ``0 * nan`` is ``nan`` where torch's result has a number.

    Returns
    -------
    ndarray
        ``(N, C_out, *out)`` with per dimension

        .. math:: o = (n - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1

    See Also
    --------
    convlib.reference.conv_transpose : the scatter definition as loops.
    conv_transpose_output_size, conv_transpose_output_size_range, output_padding_for

    Examples
    --------
    >>> conv_transpose(np.ones((1, 1, 2)), np.ones((1, 1, 3)), stride=2).ravel()
    array([1., 1., 2., 1., 1.])
    """
    weight = _weight(weight)
    x, batched = check_batched_input(input, weight.ndim - 2)
    nd = weight.ndim - 2
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise ValueError(
            f"weight of a transposed convolution is (C_in, C_out / groups, *kernel): its first "
            f"dimension must equal the {c_in} input channels; received weight with shape "
            f"{weight.shape} and input with shape {np.shape(input)}"
        )
    groups = check_groups(c_in, None, groups)
    c_out = weight.shape[1] * groups
    bias = check_bias(bias, c_out)
    check_conv_dtypes(x, weight, bias, transposed=True)
    target = None if output_size is None else _spatial_output_size(output_size, nd)
    stride, padding, output_padding, dilation = (
        expand_single(v, nd) for v in (stride, padding, output_padding, dilation)
    )
    plan = conv_transpose_geometry(
        x.shape[2:], weight.shape[2:], stride, padding, output_padding, dilation, target
    )
    method = check_method(method)
    if method == "auto":
        method = choose_conv_method(x.shape, weight.shape, plan.stride, groups, transposed=True)

    dtype = result_dtype(x, weight)  # a float bias of another dtype is cast, as in torch
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    if not np.isfinite(weight).all():  # nan or inf lands only where the definition puts it
        y = fast.scatter(x, weight, plan, groups)
    elif method == "fft":
        y = fft.transpose(x, weight, plan, groups)
    else:
        y = fast.transpose(x, weight, plan, groups, method)
    return finish_conv(y, bias, batched, dtype)


def _spatial_output_size(output_size: object, nd: int) -> tuple[int, ...]:
    """Spatial sizes from ``output_size`` given as sizes or as a full (N, C, *spatial) shape."""
    if isinstance(output_size, tuple | list) and len(output_size) in (nd + 1, nd + 2):
        output_size = tuple(output_size)[-nd:]
    return as_tuple(output_size, nd, "output_size")


def conv1d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros",
    *, method="auto",
):  # fmt: skip
    """1-D :func:`conv`, as ``torch.nn.functional.conv1d``: input ``(N, C_in, L)``."""
    weight = _weight_of_rank(weight, 1, "conv")
    return conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, method=method)


def conv2d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros",
    *, method="auto",
):  # fmt: skip
    """2-D :func:`conv`, as ``torch.nn.functional.conv2d``: input ``(N, C_in, H, W)``."""
    weight = _weight_of_rank(weight, 2, "conv")
    return conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, method=method)


def conv3d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros",
    *, method="auto",
):  # fmt: skip
    """3-D :func:`conv`, as ``torch.nn.functional.conv3d``: input ``(N, C_in, D, H, W)``."""
    weight = _weight_of_rank(weight, 3, "conv")
    return conv(input, weight, bias, stride, padding, dilation, groups, padding_mode, method=method)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
    output_size=None, *, method="auto",
):  # fmt: skip
    """1-D :func:`conv_transpose`, as ``torch.nn.functional.conv_transpose1d``."""
    weight = _weight_of_rank(weight, 1, "conv_transpose")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, output_size,
        method=method,
    )  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
    output_size=None, *, method="auto",
):  # fmt: skip
    """2-D :func:`conv_transpose`, as ``torch.nn.functional.conv_transpose2d``."""
    weight = _weight_of_rank(weight, 2, "conv_transpose")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, output_size,
        method=method,
    )  # fmt: skip


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1,
    output_size=None, *, method="auto",
):  # fmt: skip
    """3-D :func:`conv_transpose`, as ``torch.nn.functional.conv_transpose3d``."""
    weight = _weight_of_rank(weight, 3, "conv_transpose")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, output_size,
        method=method,
    )  # fmt: skip
