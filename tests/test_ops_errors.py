"""Every bad argument raises ValueError or TypeError naming the parameter, the value and what is
allowed: one row of the table per case."""

from __future__ import annotations

import numpy as np
import pytest

import convlib

X = np.ones((1, 2, 5, 5))
W = np.ones((4, 2, 3, 3))
XT = np.ones((1, 4, 3, 3))
WT = np.ones((4, 2, 3, 3))

CONV_CASES = [
    # (description, kwargs overriding input/weight/..., exception, message pattern)
    (
        "input not 3-D or 4-D",
        {"input": np.ones((5, 5))},
        ValueError,
        r"input must be 3-D .* shape \(5, 5\)",
    ),
    (
        "weight of wrong rank",
        {"weight": np.ones((4, 2))},
        ValueError,
        r"weight must be 3 or 4 or 5-dimensional",
    ),
    (
        "channel mismatch",
        {"input": np.ones((1, 3, 5, 5))},
        ValueError,
        r"input has 3 channels .* expects .* = 2",
    ),
    (
        "groups not dividing input channels",
        {"groups": 3},
        ValueError,
        r"groups must divide the number of input channels; received groups=3",
    ),
    (
        "groups not dividing output channels",
        {"input": np.ones((1, 4, 5, 5)), "weight": np.ones((3, 2, 3, 3)), "groups": 2},
        ValueError,
        r"groups must divide the number of output channels",
    ),
    ("groups zero", {"groups": 0}, ValueError, r"groups must be a positive int; received groups=0"),
    (
        "groups float",
        {"groups": 1.0},
        TypeError,
        r"groups must be a positive int; received groups=1.0",
    ),
    (
        "stride zero",
        {"stride": 0},
        ValueError,
        r"stride must be a positive int .*received stride=0",
    ),
    (
        "stride negative in tuple",
        {"stride": (1, -1)},
        ValueError,
        r"stride must be .*received stride=\(1, -1\)",
    ),
    ("stride float", {"stride": 1.5}, TypeError, r"stride must be .*received stride=1.5"),
    ("stride bool", {"stride": True}, TypeError, r"stride must be .*received stride=True"),
    (
        "stride tuple of wrong length",
        {"stride": (1, 1, 1)},
        ValueError,
        r"stride must be .*tuple of 2 .*length 3",
    ),
    (
        "dilation zero",
        {"dilation": 0},
        ValueError,
        r"dilation must be a positive int .*received dilation=0",
    ),
    (
        "padding negative",
        {"padding": -1},
        ValueError,
        r"padding must be a non-negative int .*received padding=-1",
    ),
    (
        "padding unknown string",
        {"padding": "full"},
        ValueError,
        r"padding must be .*'valid', 'same', 'causal'; received padding='full'",
    ),
    ("padding float", {"padding": 0.5}, TypeError, r"padding must be .*received padding=0.5"),
    (
        "kernel larger than padded input",
        {"weight": np.ones((4, 2, 7, 7))},
        ValueError,
        r"kernel is larger than the padded input .*spans 7 cells .* has 5",
    ),
    (
        "dilated kernel larger than input",
        {"dilation": 3},
        ValueError,
        r"kernel_size=3 with dilation=3 spans 7 cells",
    ),
    (
        "same with stride 2",
        {"padding": "same", "stride": 2},
        ValueError,
        r"padding='same' is only supported for stride 1 .*received stride=2",
    ),
    (
        "unknown padding_mode",
        {"padding_mode": "mirror", "padding": 1},
        ValueError,
        r"padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular'; received padding_mode='mirror'",
    ),
    (
        "reflect padding wider than input",
        {
            "input": np.ones((1, 2, 3, 3)),
            "weight": np.ones((4, 2, 1, 1)),
            "padding": 3,
            "padding_mode": "reflect",
        },
        ValueError,
        r"reflect padding must be smaller than the input size .*received padding \(3, 3\) for size 3",
    ),
    (
        "circular padding wider than input",
        {
            "input": np.ones((1, 2, 3, 3)),
            "weight": np.ones((4, 2, 1, 1)),
            "padding": 4,
            "padding_mode": "circular",
        },
        ValueError,
        r"circular padding must not exceed the input size",
    ),
    (
        "bias of wrong length",
        {"bias": np.ones(3)},
        ValueError,
        r"bias must have shape \(4,\).*received bias with shape \(3,\)",
    ),
    ("bias of wrong rank", {"bias": np.ones((4, 1))}, ValueError, r"bias must be 1-dimensional"),
    (
        "non-numeric input",
        {"input": np.full((1, 2, 5, 5), "a")},
        TypeError,
        r"input must hold real numbers .*dtype <U1",
    ),
    (
        "boolean weight",
        {"weight": np.ones((4, 2, 3, 3), dtype=bool)},
        TypeError,
        r"weight must hold real numbers .*dtype bool",
    ),
    (
        "complex input",
        {"input": np.ones((1, 2, 5, 5), dtype=complex)},
        TypeError,
        r"input must hold real numbers",
    ),
    ("empty input", {"input": np.ones((1, 2, 0, 5))}, ValueError, r"input must not be empty"),
]


