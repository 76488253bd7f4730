"""The explorers: anywidgets whose traits are the controls and whose Python side (describe)
computes, with convlib, what the ES module shows. tests/node compares the module with describe
over every control grid; these tests tie describe to convlib's ops and the module to the state."""

from __future__ import annotations

import base64
import importlib
import itertools
import json
import os
import re
import shutil

import numpy as np
import pytest
import traitlets

import convlib
from convlib import widgets
from convlib._validation import check_positive_int
from convlib.geometry import shapes

conv_module = importlib.import_module("convlib.widgets.conv_explorer")
image_module = importlib.import_module("convlib.widgets.image_explorer")
budget_module = importlib.import_module("convlib.widgets.budget_explorer")
receptive_module = importlib.import_module("convlib.widgets.receptive_explorer")
NON_NEGATIVE = ("output_padding", "position")  # every other integer control must be positive
EXPLORER_CLASSES = [
    conv_module.ConvExplorer,
    image_module.ImageFilterExplorer,
    budget_module.ParamBudgetExplorer,
    budget_module.GroupsExplorer,
    receptive_module.ReceptiveFieldExplorer,
]

NOTEBOOK_CALLS = [
    (widgets.conv_explorer, {"input_size": 7, "kernel_size": 3, "stride": 2, "padding": 1}),
    (
        widgets.conv_explorer,
        {
            "mode": "transposed",
            "input_size": 4,
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "output_padding": 1,
        },
    ),
    (widgets.image_filter_explorer, {"kernel": "sobel_x", "padding_mode": "reflect"}),
    (widgets.receptive_field_explorer, {"layers": "3,1,1; 3,1,2; 3,1,4; 3,1,8"}),
    (
        widgets.param_budget_explorer,
        {"in_channels": 64, "out_channels": 128, "kernel_size": 3, "groups": 4},
    ),
    (
        widgets.param_budget_explorer,
        {"in_channels": 256, "out_channels": 256, "kernel_size": 3, "groups": 32, "size": 14},
    ),
    (widgets.groups_explorer, {"channels": 8, "groups": 2}),
]


@pytest.mark.parametrize("make,initial", NOTEBOOK_CALLS)
def test_the_notebooks_calls_build_explorers_with_those_values(make, initial):
    explorer = make(**initial)
    assert explorer.error is None
    assert {name: explorer.values()[name] for name in initial} == initial
    state = explorer.get_state()
    assert "export default { render }" in state["_esm"]
    for name, value in initial.items():
        assert state[name] == value


def test_an_unknown_control_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="no control 'kernel'; its controls are dilation, dims"):
        widgets.conv_explorer(kernel=3)


def test_setting_a_trait_from_python_changes_what_is_shown():
    explorer = widgets.conv_explorer(input_size=7, kernel_size=3, stride=2, padding=1)
    assert explorer.describe()["out"] == [4, 4]
    explorer.kernel_size = 5
    assert explorer.describe()["out"] == [3, 3]
    explorer.input_size = 3
    explorer.padding = 0
    assert explorer.error.startswith("kernel is larger than the padded input")
    explorer.padding = "same"
    assert explorer.error == (
        "padding='same' is only supported for stride 1 (as in PyTorch); received stride=2"
    )
    explorer.stride = 1
    assert explorer.error is None and explorer.describe()["out"] == [3, 3]


def test_the_modules_are_self_contained_and_small():
    for name in ("conv.mjs", "image.mjs", "budget.mjs", "groups.mjs", "receptive.mjs"):
        module = widgets._base.esm(name)
        assert not re.search(r"^\s*import\b", module, re.MULTILINE), name
        assert "function render(" in module and "export default { render }" in module
        # (conv.mjs with values.mjs and share.mjs inlined: 35 KB; a page holds at most 3 MB)
        assert len(module.encode()) < 40_000, (name, len(module.encode()))


