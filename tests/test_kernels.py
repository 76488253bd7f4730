"""Classic kernels: the factors of separable ones reproduce them exactly."""

from __future__ import annotations

import numpy as np
import pytest

import convlib
from convlib.teaching import kernels


@pytest.mark.parametrize("name", ["box", "gaussian", "sobel_x", "sobel_y", "identity"])
def test_separable_factors_outer_product_is_the_kernel(name):
    column, row = kernels.separable_factors(name)
    np.testing.assert_array_equal(np.outer(column, row), kernels.KERNELS[name]())
    assert convlib.is_separable(kernels.KERNELS[name]())


@pytest.mark.parametrize("name", ["laplacian", "sharpen", "emboss"])
def test_non_separable_kernels_have_no_factors(name):
    assert kernels.separable_factors(name) is None
    assert not convlib.is_separable(kernels.KERNELS[name]())


def test_blur_kernels_sum_to_one_and_derivatives_to_zero():
    assert kernels.box(5).sum() == pytest.approx(1)
    assert kernels.gaussian(7, 1.5).sum() == pytest.approx(1)
    for kernel in (kernels.sobel_x(), kernels.sobel_y(), kernels.laplacian()):
        assert kernel.sum() == 0
    assert kernels.sharpen().sum() == 1


def test_gaussian_is_symmetric_and_peaks_in_the_middle():
    g = kernels.gaussian(5, 1.0)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(g, g[::-1, ::-1])
    assert g.argmax() == 12


def test_sobel_x_responds_to_a_vertical_edge_only():
    image = np.zeros((1, 1, 6, 6))
    image[..., 3:] = 1.0  # bright right half: a vertical edge
    assert np.abs(convlib.conv2d(image, kernels.sobel_x()[None, None])).max() > 0
    assert np.abs(convlib.conv2d(image, kernels.sobel_y()[None, None])).max() == 0


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="sigma must be positive"):
        kernels.gaussian(5, 0)
    with pytest.raises(ValueError, match="name must be one of"):
        kernels.separable_factors("blur")
