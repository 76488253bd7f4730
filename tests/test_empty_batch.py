"""A batch of no samples gives an empty result of the right shape, as in PyTorch.

torch accepts ``N = 0`` in every convolution, pooling, resampling and padding function and in
every module; only the batch may be empty (an empty channel or spatial dimension is an error
here, and in torch for pooling and for spatial sizes), except in pixel (un)shuffle, which torch
computes for any empty dimension. The expected shapes were read from torch
2.13; with torch installed, the last test checks them against it live.
"""

from __future__ import annotations

import numpy as np
import pytest

import convlib
from convlib import algorithms, reference
from convlib.functional import pooling, resampling, separable


def zeros(*shape):
    return np.zeros(shape, dtype=np.float32)


# (name, convlib call for a batch of n, the torch call of the same arguments for a batch of 0
# or None, torch's output shape for a batch of 0)
CASES = [
    ("conv1d", lambda n: convlib.conv1d(zeros(n, 4, 9), zeros(2, 4, 3)),
     lambda t, F: F.conv1d(t.zeros(0, 4, 9), t.zeros(2, 4, 3)), (0, 2, 7)),
    ("conv2d stride 2 padding 1",
     lambda n: convlib.conv2d(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3), stride=2, padding=1),
     lambda t, F: F.conv2d(t.zeros(0, 4, 5, 5), t.zeros(2, 4, 3, 3), stride=2, padding=1),
     (0, 2, 3, 3)),
    ("conv2d reflect padding",
     lambda n: convlib.conv2d(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3), padding=1,
                            padding_mode="reflect"),
     lambda t, F: t.nn.Conv2d(4, 2, 3, padding=1, padding_mode="reflect")(t.zeros(0, 4, 5, 5)),
     (0, 2, 5, 5)),
    ("conv2d depthwise", lambda n: convlib.conv2d(zeros(n, 4, 5, 5), zeros(4, 1, 3, 3), groups=4),
     lambda t, F: F.conv2d(t.zeros(0, 4, 5, 5), t.zeros(4, 1, 3, 3), groups=4), (0, 4, 3, 3)),
    ("conv2d 1x1 stride 2",
     lambda n: convlib.conv2d(zeros(n, 4, 5, 5), zeros(2, 4, 1, 1), stride=2),
     lambda t, F: F.conv2d(t.zeros(0, 4, 5, 5), t.zeros(2, 4, 1, 1), stride=2), (0, 2, 3, 3)),
    ("conv3d", lambda n: convlib.conv3d(zeros(n, 4, 5, 5, 5), zeros(2, 4, 3, 3, 3)),
     lambda t, F: F.conv3d(t.zeros(0, 4, 5, 5, 5), t.zeros(2, 4, 3, 3, 3)), (0, 2, 3, 3, 3)),
    ("conv_transpose2d",
     lambda n: convlib.conv_transpose2d(zeros(n, 4, 5, 5), zeros(4, 2, 3, 3), stride=2),
     lambda t, F: F.conv_transpose2d(t.zeros(0, 4, 5, 5), t.zeros(4, 2, 3, 3), stride=2),
     (0, 2, 11, 11)),
    ("conv_transpose2d more outputs than inputs",
     lambda n: convlib.conv_transpose2d(zeros(n, 2, 5, 5), zeros(2, 4, 3, 3), stride=2),
     lambda t, F: F.conv_transpose2d(t.zeros(0, 2, 5, 5), t.zeros(2, 4, 3, 3), stride=2),
     (0, 4, 11, 11)),
    ("conv_transpose2d output_size",
     lambda n: convlib.conv_transpose2d(zeros(n, 4, 5, 5), zeros(4, 2, 3, 3), stride=2,
                                      output_size=(12, 12)),
     lambda t, F: t.nn.ConvTranspose2d(4, 2, 3, stride=2, bias=False)(
         t.zeros(0, 4, 5, 5), output_size=[12, 12]),
     (0, 2, 12, 12)),
    ("conv_transpose1d", lambda n: convlib.conv_transpose1d(zeros(n, 4, 9), zeros(4, 2, 8),
                                                          stride=4, padding=2),
     lambda t, F: F.conv_transpose1d(t.zeros(0, 4, 9), t.zeros(4, 2, 8), stride=4, padding=2),
     (0, 2, 36)),
    ("depthwise_conv", lambda n: separable.depthwise_conv(zeros(n, 4, 5, 5), zeros(4, 1, 3, 3)),
     None, (0, 4, 3, 3)),
    ("separable_conv",
     lambda n: separable.separable_conv(zeros(n, 4, 5, 5), zeros(4, 1, 3, 3), zeros(2, 4, 1, 1)),
     None, (0, 2, 3, 3)),
    ("im2col_conv", lambda n: algorithms.im2col_conv(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3)),
     None, (0, 2, 3, 3)),
    ("fft_conv", lambda n: algorithms.fft_conv(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3)),
     None, (0, 2, 3, 3)),
    ("winograd_conv", lambda n: algorithms.winograd_conv(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3)),
     None, (0, 2, 3, 3)),
    ("reference.conv", lambda n: reference.conv(zeros(n, 4, 5, 5), zeros(2, 4, 3, 3)),
     None, (0, 2, 3, 3)),
    ("reference.conv_transpose",
     lambda n: reference.conv_transpose(zeros(n, 4, 5, 5), zeros(4, 2, 3, 3), stride=2),
     None, (0, 2, 11, 11)),
    ("max_pool1d", lambda n: pooling.max_pool1d(zeros(n, 4, 5), 2),
     lambda t, F: F.max_pool1d(t.zeros(0, 4, 5), 2), (0, 4, 2)),
    ("max_pool2d", lambda n: pooling.max_pool2d(zeros(n, 4, 5, 5), 2, padding=1, ceil_mode=True),
     lambda t, F: F.max_pool2d(t.zeros(0, 4, 5, 5), 2, padding=1, ceil_mode=True),
     (0, 4, 3, 3)),
    ("max_pool3d", lambda n: pooling.max_pool3d(zeros(n, 4, 5, 5, 5), 2),
     lambda t, F: F.max_pool3d(t.zeros(0, 4, 5, 5, 5), 2), (0, 4, 2, 2, 2)),
    ("avg_pool2d", lambda n: pooling.avg_pool2d(zeros(n, 4, 5, 5), 3, stride=2, padding=1),
     lambda t, F: F.avg_pool2d(t.zeros(0, 4, 5, 5), 3, stride=2, padding=1), (0, 4, 3, 3)),
    ("adaptive_avg_pool2d", lambda n: pooling.adaptive_avg_pool2d(zeros(n, 4, 5, 5), 2),
     lambda t, F: F.adaptive_avg_pool2d(t.zeros(0, 4, 5, 5), 2), (0, 4, 2, 2)),
    ("interpolate nearest", lambda n: resampling.interpolate(zeros(n, 4, 5, 5), scale_factor=2),
     lambda t, F: F.interpolate(t.zeros(0, 4, 5, 5), scale_factor=2), (0, 4, 10, 10)),
    ("interpolate bilinear",
     lambda n: resampling.interpolate(zeros(n, 4, 5, 5), size=(7, 7), mode="bilinear"),
     lambda t, F: F.interpolate(t.zeros(0, 4, 5, 5), size=(7, 7), mode="bilinear"),
     (0, 4, 7, 7)),
    ("interpolate trilinear",
     lambda n: resampling.interpolate(zeros(n, 4, 5, 5, 5), size=7, mode="trilinear"),
     lambda t, F: F.interpolate(t.zeros(0, 4, 5, 5, 5), size=7, mode="trilinear"),
     (0, 4, 7, 7, 7)),
    ("pixel_shuffle", lambda n: resampling.pixel_shuffle(zeros(n, 8, 5, 5), 2),
     lambda t, F: F.pixel_shuffle(t.zeros(0, 8, 5, 5), 2), (0, 2, 10, 10)),
    # torch 2.13 returns the input's shape (0, 2, 4, 4) here, though (1, 2, 4, 4) gives
    # (1, 8, 2, 2): convlib gives the shape the rearrangement has for every other batch size
    ("pixel_unshuffle", lambda n: resampling.pixel_unshuffle(zeros(n, 2, 4, 4), 2), None,
     (0, 8, 2, 2)),
    ("pad reflect", lambda n: convlib.pad(zeros(n, 4, 5, 5), [(1, 1), (2, 2)], "reflect"),
     lambda t, F: F.pad(t.zeros(0, 4, 5, 5), (2, 2, 1, 1), mode="reflect"), (0, 4, 7, 9)),
    ("pad circular", lambda n: convlib.pad(zeros(n, 4, 5, 5), [(1, 1), (2, 2)], "circular"),
     lambda t, F: F.pad(t.zeros(0, 4, 5, 5), (2, 2, 1, 1), mode="circular"), (0, 4, 7, 9)),
]  # fmt: skip
IDS = [name for name, *_ in CASES]


