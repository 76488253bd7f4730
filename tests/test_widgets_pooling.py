"""The pooling explorer: its Python side (describe_pooling) shows PyTorch's numbers, and its
traits refuse impossible values with convlib's messages. tests/node/pooling.test.mjs compares
the ES module with describe_pooling over the whole control grid."""

from __future__ import annotations

import importlib
import itertools
import shutil
import subprocess

import numpy as np
import pytest
import test_widgets
import traitlets

import convlib
from convlib import widgets

module = importlib.import_module("convlib.widgets.pooling_explorer")  # (the package's
# pooling_explorer is the function)
page = test_widgets.page  # the headless Chromium fixture of the explorers' browser tests
render_in_browser = test_widgets.render_in_browser
torch = pytest.importorskip("torch")
F = torch.nn.functional

SETTINGS = [
    dict(zip(("input_size", "kernel_size", "stride", "padding", "dilation"), values, strict=True))
    for values in itertools.product((1, 4, 5, 8), (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (1, 3))
]


def _torch_input(size: int) -> torch.Tensor:
    grid = np.asarray(module.explorer_values(), dtype=np.float64)[:size, :size]
    return torch.from_numpy(grid)[None, None]


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_explorer_shows_torch_max_pool2d_values_and_indices(ceil_mode):
    checked = 0
    for s in SETTINGS:
        info = widgets.describe_pooling("max", ceil_mode=ceil_mode, **s)
        x = _torch_input(s["input_size"])
        args = (s["kernel_size"], s["stride"], s["padding"], s["dilation"], ceil_mode)
        try:
            y, where = F.max_pool2d(x, *args, return_indices=True)
        except RuntimeError:
            assert "error" in info, s
            continue
        values = np.array([[-np.inf if v is None else v for v in row] for row in info["values"]])
        np.testing.assert_array_equal(values, y[0, 0].numpy())
        assert info["indices"] == where[0, 0].tolist()
        layer = eval(info["torch"], {"nn": torch.nn})  # the code the explorer shows
        np.testing.assert_array_equal(layer(x)[0, 0].numpy(), values)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("ceil_mode", "count_include_pad"), list(itertools.product([0, 1], [0, 1]))
)
def test_avg_explorer_shows_torch_avg_pool2d_values_and_divisors(ceil_mode, count_include_pad):
    ceil_mode, count_include_pad = bool(ceil_mode), bool(count_include_pad)
    checked = 0
    for s in SETTINGS:
        if s["dilation"] != 1:
            continue
        info = widgets.describe_pooling(
            "avg", ceil_mode=ceil_mode, count_include_pad=count_include_pad, **s
        )
        x = _torch_input(s["input_size"])
        args = (s["kernel_size"], s["stride"], s["padding"], ceil_mode, count_include_pad)
        try:
            y = F.avg_pool2d(x, *args)
        except RuntimeError:
            assert "error" in info, s
            continue
        np.testing.assert_allclose(info["values"], y[0, 0].numpy(), rtol=1e-15)
        sums = F.avg_pool2d(x, *args, divisor_override=1)[0, 0].numpy()
        np.testing.assert_array_equal(info["sums"], sums)
        np.testing.assert_allclose(np.array(info["sums"]) / info["divisors"], y[0, 0].numpy())
        layer = eval(info["torch"], {"nn": torch.nn})
        np.testing.assert_allclose(layer(x)[0, 0].numpy(), info["values"], rtol=1e-15)
        checked += 1
    assert checked > 30


def test_a_ceil_mode_window_past_the_padding_is_divided_by_its_cells_inside_it():
    # n=5, k=2, s=2, ceil_mode: the third window is [4, 5]; cell 5 lies past the input (and
    # there is no padding), so the divisor is 1 per axis for the corner: x[4, 4] / 1
    info = widgets.describe_pooling("avg", 5, 2, 2, 0, 1, True, True)
    x = np.asarray(module.explorer_values())
    assert info["out"] == [3, 3]
    assert info["divisors"][2] == [2, 2, 1]
    assert info["values"][2][2] == x[4, 4]


