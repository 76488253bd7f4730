"""Speed and memory of convlib's convolutions, as ratios to baselines measured in one process.

Baselines: ``torch.nn.functional`` when torch is installed (``pip install torch==2.13.0``, 2
threads, the same data) and, always, a bare numpy matrix product of the same (M, K) x (K, N)
size as the convolution's window-matrix product (the practical floor of a numpy
implementation). The peak temporary memory of one call is measured with ``tracemalloc`` in a
fresh thread (so the per-thread workspaces count), minus the output itself.

Run: ``python benchmarks/bench_conv.py`` (``--repeat 7`` for more repeats, ``--dtype float64``,
``--method gemm`` to force one method). Targets (issue 16), float32 and float64 on the 2-core
machine: ``conv`` median <= 1.5x torch and worst <= 3x; ``conv_transpose`` median <= 1.5x; a
1x1 convolution within 1.1x of its matmul floor; the median case within 1.3x of the floor.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable, Collection

import numpy as np

import convlib
from convlib._engine import fast as _kernels_fast

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # installed with scikit-learn; without it numpy keeps its default threads
    threadpool_limits = None
try:
    import torch
    import torch.nn.functional as F
except ImportError:  # torch is optional: the torch column is left empty
    torch = None


@dataclasses.dataclass
class Case:
    name: str
    input_shape: tuple[int, ...]
    out_channels: int
    kernel: int | tuple[int, ...]
    stride: int | tuple[int, ...] = 1
    padding: int | tuple[int, ...] = 0
    dilation: int = 1
    groups: int = 1
    transposed: bool = False

    @property
    def nd(self) -> int:
        return len(self.input_shape) - 2

    def kernel_size(self) -> tuple[int, ...]:
        k = self.kernel
        return tuple(k) if isinstance(k, tuple) else (k,) * self.nd

    def weight_shape(self) -> tuple[int, ...]:
        c_in = self.input_shape[1]
        if self.transposed:
            return (c_in, self.out_channels // self.groups, *self.kernel_size())
        return (self.out_channels, c_in // self.groups, *self.kernel_size())

    def kwargs(self) -> dict:
        common = {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}
        return {**common, "groups": self.groups}

    def gemm_shape(self) -> tuple[int, int, int]:
        """(M, K, N) of the product a window-matrix implementation performs (all groups)."""
        n, c_in, *size = self.input_shape
        g, taps = self.groups, math.prod(self.kernel_size())
        if self.transposed:
            return n * math.prod(size) * g, c_in // g, taps * self.out_channels // g
        out = convlib.conv_output_size(
            tuple(size), self.kernel_size(), self.stride, self.padding, self.dilation
        )
        return n * math.prod(out) * g, taps * c_in // g, self.out_channels // g


CASES = [
    Case("resnet 8x64x56x56 k3 p1", (8, 64, 56, 56), 64, 3, padding=1),
    Case("stride 2 8x32x64x64 k3", (8, 32, 64, 64), 64, 3, stride=2, padding=1),
    Case("dilation 2 8x64x56x56 k3", (8, 64, 56, 56), 64, 3, padding=2, dilation=2),
    Case("stem 1x3x224x224 k7 s2", (1, 3, 224, 224), 64, 7, stride=2, padding=3),
    Case("1 channel 512x512 k5", (1, 1, 512, 512), 1, 5, padding=2),
    Case("depthwise 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=128),
    Case("grouped g2 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=2),
    Case("grouped g8 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=8),
    Case("grouped g32 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=32),
    Case("1x1 8x256x28x28", (8, 256, 28, 28), 512, 1),
    Case("1-D 8x32x4000 k9", (8, 32, 4000), 64, 9, padding=4),
    Case("3-D 2x8x16x32x32 k3", (2, 8, 16, 32, 32), 16, 3, padding=1),
    Case("k3x5 s(1,2) 8x32x48x64", (8, 32, 48, 64), 64, (3, 5), (1, 2), (1, 2)),
    Case("transposed 8x64x32x32 k4 s2", (8, 64, 32, 32), 32, 4, 2, 1, transposed=True),
    Case("transposed 8x32x16x16 k3 s2", (8, 32, 16, 16), 16, 3, 2, 1, transposed=True),
    Case("transposed 1-D 8x32x1000 k8 s4", (8, 32, 1000), 16, 8, 4, 2, transposed=True),
]


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
SETTLE_SECONDS = 0.2
"""Pause before each turn, longer than a library's idle threads spin after a call.

