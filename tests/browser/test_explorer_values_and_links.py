"""The explorers in the built book (headless Chromium, requests off 127.0.0.1 blocked), issue 28:
the convolution explorer shows numbers (inputs, weights, outputs) and writes out the sum of
products of a hovered output cell, which adds up to that cell; every control of every explorer
writes the page URL, and opening that URL again restores the control; the Copy button copies the
PyTorch call. Run with ``make test-browser`` after ``make book``.
"""

from __future__ import annotations

import re

import pytest

# pages with explorers, and the number of explorers each shows at least
PAGES = {
    "notebooks/01_convolution.html": 2,
    "notebooks/02_dilated.html": 1,
    "notebooks/03_transposed.html": 1,
    "notebooks/04_separable.html": 1,
    "notebooks/05_grouped.html": 1,
    "notebooks/07_pooling.html": 1,
    "notebooks/08_computing.html": 1,
}
EXPLORERS = '.cl-x:not([aria-label^="Predict, then check"])'  # (not the quizzes)
CONV = '.cl-x[aria-label="Convolution explorer"]'
CONTROLS = ".cl-controls :is(input, select)"
# the value a control shows: a slider's number (its range may lag in an impossible setting)
SHOWN = """node => node.type === 'range' ? node.parentElement.querySelector('output').textContent
    : node.value"""


NUMBER = r"\(?\u2212?\d+\)?"


def number(text: str) -> int:
    return int(text.replace("\u2212", "-").strip("()"))


def products(sum_text: str) -> tuple[list[tuple[int, int]], int]:
    """The products a written-out sum lists ('y[1, 0] = 0·(−1) + 5·1 = 5') and its total."""
    body = sum_text.split("] = ", 1)[1]
    terms, total = body.rsplit(" = ", 1)
    terms = re.sub(r"\(x\[[^\]]*\]\u00b7w\[[^\]]*\]\)", "", terms)  # transposed: the cells named
    pairs = re.findall(rf"({NUMBER})\u00b7({NUMBER})", terms)
    return [(number(a), number(b)) for a, b in pairs], number(total)


@pytest.mark.parametrize(
    "path,explorer", [("notebooks/01_convolution.html", 0), ("notebooks/03_transposed.html", 0)]
)
def test_the_conv_explorer_shows_values_and_each_output_cells_sum_adds_up(
    open_page, path, explorer
):
    page, errors, outside = open_page(path)
    root = page.locator(CONV).nth(explorer)
    if path.startswith("notebooks/03"):  # chapter 3 opens it in transposed mode
        assert (
            root.locator('select[data-trait="mode"]').evaluate(
                "s => s.options[s.selectedIndex].text"
            )
            == "transposed"
        )
    inputs = root.locator("text.val.in")
    outputs = root.locator("text.val.out")
    weights = root.locator("figure text.val.w")
    k = int(root.locator('input[data-trait="kernel_size"]').input_value())
    assert inputs.count() > 0 and outputs.count() == root.locator("rect.out").count()
    assert weights.count() in (k, k * k)
    for texts in (inputs, outputs, weights):
        shown = texts.evaluate_all("nodes => nodes.map(node => node.textContent)")
        assert all(re.fullmatch(r"\u2212?\d+", t) for t in shown), shown
    cells = root.locator("rect.out")
    checked = 0
    for flat in range(cells.count()):
        cells.nth(flat).hover()
        sum_text = root.locator(".cl-sum p").inner_text()
        value = number(root.locator(f'text.val.out[data-flat="{flat}"]').text_content())
        assert sum_text.startswith("y["), sum_text
        pairs, total = products(sum_text)
        if not pairs:
            assert value == 0 and "no input cell scatters" in sum_text
            continue
        assert total == value == sum(a * b for a, b in pairs), sum_text
        checked += 1
    assert checked >= 4
    # focusing a cell with the keyboard writes its sum too
    cells.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert root.locator(".cl-sum p").inner_text().startswith("y[0, 1] = ")
    assert errors == [] and outside == []


