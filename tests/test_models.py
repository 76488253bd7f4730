"""The model zoo matches the published parameter counts exactly and MACs within 1%."""

from __future__ import annotations

import pytest

import convlib
from convlib import models

PUBLISHED = {
    # name: (parameters, parameters with BN running statistics or None, MACs or None)
    "alexnet": (60_965_224, None, None),
    "vgg16": (138_357_544, None, 15.47e9),
    "resnet50": (25_557_032, None, 4.09e9),
    "resnext50_32x4d": (25_028_904, None, 4.23e9),
    "mobilenet_v1": (4_231_976, 4_253_864, 569e6),
    "mobilenet_v2": (3_504_872, 3_538_984, 300e6),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_count_equals_the_published_count(name):
    builder, shape = models.MODELS[name]
    model = builder()
    assert model.num_params == PUBLISHED[name][0]
    assert convlib.summary(model, shape).total_params == PUBLISHED[name][0]


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[2]])
def test_macs_are_within_one_percent_of_the_published_figure(name):
    builder, shape = models.MODELS[name]
    assert builder().macs(shape) == pytest.approx(PUBLISHED[name][2], rel=0.01)


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[1]])
def test_keras_total_adds_batch_norm_running_statistics(name):
    builder, shape = models.MODELS[name]
    assert (
        convlib.summary(builder(), shape, include_buffers=True).total_params == PUBLISHED[name][1]
    )


def test_ungrouped_alexnet_has_more_parameters():
    assert models.alexnet(groups=1).num_params == 62_378_344
    grouped, single = models.alexnet(), models.alexnet(groups=1)
    conv2_grouped = grouped["features"]["conv2"].num_params
    assert conv2_grouped == 256 * 48 * 25 + 256
    assert single["features"]["conv2"].num_params == 256 * 96 * 25 + 256


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_model_maps_its_input_to_class_scores(name):
    builder, shape = models.MODELS[name]
    assert builder().output_shape(shape) == (1000,)


def test_alexnet_needs_227_pixels_for_its_9216_features():
    with pytest.raises(ValueError, match=r"layer 'classifier.1' .*Linear expected .*9216"):
        models.alexnet().output_shape((3, 224, 224))
