"""Every setting PyTorch rejects in pooling, interpolate and pixel shuffle raises ValueError or
TypeError naming the parameter and the value: one row of the table per case. Where torch is
installed, each row also checks that PyTorch rejects the same call."""

from __future__ import annotations

import numpy as np
import pytest

import convlib

X1 = np.ones((1, 2, 6))
X2 = np.ones((1, 2, 6, 6))
X3 = np.ones((1, 2, 4, 4, 4))

CASES = [
    # (description, function name, args, kwargs, exception, message pattern)
    ("kernel_size zero", "max_pool2d", (X2, 0), {}, ValueError, r"kernel_size must be a positive"),
    ("kernel_size float", "avg_pool2d", (X2, 2.0), {}, TypeError, r"kernel_size must be .*2.0"),
    (
        "stride zero",
        "max_pool1d",
        (X1, 2, 0),
        {},
        ValueError,
        r"stride must be .*received stride=0",
    ),
    (
        "kernel tuple of wrong length",
        "max_pool2d",
        (X2, (2, 2, 2)),
        {},
        ValueError,
        r"kernel_size must be .*tuple of 2 .*length 3",
    ),
    (
        "negative padding",
        "avg_pool2d",
        (X2, 3),
        {"padding": -1},
        ValueError,
        r"padding must be a non-negative int",
    ),
    (
        "padding more than half the kernel",
        "max_pool2d",
        (X2, 2),
        {"padding": 2},
        ValueError,
        r"padding must be at most half .*kernel.*received padding=\(2, 2\)",
    ),
    (
        "dilation zero",
        "max_pool2d",
        (X2, 2),
        {"dilation": 0},
        ValueError,
        r"dilation must be a positive int",
    ),
    (
        "window larger than the padded input",
        "max_pool2d",
        (X2, 3),
        {"dilation": 3},
        ValueError,
        r"pooling window is larger than the padded input.*dilation=\(3, 3\) gives output size 0",
    ),
    (
        "avg_pool3d input smaller than the kernel",
        "avg_pool3d",
        (np.ones((1, 1, 4, 4, 1)), (1, 1, 2)),
        {"padding": (0, 0, 1)},
        ValueError,
        r"avg_pool3d needs an input at least as large as the kernel",
    ),
    (
        "ceil_mode not a bool",
        "max_pool1d",
        (X1, 2),
        {"ceil_mode": "yes"},
        TypeError,
        r"ceil_mode must be True or False; received ceil_mode='yes'",
    ),
    (
        "divisor_override zero",
        "avg_pool2d",
        (X2, 2),
        {"divisor_override": 0},
        ValueError,
        r"divisor_override must be None or a non-zero int",
    ),
    (
        "input of wrong rank",
        "max_pool2d",
        (np.ones((6, 6)), 2),
        {},
        ValueError,
        r"max_pool2d expects input of shape \(C, H, W\) or \(N, C, H, W\).*\(6, 6\)",
    ),
    (
        "3-D pooling of 2-D data",
        "avg_pool3d",
        (X1, 2),
        {},
        ValueError,
        r"avg_pool3d expects input of shape",
    ),
    ("empty input", "max_pool1d", (np.ones((1, 0, 4)), 2), {}, ValueError, r"must not be empty"),
    (
        "adaptive 1-D output size None",
        "adaptive_avg_pool1d",
        (X1, None),
        {},
        TypeError,
        r"output_size must be .*received output_size=None",
    ),
    (
        "interpolate unknown mode",
        "interpolate",
        (X2,),
        {"size": 3, "mode": "cubic"},
        ValueError,
        r"mode must be one of 'nearest', 'nearest-exact', 'linear', 'bilinear', 'trilinear'",
    ),
    (
        "bilinear on 3-D input",
        "interpolate",
        (X1,),
        {"size": 3, "mode": "bilinear"},
        ValueError,
        r"mode='bilinear' needs a 4-D input .*\(1, 2, 6\)",
    ),
    (
        "linear on 4-D input",
        "interpolate",
        (X2,),
        {"size": 3, "mode": "linear"},
        ValueError,
        r"mode='linear' needs a 3-D input",
    ),
    (
        "interpolate unbatched",
        "interpolate",
        (np.ones((2, 6)),),
        {"size": 3},
        ValueError,
        r"input must be 3 or 4 or 5-dimensional",
    ),
    (
        "align_corners with nearest",
        "interpolate",
        (X2,),
        {"size": 3, "align_corners": True},
        ValueError,
        r"align_corners can only be set with the interpolating modes .*mode='nearest'",
    ),
    (
        "both size and scale_factor",
        "interpolate",
        (X2,),
        {"size": 3, "scale_factor": 2},
        ValueError,
        r"exactly one of size and scale_factor",
    ),
    (
        "neither size nor scale_factor",
        "interpolate",
        (X2,),
        {},
        ValueError,
        r"exactly one of size and scale_factor .*size=None, scale_factor=None",
    ),
    (
        "recompute_scale_factor with size",
        "interpolate",
        (X2,),
        {"size": 3, "recompute_scale_factor": True},
        ValueError,
        r"recompute_scale_factor is not meaningful with an explicit size",
    ),
    (
        "size of wrong length",
        "interpolate",
        (X2,),
        {"size": (3, 3, 3)},
        ValueError,
        r"size must be an int or a tuple of 2 ints",
    ),
    ("size zero", "interpolate", (X2,), {"size": 0}, ValueError, r"size must be a positive"),
    (
        "scale_factor giving an empty output",
        "interpolate",
        (X2,),
        {"scale_factor": 0.1},
        ValueError,
        r"scale_factor gives an empty output",
    ),
    (
        "negative scale_factor",
        "interpolate",
        (X2,),
        {"scale_factor": -2.0},
        ValueError,
        r"scale_factor gives an empty output",
    ),
    (
        "scale_factor tuple of wrong length",
        "interpolate",
        (X2,),
        {"scale_factor": (2.0,)},
        ValueError,
        r"scale_factor must be .*tuple of 2 positive numbers",
    ),
    (
        "pixel_shuffle of 2-D input",
        "pixel_shuffle",
        (np.ones((4, 4)), 2),
        {},
        ValueError,
        r"pixel_shuffle expects an input of at least 3 dimensions",
    ),
    (
        "pixel_shuffle channels not divisible",
        "pixel_shuffle",
        (np.ones((3, 2, 2)), 2),
        {},
        ValueError,
        r"divisible by upscale_factor\*\*2 = 4; .*C = 3",
    ),
    (
        "pixel_shuffle factor zero",
        "pixel_shuffle",
        (np.ones((4, 2, 2)), 0),
        {},
        ValueError,
        r"upscale_factor must be a positive int; received upscale_factor=0",
    ),
    (
        "pixel_unshuffle size not divisible",
        "pixel_unshuffle",
        (np.ones((1, 3, 4)), 2),
        {},
        ValueError,
        r"height and width divisible by downscale_factor=2",
    ),
]


