"""Parameter and MAC budgets of one layer built four ways, and the groups walk from 1 to C."""

from __future__ import annotations

import traitlets
from matplotlib.figure import Figure

from convlib.nn import layers
from convlib.nn.summaries import conv_kind
from convlib.plotting import palette
from convlib.plotting.groups_diagram import draw_block_diagonal, draw_group_connections
from convlib.widgets._base import Explorer, Rendered, checked_count, code_block, esm


def layer_variants(c_in: int, c_out: int, k: int, groups: int) -> dict[str, list]:
    """The same C_in -> C_out, k x k layer as standard, grouped, depthwise-separable and
    asymmetric (k x 1 then 1 x k, Inception-style) stacks of layer specs (no bias)."""
    conv = layers.Conv2d
    return {
        "standard": [conv(c_in, c_out, k, padding=k // 2, bias=False)],
        f"grouped (g={groups})": [conv(c_in, c_out, k, padding=k // 2, groups=groups, bias=False)],
        "depthwise separable": [
            conv(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
            conv(c_in, c_out, 1, bias=False),
        ],
        "asymmetric (k x 1, 1 x k)": [
            conv(c_in, c_out, (k, 1), padding=(k // 2, 0), bias=False),
            conv(c_out, c_out, (1, k), padding=(0, k // 2), bias=False),
        ],
    }


def budget(c_in, c_out, k, groups, size) -> dict[str, tuple[int, int]]:
    """Name -> (parameters, MACs at ``size x size``) of each variant."""
    result = {}
    for name, stack in layer_variants(c_in, c_out, k, groups).items():
        shape, params, macs = (c_in, size, size), 0, 0
        for layer in stack:
            params, macs = params + layer.num_params, macs + layer.macs(shape)
            shape = layer.output_shape(shape)
        result[name] = (params, macs)
    return result


def render_budget(
    in_channels=64, out_channels=128, kernel_size=3, groups=4, size=56, scale="log"
) -> Rendered:
    numbers = budget(in_channels, out_channels, kernel_size, groups, size)
    figure = Figure(figsize=(7.2, 2.8), facecolor=palette.BACKGROUND)
    axes = figure.subplots(1, 2)
    figure.subplots_adjust(left=0.25, right=0.97, top=0.8, bottom=0.15, wspace=0.08)
    names = list(numbers)
    colors = [palette.group_color(i) for i in range(len(names))]
    for ax, column, label in ((axes[0], 0, "parameters"), (axes[1], 1, "MACs")):
        values = [numbers[n][column] for n in names]
        ax.barh(names, values, color=colors)
        ax.set_xscale(scale)
        ax.invert_yaxis()
        ax.set_title(label)
        for y, value in enumerate(values):
            ax.text(value, y, f" {value:,}", va="center", fontsize=7)
        ax.set_xlim(right=max(values) * (8 if scale == "log" else 1.45))
    axes[1].set_yticks([])
    figure.suptitle(
        f"{in_channels}\u2192{out_channels} channels, {kernel_size}\u00d7"
        f"{kernel_size} kernel, {size}\u00d7{size} input"
    )
    standard = numbers["standard"][0]
    rows = "".join(
        f"<tr><td>{n}</td><td>{p:,}</td><td>{m:,}</td><td>{p / standard:.3f}</td></tr>"
        for n, (p, m) in numbers.items()
    )
    text = (
        "<table><tr><th>layer</th><th>parameters</th><th>MACs</th><th>vs standard</th></tr>"
        f"{rows}</table>"
    )
    for name, stack in layer_variants(in_channels, out_channels, kernel_size, groups).items():
        text += code_block(f"{name} (PyTorch):", ", ".join(layer.torch_code() for layer in stack))
    return Rendered(figure, text)


CHANNELS = [8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
SIZES = [7, 14, 28, 56, 112, 224]
GROUPS = [1, 2, 4, 8, 16, 32]


def describe_budget(in_channels=64, out_channels=128, kernel_size=3, groups=4, size=56) -> dict:
    """Each variant's name, parameters, MACs and PyTorch code, computed with convlib's layer
    specs (budget.mjs mirrors it), or ``{"error": message}`` for an impossible setting."""
    try:
        stacks = layer_variants(in_channels, out_channels, kernel_size, groups)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    numbers = budget(in_channels, out_channels, kernel_size, groups, size)
    return {
        "variants": [
            [name, *numbers[name], ", ".join(layer.torch_code() for layer in stack)]
            for name, stack in stacks.items()
        ]
    }


def _with(options: list[int], value: int) -> list[int]:
    return sorted({*options, value})


class ParamBudgetExplorer(Explorer):
    """The parameter budget explorer (see :func:`param_budget_explorer`)."""

    _esm = esm("budget.mjs")
    in_channels = traitlets.Int(64).tag(sync=True)
    out_channels = traitlets.Int(128).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    groups = traitlets.Int(4).tag(sync=True)
    size = traitlets.Int(56).tag(sync=True)
    scale = traitlets.Enum(["log", "linear"], "log").tag(sync=True)
    _channel_options = traitlets.List().tag(sync=True)
    _size_options = traitlets.List().tag(sync=True)
    _group_options = traitlets.List().tag(sync=True)

    def __init__(self, **initial) -> None:
        super().__init__(**initial)
        self._channel_options = _with(_with(CHANNELS, self.in_channels), self.out_channels)
        self._size_options = _with(SIZES, self.size)
        self._group_options = _with(GROUPS, self.groups)

    @traitlets.validate("in_channels", "out_channels", "kernel_size", "groups", "size")
    def _check_count(self, proposal):
        return checked_count(proposal)

    def describe(self) -> dict:
        values = self.values()
        values.pop("scale")
        return describe_budget(**values)


def param_budget_explorer(**initial) -> ParamBudgetExplorer:
    """Parameters and MACs of standard, grouped, depthwise-separable and asymmetric
    versions of one layer. Keywords: ``in_channels``, ``out_channels`` (8-512), ``kernel_size``
    (1-7), ``groups`` (1-32), ``size`` (7-224), ``scale`` ('log'/'linear')."""
    return ParamBudgetExplorer(**initial)


def render_groups(channels=8, groups=2, kernel_size=3, size=32) -> Rendered:
    figure = Figure(figsize=(7.2, 3.0), facecolor=palette.BACKGROUND)
    left, right = figure.subplots(1, 2, width_ratios=[1.2, 1])
    figure.subplots_adjust(left=0.02, right=0.95, top=0.72, bottom=0.15, wspace=0.25)
    draw_group_connections(channels, channels, groups, ax=left)
    draw_block_diagonal(channels, channels, groups, ax=right)
    layer = layers.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=groups)
    kind = conv_kind(layer)
    figure.suptitle(f"{kind} convolution: groups={groups} of {channels} channels")
    text = (
        f"<div>parameters {layer.num_params:,} = {channels}\u00b7{channels}\u00b7"
        f"{kernel_size}\u00b2/{groups} + {channels} bias; MACs at {size}\u00d7{size}: "
        f"{layer.macs((channels, size, size)):,}</div>"
        + code_block("PyTorch:", layer.torch_code())
        + code_block("Keras:", layer.keras_code())
    )
    return Rendered(figure, text)


def describe_groups(channels=8, groups=2, kernel_size=3, size=32) -> dict:
    """Counts and code of a C -> C grouped layer, computed with convlib's layer spec
    (groups.mjs mirrors it), or ``{"error": message}`` for an impossible setting."""
    try:
        layer = layers.Conv2d(
            channels, channels, kernel_size, padding=kernel_size // 2, groups=groups
        )
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    kind = conv_kind(layer)
    return {
        "kind": kind,
        "params": layer.num_params,
        "macs": layer.macs((channels, size, size)),
        "torch": layer.torch_code(),
        "keras": layer.keras_code(),
    }


class GroupsExplorer(Explorer):
    """The groups explorer (see :func:`groups_explorer`)."""

    _esm = esm("groups.mjs")
    channels = traitlets.Int(8).tag(sync=True)
    groups = traitlets.Int(2).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    size = traitlets.Int(32).tag(sync=True)

    @traitlets.validate("channels", "groups", "kernel_size", "size")
    def _check_count(self, proposal):
        return checked_count(proposal)

    def describe(self) -> dict:
        return describe_groups(**self.values())


def groups_explorer(**initial) -> GroupsExplorer:
    """Walk ``groups`` through the divisors of C: standard (1), grouped, depthwise (C).
    Keywords: ``channels`` (1-64), ``groups``, ``kernel_size`` (1-7), ``size`` (4-64).
    Hover or focus an output channel to light the input channels it reads."""
    return GroupsExplorer(**initial)
