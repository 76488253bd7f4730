"""The pooling, align_corners and pixel-shuffle pictures show what convlib computes."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest

import convlib
from convlib import plotting
from convlib.plotting import palette


def texts(ax):
    return [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty texts


def test_pooling_picture_shows_the_pooled_output_and_the_window():
    x = np.arange(25.0).reshape(5, 5) % 7
    ax = plotting.draw_pooling(x, 2, ceil_mode=True, output_index=(2, 1))
    y = convlib.max_pool2d(x[None], 2, ceil_mode=True)[0]
    assert y.shape == (3, 3)
    # the output grid's labels are the pooled values, row by row, after the input cells
    assert texts(ax)[-9:] == [f"{v:.0f}" for v in y.ravel()]
    faces = ax.collections[0].get_facecolors()
    highlighted = [
        i for i, f in enumerate(faces) if np.allclose(f, mcolors.to_rgba(palette.HIGHLIGHT))
    ]
    assert highlighted == [4 * 6 + 3]  # the maximum 2 at input (4, 3), canvas 6 wide
    assert "input 5\u00d75 \u2192 output 3\u00d73" in ax.get_title()


def test_pooling_picture_labels_padding_by_what_it_contributes():
    x = np.ones((3, 3))
    assert "-\u221e" in texts(plotting.draw_pooling(x, 3, 1, padding=1))
    assert "-\u221e" not in texts(plotting.draw_pooling(x, 3, 1, padding=1, mode="avg"))


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        ({"mode": "min"}, r"mode must be 'max' or 'avg'"),
        ({"mode": "avg", "dilation": 2}, r"average pooling has no dilation"),
        ({"output_index": (5, 0)}, r"output_index must lie in the 2\u00d72 output"),
        ({"padding": 2}, r"padding"),
    ],
)
def test_pooling_picture_rejects_impossible_settings_like_the_library(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        plotting.draw_pooling(np.ones((4, 4)), 2, **kwargs)


def test_sample_positions_are_the_interpolation_rules():
    np.testing.assert_allclose(
        plotting.sample_positions(3, 6, False), [0, 0.25, 0.75, 1.25, 1.75, 2]
    )
    np.testing.assert_allclose(plotting.sample_positions(3, 6, True), [0, 0.4, 0.8, 1.2, 1.6, 2])
    figure = plotting.draw_align_corners(3, 6)
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "0.25" in labels and "0.40" in labels


def test_pixel_shuffle_picture_labels_each_cell_with_its_source_channel():
    ax = plotting.draw_pixel_shuffle(2, 2)
    assert texts(ax)[-16:-12] == ["0", "1", "0", "1"]
    assert texts(ax)[-12:-8] == ["2", "3", "2", "3"]
