"""The repository's address lives in one place, ``repository.url`` in ``_config.yml``.

Everything else takes it from there: the book's launch and repository buttons (Jupyter Book reads
the key), ``book/how-to-use.md`` (``{{ repository_url }}``, replaced while the book builds by
``book/_ext/repository_url.py``), and the Colab cell at the top of every chapter, which this
script writes from the configuration. Colab opens a chapter straight from the repository, so
that cell must hold the address itself: ``make book`` (and ``make lab``, ``make student``,
``make course``) run this script first, so a fork changes the one line in ``_config.yml`` and
the next build rewrites the cells (commit them). ``tests/test_repository_url.py`` fails if any
other file writes the address.

Usage: ``python tools/repository.py [--check]`` (``--check`` changes nothing and exits 1 when a
Colab cell is out of date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
COLAB_CELL = """\
# On Colab, install convlib from the repository first; Binder and local installs
# already have it. The address is the repository of _config.yml.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "convlib @ git+{url}"
"""


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The address under ``repository: url:`` in the book's configuration."""
    url = (yaml.safe_load(config.read_text()).get("repository") or {}).get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise ValueError(
            f"repository.url in {config.name} must be an https:// address; received url={url!r}"
        )
    return url.rstrip("/")


def colab_cell_source(url: str) -> str:
    """The source of a chapter's Colab cell for the repository at ``url``."""
    return COLAB_CELL.format(url=url).rstrip("\n")


def colab_cell_index(notebook: nbformat.NotebookNode | dict) -> int | None:
    """Where a chapter's Colab cell is: the first code cell that mentions ``google.colab``."""
    for index, cell in enumerate(notebook["cells"]):
        if cell.cell_type == "code" and "google.colab" in cell.source:
            return index
    return None


def out_of_date(paths: list[Path], url: str, *, write: bool) -> list[Path]:
    """The notebooks whose Colab cell is not the one for ``url`` (rewritten when ``write``)."""
    stale = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        index = colab_cell_index(notebook)
        if index is None:
            raise ValueError(f"{path.name} has no Colab cell (a code cell naming google.colab)")
        if notebook.cells[index].source != colab_cell_source(url):
            stale.append(path)
            if write:
                notebook.cells[index].source = colab_cell_source(url)
                nbformat.write(notebook, path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    url = repository_url()
    stale = out_of_date(sorted((ROOT / "notebooks").glob("*.ipynb")), url, write=not args.check)
    for path in stale:
        verb = "is out of date" if args.check else "rewritten"
        print(f"{path.relative_to(ROOT)}: Colab cell {verb} ({url})")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
