"""The explorers are live in JupyterLab 4 too, with a kernel behind them.

A real JupyterLab server starts on 127.0.0.1 (a copy of the notebooks, so nothing is saved into
the repository); headless Chromium opens chapter 1, runs every cell, moves the convolution
explorer's kernel slider with the arrow key (JupyterLab's own shortcuts must not take it) and
checks that the drawing changes and that the kernel's explorer object has the new value.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "01_convolution.ipynb"
SIGNATURE = "root => root.querySelector('.cl-drawing').innerHTML"
KERNEL_SIZE = """
import gc
from convlib.widgets.conv_explorer import ConvExplorer
print(sorted(e.kernel_size for e in gc.get_objects() if isinstance(e, ConvExplorer)))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(folder: Path, root: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 serving ``root``; yields its base URL with the token."""
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("JupyterLab is not installed (pip install -e '.[dev]')")
    port, token = free_port(), secrets.token_hex(16)
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True", "--allow-root", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder, env={**os.environ, **(env or {})},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start: {(folder / 'lab.log').read_text()[-2000:]}")
        yield f"{url}/lab/tree/{{}}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    with jupyterlab(folder, folder / "notebooks") as url:
        yield url.format(CHAPTER)


def test_jupyterlab_runs_the_chapter_and_the_kernel_sees_the_moved_slider(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    host = urlparse(lab).netloc
    outside: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if urlparse(url).netloc in (host, "") or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(lab, wait_until="domcontentloaded")
    kernel = "window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel"
    page.wait_for_function(f"() => {kernel}?.status === 'idle'", timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => document.querySelectorAll('.cl-x').length >= 2", timeout=240_000)
    # the convolution explorer (the chapter's quizzes are .cl-x widgets too)
    explorer = page.locator('.cl-x:has(input[data-trait="kernel_size"])').first
    slider = explorer.locator('input[data-trait="kernel_size"]')
    slider.scroll_into_view_if_needed()
    assert slider.input_value() == "3"
    before = explorer.evaluate(SIGNATURE)
    slider.focus()
    slider.press("ArrowRight")
    assert slider.input_value() == "4"
    assert explorer.evaluate(SIGNATURE) != before
    seen = ""
    for _ in range(60):  # the kernel runs the rest of the chapter first
        seen = page.evaluate(
            """async code => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                let out = '';
                const future = kernel.requestExecute({code});
                future.onIOPub = msg => {
                    if (msg.header.msg_type === 'stream') out += msg.content.text;
                };
                await future.done;
                return out;
            }""",
            KERNEL_SIZE,
        )
        if "4" in seen:
            break
        time.sleep(1)
    context.close()
    assert seen.strip() == "[4]"
    assert errors == [] and outside == []


# --- the student edition, opened as `make lab` opens notebooks (its Jupyter config directory) ---

sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import make_student  # noqa: E402
from exercise_numbers import exercise_numbers  # noqa: E402

# nbgrader's JupyterLab extension adds a menu, a Validate button and a Create Assignment panel
NBGRADER_UI = ("Nbgrader", "Formgrader", "Validate", "Create Assignment", "Assignment List")
# the Markdown of the notebook on show (the chapters opened before stay in the page, hidden)
RENDERED = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell .jp-RenderedMarkdown"


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory) -> Iterator[tuple[str, list[Path]]]:
    """The student notebooks (make student) in JupyterLab with make lab's config directory."""
    folder = tmp_path_factory.mktemp("student-lab")
    paths = make_student.write_notebooks(folder)
    config = folder / "lab-config"
    shutil.copytree(ROOT / "tools" / "lab-config", config)
    with jupyterlab(folder, folder / "notebooks", {"JUPYTER_CONFIG_DIR": str(config)}) as url:
        yield url, paths


def dollar_maths(statement: str) -> int:
    """How many $...$ / $$...$$ formulas a Markdown statement holds (none inside `code`)."""
    text = re.sub(r"`[^`]*`", "", statement)
    return len(re.findall(r"\$\$.+?\$\$|\$[^$\n]+?\$", text, re.S))


def test_student_edition_in_jupyterlab_numbers_exercises_and_renders_their_maths(
    browser, student_lab
):
    """No raw MyST fence or :label: line; headings "Exercise N.k"; every formula typeset."""
    url, paths = student_lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    for path in paths:
        page.goto(url.format(path.name), wait_until="domcontentloaded")
        page.wait_for_selector(RENDERED, timeout=120_000)
        numbers = list(exercise_numbers(ROOT / "notebooks" / path.name).values())
        statements = {
            c.source.splitlines()[0].lstrip("# "): c.source
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "markdown" and re.match(r"#+ Exercise ", c.source)
        }
        headings = page.locator(f"{RENDERED} :is(h2, h3, h4)")
        page.wait_for_function(  # JupyterLab renders the Markdown cells a few at a time
            """([selector, n]) => [...document.querySelectorAll(selector)]
                .filter(h => h.textContent.startsWith("Exercise ")).length >= n""",
            arg=[f"{RENDERED} :is(h2, h3, h4)", len(numbers)],
            timeout=120_000,
        )
        seen = []
        for index in range(headings.count()):
            heading = headings.nth(index)
            title = heading.text_content().replace("\u00b6", "").strip()
            if not title.startswith("Exercise "):
                continue
            heading.evaluate("h => h.scrollIntoView({block: 'center'})")
            seen.append(title.removeprefix("Exercise "))
            cell = heading.locator("xpath=ancestor::div[contains(@class, 'jp-RenderedMarkdown')]")
            formulas = dollar_maths(statements[title])
            if formulas:
                cell.locator("mjx-container").nth(formulas - 1).wait_for(timeout=60_000)
            assert cell.locator("mjx-container").count() == formulas, (path.name, title)
            text = cell.text_content()
            assert "$" not in text and "\\times" not in text, (path.name, title, text[:200])
        assert seen == numbers, path.name
        rendered = "\n".join(page.locator(RENDERED).all_text_contents())
        assert ":label:" not in rendered and "{exercise}" not in rendered, path.name
        assert "{solution-" not in rendered and "{math}" not in rendered, path.name
    menus = page.locator("#jp-MainMenu, .jp-MenuBar").first.inner_text()
    toolbar = page.locator(".jp-NotebookPanel-toolbar").first.inner_text()
    sidebars = " ".join(
        page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(t => (t.title || '') + ' ' + t.innerText)"
        )
    )
    context.close()
    for name in NBGRADER_UI:
        assert name not in menus and name not in toolbar and name not in sidebars, name