@pytest.mark.parametrize(
    "name,args,kwargs,error,pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rejects_bad_argument_with_clear_message(name, args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        getattr(convlib, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", [c[1:4] for c in CASES], ids=[c[0] for c in CASES])
def test_torch_rejects_the_same_settings(name, args, kwargs):
    torch = pytest.importorskip("torch")
    function = getattr(torch.nn.functional, name)
    args = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    with pytest.raises((RuntimeError, ValueError, TypeError, NotImplementedError)):
        function(*args, **kwargs)


@pytest.mark.parametrize("divisor", [2.0, np.float64(2), "2"])
def test_a_divisor_override_that_is_not_an_int_is_a_type_error(divisor):
    with pytest.raises(TypeError, match=r"divisor_override must be None or a non-zero int"):
        convlib.avg_pool2d(np.ones((1, 1, 4, 4)), 2, divisor_override=divisor)


def test_pool_and_resampling_specs_name_the_argument_they_refuse():
    with pytest.raises(ValueError, match=r"^output_size must be"):
        convlib.AdaptiveAvgPool2d((1, 2, 3))
    with pytest.raises(ValueError, match=r"^downscale_factor must be"):
        convlib.PixelUnshuffle(0)


def test_avg_pool1d_spec_counts_the_padding_by_default_as_torch():
    assert convlib.AvgPool1d(3, padding=1).count_include_pad is True
    assert convlib.AvgPool1d(3, padding=1, count_include_pad=False).count_include_pad is False
