"""Each check gives the right verdict and a plain message: correct, wrong, crashing, unanswered."""

from __future__ import annotations

import numpy as np
import pytest

import convlib
from convlib import exercises


def correct_size(n, k, s=1, p=0, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def float_size(n, k, s=1, p=0, d=1):
    return int((n + 2 * p - d * (k - 1) - 1) / s) + 1 if s == 1 else (n + 2 * p - k) // s + 1


def crashing(n, k, s=1, p=0, d=1):
    return n // 0


def unanswered(n, k, s=1, p=0, d=1):
    raise NotImplementedError()


def test_correct_answer_passes_with_a_success_message(capsys):
    assert exercises.check_output_size(correct_size) is True


def test_wrong_answer_names_the_failing_case_and_the_expected_value():
    with pytest.raises(
        exercises.AnswerIncorrect,
        match=r"For n=5, k=3, s=2, p=0, d=2 you returned 2, expected 1: check the floor",
    ):
        exercises.check_output_size(float_size)


def test_crashing_answer_names_the_exception():
    with pytest.raises(
        exercises.AnswerIncorrect,
        match=r"Your function raised ZeroDivisionError: integer division or modulo by zero for n=5",
    ):
        exercises.check_output_size(crashing)


def test_unanswered_placeholder_raises_not_implemented_with_instructions():
    with pytest.raises(NotImplementedError, match="Not answered yet"):
        exercises.check_output_size(unanswered)


def test_feedback_exceptions_render_without_traceback():
    error = exercises.AnswerIncorrect("For n=5 you returned 2, expected 1")
    assert error._render_traceback_() == ["For n=5 you returned 2, expected 1"]
    assert isinstance(exercises.ExerciseNotAnswered("x"), NotImplementedError)


def test_conv_params_and_conv2d_checks():
    assert exercises.check_conv_params(
        lambda c_in, c_out, k, bias=True: c_in * c_out * k * k + (c_out if bias else 0)
    )
    with pytest.raises(exercises.AnswerIncorrect, match="plus one bias"):
        exercises.check_conv_params(lambda c_in, c_out, k, bias=True: c_in * c_out * k * k)

    def correlate(x, w):
        kh, kw = w.shape
        return np.array(
            [
                [np.sum(x[i : i + kh, j : j + kw] * w) for j in range(x.shape[1] - kw + 1)]
                for i in range(x.shape[0] - kh + 1)
            ]
        )

    assert exercises.check_conv2d(correlate)
    with pytest.raises(exercises.AnswerIncorrect, match="without flipping"):
        exercises.check_conv2d(lambda x, w: correlate(x, w[::-1, ::-1]))


def test_other_checks():
    assert exercises.check_effective_kernel_size(lambda k, d: d * (k - 1) + 1)
    assert exercises.check_transpose_output_size(
        lambda n, k, s=1, p=0, output_padding=0, d=1: (
            (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
        )
    )
    assert exercises.check_value(138_357_544, 138_357_544, "VGG-16 parameters")
    with pytest.raises(exercises.AnswerIncorrect, match="expected 10"):
        exercises.check_value(12, 10, "the count")
    with pytest.raises(exercises.ExerciseNotAnswered):
        exercises.check_value(..., 10)


def test_checks_of_the_why_and_computing_chapters():
    assert exercises.check_pointwise(lambda x, w: np.einsum("oc,nchw->nohw", w, x))
    with pytest.raises(exercises.AnswerIncorrect, match="channels last"):
        exercises.check_pointwise(lambda x, w: np.einsum("co,nchw->nohw", w.T, x) + 1)

    def step(w, x, y, lr):
        residual = convlib.conv2d(x, w) - y
        return w - lr * convlib.grad.conv_weight_grad(x, residual, w.shape[2:]) / residual.size

    assert exercises.check_gradient_step(step)
    with pytest.raises(exercises.AnswerIncorrect, match="goes against it"):
        exercises.check_gradient_step(lambda w, x, y, lr: 2 * w - step(w, x, y, lr))

    def intensity(h, w, c_in, c_out, k, bytes_per_value=4):
        macs = h * w * c_out * c_in * k * k
        return macs / bytes_per_value / (h * w * c_in + c_out * c_in * k * k + h * w * c_out)

    assert exercises.check_intensity(intensity)
    with pytest.raises(exercises.AnswerIncorrect, match="expected"):
        exercises.check_intensity(lambda h, w, c_in, c_out, k, bytes_per_value=4: 1.0)
