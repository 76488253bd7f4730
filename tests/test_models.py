"""The model zoo matches the published parameter counts exactly and MACs within 1%."""

from __future__ import annotations

import pytest

import convlib
from convlib.nn import models

PUBLISHED = {
    # name: (parameters, parameters with BN running statistics or None, MACs or None)
    "alexnet": (60_965_224, None, None),
    "vgg16": (138_357_544, None, 15.47e9),
    "resnet50": (25_557_032, None, 4.09e9),
    "resnext50_32x4d": (25_028_904, None, 4.23e9),
    "mobilenet_v1": (4_231_976, 4_253_864, 569e6),
    "mobilenet_v2": (3_504_872, 3_538_984, 300e6),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_count_equals_the_published_count(name):
    builder, shape = models.MODELS[name]
    model = builder()
    assert model.num_params == PUBLISHED[name][0]
    assert convlib.summary(model, shape).total_params == PUBLISHED[name][0]


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[2]])
def test_macs_are_within_one_percent_of_the_published_figure(name):
    builder, shape = models.MODELS[name]
    assert builder().macs(shape) == pytest.approx(PUBLISHED[name][2], rel=0.01)


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[1]])
def test_keras_total_adds_batch_norm_running_statistics(name):
    builder, shape = models.MODELS[name]
    assert (
        convlib.summary(builder(), shape, include_buffers=True).total_params == PUBLISHED[name][1]
    )


def test_ungrouped_alexnet_has_more_parameters():
    assert models.alexnet(groups=1).num_params == 62_378_344
    grouped, single = models.alexnet(), models.alexnet(groups=1)
    conv2_grouped = grouped["features"]["conv2"].num_params
    assert conv2_grouped == 256 * 48 * 25 + 256
    assert single["features"]["conv2"].num_params == 256 * 96 * 25 + 256


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_model_maps_its_input_to_class_scores(name):
    builder, shape = models.MODELS[name]
    assert builder().output_shape(shape) == (1000,)


def test_alexnet_needs_227_pixels_for_its_9216_features():
    with pytest.raises(ValueError, match=r"layer 'classifier.1' .*Linear expected .*9216"):
        models.alexnet().output_shape((3, 224, 224))


EXACT = {  # name: (parameters, MACs at its input shape), from these specs, checked against torch
    "resnet50": (25_557_032, 4_089_184_256),  # torchvision v1.5: stride in the 3x3
    "resnet50_v1": (25_557_032, 3_857_973_248),  # the paper's v1: stride in the first 1x1
    "deeplab_lite": (678_901, 787_963_904),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_parameters_and_macs(name):
    builder, shape = models.MODELS[name]
    model = builder()
    assert (model.num_params, model.macs(shape)) == EXACT[name]


def test_resnet50_v1_costs_the_papers_3_8_gmacs_and_v1_5_costs_more():
    v1, v15 = models.resnet50_v1().macs((3, 224, 224)), models.resnet50().macs((3, 224, 224))
    assert round(v1 / 1e9, 1) == 3.9 and v1 < v15  # He et al.: "3.8 x 10^9 FLOPs" (truncated)
    assert models.resnet50_v1()["layer2"][0]["block"].body["conv1"].stride == (2, 2)
    assert models.resnet50()["layer2"][0]["block"].body["conv2"].stride == (2, 2)


def test_segmentation_network_has_dilated_and_transposed_layers_and_keeps_the_size():
    model = models.deeplab_lite()
    table = convlib.summary(model, (1, 3, 224, 224))
    assert table.output_shape == (1, 21, 224, 224)
    assert table.kind_counts()["dilated"] == 3 and table.kind_counts()["transposed"] == 3
    assert [r.kind for r in table.rows if r.kind == "transposed"] == ["transposed"] * 3


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_batched_and_unbatched_inputs_give_the_same_totals(name):
    builder, shape = models.MODELS[name]
    model = builder()
    one, unbatched, four = (convlib.summary(model, s) for s in ((1, *shape), shape, (4, *shape)))
    assert (one.total_params, one.total_macs) == (unbatched.total_params, unbatched.total_macs)
    assert four.total_macs == 4 * unbatched.total_macs
    assert four.output_shape == (4, *unbatched.output_shape)
    assert model.output_shape((4, *shape)) == (4, *model.output_shape(shape))


def _torch_resnet50(torch, v1):
    nn = torch.nn

    def bottleneck(c_in, planes, stride):
        s1, s3 = (stride, 1) if v1 else (1, stride)
        body = nn.Sequential(
            nn.Conv2d(c_in, planes, 1, s1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, planes, 3, s3, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, planes * 4, 1, bias=False), nn.BatchNorm2d(planes * 4),
        )  # fmt: skip
        shortcut = nn.Identity()
        if stride != 1 or c_in != planes * 4:
            shortcut = nn.Sequential(
                nn.Conv2d(c_in, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4)
            )
        return body, shortcut

    class Block(nn.Module):
        def __init__(self, *args):
            super().__init__()
            self.body, self.shortcut = bottleneck(*args)

        def forward(self, x):
            return torch.relu(self.body(x) + self.shortcut(x))

    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(3, 2, 1)]  # fmt: skip
    c_in = 64
    for index, (planes, count) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3), strict=True)):
        for block in range(count):
            layers.append(Block(c_in, planes, 2 if block == 0 and index > 0 else 1))
            c_in = planes * 4
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)]
    return nn.Sequential(*layers)


