"""Animations across channels: which inputs each grouped output reads; depthwise then pointwise.

Both diagrams follow the protocol of :func:`~convlib.plotting.animate_diagram` (``positions``,
``show(position)``, ``figure``, ``title``), so they animate and export like the others. What
they draw is computed by convlib: the grouped diagram's highlighted inputs come from
:func:`~convlib.plotting.connectivity`, the separable diagram's images from
:func:`~convlib.depthwise_conv` and :func:`~convlib.pointwise_conv`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from convlib._validation import check_positive_int
from convlib.functional.separable import depthwise_conv, pointwise_conv
from convlib.plotting import palette
from convlib.plotting.groups_diagram import connectivity


class GroupedConvDiagram:
    """One frame per output channel of a grouped convolution: the input channels it reads."""

    def __init__(self, in_channels: int, out_channels: int, groups: int) -> None:
        self.links = connectivity(in_channels, out_channels, groups)
        self.groups = groups
        self.positions = list(range(out_channels))
        self.title = (
            f"groups={groups}: each of the {out_channels} output channels reads "
            f"{in_channels // groups} of the {in_channels} input channels"
        )
        self.figure = Figure(figsize=(5.2, 3.4))
        self.ax = self.figure.add_subplot()
        self.highlighted: list[int] = []
        self.show(0)

    def reads(self, output_channel: int) -> list[int]:
        """Input channels that ``output_channel`` reads (its group's channels)."""
        return np.flatnonzero(self.links[output_channel]).tolist()

    def show(self, output_channel: int) -> None:
        ax, links = self.ax, self.links
        ax.clear()
        c_out, c_in = links.shape
        y_in = np.linspace(0, 1, c_in) if c_in > 1 else np.array([0.5])
        y_out = np.linspace(0, 1, c_out) if c_out > 1 else np.array([0.5])
        self.highlighted = self.reads(output_channel)
        for o, c in zip(*np.nonzero(links), strict=True):
            active = o == output_channel
            ax.plot(
                [0, 1],
                [y_in[c], y_out[o]],
                color=palette.group_color(links[o, c] - 1) if active else palette.EDGE,
                lw=2.2 if active else 0.5,
                alpha=1.0 if active else 0.25,
            )
        in_colors = [
            palette.group_color(links[output_channel, c] - 1) if c in self.highlighted else "white"
            for c in range(c_in)
        ]
        out_colors = ["white"] * c_out
        out_colors[output_channel] = palette.OUTPUT
        ax.scatter(np.zeros(c_in), y_in, c=in_colors, s=50, zorder=3, edgecolors=palette.EDGE)
        ax.scatter(np.ones(c_out), y_out, c=out_colors, s=50, zorder=3, edgecolors=palette.EDGE)
        ax.text(0, 1.1, "input channels", ha="center", fontsize=9)
        ax.text(1, 1.1, "output channels", ha="center", fontsize=9)
        first, last = self.highlighted[0], self.highlighted[-1]
        group = links[output_channel, first]
        ax.set_title(
            f"output channel {output_channel} (group {group}) reads input channels "
            f"{first}\u2013{last}",
            fontsize=10,
        )
        ax.set_xlim(-0.3, 1.3)
        ax.set_ylim(1.18, -0.08)
        ax.axis("off")


class SeparableConvDiagram:
    """Depthwise then pointwise on real channels: one frame per input channel (its own kernel),
    then one frame per output channel (a weighted sum of all the filtered channels)."""

    def __init__(
        self, image: np.ndarray, out_channels: int = 2, kernel_size: int = 3, seed: int = 0
    ) -> None:
        image = np.asarray(image, dtype=float)
        if image.ndim != 3:
            raise ValueError(f"image must be (C, H, W); received image with shape {image.shape}")
        out_channels = check_positive_int(out_channels, "out_channels")
        k = check_positive_int(kernel_size, "kernel_size")
        rng = np.random.default_rng(seed)
        channels = image.shape[0]
        self.image = image
        self.depthwise_weight = rng.standard_normal((channels, 1, k, k))
        self.pointwise_weight = rng.standard_normal((out_channels, channels))
        self.filtered = depthwise_conv(image, self.depthwise_weight, padding="same")
        self.mixed = pointwise_conv(self.filtered, self.pointwise_weight)
        self.positions = [("depthwise", c) for c in range(channels)] + [
            ("pointwise", o) for o in range(out_channels)
        ]
        self.title = (
            f"depthwise separable: {channels} channels each filtered by its own {k}\u00d7{k} "
            f"kernel, then mixed by a 1\u00d71 convolution into {out_channels}"
        )
        self.figure = Figure(figsize=(7.6, 2.8))
        self.axes = self.figure.subplots(1, 3)
        self.shown: np.ndarray | None = None
        self.show(self.positions[0])

    def show(self, position: tuple[str, int]) -> None:
        stage, index = position
        for ax in self.axes:
            ax.clear()
            ax.axis("off")
        left, middle, right = self.axes
        if stage == "depthwise":
            self.shown = self.filtered[index]
            left.imshow(self.image[index], cmap="gray")
            left.set_title(f"input channel {index}", fontsize=9)
            middle.imshow(self.depthwise_weight[index, 0], cmap="RdBu_r")
            middle.set_title(f"its own kernel D[{index}]", fontsize=9)
            right.imshow(self.shown, cmap="gray")
            right.set_title(f"filtered channel {index}", fontsize=9)
            self.figure.suptitle("depthwise: each channel alone", fontsize=10)
        else:
            self.shown = self.mixed[index]
            weights = self.pointwise_weight[index]
            left.imshow(np.concatenate(list(self.filtered), axis=1), cmap="gray")
            left.set_title("all filtered channels", fontsize=9)
            middle.axis("on")
            middle.bar(range(len(weights)), weights, color=palette.OUTPUT)
            middle.set_xticks(range(len(weights)))
            middle.set_title(f"weights P[{index}, :]", fontsize=9)
            right.imshow(self.shown, cmap="gray")
            right.set_title(f"output channel {index}", fontsize=9)
            self.figure.suptitle("pointwise: a weighted sum of every channel", fontsize=10)
