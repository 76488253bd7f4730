"""Latency of the explorers in the browser: from a slider's input event to a drawing ready to
paint, per explorer of the built book (headless Chromium, offline, as a reader opens it).

Each explorer's heaviest control is moved back and forth; one sample is the time from
dispatching the ``input`` (or ``change``) event to the end of the forced style and layout of the
redrawn explorer (the module redraws synchronously in the handler), and, separately, to the next
animation frame. Target: median <= 16 ms (one frame at 60 Hz). Needs ``make book`` first.
Run: ``python benchmarks/bench_widgets.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, QuietHandler, find_chromium  # noqa: E402

HTML = ROOT / "_build" / "html"
# page, explorer index on the page, control (data-trait), the values it alternates between
CASES = [
    ("notebooks/01_convolution.html", 0, "input_size", [7, 12]),
    ("notebooks/01_convolution.html", 0, "kernel_size", [3, 5]),
    ("notebooks/01_convolution.html", 1, "dilation", [1, 2]),
    ("notebooks/02_dilated.html", 0, "layers", ["3,1,1; 3,1,2; 3,1,4; 3,1,8", "3,1,2; 3,1,2"]),
    ("notebooks/03_transposed.html", 0, "input_size", [4, 12]),
    ("notebooks/04_separable.html", 0, "kernel_size", [3, 7]),
    ("notebooks/05_grouped.html", 0, "size", [32, 64]),
]  # fmt: skip

MEASURE = """async ([index, trait, values, repeats]) => {
  const root = document.querySelectorAll('.cl-x')[index];
  const control = root.querySelector(`[data-trait="${trait}"]`);
  const event = control.type === 'range' ? 'input' : 'change';
  const work = [], frame = [];
  for (let i = 0; i < repeats; i += 1) {
    const t0 = performance.now();
    control.value = String(values[(i + 1) % 2]);  // the first value is the initial one
    control.dispatchEvent(new Event(event, {bubbles: true}));
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


def measure(repeats: int) -> list[tuple[str, str, list[float], list[float]]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*",
            lambda r: (
                r.continue_() if r.request.url.startswith((base, "data:", "blob:")) else r.abort()
            ),
        )
        page = context.new_page()
        current = None
        for path, index, trait, values in CASES:
            if path != current:
                page.goto(f"{base}/{path}", wait_until="networkidle")
                page.wait_for_function(f"() => document.querySelectorAll('.cl-x').length > {index}")
                current = path
            out = page.evaluate(MEASURE, [index, trait, values, repeats])
            results.append((f"{Path(path).stem}: {out['label']}", trait, out["work"], out["frame"]))
        browser.close()
    server.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    if not (HTML / "index.html").exists():
        sys.exit("no built book: run `make book` first")
    print(
        f"{'explorer':48s} {'control':11s} {'median ms':>9s} {'min':>6s} {'max':>7s} "
        f"{'to frame':>8s}"
    )
    for name, trait, work, frame in measure(args.repeats):
        print(
            f"{name[:48]:48s} {trait:11s} {statistics.median(work):9.2f} {min(work):6.2f} "
            f"{max(work):7.2f} {statistics.median(frame):8.2f}"
        )
    print("(min: the cost without other processes' interference on a shared machine)")
    page_weights = ROOT / "tests" / "browser" / "test_page_weight.py"
    print(f"\nPage weights: python {page_weights.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
