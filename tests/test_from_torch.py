"""from_torch: torch modules written by hand read into specs whose counts are torch's own.

For every model: the spec's parameters equal ``sum(p.numel())``; every leaf module's output shape
equals what a forward hook sees; every convolution's and linear layer's MACs equal torch's
``FlopCounterMode`` / 2 for that module; and the whole model's MACs equal the counter's total / 2.
"""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import convlib  # noqa: E402
from convlib import from_torch  # noqa: E402


class Bottleneck(nn.Module):
    """torchvision's ResNet bottleneck (v1.5: the stride in the 3x3), written out."""

    def __init__(self, cin: int, width: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__()
        cout = 4 * width
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNetStage(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 7, 2, 3, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        self.layer1 = nn.Sequential(Bottleneck(16, 8), Bottleneck(32, 8), Bottleneck(32, 16, 2, 4))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        return self.head(self.layer1(self.stem(x)))


class Inception(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.b1 = nn.Conv2d(8, 4, 1)
        self.b2 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(8, 2, 1), nn.Conv2d(2, 3, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(8, 3, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class UNet(nn.Module):
    """Two levels, skip connections by concatenation, transposed convolutions up."""

    def __init__(self, c: int = 8) -> None:
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True),
            )  # fmt: skip

        self.enc1, self.enc2, self.mid = block(1, c), block(c, 2 * c), block(2 * c, 4 * c)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = block(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 3, stride=2, padding=1, output_padding=1)
        self.dec1 = block(2 * c, c)
        self.out = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        m = self.mid(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.out(d1)


class InvertedResidual(nn.Module):
    """MobileNetV2's block: expand 1x1, depthwise 3x3, project 1x1, residual when it fits."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout),
        )  # fmt: skip

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class ASPP(nn.Module):
    """DeepLabv3's head: 1x1, three atrous 3x3 and an image-pooling branch, concatenated."""

    def __init__(self, cin: int = 16, c: int = 8, rates=(2, 4, 6)) -> None:
        super().__init__()
        self.branches = nn.ModuleList([nn.Conv2d(cin, c, 1, bias=False)])
        for r in rates:
            self.branches.append(nn.Conv2d(cin, c, 3, padding=r, dilation=r, bias=False))
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, c, 1, bias=False))
        self.project = nn.Sequential(nn.Conv2d(5 * c, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        outs = [b(x) for b in self.branches]
        outs.append(F.interpolate(self.pool(x), size=x.shape[-2:], mode="bilinear"))
        return self.project(torch.cat(outs, dim=1))


def every_conv_kind():
    return nn.Sequential(
        nn.Conv2d(4, 8, 3, padding="same", padding_mode="reflect"),
        nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2, padding_mode="circular"),
        nn.Conv2d(8, 8, (3, 5), stride=(2, 1), padding=(1, 2), groups=8, padding_mode="replicate"),
        nn.Conv2d(8, 6, 1, padding="valid", bias=False),
        nn.ConvTranspose2d(6, 6, 3, stride=2, padding=1, output_padding=1, groups=3, dilation=1),
        nn.ConvTranspose2d(6, 4, 4, stride=3, padding=2, output_padding=2, dilation=2, bias=False),
        nn.PixelUnshuffle(2),
        nn.Conv2d(16, 8, 3, padding=1, groups=4),
        nn.PixelShuffle(2),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        nn.Upsample(size=(9, 7)),
        nn.MaxPool2d(2, 1, dilation=2),
    )


def one_d():
    return nn.Sequential(
        nn.Conv1d(2, 4, 5, stride=2, padding=2), nn.MaxPool1d(3, 2, ceil_mode=True),
        nn.ConvTranspose1d(4, 4, 4, 2, 1, groups=4), nn.AvgPool1d(2),
        nn.Conv1d(4, 3, 3, padding="same", dilation=3), nn.Upsample(scale_factor=3, mode="linear"),
    )  # fmt: skip


def three_d():
    return nn.Sequential(
        nn.Conv3d(1, 4, 3, padding=1), nn.MaxPool3d(2), nn.Conv3d(4, 4, (1, 3, 3), groups=2),
        nn.ConvTranspose3d(4, 2, 2, stride=2, output_padding=1, dilation=1), nn.AvgPool3d(2),
        nn.Upsample(scale_factor=(1, 2, 2), mode="trilinear"),
    )  # fmt: skip


class Functional(nn.Module):
    """Functions in forward instead of modules, and a few layers convlib has no spec for."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.norm = nn.GroupNorm(2, 8)
        self.gamma = nn.Parameter(torch.ones(8, 1, 1))
        self.fc = nn.Linear(8 * 4 * 4, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.norm(self.conv(x))), 2)
        x = F.silu(x) * self.gamma
        x = F.avg_pool2d(x, 3, stride=1, padding=1)
        x = F.adaptive_avg_pool2d(x, (4, 4))
        return self.fc(torch.flatten(x, 1))


class ShapeDependent(nn.Module):
    """Python control flow on the input's shape: torch.fx cannot trace it, torch.export can.

    A block that downsamples only large inputs (as detection necks and U-Nets padding odd sizes
    do), with a residual addition, a grouped transposed convolution and a concatenation.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2, bias=False)
        self.up = nn.ConvTranspose2d(8, 8, 4, stride=2, padding=1, groups=4)
        self.side = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(8, 4, 1))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 5))

    def forward(self, x):
        x = self.stem(x)
        if x.shape[-1] >= 16:  # fx: "symbolically traced variables cannot be used as inputs..."
            x = x + self.up(F.relu(self.down(x)))
        return self.head(torch.cat([x, self.side(x)], dim=1))