def conv_op_error(setting) -> str | None:
    """What convlib's op raises for an explorer setting (None if it runs)."""
    nd = 1 if setting["dims"] == "1-D" else 2
    n, k = setting["input_size"], setting["kernel_size"]
    x, w = np.ones((1, 1) + (n,) * nd), np.ones((1, 1) + (k,) * nd)
    s, d, p = setting["stride"], setting["dilation"], setting["padding"]
    try:
        if setting["mode"] == "transposed":
            getattr(convlib, f"conv_transpose{nd}d")(
                x, w, stride=s, padding=p, output_padding=setting["output_padding"], dilation=d
            )
        else:
            p = d * (k - 1) if p == "full" else p
            getattr(convlib, f"conv{nd}d")(x, w, stride=s, padding=p, dilation=d)
    except (ValueError, TypeError) as error:
        return str(error)
    return None


def conv_settings(mode):
    for dims, n, k, s, p, d, op in itertools.product(
        ["1-D", "2-D"], [1, 2, 5, 12], [1, 3, 4, 7], [1, 2, 4], conv_module.PADDINGS, [1, 2, 4],
        [0, 1, 3] if mode == "transposed" else [0],
    ):  # fmt: skip
        yield {
            "dims": dims, "mode": mode, "input_size": n, "kernel_size": k, "stride": s,
            "padding": p, "dilation": d, "output_padding": op,
        }  # fmt: skip


def test_conv_impossible_settings_say_what_convlib_says():
    checked = 0
    for setting in conv_settings("convolution"):
        error = widgets.describe_conv(**setting).get("error")
        assert error == conv_op_error(setting), setting
        checked += error is not None
    assert checked > 100


def test_transposed_impossible_settings_say_what_convlib_shapes_says():
    seen = set()
    for setting in conv_settings("transposed"):
        error = widgets.describe_conv(**setting).get("error")
        op_error = conv_op_error(setting)
        assert (error is None) == (op_error is None), setting
        if error is None:
            continue
        nd = 1 if setting["dims"] == "1-D" else 2
        with pytest.raises((ValueError, TypeError)) as raised:
            convlib.conv_transpose_output_size(
                (setting["input_size"],) * nd, setting["kernel_size"], setting["stride"],
                setting["padding"], setting["output_padding"], setting["dilation"],
            )  # fmt: skip
        assert error == str(raised.value)
        seen.add(error.split(" ")[0])
    assert {"padding", "output_padding", "padding=3"} <= seen or len(seen) >= 2


@pytest.mark.parametrize("mode", ["convolution", "transposed"])
def test_conv_windows_and_shapes_are_what_the_op_computes(mode):
    """One-hot weights make convlib's own op reveal which input each output reads."""
    for setting in conv_settings(mode):
        if setting["dims"] != "1-D":
            continue
        info = widgets.describe_conv(**setting)
        if "error" in info:
            continue
        n, k, s, d = (setting[key] for key in ("input_size", "kernel_size", "stride", "dilation"))
        p = setting["padding"]
        x = np.arange(1.0, n + 1)[None, None]
        out = info["out"][0]
        for j in range(k):
            w = np.zeros((1, 1, k))
            w[0, 0, j] = 1.0
            if mode == "convolution":
                p_arg = d * (k - 1) if p == "full" else p
                y = convlib.conv1d(x, w, stride=s, padding=p_arg, dilation=d)[0, 0]
                assert y.shape == (out,)
                reads = [window[j] for window in info["windows"]]
                expected = [i + 1.0 if 0 <= i < n else 0.0 for i in reads]
            else:
                y = convlib.conv_transpose1d(
                    x, w, stride=s, padding=p, output_padding=setting["output_padding"], dilation=d
                )[0, 0]
                assert y.shape == (out,)
                expected = np.zeros(out)
                for i, window in enumerate(info["scatter"]):
                    if 0 <= window[j] < out:
                        expected[window[j]] += i + 1.0
            np.testing.assert_array_equal(y, expected)


def test_formula_and_transposed_choices_substitute_the_numbers():
    info = widgets.conv_explorer(input_size=7, kernel_size=3, stride=2, padding=1).describe()
    assert (
        "\u230a(7 + 1 + 1 \u2212 1\u00b72 \u2212 1)/2\u230b + 1 = \u230a6/2\u230b + 1 = 4"
        in info["formula"]
    )
    assert convlib.conv_output_size(7, 3, 2, 1) == 4
    info = widgets.describe_conv(
        mode="transposed", input_size=4, kernel_size=3, stride=2, padding=1, output_padding=1
    )
    assert info["range"] == [7, 8] and info["choices"] == [[7, 0], [8, 1]]
    assert info["shape"] == "(1, 1, 8, 8)"


