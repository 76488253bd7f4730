"""Every computing method of conv / conv_transpose equals the reference loops and keeps the
identities; ``choose_conv_method`` picks one from the shapes alone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import conv_configs, conv_transpose_configs

import convlib
from convlib import reference
from convlib._engine import fast as _kernels_fast
from convlib._engine import fft as _kernels_fft
from convlib._engine.methods import METHODS

TOLERANCE = {"rtol": 1e-10, "atol": 1e-10}
every_method = pytest.mark.parametrize("method", METHODS)


@every_method
@given(config=conv_configs(max_size=6))
def test_every_method_equals_the_reference_conv(method, config):
    x, w, b = config.arrays(seed=0)
    got = convlib.conv(x, w, b, **config.kwargs, method=method)
    np.testing.assert_allclose(got, reference.conv(x, w, b, **config.kwargs), **TOLERANCE)


@every_method
@given(config=conv_transpose_configs(max_size=4))
def test_every_method_equals_the_reference_conv_transpose(method, config):
    x, w, b = config.arrays(seed=1)
    got = convlib.conv_transpose(x, w, b, **config.kwargs, method=method)
    expected = reference.conv_transpose(x, w, b, **config.kwargs)
    np.testing.assert_allclose(got, expected, **TOLERANCE)


@every_method
@given(config=conv_configs(dims=(1, 2)), alpha=st.floats(-3, 3))
def test_every_method_is_linear_in_the_input(method, config, alpha):
    x, w, _ = config.arrays(seed=2)
    x2 = np.random.default_rng(3).standard_normal(x.shape)
    kwargs = {**config.kwargs, "method": method}
    combined = convlib.conv(alpha * x + x2, w, **kwargs)
    separate = alpha * convlib.conv(x, w, **kwargs) + convlib.conv(x2, w, **kwargs)
    np.testing.assert_allclose(combined, separate, atol=1e-9)


@every_method
@given(config=conv_configs(modes=("zeros",), max_size=6))
def test_every_method_keeps_conv_transpose_the_adjoint_of_conv(method, config):
    x, w, _ = config.arrays(seed=4)
    nd = len(config.weight_shape) - 2
    pads = convlib.geometry.shapes.resolve_padding(
        config.padding, config.weight_shape[2:], config.stride, config.dilation
    )
    x = convlib.pad(x, pads)  # explicit padding: the adjoint needs symmetric padding
    arguments = {"stride": config.stride, "dilation": config.dilation, "groups": config.groups}
    forward = convlib.conv(x, w, **arguments, method=method)
    y = np.random.default_rng(5).standard_normal(forward.shape)
    back = convlib.conv_transpose(y, w, output_size=x.shape[-nd:], **arguments, method=method)
    np.testing.assert_allclose(np.vdot(forward, y), np.vdot(x, back), rtol=1e-9, atol=1e-9)


@every_method
@given(config=conv_configs(dims=(2,), max_size=6))
def test_every_method_keeps_float32_float32(method, config):
    x, w, b = config.arrays(seed=6, dtype=np.float32)
    got = convlib.conv(x, w, b, **config.kwargs, method=method)
    assert got.dtype == np.float32
    expected = reference.conv(x, w, b, **config.kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@every_method
@given(config=conv_transpose_configs(dims=(2,), max_size=4))
def test_every_method_keeps_float32_float32_in_conv_transpose(method, config):
    x, w, b = config.arrays(seed=7, dtype=np.float32)
    got = convlib.conv_transpose(x, w, b, **config.kwargs, method=method)
    assert got.dtype == np.float32
    expected = reference.conv_transpose(x, w, b, **config.kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@given(config=conv_configs(max_size=6))
def test_auto_computes_with_the_method_choose_conv_method_names(config):
    x, w, b = config.arrays(seed=8)
    chosen = convlib.choose_conv_method(x.shape, w.shape, config.stride, config.groups)
    assert chosen in METHODS
    np.testing.assert_array_equal(
        convlib.conv(x, w, b, **config.kwargs),
        convlib.conv(x, w, b, **config.kwargs, method=chosen),
    )


@every_method
def test_tiny_blocks_and_chunks_do_not_change_the_result(method, monkeypatch):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((5, 4, 9, 11))
    w = rng.standard_normal((6, 2, 3, 2))
    wt = rng.standard_normal((4, 3, 3, 3))
    wt_col2im = rng.standard_normal((4, 1, 3, 3))  # fewer output than input channels per group
    kwargs = {"stride": (2, 1), "padding": 1, "groups": 2, "method": method}
    whole = convlib.conv2d(x, w, **kwargs)
    whole_t = convlib.conv_transpose2d(x, wt, **kwargs)
    whole_col2im = convlib.conv_transpose2d(x, wt_col2im, **kwargs)
    for name in ("CHUNK_BYTES", "BLOCK_BYTES", "DIRECT_BYTES", "PRODUCTS_BYTES"):
        monkeypatch.setattr(_kernels_fast, name, 1)  # one sample, one narrow block at a time
    monkeypatch.setattr(_kernels_fft, "CHUNK_BYTES", 1)
    np.testing.assert_allclose(convlib.conv2d(x, w, **kwargs), whole, **TOLERANCE)
    np.testing.assert_allclose(convlib.conv_transpose2d(x, wt, **kwargs), whole_t, **TOLERANCE)
    np.testing.assert_allclose(
        convlib.conv_transpose2d(x, wt_col2im, **kwargs), whole_col2im, **TOLERANCE
    )
    geometry = {"stride": (2, 1), "padding": 1, "groups": 2}
    np.testing.assert_allclose(whole, reference.conv(x, w, **geometry), **TOLERANCE)
    np.testing.assert_allclose(whole_t, reference.conv_transpose(x, wt, **geometry), **TOLERANCE)
    np.testing.assert_allclose(
        whole_col2im, reference.conv_transpose(x, wt_col2im, **geometry), **TOLERANCE
    )


@every_method
@given(conv_transpose_configs(), st.data())
def test_nan_and_inf_weights_land_where_the_scatter_definition_puts_them(method, config, data):
    x, w, b = config.arrays(seed=12)
    flat = w.reshape(-1)
    flat[data.draw(st.integers(0, flat.size - 1))] = np.nan
    flat[data.draw(st.integers(0, flat.size - 1))] = data.draw(st.sampled_from([np.inf, -np.inf]))
    expected = reference.conv_transpose(x, w, b, **config.kwargs)  # nan where nan is added
    got = convlib.conv_transpose(x, w, b, **config.kwargs, method=method)
    np.testing.assert_allclose(got, expected, **TOLERANCE)  # nan and inf in the same cells


@every_method
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("out_per_group", [2, 5])  # fewer (col2im) and more than in, per group
def test_a_nan_weight_stays_in_its_output_channel(method, padding, out_per_group):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 8, 5, 5))
    w = rng.standard_normal((6, 4, 3, 3))
    w[1, 0, 2, 2] = np.nan  # into output channel 1 of conv
    wt = rng.standard_normal((8, out_per_group, 3, 3))
    wt[4, 0, 2, 2] = np.nan  # input channel 4 (group 1): output channel out_per_group
    y = convlib.conv2d(x, w, stride=2, padding=padding, groups=2, method=method)
    yt = convlib.conv_transpose2d(x, wt, stride=2, padding=padding, groups=2, method=method)
    assert np.isnan(y[:, 1]).any() and np.isnan(yt[:, out_per_group]).any()
    assert np.isfinite(np.delete(y, 1, axis=1)).all()
    assert np.isfinite(np.delete(yt, out_per_group, axis=1)).all()


@pytest.mark.parametrize(
    ("input_shape", "weight_shape", "stride", "groups", "transposed", "expected"),
    [
        ((8, 64, 56, 56), (64, 64, 3, 3), 1, 1, False, "gemm"),
        ((8, 256, 28, 28), (512, 256, 1, 1), 1, 1, False, "gemm"),
        ((8, 128, 56, 56), (128, 1, 3, 3), 1, 128, False, "gemm"),  # depthwise 3x3
        ((8, 128, 28, 28), (128, 1, 5, 5), 1, 128, False, "direct"),  # depthwise 5x5
        ((8, 64, 4000), (64, 1, 31), 1, 64, False, "direct"),  # depthwise 1-D
        ((8, 128, 56, 56), (256, 1, 3, 3), 1, 128, False, "gemm"),  # multiplier 2: a product
        ((8, 128, 56, 56), (128, 4, 3, 3), 1, 32, False, "gemm"),  # 32 groups of 4x4
        ((1, 1, 512, 512), (1, 1, 5, 5), 1, 1, False, "gemm"),  # single-channel image
        ((1, 1, 512, 512), (1, 1, 9, 9), 1, 1, False, "direct"),  # 81 taps
        ((1, 1, 512, 512), (1, 1, 25, 25), 1, 1, False, "fft"),  # large kernel
        ((1, 1, 512, 512), (1, 1, 25, 25), 2, 1, False, "fft"),  # 625 >= 128 * 4
        ((1, 1, 512, 512), (1, 1, 25, 25), 3, 1, False, "direct"),  # 625 < 128 * 9
        ((1, 1, 512, 512), (1, 1, 25, 25), (3, 1), 1, False, "fft"),  # 625 >= 128 * 3
        ((1, 4, 256, 256), (4, 4, 15, 15), 1, 1, False, "fft"),
        ((1, 32, 256, 256), (32, 32, 15, 15), 1, 1, False, "gemm"),  # 1024 channel pairs
        ((3, 16, 16), (16, 3, 3, 3), 1, 1, False, "gemm"),  # unbatched
        ((8, 64, 32, 32), (64, 32, 4, 4), 2, 1, True, "gemm"),
        ((8, 32, 32, 32), (32, 1, 4, 4), 2, 32, True, "gemm"),  # depthwise transposed
        ((8, 32, 32, 32), (32, 1, 5, 5), 2, 32, True, "direct"),
        ((1, 1, 64, 64), (1, 1, 16, 16), 2, 1, True, "fft"),  # the stride does not count
    ],
)
def test_choose_conv_method_from_the_shapes(
    input_shape, weight_shape, stride, groups, transposed, expected
):
    got = convlib.choose_conv_method(
        input_shape, weight_shape, stride, groups, transposed=transposed
    )
    assert got == expected


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        (((8, 4, 5, 5), (4, 4, 3, 3), 1, 0), "groups"),
        (((8, 4, 5, 5), (4, 4, 3, 3), 1, True), "groups"),
        (((8, 4, 5, 5), (4, 4), 1, 1), "weight_shape"),
    ],
)
def test_choose_conv_method_rejects_bad_arguments(arguments, match):
    with pytest.raises(ValueError, match=match):
        convlib.choose_conv_method(*arguments)


@pytest.mark.parametrize("op", [convlib.conv2d, convlib.conv_transpose2d])
@pytest.mark.parametrize("method", ["im2col", "GEMM", 1, None])
def test_unknown_method_is_rejected_naming_the_allowed_ones(op, method):
    allowed = r"\('auto', 'gemm', 'direct', 'fft'\)"
    with pytest.raises(ValueError, match=rf"method must be one of {allowed}; received method="):
        op(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), method=method)


@every_method
def test_temporary_memory_is_bounded_by_the_chunk_not_the_batch(method, monkeypatch):
    import threading
    import tracemalloc

    rng = np.random.default_rng(10)
    x = rng.standard_normal((32, 8, 30, 30))  # 1.8 MB; planes of the whole batch: 4.7 MB
    w = rng.standard_normal((8, 8, 3, 3))
    monkeypatch.setattr(_kernels_fast, "CHUNK_BYTES", 2**18)
    monkeypatch.setattr(_kernels_fast, "BLOCK_BYTES", 2**18)
    monkeypatch.setattr(_kernels_fast, "DIRECT_BYTES", 2**18)
    monkeypatch.setattr(_kernels_fft, "CHUNK_BYTES", 2**18)
    monkeypatch.setattr(_kernels_fast, "REUSE_BYTES", 0)  # the workers' workspaces too are new
    peaks = {}

    def call():  # every temporary, of this thread and of the workers, is allocated and traced
        tracemalloc.start()
        out = convlib.conv2d(x, w, padding=1, method=method)
        peaks["temporary"] = tracemalloc.get_traced_memory()[1] - out.nbytes
        tracemalloc.stop()

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    assert peaks["temporary"] < 1.5 * 2**20


@pytest.mark.parametrize(
    ("counts", "steps"),
    [([], []), ([5], [1]), ([3, 3], [58, 1]), ([2, 3, 4], [400, -20, 2]), ([4, 2], [-7, -1])],
)
def test_offset_grid_recovers_the_grid_of_a_phases_tap_offsets(counts, steps):
    offsets = [
        100 + sum(m * step for m, step in zip(index, steps, strict=True))
        for index in itertools.product(*(range(n) for n in counts))
    ]
    found_counts, found_steps = _kernels_fast._offset_grid(offsets)
    rebuilt = [
        offsets[0] + sum(m * step for m, step in zip(index, found_steps, strict=True))
        for index in itertools.product(*(range(n) for n in found_counts))
    ]
    assert rebuilt == offsets


def test_offset_grid_rejects_offsets_that_are_no_grid():
    with pytest.raises(AssertionError, match="not a grid"):
        _kernels_fast._offset_grid([0, 1, 3])


def test_direct_sums_whole_kernels_but_loops_rows_of_a_large_one():
    small = _kernels_fast._forward_plan((3, 3), (1, 1), (1, 1), (58, 58))[1]
    large = _kernels_fast._forward_plan((25, 25), (1, 1), (1, 1), (536, 536))[1]
    assert [len(plan[-1]) for plan in _kernels_fast._direct_plans(small, 1, 4)] == [9]
    assert [len(plan[-1]) for plan in _kernels_fast._direct_plans(large, 1, 4)] == [25] * 25


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_the_method_asked_for_is_the_one_that_computes(op):
    """Integer-valued data: the direct and gemm methods sum exactly (the reference's numbers,
    bit for bit); the FFT's rounding shows (so a method swapped for another fails here)."""
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, (1, 2, 9, 9)).astype(float)
    w = rng.integers(-3, 4, (2, 3, 3, 3) if op == "conv_transpose2d" else (3, 2, 3, 3))
    w = w.astype(float)
    exact = getattr(reference, op.removesuffix("2d"))(x, w, stride=2)
    for method in ("direct", "gemm"):
        np.testing.assert_array_equal(getattr(convlib, op)(x, w, stride=2, method=method), exact)
    fft = getattr(convlib, op)(x, w, stride=2, method="fft")
    assert not np.array_equal(fft, exact)
    np.testing.assert_allclose(fft, exact, **TOLERANCE)
