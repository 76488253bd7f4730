"""Every explorer survives a sweep of its controls, impossible settings included: it explains
them instead of raising, and draws again at the next valid setting."""

from __future__ import annotations

import html
import itertools

import numpy as np
import pytest

import convlib
from convlib import widgets


def sweep(explorer, name, values):
    for value in values:
        explorer.controls[name].value = value
        yield value, explorer.error


def test_conv_explorer_sweep_explains_impossible_settings_and_recovers():
    explorer = widgets.conv_explorer()
    errors = []
    for dims, mode in itertools.product(["1-D", "2-D"], ["convolution", "transposed"]):
        explorer.controls["dims"].value = dims
        explorer.controls["mode"].value = mode
        for name, values in [
            ("input_size", [1, 2, 5, 12]),
            ("kernel_size", [1, 3, 7]),
            ("stride", [1, 2, 4]),
            ("padding", widgets.conv_explorer.__globals__["PADDINGS"]),
            ("dilation", [1, 2, 4]),
            ("output_padding", [0, 1, 3]),
        ]:
            errors += [e for _, e in sweep(explorer, name, values) if e]
            explorer.controls[name].value = {
                "input_size": 5,
                "kernel_size": 3,
                "stride": 1,
                "padding": 0,
                "dilation": 1,
                "output_padding": 0,
            }[name]
            assert explorer.error is None, explorer.error
    assert any("kernel is larger than the padded input" in e for e in errors)
    assert any("output_padding must be smaller" in e for e in errors)
    explorer.controls["mode"].value = "convolution"
    explorer.controls["stride"].value = 2
    explorer.controls["padding"].value = "same"
    assert "padding='same' is only supported for stride 1" in explorer.error
    explorer.controls["padding"].value = 1
    assert explorer.error is None
    assert (
        "This setting is impossible"
        in widgets.conv_explorer(kernel_size=7, input_size=3).info.value
    )


@pytest.mark.parametrize(
    "initial",
    [
        {"input_size": 7, "kernel_size": 3, "stride": 2, "padding": 1},
        {"dims": "1-D", "padding": "causal", "dilation": 2, "input_size": 8},
        {"mode": "transposed", "input_size": 4, "stride": 2, "padding": 1, "output_padding": 1},
        {"padding": "same", "kernel_size": 4},
    ],
)
def test_conv_explorer_shape_equals_convlib(initial):
    explorer = widgets.conv_explorer(**initial)
    assert explorer.error is None
    values = explorer.values()
    nd = 1 if values["dims"] == "1-D" else 2
    x = np.ones((1, 1, *(values["input_size"],) * nd))
    w = np.ones((1, 1, *(values["kernel_size"],) * nd))
    if values["mode"] == "transposed":
        y = convlib.conv_transpose(
            x,
            w,
            stride=values["stride"],
            padding=values["padding"],
            output_padding=values["output_padding"],
            dilation=values["dilation"],
        )
    else:
        y = convlib.conv(
            x, w, stride=values["stride"], padding=values["padding"], dilation=values["dilation"]
        )
    assert f"(1, 1, {', '.join(map(str, y.shape[2:]))})" in explorer.info.value


def test_formula_text_substitutes_the_numbers():
    text = widgets.conv_explorer(input_size=7, kernel_size=3, stride=2, padding=1).info.value
    assert "\u230a(7 + 1 + 1 \u2212 1\u00b72 \u2212 1)/2\u230b + 1" in text
    assert "+ 1 = 4</div>" in text and convlib.conv_output_size(7, 3, 2, 1) == 4


def test_shown_pytorch_code_gives_the_shown_shape():
    torch = pytest.importorskip("torch")
    from torch import nn  # noqa: F401  (the snippets say nn.Conv2d)

    for initial in [
        {"input_size": 7, "kernel_size": 3, "stride": 2, "padding": 1},
        {"mode": "transposed", "input_size": 4, "stride": 2, "padding": 1, "output_padding": 1},
        {"padding": "same", "kernel_size": 4, "dilation": 2},
    ]:
        explorer = widgets.conv_explorer(**initial)
        code = html.unescape(
            explorer.info.value.split("<b>PyTorch:</b> <code")[1]
            .split(">", 1)[1]
            .split("</code>")[0]
        )
        layer = eval(code, {"nn": torch.nn})
        n = explorer.values()["input_size"]
        out = tuple(layer(torch.zeros(1, 1, n, n)).shape)
        assert f"output shape (1, 1, {out[2]}, {out[3]})" in explorer.info.value


