"""Containers of layer specs: :class:`Sequential` and the residual block.

A container takes the same batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)`` shapes as
its first layer; inside, every layer sees one sample and the batch is applied once, at the top.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

from convlib._typing import Shape
from convlib.nn.layers import Layer


def locate(error: ValueError, name: str, layer: Layer) -> ValueError:
    """Prefix a shape error with the dotted name of the layer it came from."""
    message = str(error)
    inner = re.match(r"layer '([^']*)' (.*)", message, re.S)
    if inner:
        return ValueError(f"layer '{name}.{inner[1]}' {inner[2]}")
    return ValueError(f"layer '{name}' ({type(layer).__name__}): {message}")


class _Container(Layer):
    def input_ndim(self) -> int | None:
        for _, layer in self.children():
            rank = layer.input_ndim()
            if rank is not None:
                return rank
        return None

    @property
    def num_params(self) -> int:
        return sum(layer.num_params for _, layer in self.children())

    @property
    def num_buffers(self) -> int:
        return sum(layer.num_buffers for _, layer in self.children())

    def sample_macs(self, sample: Shape) -> int:
        return sum(layer.sample_macs(shape) for _, layer, shape in self.sample_leaves(sample))

    def torch_code(self) -> str:
        return repr(self)


class Sequential(_Container):
    """Spec of ``torch.nn.Sequential``: layers applied in order.

    ``Sequential(a, b)`` names the children ``"0"``, ``"1"``; ``Sequential(OrderedDict(...))``
    uses the given names (as PyTorch does).
    """

    def __init__(self, *layers: Layer | OrderedDict) -> None:
        if len(layers) == 1 and isinstance(layers[0], dict):
            self._children = list(layers[0].items())
        else:
            self._children = [(str(i), layer) for i, layer in enumerate(layers)]
        for name, layer in self._children:
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential takes layer specs; received {type(layer).__name__} for {name!r}"
                )

    def children(self) -> list[tuple[str, Layer]]:
        return list(self._children)

    def __iter__(self):
        return (layer for _, layer in self._children)

    def __len__(self) -> int:
        return len(self._children)

    def __getitem__(self, key: int | str) -> Layer:
        if isinstance(key, int):
            return self._children[key][1]
        return dict(self._children)[key]

    def sample_output_shape(self, sample: Shape) -> Shape:
        shape = tuple(sample)
        for name, layer in self._children:
            try:
                shape = layer.sample_output_shape(shape)
            except ValueError as error:
                raise locate(error, name, layer) from None
        return shape

    def sample_leaves(self, sample: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        shape = tuple(sample)
        for name, layer in self._children:
            full = f"{prefix}.{name}" if prefix else name
            yield from layer.sample_leaves(shape, full)
            try:
                shape = layer.sample_output_shape(shape)
            except ValueError as error:
                raise locate(error, full, layer) from None

    def __repr__(self) -> str:
        inner = "\n".join(
            f"  ({n}): {layer!r}".replace("\n", "\n  ") for n, layer in self._children
        )
        return f"Sequential(\n{inner}\n)"


class Residual(_Container):
    """A residual block: ``output = body(x) + shortcut(x)`` (identity shortcut by default).

    The ResNet building block :cite:p:`he2016resnet`; ``shortcut`` is typically a strided
    ``1 x 1`` convolution with batch norm when the shape changes.
    """

    def __init__(self, body: Layer, shortcut: Layer | None = None) -> None:
        for name, layer in (("body", body), ("shortcut", shortcut)):
            if layer is not None and not isinstance(layer, Layer):
                raise TypeError(
                    f"Residual takes layer specs; received {type(layer).__name__} for {name!r}"
                )
        self.body, self.shortcut = body, shortcut

    def children(self) -> list[tuple[str, Layer]]:
        pairs = [("body", self.body)]
        return pairs + ([("shortcut", self.shortcut)] if self.shortcut is not None else [])

    def sample_output_shape(self, sample: Shape) -> Shape:
        main = self.body.sample_output_shape(sample)
        skip = self.shortcut.sample_output_shape(sample) if self.shortcut else tuple(sample)
        if main != skip:
            raise ValueError(
                f"residual branches must have the same shape to be added: the body gives {main} "
                f"but the shortcut gives {skip}; give the block a shortcut that matches "
                f"(e.g. a strided 1x1 Conv2d)"
            )
        return main

    def sample_leaves(self, sample: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        self.sample_output_shape(sample)
        for name, layer in self.children():
            yield from layer.sample_leaves(sample, f"{prefix}.{name}" if prefix else name)

    def __repr__(self) -> str:
        return f"Residual(body={self.body!r}, shortcut={self.shortcut!r})"


class Parallel(_Container):
    """Branches applied to the same input, merged: concatenated along the channels
    (``merge='cat'``, as ``torch.cat(..., dim=1)`` in a forward) or summed (``'sum'``).

    DeepLab's atrous spatial pyramid pooling :cite:p:`chen2018deeplab` is a ``Parallel`` of
    convolutions with different dilation rates. ``Parallel(a, b)`` names the branches ``"0"``,
    ``"1"``; ``Parallel(OrderedDict(...))`` uses the given names.
    """

    def __init__(self, *branches: Layer | OrderedDict, merge: str = "cat") -> None:
        if merge not in ("cat", "sum"):
            raise ValueError(f"merge must be 'cat' or 'sum'; received merge={merge!r}")
        self.merge = merge
        self._branches = Sequential(*branches)._children
        if not self._branches:
            raise ValueError("Parallel needs at least one branch; received none")

    def children(self) -> list[tuple[str, Layer]]:
        return list(self._branches)

    def sample_output_shape(self, sample: Shape) -> Shape:
        shapes = []
        for name, layer in self._branches:
            try:
                shapes.append(layer.sample_output_shape(sample))
            except ValueError as error:
                raise locate(error, name, layer) from None
        rest = {shape[1:] if self.merge == "cat" else shape for shape in shapes}
        if len(rest) != 1:
            what = "spatial sizes" if self.merge == "cat" else "shapes"
            raise ValueError(
                f"branches merged by {self.merge!r} must have the same {what}; "
                f"the branches give {shapes}"
            )
        if self.merge == "sum":
            return shapes[0]
        return (sum(shape[0] for shape in shapes), *shapes[0][1:])

    def sample_leaves(self, sample: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        self.sample_output_shape(sample)
        for name, layer in self._branches:
            yield from layer.sample_leaves(sample, f"{prefix}.{name}" if prefix else name)

    def __repr__(self) -> str:
        inner = "\n".join(
            f"  ({n}): {layer!r}".replace("\n", "\n  ") for n, layer in self._branches
        )
        return f"Parallel(merge={self.merge!r},\n{inner}\n)"
