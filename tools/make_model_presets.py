"""Write the "paste your model" explorer's examples (convlib/widgets/model_presets.json).

Each example is what ``print(model)`` shows for a small torch model built here, with an input
shape, so the explorer's presets are torch's own text, never typed by hand. Needs torch:
``python tools/make_model_presets.py``; ``tests/test_model_explorer.py`` checks the file is what
this script writes (where torch is installed).
"""

from __future__ import annotations

import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "convlib" / "widgets" / "model_presets.json"


def presets() -> list[list[str]]:
    """``[name, print(model) text, input shape]`` of each example, in the explorer's order."""
    from torch import nn

    class BasicBlock(nn.Module):  # torchvision's ResNet block, written out
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + self.downsample(x))

    vgg = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )  # fmt: skip
    mobilenet = nn.Sequential(  # MobileNetV2's inverted residual, stride 2 (no skip)
        nn.Conv2d(16, 96, 1, bias=False), nn.BatchNorm2d(96), nn.ReLU6(inplace=True),
        nn.Conv2d(96, 96, 3, stride=2, padding=1, groups=96, bias=False), nn.BatchNorm2d(96),
        nn.ReLU6(inplace=True),
        nn.Conv2d(96, 24, 1, bias=False), nn.BatchNorm2d(24),
    )  # fmt: skip
    decoder = nn.Sequential(
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.Conv2d(16, 12, 3, padding="same", padding_mode="reflect"), nn.PixelShuffle(2),
    )  # fmt: skip
    return [
        ["VGG-like stack", str(vgg), "3, 32, 32"],
        ["MobileNetV2 block (depthwise)", str(mobilenet), "16, 56, 56"],
        ["decoder: transposed, upsampling, pixel shuffle", str(decoder), "1, 32, 8, 8"],
        ["ResNet BasicBlock (branches: ambiguous)", str(BasicBlock(64, 128, 2)), "64, 56, 56"],
        ["receptive explorer's stack: dilations 1, 2, 4, 8", "3,1,1; 3,1,2; 3,1,4; 3,1,8",
         "1, 64, 64"],
    ]  # fmt: skip


def main() -> None:
    OUTPUT.write_text(json.dumps(presets(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
