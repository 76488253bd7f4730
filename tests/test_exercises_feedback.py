"""Feedback that teaches without giving the answer away (issue 30).

Every public check in ``convlib.teaching.exercises`` (every function whose name starts with
``check_``, found by introspection, so a new check cannot escape) is called with wrong answers on
each of its cases in turn; its feedback may echo the case and the value returned, but never shows
the expected value of the asked case, in any of the forms the messages use (plain, with thousands
separators, rounded, as a tuple or an array). Checks whose task is integer arithmetic refuse a float
or a bool, saying why; the worked cases shown are right and none of the hidden cases.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import convlib
from convlib.functional.grad import conv_weight_grad
from convlib.teaching import exercises


def public_checks(module: ModuleType) -> list[str]:
    return sorted(
        name
        for name, member in vars(module).items()
        if name.startswith("check_") and inspect.isfunction(member)
    )


# --- what "showing the expected value" means -------------------------------------------------


def forms(value: Any) -> set[str]:
    """The ways a message could write ``value``."""
    if isinstance(value, np.ndarray):
        return {str(value), repr(value), str(value.tolist()), str(value.shape)}
    if isinstance(value, tuple):
        return {str(value), str(list(value))}
    value = value.item() if isinstance(value, np.generic) else value
    shown = {str(value), repr(value), f"{value:,}"}
    if float(value) == int(value):
        shown |= {str(int(value)), f"{int(value):,}", str(float(value)), f"{float(value):,}"}
    shown |= {f"{value:.{digits}g}" for digits in range(3, 7)}
    shown |= {f"{value:,.{digits}f}" for digits in range(1, 4)}
    return shown


def shown_forms(message: str, value: Any, allowed: list[str]) -> list[str]:
    """The forms of ``value`` in ``message`` once the allowed echoes are taken out."""
    for text in sorted(allowed, key=len, reverse=True):
        message = message.replace(text, " ")
    return sorted(
        form
        for form in forms(value)
        if re.search(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)", message)
    )


def test_the_leak_finder_finds_the_old_messages_and_tolerates_echoes():
    assert shown_forms("the MACs is 39,337,984, expected 118,013,952.", 118_013_952, [])
    assert shown_forms("For n=5, k=3 you returned 2, expected 1: check", 1, ["For n=5, k=3 "])
    assert shown_forms("shape (3, 4) vs (3, 3)", np.zeros((3, 3)), [])
    assert shown_forms("expected 1.61", 1.6134, [])
    assert not shown_forms("For n=5, k=1 you returned 2: see", 1, ["For n=5, k=1 ", "returned 2"])
    assert not shown_forms("you returned 32.0, a float", 32, ["you returned 32.0"])
    assert not shown_forms("spans 29 cells; 112 in all", 11, [])


# --- driving each check with wrong answers ---------------------------------------------------


def correlate(x, w):
    return convlib.conv2d(x[None, None], w[None, None])[0, 0]


def gradient_step(w, x, y, lr):
    residual = convlib.conv2d(x, w) - y
    return w - lr * conv_weight_grad(x, residual, w.shape[2:]) / residual.size


def positions(n, o, align_corners):
    dst = np.arange(o)
    if align_corners:
        source = dst * ((n - 1) / (o - 1) if o > 1 else 0.0)
    else:
        source = (dst + 0.5) * n / o - 0.5
    return np.clip(source, 0, n - 1)


def intensity(h, w, c_in, c_out, k, bytes_per_value=4):
    values = h * w * c_in + c_out * c_in * k * k + h * w * c_out
    return h * w * c_out * c_in * k * k / (bytes_per_value * values)


def int_wrong(value):
    return [value + 1, value - 3, float(value), True]


def float_wrong(value):
    return [value * 1.5, value + 1]


def array_wrong(value):
    return [value + 1, np.append(value.ravel(), 0.0), value - 2.5]


# check name -> a right answer (what a student may write) and wrong variants of its results
FUNCTION_CHECKS: dict[str, tuple[Callable, Callable[[Any], list]]] = {
    "check_output_size": (
        lambda n, k, s=1, p=0, d=1: (n + 2 * p - d * (k - 1) - 1) // s + 1,
        int_wrong,
    ),
    "check_conv_params": (
        lambda c_in, c_out, k, bias=True: c_in * c_out * k * k + (c_out if bias else 0),
        int_wrong,
    ),
    "check_conv2d": (correlate, array_wrong),
    "check_effective_kernel_size": (lambda k, d: d * (k - 1) + 1, int_wrong),
    "check_transpose_output_size": (
        lambda n, k, s=1, p=0, output_padding=0, d=1: (
            (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
        ),
        int_wrong,
    ),
    "check_grouped_params": (
        lambda c_in, c_out, k, groups: c_in // groups * c_out * k * k,
        int_wrong,
    ),
    "check_pool_output_size": (
        lambda n, k, s=None, p=0, d=1, ceil_mode=False: convlib.geometry.shapes.pool_output_size(
            n, k, s, p, d, ceil_mode
        ),
        int_wrong,
    ),
    "check_sample_positions": (positions, array_wrong),
    "check_pointwise": (lambda x, w: np.einsum("oc,nchw->nohw", w, x), array_wrong),
    "check_gradient_step": (gradient_step, array_wrong),
    "check_intensity": (intensity, float_wrong),
}
OTHER_CHECKS = {"check_value", "check_rank1_factors"}  # tested below


def test_every_public_check_is_driven_by_the_leak_tests():
    """A new check fails here until it is added to FUNCTION_CHECKS or to a test of its own."""
    assert set(public_checks(exercises)) == set(FUNCTION_CHECKS) | OTHER_CHECKS


def hints(module: ModuleType, name: str) -> list[str]:
    """The check's fixed hint (text written once, the same for every case)."""
    exercise = getattr(module, "_EXERCISES", {}).get(name)
    return [exercise.hint] if exercise is not None else []


