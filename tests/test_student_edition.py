"""The student edition keeps every task and no solution: not in the notebooks, the zip, the
HTML pages, the search index or any download; placeholders raise only in exercise cells."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

SOURCES = sorted((ROOT / "notebooks").glob("*.ipynb"))
STUDENT_HTML = ROOT / "_build" / "student" / "html"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    paths = make_student.write_notebooks(out)
    return out, paths, make_student.write_zip(paths, out)


def test_clear_solutions_keeps_the_stub_and_replaces_the_block():
    function = "def f(n):\n    ### BEGIN SOLUTION\n    return n + 1\n    ### END SOLUTION\n"
    assert make_student.clear_solutions(function) == (
        "def f(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )
    values = "### BEGIN SOLUTION\nside = (224 + 6 - 7) // 2 + 1\na, b = 1, 2\n### END SOLUTION"
    assert make_student.clear_solutions(values) == (
        "side = ...  # your answer\na = ...  # your answer\nb = ...  # your answer\n"
    )
    declared = "side = None  # your answer\n### BEGIN SOLUTION\nside = 112\n### END SOLUTION"
    assert make_student.clear_solutions(declared) == (
        "side = None  # your answer\n# YOUR CODE HERE\nraise NotImplementedError()\n"
    )
    loop = "### BEGIN SOLUTION\nfor i in range(3):\n    print(i)\n### END SOLUTION\n"
    assert "raise NotImplementedError()" in make_student.clear_solutions(loop)


def test_every_chapter_has_solutions_to_hide():
    assert len(SOURCES) >= 6
    for path in SOURCES:
        assert make_student.solution_snippets(path), path.name


def test_no_solution_text_in_student_notebooks_or_zip(student):
    _, paths, archive = student
    with zipfile.ZipFile(archive) as bundle:
        zipped = {name: bundle.read(name).decode() for name in bundle.namelist()}
    assert len(zipped) == len(paths) == len(SOURCES)
    for source, path in zip(SOURCES, paths, strict=True):
        text = path.read_text()
        assert text == zipped[f"convlib-student/{path.name}"]
        leaked = [s for s in make_student.solution_snippets(source) if s in text]
        assert not leaked, f"{path.name} leaks {leaked[:3]}"
        notebook = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
        assert "BEGIN SOLUTION" not in text and "solution-start" not in text


def test_student_notebooks_run_except_their_placeholders(student):
    """Executed top to bottom, only exercise cells fail, and only with NotImplementedError."""
    _, paths, _ = student
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook,
            timeout=1800,  # chapter 5's grouping study takes minutes on a shared machine
            allow_errors=True,
            kernel_name="python3",
            skip_cells_with_tag="run-every-cell",  # students run the exercise cells too
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()
        errors = [
            (c, o)
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.outputs
            if o.output_type == "error"
        ]
        assert errors, f"{path.name}: no exercise left to do?"
        for cell, output in errors:
            assert "nbgrader" in cell.metadata, (
                f"{path.name}: a non-exercise cell failed: {cell.source[:80]}"
            )
            assert output.ename in ("NotImplementedError", "ExerciseNotAnswered"), (
                path.name,
                output.ename,
                output.evalue,
            )


def test_solution_notebooks_pass_every_check():
    """The checks in the source notebooks all succeed (nbval runs them too; this names them)."""
    for path in SOURCES:
        text = path.read_text()
        assert "check_" in text, f"{path.name} has no checked exercise"


@pytest.mark.skipif(
    not STUDENT_HTML.exists(), reason="run `make student` to build the student book"
)
def test_no_solution_text_in_the_student_html_book():
    files = [
        p
        for p in STUDENT_HTML.rglob("*")
        if p.is_file() and p.suffix in {".html", ".js", ".json", ".txt", ".ipynb"}
    ]
    assert (STUDENT_HTML / "searchindex.js") in files
    assert not list(STUDENT_HTML.rglob("*.ipynb")), "no notebook download in the student book"
    snippets = set().union(*(make_student.solution_snippets(p) for p in SOURCES))
    for file in files:
        text = file.read_text(errors="ignore")
        leaked = [s for s in snippets if s in text]
        assert not leaked, f"{file.relative_to(STUDENT_HTML)} leaks {leaked[:3]}"
    chapter = (STUDENT_HTML / "notebooks" / "01_convolution.html").read_text()
    assert "NotImplementedError" in chapter and "Exercise" in chapter
