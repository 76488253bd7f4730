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


def match_margins(
    matrix: np.ndarray, rows: np.ndarray, columns: np.ndarray, iterations: int = 200
) -> np.ndarray:
    """Rescale a positive matrix's rows and columns until its row sums are ``rows`` and its
    column sums ``columns`` (iterative proportional fitting, Sinkhorn's algorithm).

    ``rows`` and ``columns`` must have the same total. The result is ``diag(a) @ matrix @
    diag(b)`` for positive vectors ``a`` and ``b``: the pattern of the matrix, the margins of
    the targets.
    """
    result = np.asarray(matrix, dtype=float) + 1e-12
    rows, columns = np.asarray(rows, dtype=float), np.asarray(columns, dtype=float)
    for _ in range(iterations):
        result *= (rows / result.sum(axis=1))[:, None]
        result *= (columns / result.sum(axis=0))[None, :]
    return result


def margin_preserving_shuffle(strengths: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``strengths`` with no block structure but every channel's total strength.

    The matrix is first normalised (:func:`match_margins` to equal row sums and equal column
    sums), which divides out each channel's overall strength; the normalised entries are
    permuted at random; then rows and columns are rescaled so that each output channel's row
    sum and each input channel's column sum are those of ``strengths`` again. What survives is
    what the null hypothesis allows: channels of different overall strength, related to each
    other at random, with the same spread of entries. (Permuting the raw entries instead
    mixes the channels' strengths into the noise, and the shuffled copies are noisier than
    any real matrix.)
    """
    strengths = np.asarray(strengths, dtype=float)
    n_rows, n_columns = strengths.shape
    normalised = match_margins(strengths, np.full(n_rows, n_columns), np.full(n_columns, n_rows))
    shuffled = rng.permutation(normalised.ravel()).reshape(strengths.shape)
    return match_margins(shuffled, strengths.sum(axis=1), strengths.sum(axis=0))


@dataclasses.dataclass(frozen=True)
class BlockTest:
    """Result of :func:`block_structure_test`."""

    observed: float
    null: np.ndarray
    p_value: float


def block_structure_test(
    strengths: np.ndarray,
    n_blocks: int,
    permutations: int = 49,
    seed: int = 0,
    null: str = "margins",
) -> BlockTest:
    """Permutation test for block structure in a non-negative ``(C_out, C_in)`` matrix.

    The statistic is :func:`in_block_share`. The null distribution applies the same procedure
    to ``permutations`` random matrices drawn by ``null``:

    * ``'margins'`` (the valid null): :func:`margin_preserving_shuffle`, same values rearranged
      at random, then rescaled so every channel keeps its total strength;
    * ``'shuffle'``: the entries permuted, nothing else. Kept to show why it is invalid: it
      also destroys the differences in overall strength between channels that training
      creates, so a real matrix can differ from its null for reasons that are not blocks.

    The p-value is ``(1 + #{null >= observed}) / (1 + permutations)``. All-zero rows and
    columns (dead channels) are left out first.
    """
    permutations = check_positive_int(permutations, "permutations")
    if null not in ("margins", "shuffle"):
        raise ValueError(f"null must be 'margins' or 'shuffle'; received null={null!r}")
    strengths = np.asarray(strengths, dtype=float)
    if strengths.ndim != 2 or (strengths < 0).any():
        raise ValueError(
            "strengths must be a 2-d array of non-negative values; received an array of shape "
            f"{strengths.shape} with minimum {strengths.min():.3g}"
        )
    # a dead channel (all zeros) relates to nothing: leave it out
    strengths = strengths[strengths.sum(axis=1) > 0][:, strengths.sum(axis=0) > 0]
    rng = np.random.default_rng(seed)
    observed = in_block_share(strengths, n_blocks)

    def draw() -> np.ndarray:
        if null == "margins":
            return margin_preserving_shuffle(strengths, rng)
        return rng.permutation(strengths.ravel()).reshape(strengths.shape)

    values = np.array([in_block_share(draw(), n_blocks) for _ in range(permutations)])
    return BlockTest(observed, values, float((1 + (values >= observed).sum()) / (1 + permutations)))


def planted_blocks(
    size: int, n_blocks: int, strength: float, rng: np.random.Generator, spread: float = 0.5
) -> np.ndarray:
    """A ``(size, size)`` strength matrix with ``n_blocks`` hidden blocks of known strength.

    Every row and column has its own overall strength (log-normal factors with standard
    deviation ``spread``, as training gives channels different norms); the entries are those
    factors times uniform noise in ``[0.5, 1]``; entries inside the blocks (rows and columns
    assigned to blocks at random, ``size / n_blocks`` each) are multiplied by
    ``1 + strength``. ``strength=0`` has no structure at all.
    """
    if size % n_blocks:
        raise ValueError(f"n_blocks must divide size={size}; received n_blocks={n_blocks}")
    row_labels = rng.permutation(np.repeat(np.arange(n_blocks), size // n_blocks))
    column_labels = rng.permutation(np.repeat(np.arange(n_blocks), size // n_blocks))
    rows, columns = rng.lognormal(0, spread, size), rng.lognormal(0, spread, size)
    matrix = rows[:, None] * columns[None, :] * rng.uniform(0.5, 1.0, (size, size))
    matrix[row_labels[:, None] == column_labels[None, :]] *= 1 + strength
    return matrix


def null_power(
    strengths: Iterable[float],
    trials: int,
    null: str = "margins",
    size: int = 16,
    n_blocks: int = 4,
    permutations: int = 39,
    seed: int = 0,
) -> dict[float, list[float]]:
    """p-values of :func:`block_structure_test` on ``trials`` :func:`planted_blocks` matrices
    per planted strength (trial ``t`` of every strength uses the seed ``[seed, t]``).

    The share of p-values at or below 0.05 is the test's power at that strength; at strength 0
    it is the false-positive rate, which a valid test keeps near 5%.
    """
    trials = check_positive_int(trials, "trials")
    result = {}
    for strength in strengths:
        p_values = []
        for trial in range(trials):
            rng = np.random.default_rng([seed, trial])
            matrix = planted_blocks(size, n_blocks, strength, rng)
            test = block_structure_test(matrix, n_blocks, permutations, seed=trial, null=null)
            p_values.append(test.p_value)
        result[float(strength)] = p_values
    return result


def response_covariance(model: TinyCNN, x: np.ndarray) -> np.ndarray:
    """Ioannou et al.'s inter-layer covariance for :class:`TinyCNN`'s two convolutions.

    Every pixel of every image is a sample; the responses (after ReLU) of the first layer's
    ``c1`` and the second layer's ``c2`` channels are centred, and the result is the
    ``(c2, c1)`` matrix of absolute covariances ``|X_2 X_1^T| / (N - 1)``.
    """
    _, cache = model.forward(np.asarray(x, dtype=float))
    first = np.moveaxis(cache["h1"], 1, 0).reshape(model.c1, -1)
    second = np.moveaxis(cache["h2"], 1, 0).reshape(model.c2, -1)
    first = first - first.mean(axis=1, keepdims=True)
    second = second - second.mean(axis=1, keepdims=True)
    return np.abs(second @ first.T) / (first.shape[1] - 1)


def top_share(strengths: np.ndarray, fraction: float = 0.25) -> float:
    """Share of the total strength held by the strongest ``fraction`` of the connections."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1]; received fraction={fraction!r}")
    values = np.sort(np.asarray(strengths, dtype=float).ravel())[::-1]
    keep = max(1, int(round(fraction * values.size)))
    return float(values[:keep].sum() / values.sum())
