"""Receptive fields of layer specs and containers, through branches: what :func:`convlib.summary`
shows per row.

The arithmetic is :mod:`convlib.geometry.receptive`'s (one step per kind of layer, and the merge
of branches); this module says which step each spec takes and walks the containers. A field is a
tuple of :class:`~convlib.ReceptiveField`, one per spatial axis, or one of two words:

* ``'global'``: every input cell (after ``Flatten`` or ``Linear``, or a branch that has one);
* ``'unknown'``: after a :class:`~convlib.PassThrough` layer that is not element-wise (its
  window is not known to convlib).

Convention: batch norm is element-wise (its running statistics, as in ``eval()``), so it leaves
the field unchanged; so do activations, dropout, channel shuffle and local response norm (which
mixes channels only).
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction
from typing import Union

from convlib._typing import Shape
from convlib.geometry.receptive import (
    ReceptiveField,
    field_of,
    plan_cells,
    resize_cells,
    window_cells,
)
from convlib.nn.containers import Parallel, Residual, Sequential
from convlib.nn.layers import Flatten, Layer, Linear, PassThrough, _ConvNd
from convlib.nn.pooling import (
    AdaptiveAvgPool2d,
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    _PoolNd,
)

Field = Union[tuple[ReceptiveField, ...], str]  # noqa: UP007 (a runtime alias)

#: PassThrough types that act on each cell alone (activations, element-wise arithmetic)
ELEMENTWISE = frozenset(
    "Identity GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Hardtanh LeakyReLU ELU CELU SELU "
    "Mish Softplus Softsign Tanhshrink PReLU Dropout1d Dropout2d Dropout3d AlphaDropout "
    "FeatureAlphaDropout gelu silu sigmoid tanh hardswish hardsigmoid hardtanh leaky_relu elu "
    "mish softplus dropout dropout2d mul add sub truediv neg clamp contiguous".split()
)

#: how many cells either side of the middle output cell are probed for the widest field (the
#: fields of neighbouring cells differ after upsampling, with a period of the upsampling factor)
PROBE = 12


@dataclasses.dataclass(frozen=True)
class FieldWalk:
    """The field after every leaf and container (by dotted name), and misaligned merges.

    ``misaligned`` maps a merge's name to the axes along which its branches' fields have
    different centres (different jumps or paddings).
    """

    fields: dict[str, Field]
    output: Field
    misaligned: dict[str, tuple[int, ...]]


def _then(previous, cells):
    """Compose: the input cells that output cells a..b read through ``cells`` then ``previous``."""

    @functools.cache
    def reads(a: int, b: int):
        span = cells(a, b)
        return None if span is None else previous(*span)

    return reads


def _leaf(layer: Layer, maps, sample: Shape):
    if isinstance(maps, str):
        return maps
    if isinstance(layer, Flatten | Linear):
        return "global"
    if isinstance(layer, PassThrough):
        return maps if layer.type_name in ELEMENTWISE else "unknown"
    spatial_in, spatial_out = sample[1:], layer.sample_output_shape(sample)[1:]
    if isinstance(layer, _ConvNd | _PoolNd):
        plan = layer.geometry(sample)
        return tuple(
            _then(m, functools.partial(_plan, plan=plan, axis=axis)) for axis, m in enumerate(maps)
        )
    if isinstance(layer, PixelUnshuffle):
        r = layer.downscale_factor
        return tuple(_then(m, functools.partial(window_cells, k=r, s=r, d=1, p=0)) for m in maps)
    if isinstance(layer, PixelShuffle | Upsample | AdaptiveAvgPool2d):
        if isinstance(layer, PixelShuffle):
            mode, corners = "nearest", None
        elif isinstance(layer, AdaptiveAvgPool2d):
            mode, corners = "adaptive", None
        else:
            mode = {"bilinear": "linear", "trilinear": "linear"}.get(layer.mode, layer.mode)
            corners = layer.align_corners
        return tuple(
            _then(m, functools.partial(_resize, n_in=n, n_out=o, mode=mode, corners=corners))
            for m, n, o in zip(maps, spatial_in, spatial_out, strict=True)
        )
    return maps  # element-wise: batch norm, activations, dropout, channel shuffle, LRN


def _plan(a: int, b: int, plan, axis: int):
    return plan_cells(a, b, plan, axis)


def _resize(a: int, b: int, n_in: int, n_out: int, mode: str, corners):
    return resize_cells(a, b, n_in, n_out, mode, corners)


def _union(*branches):
    @functools.cache
    def reads(a: int, b: int):
        spans = [s for s in (branch(a, b) for branch in branches) if s is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    return reads


def _probe(size: int) -> range:
    middle = size // 2
    return range(max(middle - PROBE, 0), middle + PROBE + 1)


def _merge(ends: list, spatial: Shape):
    words = [m for m in ends if isinstance(m, str)]
    if words:
        return ("unknown" if "unknown" in words else "global"), ()
    merged, bad = [], []
    for axis, branches in enumerate(zip(*ends, strict=True)):
        merged.append(_union(*branches))
        for o in _probe(spatial[axis]):
            spans = {b(o, o) for b in branches} - {None}
            if len({s[0] + s[1] for s in spans}) > 1:  # different centres
                bad.append(axis)
                break
    return tuple(merged), tuple(bad)


def _field(maps, spatial: Shape) -> Field:
    if isinstance(maps, str):
        return maps
    return tuple(field_of(m, _probe(n)) for m, n in zip(maps, spatial, strict=True))


def receptive_fields(model: Layer, sample: Shape) -> FieldWalk:
    """The receptive field after every leaf and container of ``model`` for one sample
    ``(C, *spatial)`` (names as :meth:`~convlib.Layer.sample_leaves` gives them).

    The cells each output cell reads are composed back to the input
    (:mod:`convlib.geometry.receptive`); a :class:`~convlib.Residual` or
    :class:`~convlib.Parallel` reads the union of its branches' cells, and is named in
    ``misaligned`` when its branches' fields have different centres.
    """
    fields: dict[str, Field] = {}
    misaligned: dict[str, tuple[int, ...]] = {}

    def walk(layer: Layer, maps, shape: Shape, prefix: str):
        out_shape = layer.sample_output_shape(shape)
        if isinstance(layer, Sequential):
            for name, child in layer.children():
                full = f"{prefix}.{name}" if prefix else name
                maps = walk(child, maps, shape, full)
                shape = child.sample_output_shape(shape)
        elif isinstance(layer, Residual | Parallel):
            ends = [
                walk(child, maps, shape, f"{prefix}.{name}" if prefix else name)
                for name, child in layer.children()
            ]
            if isinstance(layer, Residual) and layer.shortcut is None:
                ends.append(maps)
            maps, bad = _merge(ends, out_shape[1:])
            if bad:
                misaligned[prefix or type(layer).__name__] = bad
        else:
            maps = _leaf(layer, maps, shape)
        fields[prefix or type(layer).__name__] = _field(maps, out_shape[1:])
        return maps

    def identity(a: int, b: int):
        return a, b

    maps = walk(model, (identity,) * (len(sample) - 1), tuple(sample), "")
    output = _field(maps, model.sample_output_shape(tuple(sample))[1:])
    return FieldWalk(fields, output, misaligned)


def format_field(field: Field) -> tuple[str, str, str]:
    """``('11x11', '4x4', '(1.5, 1.5)')``: size, jump and start per axis, as the summary
    prints them (fractions as ``1/2``)."""
    if isinstance(field, str):
        return field, "", ""
    if not field:
        return "", "", ""

    def number(value) -> str:
        value = Fraction(value)
        if value.denominator == 1:
            return str(value.numerator)
        binary = value.denominator & (value.denominator - 1) == 0  # a power of 2: exact decimal
        return str(float(value)) if binary else str(value)

    size = "x".join(str(f.size) for f in field)
    jump = "x".join(number(f.jump) for f in field)
    start = ", ".join(number(f.start) for f in field)
    return size, jump, f"({start})" if len(field) > 1 else start
