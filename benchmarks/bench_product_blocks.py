"""How fast the multiply-adds of each convolution can run as numpy products, next to torch.

For every ``conv`` case of ``bench_conv.py`` this times the window-matrix product alone (no
window is formed: the operands are random arrays of the product's shape) in several
arrangements: the one product ``bench_conv.py`` calls the matmul floor, ``(N*out, K) @ (K,
O_g)`` per group, and the same multiply-adds as repeated products of cache-sized column blocks,
``(g, O_g, K) @ (g, K, B)`` ("WX", the layout ``convlib.conv`` uses) or ``(g, B, K) @ (g, K,
O_g)`` ("XW"), for ``B`` in 256, 1024, 4096 and all columns. The fastest arrangement is what a
numpy engine could reach if forming the window and laying out the result cost nothing: its
ratio to torch's whole convolution is a lower bound for any engine built on numpy's matrix
product. ``bench_conv.py``'s floor column is no such bound: for every case but the 1x1 layer
(whose fastest arrangement is that one product), one product of every column was slower than
the same multiply-adds in blocks.

Run: ``python benchmarks/bench_product_blocks.py`` (``--repeat 9``, ``--dtype float64``,
``--threads 1 --clock cpu`` on a busy machine); 2 threads (numpy's BLAS and torch), wall clock,
fastest of ``--repeat``.
"""

from __future__ import annotations

import argparse
import math
import statistics

import numpy as np
from bench_conv import CASES, CLOCKS, Case, _torch_call, best_times, threadpool_limits, torch

BLOCKS = (256, 1024, 4096, None)  # None: every column in one product


def arrangements(case: Case, dtype: str, rng) -> dict:
    """The product of ``case`` as calls that each perform all of its multiply-adds."""
    m, k, n = case.gemm_shape()  # (N*out*g, K, O_g)
    groups = case.groups
    columns = m // groups
    calls = {}
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    calls["floor"] = lambda: a @ b
    weights = rng.standard_normal((groups, n, k)).astype(dtype)
    weights_t = np.ascontiguousarray(weights.transpose(0, 2, 1))
    for block in BLOCKS:
        width = columns if block is None else min(block, columns)
        repeats = math.ceil(columns / width)
        window = rng.standard_normal((groups, k, width)).astype(dtype)
        window_t = rng.standard_normal((groups, width, k)).astype(dtype)
        out = np.empty((groups, n, width), dtype)
        out_t = np.empty((groups, width, n), dtype)

        def wx(window=window, out=out, repeats=repeats):
            for _ in range(repeats):
                np.matmul(weights, window, out=out)

        def xw(window_t=window_t, out_t=out_t, repeats=repeats):
            for _ in range(repeats):
                np.matmul(window_t, weights_t, out=out_t)

        calls[f"WX {width}"] = wx
        calls[f"XW {width}"] = xw
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and torch threads")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    args = parser.parse_args()
    if threadpool_limits is not None:
        with threadpool_limits(args.threads):
            report(args)
    else:
        report(args)


def report(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"{args.dtype}, {args.threads} thread(s), {args.clock} clock, "
          f"fastest of {args.repeat}")  # fmt: skip
    print(f"{'case':30s} {'torch ms':>8s} {'floor ms':>8s} {'best ms':>8s} {'best is':>9s} "
          f"{'best/floor':>10s} {'best/torch':>10s}")  # fmt: skip
    bounds = []
    for case in (c for c in CASES if not c.transposed):
        calls = arrangements(case, args.dtype, rng)
        if torch is not None:
            x = rng.standard_normal(case.input_shape).astype(args.dtype)
            w = rng.standard_normal(case.weight_shape()).astype(args.dtype)
            calls["torch"] = _torch_call(case, x, w)
        # numpy's products follow each other; only torch and the first product after it wait
        times = best_times(calls, args.repeat, args.clock, settle_before={"floor", "torch"})
        name, best = min(((k, v) for k, v in times.items() if k.startswith(("WX", "XW"))),
                         key=lambda item: item[1])  # fmt: skip
        torch_ms = f"{times['torch'] * 1e3:8.2f}" if torch is not None else f"{'-':>8s}"
        ratio = f"{best / times['torch']:10.2f}" if torch is not None else f"{'-':>10s}"
        if torch is not None:
            bounds.append(best / times["torch"])
        print(f"{case.name:30s} {torch_ms} {times['floor'] * 1e3:8.2f} {best * 1e3:8.2f} "
              f"{name:>9s} {best / times['floor']:10.2f} {ratio}")  # fmt: skip
    if bounds:
        print(f"fastest product / torch: median {statistics.median(bounds):.2f}, "
              f"range {min(bounds):.2f}-{max(bounds):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
