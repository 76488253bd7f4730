"""The instructor guide's exercise table matches the notebooks: every exercise listed exists in
its chapter, uses the check the table names, and every exercise of the book is listed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(?P<label>[\w-]+)` \| (?P<chapter>\d) [^|]+\| (?P<check>[^|]+)\|", re.M)


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
