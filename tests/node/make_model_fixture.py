"""Write what convlib makes of printed models, for the "paste your model" explorer's node test.

``python tests/node/make_model_fixture.py DIR`` writes ``DIR/model.json.gz``: a list of
``[text, input shape, expected]`` where ``text`` is what ``print(model)`` shows for a torch model
built here (hand-written ones covering every layer kind ``from_torch_repr`` reads, and seeded
random stacks of them), a receptive explorer's stack, or malformed text; ``expected`` is
:func:`convlib.widgets.describe_model`, i.e. ``convlib.summary(convlib.from_torch_repr(text),
shape)`` (the public functions) with the warnings and messages. Also the names of the printed
layers convlib has a spec for. ``node --test tests/node/model.test.mjs`` compares model.mjs with it.
torch is needed (it prints the models); without it the script says so and exits.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import warnings
from pathlib import Path

import convlib.nn
from convlib.widgets import describe_model

SEED = 29
RANDOM_MODELS = 400


def hand_written(nn, torch) -> list[tuple[str, str]]:
    """(print(model) text, input shape) of models that show every kind of layer at least once."""

    class Block(nn.Module):  # a custom module: its forward is not in the text
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(8, 8, 3, padding=1)
            self.norm = nn.GroupNorm(2, 8)
            self.scale = nn.Parameter(torch.ones(1))

        def forward(self, x):
            return x + self.scale * self.norm(self.conv(x))

    models = [
        (nn.Sequential(nn.Conv1d(2, 4, 5, stride=2, padding=2, dilation=1), nn.ReLU(),
                       nn.MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True),
                       nn.AvgPool1d(2), nn.ConvTranspose1d(4, 2, 4, stride=3, padding=1,
                                                            output_padding=2, dilation=1),
                       nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
                       nn.Flatten(), nn.Linear(20, 3)), "1, 2, 20"),
        (nn.Sequential(nn.Conv3d(3, 6, (3, 2, 1), stride=(1, 2, 1), padding=(1, 0, 0),
                                 groups=3, bias=False), nn.MaxPool3d(2, ceil_mode=True),
                       nn.AvgPool3d((1, 2, 2), stride=1, padding=(0, 1, 1)),
                       nn.ConvTranspose3d(6, 4, 2, stride=2, groups=2),
                       nn.Upsample(size=(6, 7, 8), mode="trilinear"), nn.Dropout3d(0.1)),
         "2, 3, 5, 8, 6"),
        (nn.Sequential(nn.Conv2d(4, 8, 3, dilation=2, padding="same", padding_mode="circular"),
                       nn.Conv2d(8, 8, 3, groups=8, padding=1, padding_mode="replicate"),
                       nn.Conv2d(8, 12, (1, 1)), nn.ChannelShuffle(3),
                       nn.Conv2d(12, 16, 3, groups=4, stride=(2, 1), padding="valid"),
                       nn.PixelShuffle(2), nn.PixelUnshuffle(2), nn.LocalResponseNorm(3),
                       nn.Upsample(scale_factor=(2, 3), mode="nearest-exact"),
                       nn.Upsample(size=9, mode="bicubic", align_corners=False),
                       nn.AdaptiveAvgPool2d((None, 4)), nn.Softmax(dim=1)), "4, 11, 13"),
        (nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), Block(), nn.BatchNorm2d(8, affine=False),
                       nn.LeakyReLU(0.1), nn.GELU(), nn.Identity(), nn.PReLU(8),
                       nn.InstanceNorm2d(8, affine=True), nn.Flatten(1),
                       nn.LayerNorm(8 * 64), nn.Linear(8 * 64, 10, bias=False), nn.ReLU6(),
                       nn.Dropout(0.2), nn.Linear(10, 2)), "3, 8, 8"),
        (nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 3)), "2, 3"),
        (nn.Sequential(nn.Conv2d(3, 3, 3), nn.ReLU(), nn.ReLU(), nn.ReLU(),
                       nn.Sequential(nn.Conv2d(3, 3, 3), nn.Conv2d(3, 3, 3), nn.Conv2d(3, 3, 3)),
                       nn.AdaptiveMaxPool2d(1), nn.Sigmoid()), "1, 3, 16, 16"),
        (nn.Sequential(nn.MultiheadAttention(8, 2), nn.RMSNorm([4, 8]),
                       nn.Bilinear(3, 4, 5), nn.BatchNorm1d(5), nn.BatchNorm3d(2)), "4, 8"),
        (nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, dilation=1,
                            groups=4, bias=False), "8, 5, 5"),
        (nn.Linear(5, 3), "7, 5"),
        (nn.Sequential(nn.Conv2d(3, 4, 1),  # identical children print as "(0-2): 3 x ..."
                       nn.ModuleList([nn.Conv2d(4, 4, 3, padding=1) for _ in range(3)])),
         "3, 8, 8"),
    ]  # fmt: skip
    return [(str(model), shape) for model, shape in models]


def stacks() -> list[tuple[str, str]]:
    """The receptive explorer's text, good and bad, with input shapes."""
    return [
        ("3,1,1; 3,1,2; 3,1,4; 3,1,8", "1, 64, 64"),
        ("3,1,2; 3,1,2; 3,1,2", "2, 3, 20, 20"),
        ("3,1,1; 2,2,1; 3,1,1", "4, 9, 9"),
        ("7,2,1; 3,2,1", "3, 32, 32"),
        ("5,3,2", "1, 4, 4"),
        ("3,1", "1, 8, 8"),
        ("3,0,1", "1, 8, 8"),
        (";", "1, 8, 8"),
        ("3,1,1", "0, 8, 8"),
        ("3,1,1", "8, 8"),
        ("3,1,1", "x"),
    ]


