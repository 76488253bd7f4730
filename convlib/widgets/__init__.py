"""Interactive explorers: anywidgets that compute and draw in the browser, kernel or not.

Each explorer accepts its initial values as keyword arguments (its traits); it stays live in the
static HTML book, JupyterLab, Notebook 7 and VS Code, and explains impossible settings in
convlib's own words instead of raising. ``describe_*`` compute what each explorer shows with
convlib; the ``render_*`` functions draw matplotlib figures of a setting. ``quiz`` asks the
reader to predict a number or a choice and checks it in the page.
"""

from convlib.widgets import quiz  # predict-then-check questions: quiz.predict, quiz.choose
from convlib.widgets.budget_explorer import (
    budget,
    describe_budget,
    describe_groups,
    groups_explorer,
    param_budget_explorer,
    render_budget,
    render_groups,
)
from convlib.widgets.conv_explorer import conv_explorer, describe_conv, render_conv
from convlib.widgets.im2col_explorer import describe_im2col, im2col_explorer
from convlib.widgets.image_explorer import (
    describe_image,
    image_filter_explorer,
    render_image_filter,
)
from convlib.widgets.model_explorer import describe_model, model_explorer
from convlib.widgets.pooling_explorer import describe_pooling, pooling_explorer
from convlib.widgets.receptive_explorer import (
    describe_receptive,
    receptive_field_explorer,
    render_receptive_field,
)
from convlib.widgets.volume_explorer import describe_volume, volume_explorer

__all__ = [
    "budget",
    "conv_explorer",
    "describe_budget",
    "describe_conv",
    "describe_groups",
    "describe_im2col",
    "describe_image",
    "describe_model",
    "describe_pooling",
    "describe_receptive",
    "describe_volume",
    "groups_explorer",
    "im2col_explorer",
    "image_filter_explorer",
    "model_explorer",
    "param_budget_explorer",
    "pooling_explorer",
    "quiz",
    "receptive_field_explorer",
    "render_budget",
    "render_conv",
    "render_groups",
    "render_image_filter",
    "render_receptive_field",
    "volume_explorer",
]
