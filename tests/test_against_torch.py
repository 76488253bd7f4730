"""convlib equals PyTorch on random settings (skipped when torch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import conv_configs, conv_transpose_configs

import convlib

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
F = torch.nn.functional
MODULES = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}
TRANSPOSED = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def torch_conv(config, x, w, b):
    nd = len(config.weight_shape) - 2
    padding = config.padding
    if padding == "causal":  # PyTorch has no 'causal': pad the front explicitly
        pads = convlib.geometry.shapes.resolve_padding(
            "causal", config.weight_shape[2:], 1, config.dilation
        )
        front = [p for before, _ in reversed(pads) for p in (before, 0)]
        mode = {"zeros": "constant", "replicate": "replicate"}.get(config.padding_mode)
        mode = mode or config.padding_mode
        x = F.pad(torch.from_numpy(x), front, mode=mode).numpy()
        padding = 0
    layer = MODULES[nd](
        config.weight_shape[1] * config.groups,
        config.weight_shape[0],
        config.weight_shape[2:],
        stride=config.stride,
        padding=padding,
        dilation=config.dilation,
        groups=config.groups,
        bias=b is not None,
        padding_mode=config.padding_mode,
        dtype=torch.float64,
    )
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        if b is not None:
            layer.bias.copy_(torch.from_numpy(b))
        return layer(torch.from_numpy(x)).numpy()


@given(conv_configs())
def test_conv_equals_torch_conv_module(config):
    x, w, b = config.arrays(seed=0)
    expected = torch_conv(config, x, w, b)
    np.testing.assert_allclose(convlib.conv(x, w, b, **config.kwargs), expected, atol=1e-10)


def torch_conv_transpose(config, x, w, b):
    nd = len(config.weight_shape) - 2
    return TRANSPOSED[nd](
        torch.from_numpy(x),
        torch.from_numpy(w),
        None if b is None else torch.from_numpy(b),
        **config.kwargs,
    ).numpy()


@given(conv_transpose_configs())
def test_conv_transpose_equals_torch_functional(config):
    x, w, b = config.arrays(seed=1)
    expected = torch_conv_transpose(config, x, w, b)
    np.testing.assert_allclose(
        convlib.conv_transpose(x, w, b, **config.kwargs), expected, atol=1e-10
    )


@given(conv_transpose_configs(), st.data())
def test_a_nan_weight_gives_torchs_nan_cells_in_conv_transpose(config, data):
    x, w, b = config.arrays(seed=3)
    w.reshape(-1)[data.draw(st.integers(0, w.size - 1))] = np.nan
    expected = torch_conv_transpose(config, x, w, b)
    # nan in the same cells as torch's, the same numbers elsewhere
    np.testing.assert_allclose(
        convlib.conv_transpose(x, w, b, **config.kwargs), expected, atol=1e-10
    )


@given(conv_transpose_configs(dims=(2,), batched=True))
def test_output_size_picks_output_padding_like_conv_transpose2d_forward(config):
    x, w, _ = config.arrays(seed=2)
    layer = torch.nn.ConvTranspose2d(
        config.weight_shape[0],
        config.weight_shape[1] * config.groups,
        config.weight_shape[2:],
        stride=config.stride,
        padding=config.padding,
        dilation=config.dilation,
        groups=config.groups,
        bias=False,
        dtype=torch.float64,
    )
    try:
        low, high = convlib.conv_transpose_output_size_range(
            x.shape[2:], w.shape[2:], config.stride, config.padding, config.dilation
        )
    except ValueError:  # no output_size reachable by 0 <= output_padding < stride
        assume(False)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        for target in {low, high}:
            expected = layer(torch.from_numpy(x), output_size=list(target)).numpy()
            got = convlib.conv_transpose(
                x, w, stride=config.stride, padding=config.padding, groups=config.groups,
                dilation=config.dilation, output_size=target,
            )  # fmt: skip
            np.testing.assert_allclose(got, expected, atol=1e-10)


def test_float32_result_matches_torch_float32():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 8, 17, 19), dtype=np.float32)
    w = rng.standard_normal((16, 8, 3, 3), dtype=np.float32)
    got = convlib.conv2d(x, w, stride=2, padding=1)
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=2, padding=1).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