def typed() -> list[tuple[str, str]]:
    """Text a reader may type that torch does not print: Upsample's align_corners (torch's
    extra_repr leaves it out), which moves the receptive field of the linear modes."""
    conv = "Conv2d(2, 2, kernel_size=(3, 3), stride=(2, 2))"
    up = "Sequential(\n  (0): " + conv + "\n  (1): Upsample({})\n)"
    return [
        (up.format("scale_factor=2.0, mode='bilinear', align_corners=True"), "2, 9, 11"),
        (up.format("size=(7, 13), mode='bicubic', align_corners=True"), "1, 2, 9, 11"),
        (up.format("scale_factor=3, mode='bilinear', align_corners=False"), "2, 9, 11"),
    ]


def malformed() -> list[tuple[str, str]]:
    """Text and shapes that convlib refuses, with its messages."""
    conv = "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))"
    return [
        ("", "3, 8, 8"),
        ("   \n  ", "3, 8, 8"),
        ("hello world", "3, 8, 8"),
        ("Sequential(\n  (0): " + conv + "\n", "3, 8, 8"),
        ("Sequential(\n  (0): " + conv + "\n)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d 3 8\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), bogus=1)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, 3, 1, 0, 1, 1, True, 'zeros', 9)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), groups=2)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3, 3))\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, kernel_size=2.0)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, 3, stride=2, padding=same)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, 3, padding=middle)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Conv2d(3, 8, 3, padding_mode=mirror)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): ConvTranspose2d(3, 8, 3, stride=2, output_padding=2)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): MaxPool2d(kernel_size=2, stride=2, padding=2)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Upsample(mode='nearest')\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Upsample(scale_factor=2, mode='area')\n)", "3, 8, 8"),
        ("Sequential(\n  (0-2): 2 x ReLU()\n)", "3, 8, 8"),
        ("Sequential(\n  (0): GroupNorm(4)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): Bilinear(3, 4, 5)\n)", "3, 8, 8"),
        ("Sequential(\n  (0): " + conv + "\n)", "3, 8"),
        ("Sequential(\n  (0): " + conv + "\n)", "4, 8, 8"),
        ("Sequential(\n  (0): " + conv + "\n)", "3, 2, 2"),
        ("Sequential(\n  (0): " + conv + "\n)", "3, 0, 8"),
        ("Sequential(\n  (0): " + conv + "\n)", "three, 8, 8"),
        ("Sequential(\n  (0): " + conv + "\n)", "(2, 3, 8, 8)"),
        ("Sequential(\n  (0): " + conv + "\n)", "0, 3, 8, 8"),
        ("Sequential(\n  (0): Linear(in_features=5, out_features=2, bias=True)\n)", "3, 4"),
        ("Sequential(\n  (0): PixelShuffle(upscale_factor=2)\n)", "3, 4, 4"),
        ("Sequential(\n  (0): PixelUnshuffle(downscale_factor=3)\n)", "3, 4, 4"),
        ("Sequential(\n  (0): AvgPool3d(kernel_size=4)\n)", "1, 3, 4, 4"),
        ("Sequential(\n  (0): MaxPool2d(kernel_size=5, padding=1)\n)", "1, 2, 2"),
        ("Sequential(\n  (0): ConvTranspose1d(1, 1, 1, padding=2)\n)", "1, 2"),
        ("Sequential(\n  (0): BatchNorm2d(4)\n)", "3, 5, 5"),
        ("Sequential(\n  (0): Upsample(scale_factor=2.0, mode='bilinear')\n)", "3, 5"),
        ("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))", "3, 8, 8"),
    ]