CASES = {
    "resnet_stage": (ResNetStage, (2, 3, 64, 64)),
    "inception": (lambda: nn.Sequential(nn.Conv2d(3, 8, 3), Inception()), (1, 3, 20, 20)),
    "unet": (UNet, (1, 1, 32, 32)),
    "mobilenet_v2_blocks": (
        lambda: nn.Sequential(InvertedResidual(8, 16, 2, 6), InvertedResidual(16, 16, 1, 6)),
        (3, 8, 32, 32),
    ),
    "deeplab_head": (lambda: nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), ASPP()), (1, 3, 33, 33)),
    "every_conv_kind": (every_conv_kind, (2, 4, 17, 13)),
    "one_d": (one_d, (2, 2, 40)),
    "three_d": (three_d, (1, 1, 8, 10, 12)),
    "functional": (Functional, (2, 3, 18, 18)),
    "shape_dependent": (ShapeDependent, (2, 3, 20, 18)),  # read through torch.export
}


def _build(name):
    torch.manual_seed(0)
    factory, shape = CASES[name]
    return factory().eval(), shape


def _torch_facts(model, shape):
    """Each leaf module's output shape (forward hooks) and MACs (FlopCounterMode / 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    shapes, handles = {}, []
    for name, module in model.named_modules():
        if name and not list(module.children()):

            def hook(m, args, out, name=name):
                shapes.setdefault(name, tuple(out.shape))

            handles.append(module.register_forward_hook(hook))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(shape))
    for handle in handles:
        handle.remove()
    root = type(model).__name__
    flops = {
        key[len(root) + 1 :]: sum(ops.values())
        for key, ops in counter.get_flop_counts().items()
        if key.startswith(root + ".")
    }
    return shapes, flops, counter.get_total_flops()


@pytest.mark.parametrize("name", sorted(CASES))
def test_spec_parameters_equal_the_modules_parameter_count(name):
    model, shape = _build(name)
    assert from_torch(model, shape).num_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_leaf_output_shape_equals_torchs_forward_hook(name):
    model, shape = _build(name)
    spec = from_torch(model, shape)
    hooks, _, _ = _torch_facts(model, shape)
    seen = 0
    for _, layer, in_shape in spec.leaves(shape):
        if layer.torch_name in hooks:
            assert layer.output_shape(in_shape) == hooks[layer.torch_name], layer.torch_name
            seen += 1
    assert seen == len(hooks)  # every leaf module of the model was checked
    with torch.no_grad():
        assert spec.output_shape(shape) == tuple(model(torch.zeros(shape)).shape)


@pytest.mark.parametrize("name", sorted(CASES))
def test_conv_and_linear_macs_equal_flop_counter_halved(name):
    model, shape = _build(name)
    spec = from_torch(model, shape)
    _, flops, total = _torch_facts(model, shape)
    kinds = (convlib.nn.layers._ConvNd, convlib.Linear)
    checked = 0
    for _, layer, in_shape in spec.leaves(shape):
        if isinstance(layer, kinds):
            assert 2 * layer.macs(in_shape) == flops[layer.torch_name], layer.torch_name
            checked += 1
    assert checked > 0
    assert 2 * convlib.summary(spec, shape).total_macs == total
    assert convlib.summary(spec, shape, flops=True).total_operations == total


def test_branches_become_residual_and_parallel_blocks():
    model, shape = _build("resnet_stage")
    spec = from_torch(model, shape)
    blocks = [layer for _, layer in spec.children()]
    residuals = [b for b in blocks if isinstance(b, convlib.Residual)]
    assert len(residuals) == 3
    assert residuals[0].shortcut is not None and residuals[1].shortcut is None
    unet = from_torch(*_build("unet"))
    cats = [layer for _, layer in unet.children() if isinstance(layer, convlib.Parallel)]
    assert len(cats) == 1 and cats[0].merge == "cat"  # the outer skip holds the inner one
    assert any(
        isinstance(layer, convlib.Parallel) for _, layer in cats[0].children()[0][1].children()
    )


def test_layers_without_a_spec_are_pass_through_rows_with_torchs_counts():
    model, shape = _build("functional")
    spec = from_torch(model, shape)
    rows = {layer.torch_name: layer for _, layer, _ in spec.leaves(shape)}
    assert isinstance(rows["norm"], convlib.PassThrough) and rows["norm"].num_params == 16
    assert rows["mul"].num_params == 8  # the learned scale read in forward
    assert isinstance(rows["max_pool2d"], convlib.MaxPool2d)
    assert isinstance(rows["flatten"], convlib.Flatten)
    assert not rows["silu"].modelled and rows["silu"].type_name == "silu"


class DataDependent(nn.Module):
    def forward(self, x):
        return x * 2 if x.sum() > 0 else x


def test_a_submodule_fx_cannot_trace_is_kept_whole():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), DataDependent(), nn.Conv2d(4, 2, 1))
    spec = from_torch(model, (1, 3, 8, 8))
    assert [type(layer).__name__ for layer in spec] == ["Conv2d", "PassThrough", "Conv2d"]
    assert spec[1].type_name == "DataDependent"


def test_an_untraceable_top_level_forward_names_the_module():
    # control flow on the tensor's values: neither fx nor torch.export can trace it
    with pytest.raises(
        ValueError,
        match="torch.fx cannot trace DataDependent: its forward .*; torch.export cannot trace "
        "it either: .*data-dependent",
    ):
        from_torch(DataDependent(), (1, 3, 8, 8))


def test_shape_dependent_control_flow_stops_fx_so_from_torch_uses_torch_export(monkeypatch):
    model, shape = _build("shape_dependent")
    with pytest.raises(torch.fx.proxy.TraceError, match="control flow"):
        torch.fx.symbolic_trace(model)
    from convlib.nn import torch_export

    calls = []
    exported_graph = torch_export.exported_graph
    monkeypatch.setattr(
        torch_export, "exported_graph", lambda *a: calls.append(1) or exported_graph(*a)
    )
    spec = from_torch(model, shape)
    assert calls == [1]
    blocks = [type(layer).__name__ for _, layer in spec.children()]
    assert blocks == ["Conv2d", "BatchNorm2d", "ReLU", "Residual", "Parallel"] + [
        "AdaptiveAvgPool2d", "Flatten", "Linear"
    ]  # fmt: skip
    assert not any(isinstance(layer, convlib.PassThrough) for _, layer, _ in spec.leaves(shape))


def test_a_submodule_fx_cannot_trace_but_torch_export_can_is_read_layer_by_layer():
    model = nn.Sequential(nn.Conv2d(3, 3, 1), ShapeDependent(), nn.Softmax(1))
    spec = from_torch(model, (1, 3, 16, 16))
    names = [layer.torch_name for _, layer, _ in spec.leaves((1, 3, 16, 16))]
    assert "1.up" in names and "1.head.2" in names  # not one opaque row for the whole block
    assert spec.num_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(set(CASES) - {"shape_dependent"}))
def test_torch_export_reads_every_model_exactly_as_fx_does(name, monkeypatch):
    model, shape = _build(name)
    by_fx = str(convlib.summary(from_torch(model, shape), shape))

    def fx_fails(module, opaque):
        raise ValueError("torch.fx cannot trace it (planted for this test)")

    monkeypatch.setattr(convlib.nn.torch_trace, "_trace", fx_fails)
    by_export = str(convlib.summary(from_torch(model, shape), shape))
    assert by_export == by_fx  # names, kinds, shapes, parameters, MACs, receptive fields


class NotSeriesParallel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Conv2d(4, 4, 1), nn.Conv2d(4, 4, 1)

    def forward(self, x):
        a = self.a(x)
        return torch.cat([a, self.b(a), x], 1)


class MultiplyBranches(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


@pytest.mark.parametrize(
    "model, match",
    [
        (NotSeriesParallel(), "'a' is reached along two branches"),
        (MultiplyBranches(), "cannot read 'mul' .* only additions"),
    ],
)
def test_graphs_convlib_cannot_express_raise_naming_the_node(model, match):
    with pytest.raises(ValueError, match=match):
        from_torch(model, (1, 4, 6, 6))


@pytest.mark.parametrize(
    "module, shape, error, match",
    [
        ("not a module", (1, 3, 8, 8), TypeError, "module must be a torch.nn.Module"),
        (nn.Conv2d(3, 4, 3), 7, TypeError, "input_shape must be a tuple"),
        (nn.Conv2d(3, 4, 3), (1, 0, 8, 8), ValueError, "input_shape entry"),
        (nn.Conv2d(3, 4, 3), (1, 5, 8, 8), ValueError, "Conv2d cannot run on an input"),
    ],
)
def test_bad_arguments_are_named(module, shape, error, match):
    with pytest.raises(error, match=match):
        from_torch(module, shape)


def test_forward_output_size_of_a_transposed_conv_is_read_from_torch():
    class Up(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)

        def forward(self, x):
            return self.up(x, output_size=(12, 11))

    spec = from_torch(Up(), (1, 2, 6, 6))
    assert spec[0].output_padding == (1, 0) and spec.output_shape((1, 2, 6, 6)) == (1, 2, 12, 11)


MODELLED = (
    nn.modules.conv._ConvNd, nn.Linear, nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.Flatten,
    nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd, nn.AdaptiveAvgPool2d,
    nn.Upsample, nn.PixelShuffle, nn.PixelUnshuffle,
)  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_module_convlib_models_gets_its_spec_not_a_pass_through(name):
    model, shape = _build(name)
    spec = from_torch(model, shape)
    modules = dict(model.named_modules())
    for _, layer, _ in spec.leaves(shape):
        module = modules.get(layer.torch_name.rsplit("_", 1)[0]) or modules.get(layer.torch_name)
        if isinstance(module, MODELLED):
            assert not isinstance(layer, convlib.PassThrough), layer.torch_name
            assert type(layer).__name__ == type(module).__name__


def test_importing_convlib_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, convlib; convlib.from_torch; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- receptive fields: convlib's arithmetic against the gradient's support in torch -----------


def _positive_probe(model):
    """The model with every weight 0.1 and bias 0, max pools swapped for average pools of the
    same window (a max pool's gradient reaches one cell of its window): every path from an
    input cell to an output cell then carries a positive gradient, so the gradient's support
    is the receptive field (a brute-force measurement)."""
    probe = copy.deepcopy(model).double().eval()
    for module in list(probe.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.modules.pooling._MaxPoolNd):
                assert set(_tuple(child.dilation)) == {1}  # an average pool has no dilation
                pool = getattr(nn, type(child).__name__.replace("Max", "Avg"))
                args = (child.kernel_size, child.stride, child.padding, child.ceil_mode)
                setattr(module, child_name, pool(*args, count_include_pad=True))
    with torch.no_grad():
        for p in probe.parameters():
            p.fill_(0.1)
    return probe


def _tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _support(probe, shape, cell):
    """Per spatial axis, (first, last) input index with a non-zero gradient of output ``cell``
    (summed over channels)."""
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    y = probe(x)
    y[(0, slice(None), *cell)].sum().backward()
    grad = x.grad[0].abs().sum(0)
    spans = []
    for axis in range(grad.dim()):
        others = tuple(a for a in range(grad.dim()) if a != axis)
        line = grad.sum(others) if others else grad
        where = line.nonzero()[:, 0]
        spans.append((int(where[0]), int(where[-1])))
    return spans


def _fields(model, shape):
    table = convlib.summary(from_torch(model, shape), shape)
    return table.output_field, table


RF_CASES = {
    "dilated_strided_stack": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(2, 2, 3, stride=2, dilation=2),
            nn.MaxPool2d(3, 2, 1),
            nn.Conv2d(2, 2, (5, 3), padding=(2, 0), dilation=(1, 3)),
            nn.AvgPool2d(2),
            nn.PixelUnshuffle(2),
            nn.Conv2d(8, 1, 3, padding="same"),
        ),
        (1, 1, 193, 217),
    ),  # fmt: skip
    "resnet_stage": (lambda: nn.Sequential(*list(ResNetStage().children())[:2]), (1, 3, 97, 97)),
    "inception": (CASES["inception"][0], (1, 3, 41, 41)),
    "mobilenet_v2_blocks": (CASES["mobilenet_v2_blocks"][0], (1, 8, 49, 49)),
    "deeplab_aspp_without_image_pool": (
        lambda: nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), *list(ASPP().branches)[1:2]),
        (1, 3, 61, 61),
    ),
    "one_d": (
        lambda: nn.Sequential(nn.Conv1d(1, 2, 5, 2, 2), nn.MaxPool1d(3, 2), nn.Conv1d(2, 1, 3)),
        (1, 1, 200),
    ),
    "three_d": (
        lambda: nn.Sequential(nn.Conv3d(1, 2, 3, 2, 1), nn.Conv3d(2, 1, (1, 3, 5), dilation=2)),
        (1, 1, 21, 23, 25),
    ),
}


@pytest.mark.parametrize("name", sorted(RF_CASES))
def test_receptive_field_of_every_output_cell_is_the_gradients_support(name):
    torch.manual_seed(0)
    factory, shape = RF_CASES[name]
    model = factory().eval()
    field, _ = _fields(model, shape)
    probe = _positive_probe(model)
    out_spatial = tuple(probe(torch.zeros(shape, dtype=torch.float64)).shape[2:])
    middle = tuple(n // 2 for n in out_spatial)
    for cell in (middle, tuple(m + 1 for m in middle)):
        for axis, (low, high) in enumerate(_support(probe, shape, cell)):
            f = field[axis]
            centre = f.start + cell[axis] * f.jump
            assert (low, high) == (centre - (f.size - 1) / 2, centre + (f.size - 1) / 2), (
                name, axis, cell,
            )  # fmt: skip


UPSAMPLING_CASES = {
    "unet": (CASES["unet"][0], (1, 1, 64, 64)),
    "transposed": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 2, 3),
            nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, output_padding=1),
            nn.ConvTranspose2d(2, 1, 4, stride=3, dilation=2, padding=2, groups=1),
        ),
        (1, 1, 30, 30),
    ),  # fmt: skip
    "upsample_and_shuffle": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 4, 3, 2),
            nn.PixelShuffle(2),
            nn.Conv2d(1, 2, 3),
            nn.Upsample(scale_factor=2, mode="bilinear"),
            nn.Conv2d(2, 1, 3),
            nn.Upsample(scale_factor=3),
            nn.Conv2d(1, 1, 3),
        ),
        (1, 1, 40, 40),
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", sorted(UPSAMPLING_CASES))
def test_after_upsampling_the_field_size_is_the_largest_support_over_output_phases(name):
    torch.manual_seed(0)
    factory, shape = UPSAMPLING_CASES[name]
    model = factory().eval()
    field, _ = _fields(model, shape)
    probe = _positive_probe(model)
    out_spatial = tuple(probe(torch.zeros(shape, dtype=torch.float64)).shape[2:])
    middle = [n // 2 for n in out_spatial]
    widest = [0] * len(middle)
    for offset in range(12):  # every phase of the upsampling factors (at most 12 here)
        cell = tuple(m + offset for m in middle)
        for axis, (low, high) in enumerate(_support(probe, shape, cell)):
            widest[axis] = max(widest[axis], high - low + 1)
    assert widest == [f.size for f in field]


class AsymmetricResidual(nn.Module):
    """x + conv(x) with an even kernel and padding='same': torch pads 0 before and 1 after."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 2, padding="same")

    def forward(self, x):
        return x + self.conv(x)


class AvgShortcut(nn.Module):
    """ResNet-D's shortcut (2x2 average pool) beside a strided 1x1 convolution."""

    def __init__(self) -> None:
        super().__init__()
        self.body, self.pool = nn.Conv2d(2, 2, 1, stride=2), nn.AvgPool2d(2)

    def forward(self, x):
        return self.body(x) + self.pool(x)


@pytest.mark.parametrize("module", [AsymmetricResidual, AvgShortcut])
def test_misaligned_branches_are_reported_and_the_union_is_the_first_cells_support(module):
    model = module().eval()
    shape = (1, 2, 12, 12)
    field, table = _fields(model, shape)
    assert [axes for _, axes in table.misaligned] == [(0, 1)]
    assert "Misaligned branches" in str(table)
    probe = _positive_probe(model)
    for axis, (low, high) in enumerate(_support(probe, shape, (0, 0))):
        f = field[axis]
        low_field = f.start - (f.size - 1) / 2
        # the union for cell 0, clipped at the input's first cell
        assert (low, high) == (max(low_field, 0), f.start + (f.size - 1) / 2)


def test_aligned_branches_are_not_reported():
    _, table = _fields(*_build("resnet_stage"))
    assert table.misaligned == ()


def test_effective_receptive_field_is_inside_the_theoretical_one():
    torch.manual_seed(0)
    model = nn.Sequential(*[nn.Conv2d(2 if i else 1, 2, 3, padding=1) for i in range(8)]).eval()
    shape = (1, 1, 41, 41)
    erf = convlib.effective_receptive_field(model, shape)
    field, table = _fields(model, shape)
    assert erf.support == tuple(f.size for f in field) == (17, 17)
    assert all(e < s for e, s in zip(erf.extent, erf.support, strict=True))
    text = str(convlib.summary(from_torch(model, shape), shape, effective=erf))
    assert "95% of |gradient| within" in text and "of the 17x17 cells it reaches" in text
    with pytest.raises(ValueError, match="mass must be in"):
        convlib.effective_receptive_field(model, shape, mass=0)
