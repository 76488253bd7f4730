"""The grouped-convolution study: strengths, the block-structure test, concentration, runs."""

from __future__ import annotations

import numpy as np
import pytest

from convlib.teaching import grouped_study, studies
from convlib.teaching import progress as studies_progress
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


def test_margin_preserving_shuffle_keeps_every_channels_total_strength_and_moves_entries():
    strengths = studies.planted_blocks(16, 4, 2.0, np.random.default_rng(0))
    shuffled = studies.margin_preserving_shuffle(strengths, np.random.default_rng(1))
    np.testing.assert_allclose(shuffled.sum(axis=1), strengths.sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(shuffled.sum(axis=0), strengths.sum(axis=0), rtol=1e-6)
    assert not np.allclose(shuffled, strengths)


def test_margin_null_finds_planted_blocks_among_unequal_channels_that_the_entry_shuffle_misses():
    # blocks twice as strong (strength 1 = x2) hidden among channels of unequal strength
    rng = np.random.default_rng(3)
    planted = studies.planted_blocks(16, 4, 3.0, rng)
    margins = studies.block_structure_test(planted, 4, permutations=19, seed=0)
    shuffle = studies.block_structure_test(planted, 4, permutations=19, seed=0, null="shuffle")
    assert margins.p_value == pytest.approx(1 / 20)
    assert shuffle.p_value > 0.05  # the invalid null: its copies are noisier than the matrix


def test_margin_null_p_values_are_not_stuck_at_one_without_structure():
    # the entry-shuffle null gave p = 1 on unstructured matrices of unequal channels
    p_values = studies.null_power((0.0,), trials=6, permutations=9, seed=2)[0.0]
    assert 0.1 < np.mean(p_values) < 0.9
    assert len(set(p_values)) > 2


def test_block_structure_test_rejects_a_negative_matrix_and_an_unknown_null():
    with pytest.raises(ValueError, match="non-negative"):
        studies.block_structure_test(-np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match="null must be"):
        studies.block_structure_test(np.ones((4, 4)), 2, null="rows")


def test_response_covariance_is_numpys_covariance_of_the_two_layers_responses():
    model = TinyCNN(c1=4, c2=6, groups=2, seed=3)
    x = np.random.default_rng(4).standard_normal((5, 1, 8, 8))
    _, cache = model.forward(x)
    first = cache["h1"].transpose(1, 0, 2, 3).reshape(4, -1)
    second = cache["h2"].transpose(1, 0, 2, 3).reshape(6, -1)
    expected = np.abs(np.cov(np.vstack([second, first]))[:6, 6:])
    np.testing.assert_allclose(studies.response_covariance(model, x), expected, atol=1e-12)


def test_a_grouped_tiny_cnn_starts_from_the_standard_ones_weights_where_shapes_allow():
    standard, grouped = TinyCNN(c1=8, c2=8, groups=1, seed=5), TinyCNN(c1=8, c2=8, groups=4, seed=5)
    for key in ("w1", "w3"):
        np.testing.assert_array_equal(standard.params[key], grouped.params[key])
    for g in range(4):
        block = standard.params["w2"][2 * g : 2 * g + 2, 2 * g : 2 * g + 2]
        np.testing.assert_allclose(grouped.params["w2"][2 * g : 2 * g + 2], block * 2)  # sqrt(4)


def test_tiny_cnn_spec_counts_its_own_parameters():
    for c1, c2, groups in [(16, 16, 1), (32, 28, 4), (64, 48, 16)]:
        model = TinyCNN(c1=c1, c2=c2, groups=groups)
        assert model.spec().num_params == model.num_params


def test_tiny_cnn_rejects_groups_that_do_not_divide_the_channels():
    with pytest.raises(ValueError, match="groups must divide c2"):
        TinyCNN(c1=16, c2=18, groups=4)


def test_stopping_early_repeats_the_first_epochs_of_the_long_schedule_exactly():
    x_train, y_train, _, _ = studies.digits_split(train_size=96)
    full = TinyCNN(c1=4, c2=4, seed=1).fit(x_train, y_train, epochs=4, schedule="cosine")
    first = TinyCNN(c1=4, c2=4, seed=1).fit(
        x_train, y_train, epochs=4, schedule="cosine", stop_after=2
    )
    assert first == full[:2]
    other = TinyCNN(c1=4, c2=4, seed=1).fit(x_train, y_train, epochs=2, schedule="cosine")
    assert other[1] != full[1]  # the schedule's length matters after the first step


def test_paired_difference_is_scipys_paired_t_test():
    from scipy import stats

    a, b = [0.91, 0.95, 0.93, 0.96, 0.92], [0.90, 0.92, 0.93, 0.93, 0.90]
    result = grouped_study.paired_difference(a, b)
    reference = stats.ttest_rel(a, b)
    assert result.t == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    interval = reference.confidence_interval(0.95)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high))


