"""The fast path equals the textbook reference loops on random settings (float64, tight)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from strategies import conv_configs, conv_transpose_configs

import convlib
from convlib import reference

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}


@given(config=conv_configs(dims=(1,), max_size=8))
def test_conv1d_equals_reference(config):
    _check_conv(config)


@given(config=conv_configs(dims=(2,), max_size=6))
def test_conv2d_equals_reference(config):
    _check_conv(config)


@given(config=conv_configs(dims=(3,), max_size=4))
def test_conv3d_equals_reference(config):
    _check_conv(config)


def _check_conv(config):
    x, w, b = config.arrays(seed=0)
    expected = reference.conv(x, w, b, **config.kwargs)
    np.testing.assert_allclose(convlib.conv(x, w, b, **config.kwargs), expected, **TOLERANCE)


@given(config=conv_transpose_configs(dims=(1,), max_size=6))
def test_conv_transpose1d_equals_reference(config):
    _check_transpose(config)


@given(config=conv_transpose_configs(dims=(2,), max_size=4))
def test_conv_transpose2d_equals_reference(config):
    _check_transpose(config)


@given(config=conv_transpose_configs(dims=(3,), max_size=3))
def test_conv_transpose3d_equals_reference(config):
    _check_transpose(config)


def _check_transpose(config):
    x, w, b = config.arrays(seed=1)
    expected = reference.conv_transpose(x, w, b, **config.kwargs)
    np.testing.assert_allclose(
        convlib.conv_transpose(x, w, b, **config.kwargs), expected, **TOLERANCE
    )


@given(config=conv_configs(dims=(2,), max_size=6))
def test_float32_input_gives_float32_output_close_to_reference(config):
    x, w, b = config.arrays(seed=2, dtype=np.float32)
    got = convlib.conv(x, w, b, **config.kwargs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, reference.conv(x, w, b, **config.kwargs), rtol=1e-4, atol=1e-4)


def test_integer_input_computes_in_float64():
    x = np.arange(25).reshape(1, 1, 5, 5)
    got = convlib.conv2d(x, np.ones((1, 1, 3, 3), dtype=int))
    assert got.dtype == np.float64
    assert got[0, 0, 0, 0] == 0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12


@pytest.mark.parametrize(
    "name,value",
    [("stride", 2), ("padding", 1), ("dilation", 2)],
)
@pytest.mark.parametrize("nd", [2, 3])
def test_one_element_tuple_arguments_expand_to_every_spatial_dimension(name, value, nd):
    # torch.nn.functional.conv2d(x, w, stride=(2,)) is conv2d(x, w, stride=2), and so for
    # padding, dilation and (transposed) output_padding: a 1-tuple fills every dimension
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2) + (7,) * nd), rng.standard_normal((3, 2) + (3,) * nd)
    np.testing.assert_array_equal(
        convlib.conv(x, w, **{name: (value,)}), convlib.conv(x, w, **{name: value})
    )
    wt = rng.standard_normal((2, 3) + (3,) * nd)
    for kwargs in ({name: (value,)}, {"stride": (2,), "output_padding": (1,)}):
        expanded = {k: v[0] for k, v in kwargs.items()}
        np.testing.assert_array_equal(
            convlib.conv_transpose(x, wt, **kwargs), convlib.conv_transpose(x, wt, **expanded)
        )


def test_large_batch_is_chunked_without_changing_the_result(monkeypatch):
    from convlib._engine import fast as _kernels_fast

    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 3, 9, 9))
    w = rng.standard_normal((4, 3, 3, 3))
    whole = convlib.conv2d(x, w, stride=2)
    monkeypatch.setattr(_kernels_fast, "CHUNK_BYTES", 1)  # one sample per chunk
    np.testing.assert_allclose(convlib.conv2d(x, w, stride=2), whole)
    wt = rng.standard_normal((3, 2, 3, 3))
    np.testing.assert_allclose(
        convlib.conv_transpose2d(x, wt, stride=2),
        reference.conv_transpose(x, wt, stride=2),
        **TOLERANCE,
    )


def test_results_never_alias_the_reused_workspaces():
    rng = np.random.default_rng(6)
    x1, x2 = rng.standard_normal((2, 1, 3, 9, 9))
    w = rng.standard_normal((4, 3, 3, 3))
    first = convlib.conv2d(x1, w, stride=2)
    kept = first.copy()
    convlib.conv2d(x2, w, stride=2)  # same shapes: the same workspaces are reused
    np.testing.assert_array_equal(first, kept)


def test_concurrent_threads_get_correct_results():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(7)
    inputs = [rng.standard_normal((2, 3, 12, 12)) for _ in range(8)]
    w = rng.standard_normal((4, 3, 3, 3))
    expected = [reference.conv(x, w, stride=2, padding=1) for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda x: convlib.conv2d(x, w, stride=2, padding=1), inputs * 5))
    for index, result in enumerate(results):
        np.testing.assert_allclose(result, expected[index % 8], **TOLERANCE)


def test_transposed_output_size_may_be_given_as_the_whole_output_shape():
    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    spatial = convlib.conv_transpose2d(x, w, stride=2, padding=1, output_size=(8, 8))
    whole = convlib.conv_transpose2d(x, w, stride=2, padding=1, output_size=(1, 1, 8, 8))
    assert spatial.shape == whole.shape == (1, 1, 8, 8)
    np.testing.assert_array_equal(spatial, whole)


def test_transposed_convolution_refuses_mixed_dtypes_as_torch():
    x, w = np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2))
    with pytest.raises(TypeError, match=r"weight must have the input's dtype float32"):
        convlib.conv_transpose2d(x, w)
