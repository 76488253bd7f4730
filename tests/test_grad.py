"""Gradients of a convolution equal finite differences; the tiny CNN learns."""

from __future__ import annotations

import numpy as np
import pytest

import convlib
from convlib.functional.grad import conv_input_grad, conv_weight_grad
from convlib.teaching.train import TinyCNN


def numeric_gradient(function, array, step=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        delta = np.zeros_like(array)
        delta[index] = step
        grad[index] = (function(array + delta) - function(array - delta)) / (2 * step)
    return grad


@pytest.mark.parametrize(
    "stride,padding,dilation,groups",
    [(1, 1, 1, 1), (2, 1, 1, 1), (1, 2, 2, 2), (3, 1, 2, 2), (2, 0, 1, 4)],
)
def test_weight_and_input_gradients_equal_finite_differences(stride, padding, dilation, groups):
    rng = np.random.default_rng(stride * 10 + padding)
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((8, 4 // groups, 3, 3))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    g = rng.standard_normal(convlib.conv2d(x, w, **kwargs).shape)
    by_weight = numeric_gradient(lambda w_: np.vdot(convlib.conv2d(x, w_, **kwargs), g), w)
    by_input = numeric_gradient(lambda x_: np.vdot(convlib.conv2d(x_, w, **kwargs), g), x)
    np.testing.assert_allclose(conv_weight_grad(x, g, 3, **kwargs), by_weight, atol=1e-6)
    np.testing.assert_allclose(conv_input_grad(g, w, x.shape, **kwargs), by_input, atol=1e-6)


def test_tiny_cnn_gradients_equal_finite_differences():
    model = TinyCNN(c1=4, c2=4, groups=2, classes=3)
    rng = np.random.default_rng(1)
    x, labels = rng.standard_normal((5, 1, 5, 5)), np.array([0, 1, 2, 1, 0])
    _, grads = model.gradients(x, labels)
    for key in ("w1", "w2", "w3", "b2"):
        original = model.params[key].copy()

        def loss(value, key=key):
            model.params[key] = value
            return model.gradients(x, labels)[0]

        numeric = numeric_gradient(loss, original)
        model.params[key] = original
        np.testing.assert_allclose(grads[key], numeric, atol=1e-5, err_msg=key)


def test_tiny_cnn_learns_a_separable_toy_task():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((120, 1, 6, 6))
    labels = (x[:, 0, :, :3].mean(axis=(1, 2)) > x[:, 0, :, 3:].mean(axis=(1, 2))).astype(int)
    model = TinyCNN(c1=4, c2=8, groups=2, classes=2)
    history = model.fit(x, labels, epochs=30, batch_size=30, learning_rate=0.03)
    assert history[-1] < 0.6 * history[0]
    assert model.accuracy(x, labels) > 0.85
