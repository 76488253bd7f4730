"""A tiny convolutional network trained in numpy: convlib forward, convlib gradients backward.

Used by the chapter "Grouped convolution" to compare a standard and a grouped layer honestly on
a small real data set (scikit-learn's 8x8 digits). Two convolutions, global average pooling and
a linear classifier, trained with Adam; everything seeded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from convlib._validation import check_positive_int
from convlib.functional.convolution import conv2d
from convlib.functional.grad import conv_input_grad, conv_weight_grad
from convlib.nn.containers import Sequential
from convlib.nn.layers import Conv2d, Flatten, Linear, ReLU
from convlib.nn.pooling import AdaptiveAvgPool2d


@dataclasses.dataclass
class TinyCNN:
    """conv 3x3 (1 -> c1) - ReLU - conv 3x3 (c1 -> c2, ``groups``) - ReLU - mean - linear.

    He-initialised (normal, std ``sqrt(2 / fan_in)``), zero biases; ``seed`` fixes the initial
    weights and the order of the mini-batches. ``groups`` must divide ``c1`` and ``c2``.
    """

    c1: int = 16
    c2: int = 32
    groups: int = 1
    classes: int = 10
    seed: int = 0
    params: dict = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        for name in ("c1", "c2", "groups", "classes"):
            check_positive_int(getattr(self, name), name)
        for name in ("c1", "c2"):
            if getattr(self, name) % self.groups:
                raise ValueError(
                    f"groups must divide {name}; received {name}={getattr(self, name)}, "
                    f"groups={self.groups}"
                )

        # One random stream per tensor, so that networks that differ only in ``groups`` start
        # from the same w1 and w3, and a grouped w2 is the standard w2's diagonal blocks (the
        # same standard-normal draws, rescaled to the grouped fan-in).
        def draw(index: int, *shape: int) -> np.ndarray:
            return np.random.default_rng([self.seed, index]).standard_normal(shape)

        c1, c2, g = self.c1, self.c2, self.groups
        full = draw(1, c2, c1, 3, 3)
        blocks = [
            full[k * (c2 // g) : (k + 1) * (c2 // g), k * (c1 // g) : (k + 1) * (c1 // g)]
            for k in range(g)
        ]
        self.params = {
            "w1": draw(0, c1, 1, 3, 3) * np.sqrt(2.0 / 9),
            "b1": np.zeros(c1),
            "w2": np.concatenate(blocks) * np.sqrt(2.0 / (9 * c1 // g)),
            "b2": np.zeros(c2),
            "w3": draw(2, self.classes, c2) * np.sqrt(2.0 / c2),
            "b3": np.zeros(self.classes),
        }

    @property
    def num_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def spec(self) -> Sequential:
        """The network as convlib layer specs, for counting (``.num_params``, ``.macs``)."""
        return Sequential(
            Conv2d(1, self.c1, 3, padding=1),
            ReLU(),
            Conv2d(self.c1, self.c2, 3, padding=1, groups=self.groups),
            ReLU(),
            AdaptiveAvgPool2d(1),
            Flatten(),
            Linear(self.c2, self.classes),
        )

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

    def fit(
        self,
        x: np.ndarray,
        labels: np.ndarray,
        epochs: int = 12,
        batch_size: int = 64,
        learning_rate: float = 0.01,
        schedule: str = "constant",
        stop_after: int | None = None,
        on_epoch: Callable[[int, float], None] | None = None,
    ) -> list[float]:
        """Adam on shuffled mini-batches (seeded); returns the mean loss of each epoch.

        Parameters
        ----------
        x, labels : ndarray
            Images ``(N, 1, H, W)`` and integer class labels ``(N,)``.
        epochs : int
            Length of the training schedule.
        batch_size : int
            Images per Adam step; the last batch of an epoch may be smaller.
        learning_rate : float
            Adam's step size (the peak of the schedule).
        schedule : {'constant', 'cosine'}
            ``'cosine'`` scales the step size at step ``t`` of ``T`` by
            :math:`\\tfrac12 (1 + \\cos(\\pi t / T))`, from 1 down to near 0 (PyTorch's
            ``CosineAnnealingLR`` with ``eta_min=0``, stepped once per batch).
        stop_after : int, optional
            Stop after this many epochs of the ``epochs``-long schedule: the first epochs of a
            long run, step for step (for checking a stored run quickly).
        on_epoch : callable, optional
            Called as ``on_epoch(epoch, mean_loss)`` after each epoch (``epoch`` from 1).

        Notes
        -----
        The batch order depends on ``seed`` alone, so two networks with the same seed see the
        same batches in the same order.
        """
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if schedule not in ("constant", "cosine"):
            raise ValueError(
                f"schedule must be 'constant' or 'cosine'; received schedule={schedule!r}"
            )
        last = epochs if stop_after is None else check_positive_int(stop_after, "stop_after")
        if last > epochs:
            raise ValueError(
                f"stop_after must be at most epochs={epochs}; received stop_after={stop_after}"
            )
        rng = np.random.default_rng(self.seed + 1)
        moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in self.params.items()}
        beta1, beta2, step, history = 0.9, 0.999, 0, []
        steps_per_epoch = -(-len(labels) // batch_size)
        total_steps = epochs * steps_per_epoch
        for epoch in range(1, last + 1):
            order = rng.permutation(len(labels))
            losses = []
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                if schedule == "cosine":
                    rate = learning_rate * 0.5 * (1 + np.cos(np.pi * step / total_steps))
                else:
                    rate = learning_rate
                loss, grads = self.gradients(x[batch], labels[batch])
                losses.append(loss)
                step += 1
                for key, grad in grads.items():
                    m, v = moments[key]
                    m[:] = beta1 * m + (1 - beta1) * grad
                    v[:] = beta2 * v + (1 - beta2) * grad**2
                    m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
                    self.params[key] -= rate * m_hat / (np.sqrt(v_hat) + 1e-8)
            history.append(float(np.mean(losses)))
            if on_epoch is not None:
                on_epoch(epoch, history[-1])
        return history

    def accuracy(self, x, labels) -> float:
        return float((self.forward(x)[0].argmax(axis=1) == labels).mean())
