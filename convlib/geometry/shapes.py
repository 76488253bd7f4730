"""Shape arithmetic of convolutions, in one place: a geometry plan and the size functions on it.

A :class:`Geometry` is the plan of one convolution, transposed convolution or pooling along every
spatial dimension: padding as ``(before, after)`` pairs (jax's ``conv_general_dilated``), output
size, the input cells each output position reads (its window) and, for a transposed
convolution, ``output_padding`` with the range of valid output sizes. :func:`conv_geometry`,
:func:`conv_transpose_geometry` and :func:`pool_geometry` build it, checking every argument once;
the ops, the matrix view, the layer specs, the diagrams and the explorers read it. The size
functions below are the same plans, returning ints for int arguments and tuples for tuples.
Division is always floor division (``//``).

See the chapters "Convolution" (output size), "Dilated convolution" (effective kernel; receptive
fields are in :mod:`convlib.geometry.receptive`) and "Transposed convolution" (output size range and
``output_padding``).
"""

from __future__ import annotations

import dataclasses
import math

from convlib._typing import IntOrTuple, Padding
from convlib._validation import as_tuple

PADDING_STRINGS = ("valid", "same", "causal")
Pairs = tuple[tuple[int, int], ...]


def _ndim(*values: object) -> int | None:
    """The number of spatial dimensions implied by tuple arguments (None if all are ints)."""
    lengths = {len(v) for v in values if isinstance(v, tuple | list)}
    if len(lengths) > 1:
        raise ValueError(
            f"tuple arguments must all have the same length; received lengths {sorted(lengths)}"
        )
    return lengths.pop() if lengths else None


def _plan_ndim(first: object, *others: object) -> int:
    """Spatial dimensions of a plan: ``first``'s length if a tuple (its own errors then name each
    argument of the wrong length), else the length tuple arguments agree on (1 if none)."""
    if isinstance(first, tuple | list):
        return len(first)
    return _ndim(*others) or 1


def _scalar_or_tuple(values: tuple, ndim: int | None):
    return values[0] if ndim is None else values


def _is_pairs(padding: object) -> bool:
    return (
        isinstance(padding, tuple | list)
        and bool(padding)
        and all(isinstance(p, tuple | list) for p in padding)
    )


@dataclasses.dataclass(frozen=True)
class Geometry:
    """The plan of one convolution, transposed convolution or pooling, per spatial dimension.

    Attributes
    ----------
    input_size, kernel_size, stride, dilation : tuple of int
    padding : tuple of (int, int)
        ``(before, after)`` per dimension: cells added to the input (convolution, pooling), or
        cropped from both ends of the output (transposed convolution).
    output_size : tuple of int
    transposed : bool
    output_padding : tuple of int
        Cells added at the end of a transposed convolution's output (zeros otherwise).
    output_size_range : (tuple of int, tuple of int) or None
        Transposed only: the smallest and largest output sizes ``output_padding`` chooses
        between, every input size a convolution with these arguments maps to ``input_size``.
    """

    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: Pairs
    output_size: tuple[int, ...]
    transposed: bool = False
    output_padding: tuple[int, ...] = ()
    output_size_range: tuple[tuple[int, ...], tuple[int, ...]] | None = None

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def effective_kernel_size(self) -> tuple[int, ...]:
        """The cells one kernel application spans per dimension (:func:`span`)."""
        return tuple(span(k, d) for k, d in zip(self.kernel_size, self.dilation, strict=True))

    def macs(self, in_channels: int, out_channels: int, groups: int = 1) -> int:
        r"""Multiply-accumulates of a convolution with this plan, for one sample.

        Every position the kernel visits costs :math:`(C_\text{in}/g)\,C_\text{out}\prod k`
        products: the output cells of a convolution, the input cells of a transposed one (each
        scatters into :math:`C_\text{out}/g` channels through every tap). The one place the MAC
        rule is written: the layer specs, the counters of chapter 8 and the engine's work
        estimate read it.

        Examples
        --------
        >>> conv_geometry((32, 32), 3, padding=1).macs(16, 32)
        4718592
        """
        cells = math.prod(self.input_size if self.transposed else self.output_size)
        return cells * in_channels * out_channels // groups * math.prod(self.kernel_size)

    def window(self, index: IntOrTuple) -> tuple[list[int], ...]:
        """The cells position ``index`` touches, per dimension (see :func:`input_window`).

        Convolution and pooling: the input cells output ``index`` reads, in unpadded input
        coordinates (below 0 or past the size: a padding cell). Transposed: the output cells
        input cell ``index`` writes to, before cropping (below 0 or past the size: cropped).
        """
        index = as_tuple(index, self.ndim, "index", minimum=0)
        return tuple(
            _window(i, k, s, lo, d)
            for i, k, s, (lo, _), d in zip(
                index, self.kernel_size, self.stride, self.padding, self.dilation, strict=True
            )
        )

    def windows(self) -> tuple[list[list[int]], ...]:
        """``windows()[i][t][j]``: :meth:`window` of every position ``t`` along dimension ``i``."""
        count = self.input_size if self.transposed else self.output_size
        return tuple(
            [_window(t, k, s, lo, d) for t in range(m)]
            for m, k, s, (lo, _), d in zip(
                count, self.kernel_size, self.stride, self.padding, self.dilation, strict=True
            )
        )

    def as_conv(self) -> Geometry:
        """A transposed convolution as jax sees it: a stride-1 convolution over the input with
        ``stride - 1`` zeros inserted between cells (input dilation), padded by
        :math:`d(k-1) - p` before and :math:`d(k-1) - p + \\text{output\\_padding}` after
        (negative: cells cropped), with the flipped kernel. Its output size is this one's."""
        if not self.transposed:
            return self
        inner = tuple((n - 1) * s + 1 for n, s in zip(self.input_size, self.stride, strict=True))
        pads = tuple(
            (e - 1 - lo, e - 1 - hi + op)
            for e, (lo, hi), op in zip(
                self.effective_kernel_size, self.padding, self.output_padding, strict=True
            )
        )
        out = tuple(
            n + lo + hi - e + 1
            for n, (lo, hi), e in zip(inner, pads, self.effective_kernel_size, strict=True)
        )
        return Geometry(inner, self.kernel_size, (1,) * self.ndim, self.dilation, pads, out)


