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
from convlib.nn.receptive import Field, format_field, receptive_fields

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
    receptive_field: Field | None = None


@dataclasses.dataclass(frozen=True)
class Summary:
    """A model summary; ``str()`` gives the text table, notebooks show the HTML table."""

    rows: tuple[Row, ...]
    input_shape: Shape
    include_buffers: bool
    flops: bool
    leaf_kinds: tuple[str | None, ...] = ()
    model_output_shape: Shape | None = None
    #: the receptive field of the model's output (``None``: the summary was made without them)
    output_field: Field | None = None
    #: merges whose branches' fields are not aligned, and along which spatial axes
    misaligned: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: what ``effective=`` measured (:func:`convlib.effective_receptive_field`), if given
    effective: object | None = None

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
        if self.model_output_shape is not None:  # a branch's last leaf is not the output
            return self.model_output_shape
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def receptive(self) -> bool:
        return self.output_field is not None

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

    def _header(self) -> tuple[str, ...]:
        header = ("Layer", "Output shape", "Params", "FLOPs" if self.flops else "MACs")
        return header + (("RF size", "Jump", "Start") if self.receptive else ())

    def _cells(self) -> list[tuple[str, ...]]:
        return [
            (
                f"{r.name} ({r.layer_type})",
                str(r.output_shape),
                f"{r.params:,}",
                f"{r.operations:,}",
            )
            + (format_field(r.receptive_field) if self.receptive else ())
            for r in self.rows
        ]

    def _field_lines(self) -> list[str]:
        if not self.receptive:
            return []
        size, jump, start = format_field(self.output_field)
        where = f" (jump {jump}, start {start})" if jump else ""
        lines = [f"Receptive field of the output: {size}{where}"]
        for name, axes in self.misaligned:
            lines.append(
                f"Misaligned branches at {name!r} along spatial axes {list(axes)}: for some "
                "output cells the branches' fields have different centres (the rows give "
                "their union)"
            )
        if self.effective is not None:
            lines.append(str(self.effective))
        return lines

    def __str__(self) -> str:
        header, cells = self._header(), self._cells()
        widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]

        def line(c):
            left = f"{c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}"
            right = "  ".join(f"{v:>{w}}" for v, w in zip(c[2:], widths[2:], strict=True))
            return f"{left}  {right}"

        rule = "-" * len(line(header))
        body = [line(header), rule, *map(line, cells), rule]
        body.append(f"Input shape: {self.input_shape}   Output shape: {self.output_shape}")
        body.append(f"Total params: {self.total_params:,}")
        body.append(f"Total {self._header()[3]}: {self.total_operations:,}")
        body.extend(self._field_lines())
        body.append(f"({self.convention})")
        return "\n".join(body)

    def _repr_html_(self) -> str:
        header = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in self._header())
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            for cells in self._cells()
        )
        fields = "".join(
            f"<td>{html.escape(c)}</td>"
            for c in (format_field(self.output_field) if self.receptive else ())
        )
        totals = (
            f"<tr><th scope='row'>Total</th><td>{html.escape(str(self.output_shape))}</td>"
            f"<td>{self.total_params:,}</td><td>{self.total_operations:,}</td>{fields}</tr>"
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
    receptive_field: bool = True,
    effective: object | None = None,
) -> Summary:
    """Tabulate a model: one row per leaf layer (or per block, with ``depth``).

    Each row gives the receptive field of its output in input cells, per spatial axis: its
    size, jump (the distance between neighbouring output cells' fields) and start (the centre
    of the first cell's field), through branches (:func:`convlib.nn.receptive.receptive_fields`;
    the arithmetic of :mod:`convlib.geometry.receptive`). A row inside a branch gives the field
    along that branch; the row after the merge gives the union, and the text names merges
    whose branches are misaligned.

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
    receptive_field : bool
        Add the receptive-field columns (size, jump, start) and the output's field.
    effective : EffectiveReceptiveField, optional
        What :func:`convlib.effective_receptive_field` measured on the torch module (its
        gradient), printed under the theoretical field.

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
    last_leaf: dict[str, str] = {}  # a collapsed row's last leaf (its field, if not a block's)
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
            last_leaf[key] = name
            if rows and rows[-1].name == key:
                last = rows[-1]
                rows[-1] = Row(key, last.layer_type, row.output_shape, last.params + row.params,
                               last.operations + row.operations, None)  # fmt: skip
                continue
            kind = type(layer).__name__ if key == name else "block"
            row = dataclasses.replace(row, name=key, layer_type=kind,
                                      kind=row.kind if key == name else None)  # fmt: skip
        rows.append(row)
    output_shape = (*batch, *model.sample_output_shape(sample))
    if not receptive_field:
        return Summary(tuple(rows), tuple(input_shape), include_buffers, flops, tuple(kinds),
                       output_shape, effective=effective)  # fmt: skip
    walk = receptive_fields(model, sample)
    rows = [
        dataclasses.replace(
            row, receptive_field=walk.fields.get(row.name, walk.fields.get(last_leaf.get(row.name)))
        )
        for row in rows
    ]
    return Summary(tuple(rows), tuple(input_shape), include_buffers, flops, tuple(kinds),
                   output_shape, walk.output, tuple(walk.misaligned.items()),
                   effective)  # fmt: skip
