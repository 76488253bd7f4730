"""Every algorithm of convlib.algorithms computes the textbook convolution; the counts are right."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import conv_configs

import convlib
from convlib import algorithms, reference

TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}


@pytest.mark.parametrize("algorithm", [algorithms.im2col_conv, algorithms.fft_conv])
@given(config=conv_configs(max_size=6))
def test_im2col_and_fft_conv_equal_the_reference_loops(algorithm, config):
    x, w, b = config.arrays(seed=3)
    expected = reference.conv(x, w, b, **config.kwargs)
    np.testing.assert_allclose(algorithm(x, w, b, **config.kwargs), expected, **TOLERANCE)


@given(
    dims=st.sampled_from([1, 2]),
    size=st.integers(1, 9),
    padding=st.sampled_from([0, 1, 2, "same", "valid"]),
    groups=st.integers(1, 2),
    channels=st.integers(1, 2),
    mode=st.sampled_from(["zeros", "replicate", "circular"]),
    batched=st.booleans(),
    bias=st.booleans(),
)
def test_winograd_conv_equals_the_reference_loops(
    dims, size, padding, groups, channels, mode, batched, bias
):
    padded = size + (2 if padding == "same" else 0 if padding == "valid" else 2 * padding)
    if padded < 3 or (mode == "circular" and padding not in ("valid", 0) and size < 2):
        return
    rng = np.random.default_rng(size)
    c = groups * channels
    x = rng.standard_normal((2, c, *(size,) * dims) if batched else (c, *(size,) * dims))
    w = rng.standard_normal((c, channels, *(3,) * dims))
    b = rng.standard_normal(c) if bias else None
    kwargs = {"padding": padding, "groups": groups, "padding_mode": mode}
    np.testing.assert_allclose(
        algorithms.winograd_conv(x, w, b, **kwargs), reference.conv(x, w, b, **kwargs), **TOLERANCE
    )


def test_winograd_conv_rejects_kernels_other_than_three():
    with pytest.raises(ValueError, match=r"F\(2, 3\).*received weight with shape \(1, 1, 5, 5\)"):
        algorithms.winograd_conv(np.ones((1, 4, 4)), np.ones((1, 1, 5, 5)))


@given(config=conv_configs(max_size=6, modes=("zeros",)))
def test_im2col_times_the_weight_matrix_is_the_convolution(config):
    x, w, _ = config.arrays(seed=4)
    if config.groups != 1 or isinstance(config.padding, str):
        return
    kernel = config.weight_shape[2:]
    cols = algorithms.im2col(x, kernel, config.dilation, config.padding, config.stride)
    y = w.reshape(w.shape[0], -1) @ cols
    expected = reference.conv(x, w, **config.kwargs)
    np.testing.assert_allclose(y.reshape(expected.shape), expected, **TOLERANCE)


@given(config=conv_configs(dims=(2,), max_size=7, modes=("zeros",)))
def test_im2col_equals_torch_unfold(config):
    torch = pytest.importorskip("torch")
    if isinstance(config.padding, str):
        return
    x, _, _ = config.arrays(seed=5)
    kernel = config.weight_shape[2:]
    args = (kernel, config.dilation, config.padding, config.stride)
    expected = torch.nn.functional.unfold(torch.from_numpy(x), *args).numpy()
    np.testing.assert_allclose(algorithms.im2col(x, *args), expected, **TOLERANCE)


def test_im2col_rejects_an_ambiguous_input():
    with pytest.raises(ValueError, match="received input with shape \\(3,\\)"):
        algorithms.im2col(np.ones(3), 2)


@given(st.integers(0, 10_000))
def test_winograd_tiles_equal_direct_correlation(seed):
    rng = np.random.default_rng(seed)
    d, g = rng.standard_normal(4), rng.standard_normal(3)
    np.testing.assert_allclose(algorithms.winograd_f23(d, g), algorithms.correlate_tile(d, g))
    d, g = rng.standard_normal((4, 4)), rng.standard_normal((3, 3))
    np.testing.assert_allclose(algorithms.winograd_f23_2d(d, g), algorithms.correlate_tile(d, g))
    np.testing.assert_allclose(
        algorithms.correlate_tile(d, g), reference.conv(d[None, None], g[None, None])[0, 0]
    )


def test_counted_multiplications_match_the_formulas():
    rng = np.random.default_rng(1)
    for algorithm, d, g, tile in [
        (algorithms.winograd_f23, rng.standard_normal(4), rng.standard_normal(3), 2),
        (
            algorithms.winograd_f23_2d,
            rng.standard_normal((4, 4)),
            rng.standard_normal((3, 3)),
            (2, 2),
        ),
    ]:
        count, values = algorithms.count_multiplications(algorithm, d, g)
        assert count == algorithms.winograd_multiplications(tile, g.shape)
        np.testing.assert_allclose(values, algorithms.correlate_tile(d, g))
        direct, _ = algorithms.count_multiplications(algorithms.correlate_tile, d, g)
        assert direct == algorithms.direct_multiplications(tile, g.shape)
    assert algorithms.winograd_multiplications((2, 2), (3, 3)) == 16
    assert algorithms.direct_multiplications((2, 2), (3, 3)) == 36
    assert algorithms.winograd_multiplications(4, 3) == 6  # F(4, 3): m + r - 1


@given(
    c_in=st.integers(1, 8),
    c_out=st.integers(1, 8),
    k=st.integers(1, 5),
    size=st.integers(5, 20),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    depthwise=st.booleans(),
)
def test_traffic_counts_the_layer_macs_and_every_tensor_once(
    c_in, c_out, k, size, stride, padding, depthwise
):
    groups = c_in if depthwise else 1
    c_out = c_in * c_out if depthwise else c_out
    t = algorithms.conv_traffic((2, c_in, size, size), c_out, k, stride, padding, groups=groups)
    layer = convlib.Conv2d(c_in, c_out, k, stride, padding, groups=groups, bias=False)
    assert t.macs == 2 * layer.macs((c_in, size, size))
    out = convlib.conv_output_size(size, k, stride, padding)
    assert t.bytes == 4 * (2 * c_in * size**2 + layer.num_params + 2 * c_out * out**2)
    assert t.intensity == t.macs / t.bytes
    assert (
        algorithms.arithmetic_intensity(
            (2, c_in, size, size), c_out, k, stride, padding, groups=groups
        )
        == t.intensity
    )


def test_arithmetic_intensity_of_standard_depthwise_pointwise():
    shape = (1, 256, 14, 14)
    standard = algorithms.conv_traffic(shape, 256, 3, padding=1)
    assert standard.macs == 14 * 14 * 256 * 256 * 9
    assert standard.bytes == 4 * (2 * 14 * 14 * 256 + 256 * 256 * 9)
    depthwise = algorithms.arithmetic_intensity(shape, 256, 3, padding=1, groups=256)
    assert math.isclose(depthwise, 14 * 14 * 9 / (4 * (2 * 14 * 14 + 9)))
    pointwise = algorithms.arithmetic_intensity(shape, 256, 1)
    assert math.isclose(pointwise, 14 * 14 * 256 / (4 * (2 * 14 * 14 + 256)))
    assert depthwise < 2 < pointwise < standard.intensity


def test_roofline_is_the_lower_of_peak_and_bandwidth():
    assert algorithms.attainable_rate(1.0, 1e10, 1e9) == 1e9
    assert algorithms.attainable_rate(100.0, 1e10, 1e9) == 1e10


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: algorithms.conv_traffic((1, 4, 8), 6, 3, groups=4), "groups must divide"),
        (lambda: algorithms.conv_traffic((4, 8), 6, 3), "input_shape must be"),
        (lambda: algorithms.conv_traffic((1, 4, 2, 2), 4, 3), "kernel"),
        (lambda: algorithms.fft_conv(np.ones((1, 2, 5)), np.ones((1, 3, 3))), "channels"),
        (
            lambda: algorithms.im2col_conv(np.ones((1, 2, 5)), np.ones((1, 2, 3)), stride=0),
            "stride",
        ),
    ],
)
def test_bad_arguments_get_clear_errors(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
