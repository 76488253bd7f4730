"""Checks students call from exercise cells: hidden cases, plain-language feedback.

A check runs the student's function (or answer) on cases it generates from convlib itself and
replies in plain words. Pass the answer itself or, better, its name as a string
(``check_value("side", ...)``): the check then looks the name up where it was called from, so
an answer cell that was never run reads as "not answered", not as a ``NameError``.

- A correct answer prints (in Jupyter: displays) a success message and returns ``None``, so the
  check cell has no output value (nbgrader scores it without a warning).
- An unanswered exercise raises :class:`ExerciseNotAnswered`: the name is not defined, is still
  ``None`` or ``...``, or the function still raises the placeholder ``NotImplementedError()``
  that nbgrader and ``make student`` leave in place of the solution.
- A wrong answer raises :class:`AnswerIncorrect` with the first failing case, the value the
  student returned, a hint naming what to check and, for a function, a small worked case that
  is none of the hidden ones; never the expected value. So does an answer whose own code raises
  an error. An answer of the wrong kind is refused with the reason: where the task is integer
  arithmetic, a float (``32.0`` from ``/``) or a bool is not an int.

Both exceptions show only their message in Jupyter, never a traceback, yet still fail the cell,
so nbgrader scores them.
"""

from __future__ import annotations

import html
import itertools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlib.functional.convolution import conv2d
from convlib.geometry.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
)
from convlib.nn.layers import Conv2d

__all__ = [
    "AnswerIncorrect",
    "ExerciseNotAnswered",
    "check_conv2d",
    "check_conv_params",
    "check_effective_kernel_size",
    "check_gradient_step",
    "check_grouped_params",
    "check_intensity",
    "check_output_size",
    "check_pointwise",
    "check_pool_output_size",
    "check_rank1_factors",
    "check_sample_positions",
    "check_transpose_output_size",
    "check_value",
]