def test_image_filter_explorer_sweep():
    explorer = widgets.image_filter_explorer()
    for name, values in [
        ("kernel", list(convlib.kernels.KERNELS)),
        ("padding_mode", ["zeros", "reflect", "replicate", "circular"]),
        ("stride", [1, 3]),
        ("dilation", [1, 8]),
        ("padding", ["valid", 3, 8, "same"]),
        ("flip", ["true convolution", "cross-correlation"]),
    ]:
        list(sweep(explorer, name, values))
    explorer.controls["stride"].value = 2
    assert "padding='same' is only supported for stride 1" in explorer.error
    explorer.controls["padding"].value = 1
    assert explorer.error is None


def test_flipping_the_kernel_shows_true_convolution():
    corr = widgets.render_image_filter(kernel="sobel_x")
    conv = widgets.render_image_filter(kernel="sobel_x", flip="true convolution")
    assert (
        "as is" in corr.figure.axes[2].get_title() and "flipped" in conv.figure.axes[2].get_title()
    )


def test_budget_and_groups_explorers():
    numbers = widgets.budget(64, 128, 3, 4, 56)
    assert numbers["standard"][0] == convlib.Conv2d(64, 128, 3, bias=False).num_params
    assert numbers["grouped (g=4)"][0] * 4 == numbers["standard"][0]
    assert numbers["depthwise separable"][0] == 64 * 9 + 64 * 128
    explorer = widgets.groups_explorer(channels=8)
    for _, error in sweep(explorer, "groups", [1, 2, 4, 8]):
        assert error is None
    assert "depthwise" in widgets.render_groups(channels=8, groups=8).figure._suptitle.get_text()
    budget = widgets.param_budget_explorer()
    list(sweep(budget, "groups", [1, 32]))
    assert "groups must divide" in (budget.error or "") or budget.error is None


def test_receptive_field_explorer_shows_holes_for_gridding_and_none_for_hybrid():
    grid = convlib.receptive.contribution_counts([(3, 1, 2)] * 3)[-1]
    hybrid = convlib.receptive.contribution_counts([(3, 1, 1), (3, 1, 2), (3, 1, 3)])[-1]
    assert (grid == 0).sum() > 0 and (hybrid == 0).sum() == 0
    assert grid.shape[0] == convlib.receptive_field([(3, 1, 2)] * 3)[-1].size
    explorer = widgets.receptive_field_explorer()
    for value in ["3,1,2; 3,1,2; 3,1,2", "3;1", "", "3,1,1; 2,2,1; 3,1,1"]:
        explorer.controls["layers"].value = value
    assert explorer.error is None
    explorer.controls["layers"].value = "3,0,1"
    assert "stride must be a positive int" in explorer.error
    explorer.controls["view"].value = "1-D causal (WaveNet)"
    explorer.controls["layers"].value = "2,1,1; 2,1,2; 2,1,4; 2,1,8"
    assert explorer.error is None and "16 time steps" in explorer.info.value


def test_explorers_accept_initial_values_and_show_a_figure():
    for make, kwargs in [
        (widgets.conv_explorer, {"stride": 2}),
        (widgets.image_filter_explorer, {"kernel": "box"}),
        (widgets.param_budget_explorer, {"groups": 8}),
        (widgets.groups_explorer, {"groups": 4}),
        (widgets.receptive_field_explorer, {"view": "2-D"}),
    ]:
        explorer = make(**kwargs)
        assert explorer.error is None
        assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
        for name, value in kwargs.items():
            assert explorer.controls[name].value == value


def test_budget_and_receptive_snippets_build_the_counted_layers():
    torch = pytest.importorskip("torch")
    text = widgets.render_budget(in_channels=32, out_channels=64, kernel_size=3, groups=4).text
    numbers = widgets.budget(32, 64, 3, 4, 56)
    for name, (params, _) in numbers.items():
        code = html.unescape(
            text.split(f"<b>{name} (PyTorch):</b> <code")[1].split(">", 1)[1].split("</code>")[0]
        )
        stack = eval(f"[{code}]", {"nn": torch.nn})
        assert sum(p.numel() for layer in stack for p in layer.parameters()) == params, name
    text = widgets.render_receptive_field("3,1,1; 3,1,2; 3,1,4").text
    code = html.unescape(
        text.split("<b>PyTorch:</b> <code")[1].split(">", 1)[1].split("</code>")[0]
    )
    model = eval(code, {"nn": torch.nn})
    assert tuple(model(torch.zeros(1, 1, 31, 31)).shape) == (
        1,
        1,
        31,
        31,
    )  # 'same' padding per layer