def test_shown_pytorch_code_gives_the_shown_shape():
    torch = pytest.importorskip("torch")
    for initial in [
        {"input_size": 7, "kernel_size": 3, "stride": 2, "padding": 1},
        {"mode": "transposed", "input_size": 4, "stride": 2, "padding": 1, "output_padding": 1},
        {"padding": "same", "kernel_size": 4, "dilation": 2},
    ]:
        explorer = widgets.conv_explorer(**initial)
        info = explorer.describe()
        layer = eval(info["torch"], {"nn": torch.nn})
        n = explorer.input_size
        assert f"{tuple(layer(torch.zeros(1, 1, n, n)).shape)}" == info["shape"]


def test_photo_explorer_carries_its_photo_and_kernels_and_filters_like_conv2d():
    explorer = widgets.image_filter_explorer(kernel="sobel_x", padding_mode="reflect")
    photo = np.frombuffer(base64.b64decode(explorer._photo), dtype="<f4").reshape(
        explorer._photo_shape
    )
    np.testing.assert_array_equal(photo, image_module.explorer_photo())
    assert photo.nbytes <= 64 * 80 * 4  # the page stays light
    assert explorer._kernels["sobel_x"] == convlib.teaching.kernels.sobel_x().tolist()
    flipped = image_module.filtered_photo("sobel_x", 1, 1, "same", "zeros", "true convolution")
    plain = image_module.filtered_photo("sobel_x", 1, 1, "same", "zeros", "cross-correlation")
    np.testing.assert_allclose(flipped, -plain, atol=1e-12)  # sobel_x flipped is -sobel_x
    explorer.stride = 2
    assert "padding='same' is only supported for stride 1" in explorer.error
    explorer.padding = 1
    assert explorer.error is None and explorer.describe()["out"] == [38, 32]


def test_budget_counts_equal_the_layer_specs_and_bad_groups_are_explained():
    numbers = widgets.budget(64, 128, 3, 4, 56)
    assert numbers["standard"][0] == convlib.Conv2d(64, 128, 3, bias=False).num_params
    assert numbers["grouped (g=4)"][0] * 4 == numbers["standard"][0]
    assert numbers["depthwise separable"][0] == 64 * 9 + 64 * 128
    explorer = widgets.param_budget_explorer(in_channels=24, groups=16)
    assert explorer.error == (
        "groups must divide the number of input channels; received groups=16 with 24 input channels"
    )
    assert 24 in explorer._channel_options and 16 in explorer._group_options
    explorer = widgets.param_budget_explorer(in_channels=100, size=20)
    assert 100 in explorer._channel_options and 20 in explorer._size_options


def test_groups_explorer_walks_from_standard_to_depthwise():
    explorer = widgets.groups_explorer(channels=8)
    kinds = []
    for groups in (1, 2, 4, 8):
        explorer.groups = groups
        kinds.append(explorer.describe()["kind"])
        assert (
            explorer.describe()["params"]
            == convlib.Conv2d(8, 8, 3, padding=1, groups=groups).num_params
        )
    assert kinds == ["standard", "grouped", "grouped", "depthwise"]
    explorer.groups = 3
    assert "groups must divide the number of input channels" in explorer.error
    assert "depthwise" in widgets.render_groups(channels=8, groups=8).figure._suptitle.get_text()


def test_receptive_field_explorer_shows_holes_for_gridding_and_none_for_hybrid():
    assert widgets.describe_receptive("3,1,2; 3,1,2; 3,1,2")["holes"] > 0
    assert widgets.describe_receptive("3,1,1; 3,1,2; 3,1,3")["holes"] == 0
    grid = convlib.geometry.receptive.contribution_counts([(3, 1, 2)] * 3)[-1]
    assert widgets.describe_receptive("3,1,2; 3,1,2; 3,1,2")["holes"] == (grid == 0).sum()
    explorer = widgets.receptive_field_explorer()
    assert explorer.describe()["sizes"] == [
        r.size for r in convlib.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4), (3, 1, 8)])
    ]
    explorer.layers = "3,0,1"
    assert explorer.error == "stride must be a positive int; received stride=0"
    explorer.layers = "2,1,1; 2,1,2; 2,1,4; 2,1,8"
    assert explorer.error is None and explorer.describe()["sizes"][-1] == 16
    figure = widgets.render_receptive_field(
        "2,1,1; 2,1,2; 2,1,4; 2,1,8", view="1-D causal (WaveNet)"
    ).figure
    assert "16 steps" in figure.axes[0].get_title()