@pytest.mark.parametrize(
    "overrides,error,pattern", [c[1:] for c in CONV_CASES], ids=[c[0] for c in CONV_CASES]
)
def test_conv_rejects_bad_argument_with_clear_message(overrides, error, pattern):
    arguments = {"input": X, "weight": W, **overrides}
    with pytest.raises(error, match=pattern):
        convlib.conv(**arguments)


TRANSPOSE_CASES = [
    (
        "output_padding equal to stride and dilation",
        {"stride": 2, "output_padding": 2},
        ValueError,
        r"output_padding must be smaller than either stride or dilation .*received output_padding=2 with stride=2, dilation=1",
    ),
    (
        "output_padding negative",
        {"output_padding": -1},
        ValueError,
        r"output_padding must be a non-negative int",
    ),
    (
        "output_size outside range",
        {"stride": 2, "output_size": (9, 9)},
        ValueError,
        r"output_size must be within the valid sizes \(7, 7\) to \(8, 8\) .*received output_size=\(9, 9\)",
    ),
    (
        "output_size of wrong length",
        {"output_size": (5, 5, 5, 5, 5)},
        ValueError,
        r"output_size must be .*tuple of 2",
    ),
    (
        "weight first dim not input channels",
        {"weight": np.ones((2, 2, 3, 3))},
        ValueError,
        r"its first dimension must equal the 4 input channels",
    ),
    (
        "groups not dividing input channels",
        {"groups": 3},
        ValueError,
        r"groups must divide the number of input channels; received groups=3",
    ),
    (
        "string padding",
        {"padding": "same"},
        TypeError,
        r"padding must be a non-negative int .*received padding='same'",
    ),
    (
        "padding removing the output",
        {"padding": 3},
        ValueError,
        r"padding removes the whole output",
    ),
    ("bias of wrong length", {"bias": np.ones(4)}, ValueError, r"bias must have shape \(2,\)"),
    ("stride zero", {"stride": 0}, ValueError, r"stride must be a positive int"),
]


# (input dtype, weight dtype, bias dtype or None, torch's result for conv, for conv_transpose):
# a dtype name, or None where torch raises. Read from torch 2.13's conv2d and
# conv_transpose2d; integer inputs give float64 here (convlib computes them in float64).
DTYPE_CASES = [
    ("float32", "float64", None, None, None),
    ("float64", "float32", None, None, None),
    ("int64", "float64", None, None, None),
    ("float64", "int64", None, None, None),
    ("int64", "int32", None, None, None),
    ("float32", "float32", "float64", None, "float32"),
    ("float64", "float64", "float32", None, "float64"),
    ("float64", "float64", "int64", None, "float64"),
    ("int64", "int64", "float64", None, None),
    ("int64", "int64", "int32", None, "float64"),
    ("float16", "float16", "float32", None, None),
    ("float32", "float32", "float32", "float32", "float32"),
    ("int64", "int64", "int64", "float64", "float64"),
]