class _QuietError:
    """Jupyter shows ``_render_traceback_()`` instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class AnswerIncorrect(_QuietError, AssertionError):
    """The answer is wrong on a hidden case (or the student's code raised an error)."""


class ExerciseNotAnswered(_QuietError, NotImplementedError):
    """The exercise has no answer yet: a missing name, ``None``/``...``, or the placeholder."""


def _feedback_html(message: str) -> str:
    return (
        "<div role='status' style='border-left:4px solid #009E73;padding:4px 10px'>"
        f"{html.escape(message)}</div>"
    )


def _show_success(message: str) -> None:
    """Display the message in a notebook (text and HTML), print it elsewhere; no return value."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # outside IPython
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        print(message)
    else:
        display({"text/plain": message, "text/html": _feedback_html(message)}, raw=True)


def _not_answered(message: str) -> None:
    raise ExerciseNotAnswered(f"Not answered yet: {message}")


def _fail(message: str) -> None:
    raise AnswerIncorrect(message)


def _caller_namespace() -> dict[str, Any]:
    """The variables of the code that called the check (a notebook's are its globals): the
    first frame outside this module and outside mutmut's trampolines (``make mutate`` wraps
    every function of this module in one)."""
    frame = sys._getframe(1)
    while frame is not None and _inside_the_checks(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    if frame is None:  # pragma: no cover - a check is always called from somewhere
        return {}
    return {**frame.f_globals, **frame.f_locals}


def _inside_the_checks(module: str) -> bool:
    return module == __name__ or module.startswith("mutmut.")


def _answer(answer: Any, namespace: dict[str, Any] | None = None) -> tuple[Any, str]:
    """Resolve an answer given by name; raise ExerciseNotAnswered for the placeholders.

    Returns the answer and how to call it in messages (its name in backticks, or "your answer").
    """
    if isinstance(answer, str):
        name, namespace = answer, _caller_namespace() if namespace is None else namespace
        if name not in namespace:
            _not_answered(
                f"`{name}` is not defined. Write your answer in the exercise cell above, run "
                "that cell, then run this one again."
            )
        answer, label = namespace[name], f"`{name}`"
    else:
        label = f"`{answer.__name__}`" if callable(answer) and hasattr(answer, "__name__") else ""
    if answer is None or answer is Ellipsis:
        placeholder = "None" if answer is None else "..."
        _not_answered(
            f"{label or 'your answer'} is still {placeholder}. Write your answer in the exercise "
            "cell above (in place of `raise NotImplementedError()` if it is there), run that "
            "cell, then run this one again."
        )
    return answer, label or "your answer"


def _function(fn: Callable | str) -> tuple[Callable, str]:
    function, label = _answer(fn)
    if not callable(function):
        _fail(f"{label} should be a function; received {function!r}.")
    return function, label


def _call(function: Callable, label: str, args: dict):
    """Call the student's function; turn its own errors into feedback."""
    shown = ", ".join(f"{k}={v}" for k, v in args.items() if not isinstance(v, np.ndarray))
    try:
        return function(**args)
    except NotImplementedError:
        _not_answered(
            f"replace the `raise NotImplementedError()` line in {label} with your code, run "
            "that cell, then run this one again."
        )
    except Exception as error:  # noqa: BLE001 - any error in student code becomes feedback
        _fail(
            f"Your function raised {type(error).__name__}: {error} for {shown or 'a hidden case'}."
        )


@dataclass(frozen=True)
class _Example:
    """A small worked case shown with a wrong answer: never one of the hidden cases."""

    args: dict[str, Any]
    text: str  # the working, ending in the result
    result: Any  # what the reference returns for ``args`` (the tests compare)


@dataclass(frozen=True)
class _Exercise:
    """A function exercise: its hidden cases, the reference, and the feedback it gives."""

    what: str  # "the output size": the success message says it matches
    cases: Callable[[], list[dict[str, Any]]]
    expected: Callable[..., Any]
    hint: str  # what to check, without numbers of any case
    examples: tuple[_Example, ...] = ()
    integer: bool = False  # the answer is an int (integer arithmetic); a float is refused
    rtol: float | None = None  # a float answer within this relative tolerance is right


_EXERCISES: dict[str, _Exercise] = {}

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?")


def _shows(text: str, want: Any) -> bool:
    """Whether ``text`` shows the value ``want`` (any number close to it, or its shape)."""
    if isinstance(want, np.ndarray):
        return str(want.shape) in text or str(want) in text or str(want.tolist()) in text
    for token in _NUMBER.findall(text):
        try:
            number = float(token.replace(",", ""))
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        if number == want or abs(number - want) <= 0.01 * abs(want):
            return True
    return False


def _worked_case(exercise: _Exercise, want: Any) -> str:
    """The first worked example that does not show the asked case's expected value."""
    for example in exercise.examples:
        if not _shows(example.text, want):
            return f" A worked case (not a hidden one): {example.text}."
    return ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _wrong_type(value: Any, integer: bool) -> str | None:
    """Why ``value`` is not an answer of the asked kind, or None if it is."""
    if isinstance(value, bool | np.bool_):
        return f"a bool, not {'an int' if integer else 'a number'}"
    if integer and isinstance(value, float | np.floating):
        return (
            "a float, but the answer is an int: use `//` for integer division (`/` always "
            "gives a float), and no float factors"
        )
    if integer and not _is_int(value):
        return f"a {type(value).__name__}, but the answer is an int"
    if not integer and not _is_number(value):
        return f"a {type(value).__name__}, but the answer is a number"
    return None


def _run_exercise(fn: Callable | str, exercise: _Exercise) -> None:
    function, label = _function(fn)
    cases = exercise.cases()
    for args in cases:
        want, got = exercise.expected(**args), _call(function, label, args)
        shown = ", ".join(f"{k}={v}" for k, v in args.items() if not isinstance(v, np.ndarray))
        where = f"For {shown}" if shown else "For a hidden case"
        if got is None:
            _fail(f"{where} your function returned None: add a `return`.")
        if isinstance(want, np.ndarray):
            if not isinstance(got, np.ndarray | list):
                _fail(f"{where} your function returned a {type(got).__name__}: return an array.")
            if np.shape(got) != want.shape:
                _fail(
                    f"{where} your result has shape {np.shape(got)}, which is not the expected "
                    f"shape: {exercise.hint}.{_worked_case(exercise, want)}"
                )
            if not np.allclose(got, want):
                _fail(
                    f"{where} your result has the right shape but wrong values: "
                    f"{exercise.hint}.{_worked_case(exercise, want)}"
                )
            continue
        why = _wrong_type(got, exercise.integer)
        if why is not None:
            _fail(f"{where} you returned {got!r}, {why}.")
        right = (
            bool(np.isclose(got, want, rtol=exercise.rtol, atol=0))
            if exercise.rtol is not None
            else bool(got == want)
        )
        if not right:
            _fail(
                f"{where} you returned {got!r}, which is wrong: "
                f"{exercise.hint}.{_worked_case(exercise, want)}"
            )
    _show_success(f"Correct: {exercise.what} matches on all {len(cases)} hidden cases.")


def _exercise(name: str, exercise: _Exercise) -> _Exercise:
    _EXERCISES[name] = exercise
    return exercise


_OUTPUT_SIZE = _exercise(
    "check_output_size",
    _Exercise(
        "the output size",
        lambda: [
            {"n": n, "k": k, "s": s, "p": p, "d": d}
            for n, k, s, p, d in itertools.product(
                [5, 6, 7, 32], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2]
            )
            if effective_kernel_size(k, d) <= n + 2 * p
        ],
        lambda n, k, s, p, d: conv_output_size(n, k, s, p, d),
        "check the floor and the +1, and that dilation stretches the kernel to d(k-1)+1",
        (
            _Example(
                {"n": 100, "k": 5, "s": 4, "p": 6, "d": 7},
                "n=100, k=5, s=4, p=6, d=7: the dilated kernel spans 29 cells and the padded "
                "input 112, so after the first window 83 cells remain, room for "
                "floor(83/4) = 20 more steps: 21 outputs",
                21,
            ),
            _Example(
                {"n": 250, "k": 9, "s": 8, "p": 10, "d": 11},
                "n=250, k=9, s=8, p=10, d=11: the dilated kernel spans 89 cells and the padded "
                "input 270, so after the first window 181 cells remain, room for "
                "floor(181/8) = 22 more steps: 23 outputs",
                23,
            ),
        ),
        integer=True,
    ),
)


