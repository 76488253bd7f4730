"""The pooling chapter's checks accept the textbook answers and name the case a wrong one fails."""

from __future__ import annotations

import numpy as np
import pytest

from convlib.teaching import exercises


def pool_size(n, k, s=None, p=0, d=1, ceil_mode=False):
    s = k if s is None else s
    top = n + 2 * p - d * (k - 1) - 1
    o = (-(-top // s) if ceil_mode else top // s) + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def positions(n, o, align_corners):
    dst = np.arange(o)
    if align_corners:
        source = dst * ((n - 1) / (o - 1) if o > 1 else 0.0)
    else:
        source = (dst + 0.5) * n / o - 0.5
    return np.clip(source, 0, n - 1)


def test_pool_output_size_check_accepts_the_formula_and_catches_the_forgotten_drop_rule():
    assert exercises.check_pool_output_size(pool_size) is None
    assert exercises.check_pool_output_size("pool_size") is None

    def plain_ceiling(n, k, s=None, p=0, d=1, ceil_mode=False):
        s = k if s is None else s
        top = n + 2 * p - d * (k - 1) - 1
        return (-(-top // s) if ceil_mode else top // s) + 1

    with pytest.raises(
        exercises.AnswerIncorrect, match=r"ceil_mode=True you returned .*right padding"
    ):
        exercises.check_pool_output_size(plain_ceiling)
    with pytest.raises(exercises.AnswerIncorrect, match=r"s=None"):
        exercises.check_pool_output_size(lambda n, k, s=None, **kw: pool_size(n, k, s or 1, **kw))


def test_sample_positions_check_accepts_both_rules_and_catches_a_missing_clamp():
    assert exercises.check_sample_positions(positions) is None
    with pytest.raises(exercises.AnswerIncorrect, match=r"align_corners=False .*clamp"):
        exercises.check_sample_positions(
            lambda n, o, align_corners: (
                (np.arange(o) + 0.5) * n / o - 0.5 if not align_corners else positions(n, o, True)
            )
        )

    def unanswered(n, o, align_corners):
        raise NotImplementedError()

    with pytest.raises(exercises.ExerciseNotAnswered):
        exercises.check_sample_positions(unanswered)


def test_pool_output_size_check_holds_ceil_mode_windows_larger_than_the_floor_allows():
    """With ceil_mode one window may fit where the floor rule has none (n=2, k=3, s=2): the
    hidden cases include those settings, so an answer that gets them wrong is caught."""
    assert pool_size(2, 3, 2, 0, 1, ceil_mode=True) == 1

    def no_window_past_the_floor(n, k, s=None, p=0, d=1, ceil_mode=False):
        s = k if s is None else s
        top = n + 2 * p - d * (k - 1) - 1
        return pool_size(n, k, s, p, d, ceil_mode) if top >= 0 else 0

    with pytest.raises(exercises.AnswerIncorrect, match=r"ceil_mode=True you returned 0"):
        exercises.check_pool_output_size(no_window_past_the_floor)
