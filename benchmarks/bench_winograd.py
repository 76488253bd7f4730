"""Would Winograd's F(2x2, 3x3) speed up convlib? A numpy implementation against ``gemm``.

F(2x2, 3x3) needs 16 multiplications per 2x2 output tile and channel pair where the direct
method needs 36 (chapter 8), so its matrix products do 2.25 times fewer multiply-adds. In numpy
the price is the transforms: per tile, 32 additions per input channel (``B^T d B``) and 24 per
output channel (``A^T M A``), each an elementwise pass at a few billion values a second, where
BLAS does tens of billions of multiply-adds. The saving grows with ``C_in * C_out`` and the
transforms with ``C_in + C_out``, so it can only win for wide layers. This script measures it,
one thread, ``method='gemm'`` against the implementation below (one sample at a time, whole
planes per pass: in the runs recorded in benchmarks/README.md it was faster than column blocks).

Run: ``python benchmarks/bench_winograd.py`` (``--repeat 7``, ``--dtype float64``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import convlib
from convlib.algorithms import WINOGRAD_G

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

LAYERS = [(8, 64, 56, 56), (8, 128, 28, 28), (8, 256, 14, 14)]  # (N, C, H, W), C_out = C


def winograd_3x3(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Stride-1 3x3 convolution with padding 1 by F(2x2, 3x3): ``(N, C, H, W)`` -> same size."""
    n, c, h, w = x.shape
    c_out = weight.shape[0]
    g = WINOGRAD_G.astype(np.float64)
    u = np.einsum("ai,ocij,bj->aboc", g, weight.astype(np.float64), g)  # G w G^T per pair
    u = np.ascontiguousarray(u.astype(x.dtype).reshape(16, c_out, c))
    th, tw = -(-h // 2), -(-w // 2)
    padded = np.zeros((c, 2 * th + 2, 2 * tw + 2), x.dtype)
    rows = np.empty((4, c, th, 2 * tw + 2), x.dtype)
    v = np.empty((4, 4, c, th, tw), x.dtype)
    y = np.empty((n, c_out, 2 * th, 2 * tw), x.dtype)
    for sample in range(n):
        padded[:, 1 : h + 1, 1 : w + 1] = x[sample]
        r = [padded[:, a : a + 2 * th : 2] for a in range(4)]  # B^T along the rows
        np.subtract(r[0], r[2], out=rows[0])
        np.add(r[1], r[2], out=rows[1])
        np.subtract(r[2], r[1], out=rows[2])
        np.subtract(r[1], r[3], out=rows[3])
        col = [rows[..., b : b + 2 * tw : 2] for b in range(4)]  # and along the columns
        np.subtract(col[0], col[2], out=v[:, 0])
        np.add(col[1], col[2], out=v[:, 1])
        np.subtract(col[2], col[1], out=v[:, 2])
        np.subtract(col[1], col[3], out=v[:, 3])
        m = np.matmul(u, v.reshape(16, c, th * tw)).reshape(4, 4, c_out, th, tw)
        out = y[sample].reshape(c_out, th, 2, tw, 2)
        for i, row in enumerate((m[0] + m[1] + m[2], m[1] - m[2] - m[3])):  # A^T M A
            np.add(row[0] + row[1], row[2], out=out[:, :, i, :, 0])
            np.subtract(row[1] - row[2], row[3], out=out[:, :, i, :, 1])
    return y[:, :, :h, :w]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{args.dtype}, 1 thread, CPU clock, fastest of {args.repeat}")
    print(f"{'layer (C_out = C_in, k3 p1)':28s} {'gemm ms':>8s} {'winograd ms':>11s} {'ratio':>6s}")
    for shape in LAYERS:
        x = rng.standard_normal(shape).astype(args.dtype)
        w = rng.standard_normal((shape[1], shape[1], 3, 3)).astype(args.dtype)
        calls = {
            "gemm": lambda x=x, w=w: convlib.conv(x, w, padding=1, method="gemm"),
            "winograd": lambda x=x, w=w: winograd_3x3(x, w),
        }
        expected = calls["gemm"]()
        scale = np.abs(expected).max()
        assert np.abs(calls["winograd"]() - expected).max() <= 1e-4 * scale  # same numbers
        best = {name: float("inf") for name in calls}
        for _ in range(args.repeat):
            for name, fn in calls.items():
                start = time.process_time()
                fn()
                best[name] = min(best[name], time.process_time() - start)
        print(
            f"{'x'.join(map(str, shape)):28s} {best['gemm'] * 1e3:8.1f} "
            f"{best['winograd'] * 1e3:11.1f} {best['winograd'] / best['gemm']:6.2f}"
        )


if __name__ == "__main__":
    if threadpool_limits is None:
        main()
    else:
        with threadpool_limits(1):
            main()
