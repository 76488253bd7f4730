"""The book's exercise numbers, "Exercise N.k": the one place that computes them.

N is the chapter number, read from the notebook's file-name prefix (``00_why_convolution`` -> 0,
``03_transposed`` -> 3); k is the exercise's position among that notebook's ``{exercise}``
directives, counting from 1 in every chapter. The HTML book, the instructor guide and the
student, course and solutions editions (``tools/make_student.py``, ``tools/make_course.py``,
``tools/make_solutions.py``) all number exercises with these functions.

Importable from a Sphinx extension in this folder (``book/_ext`` is on ``sys.path`` while the
book builds) and from the tools (which add this folder to ``sys.path``). Standard library only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# The opening line of an exercise directive, a backtick or colon fence: ```{exercise} [title]
EXERCISE_OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)$", re.M)
LABEL = re.compile(r"^:label:[ \t]*(?P<label>\S+)[ \t]*$", re.M)
CHAPTER_PREFIX = re.compile(r"^(?P<chapter>\d+)_")


def chapter_number(path: str | Path) -> int | None:
    """The chapter number of a notebook or page, from its file-name prefix; None without one.

    ``"notebooks/03_transposed.ipynb"`` and the Sphinx docname ``"notebooks/03_transposed"``
    both give 3; ``"book/intro.md"`` gives None.
    """
    match = CHAPTER_PREFIX.match(Path(str(path)).name)
    return int(match["chapter"]) if match else None


def exercise_number(chapter: int, position: int) -> str:
    """The number of the ``position``-th exercise (from 1) of chapter ``chapter``: ``"3.2"``."""
    if isinstance(chapter, bool) or not isinstance(chapter, int) or chapter < 0:
        raise ValueError(f"chapter must be a non-negative int; received chapter={chapter!r}")
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise ValueError(
            f"position must be a positive int (from 1); received position={position!r}"
        )
    return f"{chapter}.{position}"


def exercise_labels(markdown_sources: list[str]) -> list[str | None]:
    """The label of every exercise directive in these sources, in order (None if unlabelled)."""
    labels: list[str | None] = []
    for source in markdown_sources:
        for opening in EXERCISE_OPENING.finditer(source):
            body = source[opening.end() :]
            closing = re.search(rf"^{re.escape(opening['fence'])}[ \t]*$", body, re.M)
            body = body[: closing.start()] if closing else body
            label = LABEL.search(body)
            labels.append(label["label"] if label else None)
    return labels


def exercise_numbers(notebook: str | Path) -> dict[str, str]:
    """Every labelled exercise of a chapter notebook and its number: ``{"conv-ex1": "1.1", ...}``.

    Raises
    ------
    ValueError
        If the notebook's file name has no chapter prefix (``NN_``).
    """
    chapter = chapter_number(notebook)
    if chapter is None:
        raise ValueError(
            f"notebook must be named with its chapter number first (such as 03_transposed.ipynb); "
            f"received notebook={str(notebook)!r}"
        )
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    sources = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    ]
    return {
        label: exercise_number(chapter, position)
        for position, label in enumerate(exercise_labels(sources), start=1)
        if label is not None
    }
