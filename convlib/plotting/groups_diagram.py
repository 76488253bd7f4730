"""Grouped convolution: which input channels each output channel sees."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from convlib._validation import check_groups, check_positive_int
from convlib.plotting import palette
from convlib.plotting.grid import new_axes


def connectivity(in_channels: int, out_channels: int, groups: int) -> np.ndarray:
    """``(out, in)`` matrix: group index + 1 where output channel ``o`` reads input ``c``, else 0.

    Block diagonal with ``groups`` blocks; ``groups=1`` is all ones (standard convolution),
    ``groups=in_channels`` one input per output (depthwise).
    """
    in_channels = check_positive_int(in_channels, "in_channels")
    out_channels = check_positive_int(out_channels, "out_channels")
    groups = check_groups(in_channels, out_channels, groups)
    o = np.arange(out_channels)[:, None] // (out_channels // groups)
    c = np.arange(in_channels)[None, :] // (in_channels // groups)
    return np.where(o == c, o + 1, 0)


def draw_group_connections(in_channels: int, out_channels: int, groups: int, ax=None):
    """Input channels (left) joined to the output channels (right) that read them, by group."""
    links = connectivity(in_channels, out_channels, groups)
    ax = new_axes(ax, figsize=(4.0, 3.2))
    y_in = np.linspace(0, 1, in_channels) if in_channels > 1 else np.array([0.5])
    y_out = np.linspace(0, 1, out_channels) if out_channels > 1 else np.array([0.5])
    for o, c in zip(*np.nonzero(links), strict=True):
        ax.plot(
            [0, 1],
            [y_in[c], y_out[o]],
            color=palette.group_color(links[o, c] - 1),
            lw=1.0,
            alpha=0.8,
        )
    group_in = np.arange(in_channels) // (in_channels // groups)
    group_out = np.arange(out_channels) // (out_channels // groups)
    ax.scatter(
        np.zeros(in_channels),
        y_in,
        c=[palette.group_color(g) for g in group_in],
        s=30,
        zorder=3,
        edgecolors=palette.EDGE,
    )
    ax.scatter(
        np.ones(out_channels),
        y_out,
        c=[palette.group_color(g) for g in group_out],
        s=30,
        zorder=3,
        edgecolors=palette.EDGE,
    )
    ax.text(0, 1.08, "input channels", ha="center", fontsize=9)
    ax.text(1, 1.08, "output channels", ha="center", fontsize=9)
    ax.set_title(
        f"groups={groups}: {in_channels} \u2192 {out_channels} channels, "
        f"{int((links > 0).sum())} connections"
    )
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(1.15, -0.08)
    ax.axis("off")
    return ax


def draw_block_diagonal(in_channels: int, out_channels: int, groups: int, ax=None):
    """The connectivity matrix (output x input channel), coloured by group: block diagonal."""
    links = connectivity(in_channels, out_channels, groups)
    ax = new_axes(ax, figsize=(3.4, 3.2))
    colors = [palette.BACKGROUND] + [palette.group_color(g) for g in range(groups)]
    ax.imshow(
        links, cmap=ListedColormap(colors), vmin=-0.5, vmax=groups + 0.5, interpolation="nearest"
    )
    ax.set_xlabel("input channel")
    ax.set_ylabel("output channel")
    ax.set_title(
        f"weight connectivity, groups={groups}\n{int((links > 0).sum())} of "
        f"{links.size} channel pairs"
    )
    return ax