def test_budget_and_receptive_snippets_build_the_counted_layers():
    torch = pytest.importorskip("torch")
    info = widgets.describe_budget(
        in_channels=32, out_channels=64, kernel_size=3, groups=4, size=56
    )
    for name, params, _, code in info["variants"]:
        stack = eval(f"[{code}]", {"nn": torch.nn})
        assert sum(p.numel() for layer in stack for p in layer.parameters()) == params, name
    code = widgets.describe_receptive("3,1,1; 3,1,2; 3,1,4")["torch"]
    model = eval(code, {"nn": torch.nn})
    assert tuple(model(torch.zeros(1, 1, 31, 31)).shape) == (1, 1, 31, 31)


def refused_values():
    """(class, control, value, convlib's message) for every integer and padding control: the
    value below the smallest it takes, a bool, and for padding -1 and an unknown string."""
    for explorer in EXPLORER_CLASSES:
        for name in explorer.control_names():
            trait = explorer.class_traits()[name]
            if name == "padding":
                diagram = explorer is conv_module.ConvExplorer  # the diagrams' 'full' padding
                resolve = shapes.resolve_diagram_padding if diagram else shapes.resolve_padding
                values = [(-1, check_positive_int, (-1, "padding"), {"minimum": 0})]
                values += [("bogus", resolve, ("bogus", 1), {})]
            elif isinstance(trait, traitlets.Int):
                minimum = 0 if name in NON_NEGATIVE else 1
                values = [
                    (v, check_positive_int, (v, name), {"minimum": minimum})
                    for v in (minimum - 1, True)
                ]
            else:
                continue
            for value, check, args, kwargs in values:
                with pytest.raises((TypeError, ValueError)) as raised:
                    check(*args, **kwargs)
                yield explorer, name, value, str(raised.value)


REFUSED = list(refused_values())


@pytest.mark.parametrize(
    "explorer,name,value,message",
    REFUSED,
    ids=[f"{e.__name__}-{n}={v!r}" for e, n, v, _ in REFUSED],
)
def test_out_of_range_controls_are_refused_with_convlibs_message(explorer, name, value, message):
    assert f"received {name}={value!r}" in message and "must be" in message
    with pytest.raises(traitlets.TraitError) as raised:
        explorer(**{name: value})
    assert str(raised.value) == message
    shown = explorer()
    before = getattr(shown, name)
    with pytest.raises(traitlets.TraitError) as raised:
        setattr(shown, name, value)
    assert str(raised.value) == message
    assert getattr(shown, name) == before and shown.error is None


def test_every_integer_and_padding_control_is_checked():
    checked = {(e.__name__, n) for e, n, _, _ in REFUSED}
    assert len(checked) == 7 + 3 + 5 + 4  # conv, photo, budget, groups (receptive: text)
    # issue 28: stride=0 reached conv.mjs (a RangeError), padding='bogus' was drawn as causal
    with pytest.raises(
        traitlets.TraitError, match=r"^stride must be a positive int; received stride=0$"
    ):
        widgets.conv_explorer(stride=0)
    with pytest.raises(traitlets.TraitError) as raised:
        widgets.conv_explorer(padding="bogus")
    assert str(raised.value) == (
        "padding must be a non-negative int, a tuple of non-negative ints, or one of 'valid', "
        "'same', 'causal', 'full'; received padding='bogus'"
    )
    explorer = widgets.conv_explorer(padding="full", stride=4, output_padding=3, position=9)
    assert explorer.error is None


# ---- the ES modules in a real browser (headless Chromium through Playwright, if installed)

RENDER = """async ({code, state}) => {
    const url = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
    const module = await import(url);
    const listeners = {};
    window.model = {
        get: (name) => state[name],
        set: (name, value) => {
            state[name] = value;
            for (const f of listeners[`change:${name}`] ?? []) f();
        },
        on: (event, f) => (listeners[event] ??= []).push(f),
        off: () => {},
        save_changes: () => {},
    };
    const host = document.createElement("div");
    document.body.replaceChildren(host);
    module.default.render({model: window.model, el: host});
}"""


