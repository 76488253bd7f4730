"""The chapters' quiz cells (code cells tagged ``quiz``), run on their own as the book runs them.

Shared by tests/test_quiz.py and tests/browser/test_book_numbers_and_quizzes.py: each quiz cell
needs only ``convlib``, ``np`` and ``widgets`` (the chapters' imports), so it can be executed
outside its notebook and its widget compared with what the page shows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import numpy as np

import convlib
from convlib import widgets

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def quiz_sources(notebook: Path) -> list[str]:
    """The source of every quiz cell of a chapter, in reading order."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [
        c.source for c in cells if c.cell_type == "code" and "quiz" in c.metadata.get("tags", [])
    ]


def run_quiz(source: str) -> widgets.quiz.Quiz:
    """Execute a quiz cell in a fresh namespace; its last expression is the quiz."""
    tree = ast.parse(source)
    *body, last = tree.body
    if not isinstance(last, ast.Expr):
        raise ValueError(f"a quiz cell must end with the quiz expression; received:\n{source}")
    namespace = {"convlib": convlib, "np": np, "widgets": widgets}
    exec(compile(ast.Module(body=body, type_ignores=[]), "<quiz cell>", "exec"), namespace)
    quiz = eval(compile(ast.Expression(last.value), "<quiz cell>", "eval"), namespace)
    if not isinstance(quiz, widgets.quiz.Quiz):
        raise TypeError(f"a quiz cell must end with a Quiz; received {type(quiz).__name__}")
    return quiz


def answer_argument(source: str) -> ast.expr:
    """The expression passed as ``answer=`` to the quiz call of a cell."""
    call = ast.parse(source).body[-1].value
    return next(k.value for k in call.keywords if k.arg == "answer")
