"""Shape arithmetic of convolutions: integer functions shared by the ops, counters and widgets.

Every function accepts ints or tuples (one entry per spatial dimension); given only ints it returns
an int, given any tuple it returns a tuple. Division is always floor division (``//``).

See the chapters "Convolution" (output size), "Dilated convolution" (effective kernel; receptive
fields are in :mod:`convlib.receptive`) and "Transposed convolution" (output size range and
``output_padding``).
"""

from __future__ import annotations

from ._typing import IntOrTuple, Padding
from ._validation import as_tuple

PADDING_STRINGS = ("valid", "same", "causal")


def _ndim(*values: object) -> int | None:
    """The number of spatial dimensions implied by tuple arguments (None if all are ints)."""
    lengths = {len(v) for v in values if isinstance(v, tuple | list)}
    if len(lengths) > 1:
        raise ValueError(
            f"tuple arguments must all have the same length; received lengths {sorted(lengths)}"
        )
    return lengths.pop() if lengths else None


def _scalar_or_tuple(values: tuple, ndim: int | None):
    return values[0] if ndim is None else values


def effective_kernel_size(kernel_size: IntOrTuple, dilation: IntOrTuple = 1) -> IntOrTuple:
    r"""Extent of a dilated kernel: the span of input cells one kernel application covers.

    .. math:: k_\text{eff} = d\,(k - 1) + 1

    Examples
    --------
    >>> effective_kernel_size(3, dilation=2)
    5
    """
    nd = _ndim(kernel_size, dilation)
    n = nd or 1
    k = as_tuple(kernel_size, n, "kernel_size")
    d = as_tuple(dilation, n, "dilation")
    return _scalar_or_tuple(tuple(di * (ki - 1) + 1 for ki, di in zip(k, d, strict=True)), nd)


