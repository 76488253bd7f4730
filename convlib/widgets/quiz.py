"""Predict-then-check questions that answer in the page, with or without a kernel.

A chapter asks the reader to predict a number (a size, a count) or pick a choice before the
text shows it. The cell computes the answer with convlib, so it is never typed by hand; the
widget carries it in its state, and its ES module (``quiz.mjs``) checks what the reader types
in the browser, in the static book as in a notebook: "Correct", or a hint that names what to
check, never the answer (as :mod:`convlib.exercises` replies), and "Show the answer" after a try.

Examples
--------
>>> import convlib
>>> from convlib.widgets import quiz
>>> q = quiz.predict(
...     "A 32-wide input, kernel 3, stride 2, padding 1: how wide is the output?",
...     answer=convlib.conv_output_size(32, 3, stride=2, padding=1),
...     name="the output width",
...     hint="apply the output-size formula, rounding down where you divide by the stride",
... )
>>> q.answer
16
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import anywidget
import numpy as np
import traitlets

from ._base import esm

__all__ = ["Quiz", "choose", "predict"]


class Quiz(anywidget.AnyWidget):
    """One predict-then-check question; build it with :func:`predict` or :func:`choose`."""

    _esm = esm("quiz.mjs")
    question = traitlets.Unicode().tag(sync=True)
    kind = traitlets.Enum(["count", "choice"], "count").tag(sync=True)
    answer = traitlets.Union([traitlets.Int(), traitlets.Unicode()]).tag(sync=True)
    choices = traitlets.List(traitlets.Unicode()).tag(sync=True)
    name = traitlets.Unicode("your prediction").tag(sync=True)
    hint = traitlets.Unicode().tag(sync=True)
    why = traitlets.Unicode().tag(sync=True)


def _text(value: object, parameter: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or not (allow_empty or value.strip()):
        allowed = "a str" if allow_empty else "a non-empty str"
        raise TypeError(f"{parameter} must be {allowed}; received {parameter}={value!r}")
    return value


def _count(value: object) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(
            "answer must be an int (a size or a count, computed with convlib); "
            f"received answer={value!r} of type {type(value).__name__}"
        )
    return int(value)


def gives_away(text: str, answer: int | str) -> bool:
    """Whether ``text`` shows ``answer``: the number as a whole (``1024`` or ``1,024``, not the
    ``24`` in ``1024``), or the choice's text."""
    if isinstance(answer, str):
        return answer.strip().lower() in text.lower()
    forms = {str(answer), f"{answer:,}"}
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", text) for f in forms)


def _hint(hint: object, answer: int | str) -> str:
    hint = _text(hint, "hint")
    if gives_away(hint, answer):
        raise ValueError(
            "hint must name what to check without giving the answer away; "
            f"received hint={hint!r}, which contains the answer {answer!r}"
        )
    return hint


def predict(
    question: str, *, answer: int, hint: str, name: str = "your prediction", why: str = ""
) -> Quiz:
    """A question whose answer is a whole number (a size, a count of parameters or MACs).

    Parameters
    ----------
    question : str
        What the reader predicts, with everything needed to work it out.
    answer : int
        The answer, computed with convlib in the cell (never typed by hand).
    hint : str
        What to check after a wrong prediction; it must not contain the answer.
    name : str
        What the number is, for the feedback ("the output width is not 17: ...").
    why : str
        Shown after the answer once revealed (how convlib computed it).

    Returns
    -------
    Quiz
        The widget; the reader's prediction is checked in the browser.

    Raises
    ------
    TypeError
        If ``answer`` is not an int or a text parameter is not a str.
    ValueError
        If ``hint`` contains the answer.
    """
    answer = _count(answer)
    return Quiz(
        question=_text(question, "question"),
        kind="count",
        answer=answer,
        name=_text(name, "name"),
        hint=_hint(hint, answer),
        why=_text(why, "why", allow_empty=True),
    )


def choose(question: str, *, choices: Sequence[str], answer: str, hint: str, why: str = "") -> Quiz:
    """A question whose answer is one of ``choices``.

    Parameters
    ----------
    question : str
        What the reader predicts.
    choices : sequence of str
        At least two distinct choices, shown in this order.
    answer : str
        The right choice, picked by a convlib computation in the cell (for example
        ``choices[int(np.argmax(costs))]``), never typed by hand.
    hint : str
        What to check after a wrong choice; it must not contain the answer's text.
    why : str
        Shown after the answer once revealed.

    Returns
    -------
    Quiz

    Raises
    ------
    TypeError
        If a choice, ``answer`` or a text parameter is not a str.
    ValueError
        If there are fewer than two distinct choices, ``answer`` is not one of them, or ``hint``
        contains the answer.
    """
    if isinstance(choices, str) or not isinstance(choices, Sequence):
        raise TypeError(f"choices must be a sequence of str; received choices={choices!r}")
    choices = [_text(choice, "choices") for choice in choices]
    if len(set(choices)) < 2 or len(set(choices)) != len(choices):
        raise ValueError(
            f"choices must hold at least two distinct strs; received choices={choices!r}"
        )
    answer = _text(answer, "answer")
    if answer not in choices:
        raise ValueError(f"answer must be one of {choices!r}; received answer={answer!r}")
    return Quiz(
        question=_text(question, "question"),
        kind="choice",
        answer=answer,
        choices=choices,
        hint=_hint(hint, answer),
        why=_text(why, "why", allow_empty=True),
    )
