"""Speed of convlib's convolutions, as ratios to baselines measured in the same process.

Baselines: ``torch.nn.functional`` when torch is installed (``pip install torch==2.13.0``, 2
threads, the same float32 data) and a bare numpy matrix product of the same (M, K) x (K, N) size
as the convolution's im2col product, the practical floor of a numpy implementation.

Run: ``python benchmarks/bench_conv.py`` (``--repeat 7`` for more repeats). Targets on the 2-core
development machine, float32: median ratio to torch <= 2.0 and worst <= 5 for ``conv``, median
<= 3 for ``conv_transpose``; within 1.5x of the matrix-product floor.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import time
from collections.abc import Callable

import numpy as np

import convlib

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
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    transposed: bool = False

    def weight_shape(self) -> tuple[int, ...]:
        c_in = self.input_shape[1]
        if self.transposed:
            return (c_in, self.out_channels // self.groups, self.kernel, self.kernel)
        return (self.out_channels, c_in // self.groups, self.kernel, self.kernel)

    def kwargs(self) -> dict:
        common = {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}
        return {**common, "groups": self.groups}

    def gemm_shape(self) -> tuple[int, int, int]:
        """(M, K, N) of the matrix product an im2col implementation performs (per group x g)."""
        n, c_in, *size = self.input_shape
        g = self.groups
        if self.transposed:
            m = n * math.prod(size)
            return m * g, c_in // g, self.kernel**2 * self.out_channels // g
        out = convlib.conv_output_size(
            tuple(size), self.kernel, self.stride, self.padding, self.dilation
        )
        return n * math.prod(out) * g, self.kernel**2 * c_in // g, self.out_channels // g


CASES = [
    Case("resnet 8x64x56x56 k3 p1", (8, 64, 56, 56), 64, 3, padding=1),
    Case("stride 2 8x32x64x64 k3", (8, 32, 64, 64), 64, 3, stride=2, padding=1),
    Case("dilation 2 8x64x56x56 k3", (8, 64, 56, 56), 64, 3, padding=2, dilation=2),
    Case("stem 1x3x224x224 k7 s2", (1, 3, 224, 224), 64, 7, stride=2, padding=3),
    Case("1 channel 512x512 k5", (1, 1, 512, 512), 1, 5, padding=2),
    Case("depthwise 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=128),
    Case("grouped g32 8x128x56x56 k3", (8, 128, 56, 56), 128, 3, padding=1, groups=32),
    Case("1x1 8x256x28x28", (8, 256, 28, 28), 512, 1),
    Case("transposed 8x64x32x32 k4 s2", (8, 64, 32, 32), 32, 4, 2, 1, transposed=True),
    Case("transposed 8x32x16x16 k3 s2", (8, 32, 16, 16), 16, 3, 2, 1, transposed=True),
]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Median of ``repeat`` timings after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeat: int) -> list[dict]:
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.set_num_threads(2)
    rows = []
    for case in CASES:
        x = rng.standard_normal(case.input_shape, dtype=np.float32)
        w = rng.standard_normal(case.weight_shape(), dtype=np.float32)
        op = convlib.conv_transpose if case.transposed else convlib.conv
        ours = best_time(lambda op=op, x=x, w=w, case=case: op(x, w, **case.kwargs()), repeat)
        m, k, n = case.gemm_shape()
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        floor = best_time(lambda a=a, b=b: a @ b, repeat)
        row = {"case": case.name, "transposed": case.transposed, "convlib": ours, "floor": floor}
        if torch is not None:
            tx, tw = torch.from_numpy(x), torch.from_numpy(w)
            fn = F.conv_transpose2d if case.transposed else F.conv2d
            kwargs = case.kwargs()
            with torch.no_grad():
                call = lambda fn=fn, tx=tx, tw=tw, k=kwargs: fn(tx, tw, **k)  # noqa: E731
                row["torch"] = best_time(call, repeat)
        rows.append(row)
    return rows


def report(rows: list[dict]) -> str:
    lines = [
        f"{'case':32s} {'convlib ms':>10s} {'torch ms':>9s} {'/torch':>7s} {'matmul ms':>9s} "
        f"{'/matmul':>8s}"
    ]
    for r in rows:
        t = r.get("torch")
        torch_cols = f"{t * 1e3:9.1f} {r['convlib'] / t:7.2f}" if t else f"{'-':>9s} {'-':>7s}"
        lines.append(
            f"{r['case']:32s} {r['convlib'] * 1e3:10.1f} {torch_cols} {r['floor'] * 1e3:9.1f} "
            f"{r['convlib'] / r['floor']:8.2f}"
        )
    if all("torch" in r for r in rows):
        for label, transposed in (("conv", False), ("conv_transpose", True)):
            ratios = [r["convlib"] / r["torch"] for r in rows if r["transposed"] == transposed]
            lines.append(
                f"{label}: median ratio to torch {statistics.median(ratios):.2f}, "
                f"worst {max(ratios):.2f}"
            )
    ratios = [r["convlib"] / r["floor"] for r in rows]
    lines.append(f"all: median ratio to the matmul floor {statistics.median(ratios):.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}")
    print(report(run(args.repeat)))


if __name__ == "__main__":
    main()
