"""Every page of the built book works in a real browser with the network cut off.

Each page is opened once per colour scheme (light, dark) in headless Chromium; requests to any
host but the local server are blocked. The tests then check what a reader would notice: console
errors, maths left raw, animations that do not play, widgets without their picture, explorers
that do not redraw when a control moves (each control is moved with the keyboard or picked, as a
reader would), images without alt text, and serious accessibility problems (axe-core).
Full-page screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from conftest import block_other_hosts, wait_for_explorers

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ("light", "dark")
RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|(?<![\w$])\$[^$\s][^$]*\$(?!\w)")
IGNORED_AXE_IMPACTS = {"minor", "moderate"}


def toc_pages() -> list[str]:
    """The HTML pages of `_toc.yml`, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return [str(Path(f).with_suffix(".html")) for f in files]


PAGES = toc_pages()


@dataclasses.dataclass
class PageReport:
    console_errors: list[str]
    outside_requests: list[str]
    raw_math: list[str]
    math_nodes: int
    animations: list[dict]
    widget_views: int
    widget_images: list[dict]
    explorers: int
    explorer_controls: list[dict]
    images_without_alt: list[str]
    axe_violations: list[str]
    screenshot: Path


def visit(browser, book_url: str, page_path: str, scheme: str, screenshot_dir: Path) -> PageReport:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    outside = block_other_hosts(context, book_url)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
    page.on(
        "response",
        lambda r: console_errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{book_url}/{page_path}", wait_until="networkidle")
    page.evaluate("() => window.MathJax?.startup?.promise")
    # the explorers' modules load from Blob URLs after the page
    widget_views = wait_for_explorers(page)
    page.wait_for_timeout(300)
    explorers = page.locator(".cl-x").count()
    explorer_controls = [  # every control once (light scheme); the dark page only renders
        move_control(page, e, c)
        for e in range(explorers if scheme == "light" else 0)
        for c in range(page.locator(".cl-x").nth(e).locator(CONTROLS).count())
    ]

    # the prose, without code blocks: a shell variable such as $PWD in a code block is not maths
    text = page.evaluate(
        """() => {
            const root = document.querySelector('article') || document.body;
            const code = [...root.querySelectorAll('pre, code')];
            const shown = code.map(node => node.style.display);
            code.forEach(node => { node.style.display = 'none'; });
            const text = root.innerText;
            code.forEach((node, i) => { node.style.display = shown[i]; });
            return text;
        }"""
    )
    raw_math = [m.group(0)[:40] for m in RAW_MATH.finditer(text)]
    math_nodes = page.locator("mjx-container").count()
    animations = [check_animation(page, i) for i in range(page.locator("div.animation").count())]
    widget_images = page.evaluate(
        """() => [...document.querySelectorAll('.cl-x .cl-drawing :is(svg, canvas)')]
               // a figure, not a decoration such as the photo explorer's colour bar
               .filter(node => !node.parentElement.closest('svg') &&
                               node.getAttribute('aria-hidden') !== 'true').map(node => ({
               visible: node.getBoundingClientRect().width > 50 &&
                        node.getBoundingClientRect().height > 50,
               loaded: true}))"""
    )
    images_without_alt = page.evaluate(
        """() => [...document.querySelectorAll('img')]
               .filter(img => !img.hasAttribute('alt') ||
                              (img.getAttribute('alt').trim() === '' && !img.closest('a')))
               .map(img => (img.getAttribute('src') || '').slice(0, 60))"""
    )
    # axe-core fetches style sheets itself (resolving @import against the page, not the sheet):
    # what it loads is not the reader's page, so the page's own errors are taken before it runs.
    page_errors, page_outside = list(console_errors), list(outside)
    axe_violations = run_axe(page)
    shot = screenshot_dir / f"{page_path.replace('/', '__').removesuffix('.html')}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return PageReport(
        page_errors,
        page_outside,
        raw_math,
        math_nodes,
        animations,
        widget_views,
        widget_images,
        explorers,
        explorer_controls,
        images_without_alt,
        axe_violations,
        shot,
    )


CONTROLS = ".cl-controls :is(input, select, button)"
SIGNATURE = """root => root.querySelector('.cl-drawing').innerHTML + root.querySelector('.cl-text')
    .innerHTML + [...root.querySelectorAll('canvas')].map(c => c.toDataURL()).join()"""