def same_padding(kernel_size: IntOrTuple, dilation: IntOrTuple = 1) -> tuple[tuple[int, int], ...]:
    r"""PyTorch's ``padding='same'``: ``(before, after)`` per dimension.

    The total padding :math:`d(k-1)` is split with the smaller half before (top/left) and the
    extra cell, for even effective kernels, after (bottom/right), as ``torch.nn.Conv2d`` does.

    Examples
    --------
    >>> same_padding(3)
    ((1, 1),)
    >>> same_padding((4, 3))
    ((1, 2), (1, 1))
    """
    n = _ndim(kernel_size, dilation) or 1
    k = as_tuple(kernel_size, n, "kernel_size")
    d = as_tuple(dilation, n, "dilation")
    totals = [di * (ki - 1) for ki, di in zip(k, d, strict=True)]
    return tuple((t // 2, t - t // 2) for t in totals)


def resolve_padding(
    padding: Padding, kernel_size: IntOrTuple, stride: IntOrTuple = 1, dilation: IntOrTuple = 1
) -> tuple[tuple[int, int], ...]:
    """Turn any accepted ``padding`` into ``(before, after)`` pairs, one per spatial dimension.

    ``'valid'`` is no padding; ``'same'`` is :func:`same_padding` and, as in PyTorch, requires
    stride 1; ``'causal'`` pads :math:`d(k-1)` before and nothing after, so output ``t`` sees
    only inputs ``<= t`` (Keras' ``Conv1D(padding='causal')``). An int or tuple pads both sides
    equally.
    """
    n = _ndim(kernel_size, stride, dilation, None if isinstance(padding, str) else padding) or 1
    if isinstance(padding, str):
        if padding not in PADDING_STRINGS:
            raise ValueError(
                "padding must be a non-negative int, a tuple of non-negative ints, or one of "
                f"'valid', 'same', 'causal'; received padding={padding!r}"
            )
        k = as_tuple(kernel_size, n, "kernel_size")
        d = as_tuple(dilation, n, "dilation")
        if padding == "valid":
            return ((0, 0),) * n
        s = as_tuple(stride, n, "stride")
        if padding == "same":
            if any(si != 1 for si in s):
                raise ValueError(
                    "padding='same' is only supported for stride 1 (as in PyTorch); "
                    f"received stride={stride!r}"
                )
            return same_padding(k, d)
        return tuple((di * (ki - 1), 0) for ki, di in zip(k, d, strict=True))
    return tuple((p, p) for p in as_tuple(padding, n, "padding", minimum=0))


def conv_output_size(
    size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
) -> IntOrTuple:
    r"""Output size of a convolution along each spatial dimension (``torch.nn.Conv2d``'s formula).

    .. math::

        o = \left\lfloor \frac{n + p_\text{before} + p_\text{after} - d(k-1) - 1}{s}
            \right\rfloor + 1

    With symmetric padding :math:`p` on each side this is the familiar
    :math:`\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1`.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int or tuple of int
        Input size, kernel size, stride and dilation per spatial dimension.
    padding : int, tuple of int, or {'valid', 'same', 'causal'}
        Padding on each side, or a padding rule (see :func:`resolve_padding`).

    Returns
    -------
    int or tuple of int

    Raises
    ------
    ValueError
        If the (dilated) kernel is larger than the padded input, or any argument is invalid.

    Examples
    --------
    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    >>> conv_output_size((32, 32), 5, padding="same")
    (32, 32)
    """
    nd = _ndim(size, kernel_size, stride, dilation, None if isinstance(padding, str) else padding)
    n = nd or 1
    sizes = as_tuple(size, n, "size")
    k = as_tuple(kernel_size, n, "kernel_size")
    s = as_tuple(stride, n, "stride")
    d = as_tuple(dilation, n, "dilation")
    return _scalar_or_tuple(
        padded_output_size(sizes, k, s, resolve_padding(padding, k, s, d), d), nd
    )


def padded_output_size(
    size: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
    dilation: tuple[int, ...],
) -> tuple[int, ...]:
    """:func:`conv_output_size` for checked tuples and ``(before, after)`` padding pairs.

    Raises
    ------
    ValueError
        If the (dilated) kernel is larger than the padded input along some dimension.
    """
    out = []
    for axis, (ni, ki, si, di, (lo, hi)) in enumerate(
        zip(size, kernel_size, stride, dilation, padding, strict=True)
    ):
        padded, span = ni + lo + hi, di * (ki - 1) + 1
        if span > padded:
            raise ValueError(
                f"kernel is larger than the padded input along spatial dimension {axis}: "
                f"kernel_size={ki} with dilation={di} spans {span} cells but the input of size "
                f"{ni} padded by ({lo}, {hi}) has {padded}"
            )
        out.append((padded - span) // si + 1)
    return tuple(out)


def pool_output_size(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> IntOrTuple:
    r"""Output size of a max or average pooling layer (``torch.nn.MaxPool2d``'s rule, exactly).

    ``stride=None`` means ``stride = kernel_size``, as in PyTorch. With ``ceil_mode`` the floor
    becomes a ceiling, but the last window must start inside the input or the left padding (a
    window starting in the right padding is dropped):

    .. math::

        o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1
        \quad\text{or, with ceil\_mode,}\quad
        o = \left\lceil \frac{n + 2p - d(k-1) - 1}{s} \right\rceil + 1,
        \; o \gets o - 1 \text{ if } (o - 1)s \ge n + p

    Parameters
    ----------
    input_size, kernel_size : int or tuple of int
        Input size and window size per spatial dimension.
    stride : int or tuple of int, optional
        Step between windows; default ``kernel_size``.
    padding : int or tuple of int
        Implicit padding on both sides; at most ``kernel_size // 2`` (PyTorch rejects more).
    dilation : int or tuple of int
        Spacing between window elements (``MaxPool`` only; average pooling has 1).
    ceil_mode : bool
        Round the number of windows up instead of down.

    Returns
    -------
    int or tuple of int

    Raises
    ------
    ValueError
        If ``padding`` exceeds half the kernel size, or the output would be empty.

    Examples
    --------
    >>> pool_output_size(112, 3, 2, 1), pool_output_size(6, 3, 2, ceil_mode=True)
    (56, 3)
    """
    stride = kernel_size if stride is None else stride
    nd = _ndim(input_size, kernel_size, stride, padding, dilation)
    n = nd or 1
    sizes = as_tuple(input_size, n, "input_size")
    k, s = as_tuple(kernel_size, n, "kernel_size"), as_tuple(stride, n, "stride")
    p, d = as_tuple(padding, n, "padding", minimum=0), as_tuple(dilation, n, "dilation")
    out = []
    for ni, ki, si, pi, di in zip(sizes, k, s, p, d, strict=True):
        if pi > ki // 2:
            raise ValueError(
                f"padding must be at most half of the kernel size, kernel_size // 2 = {ki // 2} "
                f"(PyTorch: 'pad should be at most half of effective kernel size'); "
                f"received padding={padding!r} with kernel_size={kernel_size!r}"
            )
        o = (ni + 2 * pi - di * (ki - 1) - 1 + (si - 1 if ceil_mode else 0)) // si + 1
        if ceil_mode and (o - 1) * si >= ni + pi:
            o -= 1
        if o < 1:
            raise ValueError(
                f"the pooling window is larger than the padded input: input_size={input_size!r} "
                f"with kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r} gives output size {o}"
            )
        out.append(o)
    return _scalar_or_tuple(tuple(out), nd)


def _check_output_padding(
    output_padding: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...]
) -> None:
    for op, si, di in zip(output_padding, s, d, strict=True):
        if op >= si and op >= di:
            raise ValueError(
                "output_padding must be smaller than either stride or dilation (as in PyTorch); "
                f"received output_padding={op} with stride={si}, dilation={di}"
            )


def conv_transpose_output_size(
    size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> IntOrTuple:
    r"""Output size of a transposed convolution (``torch.nn.ConvTranspose2d``'s formula).

    .. math:: o = (n - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1

    Raises
    ------
    ValueError
        If ``output_padding`` is not smaller than ``stride`` or ``dilation``, or the result would
        be smaller than 1.

    Examples
    --------
    >>> conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1)
    8
    """
    nd = _ndim(size, kernel_size, stride, padding, output_padding, dilation)
    n = nd or 1
    sizes = as_tuple(size, n, "size")
    k = as_tuple(kernel_size, n, "kernel_size")
    s = as_tuple(stride, n, "stride")
    p = as_tuple(padding, n, "padding", minimum=0)
    op = as_tuple(output_padding, n, "output_padding", minimum=0)
    d = as_tuple(dilation, n, "dilation")
    _check_output_padding(op, s, d)
    out = tuple(
        (ni - 1) * si - 2 * pi + di * (ki - 1) + opi + 1
        for ni, ki, si, pi, opi, di in zip(sizes, k, s, p, op, d, strict=True)
    )
    if any(o < 1 for o in out):
        raise ValueError(
            f"padding={padding!r} removes the whole output of the transposed convolution "
            f"(size={size!r}, kernel_size={kernel_size!r}, stride={stride!r}): output size {out}"
        )
    return _scalar_or_tuple(out, nd)


def conv_transpose_output_size_range(
    size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> tuple[IntOrTuple, IntOrTuple]:
    r"""Smallest and largest output sizes a transposed convolution can produce.

    These are the sizes ``ConvTranspose2d.forward(output_size=...)`` accepts: from
    ``output_padding=0`` up to :math:`s - 1` more, i.e. every input size that a convolution with
    the same arguments maps to ``size`` (sizes below 1 are left out).

    Examples
    --------
    >>> conv_transpose_output_size_range(4, 3, stride=2, padding=1)
    (7, 8)
    """
    nd = _ndim(size, kernel_size, stride, padding, dilation)
    n = nd or 1
    sizes = as_tuple(size, n, "size")
    k = as_tuple(kernel_size, n, "kernel_size")
    s = as_tuple(stride, n, "stride")
    p = as_tuple(padding, n, "padding", minimum=0)
    d = as_tuple(dilation, n, "dilation")
    natural = [
        (ni - 1) * si - 2 * pi + di * (ki - 1) + 1
        for ni, ki, si, pi, di in zip(sizes, k, s, p, d, strict=True)
    ]
    largest = tuple(lo + si - 1 for lo, si in zip(natural, s, strict=True))
    if any(hi < 1 for hi in largest):
        raise ValueError(
            f"padding={padding!r} removes the whole output of the transposed convolution "
            f"(size={size!r}, kernel_size={kernel_size!r}, stride={stride!r}): even the "
            f"largest output_padding leaves output size {largest}"
        )
    smallest = tuple(max(lo, 1) for lo in natural)
    return _scalar_or_tuple(smallest, nd), _scalar_or_tuple(largest, nd)


def output_padding_for(
    output_size: IntOrTuple,
    size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> IntOrTuple:
    """The ``output_padding`` that makes a transposed convolution return ``output_size``.

    This is how ``ConvTranspose2d.forward(output_size=...)`` resolves the ambiguity.

    Raises
    ------
    ValueError
        If ``output_size`` is outside :func:`conv_transpose_output_size_range` (the message gives
        the valid range).

    Examples
    --------
    >>> output_padding_for(8, 4, 3, stride=2, padding=1)
    1
    """
    nd = _ndim(output_size, size, kernel_size, stride, padding, dilation)
    n = nd or 1
    target = as_tuple(output_size, n, "output_size")
    smallest, largest = conv_transpose_output_size_range(
        as_tuple(size, n, "size"), kernel_size, stride, padding, dilation
    )
    for t, lo, hi in zip(target, smallest, largest, strict=True):
        if not lo <= t <= hi:
            raise ValueError(
                f"output_size must be within the valid sizes {tuple(smallest)} to "
                f"{tuple(largest)} for this input and these arguments; "
                f"received output_size={output_size!r}"
            )
    strides = as_tuple(stride, n, "stride")
    # output_padding counts from the unclamped smallest size, largest - (stride - 1)
    padding_needed = (t - (hi - si + 1) for t, hi, si in zip(target, largest, strides, strict=True))
    return _scalar_or_tuple(tuple(padding_needed), nd)


def input_window(
    output_index: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
) -> tuple[list[int], ...]:
    r"""Input indices one output position reads, per spatial dimension.

    Output index :math:`o` reads input indices :math:`o\,s - p_\text{before} + j\,d` for
    :math:`j = 0, \dots, k-1`, in coordinates of the unpadded input: an index below 0 or at least
    the input size is a padding cell. The diagrams highlight exactly these cells.

    Examples
    --------
    >>> input_window(1, 3, stride=2, padding=1)
    ([1, 2, 3],)
    """
    n = _ndim(output_index, kernel_size, stride, dilation) or 1
    o = as_tuple(output_index, n, "output_index", minimum=0)
    k = as_tuple(kernel_size, n, "kernel_size")
    s = as_tuple(stride, n, "stride")
    d = as_tuple(dilation, n, "dilation")
    before = [lo for lo, _ in resolve_padding(padding, k, s, d)]
    return tuple(
        [oi * si - pi + j * di for j in range(ki)]
        for oi, ki, si, pi, di in zip(o, k, s, before, d, strict=True)
    )


def transpose_scatter_window(
    input_index: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> tuple[list[int], ...]:
    r"""Output indices one input cell of a transposed convolution writes to, per dimension.

    Input index :math:`i` adds :math:`x_i w_j` to output index :math:`i\,s - p + j\,d`; indices
    outside ``[0, output size)`` are cropped away by the padding.

    Examples
    --------
    >>> transpose_scatter_window(1, 3, stride=2, padding=1)
    ([1, 2, 3],)
    """
    # the same index map as a convolution's windows, read in the other direction
    n = _ndim(input_index, kernel_size, stride, padding, dilation) or 1
    return input_window(
        input_index, kernel_size, stride, as_tuple(padding, n, "padding", minimum=0), dilation
    )
