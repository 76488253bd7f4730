"""The volume explorer: a layer's input, filters and output drawn as the 3-D tensors they are.

A slider walks ``groups`` from standard (1) through grouped to depthwise (``C_in``); kernel size
1 is pointwise; ``mode='separable'`` draws the depthwise and the pointwise step of a depthwise
separable layer; ``mode='pixel_shuffle'`` draws ``nn.PixelShuffle(r)``. Hovering an output
channel or cell lights the input it reads; the counts are convlib's layer specs'.
"""

from __future__ import annotations

import functools

import numpy as np
import traitlets

from convlib import conv1d, conv2d, pixel_shuffle
from convlib._validation import check_positive_int
from convlib.nn.layers import Conv2d
from convlib.nn.pooling import PixelShuffle
from convlib.nn.summaries import conv_kind
from convlib.widgets._base import Explorer, _as_trait_error, checked_count, esm

MODES = ["convolution", "separable", "pixel_shuffle"]
LIMITS = {"in_channels": (1, 12), "out_channels": (1, 12), "groups": (1, 12),
          "kernel_size": (1, 5), "size": (2, 6), "upscale_factor": (1, 3)}  # fmt: skip
"""The range of each slider (the explorer's control grid, swept by the node tests)."""


def mode_error(mode: object) -> str | None:
    """The message for a mode the explorer does not draw, or None."""
    if mode in MODES:
        return None
    return f"mode must be one of {', '.join(map(repr, MODES))}; received mode={mode!r}"


