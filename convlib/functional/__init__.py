"""The operations, as functions (like ``torch.nn.functional``): convolution and its transpose
in 1-3 dimensions, padding, pooling, resampling, depthwise/pointwise/separable convolution and
the convolution's gradients. Each validates its arguments, resolves the geometry plan once
(:mod:`convlib.geometry`) and hands it to the engine."""

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
from convlib.functional.grad import (
    conv_input_grad,
    conv_weight_grad,
)
from convlib.functional.padding import (
    pad,
)
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
from convlib.functional.separable import (
    SeparableKernel,
    depthwise_conv,
    is_separable,
    pointwise_conv,
    separable_conv,
    separate_kernel,
)

__all__ = [
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
    "conv",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_input_grad",
    "conv_transpose",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "conv_weight_grad",
    "depthwise_conv",
    "interpolate",
    "is_separable",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "pad",
    "pixel_shuffle",
    "pixel_unshuffle",
    "pointwise_conv",
    "separable_conv",
    "SeparableKernel",
    "separate_kernel",
]