def wrong_at(right: Callable, wrongs: Callable, case: int, variant: int, calls: list) -> Callable:
    """An answer right on every call but call number ``case``, where it gives a wrong variant."""

    def answer(**args):
        calls.append(args)
        value = right(**args)
        if len(calls) - 1 != case:
            return value
        options = wrongs(value)
        return options[variant % len(options)]

    return answer


def leaks_of_function_check(module: ModuleType, name: str) -> list[tuple]:
    """Each case in turn gets each wrong variant (earlier cases the right value); the forms of
    the expected value each feedback shows, with the case and the message."""
    right, wrongs = FUNCTION_CHECKS[name]
    check = getattr(module, name)
    found = []
    for case in itertools.count():
        for variant in range(4 if case < 12 else 1):  # int_wrong has the most variants
            calls: list[dict] = []
            try:
                check(wrong_at(right, wrongs, case, variant, calls))
            except module.AnswerIncorrect as error:
                args = calls[-1]
                want = right(**args)
                options = wrongs(want)
                echo = ", ".join(
                    f"{k}={v}" for k, v in args.items() if not isinstance(v, np.ndarray)
                )
                allowed = [f"For {echo} "] if echo else []
                allowed += [f"you returned {options[variant % len(options)]!r}"]
                allowed += hints(module, name)
                if shown := shown_forms(str(error), want, allowed):
                    found.append((args, str(error), shown))
            else:
                assert len(calls) <= case, f"{name} accepted a wrong answer on {calls[-1]}"
                assert case > 0, f"{name} has no cases"
                return found
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.mark.parametrize("name", public_checks(exercises))
def test_no_wrong_answer_is_told_the_expected_value(name, capsys):
    if name in OTHER_CHECKS:
        pytest.skip("tested by its own test below")
    if name not in FUNCTION_CHECKS:
        pytest.fail(f"{name} has no wrong answers in FUNCTION_CHECKS")
    assert leaks_of_function_check(exercises, name) == []
    assert "expected" not in capsys.readouterr().out


# --- check_value and check_rank1_factors --------------------------------------------------------

VALUES = [
    (118_013_952, 0.0),
    (138_357_544, 0.0),
    (112, 0.0),
    (32, 0.0),
    (3, 0.0),
    (1, 0.0),
    (-1, 0.0),
    (0, 0.0),
    (4.0, 0.0),
    (9.0, 0.0),
    (np.int64(576), 0.0),
    (0.6e9, 0.01),
    (2.04, 0.01),
    (4.0, 1e-9),
    (1.6134, 1e-9),
]


def wrong_values(expected, rel):
    values = [expected + 1, expected * 3 + 7, -expected - 2, expected * 0.5 + 0.25]
    values = [v for v in values if abs(v - expected) > rel * abs(expected)]
    if isinstance(expected, int | np.integer):
        values += [float(expected), True]
    return values


@pytest.mark.parametrize(("expected", "rel"), VALUES, ids=str)
def test_check_value_never_tells_the_expected_value(expected, rel, capsys):
    for value in wrong_values(expected, rel):
        with pytest.raises(exercises.AnswerIncorrect) as error:
            exercises.check_value(value, expected, "the answer", rel=rel)
        echoes = [repr(value), f"{value:,}" if not isinstance(value, bool) else "True"]
        assert shown_forms(str(error.value), expected, echoes) == [], str(error.value)
    assert capsys.readouterr().out == ""


