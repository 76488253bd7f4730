"""Latency of the explorers in the browser: from a slider's input event to a drawing ready to
paint, per explorer of the built book (headless Chromium, offline, as a reader opens it).

Each explorer's heaviest control is moved back and forth; one sample is the time from
dispatching the ``input`` (or ``change``) event to the end of the forced style and layout of the
redrawn explorer (the module redraws synchronously in the handler), and, separately, to the next
animation frame; a hover case times a mouseover on an output cell (lighting, and in the
convolution explorer the written-out sum) the same way. Target: median <= 16 ms (one frame at
60 Hz), worst <= 50 ms. Also prints each page's weight as loaded: its own files (HTML, images,
widget state) and the shared ``_static`` files, budget 3 MB of its own. Needs ``make book``
first (or ``--html`` pointing at another build).
Run: ``python benchmarks/bench_widgets.py [--repeats N] [--html DIR]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, block_other_hosts, find_chromium, serve  # noqa: E402

HTML = ROOT / "_build" / "html"
# page, explorer index on the page, control (data-trait), the values it alternates between
CASES = [
    ("notebooks/01_convolution.html", 0, "input_size", [7, 12]),
    ("notebooks/01_convolution.html", 0, "kernel_size", [3, 5]),
    ("notebooks/01_convolution.html", 0, "input_values", [0, 1]),
    ("notebooks/01_convolution.html", 0, "hover", [0, 5]),
    ("notebooks/01_convolution.html", 1, "dilation", [1, 2]),
    ("notebooks/02_dilated.html", 0, "layers", ["3,1,1; 3,1,2; 3,1,4; 3,1,8", "3,1,2; 3,1,2"]),
    ("notebooks/03_transposed.html", 0, "input_size", [4, 12]),
    ("notebooks/03_transposed.html", 0, "hover", [0, 7]),
    ("notebooks/04_separable.html", 0, "in_channels", [4, 12]),  # volume explorer, separable
    ("notebooks/04_separable.html", 0, "hover", [0, 37]),
    ("notebooks/04_separable.html", 1, "kernel_size", [3, 7]),
    ("notebooks/05_grouped.html", 0, "size", [32, 64]),
    ("notebooks/05_grouped.html", 1, "groups", [1, 2]),  # volume: slider positions of groups 2, 4
    ("notebooks/05_grouped.html", 1, "in_channels", [4, 12]),
    ("notebooks/05_grouped.html", 1, "hover", [0, 21]),
    ("notebooks/07_pooling.html", 0, "size", [3, 6]),  # volume explorer, pixel shuffle
    ("notebooks/07_pooling.html", 0, "hover", [0, 40]),
    ("notebooks/07_pooling.html", 1, "input_size", [6, 8]),  # pooling explorer
    ("notebooks/07_pooling.html", 1, "mode", [0, 1]),
    ("notebooks/07_pooling.html", 1, "hover", [0, 5]),
    ("notebooks/08_computing.html", 0, "input_size", [5, 6]),  # im2col explorer
    ("notebooks/08_computing.html", 0, "kernel_size", [3, 4]),
]  # fmt: skip
# (a hover case's values index the explorer's output cells, in page order: the convolution
# explorer's rect.out, the pooling explorer's g.cl-c.out, the volume explorer's polygon.v.o)

EXPLORERS = '.cl-x:not([aria-label^="Predict, then check"])'  # the explorers, not the quizzes
MEASURE = """async ([index, trait, values, repeats]) => {
  const EXPLORERS = '.cl-x:not([aria-label^="Predict, then check"])';
  const root = document.querySelectorAll(EXPLORERS)[index];
  const hover = trait === 'hover';  // values: two output cells
  const control = hover ? null : root.querySelector(`[data-trait="${trait}"]`);
  const event = hover ? 'mouseover' : control.type === 'range' ? 'input' : 'change';
  const work = [], frame = [];
  for (let i = 0; i < repeats; i += 1) {
    const t0 = performance.now();
    if (hover) {
      const cells = root.querySelectorAll('rect.out, g.cl-c.out, polygon.v.o');
      const cell = cells[values[(i + 1) % 2] % cells.length];
      cell.dispatchEvent(new MouseEvent(event, {bubbles: true}));
    } else {
      control.value = String(values[(i + 1) % 2]);  // the first value is the initial one
      control.dispatchEvent(new Event(event, {bubbles: true}));
    }
    root.getBoundingClientRect();
    void document.body.offsetHeight;
    const t1 = performance.now();
    await new Promise(resolve => requestAnimationFrame(() => resolve()));
    work.push(t1 - t0);
    frame.push(performance.now() - t0);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  return {work, frame, label: root.getAttribute('aria-label')};
}"""


def measure(repeats: int, html: Path) -> tuple[list, dict]:
    """The latency samples per case, and each page's loaded bytes: {page: [own, shared]}."""
    from playwright.sync_api import sync_playwright

    server, base = serve(html)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        block_other_hosts(context, base)
        page = context.new_page()
        loaded: dict[str, int] = {}

        def count(response):
            if response.url.startswith(base) and response.ok:
                try:
                    loaded[response.url] = len(response.body())
                except Exception:  # (a response still arriving when the browser closes)
                    pass

        page.on("response", count)
        weights: dict[str, list[int]] = {}
        current = None
        for path, index, trait, values in CASES:
            if path != current:
                loaded.clear()
                page.goto(f"{base}/{path}", wait_until="networkidle")
                page.wait_for_function(
                    "([selector, index]) => document.querySelectorAll(selector).length > index",
                    arg=[EXPLORERS, index],
                )
                current = path
                page.wait_for_timeout(300)
                weights[path] = [
                    sum(size for url, size in loaded.items() if "/_static/" not in url),
                    sum(size for url, size in loaded.items() if "/_static/" in url),
                ]
            out = page.evaluate(MEASURE, [index, trait, values, repeats])
            results.append((f"{Path(path).stem}: {out['label']}", trait, out["work"], out["frame"]))
        browser.close()
    server.shutdown()
    return results, weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--html", type=Path, default=HTML, help="the built book's HTML folder")
    args = parser.parse_args()
    if not (args.html / "index.html").exists():
        sys.exit("no built book: run `make book` first")
    results, weights = measure(args.repeats, args.html)
    print(
        f"{'explorer':44s} {'control':12s} {'median ms':>9s} {'min':>6s} {'max':>7s} "
        f"{'frame med':>9s} {'frame max':>9s}"
    )
    for name, trait, work, frame in results:
        verdict = "ok" if statistics.median(frame) <= 16 and max(frame) <= 50 else "SLOW"
        print(
            f"{name[:44]:44s} {trait:12s} {statistics.median(work):9.2f} {min(work):6.2f} "
            f"{max(work):7.2f} {statistics.median(frame):9.2f} {max(frame):9.2f} {verdict}"
        )
    print("(work: input to laid-out drawing; frame: to the next animation frame, target median")
    print(" <= 16 ms and worst <= 50 ms; min: the cost without other processes' interference)")
    print(f"\n{'page weight as loaded':44s} {'own KB':>9s} {'_static KB':>11s}  (own <= 3 MB)")
    for path, (own, shared) in weights.items():
        verdict = "ok" if own <= 3 << 20 else "HEAVY"
        print(f"{path:44s} {own / 1024:9.0f} {shared / 1024:11.0f}  {verdict}")


if __name__ == "__main__":
    main()
