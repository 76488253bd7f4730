"""Receptive fields of stacks of layers: their size, and which input cells they really see.

:func:`receptive_field` follows the size, jump and start of the field layer by layer. With
all-ones kernels, the number of paths from input cell ``i`` to an output cell is what a chain
of transposed convolutions sends back from that output (:func:`contribution_counts`); a zero
inside the receptive field is a hole: the stack never looks there (gridding, from badly chosen
dilations). See the chapter "Dilated convolution".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np

from convlib._validation import as_tuple, check_positive_int
from convlib.functional.convolution import conv_transpose
from convlib.geometry.shapes import resolve_padding


@dataclasses.dataclass(frozen=True)
class ReceptiveField:
    """Receptive field after a layer, in input cells.

    Attributes
    ----------
    size : int
        How many input cells one output cell depends on (along one dimension).
    jump : int
        Distance, in input cells, between the receptive fields of neighbouring output cells
        (the product of the strides so far).
    start : float
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
    size, jump, start = 1, 1, 0.0
    records = []
    for layer in layers:
        geometry = _layer_geometry(layer, dim)
        if geometry is not None:
            k, s, d, p = geometry
            span = d * (k - 1) + 1
            size, start, jump = (
                size + (span - 1) * jump,
                start + ((span - 1) / 2 - p) * jump,
                jump * s,
            )
        records.append(ReceptiveField(size, jump, start))
    return records


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
