"""Checks students call from exercise cells: hidden cases, plain-language feedback.

A check runs the student's function (or answer) on cases it generates from convlib itself and
replies in plain words. A correct answer displays a success message and returns ``True``; a
wrong one displays the first failing case with a hint and raises :class:`AnswerIncorrect`; an
unanswered exercise (the ``raise NotImplementedError()`` placeholder) raises
:class:`ExerciseNotAnswered`. Both exceptions show only their message in Jupyter, never a
traceback, yet still fail the cell, so nbgrader scores them.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Iterable

import numpy as np

from .layers import Conv2d
from .ops import conv2d
from .shapes import conv_output_size, conv_transpose_output_size, effective_kernel_size


class _QuietError:
    """Jupyter shows ``_render_traceback_()`` instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class AnswerIncorrect(_QuietError, AssertionError):
    """The answer is wrong on a hidden case (or the student's code raised an error)."""


class ExerciseNotAnswered(_QuietError, NotImplementedError):
    """The placeholder ``raise NotImplementedError()`` is still there."""


def _show(message: str, ok: bool) -> None:
    try:
        from IPython.display import HTML, display

        colour = "#009E73" if ok else "#D55E00"
        display(
            HTML(
                f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
                f"{html.escape(message)}</div>"
            )
        )
    except ImportError:  # outside IPython
        print(message)


def _succeed(count: int, what: str) -> bool:
    _show(f"Correct: {what} matches on all {count} hidden cases.", ok=True)
    return True


def _fail(message: str) -> None:
    _show(message, ok=False)
    raise AnswerIncorrect(message)


def _call(function: Callable, args: dict):
    """Call the student's function; turn its own errors into feedback."""
    shown = ", ".join(f"{k}={v}" for k, v in args.items())
    try:
        return function(**args)
    except NotImplementedError:
        message = "Not answered yet: replace the `raise NotImplementedError()` line with your code."
        _show(message, ok=False)
        raise ExerciseNotAnswered(message) from None
    except Exception as error:  # noqa: BLE001 - any error in student code becomes feedback
        _fail(f"Your function raised {type(error).__name__}: {error} for {shown}.")


def _run_cases(
    function, cases: Iterable[dict], expected: Callable[..., object], what: str, hint: str
) -> bool:
    count = 0
    for args in cases:
        count += 1
        want, got = expected(**args), _call(function, args)
        if isinstance(want, np.ndarray):
            good = (
                isinstance(got, np.ndarray | list)
                and np.shape(got) == want.shape
                and np.allclose(got, want)
            )
        else:
            good = got == want
        if not good:
            shown = ", ".join(f"{k}={v}" for k, v in args.items() if not isinstance(v, np.ndarray))
            if isinstance(want, np.ndarray):
                _fail(
                    f"For {shown or 'the hidden case'} your result differs from the expected "
                    f"one (shape {np.shape(got)} vs {want.shape}): {hint}"
                )
            _fail(f"For {shown} you returned {got!r}, expected {want!r}: {hint}")
    return _succeed(count, what)


def check_output_size(fn: Callable[..., int]) -> bool:
    """Check ``fn(n, k, s=1, p=0, d=1)`` returns a convolution's output size."""
    cases = [
        {"n": n, "k": k, "s": s, "p": p, "d": d}
        for n, k, s, p, d in itertools.product(
            [5, 6, 7, 32], [1, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2]
        )
        if d * (k - 1) + 1 <= n + 2 * p
    ]
    return _run_cases(
        fn,
        cases,
        lambda n, k, s, p, d: conv_output_size(n, k, s, p, d),
        "the output size",
        "check the floor and the +1, and that dilation stretches the kernel to d(k-1)+1",
    )


def check_conv_params(fn: Callable[..., int]) -> bool:
    """Check ``fn(c_in, c_out, k, bias=True)`` returns a Conv2d layer's parameter count."""
    cases = [
        {"c_in": a, "c_out": b, "k": k, "bias": bias}
        for a, b, k, bias in itertools.product([1, 3, 64], [8, 128], [1, 3, 5], [True, False])
    ]
    return _run_cases(
        fn,
        cases,
        lambda c_in, c_out, k, bias: Conv2d(c_in, c_out, k, bias=bias).num_params,
        "the parameter count",
        "every output channel has a k x k filter per input channel, plus one bias",
    )


