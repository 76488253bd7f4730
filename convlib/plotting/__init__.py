"""Figures and animations of every convolution, drawn from convlib's own arithmetic.

Functions take ``ax=None`` and return what they drew; nothing calls ``plt.show()``.
"""

from convlib.plotting.animation import animate_conv, animate_diagram, save_gif, to_html
from convlib.plotting.channel_animation import GroupedConvDiagram, SeparableConvDiagram
from convlib.plotting.conv_diagram import ConvStepDiagram, draw_conv_step, highlighted_cells
from convlib.plotting.grid import to_png
from convlib.plotting.groups_diagram import (
    connectivity,
    draw_block_diagonal,
    draw_group_connections,
)
from convlib.plotting.matrix_plot import plot_conv_matrix
from convlib.plotting.pooling_diagram import (
    draw_align_corners,
    draw_pixel_shuffle,
    draw_pooling,
    sample_positions,
)
from convlib.plotting.separable_diagram import draw_outer_product, draw_separable_stages
from convlib.plotting.style import figure_to_svg, use_book_style
from convlib.plotting.transposed_diagram import (
    TransposedAsConvDiagram,
    TransposedScatterDiagram,
    draw_transposed_as_conv,
    draw_transposed_scatter,
    overlap_counts,
    zero_insertion_layout,
)
from convlib.plotting.volumes import draw_volumes

__all__ = [
    "ConvStepDiagram",
    "GroupedConvDiagram",
    "SeparableConvDiagram",
    "TransposedAsConvDiagram",
    "TransposedScatterDiagram",
    "animate_conv",
    "connectivity",
    "draw_align_corners",
    "draw_block_diagonal",
    "draw_group_connections",
    "draw_outer_product",
    "draw_pixel_shuffle",
    "draw_pooling",
    "draw_separable_stages",
    "plot_conv_matrix",
    "animate_diagram",
    "draw_conv_step",
    "draw_transposed_as_conv",
    "draw_transposed_scatter",
    "draw_volumes",
    "figure_to_svg",
    "highlighted_cells",
    "overlap_counts",
    "sample_positions",
    "save_gif",
    "to_html",
    "to_png",
    "use_book_style",
    "zero_insertion_layout",
]
