"""Summaries: one row per leaf layer, totals equal the model's counts, conventions stated."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import convlib
from convlib.nn import models


def test_one_row_per_leaf_layer_and_totals_equal_the_model():
    model = models.mobilenet_v1()
    table = convlib.summary(model, (3, 224, 224))
    assert len(table.rows) == len(list(model.leaves((3, 224, 224))))
    assert table.total_params == model.num_params
    assert table.total_macs == model.macs((3, 224, 224))
    assert table.rows[0].name == "stem.conv"


def test_depth_collapses_rows_into_blocks_with_the_same_totals():
    model = models.resnet50()
    full, stages = (
        convlib.summary(model, (3, 224, 224)),
        convlib.summary(model, (3, 224, 224), depth=1),
    )
    assert [r.name for r in stages.rows][:5] == ["conv1", "bn1", "relu", "maxpool", "layer1"]
    assert (stages.total_params, stages.total_macs) == (full.total_params, full.total_macs)


def test_flops_are_twice_the_macs_and_the_text_says_which_convention():
    model = models.mobilenet_v2()
    macs, flops = (
        convlib.summary(model, (3, 224, 224)),
        convlib.summary(model, (3, 224, 224), flops=True),
    )
    assert flops.total_operations == 2 * macs.total_operations
    assert "Total FLOPs" in str(flops) and "FLOPs = 2 x multiply-accumulates" in str(flops)
    keras = convlib.summary(model, (3, 224, 224), include_buffers=True)
    assert "running statistics (Keras' total)" in str(keras)
    assert "Total params: 3,538,984" in str(keras)


def test_html_table_is_well_formed():
    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.rows = [], 0

        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)
            self.rows += tag == "tr"

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag

    table = convlib.summary(models.alexnet(), (3, 227, 227))
    checker = Checker()
    checker.feed(table._repr_html_())
    assert checker.stack == []
    assert checker.rows == len(table.rows) + 2  # header and totals
    assert "<caption" in table._repr_html_()


def test_mismatched_channels_anywhere_name_the_layer():
    model = convlib.Sequential(convlib.Conv2d(3, 8, 3), convlib.Sequential(convlib.Conv2d(4, 8, 3)))
    with pytest.raises(ValueError, match=r"layer '1.0' \(Conv2d\)"):
        convlib.summary(model, (3, 16, 16))


def test_a_batched_input_shows_the_batch_in_every_row_and_multiplies_the_macs():
    model = models.mobilenet_v2()
    one, four = convlib.summary(model, (3, 96, 96)), convlib.summary(model, (4, 3, 96, 96))
    assert [r.output_shape for r in four.rows] == [(4, *r.output_shape) for r in one.rows]
    assert [r.operations for r in four.rows] == [4 * r.operations for r in one.rows]
    assert four.total_params == one.total_params and "Input shape: (4, 3, 96, 96)" in str(four)


def test_every_convolution_row_has_its_kind():
    model = convlib.Sequential(
        convlib.Conv2d(3, 8, 3), convlib.Conv2d(8, 8, 3, groups=8),
        convlib.Conv2d(8, 8, 3, groups=2), convlib.Conv2d(8, 8, 1),
        convlib.Conv2d(8, 8, 3, padding=2, dilation=2),
        convlib.ConvTranspose2d(8, 8, 2, 2), convlib.ReLU(),
    )  # fmt: skip
    table = convlib.summary(model, (3, 16, 16))
    assert [r.kind for r in table.rows] == [
        "standard", "depthwise", "grouped", "pointwise", "dilated", "transposed", None
    ]  # fmt: skip
    assert table.kind_counts() == dict.fromkeys(convlib.nn.summaries.CONV_KINDS, 1)
    assert convlib.summary(model, (3, 16, 16), depth=0).kind_counts() == table.kind_counts()


def test_the_summary_name_is_the_function_and_the_module_is_summaries():
    import convlib.nn.summaries

    assert callable(convlib.summary) and convlib.summary is convlib.nn.summaries.summary


def test_row_names_are_the_path_through_nested_containers():
    branch = convlib.Sequential(convlib.Conv2d(4, 2, 3, padding=1), convlib.ReLU())
    model = convlib.Sequential(
        convlib.Conv2d(3, 4, 3, padding=1),
        convlib.Parallel(convlib.Conv2d(4, 2, 1), branch),
        convlib.Residual(convlib.Conv2d(4, 4, 3, padding=1)),
    )
    names = [row.name for row in convlib.summary(model, (3, 8, 8)).rows]
    assert names[:4] == ["0", "1.0", "1.1.0", "1.1.1"]
    assert all(name.startswith("2.") for name in names[4:]) and len(names) > 4


def test_container_reprs_indent_their_children_as_torch_prints_them():
    torch = pytest.importorskip("torch")
    ours = convlib.Sequential(
        convlib.Conv2d(3, 4, 3, padding=1),
        convlib.Sequential(convlib.Conv2d(4, 2, 1), convlib.ReLU()),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.Sequential(torch.nn.Conv2d(4, 2, 1), torch.nn.ReLU()),
    )
    assert repr(ours) == repr(theirs)
    branches = convlib.Parallel(convlib.Conv2d(4, 2, 1), convlib.Sequential(convlib.ReLU()))
    assert repr(branches) == (
        "Parallel(merge='cat',\n"
        "  (0): Conv2d(4, 2, kernel_size=(1, 1), stride=(1, 1))\n"
        "  (1): Sequential(\n    (0): ReLU()\n  )\n)"
    )


def test_residual_rows_are_named_body_and_shortcut():
    block = convlib.Residual(convlib.Conv2d(2, 2, 3, padding=1), convlib.Conv2d(2, 2, 1))
    assert [row.name for row in convlib.summary(block, (2, 4, 4)).rows] == ["body", "shortcut"]


def test_residual_names_the_part_that_is_not_a_layer_spec():
    with pytest.raises(TypeError, match=r"received str for 'body'"):
        convlib.Residual("conv")
    with pytest.raises(TypeError, match=r"received int for 'shortcut'"):
        convlib.Residual(convlib.ReLU(), 1)


def test_a_summary_error_names_the_nested_layer_it_came_from():
    model = convlib.Sequential(convlib.Conv2d(3, 4, 3), convlib.Sequential(convlib.Conv2d(5, 2, 1)))
    with pytest.raises(ValueError, match=r"^layer '1\.0' \(Conv2d\): .*5 input channels"):
        convlib.summary(model, (3, 8, 8))
