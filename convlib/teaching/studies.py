"""The grouped-convolution study of the chapter "Grouped convolution", as plain functions.

Do a layer's filters form independent groups on their own? Two measurements answer it without
depending on the (arbitrary) order of the channels:

* :func:`grouping_study` trains :class:`~convlib.teaching.train.TinyCNN` on scikit-learn's 8x8
  digits for several seeds and several ``groups`` of its second convolution, at equal epochs, and
  reports each run's test accuracy and parameter count.
* :func:`block_structure_test` looks for block structure in a trained layer's input-output
  *connection strengths* (the norm of each ``(output, input)`` kernel): it co-clusters the
  strength matrix into ``n_blocks`` row and column groups (scikit-learn's
  ``SpectralCoclustering``), measures the share of the total strength inside the blocks found,
  and compares that share with a null distribution from the same matrix with its entries
  randomly permuted (same values, no structure). Permuting channels cannot change the result.

:func:`top_share` measures how concentrated the strengths are (the share held by the strongest
quarter of the connections), to compare a trained layer with its own initialisation.

scikit-learn is needed (it is in the ``notebooks`` extra); it is imported when a study runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from convlib._validation import check_positive_int
from convlib.teaching.train import TinyCNN


def digits_split(
    train_size: int = 1200, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits as ``(x_train, y_train, x_test, y_test)``, images ``(N, 1, 8, 8)``.

    Pixel values are scaled to ``[0, 1]``; the split is a seeded permutation of the 1797 images.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images, labels = (digits.images / 16.0)[:, None], digits.target
    order = np.random.default_rng(seed).permutation(len(labels))
    train, test = order[:train_size], order[train_size:]
    return images[train], labels[train], images[test], labels[test]


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run of :func:`grouping_study`."""

    groups: int
    seed: int
    num_params: int
    accuracy: float
    model: TinyCNN = dataclasses.field(repr=False, compare=False)


def grouping_study(
    groups: Iterable[int] = (1, 2, 4, 8, 16),
    seeds: Iterable[int] = range(5),
    c1: int = 16,
    c2: int = 16,
    epochs: int = 8,
    learning_rate: float = 0.01,
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> list[Run]:
    """Train one :class:`TinyCNN` per ``(groups, seed)`` pair at equal epochs.

    The seed sets the initial weights and the order of the mini-batches; the data split is the
    same for every run (:func:`digits_split` unless ``data`` is given), so runs with the same
    seed differ only in ``groups``. The runs use one BLAS thread: the network's matrices are
    tiny, and more threads only add synchronisation (on a busy machine, many times the work).
    """
    from threadpoolctl import threadpool_limits

    x_train, y_train, x_test, y_test = digits_split() if data is None else data
    runs = []
    with threadpool_limits(1):
        for g in groups:
            for seed in seeds:
                model = TinyCNN(c1=c1, c2=c2, groups=g, seed=seed)
                model.fit(x_train, y_train, epochs=epochs, learning_rate=learning_rate)
                accuracy = model.accuracy(x_test, y_test)
                runs.append(Run(g, seed, model.num_params, accuracy, model))
    return runs


def connection_strengths(weight: np.ndarray, groups: int = 1) -> np.ndarray:
    """``(C_out, C_in)`` matrix of kernel norms ``||W[o, c]||`` of a (grouped) convolution weight.

    A grouped weight of shape ``(C_out, C_in / groups, *k)`` is placed on its diagonal blocks;
    connections a grouped layer does not have are 0.
    """
    weight = np.asarray(weight, dtype=float)
    groups = check_positive_int(groups, "groups")
    c_out, c_per_group = weight.shape[:2]
    if c_out % groups:
        raise ValueError(
            f"groups must divide the weight's {c_out} output channels; received groups={groups}"
        )
    norms = np.sqrt((weight.reshape(c_out, c_per_group, -1) ** 2).sum(axis=2))
    dense = np.zeros((c_out, c_per_group * groups))
    out_per_group = c_out // groups
    for g in range(groups):
        rows = slice(g * out_per_group, (g + 1) * out_per_group)
        dense[rows, g * c_per_group : (g + 1) * c_per_group] = norms[rows]
    return dense


def in_block_share(strengths: np.ndarray, n_blocks: int, random_state: int = 0) -> float:
    """Share of the total strength inside the ``n_blocks`` co-clusters that spectral
    co-clustering finds (1 for a perfectly block-diagonal matrix; about ``1/n_blocks`` for
    equal blocks placed at random)."""
    from sklearn.cluster import SpectralCoclustering
    from threadpoolctl import threadpool_limits

    strengths = np.asarray(strengths, dtype=float)
    with threadpool_limits(1):  # tiny matrices: threads only add overhead
        model = SpectralCoclustering(n_clusters=n_blocks, n_init=3, random_state=random_state)
        model.fit(strengths + 1e-12)  # no all-zero row or column
    inside = model.row_labels_[:, None] == model.column_labels_[None, :]
    return float(strengths[inside].sum() / strengths.sum())


@dataclasses.dataclass(frozen=True)
class BlockTest:
    """Result of :func:`block_structure_test`."""

    observed: float
    null: np.ndarray
    p_value: float


def block_structure_test(
    strengths: np.ndarray, n_blocks: int, permutations: int = 49, seed: int = 0
) -> BlockTest:
    """Permutation test for block structure in a connection-strength matrix.

    The statistic is :func:`in_block_share`. The null distribution applies the same procedure
    to the matrix with its entries randomly permuted; the p-value is
    ``(1 + #{null >= observed}) / (1 + permutations)``.
    """
    permutations = check_positive_int(permutations, "permutations")
    strengths = np.asarray(strengths, dtype=float)
    rng = np.random.default_rng(seed)
    observed = in_block_share(strengths, n_blocks)
    null = np.array(
        [
            in_block_share(rng.permutation(strengths.ravel()).reshape(strengths.shape), n_blocks)
            for _ in range(permutations)
        ]
    )
    return BlockTest(observed, null, float((1 + (null >= observed).sum()) / (1 + permutations)))


def top_share(strengths: np.ndarray, fraction: float = 0.25) -> float:
    """Share of the total strength held by the strongest ``fraction`` of the connections."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1]; received fraction={fraction!r}")
    values = np.sort(np.asarray(strengths, dtype=float).ravel())[::-1]
    keep = max(1, int(round(fraction * values.size)))
    return float(values[:keep].sum() / values.sum())
