"""Model summaries: per-layer output shape, parameters and MACs, with totals, as text or HTML.

Published totals differ by convention; :func:`summary` reports each explicitly:

* ``include_buffers=False`` counts what PyTorch's ``parameters()`` counts; ``True`` adds the
  batch-norm running mean and variance, as Keras' "Total params" does (its non-trainable
  parameters). PyTorch's ``num_batches_tracked`` counter is in neither.
* ``flops=False`` reports multiply-accumulates (MACs); ``True`` reports FLOPs = 2 x MACs.

The input shape is batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``, as a model takes
it; a batch of ``N`` costs ``N`` times one sample's MACs, so ``(1, 3, 224, 224)`` and
``(3, 224, 224)`` give the same totals. Each convolution row carries its kind
(:func:`conv_kind`); :meth:`Summary.kind_counts` counts them.
"""

from __future__ import annotations

import dataclasses
import html
import math

from convlib._typing import Shape
from convlib.nn.containers import locate
from convlib.nn.layers import BatchNorm2d, Layer, _ConvNd

CONV_KINDS = ("standard", "grouped", "depthwise", "pointwise", "dilated", "transposed")


def conv_kind(layer: Layer) -> str | None:
    """The kind of a convolution spec, one of :data:`CONV_KINDS`, or None for other layers.

    Checked in this order: transposed; pointwise (every kernel size 1); depthwise
    (``groups == in_channels``) or grouped (``groups > 1``); dilated; standard.
    """
    if not isinstance(layer, _ConvNd):
        return None
    if layer._transposed:
        return "transposed"
    if all(k == 1 for k in layer.kernel_size):
        return "pointwise"
    if layer.groups > 1:
        return "depthwise" if layer.in_channels == layer.groups else "grouped"
    return "dilated" if max(layer.dilation) > 1 else "standard"


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    layer_type: str
    output_shape: Shape
    params: int
    operations: int
    kind: str | None = None


@dataclasses.dataclass(frozen=True)
class Summary:
    """A model summary; ``str()`` gives the text table, notebooks show the HTML table."""

    rows: tuple[Row, ...]
    input_shape: Shape
    include_buffers: bool
    flops: bool
    leaf_kinds: tuple[str | None, ...] = ()

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def total_operations(self) -> int:
        """Total MACs, or FLOPs when the summary was made with ``flops=True``."""
        return sum(row.operations for row in self.rows)

    @property
    def total_macs(self) -> int:
        return self.total_operations // 2 if self.flops else self.total_operations

    @property
    def output_shape(self) -> Shape:
        return self.rows[-1].output_shape if self.rows else self.input_shape

    def kind_counts(self) -> dict[str, int]:
        """How many convolutions of each kind (:func:`conv_kind`) the model has, at any depth."""
        return {kind: self.leaf_kinds.count(kind) for kind in CONV_KINDS}

    @property
    def convention(self) -> str:
        params = (
            "parameters include batch-norm running statistics (Keras' total)"
            if self.include_buffers
            else "parameters as PyTorch's parameters() (no batch-norm running statistics)"
        )
        operations = "FLOPs = 2 x multiply-accumulates" if self.flops else "multiply-accumulates"
        return f"{params}; operations counted as {operations}"

    def _header(self) -> tuple[str, str, str, str]:
        return ("Layer", "Output shape", "Params", "FLOPs" if self.flops else "MACs")

    def _cells(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                f"{r.name} ({r.layer_type})",
                str(r.output_shape),
                f"{r.params:,}",
                f"{r.operations:,}",
            )
            for r in self.rows
        ]

    def __str__(self) -> str:
        header, cells = self._header(), self._cells()
        widths = [max(len(c[i]) for c in [header, *cells]) for i in range(4)]

        def line(c):
            left = f"{c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}"
            return f"{left}  {c[2]:>{widths[2]}}  {c[3]:>{widths[3]}}"

        rule = "-" * len(line(header))
        body = [line(header), rule, *map(line, cells), rule]
        body.append(f"Input shape: {self.input_shape}   Output shape: {self.output_shape}")
        body.append(f"Total params: {self.total_params:,}")
        body.append(f"Total {self._header()[3]}: {self.total_operations:,}")
        body.append(f"({self.convention})")
        return "\n".join(body)

    def _repr_html_(self) -> str:
        header = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in self._header())
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            for cells in self._cells()
        )
        totals = (
            f"<tr><th scope='row'>Total</th><td>{html.escape(str(self.output_shape))}</td>"
            f"<td>{self.total_params:,}</td><td>{self.total_operations:,}</td></tr>"
        )
        caption = html.escape(f"Input {self.input_shape}; {self.convention}")
        # explicit colours: the table reads the same on the book's light and dark themes
        return (
            "<table class='convlib-summary' style='color:#1A1A1A;background:#FFFFFF'>"
            f"<caption style='color:#1A1A1A;caption-side:top'>{caption}</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{rows}</tbody>"
            f"<tfoot>{totals}</tfoot></table>"
        )


def _params(layer: Layer, include_buffers: bool) -> int:
    extra = layer.running_stats if include_buffers and isinstance(layer, BatchNorm2d) else 0
    return layer.num_params + extra


def summary(
    model: Layer,
    input_shape: Shape,
    *,
    include_buffers: bool = False,
    flops: bool = False,
    depth: int | None = None,
) -> Summary:
    """Tabulate a model: one row per leaf layer (or per block, with ``depth``).

    Parameters
    ----------
    model : Layer
        A layer spec, typically a :class:`~convlib.nn.containers.Sequential`.
    input_shape : tuple of int
        ``(N, C, *spatial)`` or ``(C, *spatial)``; rows show the batch when it is given.
    include_buffers : bool
        Add batch-norm running statistics to the parameter count (Keras' convention).
    flops : bool
        Report FLOPs (2 per multiply-accumulate) instead of MACs.
    depth : int, optional
        Collapse rows to the first ``depth`` components of their dotted names (``depth=1``:
        one row per top-level stage).

    Raises
    ------
    ValueError
        If a layer receives a shape it cannot take; the message names the layer.

    Examples
    --------
    >>> from convlib.nn.layers import Conv2d
    >>> summary(Conv2d(3, 8, 3), (3, 32, 32)).total_params
    224
    >>> summary(Conv2d(3, 8, 3), (2, 3, 32, 32)).total_macs == 2 * Conv2d(3, 8, 3).macs((3, 32, 32))
    True
    """
    rows: list[Row] = []
    factor = 2 if flops else 1
    batch, sample = model.split_batch(tuple(input_shape))
    count = math.prod(batch)
    kinds = []
    for name, layer, shape in model.sample_leaves(sample):
        try:
            output_shape, macs = layer.sample_output_shape(shape), count * layer.sample_macs(shape)
        except ValueError as error:
            raise locate(error, name, layer) from None
        kinds.append(conv_kind(layer))
        row = Row(name, type(layer).__name__, (*batch, *output_shape),
                  _params(layer, include_buffers), factor * macs, kinds[-1])  # fmt: skip
        if depth is not None:
            key = ".".join(name.split(".")[:depth])
            if rows and rows[-1].name == key:
                last = rows[-1]
                rows[-1] = Row(key, last.layer_type, row.output_shape, last.params + row.params,
                               last.operations + row.operations, None)  # fmt: skip
                continue
            kind = type(layer).__name__ if key == name else "block"
            row = dataclasses.replace(row, name=key, layer_type=kind,
                                      kind=row.kind if key == name else None)  # fmt: skip
        rows.append(row)
    return Summary(tuple(rows), tuple(input_shape), include_buffers, flops, tuple(kinds))
