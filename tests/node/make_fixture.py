"""Write what convlib computes for every setting of every explorer, for the node tests.

``python tests/node/make_fixture.py DIR`` writes ``DIR/explorers.json.gz`` (each explorer's whole
control grid with convlib's values: the numbers of the conv, budget, groups and receptive field
explorers from convlib's public functions directly (``convlib_numbers.py``), their text from the
``describe_*`` functions of convlib.widgets, which must agree on the numbers) and ``DIR/photo.f64``
(``convlib.conv2d`` of the photo explorer's photograph, float64, for the settings listed in the
JSON) and ``DIR/volume.json.gz`` (the volume explorer's grid, apart because it is large).
``node --test tests/node/`` then runs the real ES modules over the same grid; ``make
node-tests`` does both.
"""

from __future__ import annotations

import base64
import functools
import gzip
import importlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import traitlets
from convlib_numbers import (
    Disagreements,
    budget_numbers,
    conv_numbers,
    groups_numbers,
    receptive_numbers,
)

import convlib
from convlib import widgets
from convlib.teaching.kernels import KERNELS
from convlib.widgets._base import NON_NEGATIVE

(
    budget_explorer,
    conv_explorer,
    im2col_explorer,
    image_explorer,
    pooling_explorer,
    receptive_explorer,
    volume_explorer,
) = (
    importlib.import_module(f"convlib.widgets.{name}")
    for name in (
        "budget_explorer",
        "conv_explorer",
        "im2col_explorer",
        "image_explorer",
        "pooling_explorer",
        "receptive_explorer",
        "volume_explorer",
    )
)  # (the package's names of the same spelling are the explorer functions)

CONV_GRID = {
    "dims": ["1-D", "2-D"],
    "mode": ["convolution", "transposed"],
    "input_size": list(range(1, 13)),
    "kernel_size": list(range(1, 8)),
    "stride": list(range(1, 5)),
    "padding": conv_explorer.PADDINGS,
    "dilation": list(range(1, 5)),
    "output_padding": list(range(0, 4)),
}
IMAGE_GRID = {
    "kernel": list(KERNELS),
    "stride": list(range(1, 5)),
    "dilation": list(range(1, 9)),
    "padding": image_explorer.PADDINGS,
    "padding_mode": image_explorer.PADDING_MODES,
    "flip": image_explorer.FLIPS,
}
BUDGET_GRID = {
    "in_channels": budget_explorer.CHANNELS,
    "out_channels": budget_explorer.CHANNELS,
    "kernel_size": list(range(1, 8)),
    "groups": budget_explorer.GROUPS,
    "size": budget_explorer.SIZES,
}
POOLING_GRID = {
    "mode": pooling_explorer.MODES,
    **{name: list(range(lo, hi + 1)) for name, (lo, hi) in pooling_explorer.LIMITS.items()},
    "ceil_mode": [False, True],
    "count_include_pad": [False, True],
}
IM2COL_GRID = {name: list(range(lo, hi + 1)) for name, (lo, hi) in im2col_explorer.LIMITS.items()}
VOLUME_GRID = {"mode": volume_explorer.MODES} | {
    name: list(range(lo, hi + 1)) for name, (lo, hi) in volume_explorer.LIMITS.items()
}
GROUPS_KERNELS, GROUPS_SIZES = list(range(1, 8)), list(range(4, 65))
# the receptive field explorer takes free text: every preset, every stack of one or two layers
# and many of three from these layers, and text that is not a stack
RECEPTIVE_LAYERS = [(k, s, d) for k in (1, 2, 3, 5) for s in (1, 2) for d in (1, 2, 3, 4)]
RECEPTIVE_DEEP = [(k, s, d) for k in (2, 3) for s in (1, 2) for d in (1, 2, 4)]
RECEPTIVE_BAD = ["", " ; ", "3;1", "3,0,1", "0,1,1", "3,1,0", "3,1,x", "3,1,1,1", "3,-1,1",
                 "3,1,1;;3,1,2", " 3, 1, 1 ; 2,2,1 ", "3.0,1,1", "3,1,1; 2,2"]  # fmt: skip


def refused_values(explorer: type) -> list[tuple[str, object]]:
    """Values each control of ``explorer`` must refuse: below the smallest int it takes (a bool
    too, which convlib refuses as an int), and for padding a negative int and an unknown string."""
    values = []
    for name in explorer.control_names():
        trait = explorer.class_traits()[name]
        if name == "padding":
            values += [(name, -1), (name, "bogus")]
        elif isinstance(trait, traitlets.Int):
            values += [(name, (0 if name in NON_NEGATIVE else 1) - 1), (name, True)]
    return values


def refused(explorer: type, values: list | None = None) -> dict:
    """The explorer's default setting and, for each refused value (default
    :func:`refused_values`), the message its Python class raises (the ES module must show the
    same message when its model holds the value)."""
    cases = []
    for name, value in refused_values(explorer) if values is None else values:
        try:
            explorer(**{name: value})
        except traitlets.TraitError as error:
            cases.append([name, value, str(error)])
        else:
            raise AssertionError(f"{explorer.__name__} accepts {name}={value!r}")
    return {"defaults": explorer().values(), "cases": cases}


