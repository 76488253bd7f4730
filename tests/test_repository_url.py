"""The repository's address is written once, in _config.yml: a fork changes one line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import repository  # noqa: E402
import repository_url  # noqa: E402

URL = repository.repository_url()
OWNER_REPOSITORY = URL.split("github.com/", 1)[1]
# the address in any of its forms: the page, a git+ URL, Binder's gh/owner/repo, Colab's github/...
ADDRESS = re.compile(rf"(github\.com|/gh|/github)/{re.escape(OWNER_REPOSITORY)}\b")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    files = []
    for name in filter(None, names):
        path = ROOT / name.decode()
        if path.is_file() and b"\0" not in path.read_bytes()[:4096]:
            files.append(path)
    return files


def test_no_tracked_file_but_the_config_writes_the_address():
    """The chapters' Colab cells are the one exception: tools/repository.py writes them."""
    writers = []
    for path in tracked_text_files():
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
            index = repository.colab_cell_index(notebook)
            if index is not None and notebook.cells[index].source == repository.colab_cell_source(
                URL
            ):
                notebook.cells[index].source = ""
            text = "\n".join(c.source for c in notebook.cells)
        if ADDRESS.search(text):
            writers.append(str(path.relative_to(ROOT)))
    assert writers == ["_config.yml"]


def test_every_colab_cell_is_the_one_written_from_the_config():
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert repository.out_of_date(chapters, URL, write=False) == []


def test_a_fork_changes_one_line_and_the_build_follows(tmp_path):
    fork = "https://github.com/someone/fork-of-convlib"
    config = tmp_path / "_config.yml"
    config.write_text((ROOT / "_config.yml").read_text().replace(URL, fork))
    assert repository.repository_url(config) == fork
    chapter = tmp_path / "01_convolution.ipynb"
    shutil.copy(ROOT / "notebooks" / chapter.name, chapter)
    assert repository.out_of_date([chapter], fork, write=True) == [chapter]
    assert repository.out_of_date([chapter], fork, write=False) == []
    cells = nbformat.read(chapter, as_version=4).cells
    assert f'"convlib @ git+{fork}"' in cells[repository.colab_cell_index({"cells": cells})].source
    # the pages: the extension fills in the address the launch buttons use
    app = SimpleNamespace(config=SimpleNamespace(html_theme_options={"repository_url": fork}))
    # a book that sets its own theme options (the student edition) reads _config.yml
    without = SimpleNamespace(config=SimpleNamespace(html_theme_options={}), srcdir=tmp_path)
    assert repository_url.repository_url(without) == fork
    page = [(ROOT / "book" / "how-to-use.md").read_text()]
    assert repository_url.PLACEHOLDER in page[0]
    repository_url.fill_in(app, "book/how-to-use", page)
    assert f"git clone {fork}\n" in page[0] and repository_url.PLACEHOLDER not in page[0]


def test_a_config_without_an_https_address_is_refused(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: convlib/convlib\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository.repository_url(config)
