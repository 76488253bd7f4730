"""Receptive fields of stacks of layers: their size, and which input cells they really see.

:func:`receptive_field` follows the size, jump and start of the field layer by layer. With
all-ones kernels, the number of paths from input cell ``i`` to an output cell is what a chain
of transposed convolutions sends back from that output (:func:`contribution_counts`); a zero
inside the receptive field is a hole: the stack never looks there (gridding, from badly chosen
dilations). See the chapter "Dilated convolution".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np

from convlib._validation import as_tuple, check_positive_int
from convlib.functional.convolution import conv_transpose
from convlib.geometry.shapes import Geometry, resolve_padding, span


@dataclasses.dataclass(frozen=True)
class ReceptiveField:
    """Receptive field after a layer, in input cells.

    Attributes
    ----------
    size : int
        How many input cells one output cell depends on (along one dimension).
    jump : int or Fraction
        Distance, in input cells, between the receptive fields of neighbouring output cells
        (the product of the strides so far; a fraction after upsampling).
    start : float or Fraction
        Input coordinate of the centre of the first output cell's receptive field (input cell
        ``i`` has centre ``i``; negative values reach into the padding).
    """

    size: int
    jump: int
    start: float


def _layer_geometry(layer: object, dim: int) -> tuple[int, int, int, int] | None:
    """(kernel, stride, dilation, padding before) of a layer, or None for a layer without one."""
    if isinstance(layer, Sequence) and not isinstance(layer, str):
        if len(layer) not in (3, 4):
            raise ValueError(
                "each layer must be (kernel_size, stride, dilation) or (kernel_size, stride, "
                f"dilation, padding); received {layer!r}"
            )
        k, s, d = layer[:3]
        p = layer[3] if len(layer) == 4 else 0
    elif hasattr(layer, "kernel_size"):
        k = layer.kernel_size
        s = getattr(layer, "stride", 1)
        s = k if s is None else s  # pooling layers default their stride to the kernel size
        d, p = getattr(layer, "dilation", 1), getattr(layer, "padding", 0)
    else:
        return None

    def pick(value: object, name: str, minimum: int = 1) -> int:
        if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str):
            return as_tuple(value, len(value), name, minimum=minimum)[dim]
        return check_positive_int(value, name, minimum=minimum)

    k, s, d = pick(k, "kernel_size"), pick(s, "stride"), pick(d, "dilation")
    p = resolve_padding(p, k, s, d)[0][0] if isinstance(p, str) else pick(p, "padding", 0)
    return k, s, d, p


def receptive_field(layers: Iterable[object], *, dim: int = 0) -> list[ReceptiveField]:
    r"""Receptive field size, jump and start after each layer of a stack.

    Each layer is a tuple ``(kernel_size, stride, dilation)`` or ``(kernel_size, stride,
    dilation, padding)``, or an object with ``kernel_size``, ``stride``, ``dilation`` (and
    ``padding``) attributes such as :class:`convlib.Conv2d` or :class:`convlib.MaxPool2d`;
    tuple-valued attributes are read along spatial dimension ``dim``. Layers without a kernel
    (activations, normalisation) leave the receptive field unchanged.

    .. math::

        r_l = r_{l-1} + (k_{\text{eff},l} - 1)\, j_{l-1}, \qquad
        j_l = j_{l-1}\, s_l, \qquad
        \text{start}_l = \text{start}_{l-1}
            + \left(\tfrac{k_{\text{eff},l} - 1}{2} - p_l\right) j_{l-1}

    starting from :math:`r_0 = 1`, :math:`j_0 = 1`, :math:`\text{start}_0 = 0`.

    Examples
    --------
    >>> [rf.size for rf in receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4), (3, 1, 8)])]
    [3, 7, 15, 31]
    """
    chain: list[tuple[int, int, int, int]] = []
    records = []
    for layer in layers:
        geometry = _layer_geometry(layer, dim)
        if geometry is not None:
            chain.append(geometry)

        def reads(a: int, b: int, steps=tuple(chain)) -> Cells:
            for k, s, d, p in reversed(steps):
                a, b = window_cells(a, b, k, s, d, p)
            return a, b

        field = field_of(reads, (0, 1))
        records.append(ReceptiveField(field.size, int(field.jump), float(field.start)))
    return records


# --- which cells each output cell reads, per kind of layer (used by convlib.summary) ----------
#
# Each function maps the output cells a..b (inclusive, along one axis) of a layer to the first
# and last input cells they read. Composed from a model's output back to its input, they give
# every cell's field exactly, through upsampling too, where neighbouring cells read different
# numbers of cells; cells outside the input (padding) are virtual cells, numbered on.

Cells = tuple[int, int]


def window_cells(a: int, b: int, k: int, s: int, d: int, p: int) -> Cells:
    """A window of ``k`` taps, stride ``s``, dilation ``d``, padding ``p`` before (a
    convolution, a pooling, pixel unshuffle): cell ``o`` reads ``o s - p + d j``."""
    return a * s - p, b * s - p + span(k, d) - 1


def transpose_cells(a: int, b: int, k: int, s: int, d: int, p: int) -> Cells | None:
    """A transposed convolution: cell ``o`` reads the inputs ``i = (o + p - d j) / s`` that are
    integers, ``0 <= j < k`` (None: cells that read no input, only the bias)."""

    def reads(o: int) -> list[int]:
        return [(o + p - d * j) // s for j in range(k) if (o + p - d * j) % s == 0]

    # for a fixed phase o mod s the cells read move by one per s outputs: the extremes are
    # among the first and the last s outputs
    lows = [min(r) for o in range(a, min(b, a + s - 1) + 1) if (r := reads(o))]
    highs = [max(r) for o in range(max(a, b - s + 1), b + 1) if (r := reads(o))]
    return (min(lows), max(highs)) if lows else None


def resize_cells(a: int, b: int, n_in: int, n_out: int, mode: str,
                 align_corners: bool | None = None) -> Cells:  # fmt: skip
    """Resampling ``n_in`` cells to ``n_out``, as PyTorch indexes them.

    ``mode``: ``'nearest'`` (``floor(o n_in / n_out)``, also pixel shuffle), ``'nearest-exact'``,
    ``'linear'`` (also bilinear, trilinear: the two cells around ``(o + 1/2) n_in / n_out - 1/2``,
    or ``o (n_in - 1) / (n_out - 1)`` with ``align_corners``; one where it falls on a cell),
    ``'bicubic'`` (four cells) or ``'adaptive'`` (adaptive pooling's window).
    """
    ratio = Fraction(n_in, n_out)
    if mode == "nearest":
        return math.floor(a * ratio), math.floor(b * ratio)
    if mode == "nearest-exact":
        return math.floor((a + Fraction(1, 2)) * ratio), math.floor((b + Fraction(1, 2)) * ratio)
    if mode == "adaptive":
        return math.floor(a * ratio), math.ceil((b + 1) * ratio) - 1

    def source(o: int) -> Fraction:
        if align_corners:
            return Fraction(o * (n_in - 1), max(n_out - 1, 1))
        return max((o + Fraction(1, 2)) * ratio - Fraction(1, 2), Fraction(0))

    low, high = source(a), source(b)
    if mode == "bicubic":
        return max(math.floor(low) - 1, 0), min(math.floor(high) + 2, n_in - 1)
    last = math.floor(high) + (1 if high % 1 else 0)
    return math.floor(low), min(last, n_in - 1)


def plan_cells(a: int, b: int, plan: Geometry, axis: int) -> Cells | None:
    """The cells a convolution, transposed convolution or pooling ``plan`` reads along
    ``axis`` (:func:`window_cells` or :func:`transpose_cells`)."""
    k, s, d = plan.kernel_size[axis], plan.stride[axis], plan.dilation[axis]
    cells = transpose_cells if plan.transposed else window_cells
    return cells(a, b, k, s, d, plan.padding[axis][0])


def field_of(reads, probe: Sequence[int]) -> ReceptiveField:
    """The field of a map whose cells ``a..b`` read the input cells ``reads(a, b)``.

    ``size`` is the widest field over the cells of ``probe`` (neighbouring cells can differ
    after upsampling), ``start`` the centre of cell 0's field, and ``jump`` the mean distance
    between the centres of the probed cells' fields.
    """
    spans = [(o, reads(o, o)) for o in probe]
    spans = [(o, span) for o, span in spans if span is not None]
    if not spans:
        return ReceptiveField(0, 0, 0)
    size = max(high - low + 1 for _, (low, high) in spans)
    first, last = spans[0], spans[-1]

    def centre(span: Cells) -> Fraction:
        return Fraction(span[0] + span[1], 2)

    zero = reads(0, 0)
    jump = (centre(last[1]) - centre(first[1])) / (last[0] - first[0]) if last[0] != first[0] else 1
    start = centre(zero) if zero is not None else centre(first[1]) - first[0] * jump
    return ReceptiveField(size, jump, start)


def parse_layers(text: str) -> list[tuple[int, int, int]]:
    """Parse ``"3,1,1; 3,1,2"`` into ``[(3, 1, 1), (3, 1, 2)]`` (kernel, stride, dilation)."""
    layers = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        numbers = part.split(",")
        if len(numbers) != 3 or not all(n.strip().isdigit() for n in numbers):
            raise ValueError(
                "each layer must be three positive integers 'kernel, stride, dilation' separated "
                f"by ';'; received {part!r}"
            )
        k, s, d = (
            check_positive_int(int(n), name)
            for n, name in zip(numbers, ("kernel_size", "stride", "dilation"), strict=True)
        )
        layers.append((k, s, d))
    if not layers:
        raise ValueError(
            f"give at least one layer as 'kernel, stride, dilation'; received {text!r}"
        )
    return layers


def contribution_counts(layers, ndim: int = 2) -> list[np.ndarray]:
    """Path counts from the input to one output cell, after each layer of the stack.

    Returns one array per layer ``l``: the counts over the input cells that output cell 0 of
    layer ``l`` depends on (its receptive field, of side ``receptive_field(...)[l].size``).
    """
    maps = []
    for depth in range(1, len(layers) + 1):
        counts = np.ones((1, 1) + (1,) * ndim)
        for k, s, d in reversed(layers[:depth]):
            counts = conv_transpose(counts, np.ones((1, 1) + (k,) * ndim), stride=s, dilation=d)
        maps.append(counts[0, 0])
    return maps
