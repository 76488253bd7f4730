"""The numbers the explorers show, computed straight from convlib's public functions.

make_fixture.py writes, for every setting, what the explorer's Python ``describe_*`` returns
(its text: formulas, code, messages), then puts over it the numbers below, each from a public
convlib function (the plan builders, the layer specs' ``num_params``, ``macs`` and
``output_shape``, ``conv_kind``, ``receptive_field``, the size functions), not from the widget
module: the ES
modules are compared with convlib itself. Where ``describe_*`` disagrees with these numbers the
fixture is not written (:func:`overlay` counts the disagreements), so the Python explorers are
held to the same values.
"""

from __future__ import annotations

import functools

import convlib
from convlib.geometry.shapes import diagram_conv_geometry


def conv_numbers(
    dims, mode, input_size, kernel_size, stride, padding, dilation, output_padding
) -> dict:
    """The conv explorer's numbers: output size, padding split, windows or scatter windows,
    parameters and MACs of the one-channel layer, and (transposed) the valid sizes."""
    nd = 1 if dims == "1-D" else 2
    n, k, s, p, d, op = input_size, kernel_size, stride, padding, dilation, output_padding
    size = (n,) * nd
    if mode == "transposed":
        plan = convlib.conv_transpose_geometry(size, k, s, p, op, d)
        layer_class = (convlib.ConvTranspose1d, convlib.ConvTranspose2d)[nd - 1]
        layer = layer_class(1, 1, k, s, p, op, 1, True, d)
        return {
            "out": list(plan.output_size),
            "shape": str((1, 1, *plan.output_size)),
            "params": layer.num_params,
            "macs": layer.macs((1, *size)),
        } | _transpose_maps(n, k, s, p, d)
    plan = diagram_conv_geometry(size, k, s, p, d)
    layer_class = (convlib.Conv1d, convlib.Conv2d)[nd - 1]
    if p == "causal":  # no layer spec pads causally: the plan's own count
        macs = plan.macs(1, 1)
    else:  # 'full' is the int it pads on each side
        layer = layer_class(1, 1, k, s, plan.padding[0][0] if p == "full" else p, d)
        macs = layer.macs((1, *size))
    return {
        "out": list(plan.output_size),
        "pads": list(plan.padding[0]),
        "shape": str((1, 1, *plan.output_size)),
        "params": layer_class(1, 1, k).num_params,
        "macs": macs,
        "windows": plan.windows()[0],
    }


def budget_numbers(variants: dict, in_channels, size) -> list[list[int]]:
    """[parameters, MACs] of each of the budget explorer's layer stacks (``variants``, name ->
    list of layer specs, as the explorer builds them): each spec's ``num_params`` and ``macs``
    at the shape the one before it outputs (``output_shape``)."""
    totals = []
    for stack in variants.values():
        shape, params, macs = (in_channels, size, size), 0, 0
        for layer in stack:
            params, macs = params + layer.num_params, macs + layer.macs(shape)
            shape = layer.output_shape(shape)
        totals.append([params, macs])
    return totals


@functools.cache
def _transpose_maps(n, k, s, p, d) -> dict:
    """Per axis (the same for 1-D and 2-D and every output_padding): the output cells each
    input cell writes, the valid output sizes and the output_padding that gives each."""
    maps = {"scatter": [convlib.transpose_scatter_window(i, k, s, p, d)[0] for i in range(n)]}
    try:
        low, high = convlib.conv_transpose_output_size_range(n, k, s, p, d)
    except ValueError:  # no size with output_padding < stride is positive
        return maps | {"range": None, "choices": []}
    choices = [[m, convlib.output_padding_for(m, n, k, s, p, d)] for m in range(low, high + 1)]
    return maps | {"range": [low, high], "choices": choices}


def groups_numbers(channels, groups, kernel_size, size) -> dict:
    """The groups explorer's C -> C layer: its kind (convlib.conv_kind), parameters and MACs."""
    layer = convlib.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=groups)
    return {
        "kind": convlib.conv_kind(layer),
        "params": layer.num_params,
        "macs": layer.macs((channels, size, size)),
    }


def receptive_numbers(stack: list) -> dict:
    """Receptive field size and jump after each layer of ``stack`` ([k, s, d] per layer)."""
    records = convlib.receptive_field([tuple(layer) for layer in stack])
    return {"sizes": [r.size for r in records], "jumps": [r.jump for r in records]}


class Disagreements:
    """Where a ``describe_*`` value differs from the public functions' (explorer, key, setting)."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str, object]] = []

    def expected(self, explorer: str, setting: object, described: dict, numbers) -> dict:
        """``described`` (a ``describe_*`` result) with ``numbers()`` put over it; each value
        that differs is recorded, as is an error on one side only. An impossible setting keeps
        ``describe_*``'s message (convlib's, which ``numbers()`` raises too)."""
        try:
            values = numbers()
        except (ValueError, TypeError) as error:
            if described.get("error") != str(error):
                self.found.append((explorer, "error", setting))
            return described
        if "error" in described:
            self.found.append((explorer, "error", setting))
            return described
        for key, value in values.items():
            if described.get(key, value) != value:
                self.found.append((explorer, key, setting))
        return described | values

    def check(self) -> None:
        if self.found:
            shown = "\n".join(map(repr, self.found[:5]))
            raise SystemExit(
                f"{len(self.found)} explorer values differ from convlib's public functions:\n"
                f"{shown}"
            )
