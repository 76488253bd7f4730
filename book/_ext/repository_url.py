"""Write the repository's address into the pages from ``_config.yml``'s ``repository.url``.

A page writes ``{{ repository_url }}`` where the address goes (code blocks included); it is
replaced as the page is read, before MyST parses it. Jupyter Book passes ``repository.url`` to
Sphinx as the theme option ``repository_url``, the value the launch buttons use, so a fork
changes that one line (``tools/repository.py`` explains where else the address comes from).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

PLACEHOLDER = "{{ repository_url }}"


def repository_url(app: Sphinx) -> str:
    """The theme's ``repository_url``, else ``repository.url`` of the book's ``_config.yml``.

    (A book whose ``sphinx.config`` sets ``html_theme_options``, as the student edition's does,
    replaces the theme options Jupyter Book derived from ``repository:``.)
    """
    url = (app.config.html_theme_options or {}).get("repository_url")
    if not url and (Path(app.srcdir) / "_config.yml").is_file():
        config = yaml.safe_load((Path(app.srcdir) / "_config.yml").read_text())
        url = (config.get("repository") or {}).get("url")
    if not url:
        raise ExtensionError("repository.url is not set in _config.yml")
    return url.rstrip("/")


def fill_in(app: Sphinx, docname: str, source: list[str]) -> None:
    if PLACEHOLDER in source[0]:
        source[0] = source[0].replace(PLACEHOLDER, repository_url(app))


def setup(app: Sphinx) -> dict:
    app.connect("source-read", fill_in)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
