"""Every chapter follows the book's conventions (see the README's Contribute section)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    assert [f"notebooks/{p.stem}" for p in CHAPTERS] == re.findall(r"file: (notebooks/\S+)", toc)


def test_colab_install_cell_uses_the_configured_repository(chapter):
    _, notebook = chapter
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    setup = notebook.cells[1]
    assert "google.colab" in setup.source and f"git+{url}" in setup.source
    assert "remove-cell" in setup.metadata["tags"]


def test_chapter_structure(chapter):
    path, notebook = chapter
    text = "\n".join(c.source for c in notebook.cells)
    assert notebook.cells[0].source.startswith("# "), "one title first"
    assert "After this chapter you can" in notebook.cells[0].source
    for required in (
        "## Summary",
        "## Common pitfalls",
        "## In PyTorch and Keras",
        "## Exercises",
        "{cite",
    ):
        assert required in text, f"{path.name} lacks {required}"
    assert len(re.findall(r"```\{exercise\}", text)) in range(3, 7)
    assert text.count("### BEGIN SOLUTION") >= 3
    assert "widgets." in text and "assert " in text and "sample_image" in text


def test_figures_have_captions_and_alt_text(chapter):
    path, notebook = chapter
    for cell in notebook.cells:
        if "hide-input" in cell.metadata.get("tags", []):
            mystnb = cell.metadata.get("mystnb", {})
            assert mystnb.get("figure", {}).get("caption") and mystnb.get("image", {}).get("alt"), (
                path.name,
                cell.source[:60],
            )


def test_notebooks_import_and_never_redefine_convlib(chapter):
    path, notebook = chapter
    defined = {  # exercise stubs (nbgrader answer cells) are the students' own versions
        name
        for cell in notebook.cells
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata
        for name in re.findall(r"^def (\w+)", cell.source, re.M)
    }
    import convlib

    assert not defined & set(convlib.__all__), (
        f"{path.name} redefines {defined & set(convlib.__all__)}"
    )


def test_solution_prose_is_an_nbgrader_solution_cell(chapter):
    """nbgrader clears only cells it knows as solutions: written solution prose must be one
    (else generate_assignment releases it to the students)."""
    path, notebook = chapter
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or "solution" not in cell.metadata.get("tags", []):
            continue
        if re.match(r"^```\{solution-(start|end)\}", cell.source.strip()):
            continue
        assert cell.metadata.get("nbgrader", {}).get("solution") is True, (path.name, cell.id)