def test_a_max_window_of_padding_only_is_minus_infinity():
    info = widgets.describe_pooling("max", 2, 2, 4, 1, 3)  # taps at -1 and 2: both padding
    assert info["values"] == [[None]] and info["reads"] == [[]]
    y = F.max_pool2d(_torch_input(2), 2, 4, 1, 3)
    assert y.item() == -np.inf


def test_average_pooling_ignores_dilation_and_max_pooling_count_include_pad():
    avg = widgets.describe_pooling("avg", 6, 3, 2, 1, dilation=1)
    assert widgets.describe_pooling("avg", 6, 3, 2, 1, dilation=3) == avg
    maxed = widgets.describe_pooling("max", 6, 3, 2, 1, count_include_pad=True)
    assert widgets.describe_pooling("max", 6, 3, 2, 1, count_include_pad=False) == maxed


def test_impossible_settings_show_convlibs_message():
    info = widgets.describe_pooling("max", 6, 2, 2, padding=2)
    with pytest.raises(ValueError, match="padding must be at most half") as raised:
        convlib.pool_output_size(6, 2, 2, 2)
    assert info == {"error": str(raised.value)}
    explorer = widgets.pooling_explorer(kernel_size=4, dilation=3, input_size=2)
    with pytest.raises(ValueError, match="larger than the padded input") as raised:
        convlib.pool_output_size(2, 4, 2, 0, 3)
    assert explorer.error == str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("stride", 0, "stride must be a positive int; received stride=0"),
        ("kernel_size", -1, "kernel_size must be a positive int; received kernel_size=-1"),
        ("input_size", True, "input_size must be a positive int; received input_size=True"),
        ("padding", -1, "padding must be a non-negative int; received padding=-1"),
        ("dilation", 0, "dilation must be a positive int; received dilation=0"),
        ("position", -1, "position must be a non-negative int; received position=-1"),
        ("padding", "same", "'padding' trait"),
        ("mode", "min", "'mode' trait"),
        ("input_values", [[1, 2], [3, 4]], "input_values must be a square grid"),
        ("input_values", [[1.5] * 8] * 8, "input_values must be a square grid"),
    ],
)
def test_traits_refuse_impossible_values_naming_the_control(name, value, message):
    with pytest.raises(traitlets.TraitError, match=message.replace("(", r"\(")):
        widgets.pooling_explorer(**{name: value})
    explorer = widgets.pooling_explorer()
    with pytest.raises(traitlets.TraitError, match=name):
        setattr(explorer, name, value)


def test_unknown_control_is_refused_with_the_list_of_controls():
    with pytest.raises(TypeError, match="no control 'groups'; its controls are ceil_mode"):
        widgets.pooling_explorer(groups=2)


def test_input_values_are_seeded_small_ints_and_can_be_given():
    values = module.explorer_values()
    assert values == module.explorer_values() and np.shape(values) == (8, 8)
    assert all(isinstance(v, int) and 0 <= v <= 9 for row in values for v in row)
    ones = [[1] * 9 for _ in range(9)]
    explorer = widgets.pooling_explorer(mode="avg", input_values=ones, input_size=9 - 1)
    assert explorer.describe()["values"] == [[1.0] * 4] * 4


def test_the_module_is_self_contained_and_has_no_parameter_count():
    source = module.PoolingExplorer._esm
    assert "\nimport " not in source and "Pooling explorer" in source
    assert "parameters" not in source and "no weights" in source


def test_the_inlined_module_parses(tmp_path):
    # _common.mjs is inlined before the module: a top-level name declared in both (STYLE was)
    # is a SyntaxError that stops the explorer from loading at all
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found")
    path = tmp_path / "explorer.mjs"
    path.write_text(module.PoolingExplorer._esm, encoding="utf-8")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("initial", "model_values"),
    [
        ({}, {"stride": 0}),  # a model value the Python class refuses
        ({}, {"padding": -1}),
        ({}, {"kernel_size": True}),
        ({"kernel_size": 2, "padding": 2}, {}),  # a setting convlib (and torch) rejects
        ({"input_size": 2, "kernel_size": 4, "dilation": 3, "padding": 0}, {}),
    ],
)
def test_an_impossible_setting_shows_convlibs_message_in_the_page(page, initial, model_values):
    test_widgets.assert_page_shows_convlibs_message(
        page, widgets.pooling_explorer, initial, model_values
    )