KERNELS = [np.full((5, 5), 1 / 25), np.outer([1, 2, 1], [1, 2, 1]) / 16, np.outer([1, 3], [2, 5])]


def expected_factors(kernel):
    """What the exercise asks for: the kernel's shape and a pair of factors (balanced ones too)."""
    column, row = kernel[:, 0], kernel[0] / kernel[0, 0]
    scale = np.sqrt(np.abs(kernel).max())
    balanced = [column / np.abs(column).max() * scale, row / np.abs(row).max() * scale]
    values = [kernel, kernel.shape, column, row, *balanced]
    return values + [float(v) for pair in balanced for v in np.unique(pair)]


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: str(k.shape))
def test_check_rank1_factors_never_tells_the_factors_or_the_kernel(kernel):
    rows, columns = kernel.shape
    wrong = [
        (np.ones(rows), np.ones(columns)),
        (np.ones(rows + 1), np.ones(columns)),
        (np.ones(rows), np.ones(columns - 1)),
        (kernel[:, 0], kernel[0] * 2),
    ]
    for column, row in wrong:
        with pytest.raises(exercises.AnswerIncorrect) as error:
            exercises.check_rank1_factors(column, row, kernel)
        for want in expected_factors(kernel):
            assert shown_forms(str(error.value), want, []) == [], (want, str(error.value))


# --- integer answers, worked cases ----------------------------------------------------------

INTEGER_CHECKS = [name for name, exercise in exercises._EXERCISES.items() if exercise.integer]


def test_the_checks_of_counts_and_sizes_expect_ints():
    assert set(INTEGER_CHECKS) == {
        "check_output_size",
        "check_conv_params",
        "check_effective_kernel_size",
        "check_transpose_output_size",
        "check_grouped_params",
        "check_pool_output_size",
    }


@pytest.mark.parametrize("name", INTEGER_CHECKS)
def test_an_int_check_refuses_a_float_or_bool_even_with_the_right_value(name, capsys):
    right, _ = FUNCTION_CHECKS[name]
    check = getattr(exercises, name)
    with pytest.raises(
        exercises.AnswerIncorrect, match=r"a float, but the answer is an int: use `//`"
    ):
        check(lambda **args: float(right(**args)))  # what `/` gives
    with pytest.raises(exercises.AnswerIncorrect, match=r"a bool, not an int"):
        check(lambda **args: right(**args) > 0)
    check(lambda **args: np.int64(right(**args)))  # a numpy int is an int
    assert capsys.readouterr().out.startswith("Correct: ")


def test_check_value_wants_an_int_when_the_expected_value_is_one(capsys):
    with pytest.raises(exercises.AnswerIncorrect, match=r"^the side is 112\.0, a float, .*`//`"):
        exercises.check_value(224 / 2, 112, "the side")
    with pytest.raises(exercises.AnswerIncorrect, match=r"^the sign is True, a bool, not an int"):
        exercises.check_value(True, 1, "the sign")
    with pytest.raises(
        exercises.AnswerIncorrect, match=r"is 4\.0, a float, but the answer is an int"
    ):
        exercises.check_value(4.0, 4, "the ratio")
    exercises.check_value(4, 4.0, "the ratio")  # a float expected: an int answer is a number
    exercises.check_value(np.int64(576), 576, "the rows")
    exercises.check_value(4.0, 4, "the ratio", integer=False)
    assert capsys.readouterr().out.count("Correct: ") == 3
    with pytest.raises(exercises.AnswerIncorrect, match=r"should be a number; received \['3'\]"):
        exercises.check_value(["3"], 3, "the count")


def test_wrong_answers_still_get_the_hint_and_a_worked_case():
    with pytest.raises(exercises.AnswerIncorrect) as error:
        exercises.check_output_size(lambda n, k, s=1, p=0, d=1: (n + 2 * p - k) // s + 1)
    message = str(error.value)
    assert "dilation stretches the kernel" in message
    assert "A worked case (not a hidden one): n=" in message
    assert "expected" not in message


@pytest.mark.parametrize("name", sorted(exercises._EXERCISES))
def test_worked_cases_are_right_and_none_of_the_hidden_cases(name):
    exercise = exercises._EXERCISES[name]
    assert exercise.examples, f"{name} shows no worked case"
    hidden = exercise.cases()
    for example in exercise.examples:
        result = exercise.expected(**example.args)
        assert np.shape(result) == np.shape(example.result)
        assert np.allclose(result, example.result), (name, example.args, result)
        for case in hidden:
            assert case.keys() == example.args.keys()
            same = all(
                np.array_equal(case[key], example.args[key])
                if isinstance(case[key], np.ndarray)
                else case[key] == example.args[key] and type(case[key]) is type(example.args[key])
                for key in case
            )
            assert not same, (name, example.args)
