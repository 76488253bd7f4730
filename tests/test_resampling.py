"""interpolate, pixel_shuffle and the bilinear transposed-convolution weight equal the textbook
loops and the identities that define them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import interpolate_configs

import convlib
from convlib.reference import pooling as ref


@given(interpolate_configs())
def test_interpolate_equals_reference_loops(config):
    x = config.array(seed=0)
    want = ref.interpolate(x, **config.kwargs)
    np.testing.assert_allclose(convlib.interpolate(x, **config.kwargs), want, atol=1e-12)


@given(interpolate_configs(dims=(2,)), st.sampled_from([np.float32, np.int64]))
def test_interpolate_keeps_float32_and_computes_integers_in_float64(config, dtype):
    x = (config.array(seed=1) * 10).astype(dtype)
    expected = np.float32 if dtype == np.float32 else np.float64
    assert convlib.interpolate(x, **config.kwargs).dtype == expected


def test_nearest_reads_floor_of_dst_times_in_over_out():
    x = np.arange(3.0)[None, None]
    # 3 -> 7: r = 3/7, sources floor(dst * 3/7) = 0 0 0 1 1 2 2
    assert convlib.interpolate(x, size=7)[0, 0].tolist() == [0, 0, 0, 1, 1, 2, 2]
    # nearest-exact centres the cells: floor((dst + 1/2) * 3/7) = 0 0 1 1 1 2 2
    exact = convlib.interpolate(x, size=7, mode="nearest-exact")
    assert exact[0, 0].tolist() == [0, 0, 1, 1, 1, 2, 2]


def test_a_given_scale_factor_is_used_unless_recomputed():
    x = np.arange(5.0)[None, None]
    # 5 * 1.1 rounds down to 5 cells, but sources are floor(dst / 1.1) = 0 0 1 2 3
    assert convlib.interpolate(x, scale_factor=1.1)[0, 0].tolist() == [0, 0, 1, 2, 3]
    recomputed = convlib.interpolate(x, scale_factor=1.1, recompute_scale_factor=True)
    assert recomputed[0, 0].tolist() == [0, 1, 2, 3, 4]


def test_align_corners_keeps_the_corner_values_and_false_keeps_the_mean_of_a_constant_ramp():
    x = np.array([[[0.0, 1.0, 2.0]]])
    corners = convlib.interpolate(x, size=5, mode="linear", align_corners=True)
    np.testing.assert_allclose(corners, [[[0.0, 0.5, 1.0, 1.5, 2.0]]])
    half = convlib.interpolate(x, size=6, mode="linear")  # sources -1/4 (clamped), 1/4, 3/4, ...
    np.testing.assert_allclose(half, [[[0.0, 0.25, 0.75, 1.25, 1.75, 2.0]]])


def test_bilinear_is_linear_along_each_axis_in_turn():
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 5))
    both = convlib.interpolate(x, size=(7, 3), mode="bilinear", align_corners=True)
    rows = convlib.interpolate(
        x.transpose(0, 1, 3, 2).reshape(1, 10, 4), size=7, mode="linear", align_corners=True
    )
    rows = rows.reshape(1, 2, 5, 7).transpose(0, 1, 3, 2).reshape(1, 14, 5)
    then = convlib.interpolate(rows, size=3, mode="linear", align_corners=True)
    np.testing.assert_allclose(both, then.reshape(1, 2, 7, 3), atol=1e-12)


@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 2),
)
def test_pixel_shuffle_equals_reference_loops_and_unshuffle_inverts_it(c, r, h, w, lead):
    x = np.random.default_rng(3).standard_normal((*(2,) * lead, c * r * r, h, w))
    y = convlib.pixel_shuffle(x, r)
    np.testing.assert_array_equal(y, ref.pixel_shuffle(x, r))
    assert y.shape == (*(2,) * lead, c, h * r, w * r)
    np.testing.assert_array_equal(convlib.pixel_unshuffle(y, r), x)
    np.testing.assert_array_equal(ref.pixel_unshuffle(y, r), x)


def test_sub_pixel_convolution_with_equal_phase_kernels_is_resize_then_convolve():
    # ICNR (Aitken et al.): all r*r kernels of an output channel equal -> nearest upsampling of
    # one low-resolution convolution
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((1, 2, 3, 3))
    shuffled = convlib.pixel_shuffle(convlib.conv2d(x, np.repeat(w, 4, axis=0), padding=1), 2)
    nearest = convlib.interpolate(convlib.conv2d(x, w, padding=1), scale_factor=2)
    np.testing.assert_allclose(shuffled, nearest, atol=1e-12)


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_bilinear_transposed_convolution_equals_bilinear_interpolation_inside(factor):
    x = np.random.default_rng(5).standard_normal((1, 2, 6, 7))
    w = convlib.bilinear_upsampling_weight(2, factor)
    y = convlib.conv_transpose2d(x, w, stride=factor, padding=factor // 2)
    want = convlib.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    assert y.shape == want.shape == (1, 2, 6 * factor, 7 * factor)
    border = factor  # the first and last input cell's stamps lack a neighbour
    inner = (slice(None), slice(None), slice(border, -border), slice(border, -border))
    np.testing.assert_allclose(y[inner], want[inner], atol=1e-12)
    assert factor == 1 or not np.allclose(y[..., 0, 0], want[..., 0, 0])


def test_bilinear_kernel_is_the_sampled_tent():
    np.testing.assert_allclose(convlib.bilinear_kernel(3), [1 / 3, 2 / 3, 1, 2 / 3, 1 / 3])
    w = convlib.bilinear_upsampling_weight(2, 2)
    np.testing.assert_allclose(
        w[1, 1], np.outer([0.25, 0.75, 0.75, 0.25], [0.25, 0.75, 0.75, 0.25])
    )
    assert w[0, 1].max() == 0 == w[1, 0].max()
