"""The reference loops on cases small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from convlib import reference


def test_one_dimensional_cross_correlation_by_hand():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    w = np.array([[[1.0, 0.0, -1.0]]])
    # y[t] = x[t] - x[t+2]
    np.testing.assert_array_equal(reference.conv(x, w), [[1 - 3, 2 - 4]])
    # zero padding 1: [0,1,2,3,4,0] -> [0-2, 1-3, 2-4, 3-0]
    np.testing.assert_array_equal(reference.conv(x, w, padding=1), [[-2, -2, -2, 3]])


@pytest.mark.parametrize(
    "mode,expected",
    [
        # padded rows: zeros [0,1,2,3,0]; reflect [2,1,2,3,2];
        # replicate [1,1,2,3,3]; circular [3,1,2,3,1]
        ("zeros", [0 + 1 + 2, 1 + 2 + 3, 2 + 3 + 0]),
        ("reflect", [2 + 1 + 2, 1 + 2 + 3, 2 + 3 + 2]),
        ("replicate", [1 + 1 + 2, 1 + 2 + 3, 2 + 3 + 3]),
        ("circular", [3 + 1 + 2, 1 + 2 + 3, 2 + 3 + 1]),
    ],
)
def test_padding_modes_by_hand(mode, expected):
    x = np.array([[1.0, 2.0, 3.0]])
    got = reference.conv(x, np.ones((1, 1, 3)), padding=1, padding_mode=mode)
    np.testing.assert_array_equal(got, [expected])


@pytest.mark.parametrize(
    "size,kernel,stride,padding,dilation,out",
    [
        (5, 3, 1, 0, 1, 3),  # no padding, unit strides
        (5, 4, 1, 2, 1, 6),  # arbitrary padding
        (5, 3, 1, "same", 1, 5),  # half padding
        (5, 3, 1, 2, 1, 7),  # full padding
        (5, 3, 2, 0, 1, 2),  # no padding, strides
        (5, 3, 2, 1, 1, 3),  # padding, strides
        (6, 3, 2, 1, 1, 3),  # padding, strides (odd)
        (7, 3, 1, 0, 2, 3),  # dilation
    ],
)
def test_guide_cases_give_the_guide_output_sizes(size, kernel, stride, padding, dilation, out):
    x = np.ones((1, size, size))
    y = reference.conv(x, np.ones((1, 1, kernel, kernel)), None, stride, padding, dilation)
    assert y.shape == (1, out, out)


def test_same_padding_with_even_kernel_puts_the_extra_zero_after():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    # k=2: total padding 1, all after: windows (1,2) (2,3) (3,4) (4,0)
    np.testing.assert_array_equal(
        reference.conv(x, np.ones((1, 1, 2)), padding="same"), [[3, 5, 7, 4]]
    )


def test_transposed_scatter_by_hand():
    x = np.array([[1.0, 10.0]])
    w = np.array([[[1.0, 2.0, 3.0]]])
    # stride 2: input 0 stamps [1,2,3] at 0..2; input 1 stamps [10,20,30] at 2..4
    np.testing.assert_array_equal(reference.conv_transpose(x, w, stride=2), [[1, 2, 13, 20, 30]])
    # padding 1 crops one cell from each end
    np.testing.assert_array_equal(
        reference.conv_transpose(x, w, stride=2, padding=1), [[2, 13, 20]]
    )
    # output_padding 1 adds one cell at the end
    np.testing.assert_array_equal(
        reference.conv_transpose(x, w, stride=2, padding=1, output_padding=1), [[2, 13, 20, 30]]
    )


def test_windows_read_lists_the_cells_of_one_window_without_padding():
    cells = reference.windows_read((0, 1), (4, 4), 3, stride=1, padding=1)
    assert cells == {(r, c) for r in (0, 1) for c in (0, 1, 2)}
    dilated = reference.windows_read((0,), (7,), 3, dilation=2)
    assert dilated == {(0,), (2,), (4,)}