def check_conv2d(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``fn(x, w)`` computes a single-channel 'valid' 2-D cross-correlation."""
    rng = np.random.default_rng(7)
    cases = [
        {
            "x": rng.integers(-3, 4, (h, w)).astype(float),
            "w": rng.integers(-2, 3, (kh, kw)).astype(float),
        }
        for h, w, kh, kw in [(4, 4, 2, 2), (5, 6, 3, 3), (6, 5, 1, 3), (7, 7, 3, 2)]
    ]
    return _run_cases(
        fn,
        cases,
        lambda x, w: conv2d(x[None, None], w[None, None])[0, 0],
        "your convolution",
        "deep learning's convolution slides the kernel without "
        "flipping it, and 'valid' keeps only positions where it fits",
    )


def check_effective_kernel_size(fn: Callable[[int, int], int]) -> bool:
    """Check ``fn(k, d)`` returns the span of a dilated kernel."""
    cases = [{"k": k, "d": d} for k, d in itertools.product([1, 2, 3, 5], [1, 2, 3, 4])]
    return _run_cases(
        fn,
        cases,
        lambda k, d: effective_kernel_size(k, d),
        "the effective kernel size",
        "k taps with d-1 holes between neighbours",
    )


def check_transpose_output_size(fn: Callable[..., int]) -> bool:
    """Check ``fn(n, k, s=1, p=0, output_padding=0, d=1)`` returns a transposed conv's size."""
    cases = [
        {"n": n, "k": k, "s": s, "p": p, "output_padding": op, "d": 1}
        for n, k, s, p, op in itertools.product([1, 4, 7], [2, 3, 4], [1, 2, 3], [0, 1], [0, 1])
        if op < s and (n - 1) * s - 2 * p + k + op >= 1
    ]
    return _run_cases(
        fn,
        cases,
        lambda n, k, s, p, output_padding, d: conv_transpose_output_size(
            n, k, s, p, output_padding, d
        ),
        "the transposed output size",
        "invert the convolution's formula: (n-1)s - 2p + d(k-1) + output_padding + 1",
    )


def check_value(answer, expected, name: str = "your answer", rel: float = 0.0) -> bool:
    """Compare a number the student computed with the expected one (``rel``: relative tolerance)."""
    if answer is Ellipsis:
        message = "Not answered yet: replace the `...` with your answer."
        _show(message, ok=False)
        raise ExerciseNotAnswered(message)
    if not isinstance(answer, int | float | np.integer | np.floating):
        _fail(f"{name} should be a number; received {answer!r}.")
    if abs(answer - expected) > rel * abs(expected):
        _fail(
            f"{name} is {answer:,}, expected {expected:,}"
            + (f" (within {rel:.0%})" if rel else "")
            + "."
        )
    _show(f"Correct: {name} = {answer:,}.", ok=True)
    return True


def check_grouped_params(fn: Callable[..., int]) -> bool:
    """Check ``fn(c_in, c_out, k, groups)`` returns a grouped Conv2d's weight count (no bias)."""
    cases = [
        {"c_in": a, "c_out": b, "k": k, "groups": g}
        for a, b, k, g in itertools.product([4, 8, 64], [8, 16], [1, 3], [1, 2, 4])
        if a % g == 0 and b % g == 0
    ]
    return _run_cases(
        fn,
        cases,
        lambda c_in, c_out, k, groups: Conv2d(c_in, c_out, k, groups=groups, bias=False).num_params,
        "the grouped parameter count",
        "each output channel sees only the c_in / groups input channels of its group",
    )


def check_rank1_factors(column, row, kernel) -> bool:
    """Check that ``np.outer(column, row)`` reproduces ``kernel`` (to rounding error)."""
    if column is Ellipsis or row is Ellipsis:
        message = "Not answered yet: replace the `...` with your column and row vectors."
        _show(message, ok=False)
        raise ExerciseNotAnswered(message)
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
    _show("Correct: the outer product of your vectors is the kernel.", ok=True)
    return True


def check_pointwise(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``fn(x, w)`` computes a 1x1 convolution of ``x`` (N, C, H, W) with ``w`` (O, C)."""
    rng = np.random.default_rng(11)
    cases = [
        {"x": rng.standard_normal((n, c, h, w)), "w": rng.standard_normal((o, c))}
        for n, c, o, h, w in [(1, 1, 1, 2, 3), (2, 3, 4, 5, 5), (1, 4, 2, 3, 7), (3, 2, 6, 1, 4)]
    ]
    return _run_cases(
        fn,
        cases,
        lambda x, w: conv2d(x, w[:, :, None, None]),
        "your 1x1 convolution",
        "every pixel's C channel values are multiplied by the (O, C) matrix: move the channels "
        "last, multiply, move them back (or use np.einsum)",
    )


def check_gradient_step(fn: Callable[..., np.ndarray]) -> bool:
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
    return _run_cases(
        fn,
        cases,
        step,
        "your gradient step",
        "the gradient of the mean is conv_weight_grad(x, residual, kernel_size) divided by the "
        "number of output values, and the step goes against it",
    )


def check_intensity(fn: Callable[..., float]) -> bool:
    """Check ``fn(h, w, c_in, c_out, k, bytes_per_value=4)``: MACs per byte of a stride-1,
    'same'-padded convolution (odd ``k``), each tensor read or written once."""
    from .algorithms import arithmetic_intensity

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
        got = _call(fn, case)
        number = isinstance(got, int | float | np.integer | np.floating)
        if not number or not np.isclose(got, expected, rtol=1e-9):
            shown = ", ".join(f"{k}={v}" for k, v in case.items())
            _fail(
                f"For {shown} you returned {got!r}, expected {expected:.6g}: MACs are "
                "h*w*c_out*c_in*k*k; bytes are bytes_per_value times the input, weight and "
                "output values"
            )
    return _succeed(len(cases), "the arithmetic intensity")
