"""The "paste your model" explorer (convlib.widgets.model_explorer): its Python side.

model.mjs is compared with describe_model on a fixture of printed models by
tests/node/model.test.mjs; here: describe_model is summary(from_torch_repr(text), shape), the
presets are what torch prints, and the explorer's traits.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import traitlets

import convlib
from convlib import widgets
from convlib.geometry.receptive import parse_layers, receptive_field
from convlib.nn.receptive import format_field
from convlib.widgets.model_explorer import PRESETS, ModelExplorer, parse_shape

ROOT = Path(__file__).resolve().parents[1]


def test_presets_are_what_torch_prints_for_the_models_of_the_preset_script():
    pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from make_model_presets import presets
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert presets() == PRESETS


@pytest.mark.parametrize("name", [name for name, _, _ in PRESETS[:3]])
def test_describe_model_is_the_summary_of_from_torch_repr(name):
    _, text, shape = next(p for p in PRESETS if p[0] == name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = convlib.summary(convlib.from_torch_repr(text), parse_shape(shape))
    info = widgets.describe_model(text, shape)
    assert info["text"] == str(table)
    assert [row[0] for row in info["cells"]] == [f"{r.name} ({r.layer_type})" for r in table.rows]
    assert [row[4:] for row in info["cells"]] == [
        list(format_field(r.receptive_field)) for r in table.rows
    ]
    assert info["totalParams"] == info["params"] == table.total_params
    assert info["totalMacs"] == table.total_macs
    assert info["warnings"] == [str(w.message) for w in caught]


def test_describe_model_passes_on_the_warning_for_a_printed_block_with_branches():
    _, text, shape = next(p for p in PRESETS if "BasicBlock" in p[0])
    info = widgets.describe_model(text, shape)
    assert "BasicBlock" in info["warnings"][0] and "assume the printed order" in info["warnings"][0]
    with pytest.warns(UserWarning, match="BasicBlock"):
        assert info["params"] == convlib.from_torch_repr(text).num_params  # exact all the same
    assert "downsample.0" in info["error"] and "64 input channels" in info["error"]


def test_describe_model_gives_convlibs_message_for_unreadable_text_or_shape():
    assert widgets.describe_model("hello", "3, 8, 8") == {
        "error": "line 1: expected 'Type(' or 'Type(arguments)'; received 'hello'"
    }
    info = widgets.describe_model("Conv2d(3, 8, kernel_size=(3, 3))", "3, eight, 8")
    assert info["params"] == 224 and "received '3, eight, 8'" in info["error"]


def test_stack_text_is_read_as_the_receptive_explorers_same_padded_convolutions():
    text = "3,1,1; 3,2,2; 5,1,3"
    info = widgets.describe_model(text, "2, 1, 40, 40")
    sizes = [r.size for r in receptive_field(parse_layers(text))]
    assert [row[4] for row in info["cells"]] == [f"{s}x{s}" for s in sizes]
    assert info["outputShape"] == [2, 1, 20, 20]


@pytest.mark.parametrize(
    ("text", "shape"), [("3, 32, 32", (3, 32, 32)), ("(1, 3, 8, 8)", (1, 3, 8, 8)), ("5,", (5,))]
)
def test_parse_shape_reads_comma_separated_ints_with_or_without_brackets(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["", "3 32 32", "3, -1", "3.0, 4"])
def test_parse_shape_rejects_other_text_naming_it(text):
    with pytest.raises(ValueError, match="input shape must be non-negative ints"):
        parse_shape(text)


def test_choosing_a_preset_sets_its_text_and_input_shape():
    name, text, shape = PRESETS[1]
    explorer = widgets.model_explorer(preset=name)
    assert (explorer.text, explorer.input_shape) == (text, shape)
    explorer = widgets.model_explorer(preset="", text="ReLU()", input_shape="3, 4, 4")
    expected = convlib.summary(convlib.from_torch_repr("ReLU()"), (3, 4, 4))
    assert explorer.describe()["text"] == str(expected)


def test_an_unknown_preset_or_control_is_refused_naming_what_is_allowed():
    with pytest.raises(traitlets.TraitError, match="preset must be '' .* received preset='VGG'"):
        ModelExplorer(preset="VGG")
    with pytest.raises(TypeError, match="has no control 'layers'"):
        widgets.model_explorer(layers="3,1,1")