def check_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=1, p=0, d=1)`` returns a convolution's output size (an int).

    ``fn`` is the function or its name; the other checks take their answers the same way.
    """
    _run_exercise(fn, _OUTPUT_SIZE)


_CONV_PARAMS = _exercise(
    "check_conv_params",
    _Exercise(
        "the parameter count",
        lambda: [
            {"c_in": a, "c_out": b, "k": k, "bias": bias}
            for a, b, k, bias in itertools.product([1, 3, 64], [8, 128], [1, 3, 5], [True, False])
        ],
        lambda c_in, c_out, k, bias: Conv2d(c_in, c_out, k, bias=bias).num_params,
        "every output channel has a k x k filter per input channel, plus one bias",
        (
            _Example(
                {"c_in": 2, "c_out": 4, "k": 7, "bias": True},
                "c_in=2, c_out=4, k=7, bias=True: 4 filters of 2*7*7 = 98 weights make 392, "
                "plus 4 biases: 396",
                396,
            ),
            _Example(
                {"c_in": 10, "c_out": 6, "k": 3, "bias": False},
                "c_in=10, c_out=6, k=3, bias=False: 6 filters of 10*3*3 = 90 weights, no "
                "biases: 540",
                540,
            ),
        ),
        integer=True,
    ),
)


def check_conv_params(fn: Callable[..., int] | str) -> None:
    """Check ``fn(c_in, c_out, k, bias=True)`` returns a Conv2d layer's parameter count (an int)."""
    _run_exercise(fn, _CONV_PARAMS)


def _conv2d_cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    return [
        {
            "x": rng.integers(-3, 4, (h, w)).astype(float),
            "w": rng.integers(-2, 3, (kh, kw)).astype(float),
        }
        for h, w, kh, kw in [(4, 4, 2, 2), (5, 6, 3, 3), (6, 5, 1, 3), (7, 7, 3, 2)]
    ]


_CONV2D = _exercise(
    "check_conv2d",
    _Exercise(
        "your convolution",
        _conv2d_cases,
        lambda x, w: conv2d(x[None, None], w[None, None])[0, 0],
        "deep learning's convolution slides the kernel without "
        "flipping it, and 'valid' keeps only positions where it fits",
        (
            _Example(
                {"x": np.array([[1.0, 2, 3], [4, 5, 6]]), "w": np.array([[1.0, 0], [0, 2]])},
                "x = [[1, 2, 3], [4, 5, 6]] and w = [[1, 0], [0, 2]]: the 2x2 kernel fits at "
                "1x2 positions; at the first 1*1 + 0*2 + 0*4 + 2*5 = 11, at the second "
                "1*2 + 2*6 = 14, so [[11, 14]] (a flipped kernel would give 2*1 + 1*5 = 7 "
                "first)",
                np.array([[11.0, 14.0]]),
            ),
        ),
    ),
)