@pytest.mark.parametrize("name,call,torch_call,shape", CASES, ids=IDS)
def test_a_batch_of_no_samples_gives_torchs_shape_and_one_samples_dtype(
    name, call, torch_call, shape
):
    empty, one = call(0), call(1)
    assert empty.shape == shape == (0, *one.shape[1:])
    assert empty.dtype == one.dtype


@pytest.mark.parametrize("method", convlib.METHODS)
def test_every_method_gives_an_empty_result_for_an_empty_batch(method):
    x, w = zeros(0, 4, 6, 6), zeros(2, 4, 3, 3)
    assert convlib.conv(x, w, stride=2, method=method).shape == (0, 2, 2, 2)
    assert convlib.conv_transpose(x, zeros(4, 2, 3, 3), stride=2, method=method).shape == (
        0, 2, 13, 13,
    )  # fmt: skip


def test_max_pool_indices_of_an_empty_batch_are_empty_too():
    values, indices = pooling.max_pool2d(zeros(0, 4, 5, 5), 2, return_indices=True)
    assert values.shape == indices.shape == (0, 4, 2, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: convlib.conv2d(zeros(1, 4, 0, 5), zeros(2, 4, 1, 1)),
        lambda: convlib.conv2d(zeros(0, 4, 0, 5), zeros(2, 4, 1, 1)),
        lambda: convlib.conv2d(zeros(4, 0, 5), zeros(2, 4, 1, 1)),  # unbatched: no batch
        lambda: convlib.conv_transpose2d(zeros(0, 4, 5, 0), zeros(4, 2, 3, 3)),
        lambda: pooling.max_pool1d(zeros(1, 0, 4), 2),
        lambda: resampling.interpolate(zeros(0, 4, 0, 5), size=(3, 3)),
    ],
    ids=[
        "spatial",
        "spatial with empty batch",
        "unbatched",
        "transposed spatial",
        "pool channels",
        "interpolate spatial",
    ],  # fmt: skip
)
def test_only_the_batch_may_be_empty(call):
    with pytest.raises(ValueError, match=r"input must not be empty"):
        call()


