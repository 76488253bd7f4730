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
- A wrong answer raises :class:`AnswerIncorrect` with the first failing case and a hint; so does
  an answer whose own code raises an error.

Both exceptions show only their message in Jupyter, never a traceback, yet still fail the cell,
so nbgrader scores them.
"""

from __future__ import annotations

import html
import itertools
import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .layers import Conv2d
from .ops import conv2d
from .shapes import conv_output_size, conv_transpose_output_size, effective_kernel_size

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
    """The variables of the code that called the check (a notebook's are its globals)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    if frame is None:  # pragma: no cover - a check is always called from somewhere
        return {}
    return {**frame.f_globals, **frame.f_locals}


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


def _run_cases(
    fn: Callable | str, cases: Iterable[dict], expected: Callable[..., object], what: str, hint: str
) -> None:
    function, label = _function(fn)
    count = 0
    for args in cases:
        count += 1
        want, got = expected(**args), _call(function, label, args)
        shown = ", ".join(f"{k}={v}" for k, v in args.items() if not isinstance(v, np.ndarray))
        if got is None:
            _fail(f"For {shown or 'the hidden case'} your function returned None: add a `return`.")
        if isinstance(want, np.ndarray):
            good = (
                isinstance(got, np.ndarray | list)
                and np.shape(got) == want.shape
                and np.allclose(got, want)
            )
            if not good:
                _fail(
                    f"For {shown or 'the hidden case'} your result differs from the expected "
                    f"one (shape {np.shape(got)} vs {want.shape}): {hint}"
                )
        elif not (np.ndim(got) == 0 and bool(got == want)):
            _fail(f"For {shown} you returned {got!r}, expected {want!r}: {hint}")
    _show_success(f"Correct: {what} matches on all {count} hidden cases.")


def check_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=1, p=0, d=1)`` returns a convolution's output size.

    ``fn`` is the function or its name; the other checks take their answers the same way.
    """
    cases = [
        {"n": n, "k": k, "s": s, "p": p, "d": d}
        for n, k, s, p, d in itertools.product(
            [5, 6, 7, 32], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2]
        )
        if effective_kernel_size(k, d) <= n + 2 * p
    ]
    _run_cases(
        fn,
        cases,
        lambda n, k, s, p, d: conv_output_size(n, k, s, p, d),
        "the output size",
        "check the floor and the +1, and that dilation stretches the kernel to d(k-1)+1",
    )


def check_conv_params(fn: Callable[..., int] | str) -> None:
    """Check ``fn(c_in, c_out, k, bias=True)`` returns a Conv2d layer's parameter count."""
    cases = [
        {"c_in": a, "c_out": b, "k": k, "bias": bias}
        for a, b, k, bias in itertools.product([1, 3, 64], [8, 128], [1, 3, 5], [True, False])
    ]
    _run_cases(
        fn,
        cases,
        lambda c_in, c_out, k, bias: Conv2d(c_in, c_out, k, bias=bias).num_params,
        "the parameter count",
        "every output channel has a k x k filter per input channel, plus one bias",
    )


def check_conv2d(fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | str) -> None:
    """Check ``fn(x, w)`` computes a single-channel 'valid' 2-D cross-correlation."""
    rng = np.random.default_rng(7)
    cases = [
        {
            "x": rng.integers(-3, 4, (h, w)).astype(float),
            "w": rng.integers(-2, 3, (kh, kw)).astype(float),
        }
        for h, w, kh, kw in [(4, 4, 2, 2), (5, 6, 3, 3), (6, 5, 1, 3), (7, 7, 3, 2)]
    ]
    _run_cases(
        fn,
        cases,
        lambda x, w: conv2d(x[None, None], w[None, None])[0, 0],
        "your convolution",
        "deep learning's convolution slides the kernel without "
        "flipping it, and 'valid' keeps only positions where it fits",
    )


def check_effective_kernel_size(fn: Callable[[int, int], int] | str) -> None:
    """Check ``fn(k, d)`` returns the span of a dilated kernel."""
    cases = [{"k": k, "d": d} for k, d in itertools.product([1, 2, 3, 5], [1, 2, 3, 4])]
    _run_cases(
        fn,
        cases,
        lambda k, d: effective_kernel_size(k, d),
        "the effective kernel size",
        "k taps with d-1 holes between neighbours",
    )


