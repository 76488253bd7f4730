"""Make every page work offline: local MathJax, require.js, widget manager, anywidget; no Thebe.

Out of the box a Jupyter Book 1 page loads these from public CDNs, so maths and widgets break
offline, behind a firewall or from a USB stick. ``_config.yml`` points ``mathjax_path`` and
``nb_ipywidgets_js`` at ``_static/vendor/...``; this extension copies the files there from the
npm packages pinned in ``package.json`` / ``package-lock.json`` (installed by ``make``, never
downloaded at build time).

Thebe (live code) is off in this book (`launch_buttons.thebe: false`), yet sphinx-thebe still
declares its configuration script twice on every page, which raises "Identifier 'THEBE_JS_URL'
has already been declared"; its scripts are removed from the pages here.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parents[1] / "node_modules"
WIDGETS = HERE.parents[1] / "convlib" / "widgets"
# Our own glue, copied next to the vendored files: require.js paths and fixes for the widget
# manager, and the script that renders the widgets once the page is parsed.
GLUE = ("widgets_offline.js", "widgets_render.js")
# The book's page styles (figures, players and explorers in both themes, on a phone): _static/.
BOOK_CSS = "convlib_book.css"

# destination under _static/vendor -> (source under node_modules, glob patterns to skip)
ASSETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mathjax": ("mathjax/es5", ("*.map",)),
    "requirejs": ("requirejs", ("bin", "*.md", "package.json")),
    "html-manager": (
        "@jupyter-widgets/html-manager/dist",
        ("*.map", "embed.js", "embed-amd.js"),  # widgets_render.js loads libembed-amd.js
    ),
    # the explorers' runtime (an AMD module, the same file as the anywidget wheel's nbextension);
    # widgets_offline.js maps the require id "anywidget" to it
    "anywidget": ("anywidget/dist", ("types.*",)),
}


def widget_fingerprint() -> str:
    """A hash of the explorers' code and data (every file in convlib/widgets): their ES modules
    and presets travel inside the executed notebooks."""
    digest = hashlib.sha256()
    for path in sorted(WIDGETS.glob("*")):
        if path.is_file() and path.suffix != ".pyc":
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def refresh_stale_cache(app: Sphinx) -> None:
    """Executed notebooks are cached by their code cells only; an explorer's module changed since
    the cache was written would be served stale, so such a cache is dropped (and re-executed)."""
    app.config.convlib_widgets_changed = False
    if not app.config.nb_execution_cache_path:
        return
    cache = Path(app.srcdir) / str(app.config.nb_execution_cache_path)
    stamp, fingerprint = cache / "convlib-widgets.sha256", widget_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return
    if cache.is_dir():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    stamp.write_text(fingerprint)
    app.config.convlib_widgets_changed = True


def reread_notebooks(app: Sphinx, env, added, changed, removed) -> list[str]:
    """With the explorers changed, every notebook is read (executed) again."""
    if not app.config.convlib_widgets_changed:
        return []
    return [doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb")]


def check_sources(app: Sphinx) -> None:
    missing = [src for src, _ in ASSETS.values() if not (NODE_MODULES / src).is_dir()]
    if missing:
        raise ExtensionError(
            f"offline book assets missing from {NODE_MODULES}: {missing}; "
            "install them with `npm ci --ignore-scripts` (make book does it)"
        )


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    vendor = Path(app.outdir) / "_static" / "vendor"
    for destination, (source, skip) in ASSETS.items():
        shutil.copytree(
            NODE_MODULES / source,
            vendor / destination,
            ignore=shutil.ignore_patterns(*skip),
            dirs_exist_ok=True,
        )
    for name in GLUE:
        shutil.copyfile(HERE / name, vendor / name.replace("_", "-"))
    shutil.copyfile(HERE / BOOK_CSS, Path(app.outdir) / "_static" / BOOK_CSS)


def is_thebe_asset(asset) -> bool:
    filename = getattr(asset, "filename", None) or ""
    body = getattr(asset, "attributes", {}).get("body", "") or ""
    return "thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not is_thebe_asset(asset)]


def fix_citation_roles(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Docutils marks bibliography entries ``role="doc-biblioentry"`` (deprecated in ARIA 1.2)
    inside ``role="list"``, which screen readers and axe-core reject; a list holds list items."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", check_sources)
    app.add_config_value("convlib_widgets_changed", False, "")
    app.connect("builder-inited", refresh_stale_cache)
    app.connect("env-get-outdated", reread_notebooks)
    app.connect("html-page-context", drop_thebe)
    app.connect("html-page-context", fix_citation_roles)
    app.connect("build-finished", copy_assets)
    app.add_css_file(BOOK_CSS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