# (input shape, factor, pixel_shuffle's shape, pixel_unshuffle's shape or None if it rejects);
# torch 2.13's pixel_shuffle gives these shapes. Its pixel_unshuffle returns an empty input
# unchanged on CPU, though its shape function (the meta device) gives the rearrangement's shape,
# as here and as for an empty batch above.
EMPTY_PIXEL_CASES = [
    ((1, 0, 1, 1), 2, (1, 0, 2, 2), None),
    ((1, 4, 0, 3), 2, (1, 1, 0, 6), None),
    ((4, 0, 3), 2, (1, 0, 6), None),
    ((1, 4, 2, 0), 2, (1, 1, 4, 0), (1, 16, 1, 0)),
    ((1, 0, 2, 2), 2, (1, 0, 4, 4), (1, 0, 1, 1)),
    ((1, 0, 0, 0), 2, (1, 0, 0, 0), (1, 0, 0, 0)),
]


@pytest.mark.parametrize("shape,r,shuffled,unshuffled", EMPTY_PIXEL_CASES)
def test_pixel_shuffle_and_unshuffle_accept_empty_channel_and_spatial_dimensions(
    shape, r, shuffled, unshuffled
):
    assert resampling.pixel_shuffle(zeros(*shape), r).shape == shuffled
    assert convlib.PixelShuffle(r).output_shape(shape) == shuffled
    if unshuffled is None:  # torch too: the height or width is not divisible by r
        with pytest.raises(ValueError, match=r"divisible by downscale_factor"):
            resampling.pixel_unshuffle(zeros(*shape), r)
        with pytest.raises(ValueError, match=r"divisible by downscale_factor"):
            convlib.PixelUnshuffle(r).output_shape(shape)
    else:
        assert resampling.pixel_unshuffle(zeros(*shape), r).shape == unshuffled
        assert convlib.PixelUnshuffle(r).output_shape(shape) == unshuffled


def test_the_weight_may_not_be_empty():
    with pytest.raises(ValueError, match=r"weight must not be empty"):
        convlib.conv2d(zeros(0, 4, 5, 5), zeros(0, 4, 3, 3))


def test_layer_specs_and_summaries_keep_an_empty_batch():
    model = convlib.Sequential(convlib.Conv2d(3, 8, 3), convlib.Flatten(), convlib.Linear(288, 2))
    assert model.output_shape((0, 3, 8, 8)) == (0, 2)
    assert model.macs((0, 3, 8, 8)) == 0
    assert convlib.MaxPool2d(2).output_shape((0, 3, 8, 8)) == (0, 3, 4, 4)
    assert convlib.ConvTranspose2d(3, 2, 3, stride=2).output_shape((0, 3, 8, 8)) == (0, 2, 17, 17)
    summary = convlib.summary(model, (0, 3, 8, 8))
    assert summary.output_shape == (0, 2)
    with pytest.raises(ValueError, match=r"only the batch may be 0.*\(1, 0, 8, 8\)"):
        model.output_shape((1, 0, 8, 8))
    with pytest.raises(ValueError, match=r"only the batch may be 0.*\(0, 8, 8\)"):
        convlib.Conv2d(3, 8, 3).output_shape((0, 8, 8))  # unbatched: 0 channels


@pytest.mark.parametrize(
    "name,call,torch_call,shape", [c for c in CASES if c[2] is not None],
    ids=[c[0] for c in CASES if c[2] is not None],
)  # fmt: skip
def test_empty_batch_shapes_are_torchs(name, call, torch_call, shape):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    with torch.no_grad():
        expected = torch_call(torch, F)
    assert tuple(expected.shape) == shape
    assert call(0).shape == shape
