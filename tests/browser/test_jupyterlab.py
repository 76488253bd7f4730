"""The explorers are live in JupyterLab 4 too, with a kernel behind them.

A real JupyterLab server starts on 127.0.0.1 (a copy of the notebooks, so nothing is saved into
the repository); headless Chromium opens chapter 1, runs every cell, moves the convolution
explorer's kernel slider with the arrow key (JupyterLab's own shortcuts must not take it) and
checks that the drawing changes and that the kernel's explorer object has the new value.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

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


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("JupyterLab is not installed (pip install -e '.[dev]')")
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    port, token = free_port(), secrets.token_hex(16)
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder / 'notebooks'}",
            "--LabApp.expose_app_in_browser=True", "--allow-root", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder,
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
        yield f"{url}/lab/tree/{CHAPTER}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


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
    explorer = page.locator(".cl-x").first
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
