"""convlib: every convolution used in deep learning, in numpy, exact against PyTorch.

The public API is re-exported here; ``__all__`` lists what readers may use.
Each section below is owned by one module; keep them in that order.
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

__all__: list[str] = []

# --- convlib.geometry: the geometry plan, output sizes, receptive fields ---------------
from convlib.geometry.receptive import ReceptiveField, receptive_field
from convlib.geometry.shapes import (
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

# --- convlib.functional: conv / conv_transpose, pad -----------------------------------
from convlib._engine.methods import METHODS, choose_conv_method
from convlib.functional.convolution import (
    conv,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from convlib.functional.padding import pad

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

# --- convlib.functional: depthwise, pointwise, separable, kernel factorisation ----------
from convlib.functional.separable import (
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

# --- convlib.geometry: the convolution as a matrix ------------------------------------
from convlib.geometry.matrix import conv_matrix

__all__ += ["conv_matrix"]

# --- convlib.nn: layer specs, containers, summary -------------------------------------
from convlib.nn.containers import Parallel, Residual, Sequential
from convlib.nn.layers import (
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
from convlib.nn.pooling import (
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
from convlib.nn.printed_model import PrintedModel, from_torch_repr
from convlib.nn.summaries import Summary, conv_kind, summary
from convlib.nn.torch_trace import (  # import torch only when called
    EffectiveReceptiveField,
    effective_receptive_field,
    from_torch,
)

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
    "EffectiveReceptiveField",
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
    "PrintedModel",
    "ReLU",
    "ReLU6",
    "Residual",
    "Sequential",
    "Summary",
    "Upsample",
    "conv_kind",
    "effective_receptive_field",
    "from_torch",
    "from_torch_repr",
    "summary",
]

# --- convlib.functional: pooling and resampling ---------------------------------------
from convlib.functional.pooling import (
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
from convlib.functional.resampling import (
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
]

# --- algorithms: how convolutions are computed (chapter 8) -------------------------
from convlib import algorithms
from convlib.algorithms import (
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

# --- the subpackages ------------------------------------------------------------------
from convlib import functional, geometry, nn, reference, teaching

__all__ += ["functional", "geometry", "nn", "reference", "teaching"]
