"""The im2col explorer: its Python side shows torch.nn.functional.unfold's window matrix, shapes
and memory, and its traits refuse impossible values with convlib's messages.
tests/node/im2col.test.mjs compares the ES module with it over the whole control grid."""

from __future__ import annotations

import importlib
import itertools
import shutil
import subprocess

import numpy as np
import pytest
import test_widgets
import traitlets

from convlib import widgets

module = importlib.import_module("convlib.widgets.im2col_explorer")  # (the package's
# im2col_explorer is the function)
page = test_widgets.page  # the headless Chromium fixture of the explorers' browser tests
render_in_browser = test_widgets.render_in_browser
torch = pytest.importorskip("torch")
F = torch.nn.functional

SETTINGS = list(itertools.product((1, 3), (1, 4, 6), (1, 2, 3), (1, 2), (0, 2), (1, 3)))


def test_window_matrix_is_torch_unfold_of_the_explorers_input():
    checked = 0
    for c, n, k, s, p, d in SETTINGS:
        built = module.window_matrix(c, n, k, s, p, d)
        x = torch.tensor(module.explorer_values(), dtype=torch.float64)[None, :c, :n, :n]
        try:
            expected = F.unfold(x, k, dilation=d, padding=p, stride=s)[0]
        except RuntimeError:
            assert "error" in built
            continue
        np.testing.assert_array_equal(built["matrix"], expected.numpy())
        index = torch.arange(1.0, c * n * n + 1, dtype=torch.float64).reshape(1, c, n, n)
        cells = F.unfold(index, k, dilation=d, padding=p, stride=s)[0].numpy() - 1
        np.testing.assert_array_equal(built["cells"], cells)
        checked += 1
    assert checked > 50


def test_gemm_shapes_macs_and_memory_are_those_of_unfold_and_the_layer():
    for c, n, k, s, p, d in SETTINGS:
        info = widgets.describe_im2col(c, 3, n, k, s, p, d)
        x = torch.zeros((1, c, n, n), dtype=torch.float32)
        try:
            cols = F.unfold(x, k, dilation=d, padding=p, stride=s)
        except RuntimeError:
            assert "error" in info
            continue
        rows, columns = cols.shape[1:]
        assert (
            (info["rows"], info["columns"]) == (rows, columns) == (c * k * k, np.prod(info["out"]))
        )
        assert info["weight"] == [3, rows] and info["product"] == [3, columns]
        conv = torch.nn.Conv2d(c, 3, k, s, p, d, bias=False)
        assert info["macs"] == conv.weight.numel() * columns
        assert info["column_bytes"] == cols.numel() * cols.element_size()
        assert info["input_bytes"] == x.numel() * x.element_size()
        assert info["duplication"] == cols.numel() / x.numel()
        y = torch.nn.functional.conv2d(x, conv.weight, None, s, p, d)
        assert list(y.shape[2:]) == info["out"]


def test_resnet_first_stage_duplication_is_nine():
    # the chapter's example: 64 channels of 56x56, 3x3, padding 1 -> the matrix is 9x the input
    x = np.zeros((1, 64, 56, 56), dtype=np.float32)
    cols = module.im2col(x, 3, padding=1)
    assert cols.size / x.size == 9.0
    assert widgets.describe_im2col(3, 1, 6, 3, 1, 1, 1)["duplication"] == 9.0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("stride", 0, "stride must be a positive int; received stride=0"),
        ("in_channels", 0, "in_channels must be a positive int; received in_channels=0"),
        ("out_channels", True, "out_channels must be a positive int; received out_channels=True"),
        ("padding", -1, "padding must be a non-negative int; received padding=-1"),
        ("position", -1, "position must be a non-negative int; received position=-1"),
        ("input_values", [[[1]]], "input_values must be at least 3 channels"),
    ],
)
def test_traits_refuse_impossible_values_naming_the_control(name, value, message):
    with pytest.raises(traitlets.TraitError, match=message.replace("(", r"\(")):
        widgets.im2col_explorer(**{name: value})


def test_a_kernel_larger_than_the_padded_input_shows_convlibs_message():
    explorer = widgets.im2col_explorer(input_size=2, kernel_size=4)
    assert explorer.error.startswith("kernel is larger than the padded input")


def test_the_module_is_self_contained():
    source = module.Im2colExplorer._esm
    assert "\nimport " not in source and "im2col explorer" in source


def test_the_inlined_module_parses(tmp_path):
    # _common.mjs is inlined before the module: a top-level name declared in both (STYLE was)
    # is a SyntaxError that stops the explorer from loading at all
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found")
    path = tmp_path / "explorer.mjs"
    path.write_text(module.Im2colExplorer._esm, encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("initial", "model_values"),
    [
        ({}, {"stride": 0}),  # a model value the Python class refuses
        ({}, {"in_channels": 0}),
        ({}, {"position": -1}),
        ({"input_size": 2, "kernel_size": 4}, {}),  # a setting convlib (and torch) rejects
    ],
)
def test_an_impossible_setting_shows_convlibs_message_in_the_page(page, initial, model_values):
    test_widgets.assert_page_shows_convlibs_message(
        page, widgets.im2col_explorer, initial, model_values
    )


def test_moving_the_window_to_a_negative_column_shows_the_message_not_a_drawing(page):
    errors = render_in_browser(page, widgets.im2col_explorer())
    page.evaluate("() => window.model.set('position', -1)")
    assert (
        page.locator(".cl-x .cl-error")
        .inner_text()
        .endswith("position must be a non-negative int; received position=-1")
    )
    page.evaluate("() => window.model.set('position', 2)")
    assert page.locator(".cl-x .cl-error").count() == 0
    assert page.locator("svg[role=slider]").get_attribute("aria-valuenow") == "2"
    assert errors == []
