"""Pooling equals the textbook loops on random settings, and obeys the identities that define it."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import pool_configs

import convlib
from convlib.reference import pooling as ref

MAX = {1: convlib.max_pool1d, 2: convlib.max_pool2d, 3: convlib.max_pool3d}
AVG = {1: convlib.avg_pool1d, 2: convlib.avg_pool2d, 3: convlib.avg_pool3d}
ADAPTIVE = {
    1: convlib.adaptive_avg_pool1d,
    2: convlib.adaptive_avg_pool2d,
    3: convlib.adaptive_avg_pool3d,
}


@given(pool_configs())
def test_max_pool_equals_reference_loops_with_indices(config):
    x = config.array(seed=0)
    y, indices = MAX[config.n_dims](x, **config.max_kwargs, return_indices=True)
    want, want_indices = ref.max_pool(
        x, **config.max_kwargs, return_indices=True, n_dims=config.n_dims
    )
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(indices, want_indices)
    assert indices.dtype == np.int64


@given(pool_configs(dilated=False))
def test_avg_pool_equals_reference_loops(config):
    assume(config.avg_pool3d_accepts)
    x = config.array(seed=1)
    kwargs = config.avg_kwargs
    want = ref.avg_pool(x, **kwargs, n_dims=config.n_dims)
    np.testing.assert_allclose(AVG[config.n_dims](x, **kwargs), want, rtol=1e-12, atol=1e-12)


@given(pool_configs())
def test_max_indices_point_at_the_maximum_in_the_flattened_input(config):
    x = config.array(seed=2)
    y, indices = MAX[config.n_dims](x, **config.max_kwargs, return_indices=True)
    lead = x.shape[: x.ndim - config.n_dims]
    flat = x.reshape(*lead, -1)
    real = y > -np.inf  # a window of padding only has no cell to point at
    safe = np.where(real, indices, 0).reshape(*lead, -1)
    picked = np.take_along_axis(flat, safe, axis=-1).reshape(y.shape)
    np.testing.assert_array_equal(picked[real], y[real])


@given(pool_configs(batched=True))
def test_the_generic_function_and_unbatched_input_agree_with_the_named_variant(config):
    x = config.array(seed=3)
    y = MAX[config.n_dims](x, **config.max_kwargs)
    np.testing.assert_array_equal(convlib.max_pool(x, **config.max_kwargs), y)
    np.testing.assert_array_equal(MAX[config.n_dims](x[0], **config.max_kwargs), y[0])
    shape = convlib.pool_output_size(
        x.shape[2:],
        config.kernel_size,
        config.stride,
        config.padding,
        config.dilation,
        config.ceil_mode,
    )
    assert y.shape[2:] == tuple(shape)


@given(pool_configs(dims=(2,), dilated=False), st.sampled_from([np.float32, np.int64]))
def test_float32_stays_float32_and_integers_compute_in_float64(config, dtype):
    x = (config.array(seed=4) * 10).astype(dtype)
    expected = np.float32 if dtype == np.float32 else np.float64
    assert convlib.max_pool2d(x, **config.max_kwargs).dtype == expected
    assert convlib.avg_pool2d(x, **config.avg_kwargs).dtype == expected


def test_avg_pool_of_a_constant_is_the_constant_unless_padding_is_counted():
    x = np.full((1, 5, 5), 3.0)
    np.testing.assert_allclose(convlib.avg_pool2d(x, 3, 2, count_include_pad=False), 3.0)
    padded = convlib.avg_pool2d(x, 3, 2, padding=1)
    assert padded[0, 0, 0] == pytest.approx(3.0 * 4 / 9) and padded[0, 1, 1] == 3.0
    np.testing.assert_allclose(convlib.avg_pool2d(x, 3, 2, padding=1, count_include_pad=False), 3)


def test_ceil_mode_window_past_the_padding_is_averaged_over_the_cells_it_covers():
    # 6 cells, k=3, s=2, ceil: windows start at 0, 2, 4; the last covers cells 4, 5 and one
    # cell beyond the (empty) padding, so both divisors are 2
    x = np.arange(6.0)[None]
    y = convlib.avg_pool1d(x, 3, 2, ceil_mode=True)
    np.testing.assert_allclose(y, [[1.0, 3.0, 4.5]])
    assert convlib.max_pool1d(x, 3, 2, ceil_mode=True).tolist() == [[2.0, 4.0, 5.0]]


def test_ceil_mode_never_starts_a_window_in_the_right_padding():
    # n=5, k=2, s=2, p=1: ceil((5 + 2 - 2)/2) + 1 = 4 windows, but the 4th would start at
    # padded index 6 = n + p, inside the right padding only: PyTorch drops it
    assert convlib.max_pool1d(np.ones((1, 5)), 2, 2, padding=1, ceil_mode=True).shape == (1, 3)


def test_max_pool_ties_pick_the_first_cell_and_padding_never_wins():
    x = -np.ones((1, 1, 2, 2))
    y, indices = convlib.max_pool2d(x, 2, padding=1, return_indices=True)
    np.testing.assert_array_equal(y, -1.0)
    np.testing.assert_array_equal(indices[0, 0], [[0, 1], [2, 3]])
    assert convlib.max_pool1d(np.zeros((1, 3)), 3, return_indices=True)[1].tolist() == [[0]]


def test_dilated_max_pool_reads_every_dth_cell():
    x = np.arange(7.0)[None] ** 2 * np.array([[1, -1, 1, -1, 1, -1, 1]])
    # taps 0, 2, 4 and 2, 4, 6 (stride 2): only even cells, all positive
    assert convlib.max_pool1d(x, 3, 2, dilation=2).tolist() == [[16.0, 36.0]]


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize(
    "kwargs,expanded",
    [
        ({"kernel_size": (2,)}, {"kernel_size": 2}),
        ({"kernel_size": 2, "stride": (1,)}, {"kernel_size": 2, "stride": 1}),
        ({"kernel_size": 2, "padding": (1,)}, {"kernel_size": 2, "padding": 1}),
        ({"kernel_size": 2, "dilation": (2,)}, {"kernel_size": 2, "dilation": 2}),
    ],
)
def test_one_element_tuple_arguments_expand_to_every_spatial_dimension(nd, kwargs, expanded):
    # torch's max_pool2d(x, (2,)) is max_pool2d(x, 2), and so for stride, padding, dilation
    x = np.random.default_rng(0).standard_normal((1, 2) + (6,) * nd)
    np.testing.assert_array_equal(MAX[nd](x, **kwargs), MAX[nd](x, **expanded))
    if "dilation" not in kwargs:
        np.testing.assert_array_equal(AVG[nd](x, **kwargs), AVG[nd](x, **expanded))


def test_no_public_function_shows_a_private_parameter():
    # max_pool, avg_pool and adaptive_avg_pool once took the named variants' `_nd` keyword
    private = {
        name: [p for p in inspect.signature(getattr(convlib, name)).parameters if p[:1] == "_"]
        for name in convlib.__all__
        if inspect.isfunction(getattr(convlib, name))
    }
    assert {name: params for name, params in private.items() if params} == {}
    assert "max_pool" in private and "adaptive_avg_pool" in private


def test_divisor_override_divides_every_window_sum_by_the_same_number():
    x = np.arange(16.0).reshape(1, 4, 4)
    sums = convlib.avg_pool2d(x, 2, divisor_override=1)
    np.testing.assert_allclose(sums, [[[10.0, 18.0], [42.0, 50.0]]])
    np.testing.assert_allclose(convlib.avg_pool2d(x, 2, divisor_override=8), sums / 8)


@given(
    st.sampled_from([1, 2, 3]),
    st.lists(st.integers(1, 7), min_size=3, max_size=3),
    st.lists(st.integers(1, 7), min_size=3, max_size=3),
)
def test_adaptive_avg_pool_equals_reference_loops(n_dims, sizes, out):
    x = np.random.default_rng(5).standard_normal((2, 2, *sizes[:n_dims]))
    want = ref.adaptive_avg_pool(x, tuple(out[:n_dims]), n_dims)
    np.testing.assert_allclose(ADAPTIVE[n_dims](x, tuple(out[:n_dims])), want, atol=1e-12)
    np.testing.assert_allclose(ADAPTIVE[n_dims](x[0], tuple(out[:n_dims])), want[0], atol=1e-12)


def test_global_average_pooling_is_adaptive_pooling_to_one_cell():
    x = np.random.default_rng(6).standard_normal((2, 3, 5, 7))
    np.testing.assert_allclose(
        convlib.adaptive_avg_pool2d(x, 1), x.mean(axis=(2, 3), keepdims=True), atol=1e-12
    )
    assert convlib.adaptive_avg_pool2d(x, (None, 2)).shape == (2, 3, 5, 2)


def test_adaptive_pooling_to_a_divisor_is_ordinary_average_pooling():
    x = np.random.default_rng(7).standard_normal((1, 2, 6, 9))
    np.testing.assert_allclose(
        convlib.adaptive_avg_pool2d(x, (3, 3)), convlib.avg_pool2d(x, (2, 3)), atol=1e-12
    )


def test_max_pool_is_translation_invariant_within_a_window_and_avg_pool_is_linear():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((2, 1, 8, 8))
    np.testing.assert_allclose(
        convlib.avg_pool2d(2 * a + b, 2), 2 * convlib.avg_pool2d(a, 2) + convlib.avg_pool2d(b, 2)
    )
    np.testing.assert_array_equal(convlib.max_pool2d(a + 5, 2), convlib.max_pool2d(a, 2) + 5)


def test_the_n_d_pools_round_down_by_default_as_torch():
    x = np.arange(5.0).reshape(1, 1, 5)
    np.testing.assert_array_equal(convlib.avg_pool(x, 2), [[[0.5, 2.5]]])
    np.testing.assert_array_equal(convlib.max_pool(x, 2), [[[1.0, 3.0]]])


def test_a_nan_wins_only_the_windows_it_is_in():
    x = np.array([[[np.nan, 1.0, 2.0, 3.0]]])
    values, indices = convlib.max_pool1d(x, 2, return_indices=True)
    np.testing.assert_array_equal(values, [[[np.nan, 3.0]]])
    np.testing.assert_array_equal(indices, [[[0, 3]]])
