"""Page load of the built book as a reader meets it: per chapter page served from 127.0.0.1, the
time from navigation to first paint and to the first explorer answering a control (issue 26).

Each repeat opens the page in a fresh browser context (a cold cache, as on a first visit), in
headless Chromium with every request off 127.0.0.1 blocked. "first paint" is the browser's
first-contentful-paint entry; "explorer answers" is the moment, after navigation start, at which
the page's first explorer exists and a move of its first slider (or list) has redrawn it,
found by polling each animation frame. Not a test: prints ranges (min, median, max in ms).
Run: ``python benchmarks/bench_page_load.py [--repeats N] [--html _build/html]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, block_other_hosts, find_chromium, serve  # noqa: E402
from test_book_pages import PAGES  # noqa: E402

# Resolves with the time (ms after navigation start) at which the first explorer answered a
# control, or null when the page has no explorer after `limit` ms.
FIRST_ANSWER = """async (limit) => {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const signature = root => root.querySelector('.cl-drawing')?.innerHTML +
                            root.querySelector('.cl-text')?.innerHTML;
  while (performance.now() < limit) {
    const parsed = document.readyState !== 'loading';
    if (parsed && !document.querySelector('script[type$="widget-view+json"]')) return null;
    // the first explorer with a slider or a list (a quiz has neither)
    const selector = '.cl-controls input[type=range], .cl-controls select';
    const root = [...document.querySelectorAll('.cl-x')].find(x => x.querySelector(selector));
    const control = root?.querySelector(selector);
    if (control) {
      const before = signature(root);
      if (control.type === 'range') {
        const next = Number(control.value) < Number(control.max) ? 1 : -1;
        control.value = String(Number(control.value) + next * Number(control.step || 1));
        control.dispatchEvent(new Event('input', {bubbles: true}));
      } else {
        control.selectedIndex = (control.selectedIndex + 1) % control.options.length;
        control.dispatchEvent(new Event('change', {bubbles: true}));
      }
      await frame();
      if (signature(root) !== before) return performance.now();
    }
    await frame();
  }
  return null;
}"""

FIRST_PAINT = """() => new Promise(resolve => {
  const find = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
  if (find() !== undefined) return resolve(find());
  new PerformanceObserver(() => resolve(find())).observe({type: 'paint', buffered: true});
})"""


def measure(html: Path, repeats: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    server, base = serve(html)
    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for path in PAGES:
            paint, answer = [], []
            for _ in range(repeats):
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                block_other_hosts(context, base)
                page = context.new_page()
                page.goto(f"{base}/{path}", wait_until="commit")
                paint.append(page.evaluate(FIRST_PAINT))
                answered = page.evaluate(FIRST_ANSWER, 15000)
                if answered is not None:
                    answer.append(answered)
                context.close()
            results[path] = {"first paint": paint, "explorer answers": answer}
        browser.close()
    server.shutdown()
    return results


def summary(values: list[float]) -> str:
    if not values:
        return f"{'-':>22s}"
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{low:6.0f} {middle:7.0f} {high:7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args()
    if not (args.html / "index.html").exists():
        sys.exit(f"no built book in {args.html}: run `make book` first")
    results = measure(args.html, args.repeats)
    print(f"{args.repeats} cold loads per page; ms after navigation start (min, median, max)")
    print(f"{'page':36s} {'first paint':>22s} {'explorer answers':>22s}")
    for path, row in results.items():
        print(f"{path:36s} {summary(row['first paint'])} {summary(row['explorer answers'])}")


if __name__ == "__main__":
    main()
