"""The instructor guide's nbgrader round, typed verbatim: generate, release, two students fetch
and submit (ada with the instructor's solutions, bob with the untouched release), collect,
autograde, feedback. ada scores every autograded check, bob none; nothing released holds a
solution line; ada's run has no error at all and bob's only "not answered" ones.

Slow (every chapter executes twice under autograde): ``make test-classroom`` runs it, after
``make course``. The commands are the ``bash`` blocks of book/instructor.md's nbgrader section:
the first (``make course``) runs in the repository, the others in one shell in a temporary
folder that holds a copy of ``_build/course`` and the project's venv.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_course  # noqa: E402
import make_student  # noqa: E402

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbgrader") is None, reason="nbgrader not installed: make course"
)
GUIDE = ROOT / "book" / "instructor.md"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
NOT_ANSWERED = {"ExerciseNotAnswered", "NotImplementedError"}


def guide_commands() -> list[str]:
    """The bash blocks of the guide's nbgrader section, in order."""
    text = GUIDE.read_text()
    section = text.split("\n## nbgrader\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.*?)^```$", section, flags=re.M | re.S)


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    blocks = guide_commands()
    assert blocks[0].strip() == "make course", blocks[0]
    subprocess.run(["bash", "-euo", "pipefail", "-c", blocks[0]], cwd=ROOT, check=True)
    work = tmp_path_factory.mktemp("classroom")
    shutil.copytree(ROOT / "_build" / "course", work / "_build" / "course", symlinks=True)
    for left in ("gradebook.db", "release", "submitted", "autograded", "feedback"):
        assert not (work / "_build" / "course" / left).exists(), f"make course left {left}"
    (work / ".venv").symlink_to(ROOT / ".venv")
    script = "\n".join(blocks[1:])
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "MPLBACKEND": "Agg"},
    )
    log = result.stdout + result.stderr
    (work / "round.log").write_text(log)
    assert result.returncode == 0, log[-5000:]
    return work / "_build" / "course", log


def test_the_guide_runs_every_step_of_a_round():
    script = "\n".join(guide_commands())
    for step in (
        "generate_assignment",
        "release_assignment",
        "fetch_assignment",
        "submit",
        "collect",
        "autograde",
        "generate_feedback",
        "release_feedback",
    ):
        assert f"nbgrader {step} " in script, step


def test_no_error_in_the_commands_output(round_):
    _, log = round_
    problems = [
        line
        for line in log.splitlines()
        if re.search(r"\| (ERROR|CRITICAL)\]|Traceback|Exception while loading", line)
        or "cannot be converted to a float" in line
        or "CellTimeoutError" in line
        or "Alternative text is missing" in line
    ]
    assert not problems, problems[:10]


def test_every_chapter_is_an_assignment(round_):
    course, _ = round_
    assert sorted(p.name for p in (course / "source").iterdir()) == CHAPTERS
    assert sorted(p.name for p in (course / "release").iterdir()) == CHAPTERS
    assert (course / "exchange" / "convlib" / "outbound").is_dir()
    assert not Path("/usr/local/share/nbgrader/exchange/convlib").exists()


def test_no_solution_line_is_released(round_):
    course, _ = round_
    released = [
        *(course / "release").rglob("*.ipynb"),
        *(course / "exchange" / "convlib" / "outbound").rglob("*.ipynb"),
        *(course.parent / "students" / "bob").rglob("*.ipynb"),
    ]
    assert len(released) >= 3 * len(CHAPTERS)
    for path in released:
        text = path.read_text()
        source = ROOT / "notebooks" / f"{path.stem}.ipynb"
        leaked = [line for line in make_student.solution_snippets(source) if line in text]
        assert not leaked, f"{path.relative_to(course.parent)} leaks {leaked[:3]}"
        assert "BEGIN SOLUTION" not in text


def test_released_checks_compute_no_expected_value_and_exercises_read_as_markdown(round_):
    """The release shows what a student answers, not what the check compares it with."""
    course, _ = round_
    hidden = 0
    for path in sorted((course / "release").rglob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        text = "\n".join(c.source for c in cells)
        assert "check_value(" not in text and "HIDDEN TESTS" not in text, path.name
        assert "{exercise}" not in text and ":label:" not in text, path.name
        assert re.search(r"^### Exercise \d+\.1$", text, re.M), path.name
        hidden += sum(make_course.HIDDEN_NOTE.strip() in c.source for c in cells)
    assert hidden >= 10


def autograded_scores(course: Path) -> dict[tuple[str, str, str], tuple[float, float]]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for chapter in CHAPTERS:
            for student in ("ada", "bob"):
                submission = gradebook.find_submission_notebook(chapter, chapter, student)
                for grade in submission.grades:
                    if grade.cell.cell_type == "code" and grade.auto_score is not None:
                        scores[chapter, student, grade.name] = (grade.score, grade.max_score)
    return scores


def test_solutions_score_full_marks_and_the_release_zero_on_every_check(round_):
    course, _ = round_
    scores = autograded_scores(course)
    checks = {(c, name) for c, _, name in scores}
    assert len(checks) >= 15, checks
    for chapter, name in checks:
        assert scores[chapter, "ada", name][0] == scores[chapter, "ada", name][1] > 0, name
        assert scores[chapter, "bob", name][0] == 0, name
    assert (course / "grades.csv").is_file()


def errors(path: Path) -> list[tuple[str, str, str]]:
    return [
        (cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id")), o.ename, o.evalue)
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "error"
    ]


def test_the_solutions_run_without_any_error(round_):
    course, _ = round_
    notebooks = sorted((course / "autograded" / "ada").rglob("*.ipynb"))
    assert len(notebooks) == len(CHAPTERS)
    for path in notebooks:
        assert errors(path) == [], path.name


def test_the_untouched_release_fails_only_as_not_answered(round_):
    course, _ = round_
    notebooks = sorted((course / "autograded" / "bob").rglob("*.ipynb"))
    assert len(notebooks) == len(CHAPTERS)
    checks_failed = 0
    for path in notebooks:
        for cell, ename, evalue in errors(path):
            assert ename in NOT_ANSWERED, (path.name, cell, ename, evalue)
            if cell.endswith("-check"):
                assert ename == "ExerciseNotAnswered", (path.name, cell, ename)
                assert evalue.startswith("Not answered yet"), (path.name, cell, evalue)
                checks_failed += 1
    assert checks_failed >= 15


def test_feedback_for_both_students_with_alt_text_on_every_image(round_):
    course, _ = round_
    for student in ("ada", "bob"):
        pages = sorted((course / "feedback" / student).rglob("*.html"))
        assert [p.stem for p in pages] == CHAPTERS, student
        for page in pages:
            images = re.findall(r"<img\b[^>]*>", page.read_text())
            unlabelled = [
                i[:80]
                for i in images
                if not re.search(r'\salt="[^"]+"', i) or "No description has been provided" in i
            ]
            assert not unlabelled, (student, page.name, unlabelled[:2])
    ada_chapter_1 = (course / "feedback" / "ada" / CHAPTERS[0] / f"{CHAPTERS[0]}.html").read_text()
    assert "<img" in ada_chapter_1
    released = course / "exchange" / "convlib" / "feedback"
    assert len(list(released.rglob("*.html"))) == 2 * len(CHAPTERS)
