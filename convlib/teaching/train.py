"""A tiny convolutional network trained in numpy: convlib forward, convlib gradients backward.

Used by the chapter "Grouped convolution" to compare a standard and a grouped layer honestly on
a small real data set (scikit-learn's 8x8 digits). Two convolutions, global average pooling and
a linear classifier, trained with Adam; everything seeded.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from convlib.functional.convolution import conv2d
from convlib.functional.grad import conv_input_grad, conv_weight_grad


@dataclasses.dataclass
class TinyCNN:
    """conv 3x3 (1 -> c1) - ReLU - conv 3x3 (c1 -> c2, ``groups``) - ReLU - mean - linear."""

    c1: int = 16
    c2: int = 32
    groups: int = 1
    classes: int = 10
    seed: int = 0
    params: dict = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)

        def he(*shape):
            return rng.standard_normal(shape) * np.sqrt(2.0 / np.prod(shape[1:]))

        self.params = {
            "w1": he(self.c1, 1, 3, 3),
            "b1": np.zeros(self.c1),
            "w2": he(self.c2, self.c1 // self.groups, 3, 3),
            "b2": np.zeros(self.c2),
            "w3": he(self.classes, self.c2),
            "b3": np.zeros(self.classes),
        }

    @property
    def num_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, dict]:
        p = self.params
        a1 = conv2d(x, p["w1"], p["b1"], padding=1)
        h1 = np.maximum(a1, 0)
        a2 = conv2d(h1, p["w2"], p["b2"], padding=1, groups=self.groups)
        h2 = np.maximum(a2, 0)
        pooled = h2.mean(axis=(2, 3))
        logits = pooled @ p["w3"].T + p["b3"]
        return logits, {"x": x, "a1": a1, "h1": h1, "a2": a2, "h2": h2, "pooled": pooled}

    def gradients(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, dict]:
        """Cross-entropy loss and its gradients by backpropagation through convlib ops."""
        p = self.params
        logits, cache = self.forward(x)
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        n = len(labels)
        loss = float(-np.log(probs[np.arange(n), labels] + 1e-12).mean())
        d_logits = probs
        d_logits[np.arange(n), labels] -= 1
        d_logits /= n
        grads = {"w3": d_logits.T @ cache["pooled"], "b3": d_logits.sum(axis=0)}
        d_h2 = (d_logits @ p["w3"])[:, :, None, None] / np.prod(cache["h2"].shape[2:])
        d_a2 = np.broadcast_to(d_h2, cache["h2"].shape) * (cache["a2"] > 0)
        grads["w2"] = conv_weight_grad(cache["h1"], d_a2, 3, padding=1, groups=self.groups)
        grads["b2"] = d_a2.sum(axis=(0, 2, 3))
        d_h1 = conv_input_grad(d_a2, p["w2"], cache["h1"].shape, padding=1, groups=self.groups)
        d_a1 = d_h1 * (cache["a1"] > 0)
        grads["w1"] = conv_weight_grad(cache["x"], d_a1, 3, padding=1)
        grads["b1"] = d_a1.sum(axis=(0, 2, 3))
        return loss, grads

    def fit(self, x, labels, epochs=12, batch_size=64, learning_rate=0.01) -> list[float]:
        """Adam on shuffled mini-batches (seeded); returns the mean loss of each epoch."""
        rng = np.random.default_rng(self.seed + 1)
        moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in self.params.items()}
        beta1, beta2, step, history = 0.9, 0.999, 0, []
        for _ in range(epochs):
            order = rng.permutation(len(labels))
            losses = []
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                loss, grads = self.gradients(x[batch], labels[batch])
                losses.append(loss)
                step += 1
                for key, grad in grads.items():
                    m, v = moments[key]
                    m[:] = beta1 * m + (1 - beta1) * grad
                    v[:] = beta2 * v + (1 - beta2) * grad**2
                    m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
                    self.params[key] -= learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
            history.append(float(np.mean(losses)))
        return history

    def accuracy(self, x, labels) -> float:
        return float((self.forward(x)[0].argmax(axis=1) == labels).mean())
