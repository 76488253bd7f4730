"""The sample photograph loads offline, in both layouts, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from convlib.teaching.data import sample_image


def test_gray_photo_is_a_2d_array_in_unit_range():
    photo = sample_image()
    assert photo.shape == (600, 512)
    assert 0 <= photo.min() < photo.max() <= 1


def test_rgb_photo_is_channels_first():
    photo = sample_image("rgb", size=(60, 50), dtype=np.float32)
    assert photo.shape == (3, 60, 50) and photo.dtype == np.float32


def test_downsizing_averages_blocks_and_keeps_the_aspect_ratio():
    full, half = sample_image(), sample_image(size=256)
    assert half.shape == (300, 256)
    np.testing.assert_allclose(half[0, 0], full[:2, :2].mean())
    np.testing.assert_array_equal(sample_image(size=64), sample_image(size=64))


def test_gray_is_the_bt601_luma_of_rgb():
    rgb, gray = sample_image("rgb", size=40), sample_image("gray", size=40)
    np.testing.assert_allclose(gray, np.tensordot([0.299, 0.587, 0.114], rgb, axes=1))


@pytest.mark.parametrize(
    "kwargs,pattern", [({"mode": "hsv"}, "mode must be"), ({"size": 1000}, "size must not exceed")]
)
def test_bad_arguments_raise(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        sample_image(**kwargs)