def check_conv2d(fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | str) -> None:
    """Check ``fn(x, w)`` computes a single-channel 'valid' 2-D cross-correlation."""
    _run_exercise(fn, _CONV2D)


_EFFECTIVE_KERNEL_SIZE = _exercise(
    "check_effective_kernel_size",
    _Exercise(
        "the effective kernel size",
        lambda: [{"k": k, "d": d} for k, d in itertools.product([1, 2, 3, 5], [1, 2, 3, 4])],
        lambda k, d: effective_kernel_size(k, d),
        "k taps with d-1 holes between neighbours",
        (
            _Example(
                {"k": 7, "d": 6},
                "k=7, d=6: 7 taps, and 5 holes in each of the 6 gaps between them: 37",
                37,
            ),
            _Example(
                {"k": 4, "d": 10},
                "k=4, d=10: 4 taps, and 9 holes in each of the 3 gaps between them: 31",
                31,
            ),
        ),
        integer=True,
    ),
)


def check_effective_kernel_size(fn: Callable[[int, int], int] | str) -> None:
    """Check ``fn(k, d)`` returns the span of a dilated kernel (an int)."""
    _run_exercise(fn, _EFFECTIVE_KERNEL_SIZE)


def _transpose_size_exists(n: int, k: int, s: int, p: int, output_padding: int, d: int) -> bool:
    try:
        conv_transpose_output_size(n, k, s, p, output_padding, d)
    except ValueError:
        return False
    return True


_TRANSPOSE_OUTPUT_SIZE = _exercise(
    "check_transpose_output_size",
    _Exercise(
        "the transposed output size",
        lambda: [
            {"n": n, "k": k, "s": s, "p": p, "output_padding": op, "d": d}
            for n, k, s, p, op, d in itertools.product(
                [1, 4, 7], [2, 3, 4], [1, 2, 3], [0, 1], [0, 1], [1, 2]
            )
            if _transpose_size_exists(n, k, s, p, op, d)
        ],
        lambda n, k, s, p, output_padding, d: conv_transpose_output_size(
            n, k, s, p, output_padding, d
        ),
        "invert the convolution's formula: (n-1)s - 2p + d(k-1) + output_padding + 1",
        (
            _Example(
                {"n": 10, "k": 5, "s": 4, "p": 6, "output_padding": 3, "d": 7},
                "n=10, k=5, s=4, p=6, output_padding=3, d=7: the 9 steps between the inputs "
                "cover 36 cells, the dilated kernel spans 29 more counting its first cell, "
                "minus 12 of padding, plus 3: 56",
                56,
            ),
            _Example(
                {"n": 20, "k": 8, "s": 14, "p": 11, "output_padding": 2, "d": 13},
                "n=20, k=8, s=14, p=11, output_padding=2, d=13: the 19 steps between the "
                "inputs cover 266 cells, the dilated kernel spans 92 more counting its first "
                "cell, minus 22 of padding, plus 2: 338",
                338,
            ),
        ),
        integer=True,
    ),
)


