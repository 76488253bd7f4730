"""Multi-channel convolution as volumes: the input stack, one kernel box, the output stack."""

from __future__ import annotations

from matplotlib.patches import Polygon

from convlib._validation import as_tuple, check_positive_int
from convlib.geometry.shapes import conv_output_size
from convlib.plotting import palette
from convlib.plotting.grid import new_axes, size_text

DEPTH = (0.35, -0.25)  # screen offset of one channel behind the previous


def _slab(ax, x, y, width, height, channel, color, alpha=0.9):
    """One channel as a square drawn ``channel`` steps behind the front face."""
    dx, dy = DEPTH[0] * channel, DEPTH[1] * channel
    corners = [
        (x + dx, y + dy),
        (x + dx + width, y + dy),
        (x + dx + width, y + dy + height),
        (x + dx, y + dy + height),
    ]
    ax.add_patch(
        Polygon(
            corners,
            closed=True,
            facecolor=color,
            edgecolor=palette.EDGE,
            linewidth=0.6,
            alpha=alpha,
        )
    )


def draw_volumes(input_shape, out_channels: int, kernel_size, stride=1, padding=0, ax=None):
    """Draw ``(C_in, H, W)`` in, the ``C_in x k x k`` kernel of one output channel, and the
    ``(C_out, H_out, W_out)`` output with that channel highlighted."""
    c_in, height, width = as_tuple(tuple(input_shape), 3, "input_shape")
    out_channels = check_positive_int(out_channels, "out_channels")
    k = as_tuple(kernel_size, 2, "kernel_size")
    out = conv_output_size((height, width), k, stride, padding)
    ax = new_axes(ax, figsize=(6.4, 2.8))
    scale = 3.0 / max(height, width, *out)
    shown_in, shown_out = min(c_in, 8), min(out_channels, 8)
    for channel in reversed(range(shown_in)):
        _slab(ax, 0, 0, width * scale, height * scale, channel, palette.INPUT_LIGHT)
    for channel in reversed(range(shown_in)):  # the kernel spans every input channel
        _slab(ax, 0.2, 0.2, k[1] * scale, k[0] * scale, channel, palette.KERNEL, alpha=0.85)
    x_out = width * scale + DEPTH[0] * shown_in + 1.5
    for channel in reversed(range(shown_out)):
        color = palette.OUTPUT if channel == 0 else palette.OUTPUT_LIGHT
        _slab(ax, x_out, 0, out[1] * scale, out[0] * scale, channel, color)
    ax.annotate(
        "",
        (x_out - 0.2, height * scale / 2),
        (width * scale + DEPTH[0] * shown_in + 0.2, height * scale / 2),
        arrowprops={"arrowstyle": "->", "color": palette.EDGE},
    )
    ax.text(
        width * scale / 2,
        height * scale + 0.5,
        f"input {c_in}\u00d7{size_text((height, width))}",
        ha="center",
        fontsize=9,
    )
    ax.text(
        x_out + out[1] * scale / 2,
        out[0] * scale + 0.5,
        f"output {out_channels}\u00d7{size_text(out)}",
        ha="center",
        fontsize=9,
    )
    ax.set_title(
        f"{c_in} \u2192 {out_channels} channels: one {c_in}\u00d7{size_text(k)} kernel per output "
        f"channel\n{out_channels * c_in * k[0] * k[1]:,} weights + {out_channels} biases"
    )
    ax.set_xlim(-0.3, x_out + out[1] * scale + DEPTH[0] * shown_out + 0.3)
    ax.set_ylim(height * scale + 1.0, DEPTH[1] * max(shown_in, shown_out) - 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