def span(kernel_size: int, dilation: int) -> int:
    """The cells one application of a ``kernel_size`` kernel with ``dilation`` covers:
    :math:`d(k-1)+1`. The one place this rule is written: every plan, size function and
    explorer reads it (the explorers' ES modules through geometry.mjs's ``span``)."""
    return dilation * (kernel_size - 1) + 1


def _window(index: int, kernel: int, stride: int, before: int, dilation: int) -> list[int]:
    """The index map of every convolution: position ``index`` meets cells ``i s - p + j d``."""
    return [index * stride - before + j * dilation for j in range(kernel)]


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
    return _scalar_or_tuple(tuple(span(ki, di) for ki, di in zip(k, d, strict=True)), nd)


def same_padding(kernel_size: IntOrTuple, dilation: IntOrTuple = 1) -> Pairs:
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
    totals = [span(ki, di) - 1 for ki, di in zip(k, d, strict=True)]
    return tuple((t // 2, t - t // 2) for t in totals)


def resolve_padding(
    padding: Padding,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
) -> Pairs:
    """Turn any padding PyTorch accepts into ``(before, after)`` pairs, one per spatial dimension.

    ``'valid'`` is no padding; ``'same'`` is :func:`same_padding` and, as in PyTorch, requires
    stride 1; ``'causal'`` pads :math:`d(k-1)` before and nothing after, so output ``t`` sees
    only inputs ``<= t`` (Keras' ``Conv1D(padding='causal')``). An int or tuple pads both sides
    equally. This is the one function that resolves padding: the ops, the layer specs, the
    receptive fields and, through :func:`resolve_diagram_padding`, the diagrams and explorers
    call it.

    Examples
    --------
    >>> resolve_padding("causal", 3, dilation=2)
    ((4, 0),)
    >>> resolve_padding((1, 0), (3, 3))
    ((1, 1), (0, 0))
    """
    n = _plan_ndim(kernel_size, stride, dilation, None if isinstance(padding, str) else padding)
    if not isinstance(padding, str):
        return tuple((p, p) for p in as_tuple(padding, n, "padding", minimum=0))
    if padding not in PADDING_STRINGS:
        raise _unknown_padding(padding, PADDING_STRINGS)
    k = as_tuple(kernel_size, n, "kernel_size")
    d = as_tuple(dilation, n, "dilation")
    if padding == "valid":
        return ((0, 0),) * n
    if padding == "same":
        s = as_tuple(stride, n, "stride")
        if any(si != 1 for si in s):
            raise ValueError(
                "padding='same' is only supported for stride 1 (as in PyTorch); "
                f"received stride={stride!r}"
            )
        return same_padding(k, d)
    return tuple((span(ki, di) - 1, 0) for ki, di in zip(k, d, strict=True))  # causal


def _unknown_padding(padding: object, names: tuple[str, ...]) -> ValueError:
    return ValueError(
        "padding must be a non-negative int, a tuple of non-negative ints, or one of "
        f"{', '.join(map(repr, names))}; received padding={padding!r}"
    )


def resolve_diagram_padding(
    padding: Padding | Pairs,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
) -> Pairs:
    """The padding the diagrams and explorers draw: :func:`resolve_padding`'s forms plus two
    PyTorch's convolutions do not take, ``'full'`` (:math:`d(k-1)` on both sides, every partial
    overlap) and explicit ``(before, after)`` pairs, one per spatial dimension.

    Every other form is passed to :func:`resolve_padding` unchanged.

    Examples
    --------
    >>> resolve_diagram_padding("full", 3, dilation=2)
    ((4, 4),)
    >>> resolve_diagram_padding(((0, 2), (1, 1)), (3, 3))
    ((0, 2), (1, 1))
    """
    if _is_pairs(padding):
        n = _plan_ndim(kernel_size, stride, dilation, padding)
        flat = as_tuple(tuple(v for pair in padding for v in pair), 2 * n, "padding", minimum=0)
        return tuple(zip(flat[::2], flat[1::2], strict=True))
    if padding == "full":
        n = _plan_ndim(kernel_size, stride, dilation)
        k = as_tuple(kernel_size, n, "kernel_size")
        d = as_tuple(dilation, n, "dilation")
        return tuple((span(ki, di) - 1,) * 2 for ki, di in zip(k, d, strict=True))
    if isinstance(padding, str) and padding not in PADDING_STRINGS:
        raise _unknown_padding(padding, (*PADDING_STRINGS, "full"))
    return resolve_padding(padding, kernel_size, stride, dilation)


def conv_geometry(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
) -> Geometry:
    r"""The plan of a convolution: padding pairs, output size and windows per dimension.

    .. math::

        o = \left\lfloor \frac{n + p_\text{before} + p_\text{after} - d(k-1) - 1}{s}
            \right\rfloor + 1

    ``padding`` takes every form :func:`resolve_padding` does (PyTorch's);
    :func:`diagram_conv_geometry` also takes ``'full'`` and ``(before, after)`` pairs.

    Raises
    ------
    ValueError
        If the (dilated) kernel is larger than the padded input, or any argument is invalid.

    Examples
    --------
    >>> plan = conv_geometry((5, 6), 3, stride=2, padding="valid")
    >>> plan.output_size, plan.window((1, 0))
    ((2, 2), ([2, 3, 4], [0, 1, 2]))
    """
    flat = None if isinstance(padding, str) else padding
    n = _plan_ndim(input_size, kernel_size, stride, dilation, flat)
    sizes, k, s, d = _plan_args(n, input_size, kernel_size, stride, dilation)
    return _conv_plan(sizes, k, s, d, resolve_padding(padding, k, stride, d))


def diagram_conv_geometry(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding | Pairs = 0,
    dilation: IntOrTuple = 1,
) -> Geometry:
    """:func:`conv_geometry` with the padding the diagrams and explorers draw
    (:func:`resolve_diagram_padding`: PyTorch's forms, ``'full'`` and ``(before, after)`` pairs).

    Examples
    --------
    >>> diagram_conv_geometry((5,), 3, padding=((0, 2),)).output_size
    (5,)
    """
    pairs = _is_pairs(padding)
    flat = None if isinstance(padding, str) or pairs else padding
    n = _plan_ndim(input_size, kernel_size, stride, dilation, flat)
    if pairs and not isinstance(input_size, tuple | list):
        n = len(padding)
    sizes, k, s, d = _plan_args(n, input_size, kernel_size, stride, dilation)
    return _conv_plan(sizes, k, s, d, resolve_diagram_padding(padding, k, stride, d))


def _plan_args(n: int, input_size, kernel_size, stride, dilation) -> tuple[tuple[int, ...], ...]:
    """A plan's sizes, kernel, stride and dilation, each checked as an ``n``-tuple (in this order,
    so the first wrong argument is the one named)."""
    return tuple(
        as_tuple(value, n, name)
        for value, name in (
            (input_size, "input_size"),
            (kernel_size, "kernel_size"),
            (stride, "stride"),
            (dilation, "dilation"),
        )
    )


def _conv_plan(sizes, k, s, d, pads: Pairs) -> Geometry:
    """The convolution plan once padding is resolved to pairs: output sizes, checked."""
    out = []
    for axis, (ni, ki, si, di, (lo, hi)) in enumerate(zip(sizes, k, s, d, pads, strict=True)):
        padded, extent = ni + lo + hi, span(ki, di)
        if extent > padded:
            raise ValueError(
                f"kernel is larger than the padded input along spatial dimension {axis}: "
                f"kernel_size={ki} with dilation={di} spans {extent} cells but the input of size "
                f"{ni} padded by ({lo}, {hi}) has {padded}"
            )
        out.append((padded - extent) // si + 1)
    return Geometry(sizes, k, s, d, pads, tuple(out))


def conv_transpose_geometry(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    output_size: IntOrTuple | None = None,
) -> Geometry:
    r"""The plan of a transposed convolution, with its valid output sizes.

    .. math::

        o = (n - 1)s - 2p + d(k - 1) + \text{output\_padding} + 1,
        \qquad 0 \le \text{output\_padding} < \max(s, d)

    ``output_size`` (sizes per spatial dimension) overrides ``output_padding`` as
    ``ConvTranspose2d.forward(output_size=...)`` does: it must lie in ``output_size_range``,
    from ``output_padding=0`` up to :math:`s - 1` more (sizes below 1 are left out).

    Raises
    ------
    ValueError
        If ``output_padding`` is not smaller than ``stride`` or ``dilation``, ``output_size`` is
        outside the valid range (the message gives it), or the output would be empty.

    Examples
    --------
    >>> plan = conv_transpose_geometry(4, 3, stride=2, padding=1, output_size=8)
    >>> plan.output_size, plan.output_padding, plan.output_size_range
    ((8,), (1,), ((7,), (8,)))
    """
    n = _plan_ndim(input_size, kernel_size, stride, padding, output_padding, dilation)
    sizes = as_tuple(input_size, n, "input_size")
    k, s = as_tuple(kernel_size, n, "kernel_size"), as_tuple(stride, n, "stride")
    p = as_tuple(padding, n, "padding", minimum=0)
    d = as_tuple(dilation, n, "dilation")
    natural, smallest, largest = _transpose_sizes(sizes, k, s, p, d)
    if output_size is not None:
        target = as_tuple(output_size, n, "output_size")
        if not all(lo <= t <= hi for t, lo, hi in zip(target, smallest, largest, strict=True)):
            raise ValueError(
                f"output_size must be within the valid sizes {smallest} to {largest} for this "
                f"input and these arguments; received output_size={output_size!r}"
            )
        output_padding = tuple(t - lo for t, lo in zip(target, natural, strict=True))
    op = as_tuple(output_padding, n, "output_padding", minimum=0)
    check_output_padding(op, s, d)
    out = tuple(lo + opi for lo, opi in zip(natural, op, strict=True))
    if any(o < 1 for o in out):
        raise ValueError(
            f"padding removes the whole output of the transposed convolution: output size "
            f"{out}; received padding={padding!r} for input_size={input_size!r}, "
            f"kernel_size={kernel_size!r}, stride={stride!r}, dilation={dilation!r}"
        )
    pads = tuple((pi, pi) for pi in p)
    return Geometry(sizes, k, s, d, pads, out, True, op, (smallest, largest))


def check_output_padding(
    output_padding: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> None:
    """PyTorch's rule: ``output_padding`` smaller than ``stride`` or ``dilation``, per dimension."""
    for opi, si, di in zip(output_padding, stride, dilation, strict=True):
        if opi >= si and opi >= di:
            raise ValueError(
                "output_padding must be smaller than either stride or dilation (as in PyTorch); "
                f"received output_padding={opi} with stride={si}, dilation={di}"
            )


def _transpose_sizes(sizes, k, s, p, d) -> tuple[tuple[int, ...], ...]:
    """The transposed size rule: sizes at ``output_padding=0``, smallest and largest valid."""
    natural = tuple(
        (ni - 1) * si - 2 * pi + span(ki, di)
        for ni, ki, si, pi, di in zip(sizes, k, s, p, d, strict=True)
    )
    largest = tuple(lo + si - 1 for lo, si in zip(natural, s, strict=True))
    return natural, tuple(max(lo, 1) for lo in natural), largest


def pool_geometry(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> Geometry:
    r"""The plan of a max or average pooling (``torch.nn.MaxPool2d``'s rule, exactly).

    ``stride=None`` means ``stride = kernel_size``, as in PyTorch. With ``ceil_mode`` the floor
    becomes a ceiling, but the last window must start inside the input or the left padding (a
    window starting in the right padding is dropped); the last window may then reach past the
    right padding:

    .. math::

        o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1
        \quad\text{or, with ceil\_mode,}\quad
        o = \left\lceil \frac{n + 2p - d(k-1) - 1}{s} \right\rceil + 1,
        \; o \gets o - 1 \text{ if } (o - 1)s \ge n + p

    Raises
    ------
    ValueError
        If ``padding`` exceeds ``kernel_size // 2`` (PyTorch rejects that), or the output would
        be empty.
    """
    stride = kernel_size if stride is None else stride
    n = _plan_ndim(input_size, kernel_size, stride, padding, dilation)
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
        o = (ni + 2 * pi - span(ki, di) + (si - 1 if ceil_mode else 0)) // si + 1
        if ceil_mode and (o - 1) * si >= ni + pi:
            o -= 1
        if o < 1:
            raise ValueError(
                f"the pooling window is larger than the padded input: input_size={input_size!r} "
                f"with kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r} gives output size {o}"
            )
        out.append(o)
    return Geometry(sizes, k, s, d, tuple((pi, pi) for pi in p), tuple(out))


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
    :math:`\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1`. The plan is :func:`conv_geometry`.

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
    plan = conv_geometry(as_tuple(size, nd or 1, "size"), kernel_size, stride, padding, dilation)
    return _scalar_or_tuple(plan.output_size, nd)


def pool_output_size(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> IntOrTuple:
    r"""Output size of a max or average pooling layer: :func:`pool_geometry`'s ``output_size``.

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
        Round the number of windows up instead of down (see :func:`pool_geometry`).

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
    nd = _ndim(input_size, kernel_size, stride, padding, dilation)
    plan = pool_geometry(input_size, kernel_size, stride, padding, dilation, ceil_mode)
    return _scalar_or_tuple(plan.output_size, nd)


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

    The plan is :func:`conv_transpose_geometry`.

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
    sizes = as_tuple(size, nd or 1, "size")
    plan = conv_transpose_geometry(sizes, kernel_size, stride, padding, output_padding, dilation)
    return _scalar_or_tuple(plan.output_size, nd)


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
    _, smallest, largest = _transpose_sizes(
        as_tuple(size, n, "size"), as_tuple(kernel_size, n, "kernel_size"),
        as_tuple(stride, n, "stride"), as_tuple(padding, n, "padding", minimum=0),
        as_tuple(dilation, n, "dilation"),
    )  # fmt: skip
    if any(hi < 1 for hi in largest):
        raise ValueError(
            f"padding={padding!r} removes the whole output of the transposed convolution "
            f"(size={size!r}, kernel_size={kernel_size!r}, stride={stride!r}): even the "
            f"largest output_padding leaves output size {largest}"
        )
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
    plan = conv_transpose_geometry(
        as_tuple(size, n, "size"), kernel_size, stride, padding, 0, dilation, output_size
    )
    return _scalar_or_tuple(plan.output_padding, nd)


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
    the input size is a padding cell. The diagrams highlight exactly these cells; a plan's
    :meth:`Geometry.window` is the same map.

    Examples
    --------
    >>> input_window(1, 3, stride=2, padding=1)
    ([1, 2, 3],)
    """
    flat = None if isinstance(padding, str) else padding
    n = _ndim(output_index, kernel_size, stride, dilation, flat) or 1
    o = as_tuple(output_index, n, "output_index", minimum=0)
    k = as_tuple(kernel_size, n, "kernel_size")
    s = as_tuple(stride, n, "stride")
    d = as_tuple(dilation, n, "dilation")
    pads = resolve_padding(padding, k, s, d)
    return tuple(
        _window(oi, ki, si, lo, di)
        for oi, ki, si, (lo, _), di in zip(o, k, s, pads, d, strict=True)
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
        as_tuple(input_index, n, "input_index", minimum=0), as_tuple(kernel_size, n, "kernel_size"),
        as_tuple(stride, n, "stride"), as_tuple(padding, n, "padding", minimum=0),
        as_tuple(dilation, n, "dilation"),
    )  # fmt: skip
