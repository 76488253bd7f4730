"""Depthwise, pointwise and separable convolutions equal the matching conv call; rank-1 kernels
factor exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convlib

RNG = np.random.default_rng(0)


@given(
    c=st.integers(1, 4), m=st.integers(1, 3), k=st.integers(1, 3), s=st.integers(1, 2),
    p=st.integers(0, 1), d=st.integers(1, 2), nd=st.integers(1, 3),
)  # fmt: skip
def test_depthwise_conv_equals_conv_with_groups_equal_to_channels(c, m, k, s, p, d, nd):
    rng = np.random.default_rng(c * 100 + m * 10 + k)
    x = rng.standard_normal((2, c, *(6,) * nd))
    w = rng.standard_normal((c * m, 1, *(k,) * nd))
    b = rng.standard_normal(c * m)
    expected = convlib.conv(x, w, b, s, p, d, groups=c)
    np.testing.assert_allclose(convlib.depthwise_conv(x, w, b, s, p, d), expected, atol=1e-12)


def test_pointwise_conv_accepts_matrix_or_1x1_weight_and_equals_conv():
    x = RNG.standard_normal((2, 3, 5, 6))
    w = RNG.standard_normal((4, 3))
    expected = convlib.conv(x, w[:, :, None, None])
    np.testing.assert_allclose(convlib.pointwise_conv(x, w), expected)
    np.testing.assert_allclose(convlib.pointwise_conv(x, w[:, :, None, None]), expected)
    # a pointwise convolution is a matrix product over the channel axis
    np.testing.assert_allclose(expected, np.einsum("oc,nchw->nohw", w, x))


def test_separable_conv_is_depthwise_then_pointwise():
    x = RNG.standard_normal((2, 4, 9, 9))
    dw, pw = RNG.standard_normal((8, 1, 3, 3)), RNG.standard_normal((5, 8))
    db, pb = RNG.standard_normal(8), RNG.standard_normal(5)
    got = convlib.separable_conv(x, dw, pw, db, pb, stride=2, padding=1, dilation=1)
    hidden = convlib.conv(x, dw, db, stride=2, padding=1, groups=4)
    np.testing.assert_allclose(got, convlib.conv(hidden, pw[:, :, None, None], pb))


BOX = np.ones((5, 5)) / 25
GAUSS_1D = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
SOBEL_X = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])


@pytest.mark.parametrize(
    "kernel",
    [BOX, np.outer(GAUSS_1D, GAUSS_1D), SOBEL_X, SOBEL_X.T],
    ids=["box", "gaussian", "sobel_x", "sobel_y"],
)
def test_rank_one_kernels_factor_exactly(kernel):
    factors = convlib.separate_kernel(kernel)
    assert convlib.is_separable(kernel)
    assert factors.error < 1e-12
    np.testing.assert_allclose(np.outer(factors.columns[0], factors.rows[0]), kernel, atol=1e-12)


@pytest.mark.parametrize("kernel", [BOX, np.outer(GAUSS_1D, GAUSS_1D), SOBEL_X])
def test_convolving_with_the_factors_equals_convolving_with_the_kernel(kernel):
    x = RNG.standard_normal((1, 1, 20, 17))
    factors = convlib.separate_kernel(kernel)
    column = factors.columns[0][None, None, :, None]
    row = factors.rows[0][None, None, None, :]
    two_passes = convlib.conv2d(convlib.conv2d(x, column), row)
    np.testing.assert_allclose(two_passes, convlib.conv2d(x, kernel[None, None]), atol=1e-12)


def test_a_random_kernel_is_not_separable_and_rank_r_error_is_eckart_young():
    kernel = RNG.standard_normal((4, 4))
    s = np.linalg.svd(kernel, compute_uv=False)
    assert not convlib.is_separable(kernel)
    for rank in range(1, 5):
        factors = convlib.separate_kernel(kernel, rank)
        assert factors.rank == rank
        assert factors.error == pytest.approx(np.sqrt(np.sum(s[rank:] ** 2)), abs=1e-12)
        np.testing.assert_allclose(
            np.linalg.norm(kernel - factors.reconstruction()), factors.error, atol=1e-12
        )


def test_laplacian_has_rank_two():
    laplacian = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert not convlib.is_separable(laplacian)
    assert convlib.separate_kernel(laplacian, rank=1).error > 1e-3
    assert convlib.separate_kernel(laplacian, rank=2).error < 1e-12
