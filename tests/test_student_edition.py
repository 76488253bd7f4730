"""The student edition keeps every task and no solution: not in the notebooks, the zip, the
HTML pages, the search index or any download; placeholders raise only in exercise cells."""

from __future__ import annotations

import re
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


sys.path.insert(0, str(ROOT / "book" / "_ext"))
import editions  # noqa: E402
from exercise_numbers import chapter_number, exercise_number, exercise_numbers  # noqa: E402


def test_exercise_numbers_are_the_chapter_prefix_and_the_position_from_one():
    assert chapter_number("notebooks/00_why_convolution.ipynb") == 0
    assert chapter_number("notebooks/03_transposed") == 3  # a Sphinx docname
    assert chapter_number("book/intro.md") is None
    assert exercise_numbers(ROOT / "notebooks" / "01_convolution.ipynb")["conv-ex1"] == "1.1"
    for path in SOURCES:
        numbers = list(exercise_numbers(path).values())
        chapter = int(path.name[:2])
        assert numbers == [f"{chapter}.{k}" for k in range(1, len(numbers) + 1)], path.name
    with pytest.raises(ValueError, match="position"):
        exercise_number(1, 0)


def test_plain_exercise_drops_the_fence_and_options_and_keeps_title_and_text():
    source = "```{exercise} Padding\n:label: x-ex2\n:class: hard\n\nPad $p$ cells.\n```"
    assert editions.plain_exercise(source, "4.2") == "### Exercise 4.2 (Padding)\n\nPad $p$ cells."
    colon = ":::{exercise}\n:label: y\nText.\n:::\n\nAfter."
    assert editions.plain_exercise(colon, "0.1", 4) == "#### Exercise 0.1\n\nText.\n\nAfter."


def markdown_of(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def test_student_exercises_read_as_plain_markdown_headed_exercise_n_k(student):
    """No MyST fence or option line is left; every statement is a heading with its number."""
    _, paths, _ = student
    for source, path in zip(SOURCES, paths, strict=True):
        text = "\n".join(markdown_of(path))
        assert "{exercise}" not in text and ":label:" not in text, path.name
        assert "{solution-" not in text and ":class:" not in text, path.name
        headings = re.findall(r"^#{2,6} Exercise (\d+\.\d+)$", text, re.M)
        assert headings == list(exercise_numbers(source).values()), path.name
        assert len(headings) >= 3
    statement = next(s for s in markdown_of(paths[1]) if s.startswith("### Exercise 1.3"))
    assert "$224 \\times 224$" in statement  # maths outside any code fence, so it renders


def test_every_written_answer_keeps_a_cell_for_the_answer(student):
    """pool-ex5 and comp-ex4 lost theirs: every Markdown answer cell nbgrader grades stays."""
    _, paths, _ = student
    kept = 0
    for source, path in zip(SOURCES, paths, strict=True):

        def answer_ids(p):
            return [
                c.metadata["nbgrader"]["grade_id"]
                for c in nbformat.read(p, as_version=4).cells
                if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
            ]

        assert answer_ids(path) == answer_ids(source), path.name
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and "nbgrader" in cell.metadata:
                assert cell.source == "YOUR ANSWER HERE"
        kept += len(answer_ids(path))
    assert kept >= 9
    assert "pool-ex5-written-answer" in nbformat.read(paths[7], as_version=4).cells.__repr__()
    assert "comp-ex4-written-answer" in nbformat.read(paths[8], as_version=4).cells.__repr__()


def test_check_cells_that_compute_expected_values_start_collapsed(student):
    _, paths, _ = student
    collapsed = 0
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "check_value(" in cell.source:
                assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source
                collapsed += 1
    assert collapsed >= 10


def test_displayed_equations_become_dollar_dollar_maths():
    source = "Before.\n\n```{math}\n:label: eq-a\n\ny = \\sum_j w_j x_j\n```\n\nAfter."
    assert editions.plain_math(source) == "Before.\n\n$$\ny = \\sum_j w_j x_j\n$$\n\nAfter."
