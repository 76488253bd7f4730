"""Parameter and MAC budgets of one layer built four ways, and the groups walk from 1 to C."""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import layers
from ..plotting import palette
from ..plotting.groups_diagram import draw_block_diagonal, draw_group_connections
from ._base import Explorer, Rendered, code_block, dropdown, slider


def layer_variants(c_in: int, c_out: int, k: int, groups: int) -> dict[str, list]:
    """The same C_in -> C_out, k x k layer as standard, grouped, depthwise-separable and
    spatially separable (k x 1 then 1 x k) stacks of layer specs (no bias)."""
    conv = layers.Conv2d
    return {
        "standard": [conv(c_in, c_out, k, padding=k // 2, bias=False)],
        f"grouped (g={groups})": [conv(c_in, c_out, k, padding=k // 2, groups=groups, bias=False)],
        "depthwise separable": [
            conv(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
            conv(c_in, c_out, 1, bias=False),
        ],
        "spatially separable": [
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


def param_budget_explorer(**initial) -> Explorer:
    """Parameters and MACs of standard, grouped, depthwise-separable and spatially separable
    versions of one layer. Keywords: ``in_channels``, ``out_channels``, ``kernel_size``,
    ``groups``, ``size``, ``scale`` ('log'/'linear')."""
    v = {
        "in_channels": 64,
        "out_channels": 128,
        "kernel_size": 3,
        "groups": 4,
        "size": 56,
        "scale": "log",
        **initial,
    }
    controls = {
        "in_channels": slider(v["in_channels"], 8, 512, "C_in", step=8),
        "out_channels": slider(v["out_channels"], 8, 512, "C_out", step=8),
        "kernel_size": slider(v["kernel_size"], 1, 7, "kernel"),
        "groups": dropdown(v["groups"], [1, 2, 4, 8, 16, 32], "groups"),
        "size": slider(v["size"], 7, 224, "H = W"),
        "scale": dropdown(v["scale"], ["log", "linear"], "axis"),
    }
    return Explorer(render_budget, controls, "Parameter budget of one layer", dpi=80)


def render_groups(channels=8, groups=2, kernel_size=3, size=32) -> Rendered:
    figure = Figure(figsize=(7.2, 3.0), facecolor=palette.BACKGROUND)
    left, right = figure.subplots(1, 2, width_ratios=[1.2, 1])
    figure.subplots_adjust(left=0.02, right=0.95, top=0.72, bottom=0.15, wspace=0.25)
    draw_group_connections(channels, channels, groups, ax=left)
    draw_block_diagonal(channels, channels, groups, ax=right)
    layer = layers.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=groups)
    kind = "standard" if groups == 1 else "depthwise" if groups == channels else "grouped"
    figure.suptitle(f"{kind} convolution: groups={groups} of {channels} channels")
    text = (
        f"<div>parameters {layer.num_params:,} = {channels}\u00b7{channels}\u00b7"
        f"{kernel_size}\u00b2/{groups} + {channels} bias; MACs at {size}\u00d7{size}: "
        f"{layer.macs((channels, size, size)):,}</div>"
        + code_block("PyTorch:", layer.torch_code())
        + code_block("Keras:", layer.keras_code())
    )
    return Rendered(figure, text)


def groups_explorer(**initial) -> Explorer:
    """Walk ``groups`` through the divisors of C: standard (1), grouped, depthwise (C).
    Keywords: ``channels``, ``groups``, ``kernel_size``, ``size``."""
    v = {"channels": 8, "groups": 2, "kernel_size": 3, "size": 32, **initial}
    channels = v["channels"]
    divisors = [g for g in range(1, channels + 1) if channels % g == 0]
    controls = {
        "channels": dropdown(channels, [channels], "channels"),
        "groups": dropdown(v["groups"], divisors, "groups"),
        "kernel_size": slider(v["kernel_size"], 1, 7, "kernel"),
        "size": slider(v["size"], 4, 64, "H = W"),
    }
    return Explorer(render_groups, controls, "From standard to depthwise: groups", dpi=80)
