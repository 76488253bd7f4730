"""The mathematical identities of convolution hold for the fast path."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import conv_configs

import convlib

ZERO_PADDED = conv_configs(modes=("zeros",))


@given(config=conv_configs(), alpha=st.floats(-3, 3), beta=st.floats(-3, 3))
def test_conv_is_linear_in_the_input(config, alpha, beta):
    x, w, _ = config.arrays(seed=0)
    x2 = np.random.default_rng(1).standard_normal(x.shape)
    combined = convlib.conv(alpha * x + beta * x2, w, **config.kwargs)
    separate = alpha * convlib.conv(x, w, **config.kwargs) + beta * convlib.conv(
        x2, w, **config.kwargs
    )
    np.testing.assert_allclose(combined, separate, atol=1e-9)


@given(config=conv_configs(), alpha=st.floats(-3, 3))
def test_conv_is_linear_in_the_weight(config, alpha):
    x, w, _ = config.arrays(seed=0)
    w2 = np.random.default_rng(2).standard_normal(w.shape)
    combined = convlib.conv(x, alpha * w + w2, **config.kwargs)
    separate = alpha * convlib.conv(x, w, **config.kwargs) + convlib.conv(x, w2, **config.kwargs)
    np.testing.assert_allclose(combined, separate, atol=1e-9)


@given(config=ZERO_PADDED)
def test_conv_transpose_is_adjoint_of_conv(config):
    """<conv(x), y> == <x, conv_transpose(y)> with the same weight, stride, padding, dilation."""
    x, w, _ = config.arrays(seed=0)
    nd = len(config.weight_shape) - 2
    kernel = config.weight_shape[2:]
    pads = convlib.geometry.shapes.resolve_padding(
        config.padding, kernel, config.stride, config.dilation
    )
    if any(before != after for before, after in pads):
        # asymmetric ('same' with an even kernel, 'causal'): pad explicitly, then compare
        x = convlib.pad(x, pads)
        pads = tuple((0, 0) for _ in pads)
    arguments = {
        "stride": config.stride,
        "padding": [before for before, _ in pads],
        "dilation": config.dilation,
        "groups": config.groups,
    }
    forward = convlib.conv(x, w, **arguments)
    y = np.random.default_rng(3).standard_normal(forward.shape)
    back = convlib.conv_transpose(y, w, output_size=x.shape[-nd:], **arguments)
    np.testing.assert_allclose(np.vdot(forward, y), np.vdot(x, back), rtol=1e-9, atol=1e-9)


@given(config=conv_configs(modes=("zeros", "reflect", "replicate", "circular")))
def test_grouped_conv_is_the_concatenation_of_per_group_convs(config):
    x, w, b = config.arrays(seed=4)
    g = config.groups
    batched = len(x.shape) == len(w.shape)
    channel_axis = 1 if batched else 0
    xs = np.split(x, g, axis=channel_axis)
    ws, bs = np.split(w, g, axis=0), np.split(b, g) if b is not None else [None] * g
    kwargs = {**config.kwargs, "groups": 1}
    parts = [convlib.conv(xi, wi, bi, **kwargs) for xi, wi, bi in zip(xs, ws, bs, strict=True)]
    np.testing.assert_allclose(
        convlib.conv(x, w, b, **config.kwargs), np.concatenate(parts, axis=channel_axis), atol=1e-12
    )


def test_conv_of_a_delta_returns_the_kernel_flipped():
    """Cross-correlation slides the kernel as is: a unit impulse comes out mirrored."""
    kernel = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    delta = np.zeros((1, 1, 5, 5))
    delta[0, 0, 2, 2] = 1.0
    response = convlib.conv2d(delta, kernel, padding=1)[0, 0, 1:4, 1:4]
    np.testing.assert_array_equal(response, kernel[0, 0, ::-1, ::-1])


@given(config=conv_configs(dims=(1, 2), modes=("zeros",)))
def test_true_convolution_is_cross_correlation_with_the_flipped_kernel(config):
    """A true convolution (kernel flipped) is commutative, x * w = w * x with full padding, and
    gives back the kernel itself on an impulse; conv with a flipped kernel is that convolution."""
    x, w, _ = config.arrays(seed=5)
    nd = len(config.weight_shape) - 2
    axes = tuple(range(2, 2 + nd))
    signal = x.reshape(-1, *x.shape[-nd:])[0][None, None]  # one channel of one sample
    taps = w[:1, :1]

    def true_conv(a, b):
        return convlib.conv(a, np.flip(b, axis=axes), padding=tuple(n - 1 for n in b.shape[2:]))

    np.testing.assert_allclose(true_conv(signal, taps), true_conv(taps, signal), atol=1e-10)
    kernel = np.random.default_rng(6).standard_normal((1, 1, *(3,) * nd))
    delta = np.zeros((1, 1, *(7,) * nd))
    delta[(0, 0, *(3,) * nd)] = 1.0
    true_conv = convlib.conv(delta, np.flip(kernel, axis=tuple(range(2, 2 + nd))), padding=1)
    centre = (0, 0, *(slice(2, 5),) * nd)
    np.testing.assert_allclose(true_conv[centre], kernel[0, 0])