@functools.cache
def channel_reads(in_channels: int, out_channels: int, groups: int) -> list[list[int]]:
    """``reads[o]``: the input channels output channel ``o`` reads, found by
    :func:`convlib.conv2d` with these groups (one-hot inputs through all-ones 1x1 weights)."""
    x = np.eye(in_channels).reshape(in_channels, in_channels, 1, 1)  # sample i: channel i is 1
    w = np.ones((out_channels, in_channels // groups, 1, 1))
    y = conv2d(x, w, groups=groups)[:, :, 0, 0]  # y[i, o]
    return [np.flatnonzero(y[:, o]).tolist() for o in range(out_channels)]


@functools.cache
def window_reads(size: int, kernel_size: int) -> list[list[int]]:
    """``window[t]``: the input rows (or columns) output row ``t`` reads at stride 1 and padding
    ``kernel_size // 2``, found by :func:`convlib.conv1d` of one-hot inputs."""
    x = np.eye(size).reshape(size, 1, size)
    y = conv1d(x, np.ones((1, 1, kernel_size)), padding=kernel_size // 2)[:, 0, :]
    return [np.flatnonzero(y[:, t]).tolist() for t in range(y.shape[1])]


def _step(layer: Conv2d, shape: tuple[int, int, int]) -> dict:
    k = layer.kernel_size[0]
    return {
        "kind": conv_kind(layer),
        "input": list(shape),
        "output": list(layer.output_shape(shape)),
        "params": layer.num_params,
        "macs": layer.macs(shape),
        "torch": layer.torch_code(),
        "reads": channel_reads(layer.in_channels, layer.out_channels, layer.groups),
        "window": window_reads(shape[1], k),
    }


def volume_layers(
    mode="convolution", in_channels=4, out_channels=8, groups=2, kernel_size=3, upscale_factor=2
) -> list:
    """The layer specs the explorer draws: one ``Conv2d(C_in, C_out, k, padding=k // 2,
    groups=g)``; depthwise ``Conv2d(C_in, C_in, k, padding=k // 2, groups=C_in)`` then pointwise
    ``Conv2d(C_in, C_out, 1)`` (``'separable'``); or ``PixelShuffle(r)``. Raises convlib's
    ValueError for an impossible setting."""
    error = mode_error(mode)
    if error:
        raise ValueError(error)
    k = kernel_size
    if mode == "pixel_shuffle":
        return [PixelShuffle(upscale_factor)]
    if mode == "separable":
        return [
            Conv2d(in_channels, in_channels, k, padding=k // 2, groups=in_channels),
            Conv2d(in_channels, out_channels, 1),
        ]
    return [Conv2d(in_channels, out_channels, k, padding=k // 2, groups=groups)]


def describe_volume(
    mode="convolution",
    in_channels=4,
    out_channels=8,
    groups=2,
    kernel_size=3,
    size=4,
    upscale_factor=2,
) -> dict:
    """What the explorer shows for a setting, computed with convlib (volume.mjs mirrors it).

    Returns ``{"error": message}`` for a setting convlib rejects. For a convolution (one step)
    or a depthwise separable layer (two steps) each step's ``kind``
    (:func:`convlib.nn.summaries.conv_kind`), ``input`` and ``output`` shapes, ``params`` and
    ``macs`` (:class:`convlib.nn.layers.Conv2d`'s counts), PyTorch code, ``reads`` (the input
    channels of each output channel) and ``window`` (the input rows of each output row), then
    the final ``output`` shape and the totals. For pixel shuffle the shapes, zero counts, the
    PyTorch layer and ``source``: for each output cell (flat, channel-major) the flat index of
    the input cell :func:`convlib.pixel_shuffle` takes its value from.
    """
    n = size
    try:
        stack = volume_layers(mode, in_channels, out_channels, groups, kernel_size, upscale_factor)
        shape = (in_channels, n, n)
        if mode == "pixel_shuffle":
            layer = stack[0]
            output = layer.output_shape(shape)
            index = np.arange(in_channels * n * n).reshape(shape)
            return {
                "input": list(shape),
                "output": list(output),
                "params": layer.num_params,
                "macs": layer.macs(shape),
                "torch": layer.torch_code(),
                "source": pixel_shuffle(index, upscale_factor).ravel().tolist(),
            }
        steps = []
        for layer in stack:
            steps.append(_step(layer, shape))
            shape = tuple(steps[-1]["output"])
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    return {
        "steps": steps,
        "output": steps[-1]["output"],
        "params": sum(step["params"] for step in steps),
        "macs": sum(step["macs"] for step in steps),
    }


def dependencies(mode="convolution", in_channels=4, out_channels=8, groups=2, kernel_size=3,
                 size=4, upscale_factor=2) -> list[list[int]]:  # fmt: skip
    """For each output cell (flat, channel-major), the flat input cells its value depends on:
    the layers run by :func:`convlib.conv2d` (or :func:`convlib.pixel_shuffle`) on one-hot
    inputs with all-ones weights (what the explorer lights when that cell is hovered)."""
    c, n = in_channels, size
    x = np.eye(c * n * n).reshape(c * n * n, c, n, n)  # sample i: input cell i is 1
    for layer in volume_layers(mode, c, out_channels, groups, kernel_size, upscale_factor):
        if isinstance(layer, PixelShuffle):
            x = pixel_shuffle(x, upscale_factor)
            continue
        k = layer.kernel_size[0]
        w = np.ones((layer.out_channels, layer.in_channels // layer.groups, k, k))
        x = conv2d(x, w, padding=k // 2, groups=layer.groups)
    flat = x.reshape(c * n * n, -1)  # flat[i, out]
    return [np.flatnonzero(flat[:, o]).tolist() for o in range(flat.shape[1])]


class VolumeExplorer(Explorer):
    """The volume explorer (see :func:`volume_explorer`)."""

    _esm = esm("volume.mjs")
    mode = traitlets.Unicode("convolution").tag(sync=True)
    in_channels = traitlets.Int(4).tag(sync=True)
    out_channels = traitlets.Int(8).tag(sync=True)
    groups = traitlets.Int(2).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    size = traitlets.Int(4).tag(sync=True)
    upscale_factor = traitlets.Int(2).tag(sync=True)
    channel = traitlets.Int(0).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)

    @traitlets.validate("mode")
    def _check_mode(self, proposal):
        error = mode_error(proposal["value"])
        if error:
            raise traitlets.TraitError(error)
        return proposal["value"]

    @traitlets.validate(
        "in_channels", "out_channels", "groups", "kernel_size", "size", "upscale_factor",
        "position",
    )  # fmt: skip
    def _check_count(self, proposal):
        return checked_count(proposal)

    @traitlets.validate("channel")
    def _check_channel(self, proposal):
        return _as_trait_error(check_positive_int, proposal["value"], "channel", minimum=0)

    def describe(self) -> dict:
        values = self.values()
        del values["channel"], values["position"]
        return describe_volume(**values)


def volume_explorer(**initial) -> VolumeExplorer:
    """Explore a layer as 3-D volumes: input C_in x H x W, the filters, the output.

    Keyword arguments set the initial values: ``mode`` ('convolution', 'separable' or
    'pixel_shuffle'), ``in_channels`` and ``out_channels`` (1-12), ``groups`` (a common divisor
    of the channel counts: 1 is standard, ``in_channels`` depthwise), ``kernel_size`` (1-5; 1 is
    pointwise; padding ``kernel_size // 2``), ``size`` (H = W, 2-6), ``upscale_factor`` (r of
    pixel shuffle, 1-3; ``in_channels`` must be a multiple of r^2), ``channel`` and ``position``
    (the output channel and cell shown, row-major). Hover, focus or press an output channel's
    number or an output cell to light the input it reads.
    """
    return VolumeExplorer(**initial)


__all__ = ["dependencies", "describe_volume", "volume_explorer", "volume_layers"]
