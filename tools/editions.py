"""What the student, course and solutions editions share: exercises that read as plain Markdown.

The chapters state exercises as MyST directives (```` ```{exercise} ```` with a ``:label:`` line)
and fence their solutions with ``{solution-start}``/``{solution-end}`` cells: the HTML book turns
them into numbered boxes and drop-downs, but JupyterLab, Notebook 7 and VS Code show the fences as
raw code blocks in which no maths renders. The editions people open in those tools rewrite them:

- an exercise statement becomes a Markdown heading "Exercise N.k" (one level below the section it
  is in) followed by its text, whose ``$...$`` maths then renders; the numbers come from
  ``book/_ext/exercise_numbers.py``, as in the HTML book;
- a ``{solution-start}`` marker becomes the heading "Solution to Exercise N.k" (solutions
  edition), and both markers are dropped elsewhere;
- a displayed equation written as a ```` ```{math} ```` directive (with its ``:label:``) becomes
  ``$$ ... $$``, which these tools render.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from exercise_numbers import (  # noqa: E402
    EXERCISE_OPENING,
    chapter_number,
    exercise_labels,
    exercise_number,
)

HEADING = re.compile(r"^(#{1,6})[ \t]", re.M)
OPTION = re.compile(r"^:[\w-]+:[^\n]*$")
SOLUTION_MARKER = re.compile(
    r"^\s*(`{3,}|:{3,})\{solution-(?P<kind>start|end)\}[ \t]*(?P<label>\S*)"
)
MATH = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{math\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
# The text nbgrader writes into a written-answer (Markdown solution) cell of a release.
WRITTEN_ANSWER = "YOUR ANSWER HERE"


def is_solution_marker(cell: nbformat.NotebookNode) -> bool:
    """A ``{solution-start}`` or ``{solution-end}`` cell (nothing but the directive)."""
    return cell.cell_type == "markdown" and bool(SOLUTION_MARKER.match(cell.source))


def plain_exercise(source: str, number: str, level: int = 3) -> str:
    """An exercise directive's cell as plain Markdown: a heading "Exercise N.k", then its text.

    The directive's option lines (``:label:``, ``:class:`` ...) go; a title on the directive's
    line follows the number in parentheses, as in the HTML book. Text before and after the
    directive stays.
    """
    opening = EXERCISE_OPENING.search(source)
    if opening is None:
        raise ValueError(f"source must hold an exercise directive; received source={source[:60]!r}")
    fence, title = opening["fence"], opening["title"].strip()
    body = source[opening.end() :].lstrip("\n")
    closing = re.search(rf"^{re.escape(fence)}[ \t]*$", body, re.M)
    after = body[closing.end() :] if closing else ""
    body = body[: closing.start()] if closing else body
    lines = body.split("\n")
    while lines and OPTION.match(lines[0]):
        lines.pop(0)
    text = "\n".join(lines).strip("\n")
    heading = "#" * level + f" Exercise {number}" + (f" ({title})" if title else "")
    before = source[: opening.start()].rstrip("\n")
    return "\n\n".join(p for p in (before, heading, text, after.strip("\n")) if p)


def plain_math(source: str) -> str:
    """Every ```` ```{math} ```` directive of a Markdown source as ``$$ ... $$`` (no options)."""

    def display(match: re.Match) -> str:
        lines = match["body"].split("\n")
        while lines and OPTION.match(lines[0]):
            lines.pop(0)
        return "$$\n" + "\n".join(lines).strip("\n") + "\n$$"

    return MATH.sub(display, source)


def exercise_heading_numbers(path: Path, notebook: nbformat.NotebookNode) -> list[str]:
    """The numbers "N.k" of the notebook's exercise directives, in order."""
    chapter = chapter_number(path)
    if chapter is None:
        raise ValueError(
            f"path must be a chapter notebook named NN_*.ipynb; received path={str(path)!r}"
        )
    sources = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    return [exercise_number(chapter, k) for k in range(1, len(exercise_labels(sources)) + 1)]


def plain_markdown_exercises(
    path: Path, notebook: nbformat.NotebookNode, *, solutions: bool = False
) -> nbformat.NotebookNode:
    """A copy of the notebook whose exercises read as plain Markdown (see the module's docstring).

    ``solutions=True`` keeps a heading "Solution to Exercise N.k" where each solution starts;
    otherwise the solution markers are dropped.
    """
    numbers = iter(exercise_heading_numbers(path, notebook))
    by_label: dict[str, str] = {}
    level, cells = 2, []
    for cell in notebook.cells:
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "markdown":
            if EXERCISE_OPENING.search(cell.source):
                labels = exercise_labels([cell.source])
                number = next(numbers)
                if labels[0]:
                    by_label[labels[0]] = number
                cell.source = plain_exercise(cell.source, number, min(level + 1, 6))
            elif is_solution_marker(cell):
                marker = SOLUTION_MARKER.match(cell.source)
                if not solutions or marker["kind"] == "end":
                    continue
                number = by_label.get(marker["label"], marker["label"])
                cell.source = "#" * min(level + 2, 6) + f" Solution to Exercise {number}"
            else:
                cell.source = plain_math(cell.source)
                headings = HEADING.findall(cell.source)
                level = len(headings[-1]) if headings else level
        cells.append(cell)
    copy = nbformat.from_dict(dict(notebook))
    copy.cells = cells
    return copy