@pytest.fixture(scope="module")
def page():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None and os.path.exists("/usr/bin/chromium"):
        chromium = "/usr/bin/chromium"
    if chromium is None:
        pytest.skip("Chromium not found (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        yield page
        browser.close()


def render_in_browser(page, explorer, **model_values) -> list[str]:
    """Render ``explorer``'s module with its state, ``model_values`` set in the model as a
    front-end could (unchecked); returns the page errors."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    state = {
        name: value
        for name, value in explorer.get_state().items()
        if isinstance(value, str | int | float | list | dict)
    }
    state.update(model_values)
    page.evaluate(RENDER, {"code": state.pop("_esm"), "state": json.loads(json.dumps(state))})
    return errors


def assert_page_shows_convlibs_message(page, make_explorer, initial: dict, model_values: dict):
    """An explorer made with ``initial`` (a setting convlib rejects), or given ``model_values`` by
    a front end (values its Python class refuses), shows in the page exactly the message convlib
    (or the trait check) gives, and raises nothing."""
    explorer = make_explorer(**initial)
    expected = explorer.error
    if model_values:
        with pytest.raises(traitlets.TraitError) as raised:
            make_explorer(**model_values)
        expected = str(raised.value)
    errors = render_in_browser(page, explorer, **model_values)
    shown = page.locator(".cl-x .cl-error")
    assert shown.count() == 1
    assert shown.inner_text().endswith(expected)
    assert errors == []


BAD_MODELS = [
    (widgets.conv_explorer, "stride", 0),
    (widgets.conv_explorer, "padding", "bogus"),
    (widgets.conv_explorer, "position", -1),
    (widgets.conv_explorer, "kernel_size", 0),
    (widgets.conv_explorer, "input_values", "bogus"),
    (widgets.conv_explorer, "kernel_values", "sobel"),
    (widgets.image_filter_explorer, "padding", "bogus"),
    (widgets.image_filter_explorer, "dilation", 0),
    (widgets.param_budget_explorer, "groups", 0),
    (widgets.groups_explorer, "channels", 0),
    (widgets.groups_explorer, "groups", 0),
]


@pytest.mark.parametrize("make,name,value", BAD_MODELS)
def test_an_impossible_model_value_shows_the_python_message_in_the_panel(page, make, name, value):
    with pytest.raises(traitlets.TraitError) as raised:
        make(**{name: value})
    errors = render_in_browser(page, make(), **{name: value})
    shown = page.locator(".cl-x .cl-error")
    assert shown.count() == 1, page.locator(".cl-x").inner_text()
    assert shown.inner_text().endswith(str(raised.value))
    assert errors == []


def test_the_output_padding_slider_is_hidden_in_convolution_mode(page):
    # the explorer's own `label { display: inline-flex }` beat the browser's [hidden] rule
    render_in_browser(page, widgets.conv_explorer())
    control = page.locator('.cl-x label:has(input[data-trait="output_padding"])')
    assert control.get_attribute("hidden") is not None
    assert control.evaluate("node => getComputedStyle(node).display") == "none"
    assert not control.is_visible()
    page.evaluate("() => window.model.set('mode', 'transposed')")
    assert control.is_visible()


def test_hovering_an_input_channel_lights_the_outputs_that_read_it(page):
    render_in_browser(page, widgets.groups_explorer(channels=8, groups=2))
    inputs = page.locator('.cl-x rect[aria-label^="input channel"]')
    outputs = page.locator('.cl-x rect[aria-label^="output channel"]')
    lit = "els => els.flatMap((el, i) => el.classList.contains('lit') ? [i] : [])"
    inputs.nth(5).hover()
    assert outputs.evaluate_all(lit) == [4, 5, 6, 7]  # group 5 // (8 / 2) = 1
    inputs.nth(1).focus()
    assert outputs.evaluate_all(lit) == [0, 1, 2, 3]
    outputs.nth(6).hover()
    assert inputs.evaluate_all(lit) == [4, 5, 6, 7]
