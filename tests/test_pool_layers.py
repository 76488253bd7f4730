"""Pooling and resampling specs: output shapes and errors exactly as the torch modules give."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

import convlib


@pytest.mark.parametrize(
    "layer,input_shape,expected",
    [
        (convlib.MaxPool1d(3, 2), (4, 9), (4, 4)),
        (convlib.MaxPool1d(3, 2, 1, 2, ceil_mode=True), (2, 4, 10), (2, 4, 5)),
        (convlib.MaxPool2d(3, 2, 1), (64, 112, 112), (64, 56, 56)),
        (convlib.MaxPool2d(2, ceil_mode=True), (8, 7, 7), (8, 4, 4)),
        (convlib.MaxPool3d((1, 2, 2)), (2, 3, 4, 8, 8), (2, 3, 4, 4, 4)),
        (convlib.AvgPool1d(2), (3, 7), (3, 3)),
        (convlib.AvgPool2d(2), (8, 7, 7), (8, 3, 3)),
        (
            convlib.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
            (1, 8, 6, 6),
            (1, 8, 4, 4),
        ),
        (convlib.AvgPool3d(2, padding=1), (1, 5, 5, 5), (1, 3, 3, 3)),
        (convlib.AdaptiveAvgPool2d((None, 1)), (8, 5, 9), (8, 5, 1)),
        (convlib.AdaptiveAvgPool2d(7), (2, 512, 14, 14), (2, 512, 7, 7)),
        (convlib.Upsample(scale_factor=2), (1, 3, 5, 6), (1, 3, 10, 12)),
        (convlib.Upsample(scale_factor=1.5, mode="linear"), (2, 4, 7), (2, 4, 10)),
        (
            convlib.Upsample(size=(4, 9), mode="bilinear", align_corners=True),
            (1, 2, 3, 3),
            (1, 2, 4, 9),
        ),
        (
            convlib.Upsample(scale_factor=(2, 1, 3), mode="trilinear"),
            (1, 1, 2, 2, 2),
            (1, 1, 4, 2, 6),
        ),
        (convlib.PixelShuffle(2), (12, 5, 6), (3, 10, 12)),
        (convlib.PixelShuffle(3), (2, 18, 4, 4), (2, 2, 12, 12)),
        (convlib.PixelUnshuffle(2), (3, 10, 12), (12, 5, 6)),
    ],
)
def test_output_shape_of_pooling_and_resampling(layer, input_shape, expected):
    assert layer.output_shape(input_shape) == expected
    assert layer.num_params == 0 and layer.macs(input_shape) == 0


@pytest.mark.parametrize(
    "make,pattern",
    [
        (
            lambda: convlib.MaxPool2d(3, padding=2),
            r"padding must be at most half of the kernel size",
        ),
        (lambda: convlib.AvgPool1d(2, padding=2), r"padding must be at most half"),
        (lambda: convlib.MaxPool2d(0), r"kernel_size must be a positive int"),
        (
            lambda: convlib.AvgPool2d(2, divisor_override=0),
            r"divisor_override must be None or a non-zero int; received 0",
        ),
        (
            lambda: convlib.AvgPool2d(2, divisor_override=2.0),
            r"divisor_override must be None or a non-zero int; received divisor_override=2.0",
        ),
        (
            lambda: convlib.AvgPool2d(2, padding=(1, 1, 1)),
            r"padding must be a non-negative int or a tuple of 2",
        ),
        (lambda: convlib.Upsample(), r"Upsample needs either size or scale_factor"),
        (lambda: convlib.Upsample(4, 2), r"only one of size or scale_factor"),
        (lambda: convlib.Upsample(scale_factor=2, mode="cubic"), r"mode must be one of"),
        (
            lambda: convlib.Upsample(scale_factor=2, align_corners=True),
            r"align_corners can only be set",
        ),
        (lambda: convlib.Upsample(scale_factor=-1), r"scale_factor must be a positive number"),
        (lambda: convlib.PixelShuffle(0), r"upscale_factor must be a positive int"),
        (
            lambda: convlib.PixelShuffle(2).output_shape((6, 4, 4)),
            r"divisible by upscale_factor\*\*2 = 4",
        ),
        (
            lambda: convlib.PixelUnshuffle(2).output_shape((1, 5, 4)),
            r"divisible by downscale_factor = 2",
        ),
        (
            lambda: convlib.Upsample(scale_factor=2, mode="bilinear").output_shape((1, 2, 4)),
            r"expected a 4-D input_shape",
        ),
        (
            lambda: convlib.Upsample(scale_factor=(2, 2)).output_shape((1, 2, 4)),
            r"one entry per spatial dimension",
        ),
        (
            lambda: convlib.MaxPool2d(2).output_shape((3, 4)),
            r"MaxPool2d expected input_shape \(C, H, W\) or \(N, C, H, W\)",
        ),
        (
            lambda: convlib.MaxPool1d(4).output_shape((3, 2)),
            r"pooling window is larger than the padded input",
        ),
    ],
)
def test_pooling_and_resampling_reject_what_torch_rejects(make, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        make()


@pytest.mark.parametrize(
    "layer,same",
    [
        (lambda: convlib.MaxPool2d((2,)), convlib.MaxPool2d(2)),
        (lambda: convlib.MaxPool2d(2, stride=(1,)), convlib.MaxPool2d(2, stride=1)),
        (lambda: convlib.MaxPool3d(2, padding=(1,)), convlib.MaxPool3d(2, padding=1)),
        (lambda: convlib.MaxPool2d(2, dilation=(2,)), convlib.MaxPool2d(2, dilation=2)),
        (lambda: convlib.AvgPool2d(2, padding=(1,)), convlib.AvgPool2d(2, padding=1)),
        (lambda: convlib.AvgPool3d((3,), stride=(2,)), convlib.AvgPool3d(3, stride=2)),
    ],
)
def test_one_element_tuple_arguments_expand_to_every_spatial_dimension(layer, same):
    # torch.nn.AvgPool2d(2, padding=(1,)) pads both dimensions by 1
    layer = layer()
    shape = (2, 3) + (7,) * (len(same.kernel_size))
    assert layer.output_shape(shape) == same.output_shape(shape)
    assert (layer.kernel_size, layer.stride, layer.padding) == (
        same.kernel_size, same.stride, same.padding
    )  # fmt: skip


@pytest.mark.parametrize("make", [convlib.MaxPool2d, convlib.AvgPool2d, convlib.AvgPool3d])
@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_stride_means_the_kernel_size_as_in_avg_pool(make, empty):
    layer = make(2, stride=empty)
    assert layer.stride == layer.kernel_size
    shape = (1, 2) + (6,) * len(layer.kernel_size)
    assert layer.output_shape(shape) == make(2).output_shape(shape)


@pytest.mark.parametrize("divisor_override", [-2, -1, 3, np.int64(-4)])
def test_a_negative_divisor_override_is_accepted_as_by_avg_pool(divisor_override):
    for make in (convlib.AvgPool2d, convlib.AvgPool3d):
        assert make(2, divisor_override=divisor_override).divisor_override == divisor_override


def _torch_pools(torch, nd):
    nn = torch.nn
    max_pool, avg_pool = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)[nd - 1], (
        nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d
    )[nd - 1]  # fmt: skip
    ours_max, ours_avg = (convlib.MaxPool1d, convlib.MaxPool2d, convlib.MaxPool3d)[nd - 1], (
        convlib.AvgPool1d, convlib.AvgPool2d, convlib.AvgPool3d
    )[nd - 1]  # fmt: skip
    for k, s, p, d, ceil in itertools.product(
        (1, 2, 3), (None, 1, 2), (0, 1), (1, 2), (False, True)
    ):
        yield (
            functools.partial(ours_max, k, s, p, d, False, ceil),
            max_pool(k, s, p, d, False, ceil),
        )
        if d == 1:
            yield functools.partial(ours_avg, k, s, p, ceil, False), avg_pool(k, s, p, ceil, False)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_pool_specs_match_torch_modules_batched_and_unbatched(nd):
    torch = pytest.importorskip("torch")
    for size in (1, 2, 5, 6):
        shape = (2, *(size + i for i in range(nd)))
        for make, module in _torch_pools(torch, nd):
            for batch in ((), (3,)):
                try:
                    expected = tuple(module(torch.zeros(*batch, *shape)).shape)
                except RuntimeError:
                    with pytest.raises(ValueError):
                        make().output_shape((*batch, *shape))
                    continue
                assert make().output_shape((*batch, *shape)) == expected, (module, shape)


def test_resampling_specs_match_torch_modules():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    cases = [
        (convlib.Upsample(scale_factor=2), nn.Upsample(scale_factor=2), (1, 3, 5, 7)),
        (
            convlib.Upsample(scale_factor=1.7, mode="linear"),
            nn.Upsample(scale_factor=1.7, mode="linear"),
            (2, 3, 9),
        ),
        (convlib.Upsample(scale_factor=0.5), nn.Upsample(scale_factor=0.5), (1, 1, 7, 5)),
        (
            convlib.Upsample(size=6, mode="trilinear"),
            nn.Upsample(size=6, mode="trilinear"),
            (1, 1, 2, 3, 4),
        ),
        (convlib.PixelShuffle(2), nn.PixelShuffle(2), (2, 8, 3, 5)),
        (convlib.PixelShuffle(2), nn.PixelShuffle(2), (8, 3, 5)),
        (convlib.PixelUnshuffle(3), nn.PixelUnshuffle(3), (1, 2, 9, 6)),
    ]
    for ours, theirs, shape in cases:
        assert ours.output_shape(shape) == tuple(theirs(torch.zeros(shape)).shape)


def test_upsample_names_the_input_ranks_it_takes():
    with pytest.raises(ValueError, match=r"expected a 3-D to 5-D input_shape"):
        convlib.Upsample(scale_factor=2).output_shape((3,))
