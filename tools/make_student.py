"""Make the student edition: notebooks without solutions, a zip of them, and an HTML book.

Every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block in a code cell becomes a placeholder
(as nbgrader's ClearSolutions does): ``raise NotImplementedError()`` at the block's indentation,
exactly what nbgrader releases, when the cell declares the answer names before the block (as
the book's exercises do: ``side = None``); an older-style block of plain top-level assignments
becomes ``name = ...`` for each name instead. Either way the checks reply "not answered yet".
Markdown cells tagged ``solution`` (the gated ``{solution-start}``/``{solution-end}`` markers
and the explanations between them) are removed, except that a written answer (a Markdown cell
nbgrader grades by hand) keeps its cell, emptied to nbgrader's "YOUR ANSWER HERE"; outputs and run
metadata are cleared. In the notebooks (for JupyterLab, Notebook 7, VS Code) every exercise reads
as plain Markdown headed "Exercise N.k" (``tools/editions.py``), and a check cell that computes its
expected values in the open (``check_value``) starts with its code collapsed. The student HTML
book is built from a second rendering that keeps the book's exercise directives (exercise cells
tagged ``skip-execution``, so the page shows the task, not an error), with no source downloads
and no launch buttons.

Usage: ``python tools/make_student.py [--no-html] [--out _build/student]`` (``make student``).
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import yaml
from editions import WRITTEN_ANSWER, plain_markdown_exercises

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[^\n]*\n(?P<body>.*?)"
    r"^[ \t]*### END SOLUTION[^\n]*(\n|$)",
    re.M | re.S,
)
KEEP_CELL_METADATA = ("tags", "nbgrader", "mystnb", "jupyter")


DIRECTIVE = re.compile(r"^(```|:class:|:label:)")


def solution_snippets(path: Path) -> set[str]:
    """Distinctive lines of a notebook's solutions: code between the markers, solution prose.

    The tests of the student edition and of the nbgrader course look for these in what students
    receive: none may be there.
    """
    snippets = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            for match in BLOCK.finditer(cell.source):
                snippets |= {line.strip() for line in match["body"].splitlines()}
        elif "solution" in cell.metadata.get("tags", []):
            snippets |= {
                line.strip()
                for line in cell.source.splitlines()
                if not DIRECTIVE.match(line.strip())
            }
    return {s for s in snippets if len(s) >= 12}


def assigned_names(body: str) -> list[str] | None:
    """Names a block assigns, if it is nothing but top-level assignments; else None."""
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    names: list[str] = []
    for statement in tree.body:
        if not isinstance(statement, ast.Assign):
            return None
        for target in statement.targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            if not all(isinstance(e, ast.Name) for e in elements):
                return None
            names += [e.id for e in elements]
    return names or None


def declared_names(code: str) -> set[str]:
    """Every name the code before a solution block binds (empty if it does not parse alone)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def placeholder(match: re.Match) -> str:
    indent, body = match["indent"], match["body"]
    names = assigned_names(body) if not indent else None
    if names and not set(names) <= declared_names(match.string[: match.start()]):
        return "".join(f"{name} = ...  # your answer\n" for name in dict.fromkeys(names))
    return f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"


def clear_solutions(source: str) -> str:
    """Replace every solution block of a code cell by its placeholder."""
    return BLOCK.sub(placeholder, source)


def is_written_answer(cell: nbformat.NotebookNode) -> bool:
    """A Markdown cell for an answer in words (nbgrader: a solution cell graded by hand)."""
    return cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution", False)


def computes_expected_values(cell: nbformat.NotebookNode) -> bool:
    """A check cell that computes what it compares the answers with, in the open."""
    grading = cell.metadata.get("nbgrader", {})
    return (
        cell.cell_type == "code" and grading.get("grade", False) and "check_value(" in cell.source
    )


def student_notebook(
    notebook: nbformat.NotebookNode, path: Path | None = None, *, for_book: bool = False
) -> nbformat.NotebookNode:
    """A copy without solutions, outputs or run metadata.

    With the chapter's ``path`` (and ``for_book=False``), exercises read as plain Markdown
    "Exercise N.k" and every written answer keeps a cell; ``for_book=True`` keeps the book's
    directives for the student HTML book and drops the written-answer cells there.
    """
    if path is not None and not for_book:
        notebook = plain_markdown_exercises(path, notebook)
    cells = []
    for cell in notebook.cells:
        cell = nbformat.from_dict(dict(cell))
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags:
            if for_book or not is_written_answer(cell):
                continue
            cell.source = WRITTEN_ANSWER
            cell.metadata["tags"] = [t for t in tags if t != "solution"]
            if not cell.metadata["tags"]:
                del cell.metadata["tags"]
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        if cell.cell_type == "code":
            cell.source = clear_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
            if for_book and "nbgrader" in cell.metadata:  # the book shows exercise cells unexecuted
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), "skip-execution"]
            if not for_book and computes_expected_values(cell):
                cell.metadata["jupyter"] = {"source_hidden": True}
        cells.append(cell)
    student = nbformat.v4.new_notebook()
    student.metadata = {
        k: notebook.metadata[k] for k in ("kernelspec", "language_info") if k in notebook.metadata
    }
    student.cells = cells
    return student


def write_notebooks(out: Path, *, for_book: bool = False) -> list[Path]:
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        destination = target / path.name
        nbformat.write(student_notebook(notebook, path, for_book=for_book), destination)
        written.append(destination)
    return written


def write_zip(paths: list[Path], out: Path) -> Path:
    archive = out / "convlib-student-notebooks.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in paths:
            info = zipfile.ZipInfo(f"convlib-student/{path.name}", date_time=(2026, 1, 1, 0, 0, 0))
            bundle.writestr(info, path.read_bytes())
    return archive


def student_config(source: Path) -> Path:
    """The book's configuration for the student edition: no source downloads, no launch buttons."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = config["title"] + " (student edition)"
    config["launch_buttons"] = {"notebook_interface": "jupyterlab", "thebe": False}
    config.setdefault("html", {})["use_repository_button"] = False
    config["html"]["use_issues_button"] = False
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["hide_solutions"] = True
    sphinx_config["html_copy_source"] = False
    sphinx_config["html_show_sourcelink"] = False
    sphinx_config.setdefault("html_theme_options", {})["use_download_button"] = False
    config["execute"]["cache"] = str((source.parent / ".jupyter_cache").resolve())
    path = source / "_config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def build_html(out: Path) -> None:
    """Build the book from a staging copy whose notebooks are the student notebooks (book form)."""
    source = out / "source"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(ROOT / "book", source / "book")
    shutil.copy(ROOT / "_toc.yml", source / "_toc.yml")
    write_notebooks(source, for_book=True)
    (source / "node_modules").symlink_to(ROOT / "node_modules")  # the offline front-end files
    student_config(source)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(source),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    subprocess.run(command, check=True, cwd=source)
    # jupyter-book writes to <out>/_build/html; the edition's book lives at <out>/html
    shutil.rmtree(out / "html", ignore_errors=True)
    shutil.move(out / "_build" / "html", out / "html")
    shutil.rmtree(out / "_build")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML book")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = write_notebooks(args.out)
    archive = write_zip(paths, args.out)
    print(f"{len(paths)} student notebooks in {args.out / 'notebooks'}; zip: {archive}")
    if not args.no_html:
        build_html(args.out)
        print(f"student book: {args.out / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