@pytest.mark.parametrize("x_dtype,w_dtype,b_dtype,conv_result,transpose_result", DTYPE_CASES)
def test_mixed_dtypes_are_rejected_where_torch_rejects_them(
    x_dtype, w_dtype, b_dtype, conv_result, transpose_result
):
    x = np.ones((1, 4, 3, 3), dtype=x_dtype)
    w = np.ones((4, 4, 3, 3), dtype=w_dtype)
    b = None if b_dtype is None else np.ones(4, dtype=b_dtype)
    for call, result in ((convlib.conv, conv_result), (convlib.conv_transpose, transpose_result)):
        if result is None:
            culprit = "weight" if w_dtype != x_dtype else "bias"
            pattern = rf"{culprit} must have .*received {culprit} with dtype {w_dtype if culprit == 'weight' else b_dtype} and input with dtype {x_dtype}"
            with pytest.raises(TypeError, match=pattern):
                call(x, w, b)
        else:
            assert call(x, w, b).dtype == np.dtype(result)


@pytest.mark.parametrize(
    "overrides,error,pattern",
    [c[1:] for c in TRANSPOSE_CASES],
    ids=[c[0] for c in TRANSPOSE_CASES],
)
def test_conv_transpose_rejects_bad_argument_with_clear_message(overrides, error, pattern):
    arguments = {"input": XT, "weight": WT, **overrides}
    with pytest.raises(error, match=pattern):
        convlib.conv_transpose(**arguments)


@pytest.mark.parametrize(
    "call,pattern",
    [
        (
            lambda: convlib.conv2d(np.ones((1, 1, 5)), np.ones((1, 1, 3))),
            r"conv2d expects a 4-D weight",
        ),
        (
            lambda: convlib.conv1d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3))),
            r"conv1d expects a 3-D weight",
        ),
        (
            lambda: convlib.conv_transpose3d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3))),
            r"conv_transpose3d expects a 5-D weight",
        ),
        (
            lambda: convlib.depthwise_conv(np.ones((1, 2, 5, 5)), np.ones((3, 1, 3, 3))),
            r"multiple of the input channels",
        ),
        (
            lambda: convlib.depthwise_conv(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 3))),
            r"depthwise weight must have shape \(C \* multiplier, 1",
        ),
        (
            lambda: convlib.pointwise_conv(np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3))),
            r"pointwise weight must have shape",
        ),
        (
            lambda: convlib.separate_kernel(np.ones((3, 3)), rank=4),
            r"rank must be at most min\(kernel.shape\) = 3; received rank=4",
        ),
        (lambda: convlib.separate_kernel(np.ones((3, 3, 3))), r"kernel must be 2-dimensional"),
        (
            lambda: convlib.conv_output_size(5, 3, padding="same", stride=2),
            r"padding='same' is only supported for stride 1",
        ),
        (
            lambda: convlib.conv_output_size((5, 5), (3, 3, 3)),
            r"tuple arguments must all have the same length",
        ),
        (
            lambda: convlib.conv_transpose_output_size(4, 3, stride=1, output_padding=1),
            r"output_padding must be smaller than either stride or dilation",
        ),
        (
            lambda: convlib.output_padding_for(10, 4, 3, stride=2, padding=1),
            r"output_size must be within the valid sizes \(7,\) to \(8,\)",
        ),
        (
            lambda: convlib.receptive_field([(3, 1)]),
            r"each layer must be \(kernel_size, stride, dilation\)",
        ),
        (
            lambda: convlib.pad(np.ones((1, 3)), [(3, 3)], "reflect"),
            r"reflect padding must be smaller",
        ),
    ],
    ids=[
        "conv2d on 1-D weight",
        "conv1d on 2-D weight",
        "conv_transpose3d on 2-D weight",
        "depthwise weight not multiple of channels",
        "depthwise weight with C_in/groups > 1",
        "pointwise weight with 3x3 kernel",
        "separate_kernel rank too large",
        "separate_kernel 3-D kernel",
        "same with stride in shapes",
        "mismatched tuple lengths",
        "output_padding >= stride in shapes",
        "output_size outside range in shapes",
        "receptive field layer tuple too short",
        "pad reflect too wide",
    ],
)
def test_helpers_reject_bad_argument_with_clear_message(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()
