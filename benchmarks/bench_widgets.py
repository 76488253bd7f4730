"""Latency of the explorers: time from a control change to the new PNG, per explorer.

Each explorer is driven through a sweep of control values programmatically (as a slider drag
would); the render includes drawing the figure and encoding the PNG the notebook receives.
Targets on the 2-core development machine: median <= 100 ms for the diagram explorers and
<= 300 ms for the photo explorer. Run: ``python benchmarks/bench_widgets.py``.
"""

from __future__ import annotations

import statistics

import matplotlib

from convlib import widgets

matplotlib.use("Agg")

SWEEPS = {
    "conv_explorer": (widgets.conv_explorer, [
        ("input_size", [4, 5, 6, 7, 8, 9, 10]), ("stride", [1, 2, 3, 1]),
        ("padding", [0, 1, 2, "same", "full"]), ("position", [0, 3, 6, 9, 12, 15]),
        ("mode", ["transposed", "convolution"]),
    ]),
    "groups_explorer": (widgets.groups_explorer, [("groups", [1, 2, 4, 8, 1, 2, 4, 8])]),
    "param_budget_explorer": (widgets.param_budget_explorer, [
        ("in_channels", [32, 64, 128, 256]), ("kernel_size", [1, 3, 5, 7]),
    ]),
    "receptive_field_explorer": (widgets.receptive_field_explorer, [
        ("layers", ["3,1,1; 3,1,2", "3,1,1; 3,1,2; 3,1,4", "3,1,2; 3,1,2; 3,1,2",
                    "3,1,1; 3,1,2; 3,1,3", "3,1,1; 3,1,2; 3,1,4; 3,1,8"]),
    ]),
    "image_filter_explorer (photo)": (widgets.image_filter_explorer, [
        ("kernel", ["box", "gaussian", "sobel_x", "laplacian", "sharpen"]),
        ("padding_mode", ["reflect", "replicate", "circular", "zeros"]), ("dilation", [1, 2, 4]),
    ]),
}  # fmt: skip


def measure() -> dict[str, list[float]]:
    results = {}
    for name, (make, sweep) in SWEEPS.items():
        explorer = make()
        times = []
        for control, values in sweep:
            for value in values:
                explorer.controls[control].value = value
                times.append(explorer.last_render_seconds)
        results[name] = times
    return results


def main() -> None:
    print(f"{'explorer':32s} {'renders':>7s} {'median ms':>10s} {'max ms':>8s}")
    for name, times in measure().items():
        print(
            f"{name:32s} {len(times):7d} {statistics.median(times) * 1e3:10.0f} "
            f"{max(times) * 1e3:8.0f}"
        )


if __name__ == "__main__":
    main()