def printed_spec_names() -> list[str]:
    """The printed layer types from_torch_repr reads as convlib specs: every layer spec convlib.nn
    exports (not the base class, containers or PassThrough), and torch's name for
    MultiheadAttention's output Linear."""
    nn = convlib.nn
    other = (nn.Sequential, nn.Residual, nn.Parallel, nn.PassThrough)
    specs = [
        name
        for name in nn.__all__
        if isinstance(layer := getattr(nn, name), type)
        and issubclass(layer, nn.Layer)
        and layer is not nn.Layer
        and not issubclass(layer, other)
    ]
    return sorted([*specs, "NonDynamicallyQuantizableLinear"])


def main(folder: Path) -> None:
    warnings.filterwarnings("ignore", module="torch")  # e.g. padding='same' with even kernels
    try:
        import torch
        from torch import nn
    except ImportError:
        sys.exit("make_model_fixture.py needs torch (pip install -e '.[test]')")
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    cases = hand_written(nn, torch)
    from convlib.widgets.model_explorer import PRESETS

    cases += [(text, shape) for _, text, shape in PRESETS]
    for _ in range(RANDOM_MODELS):
        model, shape = _random_model(nn, torch, rng)
        cases.append((model, shape))
    cases += stacks() + typed() + malformed()
    fixture = {
        "specs": printed_spec_names(),
        "cases": [[text, shape, describe_model(text, shape)] for text, shape in cases],
    }
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "model.json.gz", "wt", encoding="utf-8") as stream:
        json.dump(fixture, stream)


def _random_model(nn, torch, rng: random.Random) -> tuple[str, str]:
    text, shape = None, None
    while text is None:
        c, h, w = rng.choice([1, 2, 3, 4, 6, 8]), rng.randint(4, 24), rng.randint(4, 24)
        layers, current = _random_layers(nn, torch, rng, [c, h, w])
        if layers:
            text = str(nn.Sequential(*layers))
            batch = f"{rng.randint(0, 2)}, " if rng.random() < 0.4 else ""
            if rng.random() < 0.05:  # a shape the model cannot take: summary's message
                c += 1
            shape = batch + ", ".join(map(str, (c, h, w)))
    return text, shape


def _random_layers(nn, torch, rng, shape):
    layers = []
    for _ in range(rng.randint(1, 8)):
        layer = _random_layer(nn, rng, shape[0])
        try:
            with torch.no_grad():
                out = layer.eval()(torch.zeros(1, *shape))
        except (RuntimeError, ValueError):
            continue
        if out.numel() == 0 or out.shape[1] > 64 or max(out.shape[2:]) > 200:
            continue
        layers.append(layer)
        shape = list(out.shape[1:])
    return layers, shape


def _random_layer(nn, rng, c):
    choice = rng.choice(["conv", "conv", "conv", "transpose", "maxpool", "avgpool", "bn",
                         "act", "upsample", "shuffle", "adaptive", "seq"])  # fmt: skip
    k, s, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3)
    g = rng.choice([g for g in range(1, c + 1) if c % g == 0])
    cout = g * rng.randint(1, 3)
    if choice == "conv":
        padding = rng.choice([0, 1, 2, "same", "valid"]) if s == 1 else rng.randint(0, 2)
        mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        return nn.Conv2d(c, cout, k, s, padding, d, g, rng.random() < 0.7, mode)
    if choice == "transpose":
        op = rng.randint(0, max(s, d) - 1)
        return nn.ConvTranspose2d(c, cout, k, s, rng.randint(0, 1), op, g, rng.random() < 0.5, d)
    if choice == "maxpool":
        return nn.MaxPool2d(k, rng.choice([None, 1, 2]), rng.randint(0, k // 2), d,
                            ceil_mode=rng.random() < 0.5)  # fmt: skip
    if choice == "avgpool":
        return nn.AvgPool2d(k, rng.choice([None, 1, 2]), rng.randint(0, k // 2))
    if choice == "bn":
        return nn.BatchNorm2d(c, affine=rng.random() < 0.8)
    if choice == "act":
        return rng.choice([nn.ReLU(), nn.ReLU6(inplace=True), nn.Hardswish(), nn.Tanh()])
    if choice == "upsample":
        mode = rng.choice(["nearest", "nearest-exact", "bilinear", "bicubic"])
        corners = rng.choice([None, True, False]) if mode in ("bilinear", "bicubic") else None
        if rng.random() < 0.5:
            factor = rng.choice([2, 3, 1.5, 0.5, (2, 1)])
            return nn.Upsample(scale_factor=factor, mode=mode, align_corners=corners)
        size = (rng.randint(3, 30), rng.randint(3, 30))
        return nn.Upsample(size=size, mode=mode, align_corners=corners)
    if choice == "shuffle":
        r = rng.choice([2, 3])
        return nn.PixelShuffle(r) if c % (r * r) == 0 else nn.PixelUnshuffle(r)
    if choice == "adaptive":
        return nn.AdaptiveAvgPool2d(rng.choice([1, 3, (2, 5), (None, 3)]))
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 1))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("_build/node-fixture"))
