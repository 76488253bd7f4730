"""Write what convlib computes for the values the convolution explorer draws, for the node tests.

``python tests/node/make_values_fixture.py DIR`` writes ``DIR/values.json.gz``: every setting of
the explorer's control grid (the grid of make_fixture.py) with the output of ``convlib.conv1d``,
``conv2d``, ``conv_transpose1d`` or ``conv_transpose2d`` (the public functions) on the
explorer's preset integers, or null where convlib refuses the setting. The random presets run
over the whole grid; every pair of presets over the settings with input size 4. Outputs are
exact integers (checked here), stored as int16 in ``DIR/values.i16.gz``; the presets themselves
(``preset_values``) for every size are in the JSON.
``node --test tests/node/values.test.mjs`` compares values.mjs with them.
"""

from __future__ import annotations

import gzip
import itertools
import json
import sys
from pathlib import Path

import numpy as np

import convlib
from convlib.geometry.shapes import resolve_diagram_padding
from convlib.widgets.conv_explorer import INPUT_PRESETS, KERNEL_PRESETS, preset_values

sys.path.insert(0, str(Path(__file__).parent))
from make_fixture import conv_settings  # noqa: E402  (the explorer's control grid)

PAIRS_AT = (4,)  # input sizes at which every pair of presets is checked


def convlib_output(setting: dict, input_preset: str, kernel_preset: str) -> np.ndarray | None:
    """convlib's output for the explorer's setting and presets, or None if convlib refuses it."""
    nd = 1 if setting["dims"] == "1-D" else 2
    n, k = setting["input_size"], setting["kernel_size"]
    x = preset_values("input", input_preset, n, nd).reshape((1, 1) + (n,) * nd)
    w = preset_values("kernel", kernel_preset, k, nd).reshape((1, 1) + (k,) * nd)
    s, p, d = setting["stride"], setting["padding"], setting["dilation"]
    try:
        if setting["mode"] == "transposed":
            op = getattr(convlib, f"conv_transpose{nd}d")
            y = op(x, w, stride=s, padding=p, output_padding=setting["output_padding"], dilation=d)
        else:
            if p == "full":  # the diagrams' 'full': convlib's d(k-1), the same on both sides
                p = resolve_diagram_padding(p, k, s, d)[0][0]
            y = getattr(convlib, f"conv{nd}d")(x, w, stride=s, padding=p, dilation=d)
    except (ValueError, TypeError):
        return None
    return np.asarray(y)[0, 0]


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    settings = conv_settings()
    keys = list(settings[0])
    cases, chunks = [], []
    for setting in settings:
        pairs = [("random", "random")]
        if setting["input_size"] in PAIRS_AT:
            pairs = list(itertools.product(INPUT_PRESETS, KERNEL_PRESETS))
        for input_preset, kernel_preset in pairs:
            y = convlib_output(setting, input_preset, kernel_preset)
            if y is None:
                cases.append([list(setting.values()), input_preset, kernel_preset, None])
                continue
            exact = np.rint(y)
            if not np.array_equal(exact, y) or np.abs(exact).max(initial=0) >= 2**15:
                raise AssertionError(f"not a small integer output: {setting}, {y}")
            cases.append([list(setting.values()), input_preset, kernel_preset, list(y.shape)])
            chunks.append(exact.astype("<i2").ravel())
    outputs = np.concatenate(chunks).tobytes()
    (folder / "values.i16.gz").write_bytes(gzip.compress(outputs, compresslevel=1, mtime=0))
    presets = {
        kind: {
            name: {nd: [preset_values(kind, name, m, nd).ravel().tolist() for m in range(1, 13)]
                   for nd in (1, 2)}
            for name in names
        }
        for kind, names in (("input", INPUT_PRESETS), ("kernel", KERNEL_PRESETS))
    }  # fmt: skip
    fixture = {"keys": keys, "cases": cases, "presets": presets}
    text = json.dumps(fixture, separators=(",", ":")).encode()
    (folder / "values.json.gz").write_bytes(gzip.compress(text, compresslevel=1, mtime=0))
    drawn = sum(case[3] is not None for case in cases)
    print(f"explorer values written to {folder}: {len(cases)} cases, {drawn} computed")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/node-fixture"))
