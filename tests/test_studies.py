"""The grouped-convolution study: strengths, the block-structure test, concentration, runs."""

from __future__ import annotations

import numpy as np
import pytest

from convlib.teaching import studies
from convlib.teaching.train import TinyCNN

pytest.importorskip("sklearn")


def test_connection_strengths_are_kernel_norms_placed_on_the_diagonal_blocks():
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((6, 2, 3, 3))  # 3 groups of 2 input channels
    strengths = studies.connection_strengths(weight, groups=3)
    assert strengths.shape == (6, 6)
    for o in range(6):
        group = o // 2
        for c in range(6):
            inside = c // 2 == group
            expected = np.linalg.norm(weight[o, c % 2]) if inside else 0.0
            assert np.isclose(strengths[o, c], expected)


def test_connection_strengths_reject_groups_that_do_not_divide_the_outputs():
    with pytest.raises(ValueError, match="groups must divide"):
        studies.connection_strengths(np.ones((5, 2, 3, 3)), groups=2)


def _planted(blocks: int, size: int, contrast: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(blocks), size // blocks)
    strengths = rng.uniform(0.5, 1.0, (size, size))
    strengths[labels[:, None] == labels[None, :]] *= contrast
    return strengths


def test_in_block_share_is_one_for_a_block_diagonal_matrix_whatever_the_channel_order():
    strengths = _planted(4, 16, contrast=1.0, seed=1)
    strengths[np.arange(16)[:, None] // 4 != np.arange(16)[None, :] // 4] = 0.0
    rows, cols = np.random.default_rng(2).permutation(16), np.random.default_rng(3).permutation(16)
    assert studies.in_block_share(strengths, 4) == pytest.approx(1.0)
    assert studies.in_block_share(strengths[rows][:, cols], 4) == pytest.approx(1.0)


def test_block_structure_test_detects_planted_blocks_and_not_noise():
    planted = studies.block_structure_test(_planted(4, 16, 3.0, 4), 4, permutations=19)
    assert planted.p_value == pytest.approx(1 / 20)  # no permuted matrix does as well
    assert planted.observed > planted.null.max()
    noise = studies.block_structure_test(_planted(4, 16, 1.0, 5), 4, permutations=19)
    assert noise.p_value > 0.1
    assert len(noise.null) == 19


def test_top_share_of_equal_strengths_is_the_fraction_and_grows_with_concentration():
    assert studies.top_share(np.ones((4, 4)), 0.25) == pytest.approx(0.25)
    concentrated = np.ones((4, 4))
    concentrated[0, 0] = 100.0
    assert studies.top_share(concentrated, 0.25) > 0.8
    with pytest.raises(ValueError, match="fraction"):
        studies.top_share(np.ones(3), 0)


def test_grouping_study_trains_one_model_per_setting_with_the_right_parameter_count():
    x_train, y_train, x_test, y_test = studies.digits_split(train_size=64)
    data = (x_train, y_train, x_test[:50], y_test[:50])
    runs = studies.grouping_study(groups=(1, 4), seeds=(0, 1), epochs=1, data=data)
    assert [(r.groups, r.seed) for r in runs] == [(1, 0), (1, 1), (4, 0), (4, 1)]
    for run in runs:
        assert run.num_params == TinyCNN(groups=run.groups, c2=16).num_params
        assert 0.0 <= run.accuracy <= 1.0
    # same seed, same groups: the same run
    again = studies.grouping_study(groups=(4,), seeds=(1,), epochs=1, data=data)[0]
    assert again.accuracy == runs[3].accuracy
