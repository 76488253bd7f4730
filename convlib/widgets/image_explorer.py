"""The photo explorer: a kernel, stride, dilation and padding mode applied to a real photograph."""

from __future__ import annotations

import base64
import functools

import numpy as np
import traitlets
from matplotlib.figure import Figure

from convlib.functional import convolution as ops
from convlib.geometry import shapes
from convlib.nn import layers
from convlib.plotting import palette
from convlib.teaching.data import sample_image
from convlib.teaching.kernels import KERNELS
from convlib.widgets._base import (
    Explorer,
    Rendered,
    checked_count,
    checked_padding,
    code_block,
    esm,
)

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


PADDINGS = ["same", "valid", 0, 1, 2, 3, 8]
PADDING_MODES = ["zeros", "reflect", "replicate", "circular"]
FLIPS = ["cross-correlation", "true convolution"]
EXPLORER_PHOTO_SIZE = 64
"""The photo explorer's photograph is downsized to this shorter side (its state stays light)."""


def explorer_photo() -> np.ndarray:
    """The photograph the explorer filters, as float32 (the values its page carries)."""
    return _photo(EXPLORER_PHOTO_SIZE).astype(np.float32)


def describe_image(
    kernel="sobel_x", stride=1, dilation=1, padding="same", padding_mode="zeros", flip=FLIPS[0]
) -> dict:
    """Output size and code of a setting of the photo explorer, computed with convlib
    (image.mjs mirrors it), or ``{"error": message}`` for an impossible setting."""
    weights = KERNELS[kernel]()
    shape = explorer_photo().shape
    try:
        plan = shapes.conv_geometry(shape, weights.shape, stride, padding, dilation)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    layer = layers.Conv2d(
        1, 1, weights.shape[0], stride, padding, dilation, bias=False, padding_mode=padding_mode
    )
    weights_code = f"kernels.{kernel}()" + ("[::-1, ::-1]" if flip == FLIPS[1] else "")
    return {
        "out": list(plan.output_size),
        "pads": [list(p) for p in plan.padding],
        "torch": layer.torch_code(),
        "keras": layer.keras_code(),
        "call": f"convlib.conv2d(photo, {weights_code}[None, None], stride={stride}, "
        f"padding={padding!r}, dilation={dilation}, padding_mode={padding_mode!r})",
    }


def filtered_photo(kernel, stride, dilation, padding, padding_mode, flip) -> np.ndarray:
    """What the explorer draws: ``convlib.conv2d`` of its photograph (the node test's oracle)."""
    weights = KERNELS[kernel]()
    applied = weights[::-1, ::-1] if flip == FLIPS[1] else weights
    photo = explorer_photo().astype(np.float64)
    return ops.conv2d(
        photo[None, None],
        applied[None, None],
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
    )[0, 0]


class ImageFilterExplorer(Explorer):
    """The photo explorer (see :func:`image_filter_explorer`)."""

    _esm = esm("image.mjs")
    kernel = traitlets.Enum(list(KERNELS), "sobel_x").tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Union([traitlets.Int(), traitlets.Unicode()], default_value="same").tag(
        sync=True
    )
    padding_mode = traitlets.Enum(PADDING_MODES, "zeros").tag(sync=True)
    flip = traitlets.Enum(FLIPS, FLIPS[0]).tag(sync=True)
    _photo = traitlets.Unicode().tag(sync=True)
    _photo_shape = traitlets.List().tag(sync=True)
    _kernels = traitlets.Dict().tag(sync=True)

    def __init__(self, **initial) -> None:
        photo = explorer_photo()
        super().__init__(
            _photo=base64.b64encode(photo.astype("<f4").tobytes()).decode("ascii"),
            _photo_shape=list(photo.shape),
            _kernels={name: make().tolist() for name, make in KERNELS.items()},
            **initial,
        )

    @traitlets.validate("stride", "dilation")
    def _check_count(self, proposal):
        return checked_count(proposal)

    @traitlets.validate("padding")
    def _check_padding(self, proposal):
        return checked_padding(proposal["value"])

    def describe(self) -> dict:
        return describe_image(**self.values())


def image_filter_explorer(**initial) -> ImageFilterExplorer:
    """Apply a classic kernel to the photograph; watch the borders under each padding mode.

    Keyword arguments set the initial values: ``kernel``, ``stride`` (1-4), ``dilation`` (1-8),
    ``padding`` ('same', 'valid', 0-3 or 8), ``padding_mode``, ``flip``. The filtering runs in
    the browser on a downsized copy of the photograph.
    """
    return ImageFilterExplorer(**initial)