def group_readers() -> list:
    """[C_in, C_out, groups, readers]: readers[i], the output channels convlib.conv2d with these
    groups feeds from input channel i (a one-hot input through all-ones 1x1 weights)."""
    rows = []
    for cin in range(1, 13):
        for g in (g for g in range(1, cin + 1) if cin % g == 0):
            for cout in (g, 2 * g, 3 * g):
                x = np.eye(cin).reshape(cin, cin, 1, 1)  # sample i: channel i is 1
                y = convlib.conv2d(x, np.ones((cout, cin // g, 1, 1)), groups=g)
                rows.append(
                    [cin, cout, g, [np.flatnonzero(y[i, :, 0, 0]).tolist() for i in range(cin)]]
                )
    return rows


def grid(axes: dict) -> list[dict]:
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


def conv_settings() -> list[dict]:
    settings = grid(CONV_GRID)
    # output_padding only matters (and only shows) in transposed mode
    return [s for s in settings if s["mode"] == "transposed" or s["output_padding"] == 0]


def photo_cases() -> list[dict]:
    """Settings whose filtered photograph is compared: every kernel, padding mode and flip with
    'same' and 3 padding, and strides, dilations and other paddings in every mode."""
    cases = [
        {"kernel": k, "stride": 1, "dilation": 1, "padding": p, "padding_mode": m, "flip": f}
        for k, m, f, p in itertools.product(
            KERNELS, image_explorer.PADDING_MODES, image_explorer.FLIPS, ["same", 3]
        )
    ]
    for mode, kernel, (s, p, d) in itertools.product(
        image_explorer.PADDING_MODES,
        ["sobel_x", "gaussian", "emboss"],
        [(2, 1, 1), (3, 8, 2), (1, "valid", 8), (4, 2, 3), (1, "same", 8), (2, 0, 1)],
    ):
        cases.append(
            {"kernel": kernel, "stride": s, "dilation": d, "padding": p, "padding_mode": mode,
             "flip": image_explorer.FLIPS[0]}
        )  # fmt: skip
    return cases


def receptive_texts() -> list[str]:
    def text(stack):
        return "; ".join(",".join(map(str, layer)) for layer in stack)

    texts = list(receptive_explorer.PRESETS.values()) + RECEPTIVE_BAD
    texts += [text([a]) for a in RECEPTIVE_LAYERS]
    texts += [text(pair) for pair in itertools.product(RECEPTIVE_LAYERS, repeat=2)]
    texts += [text(triple) for triple in itertools.product(RECEPTIVE_DEEP, repeat=3)]
    return texts


def volume_settings() -> list[dict]:
    """The volume explorer's grid: every convolution setting (upscale_factor unused, at 2);
    separable settings with groups 1 and 5 (unused there); every pixel shuffle setting (the
    convolution controls unused, at their defaults)."""
    defaults = volume_explorer.VolumeExplorer().values()
    del defaults["channel"], defaults["position"]
    settings = []
    for s in grid(VOLUME_GRID):
        unused = {
            "convolution": s["upscale_factor"] != 2,
            "separable": s["upscale_factor"] != 2 or s["groups"] not in (1, 5),
            "pixel_shuffle": any(
                s[n] != defaults[n] for n in ("out_channels", "groups", "kernel_size")
            ),
        }
        if not unused[s["mode"]]:
            settings.append(s)
    return settings


def volume_lit() -> list:
    """[setting, dependencies]: for small settings of each mode, the input cells every output
    cell depends on (volume_explorer.dependencies: convlib.conv2d / pixel_shuffle of one-hot
    inputs), which the explorer lights when that cell is hovered."""
    cases = []
    for s in volume_settings():
        small = s["in_channels"] <= 4 and s["out_channels"] <= 4 and s["size"] <= 4
        if s["mode"] == "pixel_shuffle":
            small = s["size"] <= 4
        if not small or "error" in widgets.describe_volume(**s):
            continue
        if s["mode"] == "separable" and s["groups"] != 1:
            continue
        cases.append([s, volume_explorer.dependencies(**s)])
    return cases


def write_volume(folder: Path) -> None:
    """DIR/volume.json.gz: the volume explorer's grid with describe_volume, the lit sets and the
    refused values (a file of its own: the other explorers' tests need not parse it)."""
    settings = volume_settings()
    cls = volume_explorer.VolumeExplorer
    refusals = [(n, v) for n, v in refused_values(cls) if n != "channel"]
    refusals += [("channel", -1), ("channel", True), ("mode", "bogus")]
    part = {
        "grid": VOLUME_GRID,
        "keys": list(settings[0]),
        "cases": [[list(s.values()), widgets.describe_volume(**s)] for s in settings],
        "lit": volume_lit(),
        "refused": refused(cls, refusals),
    }
    text = json.dumps(part, separators=(",", ":")).encode()
    (folder / "volume.json.gz").write_bytes(gzip.compress(text, compresslevel=1, mtime=0))
    print(f"volume explorer: {len(settings)} settings, {len(part['lit'])} lit cases")


@functools.cache
def budget_variants(in_channels, out_channels, kernel_size, groups) -> dict:
    return budget_explorer.layer_variants(in_channels, out_channels, kernel_size, groups)


def budget_case(found: Disagreements, setting: dict) -> dict:
    """describe_budget's rows with each stack's parameters and MACs from the layer specs."""

    def rows():
        c_in, size = setting["in_channels"], setting["size"]
        names = ("in_channels", "out_channels", "kernel_size", "groups")
        variants = budget_variants(*(setting[n] for n in names))
        totals = budget_numbers(variants, c_in, size)
        rows = zip(described["variants"], totals, strict=True)
        return {"variants": [[row[0], *numbers, row[3]] for row, numbers in rows]}

    described = widgets.describe_budget(**setting)
    return found.expected("budget", setting, described, rows)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    found = Disagreements()
    photo = image_explorer.explorer_photo()
    conv = [
        [s, found.expected("conv", s, widgets.describe_conv(**s), lambda s=s: conv_numbers(**s))]
        for s in conv_settings()
    ]
    image = [[s, widgets.describe_image(**s)] for s in grid(IMAGE_GRID)]
    photo_list, chunks = photo_cases(), []
    for case in photo_list:
        chunks.append(np.ascontiguousarray(image_explorer.filtered_photo(**case), dtype="<f8"))
    (folder / "photo.f64").write_bytes(b"".join(c.tobytes() for c in chunks))
    budget = [[s, budget_case(found, s)] for s in grid(BUDGET_GRID)]
    groups = [
        [
            s,
            found.expected(
                "groups", s, widgets.describe_groups(**s), lambda s=s: groups_numbers(**s)
            ),
        ]
        for s in (
            {"channels": c, "groups": g, "kernel_size": k, "size": n}
            for c in range(1, 17)
            for g in range(1, c + 1)
            for k in GROUPS_KERNELS
            for n in GROUPS_SIZES
        )
    ]
    receptive = []
    for text in receptive_texts():
        described = widgets.describe_receptive(text)
        if "error" not in described:  # text that is not a stack: the explorer's parser says so
            numbers = functools.partial(receptive_numbers, described["stack"])
            described = found.expected("receptive", text, described, numbers)
        receptive.append([text, described])
    found.check()
    pooling = [[s, widgets.describe_pooling(**s)] for s in grid(POOLING_GRID)]
    im2col = [[s, widgets.describe_im2col(**s)] for s in grid(IM2COL_GRID)]
    matrix_grid = {name: v for name, v in IM2COL_GRID.items() if name != "out_channels"}
    matrices = [[s, im2col_explorer.window_matrix(**s)] for s in grid(matrix_grid)]
    fixture = {
        "conv": {"grid": CONV_GRID, "cases": conv},
        "image": {
            "grid": IMAGE_GRID,
            "cases": image,
            "photo": base64.b64encode(photo.astype("<f4").tobytes()).decode("ascii"),
            "photo_shape": list(photo.shape),
            "kernels": {name: make().tolist() for name, make in KERNELS.items()},
            "photo_cases": [
                [case, list(chunk.shape)] for case, chunk in zip(photo_list, chunks, strict=True)
            ],
        },
        "budget": {"grid": BUDGET_GRID, "cases": budget},
        "groups": {"cases": groups},
        "receptive": {"presets": receptive_explorer.PRESETS, "cases": receptive},
        "pooling": {
            "grid": POOLING_GRID,
            "cases": pooling,
            "input_values": pooling_explorer.explorer_values(),
        },
        "im2col": {"grid": IM2COL_GRID, "cases": im2col},
        "im2col_matrix": {"cases": matrices, "input_values": im2col_explorer.explorer_values()},
    }
    classes = {
        "conv": conv_explorer.ConvExplorer,
        "image": image_explorer.ImageFilterExplorer,
        "budget": budget_explorer.ParamBudgetExplorer,
        "groups": budget_explorer.GroupsExplorer,
    }
    for name, explorer in classes.items():
        fixture[name]["refused"] = refused(explorer)
    fixture["groups"]["readers"] = group_readers()
    for name, explorer in [
        ("pooling", pooling_explorer.PoolingExplorer),
        ("im2col", im2col_explorer.Im2colExplorer),
    ]:  # their padding is an int: no padding strings
        values = [(n, v) for n, v in refused_values(explorer) if not isinstance(v, str)]
        fixture[name]["refused"] = refused(explorer, values)
    for part in fixture.values():  # a setting as its values, in the order of "keys"
        cases = part["cases"]
        if cases and isinstance(cases[0][0], dict):
            part["keys"] = list(cases[0][0])
            part["cases"] = [[list(setting.values()), expected] for setting, expected in cases]
    write_volume(folder)
    text = json.dumps(fixture, separators=(",", ":")).encode()
    (folder / "explorers.json.gz").write_bytes(gzip.compress(text, compresslevel=1, mtime=0))
    counts = {name: len(part["cases"]) for name, part in fixture.items()}
    print(f"explorer settings written to {folder}: {counts}, {len(photo_list)} photo convolutions")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/node-fixture"))
