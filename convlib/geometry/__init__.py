"""The geometry of a convolution, with no arrays: the plan (:class:`Geometry`), output sizes,
padding, the window each output reads, receptive fields, and the convolution as a matrix."""

from convlib.geometry.matrix import (
    conv_matrix,
)
from convlib.geometry.receptive import (
    ReceptiveField,
    receptive_field,
)
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

__all__ = [
    "conv_geometry",
    "conv_matrix",
    "conv_output_size",
    "conv_transpose_geometry",
    "conv_transpose_output_size",
    "conv_transpose_output_size_range",
    "effective_kernel_size",
    "Geometry",
    "input_window",
    "output_padding_for",
    "pool_geometry",
    "pool_output_size",
    "receptive_field",
    "ReceptiveField",
    "same_padding",
    "transpose_scatter_window",
]