def _transpose_size_exists(n: int, k: int, s: int, p: int, output_padding: int, d: int) -> bool:
    try:
        conv_transpose_output_size(n, k, s, p, output_padding, d)
    except ValueError:
        return False
    return True


def check_transpose_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=1, p=0, output_padding=0, d=1)`` returns a transposed conv's size."""
    cases = [
        {"n": n, "k": k, "s": s, "p": p, "output_padding": op, "d": d}
        for n, k, s, p, op, d in itertools.product(
            [1, 4, 7], [2, 3, 4], [1, 2, 3], [0, 1], [0, 1], [1, 2]
        )
        if _transpose_size_exists(n, k, s, p, op, d)
    ]
    _run_cases(
        fn,
        cases,
        lambda n, k, s, p, output_padding, d: conv_transpose_output_size(
            n, k, s, p, output_padding, d
        ),
        "the transposed output size",
        "invert the convolution's formula: (n-1)s - 2p + d(k-1) + output_padding + 1",
    )


def check_value(answer: Any, expected: float, name: str | None = None, rel: float = 0.0) -> None:
    """Compare a number the student computed with the expected one.

    ``answer`` is the number or the name of the variable holding it; ``name`` says what it is in
    the feedback (default: the variable's name); ``rel`` is a relative tolerance.
    """
    value, label = _answer(answer)
    name = name or label
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        _fail(f"{name} should be a number; received {value!r}.")
    if abs(value - expected) > rel * abs(expected):
        _fail(
            f"{name} is {value:,}, expected {expected:,}"
            + (f" (within {rel:.0%})" if rel else "")
            + "."
        )
    _show_success(f"Correct: {name} = {value:,}.")


def check_grouped_params(fn: Callable[..., int] | str) -> None:
    """Check ``fn(c_in, c_out, k, groups)`` returns a grouped Conv2d's weight count (no bias)."""
    cases = [
        {"c_in": a, "c_out": b, "k": k, "groups": g}
        for a, b, k, g in itertools.product([4, 8, 64], [8, 16], [1, 3], [1, 2, 4])
        if a % g == 0 and b % g == 0
    ]
    _run_cases(
        fn,
        cases,
        lambda c_in, c_out, k, groups: Conv2d(c_in, c_out, k, groups=groups, bias=False).num_params,
        "the grouped parameter count",
        "each output channel sees only the c_in / groups input channels of its group",
    )


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
        _fail(f"np.outer(column, row) has shape {product.shape}, the kernel {kernel.shape}.")
    worst = float(np.abs(product - kernel).max())
    if worst > 1e-9:
        _fail(
            f"np.outer(column, row) differs from the kernel by up to {worst:.3g}: the column "
            "sets each row's scale, the row each column's."
        )
    _show_success("Correct: the outer product of your vectors is the kernel.")


def check_pool_output_size(fn: Callable[..., int] | str) -> None:
    """Check ``fn(n, k, s=None, p=0, d=1, ceil_mode=False)`` returns a pooling output size."""
    from .shapes import pool_output_size

    cases = []
    for n, k, s, p, d, ceil_mode in itertools.product(
        [2, 5, 6, 7, 55, 112], [2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True]
    ):
        try:
            pool_output_size(n, k, s, p, d, ceil_mode)
        except ValueError:
            continue
        cases.append({"n": n, "k": k, "s": s, "p": p, "d": d, "ceil_mode": ceil_mode})
    _run_cases(
        fn,
        cases,
        lambda n, k, s, p, d, ceil_mode: pool_output_size(n, k, s, p, d, ceil_mode),
        "the pooling output size",
        "stride None means the kernel size; with ceil_mode round up, but drop a last window "
        "that would start in the right padding, (o - 1) s >= n + p",
    )