def move(control) -> str | None:
    """Move a control to another value, as a reader would; return the value shown, or None
    if it has only one."""
    tag = control.evaluate("node => node.tagName.toLowerCase() + ':' + (node.type || '')")
    if tag == "input:range":
        low, high = int(control.get_attribute("min")), int(control.get_attribute("max"))
        if low == high:
            return None
        control.focus()
        start = control.input_value()
        control.press("ArrowRight")
        if control.input_value() == start:
            control.press("ArrowLeft")
        return control.input_value()
    if tag.startswith("select"):
        current = control.input_value()
        values = control.locator("option").evaluate_all("os => os.map(o => o.value)")
        others = [v for v in values if v not in (current, "")]
        if not others:
            return None
        control.select_option(value=others[-1])
        return control.input_value()
    control.fill("3,1,1; 3,2,1")
    control.press("Enter")
    return control.input_value()


@pytest.mark.parametrize("path", PAGES)
def test_every_control_writes_the_url_and_reloading_it_restores_the_control(open_page, path):
    page, errors, outside = open_page(path)
    count = page.locator(EXPLORERS).count()
    assert count >= PAGES[path]
    moved = []
    for e in range(count):
        root = page.locator(EXPLORERS).nth(e)
        for c in range(root.locator(CONTROLS).count()):
            control = root.locator(CONTROLS).nth(c)
            if not control.is_visible():
                continue
            name = control.get_attribute("data-trait")
            before = page.url
            value = move(control)
            if value is None:
                continue
            assert page.url != before, f"explorer {e} {name}: the URL did not change"
            if name != "preset":  # a preset fills the layers control, which is checked
                moved.append((e, c, name, value))
    assert moved
    url = page.url
    assert "#" in url
    before = {
        (e, c): page.locator(EXPLORERS).nth(e).locator(CONTROLS).nth(c).evaluate(SHOWN)
        for e, c, *_ in moved
    }
    # the link opened afresh, as a reader who is sent it does
    again, errors_again, _ = open_page(url.split("/", 3)[3])
    after = {
        (e, c): again.locator(EXPLORERS).nth(e).locator(CONTROLS).nth(c).evaluate(SHOWN)
        for e, c, *_ in moved
    }
    lost = [(e, name) for e, c, name, _ in moved if after[(e, c)] != before[(e, c)]]
    assert lost == [], f"not restored from {url}: {lost}"
    assert errors == [] and errors_again == [] and outside == []


def test_a_bad_value_in_the_url_shows_the_explorers_message(open_page):
    page, errors, _ = open_page("notebooks/01_convolution.html#conv.stride=0&image.padding=bogus")
    conv = page.locator(CONV).nth(0)
    photo = page.locator('.cl-x[aria-label="Filter the photograph"]')
    message = "stride must be a positive int; received stride=0"
    assert conv.locator(".cl-error").inner_text().endswith(message)
    assert photo.locator(".cl-error").inner_text().endswith("received padding='bogus'")
    page, more, _ = open_page("notebooks/01_convolution.html#conv.input_values=%ZZ")
    conv = page.locator(CONV).nth(0)
    assert conv.locator(".cl-error").inner_text().endswith("received input_values='%ZZ'")
    assert errors == [] and more == []


def test_the_copy_button_copies_the_pytorch_call(open_page):
    page, errors, _ = open_page(
        "notebooks/01_convolution.html", permissions=["clipboard-read", "clipboard-write"]
    )
    line = page.locator(CONV).nth(0).locator("div:has(> b:text-is('PyTorch:'))")
    code = line.locator("code").inner_text()
    assert code.startswith("nn.Conv2d(")
    line.locator("button.cl-copy").click()
    page.wait_for_function("() => document.querySelector('button.cl-copy').textContent !== 'Copy'")
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    assert line.locator("button.cl-copy").inner_text() == "Copied"
    assert errors == []


def test_the_conv_explorer_fits_a_phone_in_the_dark(open_page):
    page, errors, _ = open_page("notebooks/01_convolution.html", color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    root = page.locator(CONV).nth(0)
    root.scroll_into_view_if_needed()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    colours = root.evaluate(
        """root => [getComputedStyle(root).color,
                   getComputedStyle(root.querySelector('text.val.in:not(.lit):not(.cur)')).fill,
                   getComputedStyle(root.querySelector('.cl-sum p')).color]"""
    )
    assert colours[0] == colours[1] == colours[2] == "rgb(236, 236, 236)"  # the dark --cl-fg
    assert errors == []
