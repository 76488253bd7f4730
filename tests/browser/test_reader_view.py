"""What a reader sees of each built page, on a desktop and a phone, in both themes (issue 26).

Each page is opened in headless Chromium, served from 127.0.0.1 with every other request blocked,
at a desktop width (1366 px; light and dark) and on a phone (390 x 844, touch). The tests check:
no page scrolls sideways on the phone; every figure is an SVG or has at least two image pixels per
CSS pixel; no text in a figure, an explorer or an animation player is under 10 CSS px on the
desktop; in the dark theme every explorer and player panel is dark; and axe-core finds no colour
contrast violation in either theme.
"""

from __future__ import annotations

import dataclasses

import pytest
from conftest import block_other_hosts, wait_for_explorers
from test_book_pages import PAGES

MIN_TEXT_PX = 10.0
MIN_DEVICE_PIXELS = 2.0
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Text of figures (SVG files or frames shown by <img>, sized by the image's scale), of explorers
# and of animation players (their own DOM, sized by font-size times any SVG scale), in CSS px.
TEXT_SIZES = """async () => {
  const article = document.querySelector('article.bd-article') || document.body;
  const found = [];
  const visible = (node) => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(node).visibility !== 'hidden';
  };
  const isSvg = (img) => /\\.svg($|\\?)/.test(img.getAttribute('src') || '') ||
                         (img.getAttribute('src') || '').startsWith('data:image/svg+xml');
  for (const img of article.querySelectorAll('img')) {
    if (!visible(img) || !isSvg(img) || img.closest('.bd-header-article')) continue;
    const source = await (await fetch(img.currentSrc || img.src)).text();
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    const root = doc.documentElement;
    const box = (root.getAttribute('viewBox') || '').split(/[\\s,]+/).map(Number);
    const userWidth = box.length === 4 ? box[2] : parseFloat(root.getAttribute('width'));
    const scale = img.getBoundingClientRect().width / userWidth;
    for (const text of doc.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      let node = text, size = null;
      while (node && node.getAttribute && size === null) {
        const style = node.getAttribute('style') || '';
        const match = style.match(/font-size:\\s*([\\d.]+)/) ||
                      style.match(/font:[^;]*?([\\d.]+)px/) ||
                      [null, node.getAttribute('font-size')];
        if (match[1]) size = parseFloat(match[1]);
        node = node.parentNode;
      }
      found.push({where: 'figure ' + (img.getAttribute('alt') || '').slice(0, 50),
                  text: text.textContent.trim().slice(0, 30), px: (size ?? 16) * scale});
    }
  }
  for (const root of article.querySelectorAll('.cl-x, div.animation')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.textContent.trim() || !parent || parent.closest('style, script')) continue;
      if (!visible(parent)) continue;
      let px = parseFloat(getComputedStyle(parent).fontSize);
      const owner = parent.closest('svg');
      if (owner) {
        const matrix = parent.getScreenCTM();
        if (matrix) px *= Math.hypot(matrix.a, matrix.b);
      }
      found.push({where: root.getAttribute('aria-label') || root.className,
                  text: node.textContent.trim().slice(0, 30), px});
    }
  }
  return found;
}"""

FIGURE_PIXELS = """() => [...(document.querySelector('article.bd-article') || document.body)
  .querySelectorAll('img')]
  .filter(img => img.getBoundingClientRect().width > 0 && !img.closest('.bd-header-article'))
  .map(img => {
    const src = img.getAttribute('src') || '';
    return {src: src.slice(0, 60), alt: (img.getAttribute('alt') || '').slice(0, 50),
            svg: /\\.svg($|\\?)/.test(src) || src.startsWith('data:image/svg+xml'),
            ratio: img.naturalWidth / img.getBoundingClientRect().width};
  })"""

# The colour a panel shows: its own background, or the first opaque one of its ancestors.
PANEL_BACKGROUNDS = """() => [...document.querySelectorAll('.cl-x, div.animation')].map(panel => {
  const luminance = (css) => {
    const [r, g, b, a = 1] = css.match(/[\\d.]+/g).map(Number);
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return a < 0.5 ? null : 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const layers = [];
  for (let node = panel; node && node !== document.documentElement; node = node.parentElement) {
    const value = luminance(getComputedStyle(node).backgroundColor);
    if (value !== null) layers.push({node: node.className || node.tagName, value});
  }
  return {panel: panel.getAttribute('aria-label') || panel.className,
          shown: layers.length ? layers[0].value : null,
          lightest: Math.max(...layers.map(l => l.value))};
})"""


@dataclasses.dataclass
class View:
    scroll_width: int
    viewport_width: int
    figures: list[dict]
    text: list[dict]
    panels: list[dict]
    contrast: list[str]


def open_view(browser, book_url: str, page_path: str, options: dict, scheme: str) -> View:
    context = browser.new_context(color_scheme=scheme, **options)
    block_other_hosts(context, book_url)
    page = context.new_page()
    page.goto(f"{book_url}/{page_path}", wait_until="networkidle")
    page.evaluate("() => window.MathJax?.startup?.promise")
    wait_for_explorers(page, timeout=30000)
    page.wait_for_timeout(300)
    desktop = options is DESKTOP
    view = View(
        scroll_width=page.evaluate("() => document.documentElement.scrollWidth"),
        viewport_width=options["viewport"]["width"],
        figures=page.evaluate(FIGURE_PIXELS) if desktop and scheme == "light" else [],
        text=page.evaluate(TEXT_SIZES) if desktop and scheme == "light" else [],
        panels=page.evaluate(PANEL_BACKGROUNDS) if desktop else [],
        contrast=contrast_violations(page) if desktop else [],
    )
    context.close()
    return view


def contrast_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["color-contrast"]})
    return [
        f"{node['target']}: {node.get('failureSummary', '')[:160]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture(scope="session")
def views(browser, book_url):
    cache: dict[tuple[str, str, str], View] = {}

    def get(page_path: str, device: str, scheme: str) -> View:
        key = (page_path, device, scheme)
        if key not in cache:
            options = DESKTOP if device == "desktop" else PHONE
            cache[key] = open_view(browser, book_url, page_path, options, scheme)
        return cache[key]

    return get


@pytest.mark.parametrize("page_path", PAGES)
def test_page_does_not_scroll_sideways_on_a_390_px_phone(views, page_path):
    view = views(page_path, "phone", "light")
    assert view.scroll_width <= view.viewport_width, (
        f"{page_path} is {view.scroll_width} px wide on a {view.viewport_width} px screen"
    )


@pytest.mark.parametrize("page_path", PAGES)
def test_every_figure_is_svg_or_has_two_device_pixels_per_css_pixel(views, page_path):
    figures = views(page_path, "desktop", "light").figures
    blurry = [f for f in figures if not f["svg"] and f["ratio"] < MIN_DEVICE_PIXELS - 0.01]
    assert blurry == []


@pytest.mark.parametrize("page_path", PAGES)
def test_no_text_in_a_figure_explorer_or_player_is_under_10_css_px(views, page_path):
    text = views(page_path, "desktop", "light").text
    small = [t for t in text if t["px"] < MIN_TEXT_PX - 0.05]
    assert small == [], f"{len(small)} of {len(text)} texts under {MIN_TEXT_PX} px: {small[:8]}"


@pytest.mark.parametrize("page_path", PAGES)
def test_explorer_and_player_panels_are_dark_in_the_dark_theme(views, page_path):
    panels = views(page_path, "desktop", "dark").panels
    light = [p for p in panels if p["shown"] is None or p["lightest"] > 0.2]
    assert light == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", PAGES)
def test_axe_finds_no_colour_contrast_violation(views, page_path, scheme):
    assert views(page_path, "desktop", scheme).contrast == []