def check_sample_positions(fn: Callable[..., np.ndarray] | str) -> None:
    """Check ``fn(n, o, align_corners)`` returns where linear upsampling from ``n`` to ``o``
    cells reads the input, one position per output cell, in input-cell units."""
    from .resampling import interpolate

    cases = [
        {"n": n, "o": o, "align_corners": align}
        for n, o, align in itertools.product([1, 2, 3, 5], [1, 2, 4, 6, 7], [False, True])
    ]

    def positions(n, o, align_corners):
        ramp = np.arange(float(n))[None, None]  # interpolating 0, 1, ..., n-1 gives positions
        return interpolate(ramp, size=o, mode="linear", align_corners=align_corners)[0, 0]

    _run_cases(
        fn,
        cases,
        positions,
        "every sample position",
        "align_corners=False: (dst + 1/2) n/o - 1/2; True: dst (n-1)/(o-1) (0 if o = 1); "
        "then clamp to [0, n-1]",
    )


def check_pointwise(fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | str) -> None:
    """Check ``fn(x, w)`` computes a 1x1 convolution of ``x`` (N, C, H, W) with ``w`` (O, C)."""
    rng = np.random.default_rng(11)
    cases = [
        {"x": rng.standard_normal((n, c, h, w)), "w": rng.standard_normal((o, c))}
        for n, c, o, h, w in [(1, 1, 1, 2, 3), (2, 3, 4, 5, 5), (1, 4, 2, 3, 7), (3, 2, 6, 1, 4)]
    ]
    _run_cases(
        fn,
        cases,
        lambda x, w: conv2d(x, w[:, :, None, None]),
        "your 1x1 convolution",
        "every pixel's C channel values are multiplied by the (O, C) matrix: move the channels "
        "last, multiply, move them back (or use np.einsum)",
    )


def check_gradient_step(fn: Callable[..., np.ndarray] | str) -> None:
    """Check ``fn(w, x, y, lr)``: one gradient-descent step on the loss
    ``0.5 * mean((conv2d(x, w) - y) ** 2)``."""
    from .grad import conv_weight_grad

    def step(w, x, y, lr):
        residual = conv2d(x, w) - y
        return w - lr * conv_weight_grad(x, residual, w.shape[2:]) / residual.size

    rng = np.random.default_rng(12)
    cases = []
    for n, c, o, size, k, lr in [(1, 1, 1, 6, 3, 0.5), (2, 2, 3, 7, 3, 1.0), (1, 3, 2, 5, 2, 0.1)]:
        x = rng.standard_normal((n, c, size, size))
        y = rng.standard_normal((n, o, size - k + 1, size - k + 1))
        cases.append({"w": rng.standard_normal((o, c, k, k)), "x": x, "y": y, "lr": lr})
    _run_cases(
        fn,
        cases,
        step,
        "your gradient step",
        "the gradient of the mean is conv_weight_grad(x, residual, kernel_size) divided by the "
        "number of output values, and the step goes against it",
    )


def check_intensity(fn: Callable[..., float] | str) -> None:
    """Check ``fn(h, w, c_in, c_out, k, bytes_per_value=4)``: MACs per byte of a stride-1,
    'same'-padded convolution (odd ``k``), each tensor read or written once."""
    from .algorithms import arithmetic_intensity

    function, label = _function(fn)
    cases = [
        {"h": h, "w": w, "c_in": a, "c_out": b, "k": k, "bytes_per_value": bpv}
        for h, w, a, b, k, bpv in itertools.product(
            [7, 56], [7, 28], [1, 32], [16, 256], [1, 3, 5], [2, 4]
        )
    ]
    for case in cases:
        expected = arithmetic_intensity(
            (1, case["c_in"], case["h"], case["w"]),
            case["c_out"],
            case["k"],
            padding=case["k"] // 2,
            bytes_per_value=case["bytes_per_value"],
        )
        got = _call(function, label, case)
        number = isinstance(got, int | float | np.integer | np.floating)
        if not number or not np.isclose(got, expected, rtol=1e-9):
            shown = ", ".join(f"{k}={v}" for k, v in case.items())
            _fail(
                f"For {shown} you returned {got!r}, expected {expected:.6g}: MACs are "
                "h*w*c_out*c_in*k*k; bytes are bytes_per_value times the input, weight and "
                "output values"
            )
    _show_success(f"Correct: the arithmetic intensity matches on all {len(cases)} hidden cases.")
