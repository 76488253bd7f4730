"""Interactive explorers (ipywidgets 8): controls around pure render functions.

Each explorer accepts its initial values as keyword arguments, shows its figure as a PNG (so the
static book shows the initial setting) and explains impossible settings instead of raising.
"""

from .budget_explorer import (
    budget,
    groups_explorer,
    param_budget_explorer,
    render_budget,
    render_groups,
)
from .conv_explorer import conv_explorer, render_conv
from .image_explorer import image_filter_explorer, render_image_filter
from .receptive_explorer import receptive_field_explorer, render_receptive_field

__all__ = [
    "budget",
    "conv_explorer",
    "groups_explorer",
    "image_filter_explorer",
    "param_budget_explorer",
    "receptive_field_explorer",
    "render_budget",
    "render_conv",
    "render_groups",
    "render_image_filter",
    "render_receptive_field",
]