Measured as the processor time this process used while it slept right after a call (2
threads): torch 2.13's OpenMP thread 7-8 ms; OpenBLAS's thread, after a multi-threaded
product, about 130 ms (of a 200 ms sleep). A spinning thread holds one of the two cores, so
without the pause each library's call ran beside the other's spinning thread.
"""


def best_times(
    calls: dict[str, Callable[[], object]],
    repeat: int,
    clock: str = "wall",
    settle_before: Collection[str] | None = None,
) -> dict[str, float]:
    """Fastest of ``repeat`` timings of each call, each timed call right after an untimed one.

    The calls take turns within every repeat, so load from other processes on a shared
    machine hits all of them alike; the minimum is the least disturbed run (as ``timeit``).
    With several calls each turn first waits ``SETTLE_SECONDS``, so that the previous
    library's idle threads have stopped spinning (torch's OpenMP thread, OpenBLAS's), then
    calls its function twice and times the second, as in a loop of that library's calls
    alone. ``settle_before`` names the only calls whose turns wait (those that follow another
    library's call; default: every call, when there are several). ``clock='cpu'`` counts this
    process's processor time instead of elapsed time: with one thread it ignores the time
    other processes hold the cores (with more, it adds up the threads' time, spinning
    included, so use it with ``--threads 1``).
    """
    now = CLOCKS[clock]
    if settle_before is None:
        settle_before = set(calls) if len(calls) > 1 else set()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            if name in settle_before:
                time.sleep(SETTLE_SECONDS)
            fn()
            start = now()
            fn()
            times[name].append(now() - start)
    return {name: min(values) for name, values in times.items()}


def peak_temporary_bytes(fn: Callable[[], np.ndarray]) -> int:
    """Peak traced memory of one call, less its result, with no workspace reused.

    The call runs in a fresh thread and with workspace reuse switched off, so every temporary
    of the calling thread and of the worker threads is a fresh, traced allocation.
    """
    result = {}

    def target():
        tracemalloc.start()
        try:
            out = fn()
            result["peak"] = tracemalloc.get_traced_memory()[1] - out.nbytes
        finally:
            tracemalloc.stop()

    reuse, _kernels_fast.REUSE_BYTES = _kernels_fast.REUSE_BYTES, 0
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        _kernels_fast.REUSE_BYTES = reuse
    return result["peak"]


def _torch_call(case: Case, x: np.ndarray, w: np.ndarray) -> Callable[[], object]:
    name = f"conv_transpose{case.nd}d" if case.transposed else f"conv{case.nd}d"
    fn = getattr(F, name)
    tx, tw, kwargs = torch.from_numpy(x), torch.from_numpy(w), case.kwargs()

    def call():
        with torch.no_grad():
            return fn(tx, tw, **kwargs)

    return call


def run(
    repeat: int, dtype: str = "float32", method: str = "auto", threads: int = 2, clock="wall"
) -> list[dict]:
    if threadpool_limits is not None:
        with threadpool_limits(threads):
            return _run(repeat, dtype, method, threads, clock)
    return _run(repeat, dtype, method, threads, clock)


def _run(repeat: int, dtype: str, method: str, threads: int, clock: str) -> list[dict]:
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.set_num_threads(threads)
    rows = []
    for case in CASES:
        x = rng.standard_normal(case.input_shape).astype(dtype)
        w = rng.standard_normal(case.weight_shape()).astype(dtype)
        op = convlib.conv_transpose if case.transposed else convlib.conv

        def ours(op=op, x=x, w=w, case=case):
            return op(x, w, **case.kwargs(), method=method)

        m, k, n = case.gemm_shape()
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        calls = {"convlib": ours}
        if torch is not None:
            calls["torch"] = _torch_call(case, x, w)
        row = {"case": case.name, "transposed": case.transposed, **best_times(calls, repeat, clock)}
        # The floor on its own: after a multi-threaded numpy product OpenBLAS's idle threads
        # spin for longer than a call lasts, and slow whatever runs next (torch and convlib).
        row.update(best_times({"floor": lambda a=a, b=b: a @ b}, repeat, clock))
        row["peak"] = peak_temporary_bytes(ours)
        row["output"] = ours().nbytes
        rows.append(row)
    return rows


def report(rows: list[dict]) -> str:
    lines = [
        f"{'case':32s} {'convlib ms':>10s} {'torch ms':>9s} {'/torch':>7s} {'matmul ms':>9s} "
        f"{'/matmul':>8s} {'matmul/torch':>12s} {'temp MB':>8s} {'out MB':>7s}"
    ]
    for r in rows:
        t = r.get("torch")
        torch_cols = f"{t * 1e3:9.1f} {r['convlib'] / t:7.2f}" if t else f"{'-':>9s} {'-':>7s}"
        floor_to_torch = f"{r['floor'] / t:12.2f}" if t else f"{'-':>12s}"
        lines.append(
            f"{r['case']:32s} {r['convlib'] * 1e3:10.1f} {torch_cols} {r['floor'] * 1e3:9.1f} "
            f"{r['convlib'] / r['floor']:8.2f} {floor_to_torch} {r['peak'] / 2**20:8.1f} "
            f"{r['output'] / 2**20:7.1f}"
        )
    if all("torch" in r for r in rows):
        for label, transposed in (("conv", False), ("conv_transpose", True)):
            chosen = [r for r in rows if r["transposed"] == transposed]
            ratios = [r["convlib"] / r["torch"] for r in chosen]
            floors = [r["floor"] / r["torch"] for r in chosen]
            lines.append(
                f"{label}: median ratio to torch {statistics.median(ratios):.2f}, "
                f"worst {max(ratios):.2f}; the bare matmul's own: median "
                f"{statistics.median(floors):.2f}, worst {max(floors):.2f}"
            )
    ratios = [r["convlib"] / r["floor"] for r in rows]
    lines.append(
        f"all: median ratio to the matmul floor {statistics.median(ratios):.2f}; "
        f"peak temporary memory {max(r['peak'] for r in rows) / 2**20:.1f} MB"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--method", choices=("auto", *convlib.METHODS), default="auto")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and torch threads")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    args = parser.parse_args()
    print(
        f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
        f"{args.dtype}, method={args.method}, {args.threads} thread(s), {args.clock} clock"
    )
    print(report(run(args.repeat, args.dtype, args.method, args.threads, args.clock)))


if __name__ == "__main__":
    main()
