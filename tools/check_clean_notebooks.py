"""Fail when a notebook is committed with outputs; ``--fix`` strips them in place.

Notebooks are committed without outputs (the book and the tests execute them), so a
diff shows only what an author wrote.  Usage::

    python tools/check_clean_notebooks.py notebooks          # check, exit 1 if dirty
    python tools/check_clean_notebooks.py --fix notebooks    # strip outputs in place
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

# Metadata that records a run rather than what an author wrote.
RUN_METADATA = ("widgets", "execution")


def dirty_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that carry outputs or an execution count."""
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def strip(notebook: nbformat.NotebookNode) -> None:
    """Remove outputs, execution counts and run metadata in place."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
    for key in RUN_METADATA:
        notebook.metadata.pop(key, None)


def notebook_paths(roots: list[str]) -> list[Path]:
    paths: list[Path] = []
    for root in map(Path, roots):
        found = [root] if root.suffix == ".ipynb" else sorted(root.rglob("*.ipynb"))
        paths += [p for p in found if ".ipynb_checkpoints" not in p.parts]
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks or folders holding notebooks")
    parser.add_argument("--fix", action="store_true", help="strip outputs in place")
    args = parser.parse_args(argv)

    paths = notebook_paths(args.paths)
    dirty: list[str] = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        cells = dirty_cells(notebook)
        has_run_metadata = any(key in notebook.metadata for key in RUN_METADATA)
        if not cells and not has_run_metadata:
            continue
        if args.fix:
            strip(notebook)
            nbformat.write(notebook, path)
            print(f"stripped outputs from {path}")
        else:
            where = f"cells {cells}" if cells else "notebook metadata (widget state)"
            dirty.append(f"  {path}: outputs in {where}")
    if dirty:
        print("Notebooks must be committed without outputs:", file=sys.stderr)
        print("\n".join(dirty), file=sys.stderr)
        print(
            "Clean them with `make clean-notebooks` (or "
            "`python tools/check_clean_notebooks.py --fix <notebook>`), then commit again.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(paths)} notebooks checked: no outputs committed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
