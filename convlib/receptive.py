"""How much each input cell contributes to one output of a stack of convolutions.

With all-ones kernels, the number of paths from input cell ``i`` to an output cell is what a
chain of transposed convolutions sends back from that output. A zero inside the receptive field
is a hole: the stack never looks there (gridding, from badly chosen dilations).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive_int
from .ops import conv_transpose


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
