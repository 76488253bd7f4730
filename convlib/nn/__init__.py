"""Layer specs and models (like ``torch.nn``): shapes, parameter and MAC counts without weights;
containers with branches, reference models (:mod:`~convlib.nn.models`) and ``summary``."""

from convlib.nn import models
from convlib.nn.containers import (
    Parallel,
    Residual,
    Sequential,
)
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
from convlib.nn.summaries import (
    Summary,
    conv_kind,
    summary,
)
from convlib.nn.torch_trace import EffectiveReceptiveField, effective_receptive_field, from_torch

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm2d",
    "ChannelShuffle",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "conv_kind",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Dropout",
    "Flatten",
    "effective_receptive_field",
    "EffectiveReceptiveField",
    "from_torch",
    "from_torch_repr",
    "Layer",
    "Linear",
    "LocalResponseNorm",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "models",
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
    "summary",
    "Upsample",
]
