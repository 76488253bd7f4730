"""Make the solutions edition: every chapter with every exercise's solution, for self-study.

Writes ``_build/solutions/`` (``make solutions``): ``notebooks/*.ipynb`` and a zip of them. Each
is a chapter as the book has it, with the exercises as plain Markdown headed "Exercise N.k"
(``tools/editions.py``) and each solution under "Solution to Exercise N.k": the answer code
(self-checked exercises included, with the check cell that passes on it), the written answers and
explanations. The ``### BEGIN SOLUTION``/``### END SOLUTION`` marker lines are left out; outputs
are cleared (run the notebook to see every check pass). The HTML book shows the same solutions in
drop-downs under each exercise; the student edition (``make student``) has none.

Usage: ``python tools/make_solutions.py [--out _build/solutions]``
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

import nbformat
from editions import plain_markdown_exercises

ROOT = Path(__file__).resolve().parents[1]
MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)


def solutions_notebook(path: Path) -> nbformat.NotebookNode:
    """The chapter with its solutions, exercises as plain Markdown and no outputs."""
    notebook = plain_markdown_exercises(path, nbformat.read(path, as_version=4), solutions=True)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = MARKER_LINE.sub("", cell.source)
            cell.outputs, cell.execution_count = [], None
    return notebook


def write_edition(out: Path) -> list[Path]:
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nbformat.write(solutions_notebook(path), target / path.name)
        written.append(target / path.name)
    archive = out / "convlib-solutions-notebooks.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in written:
            info = zipfile.ZipInfo(
                f"convlib-solutions/{path.name}", date_time=(2026, 1, 1, 0, 0, 0)
            )
            bundle.writestr(info, path.read_bytes())
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "solutions")
    args = parser.parse_args(argv)
    paths = write_edition(args.out)
    print(f"{len(paths)} notebooks with solutions in {args.out / 'notebooks'} (and a zip)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
