"""The "paste your model" explorer: ``print(model)`` text in, convlib's summary table out.

The reader pastes what ``print(model)`` shows for a PyTorch model (or the receptive field
explorer's stack, ``"kernel, stride, dilation; ..."``) and an input shape; the page shows
``convlib.summary(convlib.from_torch_repr(text), input_shape)``: each layer's output shape,
parameters, MACs and receptive field, with from_torch_repr's warnings where the text cannot fix
the computation (a module other than ``nn.Sequential`` may branch). :func:`describe_model`
computes it with convlib; ``model.mjs`` computes the same in the browser (the node tests compare
them on a fixture of printed models).
"""

from __future__ import annotations

import json
import re
import warnings
from importlib import resources

import traitlets

from convlib.geometry.receptive import parse_layers
from convlib.geometry.shapes import same_padding
from convlib.nn.containers import Sequential
from convlib.nn.layers import Conv2d, Layer
from convlib.nn.printed_model import from_torch_repr
from convlib.nn.receptive import format_field
from convlib.nn.summaries import summary
from convlib.widgets._base import Explorer, esm

#: ``[name, print(model) text, input shape]`` of the examples, written from torch models by
#: tools/make_model_presets.py
PRESETS: list[list[str]] = json.loads(
    (resources.files(__package__) / "model_presets.json").read_text(encoding="utf-8")
)

_STACK = re.compile(r"[0-9,;\s]+")


def parse_shape(text: str) -> tuple[int, ...]:
    """``"3, 32, 32"`` or ``"(1, 3, 32, 32)"`` as a tuple of ints.

    Raises
    ------
    ValueError
        If the text is not non-negative ints separated by commas; the message quotes it.
    """
    body = re.sub(r"[)\]]$", "", re.sub(r"^[(\[]", "", text.strip()))
    parts = [p.strip() for p in body.split(",")]
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise ValueError(
            "input shape must be non-negative ints separated by commas, (C, H, W) or "
            f"(N, C, H, W) for images; received {text!r}"
        )
    return tuple(int(p) for p in parts)


def stack_model(layers: list[tuple[int, int, int]], channels: int) -> Sequential:
    """The receptive explorer's stack as ``Conv2d(channels, channels, k, s, padding, d)`` layers,
    padded by ``d(k-1) // 2`` as that explorer's PyTorch code is."""
    return Sequential(
        *(Conv2d(channels, channels, k, s, same_padding(k, d)[0][0], d) for k, s, d in layers)
    )


def _model(text: str, shape_text: str) -> tuple[Layer, list[str], tuple[int, ...] | None]:
    if _STACK.fullmatch(text) and re.search("[0-9]", text):
        layers = parse_layers(text)
        shape = parse_shape(shape_text)
        channels = shape[-3] if len(shape) >= 3 else shape[0]
        return stack_model(layers, channels), [], shape
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = from_torch_repr(text)
    return model, [str(w.message) for w in caught], None


def describe_model(text: str, input_shape: str) -> dict:
    """What the explorer shows for ``text`` and ``input_shape`` (text such as ``"3, 32, 32"``).

    Returns ``{"error": message}`` when the text cannot be read; else ``warnings`` (what
    :func:`~convlib.from_torch_repr` warns) and ``params`` (the model's parameter count), and
    either ``error`` (summary's message, e.g. a shape the model cannot take) or the table of
    :func:`~convlib.summary`: ``header``, ``cells`` (one row per layer: name and type, output
    shape, parameters, MACs, receptive-field size, jump and start), ``total``,
    ``outputShape``, ``totalParams``, ``totalMacs``, ``kinds`` (each row's
    :func:`~convlib.conv_kind`) and ``text`` (``str(summary)``).
    """
    try:
        model, caught, shape = _model(text, input_shape)
    except (TypeError, ValueError) as error:
        return {"error": str(error)}
    result: dict = {"warnings": caught, "params": model.num_params}
    try:
        shape = parse_shape(input_shape) if shape is None else shape
        table = summary(model, shape)
    except (TypeError, ValueError) as error:
        return {**result, "error": str(error)}
    header = ["Layer", "Output shape", "Params", "MACs", "RF size", "Jump", "Start"]
    cells = [
        [f"{r.name} ({r.layer_type})", str(r.output_shape), f"{r.params:,}", f"{r.operations:,}",
         *format_field(r.receptive_field)]
        for r in table.rows
    ]  # fmt: skip
    total = ["Total", str(table.output_shape), f"{table.total_params:,}",
             f"{table.total_macs:,}", *format_field(table.output_field)]  # fmt: skip
    return {
        **result,
        "header": header,
        "cells": cells,
        "total": total,
        "outputShape": list(table.output_shape),
        "totalParams": table.total_params,
        "totalMacs": table.total_macs,
        "kinds": list(table.leaf_kinds),
        "text": str(table),
    }


class ModelExplorer(Explorer):
    """The "paste your model" explorer (see :func:`model_explorer`)."""

    _esm = esm("model.mjs")
    preset = traitlets.Unicode(PRESETS[0][0]).tag(sync=True)
    text = traitlets.Unicode(PRESETS[0][1]).tag(sync=True)
    input_shape = traitlets.Unicode(PRESETS[0][2]).tag(sync=True)
    _presets = traitlets.List(PRESETS).tag(sync=True)

    @traitlets.validate("preset")
    def _check_preset(self, proposal):
        names = [name for name, _, _ in PRESETS]
        if proposal["value"] not in ["", *names]:
            raise traitlets.TraitError(
                f"preset must be '' (your own text) or one of {', '.join(map(repr, names))}; "
                f"received preset={proposal['value']!r}"
            )
        return proposal["value"]

    @traitlets.observe("preset")
    def _apply_preset(self, change) -> None:
        for name, text, shape in PRESETS:
            if name == change["new"]:
                self.text, self.input_shape = text, shape

    def describe(self) -> dict:
        return describe_model(self.text, self.input_shape)


def model_explorer(**initial) -> ModelExplorer:
    """Paste what ``print(model)`` shows and an input shape; see convlib's summary of it.

    Keyword arguments set the initial values: ``preset`` (an example's name, or '' for your own
    text), ``text`` (``print(model)`` text, or a stack ``"kernel, stride, dilation; ..."``)
    and ``input_shape`` (``"C, H, W"`` or ``"N, C, H, W"``). The table is
    ``convlib.summary(convlib.from_torch_repr(text), input_shape)``, computed in the page.
    """
    # the preset's text and shape first, then the ones given (unknown keywords: Explorer's error)
    given = ("text", "input_shape")
    explorer = ModelExplorer(**{k: v for k, v in initial.items() if k not in given})
    for name in given:
        if name in initial:
            setattr(explorer, name, initial[name])
    return explorer


__all__ = ["describe_model", "model_explorer", "parse_shape", "stack_model"]