def check_transpose_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=1, p=0, output_padding=0, d=1)`` returns a transposed conv's size
    (an int)."""
    _run_exercise(fn, _TRANSPOSE_OUTPUT_SIZE)


def check_value(
    answer: Any,
    expected: float,
    name: str | None = None,
    rel: float = 0.0,
    *,
    hint: str | None = None,
    integer: bool | None = None,
) -> None:
    """Compare a number the student computed with the expected one.

    ``answer`` is the number or the name of the variable holding it; ``name`` says what it is in
    the feedback (default: the variable's name); ``rel`` is a relative tolerance; ``hint`` says
    what to check when the answer is wrong. ``integer`` (default: whether ``expected`` is an
    int) requires an int answer: a count is computed in integer arithmetic, so a float such as
    ``32.0`` (from ``/``) is refused. A wrong answer never shows ``expected``.
    """
    value, label = _answer(answer)
    name = name or label
    if integer is None:
        integer = _is_int(expected)
    why = _wrong_type(value, integer)
    if why is not None:
        if not _is_number(value) and not isinstance(value, bool | np.bool_):
            _fail(f"{name} should be a number; received {value!r}, {why}.")
        _fail(f"{name} is {value!r}, {why}.")
    if abs(value - expected) > rel * abs(expected):
        _fail(
            f"{name} is {value:,}, which is not right"
            + (f" (not within {rel:.0%} of the expected value)" if rel else "")
            + ": "
            + (hint or "go through your computation again step by step, against the text above")
            + "."
        )
    _show_success(f"Correct: {name} = {value:,}.")


_GROUPED_PARAMS = _exercise(
    "check_grouped_params",
    _Exercise(
        "the grouped parameter count",
        lambda: [
            {"c_in": a, "c_out": b, "k": k, "groups": g}
            for a, b, k, g in itertools.product([4, 8, 64], [8, 16], [1, 3], [1, 2, 4])
            if a % g == 0 and b % g == 0
        ],
        lambda c_in, c_out, k, groups: Conv2d(c_in, c_out, k, groups=groups, bias=False).num_params,
        "each output channel sees only the c_in / groups input channels of its group",
        (
            _Example(
                {"c_in": 6, "c_out": 9, "k": 5, "groups": 3},
                "c_in=6, c_out=9, k=5, groups=3: each of the 9 filters sees 6/3 = 2 input "
                "channels of 5*5 weights: 450",
                450,
            ),
            _Example(
                {"c_in": 40, "c_out": 10, "k": 7, "groups": 10},
                "c_in=40, c_out=10, k=7, groups=10: each of the 10 filters sees 40/10 = 4 input "
                "channels of 7*7 weights: 1960",
                1960,
            ),
        ),
        integer=True,
    ),
)


def check_grouped_params(fn: Callable[..., int] | str) -> None:
    """Check ``fn(c_in, c_out, k, groups)`` returns a grouped Conv2d's weight count (no bias),
    an int."""
    _run_exercise(fn, _GROUPED_PARAMS)


_RANK1_EXAMPLES = (
    "[[4, 6], [10, 15]] is np.outer([2, 5], [2, 3]): its first row over 2 as the row, each "
    "row's ratio to that row as the column",
    "[[72, 96], [99, 132]] is np.outer([8, 11], [9, 12]): its first row over 8 as the row, "
    "each row's ratio to that row as the column",
)


def _rank1_worked_case(kernel: np.ndarray) -> str:
    """A worked factorisation sharing no number with the kernel or with its factors."""
    scale = np.sqrt(np.abs(kernel).max())
    column, row = kernel[:, 0], kernel[0] / kernel[0, 0] if kernel[0, 0] else kernel[0]
    balanced = [
        factor / (np.abs(factor).max() or 1) * scale for factor in (column, row) if factor.size
    ]
    values = {float(v) for v in np.concatenate([kernel.ravel(), column, row, *balanced])}
    for text in _RANK1_EXAMPLES:
        if not any(_shows(text, value) for value in values if np.isfinite(value)):
            return f" A worked case: {text}."
    return ""


def check_rank1_factors(column: Any, row: Any, kernel: np.ndarray) -> None:
    """Check that ``np.outer(column, row)`` reproduces ``kernel`` (to rounding error).

    ``column`` and ``row`` are the vectors or the names of the variables holding them.
    """
    namespace = _caller_namespace()
    column, _ = _answer(column, namespace)
    row, _ = _answer(row, namespace)
    try:
        product = np.outer(np.asarray(column, dtype=float), np.asarray(row, dtype=float))
    except (TypeError, ValueError) as error:
        _fail(f"column and row should be vectors of numbers; {error}.")
    kernel = np.asarray(kernel, dtype=float)
    if product.shape != kernel.shape:
        _fail(
            f"np.outer(column, row) has shape {product.shape}, not the kernel's: the column needs "
            "one entry per kernel row, the row one per kernel column."
        )
    worst = float(np.abs(product - kernel).max())
    if worst > 1e-9:
        _fail(
            f"np.outer(column, row) differs from the kernel by up to {worst:.3g}: the column "
            f"sets each row's scale, the row each column's.{_rank1_worked_case(kernel)}"
        )
    _show_success("Correct: the outer product of your vectors is the kernel.")


def _pool_cases() -> list[dict[str, Any]]:
    from convlib.geometry.shapes import pool_output_size

    cases = []
    for n, k, s, p, d, ceil_mode in itertools.product(
        [2, 5, 6, 7, 55, 112], [2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True]
    ):
        try:
            pool_output_size(n, k, s, p, d, ceil_mode)
        except ValueError:
            continue
        cases.append({"n": n, "k": k, "s": s, "p": p, "d": d, "ceil_mode": ceil_mode})
    return cases


def _pool_size(n, k, s, p, d, ceil_mode):
    from convlib.geometry.shapes import pool_output_size

    return pool_output_size(n, k, s, p, d, ceil_mode)


_POOL_OUTPUT_SIZE = _exercise(
    "check_pool_output_size",
    _Exercise(
        "the pooling output size",
        _pool_cases,
        _pool_size,
        "stride None means the kernel size; with ceil_mode round up, but drop a last window "
        "that would start in the right padding, (o - 1) s >= n + p",
        (
            _Example(
                {"n": 10, "k": 4, "s": 3, "p": 2, "d": 1, "ceil_mode": True},
                "n=10, k=4, s=3, p=2, d=1, ceil_mode=True: the padded input has 14 cells, the "
                "first window leaves 10, and ceil(10/3) = 4 more steps would make 5 windows, "
                "but the last would start at 4*3 = 12 >= n + p = 12, in the right padding, "
                "so it is dropped: 4",
                4,
            ),
            _Example(
                {"n": 73, "k": 6, "s": None, "p": 0, "d": 6, "ceil_mode": False},
                "n=73, k=6, s=None, p=0, d=6, ceil_mode=False: the stride is k = 6, the dilated "
                "window spans 31 cells, the first leaves 42, room for floor(42/6) = 7 more "
                "steps: 8 windows",
                8,
            ),
        ),
        integer=True,
    ),
)


def check_pool_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=None, p=0, d=1, ceil_mode=False)`` returns a pooling output size
    (an int)."""
    _run_exercise(fn, _POOL_OUTPUT_SIZE)


def _sample_positions(n, o, align_corners):
    from convlib.functional.resampling import interpolate

    ramp = np.arange(float(n))[None, None]  # interpolating 0, 1, ..., n-1 gives positions
    return interpolate(ramp, size=o, mode="linear", align_corners=align_corners)[0, 0]


_SAMPLE_POSITIONS = _exercise(
    "check_sample_positions",
    _Exercise(
        "every sample position",
        lambda: [
            {"n": n, "o": o, "align_corners": align}
            for n, o, align in itertools.product([1, 2, 3, 5], [1, 2, 4, 6, 7], [False, True])
        ],
        _sample_positions,
        "align_corners=False: (dst + 1/2) n/o - 1/2; True: dst (n-1)/(o-1) (0 if o = 1); "
        "then clamp to [0, n-1]",
        (
            _Example(
                {"n": 4, "o": 8, "align_corners": False},
                "n=4, o=8, align_corners=False: dst 0 reads (0 + 1/2)*4/8 - 1/2 = -0.25, "
                "clamped to 0; dst 1 reads 0.25, ..., dst 7 reads 3.25, clamped to 3: "
                "[0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3] (with align_corners=True dst 7 "
                "would read 7*3/7 = 3)",
                np.array([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]),
            ),
        ),
    ),
)


def check_sample_positions(fn: Callable[..., np.ndarray] | str) -> None:
    """Check ``fn(n, o, align_corners)`` returns where linear upsampling from ``n`` to ``o``
    cells reads the input, one position per output cell, in input-cell units."""
    _run_exercise(fn, _SAMPLE_POSITIONS)


def _pointwise_cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(11)
    return [
        {"x": rng.standard_normal((n, c, h, w)), "w": rng.standard_normal((o, c))}
        for n, c, o, h, w in [(1, 1, 1, 2, 3), (2, 3, 4, 5, 5), (1, 4, 2, 3, 7), (3, 2, 6, 1, 4)]
    ]


_POINTWISE = _exercise(
    "check_pointwise",
    _Exercise(
        "your 1x1 convolution",
        _pointwise_cases,
        lambda x, w: conv2d(x, w[:, :, None, None]),
        "every pixel's C channel values are multiplied by the (O, C) matrix: move the channels "
        "last, multiply, move them back (or use np.einsum)",
        (
            _Example(
                {"x": np.array([1.0, 2.0]).reshape(1, 2, 1, 1), "w": np.array([[3.0, 4], [5, 6]])},
                "one pixel whose 2 channels hold [1, 2], with w = [[3, 4], [5, 6]]: its output "
                "channels are [3*1 + 4*2, 5*1 + 6*2] = [11, 17], in x's (N, C, H, W) layout",
                np.array([11.0, 17.0]).reshape(1, 2, 1, 1),
            ),
        ),
    ),
)


def check_pointwise(fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | str) -> None:
    """Check ``fn(x, w)`` computes a 1x1 convolution of ``x`` (N, C, H, W) with ``w`` (O, C)."""
    _run_exercise(fn, _POINTWISE)


def _gradient_step(w, x, y, lr):
    from convlib.functional.grad import conv_weight_grad

    residual = conv2d(x, w) - y
    return w - lr * conv_weight_grad(x, residual, w.shape[2:]) / residual.size


def _gradient_cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(12)
    cases = []
    for n, c, o, size, k, lr in [(1, 1, 1, 6, 3, 0.5), (2, 2, 3, 7, 3, 1.0), (1, 3, 2, 5, 2, 0.1)]:
        x = rng.standard_normal((n, c, size, size))
        y = rng.standard_normal((n, o, size - k + 1, size - k + 1))
        cases.append({"w": rng.standard_normal((o, c, k, k)), "x": x, "y": y, "lr": lr})
    return cases


_GRADIENT_STEP = _exercise(
    "check_gradient_step",
    _Exercise(
        "your gradient step",
        _gradient_cases,
        _gradient_step,
        "the gradient of the mean is conv_weight_grad(x, residual, kernel_size) divided by the "
        "number of output values, and the step goes against it",
        (
            _Example(
                {
                    "w": np.full((1, 1, 1, 1), 2.0),
                    "x": np.array([1.0, 3.0]).reshape(1, 1, 1, 2),
                    "y": np.zeros((1, 1, 1, 2)),
                    "lr": 0.1,
                },
                "a 1x1 kernel w = 2, x = [1, 3], y = [0, 0], lr = 0.1: the residual is [2, 6], "
                "the gradient of the mean (2*1 + 6*3) / 2 = 10 (2 output values), so the new "
                "w is 2 - 0.1*10 = 1",
                np.ones((1, 1, 1, 1)),
            ),
        ),
    ),
)


def check_gradient_step(fn: Callable[..., np.ndarray] | str) -> None:
    """Check ``fn(w, x, y, lr)``: one gradient-descent step on the loss
    ``0.5 * mean((conv2d(x, w) - y) ** 2)``."""
    _run_exercise(fn, _GRADIENT_STEP)


def _intensity(h, w, c_in, c_out, k, bytes_per_value):
    from convlib.algorithms import arithmetic_intensity

    return arithmetic_intensity(
        (1, c_in, h, w), c_out, k, padding=k // 2, bytes_per_value=bytes_per_value
    )


_INTENSITY = _exercise(
    "check_intensity",
    _Exercise(
        "the arithmetic intensity",
        lambda: [
            {"h": h, "w": w, "c_in": a, "c_out": b, "k": k, "bytes_per_value": bpv}
            for h, w, a, b, k, bpv in itertools.product(
                [7, 56], [7, 28], [1, 32], [16, 256], [1, 3, 5], [2, 4]
            )
        ],
        _intensity,
        "MACs are h*w*c_out*c_in*k*k; bytes are bytes_per_value times the input, weight and "
        "output values",
        (
            _Example(
                {"h": 10, "w": 10, "c_in": 2, "c_out": 5, "k": 3, "bytes_per_value": 4},
                "h=w=10, c_in=2, c_out=5, k=3, bytes_per_value=4: 100*5*2*9 = 9000 MACs; "
                "200 input, 90 weight and 500 output values are 790, 3160 bytes; "
                "9000/3160 = 2.848",
                9000 / 3160,
            ),
            _Example(
                {"h": 20, "w": 20, "c_in": 4, "c_out": 8, "k": 1, "bytes_per_value": 2},
                "h=w=20, c_in=4, c_out=8, k=1, bytes_per_value=2: 400*8*4 = 12800 MACs; "
                "1600 input, 32 weight and 3200 output values are 4832, 9664 bytes; "
                "12800/9664 = 1.325",
                12800 / 9664,
            ),
        ),
        rtol=1e-9,
    ),
)


def check_intensity(fn: Callable[..., float] | str) -> None:
    """Check ``fn(h, w, c_in, c_out, k, bytes_per_value=4)``: MACs per byte of a stride-1,
    'same'-padded convolution (odd ``k``), each tensor read or written once (a number)."""
    _run_exercise(fn, _INTENSITY)
