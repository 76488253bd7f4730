"""Make an nbgrader course directory: every chapter an assignment, ready for the instructor guide.

Writes ``_build/course/`` (``make course``):

- ``nbgrader_config.py``: course id ``convlib``; the exchange inside the course directory
  (``exchange/``, instead of nbgrader's default ``/usr/local/share/nbgrader/exchange``); a cell
  timeout that fits the slowest chapter (nbgrader's default of 30 s does not: chapter 5 trains
  a small network); and alt text for every figure in the feedback HTML;
- ``source/<chapter>/<chapter>.ipynb``: every notebook of ``notebooks/`` (whatever chapters exist
  when it runs), the instructor versions with solutions, as nbgrader expects them, rewritten to
  read well in JupyterLab, Notebook 7 and VS Code: exercise statements are plain Markdown headed
  "Exercise N.k" (``tools/editions.py``; the book's ``{solution-start}``/``{solution-end}``
  markers go), and a check cell that computes its expected values in the open (``check_value``)
  becomes an nbgrader hidden test: the release shows only a line saying the answers are checked
  when graded, and autograde runs the whole check.

Run again, it refreshes ``source/`` and the configuration and keeps everything else (the
gradebook, submissions, feedback). The commands a teacher types from there are in
``book/instructor.md``; ``tests/test_course.py`` runs them verbatim.

Usage: ``python tools/make_course.py [--out _build/course]``
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from editions import plain_markdown_exercises

ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "convlib"
# The slowest cell, chapter 5's seeded grouping study (25 training runs), took more than 300 s
# on this 2-core machine while it was shared (nbgrader's default timeout is 30 s); half an hour
# leaves room for a loaded grading server and still stops a runaway cell.
CELL_TIMEOUT = 1800

CONFIG = '''"""nbgrader configuration of the convlib course, written by `make course`.

Run every nbgrader command from this directory, with the venv that has convlib active
(book/instructor.md). Students identify by their login; the exchange is the folder below.
"""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
import nbgrader
from nbgrader.preprocessors import GetGrades
from traitlets import Bool

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = here
c.CourseDirectory.course_id = "{course_id}"
c.Exchange.root = os.path.join(here, "exchange")
# The slowest chapter cell (chapter 5 trains a network) needs more than nbgrader's 30 s.
c.Execute.timeout = {timeout}


class FigureAltText(Preprocessor):
    """Give every image in the feedback HTML alt text: the figure's caption, else a default."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        figure = cell.metadata.get("mystnb", {{}}).get("figure", {{}})
        text = figure.get("caption") or "A figure drawn by the code cell above."
        for output in cell.get("outputs", []):
            for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                if mime in output.get("data", {{}}):
                    metadata = output.setdefault("metadata", {{}}).setdefault(mime, {{}})
                    metadata.setdefault("alt", text)
        return cell, resources


# nbgrader's own two, then ours
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, FigureAltText]
# nbgrader's feedback page, with the alt text on SVG figures too (its template drops it)
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions/formgrader/templates"),
    os.path.join(here, "templates"),
]
c.HTMLExporter.template_name = "convlib_feedback"
c.HTMLExporter.template_file = "feedback_alt.html.j2"  # extends nbgrader's index.html.j2
'''

# nbgrader's feedback template, whose SVG figures (an <img> without alt) get the alt text too
FEEDBACK_TEMPLATE = """{%- extends 'index.html.j2' -%}

{% block data_svg scoped -%}
{%- set alt = output.get('metadata', {}).get('image/svg+xml', {}).get('alt', '') -%}
<div class="output_svg output_subarea {{ extra_class }}">
<img src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}"
     alt="{{ alt or 'A figure drawn by the code cell above.' | escape_html }}">
</div>
{%- endblock data_svg %}
"""
FEEDBACK_CONF = '{"base_template": "feedback", "mimetypes": {"text/html": true}}\n'


HIDDEN_NOTE = (
    "# The expected values are hidden: this cell checks your answers when your work is graded.\n"
)


def hide_expected_values(source: str) -> str:
    """A check cell's code as an nbgrader hidden test, after a visible line that says so."""
    return f"{HIDDEN_NOTE}### BEGIN HIDDEN TESTS\n{source.rstrip()}\n### END HIDDEN TESTS\n"


def course_notebook(path: Path) -> nbformat.NotebookNode:
    """The instructor notebook of a chapter as the course's source (see the module's docstring)."""
    notebook = plain_markdown_exercises(path, nbformat.read(path, as_version=4))
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and grading.get("grade") and "check_value(" in cell.source:
            cell.source = hide_expected_values(cell.source)
    return notebook


def chapters() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def write_course(out: Path) -> list[Path]:
    """Write the configuration and ``source/``; return the assignment folders."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(
        CONFIG.format(course_id=COURSE_ID, timeout=CELL_TIMEOUT)
    )
    template = out / "templates" / "convlib_feedback"
    template.mkdir(parents=True, exist_ok=True)
    (template / "feedback_alt.html.j2").write_text(FEEDBACK_TEMPLATE)
    (template / "conf.json").write_text(FEEDBACK_CONF)
    source = out / "source"
    shutil.rmtree(source, ignore_errors=True)
    assignments = []
    for notebook in chapters():
        folder = source / notebook.stem
        folder.mkdir(parents=True)
        nbformat.write(course_notebook(notebook), folder / notebook.name)
        assignments.append(folder)
    (out / "exchange").mkdir(exist_ok=True)
    (out / "exchange").chmod(0o777)  # students write their submissions here
    return assignments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "course")
    args = parser.parse_args(argv)
    assignments = write_course(args.out)
    print(
        f"nbgrader course in {args.out}: {len(assignments)} assignments "
        f"({', '.join(a.name for a in assignments)}); next steps in book/instructor.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