def test_progress_estimates_the_time_left_from_the_steps_done(capsys):
    bar = studies_progress.Progress(4, "runs", widget=False)
    bar.start -= 10.0  # 10 s ago
    bar.update(note="first")
    line = capsys.readouterr().err
    assert line.startswith("1/4 runs, 10 s elapsed, about 30 s left") and "(first)" in line


def test_the_stored_study_reproduces_from_the_library():
    stored = grouped_study.load()
    data = studies.digits_split()
    assert grouped_study.logistic_baseline(data) == stored["baseline"]["logistic_regression"]
    networks = {**grouped_study.EQUAL_WIDTH, **grouped_study.EQUAL_COST}
    training = stored["settings"]["training"]
    for name in ("g1", "g4 wide"):
        assert networks[name].build(0).spec().num_params == stored["networks"][name]["params"]
        _, record = grouped_study.train_network(networks[name], 0, data, training, stop_after=2)
        run = stored["networks"][name]["runs"][0]
        assert record["loss"] == run["loss"][:2]
        assert record["test_accuracy"] == run["test_accuracy"][:2]
    power = studies.null_power((2.0,), trials=2, permutations=19)[2.0]
    assert power == stored["power"]["margins"]["2.0"][:2]


def test_the_stored_standard_weights_score_the_stored_accuracy_and_run_statistics():
    stored = grouped_study.load()
    _, _, x_test, y_test = studies.digits_split()
    model = grouped_study.standard_model(stored)
    run = stored["networks"]["g1"]["runs"][0]
    assert model.accuracy(x_test, y_test) == run["accuracy"] == run["test_accuracy"][-1]
    epochs = stored["settings"]["training"]["epochs"]
    assert stored["longer"]["training"] == {**stored["settings"]["training"], "epochs": 2 * epochs}
    for name, runs in stored["longer"]["runs"].items():  # paired with the main runs by seed
        assert [r["seed"] for r in runs] == [r["seed"] for r in stored["networks"][name]["runs"]]
        assert all(len(r["loss"]) == 2 * epochs for r in runs)


def test_live_channels_counts_channels_whose_relu_fires_on_some_image():
    model = TinyCNN(c1=4, c2=4, seed=0)
    x = studies.digits_split(train_size=32)[0]
    assert grouped_study.live_channels(model, x) == [4, 4]
    model.params["b2"][[1, 3]] = -1e6  # two second-layer channels switched off
    assert grouped_study.live_channels(model, x) == [4, 2]


def test_unpaired_interval_is_welchs_and_wider_than_the_paired_one_for_correlated_seeds():
    base = np.array([0.90, 0.95, 0.92, 0.97, 0.93])
    shifted = base + np.array([0.010, 0.012, 0.009, 0.011, 0.010])
    low, high = grouped_study.unpaired_interval(shifted, base)
    assert low < 0 < high  # the seeds' spread hides the shift
    paired = grouped_study.paired_difference(shifted, base)
    assert 0 < paired.low < paired.high < high - low
    welch_t = (shifted.mean() - base.mean()) / np.sqrt(
        shifted.var(ddof=1) / 5 + base.var(ddof=1) / 5
    )
    assert (low + high) / 2 == pytest.approx(shifted.mean() - base.mean())
    assert welch_t > 0