def _torch_deeplab_lite(torch):
    nn = torch.nn

    def conv_bn(c_in, c_out, k, stride=1, dilation=1):
        padding = dilation * (k - 1) // 2
        return [nn.Conv2d(c_in, c_out, k, stride, padding, dilation, bias=False),
                nn.BatchNorm2d(c_out), nn.ReLU()]  # fmt: skip

    class ASPP(nn.Module):
        def __init__(self):
            super().__init__()
            self.branches = nn.ModuleList(
                [nn.Sequential(*conv_bn(128, 64, 1))]
                + [nn.Sequential(*conv_bn(128, 64, 3, dilation=r)) for r in (6, 12, 18)]
            )

        def forward(self, x):
            return torch.cat([branch(x) for branch in self.branches], dim=1)

    return nn.Sequential(
        *conv_bn(3, 32, 3, 2), *conv_bn(32, 64, 3, 2), *conv_bn(64, 128, 3, 2),
        *conv_bn(128, 128, 3), ASPP(), *conv_bn(256, 128, 1),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.ConvTranspose2d(32, 21, 4, 2, 1),
    )  # fmt: skip


def _torch_counts(torch, module, shape):
    """Parameters, and MACs from the shapes torch really produces (forward hooks)."""
    macs = []

    def hook(layer, inputs, output):
        taps = layer.weight[0, 0].numel()
        if isinstance(layer, torch.nn.ConvTranspose2d):
            cells = inputs[0].numel() // inputs[0].shape[1]
            macs.append(cells * layer.in_channels * layer.out_channels // layer.groups * taps)
        elif isinstance(layer, torch.nn.Conv2d):
            cells = output.numel() // output.shape[1]
            macs.append(cells * layer.out_channels * layer.in_channels // layer.groups * taps)
        else:
            macs.append(output.numel() * layer.in_features)

    for layer in module.modules():
        if isinstance(layer, torch.nn.Conv2d | torch.nn.ConvTranspose2d | torch.nn.Linear):
            layer.register_forward_hook(hook)
    with torch.no_grad():
        output = module.eval()(torch.zeros(1, *shape))
    return sum(p.numel() for p in module.parameters()), sum(macs), tuple(output.shape[1:])


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_counts_agree_with_the_same_network_built_in_torch(name):
    torch = pytest.importorskip("torch")
    builder, shape = models.MODELS[name]
    module = {
        "resnet50": lambda: _torch_resnet50(torch, v1=False),
        "resnet50_v1": lambda: _torch_resnet50(torch, v1=True),
        "deeplab_lite": lambda: _torch_deeplab_lite(torch),
    }[name]()
    assert _torch_counts(torch, module, shape) == (*EXACT[name], builder().output_shape(shape))