def move_control(page, explorer: int, index: int) -> dict:
    """Move one control of an explorer as a reader would (arrow keys on a slider, another option
    of a list, new text, the play button), report whether its drawing or text changed, and move
    it back (so each control starts from the explorer's initial setting)."""
    root = page.locator(".cl-x").nth(explorer)
    control = root.locator(CONTROLS).nth(index)
    name = control.get_attribute("data-trait") or (control.text_content() or "").strip()
    if not control.is_visible():
        return {"explorer": explorer, "control": name, "redrawn": True, "hidden": True}
    control.scroll_into_view_if_needed()
    before = root.evaluate(SIGNATURE)
    tag = control.evaluate("node => node.tagName.toLowerCase() + ':' + (node.type || '')")
    if tag == "input:range":
        control.focus()
        start = control.input_value()
        keys = ("ArrowRight", "ArrowLeft")
        control.press(keys[0])
        if control.input_value() == start:
            keys = keys[::-1]
            control.press(keys[0])
        redrawn = root.evaluate(SIGNATURE) != before
        control.press(keys[1])
    elif tag.startswith("select"):
        options = control.locator("option")
        current = control.input_value()
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        control.select_option(value=next(v for v in reversed(values) if v not in (current, "")))
        redrawn = root.evaluate(SIGNATURE) != before
        if current:
            control.select_option(value=current)
    elif tag == "input:text":
        current = control.input_value()
        control.fill("3,1,1; 3,2,1")
        control.press("Enter")
        redrawn = root.evaluate(SIGNATURE) != before
        control.fill(current)
        control.press("Enter")
    else:  # the play button steps the output position, then pauses
        control.click()
        page.wait_for_timeout(900)
        control.click()
        redrawn = root.evaluate(SIGNATURE) != before
    return {"explorer": explorer, "control": name, "redrawn": redrawn}


def check_animation(page, index: int) -> dict:
    """Press an animation's 'Next frame' and 'Play' buttons; report whether the frame moved."""
    animation = page.locator("div.animation").nth(index)
    animation.scroll_into_view_if_needed()
    slider = animation.locator("input.anim-slider")
    image = animation.locator("img").first
    start_frame, start_src = slider.input_value(), image.get_attribute("src")
    animation.locator('button[title="Next frame"]').click()
    stepped = slider.input_value() != start_frame and image.get_attribute("src") != start_src
    animation.locator('button[title="Play"]').click()
    page.wait_for_timeout(600)
    played = slider.input_value() not in (start_frame,)
    animation.locator('button[title="Pause"]').click()
    frames = slider.get_attribute("max")
    return {"index": index, "stepped": stepped, "played": played, "frames": frames}


def run_axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} nodes"
        for v in results.response["violations"]
        if v.get("impact") not in IGNORED_AXE_IMPACTS
    ]


@pytest.fixture(scope="session")
def reports(browser, book_url, screenshot_dir):
    cache: dict[tuple[str, str], PageReport] = {}

    def get(page_path: str, scheme: str) -> PageReport:
        key = (page_path, scheme)
        if key not in cache:
            cache[key] = visit(browser, book_url, page_path, scheme, screenshot_dir)
        return cache[key]

    return get


pages_and_schemes = pytest.mark.parametrize(
    "page_path,scheme", [(p, s) for p in PAGES for s in SCHEMES]
)


@pages_and_schemes
def test_page_has_no_console_errors(reports, page_path, scheme):
    assert reports(page_path, scheme).console_errors == []


@pages_and_schemes
def test_page_requests_nothing_from_other_hosts(reports, page_path, scheme):
    assert reports(page_path, scheme).outside_requests == []


@pages_and_schemes
def test_page_maths_is_rendered(reports, page_path, scheme):
    report = reports(page_path, scheme)
    assert report.raw_math == [], f"unrendered maths on {page_path}: {report.raw_math}"


@pages_and_schemes
def test_page_animations_advance(reports, page_path, scheme):
    stuck = [a for a in reports(page_path, scheme).animations if not (a["stepped"] and a["played"])]
    assert stuck == []


@pages_and_schemes
def test_page_widgets_show_their_static_figure(reports, page_path, scheme):
    report = reports(page_path, scheme)
    if report.widget_views:
        assert report.widget_images, f"{page_path}: widgets rendered without any figure"
    hidden = [img for img in report.widget_images if not (img["visible"] and img["loaded"])]
    assert hidden == []


@pages_and_schemes
def test_every_explorer_renders_and_redraws_when_any_control_moves(reports, page_path, scheme):
    report = reports(page_path, scheme)
    assert report.explorers == report.widget_views, "a widget output did not render"
    stuck = [c for c in report.explorer_controls if not c["redrawn"]]
    assert stuck == []
    if report.explorers and scheme == "light":
        assert [c for c in report.explorer_controls if not c.get("hidden")]


@pages_and_schemes
def test_page_images_have_alt_text(reports, page_path, scheme):
    assert reports(page_path, scheme).images_without_alt == []


@pages_and_schemes
def test_page_has_no_serious_accessibility_violations(reports, page_path, scheme):
    assert reports(page_path, scheme).axe_violations == []
