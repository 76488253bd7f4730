"""Padding modes equal numpy.pad's (PyTorch's modes: reflect, edge, wrap)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convlib

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def test_modes_on_a_row_written_out_by_hand():
    row = np.array([1, 2, 3])
    assert convlib.pad(row, [(2, 2)], "zeros").tolist() == [0, 0, 1, 2, 3, 0, 0]
    assert convlib.pad(row, [(2, 2)], "reflect").tolist() == [3, 2, 1, 2, 3, 2, 1]
    assert convlib.pad(row, [(2, 2)], "replicate").tolist() == [1, 1, 1, 2, 3, 3, 3]
    assert convlib.pad(row, [(2, 2)], "circular").tolist() == [2, 3, 1, 2, 3, 1, 2]


@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    widths=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=3, max_size=3),
    mode=st.sampled_from(sorted(NUMPY_MODE)),
)
def test_pad_equals_numpy_pad_within_pytorch_limits(shape, widths, mode):
    widths = widths[: len(shape)]
    x = np.random.default_rng(0).standard_normal((1, 2, *shape))
    limit_ok = {
        "reflect": all(max(w) < s for w, s in zip(widths, shape, strict=True)),
        "circular": all(max(w) <= s for w, s in zip(widths, shape, strict=True)),
    }.get(mode, True)
    if not limit_ok:
        with pytest.raises(ValueError, match=f"{mode} padding"):
            convlib.pad(x, widths, mode)
        return
    expected = np.pad(x, [(0, 0), (0, 0), *widths], mode=NUMPY_MODE[mode])
    np.testing.assert_array_equal(convlib.pad(x, widths, mode), expected)


def test_padding_mode_changes_only_the_border_of_a_convolution():
    x = np.random.default_rng(0).standard_normal((1, 1, 8, 8))
    w = np.ones((1, 1, 3, 3))
    results = {m: convlib.conv2d(x, w, padding=1, padding_mode=m) for m in NUMPY_MODE}
    for result in results.values():
        np.testing.assert_allclose(result[..., 1:-1, 1:-1], results["zeros"][..., 1:-1, 1:-1])
    assert not np.allclose(results["reflect"][..., 0, :], results["zeros"][..., 0, :])


def test_more_padding_pairs_than_input_dimensions_are_refused_by_name():
    with pytest.raises(ValueError, match=r"padding must hold at most one .* \(1\); received 2"):
        convlib.pad(np.ones(3), ((1, 1), (1, 1)))
