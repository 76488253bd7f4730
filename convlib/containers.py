"""Containers of layer specs: :class:`Sequential` and the residual block."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

from ._typing import Shape
from .layers import Layer


def locate(error: ValueError, name: str, layer: Layer) -> ValueError:
    """Prefix a shape error with the dotted name of the layer it came from."""
    message = str(error)
    inner = re.match(r"layer '([^']*)' (.*)", message, re.S)
    if inner:
        return ValueError(f"layer '{name}.{inner[1]}' {inner[2]}")
    return ValueError(f"layer '{name}' ({type(layer).__name__}): {message}")


class Sequential(Layer):
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

    @property
    def num_params(self) -> int:
        return sum(layer.num_params for layer in self)

    @property
    def num_buffers(self) -> int:
        return sum(layer.num_buffers for layer in self)

    def output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        for name, layer in self._children:
            try:
                shape = layer.output_shape(shape)
            except ValueError as error:
                raise locate(error, name, layer) from None
        return shape

    def macs(self, input_shape: Shape) -> int:
        return sum(layer.macs(shape) for _, layer, shape in self.leaves(input_shape))

    def leaves(self, input_shape: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        shape = tuple(input_shape)
        for name, layer in self._children:
            full = f"{prefix}.{name}" if prefix else name
            yield from layer.leaves(shape, full)
            try:
                shape = layer.output_shape(shape)
            except ValueError as error:
                raise locate(error, full, layer) from None

    def __repr__(self) -> str:
        inner = "\n".join(
            f"  ({n}): {layer!r}".replace("\n", "\n  ") for n, layer in self._children
        )
        return f"Sequential(\n{inner}\n)"


class Residual(Layer):
    """A residual block: ``output = body(x) + shortcut(x)`` (identity shortcut by default).

    The ResNet building block :cite:p:`he2016resnet`; ``shortcut`` is typically a strided
    ``1 x 1`` convolution with batch norm when the shape changes.
    """

    def __init__(self, body: Layer, shortcut: Layer | None = None) -> None:
        self.body, self.shortcut = body, shortcut

    def children(self) -> list[tuple[str, Layer]]:
        pairs = [("body", self.body)]
        return pairs + ([("shortcut", self.shortcut)] if self.shortcut is not None else [])

    @property
    def num_params(self) -> int:
        return sum(layer.num_params for _, layer in self.children())

    @property
    def num_buffers(self) -> int:
        return sum(layer.num_buffers for _, layer in self.children())

    def output_shape(self, input_shape: Shape) -> Shape:
        main = self.body.output_shape(input_shape)
        skip = self.shortcut.output_shape(input_shape) if self.shortcut else tuple(input_shape)
        if main != skip:
            raise ValueError(
                f"residual branches must have the same shape to be added: the body gives {main} "
                f"but the shortcut gives {skip}; give the block a shortcut that matches "
                f"(e.g. a strided 1x1 Conv2d)"
            )
        return main

    def macs(self, input_shape: Shape) -> int:
        return sum(layer.macs(shape) for _, layer, shape in self.leaves(input_shape))

    def leaves(self, input_shape: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        self.output_shape(input_shape)
        for name, layer in self.children():
            yield from layer.leaves(input_shape, f"{prefix}.{name}" if prefix else name)

    def __repr__(self) -> str:
        return f"Residual(body={self.body!r}, shortcut={self.shortcut!r})"
