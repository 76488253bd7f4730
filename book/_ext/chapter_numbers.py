"""Number exercises, figures and equations per chapter: "Exercise 3.2", "Fig. 3.4", "(8.1)".

Sphinx numbers every enumerable node (figures, tables, code blocks, labelled equations, and
sphinx-exercise's exercises) in one count over the whole book unless the toctree is numbered
with section numbers, which would also number every heading and start the chapters at 1. A
chapter here is a notebook whose file name starts with its number (``notebooks/03_...`` is
chapter 3), read by ``exercise_numbers.chapter_number``, which numbers the editions' exercises
too. After Sphinx has assigned its book-wide numbers (``env-get-updated``, at a later priority
than Sphinx's own toctree collector), each chapter's items of each kind are renumbered ``(N, k)``
in the order Sphinx met them, k restarting at 1. Every place that shows a number reads
it from ``env.toc_fignumbers``: captions, ``{numref}`` references (the instructor guide's table),
sphinx-exercise's titles and "Solution to" links, and equation numbers. Pages that are not
chapters keep Sphinx's numbers.
"""

from __future__ import annotations

from exercise_numbers import chapter_number
from sphinx.application import Sphinx

AFTER_SPHINX = 900
"""Priority of the renumbering: Sphinx's toctree collector listens at the default 500."""


def per_chapter(docname: str, numbers: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """One kind of item of one document, renumbered ``(N, k)`` in document order."""
    chapter = chapter_number(docname)
    if chapter is None:
        return numbers
    in_order = sorted(numbers, key=numbers.__getitem__)
    return {node_id: (chapter, k) for k, node_id in enumerate(in_order, start=1)}


def renumber(app: Sphinx, env) -> list[str]:
    """Replace the book-wide numbers of every chapter by per-chapter ones.

    Returns the documents to write again: all of them when a chapter's numbers changed since the
    last build, since any page may show them through ``{numref}`` (the instructor guide does).
    """
    for docname, kinds in env.toc_fignumbers.items():
        for figtype, numbers in kinds.items():
            kinds[figtype] = per_chapter(docname, numbers)
    chapters = {d: k for d, k in env.toc_fignumbers.items() if chapter_number(d) is not None}
    changed = chapters != getattr(env, "convlib_chapter_numbers", None)
    env.convlib_chapter_numbers = chapters
    return sorted(env.found_docs) if changed else []


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("env-get-updated", renumber, priority=AFTER_SPHINX)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
