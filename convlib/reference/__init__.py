"""The oracles: every operation written as the textbook loops, slow and obviously right.

The fast paths (:mod:`convlib.functional`) are tested against these, and these against PyTorch.
:mod:`~convlib.reference.convolution` holds convolution and its transpose;
:mod:`~convlib.reference.pooling` holds pooling, interpolation and pixel shuffle.
"""

from convlib.reference.convolution import conv, conv_transpose, windows_read
from convlib.reference.pooling import (
    adaptive_avg_pool,
    avg_pool,
    interpolate,
    max_pool,
    pixel_shuffle,
    pixel_unshuffle,
)

__all__ = [
    "adaptive_avg_pool",
    "avg_pool",
    "conv",
    "conv_transpose",
    "interpolate",
    "max_pool",
    "pixel_shuffle",
    "pixel_unshuffle",
    "windows_read",
]
