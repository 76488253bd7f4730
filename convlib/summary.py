"""Model summaries: per-layer output shape, parameters and MACs, with totals, as text or HTML.

Published totals differ by convention; :func:`summary` reports each explicitly:

* ``include_buffers=False`` counts what PyTorch's ``parameters()`` counts; ``True`` adds the
  batch-norm running mean and variance, as Keras' "Total params" does (its non-trainable
  parameters). PyTorch's ``num_batches_tracked`` counter is in neither.
* ``flops=False`` reports multiply-accumulates (MACs); ``True`` reports FLOPs = 2 x MACs.
"""

from __future__ import annotations

import dataclasses
import html

from ._typing import Shape
from .containers import locate
from .layers import BatchNorm2d, Layer


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    layer_type: str
    output_shape: Shape
    params: int
    operations: int


@dataclasses.dataclass(frozen=True)
class Summary:
    """A model summary; ``str()`` gives the text table, notebooks show the HTML table."""

    rows: tuple[Row, ...]
    input_shape: Shape
    include_buffers: bool
    flops: bool

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

    def to_rows(self) -> list[dict]:
        return [dataclasses.asdict(row) for row in self.rows]

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
        A layer spec, typically a :class:`~convlib.containers.Sequential`.
    input_shape : tuple of int
        ``(C, *spatial)``, no batch dimension.
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
    >>> from convlib.layers import Conv2d
    >>> summary(Conv2d(3, 8, 3), (3, 32, 32)).total_params
    224
    """
    rows: list[Row] = []
    factor = 2 if flops else 1
    for name, layer, shape in model.leaves(tuple(input_shape)):
        try:
            output_shape, macs = layer.output_shape(shape), layer.macs(shape)
        except ValueError as error:
            raise locate(error, name, layer) from None
        row = Row(
            name, type(layer).__name__, output_shape, _params(layer, include_buffers), factor * macs
        )
        if depth is not None:
            key = ".".join(name.split(".")[:depth])
            if rows and rows[-1].name == key:
                last = rows[-1]
                row = Row(key, last.layer_type, row.output_shape, last.params + row.params,
                          last.operations + row.operations)  # fmt: skip
                rows[-1] = row
                continue
            kind = type(layer).__name__ if key == name else "block"
            row = dataclasses.replace(row, name=key, layer_type=kind)
        rows.append(row)
    return Summary(tuple(rows), tuple(input_shape), include_buffers, flops)
