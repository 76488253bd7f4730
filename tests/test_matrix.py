"""The convolution matrix reproduces conv, and its transpose reproduces conv_transpose."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from strategies import conv_configs

import convlib


@given(config=conv_configs(dims=(1, 2), modes=("zeros",), batched=False, max_size=6))
def test_matrix_times_input_equals_conv(config):
    x, w, _ = config.arrays(seed=0)
    kwargs = {k: v for k, v in config.kwargs.items() if k != "padding_mode"}
    matrix = convlib.conv_matrix(x.shape, w, **kwargs)
    np.testing.assert_allclose(matrix @ x.ravel(), convlib.conv(x, w, **kwargs).ravel(), atol=1e-12)


@given(config=conv_configs(dims=(1, 2), modes=("zeros",), batched=False, max_size=6))
def test_matrix_transpose_times_output_equals_conv_transpose(config):
    x, w, _ = config.arrays(seed=1)
    if isinstance(config.padding, str) and config.padding != "valid":
        pads = convlib.geometry.shapes.resolve_padding(
            config.padding, w.shape[2:], 1, config.dilation
        )
        if any(a != b for a, b in pads):
            return  # asymmetric padding has no conv_transpose counterpart (symmetric only)
    kwargs = {k: v for k, v in config.kwargs.items() if k != "padding_mode"}
    matrix = convlib.conv_matrix(x.shape, w, **kwargs)
    y = np.random.default_rng(2).standard_normal(convlib.conv(x, w, **kwargs).shape)
    nd = w.ndim - 2
    pads = convlib.geometry.shapes.resolve_padding(
        config.padding, w.shape[2:], config.stride, config.dilation
    )
    back = convlib.conv_transpose(
        y, w, stride=config.stride, padding=[p for p, _ in pads], groups=config.groups,
        dilation=config.dilation, output_size=x.shape[-nd:],
    )  # fmt: skip
    np.testing.assert_allclose(matrix.T @ y.ravel(), back.ravel(), atol=1e-12)


def test_one_dimensional_matrix_written_out_by_hand():
    # kernel [1, 2, 3], input of length 5, stride 2, padding 1: outputs at padded offsets 0 and 2
    matrix = convlib.conv_matrix((1, 5), np.array([[[1.0, 2.0, 3.0]]]), stride=2, padding=1)
    expected = [
        [2, 3, 0, 0, 0],  # reads (pad, x0, x1)
        [0, 1, 2, 3, 0],  # reads (x1, x2, x3)
        [0, 0, 0, 1, 2],  # reads (x3, x4, pad)
    ]
    np.testing.assert_array_equal(matrix, expected)


def test_grouped_matrix_is_block_diagonal():
    w = np.random.default_rng(3).standard_normal((4, 1, 3))
    matrix = convlib.conv_matrix((4, 6), w, groups=4)
    rows, cols = 4, 6
    for g in range(4):
        for h in range(4):
            block = matrix[g * rows : (g + 1) * rows, h * cols : (h + 1) * cols]
            assert np.any(block) == (g == h)


def test_mismatched_channels_raise():
    with pytest.raises(ValueError, match="input_shape has 3 channels"):
        convlib.conv_matrix((3, 5, 5), np.ones((2, 2, 3, 3)))
