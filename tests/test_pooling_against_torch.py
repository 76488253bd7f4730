"""Pooling, interpolate and pixel shuffle equal PyTorch on random settings (skipped when torch is
not installed), and reject what PyTorch rejects."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import interpolate_configs, pool_configs

import convlib

torch = pytest.importorskip("torch")
F = torch.nn.functional
MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
ADAPTIVE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
OURS_MAX = {1: convlib.max_pool1d, 2: convlib.max_pool2d, 3: convlib.max_pool3d}
OURS_AVG = {1: convlib.avg_pool1d, 2: convlib.avg_pool2d, 3: convlib.avg_pool3d}


def torch_kwargs(kwargs):
    return {k: (() if k == "stride" and v is None else v) for k, v in kwargs.items()}


@given(pool_configs())
def test_max_pool_and_its_indices_equal_torch(config):
    x = config.array(seed=0)
    want, want_indices = MAX[config.n_dims](
        torch.from_numpy(x), **config.max_kwargs, return_indices=True
    )
    y, indices = OURS_MAX[config.n_dims](x, **config.max_kwargs, return_indices=True)
    np.testing.assert_array_equal(y, want.numpy())
    np.testing.assert_array_equal(indices, want_indices.numpy())


@given(pool_configs(dilated=False))
def test_avg_pool_equals_torch(config):
    assume(config.avg_pool3d_accepts)
    x = config.array(seed=1)
    want = AVG[config.n_dims](torch.from_numpy(x), **config.avg_kwargs).numpy()
    np.testing.assert_allclose(OURS_AVG[config.n_dims](x, **config.avg_kwargs), want, atol=1e-12)


@given(pool_configs(dims=(2,), dilated=False))
def test_float32_pooling_equals_torch_float32(config):
    x = config.array(seed=2, dtype=np.float32)
    want = F.avg_pool2d(torch.from_numpy(x), **config.avg_kwargs).numpy()
    np.testing.assert_allclose(
        convlib.avg_pool2d(x, **config.avg_kwargs), want, rtol=1e-5, atol=1e-6
    )
    want = F.max_pool2d(torch.from_numpy(x), **config.max_kwargs).numpy()
    np.testing.assert_array_equal(convlib.max_pool2d(x, **config.max_kwargs), want)


@given(
    st.sampled_from([1, 2, 3]),
    st.lists(st.integers(1, 7), min_size=3, max_size=3),
    st.lists(st.integers(-1, 7), min_size=3, max_size=3),
    st.booleans(),
)
def test_adaptive_avg_pool_equals_torch(n_dims, sizes, out, batched):
    x = np.random.default_rng(3).standard_normal(((2,) if batched else ()) + (2, *sizes[:n_dims]))
    # -1 stands for None (keep the size), which only the 2-D and 3-D functions accept
    output_size = tuple(None if o < 0 and n_dims > 1 else abs(o) for o in out[:n_dims])
    want = ADAPTIVE[n_dims](torch.from_numpy(x), output_size).numpy()
    ours = {1: convlib.adaptive_avg_pool1d, 2: convlib.adaptive_avg_pool2d}
    ours[3] = convlib.adaptive_avg_pool3d
    np.testing.assert_allclose(ours[n_dims](x, output_size), want, atol=1e-12)


@given(interpolate_configs())
def test_interpolate_equals_torch(config):
    x = config.array(seed=4)
    want = F.interpolate(torch.from_numpy(x), **config.kwargs).numpy()
    np.testing.assert_allclose(convlib.interpolate(x, **config.kwargs), want, atol=1e-9)


@given(interpolate_configs(), st.integers(0, 3))
def test_interpolate_float32_equals_torch_float32(config, seed):
    x = config.array(seed=seed, dtype=np.float32)
    want = F.interpolate(torch.from_numpy(x), **config.kwargs).numpy()
    np.testing.assert_allclose(convlib.interpolate(x, **config.kwargs), want, atol=1e-5)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 4))
def test_pixel_shuffle_and_unshuffle_equal_torch(c, r, h, w):
    x = np.random.default_rng(5).standard_normal((2, c * r * r, h, w))
    y = F.pixel_shuffle(torch.from_numpy(x), r).numpy()
    np.testing.assert_array_equal(convlib.pixel_shuffle(x, r), y)
    np.testing.assert_array_equal(
        convlib.pixel_unshuffle(y, r), F.pixel_unshuffle(torch.from_numpy(y), r).numpy()
    )


def test_nan_wins_a_max_pool_window_and_the_last_nan_is_reported():
    x = np.array([[1.0, np.nan, 2.0, np.nan, 0.0, 3.0]])
    want = F.max_pool1d(torch.from_numpy(x), 4, 2, return_indices=True, ceil_mode=True)
    y, indices = convlib.max_pool1d(x, 4, 2, return_indices=True, ceil_mode=True)
    np.testing.assert_array_equal(y, want[0].numpy())
    np.testing.assert_array_equal(indices, want[1].numpy())


def test_bilinear_transposed_convolution_matches_torch_conv_transpose2d():
    x = np.random.default_rng(6).standard_normal((1, 3, 4, 5))
    w = convlib.bilinear_upsampling_weight(3, 3)
    want = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=3, padding=1)
    np.testing.assert_allclose(
        convlib.conv_transpose2d(x, w, stride=3, padding=1), want.numpy(), atol=1e-12
    )


def test_ceil_mode_keeps_a_window_larger_than_the_padded_input_like_torch():
    # 2 cells, k=3, s=2: the floor gives no window, the ceiling one that reaches past the end
    x = np.array([[[4.0, 7.0]]])
    want = F.avg_pool1d(torch.from_numpy(x), 3, 2, ceil_mode=True).numpy()
    np.testing.assert_array_equal(convlib.avg_pool1d(x, 3, 2, ceil_mode=True), want)
    want = F.max_pool1d(torch.from_numpy(x), 3, 2, ceil_mode=True).numpy()
    np.testing.assert_array_equal(convlib.max_pool1d(x, 3, 2, ceil_mode=True), want)


@given(pool_configs(dims=(1, 2)), st.integers(0, 3))
def test_ties_in_max_pool_pick_the_same_cell_as_torch(config, seed):
    x = np.random.default_rng(seed).integers(0, 3, config.input_shape).astype(float)
    want = MAX[config.n_dims](torch.from_numpy(x), **config.max_kwargs, return_indices=True)
    y, indices = OURS_MAX[config.n_dims](x, **config.max_kwargs, return_indices=True)
    np.testing.assert_array_equal(y, want[0].numpy())
    np.testing.assert_array_equal(indices, want[1].numpy())
