"""The instructor guide's exercise table matches the notebooks: every exercise listed exists in
its chapter, uses the check the table names, and every exercise of the book is listed; what the
guide promises of `make course` and JupyterLab holds (tests/test_course.py runs its commands)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import install_lab_settings  # noqa: E402
import make_course  # noqa: E402

ROW = re.compile(
    r"^\| \{numref\}`(?P<label>[\w-]+)` \(`(?P=label)`\) "
    r"\| (?P<chapter>\d) [^|]+\| (?P<check>[^|]+)\|",
    re.M,
)


def table():
    return [m.groupdict() for m in ROW.finditer((ROOT / "book/instructor.md").read_text())]


def notebook_text(chapter: str) -> str:
    return next((ROOT / "notebooks").glob(f"0{chapter}_*.ipynb")).read_text()


def test_every_listed_exercise_uses_the_listed_check():
    rows = table()
    assert len(rows) >= 18
    for row in rows:
        text = notebook_text(row["chapter"])
        assert f":label: {row['label']}" in text, row
        check = row["check"].strip().strip("`")
        if check.startswith("check_"):
            assert re.search(
                rf"{check}\(", text.split(f":label: {row['label']}")[1].split(":label:")[0]
            ), row


def test_every_exercise_of_the_book_is_listed():
    listed = {row["label"] for row in table()}
    in_notebooks = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        in_notebooks |= set(re.findall(r":label: ([\w-]+-ex\d+)", path.read_text()))
    assert listed == in_notebooks


# --- the course directory and the JupyterLab defaults the guide promises --------------------


def test_every_command_block_of_the_nbgrader_section_is_valid_bash():
    section = (ROOT / "book/instructor.md").read_text().split("\n## nbgrader\n")[1]
    blocks = re.findall(r"^```bash\n(.*?)^```$", section.split("\n## ")[0], flags=re.M | re.S)
    assert len(blocks) >= 4
    for block in blocks:
        subprocess.run(["bash", "-n", "-c", block], check=True)


def test_make_course_makes_an_assignment_of_every_chapter_present(tmp_path, monkeypatch):
    repository = tmp_path / "repository"
    (repository / "notebooks").mkdir(parents=True)
    for name in ("00_why_convolution", "01_convolution", "07_pooling"):  # new chapters too
        nbformat.write(nbformat.v4.new_notebook(), repository / "notebooks" / f"{name}.ipynb")
    monkeypatch.setattr(make_course, "ROOT", repository)
    course = tmp_path / "course"
    (course / "source" / "old_chapter").mkdir(parents=True)
    (course / "gradebook.db").write_text("grades")
    make_course.write_course(course)
    assert sorted(p.name for p in (course / "source").iterdir()) == [
        "00_why_convolution",
        "01_convolution",
        "07_pooling",
    ]
    assert nbformat.read(course / "source" / "07_pooling" / "07_pooling.ipynb", 4).cells == []
    assert (course / "gradebook.db").read_text() == "grades"  # kept
    assert (course / "exchange").is_dir()


@pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None, reason="needs nbgrader")
def test_course_config_sets_the_exchange_course_and_a_timeout_for_the_slowest_chapter(tmp_path):
    make_course.write_course(tmp_path)
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.CourseDirectory.course_id == "convlib"
    assert config.Exchange.root == str(tmp_path / "exchange")
    assert config.Execute.timeout >= 300  # nbgrader's 30 s default times chapter 5 out
    alt_text = config.GenerateFeedback.preprocessors[-1]
    assert alt_text.__name__ == "FigureAltText" and alt_text().enabled


def test_jupyterlab_defaults_say_never_to_the_news_question(tmp_path):
    target = install_lab_settings.install(tmp_path)
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(str(tmp_path / "settings"))
    assert error == "" and target.is_file()
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    schema_path = (
        Path(sys.prefix)
        / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json"
    )
    schema = json.loads(schema_path.read_text())["properties"]
    assert {"const": "false", "title": "Never"} in schema["fetchNews"]["oneOf"]
