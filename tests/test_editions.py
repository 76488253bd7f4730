"""The course and solutions editions read well outside the HTML book: exercises are plain Markdown
headed "Exercise N.k"; the course hides the expected values its checks compute; the solutions
edition holds every exercise's solution under "Solution to Exercise N.k"."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import make_course  # noqa: E402
import make_student  # noqa: E402
from exercise_numbers import exercise_numbers  # noqa: E402

SOURCES = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_course_sources_hide_every_expected_value_and_read_as_markdown(path):
    notebook = make_course.course_notebook(path)
    text = "\n".join(c.source for c in notebook.cells)
    assert "{exercise}" not in text and "{solution-" not in text and ":label:" not in text
    headings = re.findall(r"^#{2,6} Exercise (\d+\.\d+)$", text, re.M)
    assert headings == list(exercise_numbers(path).values())
    for cell in notebook.cells:
        if cell.cell_type == "code" and "check_value(" in cell.source:
            assert cell.metadata["nbgrader"]["grade"], cell.source[:60]
            visible = re.sub(
                r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", cell.source, flags=re.S
            )
            assert visible == make_course.HIDDEN_NOTE, cell.source[:80]
    # the instructor's solutions stay in the source, for nbgrader to strip and to grade with
    assert make_student.solution_snippets(path) <= {
        line.strip() for c in notebook.cells for line in c.source.splitlines()
    }


import make_solutions  # noqa: E402


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_solutions_edition_has_a_solution_under_every_exercise(path):
    notebook = make_solutions.solutions_notebook(path)
    headings = [
        (m[1], m[2])
        for c in notebook.cells
        if c.cell_type == "markdown"
        for m in [re.match(r"^#{2,6} (Solution to )?Exercise (\d+\.\d+)", c.source)]
        if m
    ]
    numbers = list(exercise_numbers(path).values())
    assert headings == [h for n in numbers for h in ((None, n), ("Solution to ", n))]
    text = "\n".join(c.source for c in notebook.cells)
    assert "BEGIN SOLUTION" not in text and "{solution-" not in text and ":label:" not in text
    lines = {line.strip() for line in text.splitlines()}
    missing = make_student.solution_snippets(path) - lines
    assert not missing, list(missing)[:3]
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_solutions_edition_runs_every_check_without_error(tmp_path):
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "01_convolution.ipynb"
    notebook = make_solutions.solutions_notebook(path)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()  # fmt: skip
    checks = [c for c in notebook.cells if "check_" in c.source and "nbgrader" in c.metadata]
    assert len(checks) >= 4
    for cell in checks:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:60]
