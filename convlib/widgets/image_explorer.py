"""The photo explorer: a kernel, stride, dilation and padding mode applied to a real photograph."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from .. import layers, ops
from ..data import sample_image
from ..kernels import KERNELS
from ..plotting import palette
from ._base import Explorer, Rendered, code_block, dropdown, slider, toggle

PHOTO_SIZE = 160


@functools.lru_cache(maxsize=2)
def _photo(size: int = PHOTO_SIZE) -> np.ndarray:
    return sample_image("gray", size=size)


def render_image_filter(
    kernel="sobel_x",
    stride=1,
    dilation=1,
    padding="same",
    padding_mode="zeros",
    flip="cross-correlation",
) -> Rendered:
    """Filter the photograph; ``flip='true convolution'`` flips the kernel first."""
    weights = KERNELS[kernel]()
    applied = weights[::-1, ::-1] if flip == "true convolution" else weights
    photo = _photo()
    result = ops.conv2d(
        photo[None, None],
        applied[None, None],
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
    )[0, 0]
    figure = Figure(figsize=(7.2, 3.0), facecolor=palette.BACKGROUND, layout="constrained")
    axes = figure.subplots(1, 3, width_ratios=[1, 1, 0.55])
    axes[0].imshow(photo, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"input {photo.shape[0]}\u00d7{photo.shape[1]}")
    limit = np.abs(result).max() or 1.0
    signed = weights.min() < 0
    axes[1].imshow(
        result,
        cmap="RdBu_r" if signed else "gray",
        vmin=-limit if signed else result.min(),
        vmax=limit if signed else result.max(),
    )
    axes[1].set_title(f"output {result.shape[0]}\u00d7{result.shape[1]} ({padding_mode} padding)")
    axes[2].imshow(applied, cmap="RdBu_r", vmin=-np.abs(applied).max(), vmax=np.abs(applied).max())
    for (r, c), value in np.ndenumerate(applied):
        axes[2].text(c, r, f"{value:.2g}", ha="center", va="center", fontsize=7)
    axes[2].set_title(f"{kernel} ({'flipped' if applied is not weights else 'as is'})")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(
        f"{flip} with {kernel}, stride {stride}, dilation {dilation}, padding {padding!r}"
    )
    layer = layers.Conv2d(
        1, 1, weights.shape[0], stride, padding, dilation, bias=False, padding_mode=padding_mode
    )
    text = "".join(
        [
            code_block("PyTorch:", layer.torch_code()),
            code_block(
                "Keras:", layer.keras_code() or "no exact equivalent (Keras pads zeros only)"
            ),
            code_block(
                "convlib:",
                f"convlib.conv2d(photo, kernels.{kernel}()[None, None], "
                f"stride={stride}, padding={padding!r}, dilation={dilation}, "
                f"padding_mode={padding_mode!r})",
            ),
        ]
    )
    return Rendered(figure, text)


def image_filter_explorer(**initial) -> Explorer:
    """Apply a classic kernel to the photograph; watch the borders under each padding mode.

    Keyword arguments set the initial values: ``kernel``, ``stride``, ``dilation``,
    ``padding`` (0-3 or 'same'/'valid'), ``padding_mode``, ``flip``.
    """
    v = {
        "kernel": "sobel_x",
        "stride": 1,
        "dilation": 1,
        "padding": "same",
        "padding_mode": "zeros",
        "flip": "cross-correlation",
        **initial,
    }
    controls = {
        "kernel": dropdown(v["kernel"], list(KERNELS), "kernel"),
        "stride": slider(v["stride"], 1, 4, "stride"),
        "dilation": slider(v["dilation"], 1, 8, "dilation"),
        "padding": dropdown(v["padding"], ["same", "valid", 0, 1, 2, 3, 8], "padding"),
        "padding_mode": dropdown(
            v["padding_mode"], ["zeros", "reflect", "replicate", "circular"], "padding mode"
        ),
        "flip": toggle(v["flip"], ["cross-correlation", "true convolution"], "kernel"),
    }
    return Explorer(render_image_filter, controls, "Filter the photograph", dpi=80)
