"""convlib: every convolution used in deep learning, in numpy, exact against PyTorch.

The public API is re-exported here; ``__all__`` lists what readers may use.
Each section below is owned by one module; keep them in that order.
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

__all__: list[str] = []

# --- shapes: the geometry plan and output-size arithmetic ----------------------------
from .receptive import ReceptiveField, receptive_field
from .shapes import (
    Geometry,
    conv_geometry,
    conv_output_size,
    conv_transpose_geometry,
    conv_transpose_output_size,
    conv_transpose_output_size_range,
    effective_kernel_size,
    input_window,
    output_padding_for,
    pool_geometry,
    pool_output_size,
    same_padding,
    transpose_scatter_window,
)

__all__ += [
    "Geometry",
    "ReceptiveField",
    "conv_geometry",
    "conv_output_size",
    "conv_transpose_geometry",
    "conv_transpose_output_size",
    "conv_transpose_output_size_range",
    "effective_kernel_size",
    "input_window",
    "output_padding_for",
    "pool_geometry",
    "pool_output_size",
    "receptive_field",
    "same_padding",
    "transpose_scatter_window",
]

# --- ops: conv / conv_transpose ----------------------------------------------------
from ._methods import METHODS, choose_conv_method
from .ops import (
    conv,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .padding import pad

__all__ += [
    "METHODS",
    "choose_conv_method",
    "conv",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "pad",
]

# --- separable: depthwise, pointwise, separable, kernel factorisation --------------
from .separable import (
    SeparableKernel,
    depthwise_conv,
    is_separable,
    pointwise_conv,
    separable_conv,
    separate_kernel,
)

__all__ += [
    "SeparableKernel",
    "depthwise_conv",
    "is_separable",
    "pointwise_conv",
    "separable_conv",
    "separate_kernel",
]

# --- matrix: the convolution as a matrix -------------------------------------------
from . import reference
from .matrix import conv_matrix

__all__ += ["conv_matrix", "reference"]

# --- layers, models, summary -------------------------------------------------------
from . import models
from .containers import Parallel, Residual, Sequential
from .layers import (
    BatchNorm2d,
    ChannelShuffle,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    LocalResponseNorm,
    PassThrough,
    ReLU,
    ReLU6,
)
from .pool_layers import (
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
)
from .summaries import Summary, conv_kind, summary

__all__ += [
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm2d",
    "ChannelShuffle",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Dropout",
    "Flatten",
    "Layer",
    "Linear",
    "LocalResponseNorm",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "Parallel",
    "PassThrough",
    "PixelShuffle",
    "PixelUnshuffle",
    "ReLU",
    "ReLU6",
    "Residual",
    "Sequential",
    "Summary",
    "Upsample",
    "conv_kind",
    "models",
    "summary",
]

# --- kernels and data --------------------------------------------------------------
from . import data, kernels

__all__ += ["data", "kernels"]

# --- exercises ---------------------------------------------------------------------
from . import exercises, grad, receptive, train

__all__ += ["exercises", "grad", "receptive", "train"]

# --- pooling and resampling: max/avg/adaptive pooling, interpolate, pixel shuffle ----------
from . import reference_pooling
from .pooling import (
    adaptive_avg_pool,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .resampling import (
    bilinear_kernel,
    bilinear_upsampling_weight,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
)

__all__ += [
    "adaptive_avg_pool",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "bilinear_kernel",
    "bilinear_upsampling_weight",
    "interpolate",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "reference_pooling",
]

# --- algorithms: how convolutions are computed (chapter 8) -------------------------
from . import algorithms
from .algorithms import (
    arithmetic_intensity,
    conv_traffic,
    fft_conv,
    im2col,
    im2col_conv,
    winograd_conv,
    winograd_f23,
    winograd_f23_2d,
)

__all__ += [
    "algorithms",
    "arithmetic_intensity",
    "conv_traffic",
    "fft_conv",
    "im2col",
    "im2col_conv",
    "winograd_conv",
    "winograd_f23",
    "winograd_f23_2d",
]
