"""Each of convlib's methods on the shapes that set ``choose_conv_method``'s thresholds.

Prints, per case, the time of ``method='gemm'``, ``'direct'`` and ``'fft'`` (the fastest of
``--repeat`` runs, taking turns) and the method ``'auto'`` picks, so the rule in
``convlib/_engine/methods.py`` can be checked against this machine. ``-`` marks a method left out
because it is hopeless there (the FFT of a grouped layer, tap-by-tap sums of a large kernel over
many channel pairs). Run: ``python benchmarks/bench_methods.py`` (``--threads 1 --clock cpu``
on a busy machine).
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from bench_conv import CLOCKS, best_times, threadpool_limits

import convlib

CASES = [  # name, input shape, weight shape, keyword arguments
    ("depthwise 8x128x56x56 k3", (8, 128, 56, 56), (128, 1, 3, 3), {"padding": 1, "groups": 128}),
    ("depthwise 8x128x28x28 k5", (8, 128, 28, 28), (128, 1, 5, 5), {"padding": 2, "groups": 128}),
    ("depthwise 1x96x56x56 k7", (1, 96, 56, 56), (96, 1, 7, 7), {"padding": 3, "groups": 96}),
    ("depthwise 1-D 8x64x4000 k31", (8, 64, 4000), (64, 1, 31), {"padding": 15, "groups": 64}),
    ("one channel 512x512 k5", (1, 1, 512, 512), (1, 1, 5, 5), {"padding": 2}),
    ("one channel 512x512 k15", (1, 1, 512, 512), (1, 1, 15, 15), {"padding": 7}),
    ("one channel 512x512 k25", (1, 1, 512, 512), (1, 1, 25, 25), {"padding": 12}),
    ("4->4 channels 256x256 k7", (1, 4, 256, 256), (4, 4, 7, 7), {"padding": 3}),
    ("4->4 channels 256x256 k15", (1, 4, 256, 256), (4, 4, 15, 15), {"padding": 7}),
    ("64 groups of 2x2 k3", (8, 128, 56, 56), (128, 2, 3, 3), {"padding": 1, "groups": 64}),
    ("32 groups of 4x4 k3", (8, 128, 56, 56), (128, 4, 3, 3), {"padding": 1, "groups": 32}),
    ("16->16 channels 1-D k65", (8, 16, 4000), (16, 16, 65), {"padding": 32}),
]


def run(repeat: int, clock: str) -> list[str]:
    rng = np.random.default_rng(0)
    lines = [f"{'case':30s} {'gemm ms':>8s} {'direct ms':>9s} {'fft ms':>7s}  auto"]
    for name, input_shape, weight_shape, kwargs in CASES:
        x = rng.standard_normal(input_shape).astype(np.float32)
        w = rng.standard_normal(weight_shape).astype(np.float32)
        groups = kwargs.get("groups", 1)
        pairs = weight_shape[1] * weight_shape[0] // groups
        methods = ["gemm"]
        if math.prod(weight_shape[2:]) <= 200 or pairs <= 16:
            methods.append("direct")
        if groups == 1:
            methods.append("fft")
        calls = {
            m: (lambda m=m, x=x, w=w, kw=kwargs: convlib.conv(x, w, **kw, method=m))
            for m in methods
        }
        times = best_times(calls, repeat, clock)
        cells = [f"{times[m] * 1e3:.1f}" if m in times else "-" for m in ("gemm", "direct", "fft")]
        auto = convlib.choose_conv_method(input_shape, weight_shape, groups=groups)
        lines.append(f"{name:30s} {cells[0]:>8s} {cells[1]:>9s} {cells[2]:>7s}  {auto}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads (and workers)")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    args = parser.parse_args()
    print(f"float32, {args.threads} thread(s), {args.clock} clock")
    if threadpool_limits is None:
        print("\n".join(run(args.repeat, args.clock)))
        return
    with threadpool_limits(args.threads):
        print("\n".join(run(args.repeat, args.clock)))


if __name__ == "__main__":
    main()
