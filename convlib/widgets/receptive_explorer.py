"""The receptive field of a stack, layer by layer, with its holes."""

from __future__ import annotations

import numpy as np
import traitlets
from matplotlib.figure import Figure

from convlib.geometry.receptive import contribution_counts, parse_layers, receptive_field
from convlib.geometry.shapes import same_padding
from convlib.nn.layers import Conv2d
from convlib.plotting import palette
from convlib.widgets._base import Explorer, Rendered, code_block, esm

PRESETS = {
    "dilations 1, 2, 4, 8 (context module)": "3,1,1; 3,1,2; 3,1,4; 3,1,8",
    "dilations 2, 2, 2 (gridding)": "3,1,2; 3,1,2; 3,1,2",
    "dilations 1, 2, 3 (hybrid)": "3,1,1; 3,1,2; 3,1,3",
    "four plain 3x3": "3,1,1; 3,1,1; 3,1,1; 3,1,1",
    "VGG-like: conv, pool, conv": "3,1,1; 2,2,1; 3,1,1",
}


def render_receptive_field(layers="3,1,1; 3,1,2; 3,1,4; 3,1,8", view="2-D") -> Rendered:
    stack = parse_layers(layers)
    records = receptive_field(stack)
    if view == "1-D causal (WaveNet)":
        return _render_causal(stack, records)
    counts = contribution_counts(stack, ndim=2)
    final = counts[-1]
    holes = int((final == 0).sum())
    figure = Figure(figsize=(7.2, 3.2), facecolor=palette.BACKGROUND)
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.1])
    figure.subplots_adjust(left=0.06, right=0.97, top=0.72, bottom=0.15, wspace=0.35)
    image = left.imshow(
        np.where(final == 0, np.nan, final), cmap=palette.SEQUENTIAL_MAP, interpolation="nearest"
    )
    left.set_facecolor("#F2F2F2")
    left.set_title(
        f"paths from each input cell\n{final.shape[0]}\u00d7{final.shape[1]} field, "
        f"{holes} holes (grey)"
    )
    figure.colorbar(image, ax=left, shrink=0.8)
    sizes = [r.size for r in records]
    right.plot(range(1, len(sizes) + 1), sizes, "o-", color=palette.OUTPUT)
    right.set_xlabel("layer")
    right.set_ylabel("receptive field (cells)")
    right.set_title("growth layer by layer")
    right.set_xticks(range(1, len(sizes) + 1))
    for x, size in enumerate(sizes, start=1):
        right.annotate(
            str(size), (x, size), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=8
        )
    figure.suptitle(f"stack (kernel, stride, dilation): {stack}")
    rows = "".join(
        f"<tr><td>{i}</td><td>{k}, {s}, {d}</td><td>{r.size}</td><td>{r.jump}</td></tr>"
        for i, ((k, s, d), r) in enumerate(zip(stack, records, strict=True), start=1)
    )
    text = (
        "<table><tr><th>layer</th><th>k, s, d</th><th>receptive field</th><th>jump</th></tr>"
        f"{rows}</table>"
    )
    convs = ", ".join(
        Conv2d(1, 1, k, s, same_padding(k, d)[0][0], d).torch_code() for k, s, d in stack
    )
    text += code_block("PyTorch:", f"nn.Sequential({convs})")
    return Rendered(figure, text)


def _render_causal(stack, records) -> Rendered:
    counts = contribution_counts(stack, ndim=1)
    width = counts[-1].shape[0]
    figure = Figure(
        figsize=(7.2, 0.6 + 0.45 * (len(stack) + 1)),
        facecolor=palette.BACKGROUND,
    )
    ax = figure.add_subplot()
    figure.subplots_adjust(left=0.12, right=0.98, top=0.8, bottom=0.3)
    for row, layer_counts in enumerate(reversed(counts)):
        reach = layer_counts > 0
        # causal: the output is the right-most cell; inputs extend to the left
        xs = np.arange(width - reach.size, width)
        ax.scatter(xs[reach], np.full(reach.sum(), row), s=18, color=palette.group_color(row))
        ax.scatter(xs[~reach], np.full((~reach).sum(), row), s=6, color="#BBBBBB")
    ax.set_yticks(range(len(stack)), [f"{len(stack) - i} layers" for i in range(len(stack))])
    ax.set_xlabel("time step (output at the right edge)")
    ax.set_title(f"causal dilated stack: output t sees the {records[-1].size} steps up to t")
    return Rendered(figure, f"<div>receptive field {records[-1].size} time steps</div>")


VIEWS = ["2-D", "1-D causal (WaveNet)"]


def describe_receptive(layers="3,1,1; 3,1,2; 3,1,4; 3,1,8") -> dict:
    """The stack, its receptive field per layer, the path counts of its last layer and the
    PyTorch code, computed with convlib.geometry.receptive (receptive.mjs mirrors it), or
    ``{"error": message}`` for text that is not a stack."""
    try:
        stack = parse_layers(layers)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    records = receptive_field(stack)
    per_layer = contribution_counts(stack, ndim=1)
    convs = ", ".join(
        Conv2d(1, 1, k, s, same_padding(k, d)[0][0], d).torch_code() for k, s, d in stack
    )
    return {
        "stack": [list(layer) for layer in stack],
        "sizes": [r.size for r in records],
        "jumps": [r.jump for r in records],
        "reach": [[int(c > 0) for c in counts] for counts in per_layer],
        "counts": [int(c) for c in per_layer[-1]],
        "holes": int((contribution_counts(stack, ndim=2)[-1] == 0).sum()),
        "torch": f"nn.Sequential({convs})",
    }


class ReceptiveFieldExplorer(Explorer):
    """The receptive field explorer (see :func:`receptive_field_explorer`)."""

    _esm = esm("receptive.mjs")
    layers = traitlets.Unicode(PRESETS["dilations 1, 2, 4, 8 (context module)"]).tag(sync=True)
    view = traitlets.Enum(VIEWS, VIEWS[0]).tag(sync=True)
    _presets = traitlets.List([list(item) for item in PRESETS.items()]).tag(sync=True)

    def describe(self) -> dict:
        return describe_receptive(self.layers)


def receptive_field_explorer(**initial) -> ReceptiveFieldExplorer:
    """Type a stack as 'kernel, stride, dilation; ...' or pick a preset; see the field grow and
    its holes. Keywords: ``layers`` (text), ``view`` ('2-D' or '1-D causal (WaveNet)')."""
    return ReceptiveFieldExplorer(**initial)
