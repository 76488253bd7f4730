"""The volume explorer's Python side: its counts are convlib's layer specs', its lit sets are
what conv2d's outputs depend on, pixel shuffle's sources follow the documented index formula,
and its traits refuse impossible values with convlib's messages (the node tests compare the ES
module with these functions over the whole grid)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess

import pytest
import test_widgets
import traitlets

import convlib
from convlib import widgets
from convlib.widgets.volume_explorer import dependencies


def test_volume_counts_are_the_layer_specs_counts():
    info = widgets.describe_volume("convolution", 4, 8, 2, 3, 5)
    layer = convlib.Conv2d(4, 8, 3, padding=1, groups=2)
    assert (info["params"], info["macs"]) == (layer.num_params, layer.macs((4, 5, 5)))
    assert info["params"] == 4 * 8 * 9 // 2 + 8 and info["steps"][0]["kind"] == "grouped"
    separable = widgets.describe_volume("separable", 4, 8, 2, 3, 5)
    depthwise = convlib.Conv2d(4, 4, 3, padding=1, groups=4)
    pointwise = convlib.Conv2d(4, 8, 1)
    assert separable["macs"] == depthwise.macs((4, 5, 5)) + pointwise.macs((4, 5, 5))
    assert [s["kind"] for s in separable["steps"]] == ["depthwise", "pointwise"]


def test_volume_convolution_depends_on_its_group_channels_and_window():
    c_in, c_out, g, k, n = 4, 6, 2, 3, 4
    deps = dependencies("convolution", c_in, c_out, g, k, n)
    for o, y, x in itertools.product(range(c_out), range(n), range(n)):
        group = o // (c_out // g)
        expected = [
            (c * n + i) * n + j
            for c in range(group * c_in // g, (group + 1) * c_in // g)
            for i in range(max(y - 1, 0), min(y + 2, n))
            for j in range(max(x - 1, 0), min(x + 2, n))
        ]
        assert deps[(o * n + y) * n + x] == expected


def test_volume_pixel_shuffle_source_is_the_index_formula():
    c_in, r, n = 8, 2, 3
    source = widgets.describe_volume("pixel_shuffle", c_in, size=n, upscale_factor=r)["source"]
    m = n * r
    for c, h, w, i, j in itertools.product(
        range(c_in // r**2), range(n), range(n), range(r), range(r)
    ):
        # y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]
        assert (
            source[(c * m + h * r + i) * m + w * r + j] == ((c * r * r + i * r + j) * n + h) * n + w
        )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"groups": 3}, "groups must divide the number of input channels; received groups=3"),
        (
            {"mode": "pixel_shuffle", "in_channels": 6},
            "PixelShuffle needs input channels divisible",
        ),
        ({"mode": "spiral"}, "mode must be one of 'convolution', 'separable', 'pixel_shuffle'"),
    ],
)
def test_volume_impossible_setting_gives_convlibs_message(setting, message):
    assert widgets.describe_volume(**setting)["error"].startswith(message)


def test_volume_groups_message_is_the_layer_specs():
    with pytest.raises(ValueError) as raised:
        convlib.Conv2d(4, 8, 3, padding=1, groups=3)
    assert widgets.describe_volume(groups=3)["error"] == str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("groups", 0, "groups must be a positive int; received groups=0"),
        ("size", True, "size must be a positive int; received size=True"),
        ("channel", -1, "channel must be a non-negative int; received channel=-1"),
        ("mode", "bogus", "mode must be one of"),
    ],
)
def test_volume_explorer_traits_refuse_with_convlibs_messages(name, value, message):
    with pytest.raises(traitlets.TraitError, match=message):
        widgets.volume_explorer(**{name: value})


def test_volume_explorer_describes_its_current_setting():
    explorer = widgets.volume_explorer(in_channels=6, out_channels=6, groups=6, kernel_size=3)
    assert explorer.describe()["steps"][0]["kind"] == "depthwise"
    assert explorer.error is None
    explorer.in_channels = 4
    assert "groups must divide" in explorer.error


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["convolution", "separable"])
def test_volume_counts_and_code_equal_torchs_layers(mode):
    for c_in, c_out, g, k in [(4, 8, 2, 3), (6, 6, 6, 3), (4, 4, 1, 1), (3, 6, 3, 5)]:
        info = widgets.describe_volume(mode, c_in, c_out, g, k, 5)
        layers = [eval(step["torch"], {"nn": torch.nn}) for step in info["steps"]]  # noqa: S307
        assert info["params"] == sum(p.numel() for layer in layers for p in layer.parameters())
        y = torch.nn.Sequential(*layers)(torch.zeros(1, c_in, 5, 5))
        assert list(y.shape[1:]) == info["output"]


def test_volume_pixel_shuffle_source_is_torchs():
    for c_in, r, n in [(4, 2, 3), (9, 3, 2), (8, 2, 4), (3, 1, 2)]:
        source = widgets.describe_volume("pixel_shuffle", c_in, size=n, upscale_factor=r)["source"]
        index = torch.arange(c_in * n * n).reshape(1, c_in, n, n)
        assert torch.nn.functional.pixel_shuffle(index, r).ravel().tolist() == source


page = test_widgets.page  # the headless Chromium fixture of the explorers' browser tests


@pytest.mark.parametrize(
    ("initial", "model_values"),
    [
        ({}, {"groups": 0}),  # a model value the Python class refuses
        ({}, {"mode": "bogus"}),
        ({}, {"channel": -1}),
        ({"groups": 3}, {}),  # a setting convlib (and torch) rejects
        ({"mode": "pixel_shuffle", "in_channels": 6}, {}),
    ],
)
def test_volume_impossible_setting_shows_convlibs_message_in_the_page(page, initial, model_values):
    test_widgets.assert_page_shows_convlibs_message(
        page, widgets.volume_explorer, initial, model_values
    )


LIT_CHANNELS = """() => [...new Set([...document.querySelectorAll('.cl-vols > svg')[0]
    .querySelectorAll('polygon.lit')].map(p => Math.floor(p.dataset.i / SIZE)))]"""


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_volume_hovering_an_output_channel_lights_the_channels_of_its_group(page, groups):
    explorer = widgets.volume_explorer(in_channels=4, out_channels=8, groups=groups, size=4)
    assert test_widgets.render_in_browser(page, explorer) == []
    reads = explorer.describe()["steps"][0]["reads"]
    for o in (0, 5, 7):
        page.locator(f'.cl-vols > svg:last-child g[data-channel="{o}"]').hover()
        assert sorted(page.evaluate(LIT_CHANNELS.replace("SIZE", "16"))) == reads[o]
    cell = page.locator('.cl-vols > svg:last-child polygon[data-i="21"]')  # channel 1, (1, 1)
    cell.hover()
    lit = page.evaluate(
        "() => [...document.querySelectorAll('.cl-vols > svg')[0].querySelectorAll('polygon.lit')]"
        ".map(p => Number(p.dataset.i)).sort((a, b) => a - b)"
    )
    assert lit == dependencies("convolution", 4, 8, groups, 3, 4)[21]


def test_volume_module_is_self_contained_small_and_parses(tmp_path):
    module = widgets._base.esm("volume.mjs")
    assert not re.search(r"^\s*import\b", module, re.MULTILINE)
    assert "export default { render }" in module and len(module.encode()) < 40_000
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found")
    path = tmp_path / "volume.mjs"
    path.write_text(module, encoding="utf-8")  # _common.mjs, geometry.mjs, share.mjs inlined
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_volume_pressing_an_output_channel_keeps_the_whole_channel_lit(page):
    explorer = widgets.volume_explorer(in_channels=4, out_channels=8, groups=2, size=4)
    assert test_widgets.render_in_browser(page, explorer) == []
    label = page.locator('.cl-vols > svg:last-child g[data-channel="6"]')
    label.click()  # a tap on a phone
    page.mouse.move(0, 0)  # the pointer leaves: the chosen channel stays lit
    assert sorted(page.evaluate(LIT_CHANNELS.replace("SIZE", "16"))) == [2, 3]
    lit = page.evaluate(
        "() => document.querySelectorAll('.cl-vols > svg')[0].querySelectorAll('polygon.lit')"
        ".length"
    )
    assert lit == 2 * 16  # both channels of the group, whole
    assert page.locator('input[data-trait="channel"]').input_value() == "6"


@pytest.mark.parametrize(
    "initial",
    [  # the calls of chapters 4, 5 and 7
        {"mode": "separable", "in_channels": 4, "out_channels": 8, "size": 4},
        {"in_channels": 4, "out_channels": 8, "groups": 2},
        {"mode": "pixel_shuffle", "in_channels": 8, "size": 3, "upscale_factor": 2},
    ],
)
def test_the_chapters_volume_explorers_build_with_those_values(initial):
    explorer = widgets.volume_explorer(**initial)
    assert explorer.error is None
    state = explorer.get_state()
    assert all(state[name] == value for name, value in initial.items())
    assert "export default { render }" in state["_esm"]


def test_volume_output_cells_are_keyboard_operable(page):
    explorer = widgets.volume_explorer(in_channels=4, out_channels=8, groups=2, size=4)
    assert test_widgets.render_in_browser(page, explorer) == []
    page.locator('.cl-vols > svg:last-child polygon[data-i="0"]').focus()
    for key in (
        "ArrowRight",
        "ArrowDown",
        "PageDown",
    ):  # (0, 0, 0) -> (0, 0, 1) -> (0, 1, 1) -> (1, 1, 1)
        page.keyboard.press(key)
    focused = page.evaluate("() => document.activeElement.dataset.i")
    assert focused == str(16 + 4 + 1)
    lit = page.evaluate(
        "() => [...document.querySelectorAll('.cl-vols > svg')[0].querySelectorAll('polygon.lit')]"
        ".map(p => Number(p.dataset.i)).sort((a, b) => a - b)"
    )
    assert lit == dependencies("convolution", 4, 8, 2, 3, 4)[21]
    page.keyboard.press("Enter")  # choose it: the sliders follow
    assert page.locator('input[data-trait="channel"]').input_value() == "1"
    assert page.locator('input[data-trait="position"]').input_value() == "5"
    assert page.evaluate("() => document.activeElement.dataset.i") == "21"  # focus kept
    label = page.locator('.cl-vols > svg:last-child g[data-channel="0"]')
    label.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # output channel 2, whole: input channels 0 and 1, whole
    assert page.evaluate("() => document.activeElement.dataset.channel") == "2"
    page.mouse.move(0, 0)
    assert sorted(page.evaluate(LIT_CHANNELS.replace("SIZE", "16"))) == [0, 1]
    assert page.locator('input[data-trait="channel"]').input_value() == "2"


_ATTACH = "document.body.replaceChildren(host);"
_DRAW = "module.default.render({model: window.model, el: host});"
DETACHED = test_widgets.RENDER.replace(f"{_ATTACH}\n    {_DRAW}", f"{_DRAW}\n    {_ATTACH}")
# (drawn before the page shows it, as a notebook page draws its explorers)


def test_volume_drawn_before_the_page_shows_it_fits_a_390_px_phone(page):
    assert DETACHED != test_widgets.RENDER
    explorer = widgets.volume_explorer(mode="pixel_shuffle", in_channels=8, size=3)
    state = {k: v for k, v in explorer.get_state().items() if isinstance(v, str | int | list)}
    page.set_viewport_size({"width": 390, "height": 900})
    try:
        page.evaluate(DETACHED, {"code": state.pop("_esm"), "state": state})
        scroll, room = page.evaluate(
            "() => { const d = document.querySelector('.cl-drawing');"
            " return [d.scrollWidth, d.clientWidth]; }"
        )
        assert scroll <= room  # no card hidden behind a sideways scroll
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
