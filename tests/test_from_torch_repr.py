"""from_torch_repr: the text print(model) shows gives torch's parameter count, and for
sequential models torch's shapes and MACs (compared with from_torch, itself checked against
torch's hooks and FlopCounterMode in tests/test_from_torch.py)."""

from __future__ import annotations

import warnings

import pytest

import convlib
from convlib import from_torch_repr

RESNET_TEXT = """ResNet(
  (conv1): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
  (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (layer1): Sequential(
    (0): BasicBlock(
      (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (relu): ReLU(inplace=True)
    )
    (1-2): 2 x BasicBlock(
      (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (relu): ReLU(inplace=True)
    )
  )
  (fc): Linear(in_features=512, out_features=1000, bias=True)
)"""


def test_parameters_of_a_printed_model_without_torch():
    with pytest.warns(UserWarning, match=r"ResNet, layer1\.0 \(BasicBlock\), layer1\.1"):
        spec = from_torch_repr(RESNET_TEXT)
    conv = 64 * 64 * 9
    assert spec.num_params == 3 * 64 * 49 + 128 + 3 * conv + 512 * 1000 + 1000
    assert [name for name, _ in spec["layer1"].children()] == ["0", "1", "2"]
    assert spec.type_name == "ResNet" and not spec.sequential and spec.exact_params


def test_a_sequential_text_is_read_without_warnings():
    text = """Sequential(
  (0): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)
  (1): GELU(approximate='none')
  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)
)"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = from_torch_repr(text)
    assert spec.sequential and spec[0].padding == "same" and spec[0].padding_mode == "reflect"
    assert spec.output_shape((1, 3, 9, 9)) == (1, 4, 5, 5)


@pytest.mark.parametrize(
    "text, match",
    [
        ("Sequential(\n  (0): Conv2d(3, 4\n)", r"line 2: expected 'Type\(arguments\)'"),
        ("Sequential(\n  (0): Conv2d(3, 4, kernel_size=0)\n)", r"line 2: Conv2d\(.*kernel_size"),
        ("Sequential(\n  (0): ReLU()\n", "closing '\\)' is missing"),
        ("Sequential(\n  (0): ReLU()\n)\nextra()", "line 4: text after"),
        ("  \n", "text is empty"),
        ("Sequential(\n  (0-2): 2 x ReLU()\n)", "0-2 does not hold 2 modules"),
    ],
)
def test_malformed_text_names_the_line(text, match):
    with pytest.raises(ValueError, match=match):
        from_torch_repr(text)


def test_text_must_be_a_string():
    with pytest.raises(TypeError, match="text must be a str"):
        from_torch_repr(b"Sequential()")


# --- against torch ------------------------------------------------------------------------


def _torch_cases():
    pytest.importorskip("torch")
    import test_from_torch as cases

    return cases


@pytest.fixture(scope="module")
def cases():
    return _torch_cases()


OWN_PARAMETERS = {"functional"}  # holds an nn.Parameter of its own, which print() never shows


def test_parameter_total_equals_torchs_for_every_model(cases):
    for name in sorted(cases.CASES):
        model, _ = cases._build(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = from_torch_repr(str(model))
        total = sum(p.numel() for p in model.parameters())
        assert (spec.num_params == total) == (name not in OWN_PARAMETERS), name
        assert spec.exact_params


def vgg_like(nn):
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
        nn.Conv2d(8, 8, 3, padding=1, groups=2), nn.ReLU6(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(8, 16, 3, stride=2, dilation=2, padding=2, padding_mode="circular"),
        nn.ConvTranspose2d(16, 8, 4, 2, 1, output_padding=1, dilation=1, groups=8),
        nn.PixelShuffle(2), nn.Upsample(scale_factor=2), nn.PixelUnshuffle(4),
        nn.AvgPool2d(2), nn.AdaptiveAvgPool2d((3, 2)), nn.Flatten(), nn.Dropout(0.1),
        nn.Linear(32 * 6, 10),
    )  # fmt: skip
    return model, (2, 3, 23, 21)


def test_shapes_macs_and_fields_of_sequential_models_equal_from_torchs(cases):
    for model, shape in [cases._build("one_d"), cases._build("three_d"), vgg_like(cases.nn)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = from_torch_repr(str(model))
        assert spec.sequential
        printed = convlib.summary(spec, shape)
        traced = convlib.summary(convlib.from_torch(model, shape), shape)
        rows = [(r.output_shape, r.operations, r.params, r.receptive_field) for r in printed.rows]
        assert rows == [
            (r.output_shape, r.operations, r.params, r.receptive_field) for r in traced.rows
        ]


def test_avg_pool_ceil_mode_is_not_printed_and_the_result_says_so(cases):
    nn = cases.nn
    model = nn.Sequential(nn.AvgPool2d(3, 2, ceil_mode=True))
    with pytest.warns(UserWarning, match=r"0 \(AvgPool2d\) assumed ceil_mode=False"):
        spec = from_torch_repr(str(model))
    assert spec.assumed == ("0 (AvgPool2d)",)
    assert spec.output_shape((1, 1, 8, 8)) == (1, 1, 3, 3)  # torch gives (1, 1, 4, 4)


def test_upsample_align_corners_is_not_printed_and_the_result_says_so(cases):
    nn = cases.nn
    model = nn.Sequential(
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), nn.Upsample(size=5)
    )
    assert "align_corners" not in str(model)
    with pytest.warns(UserWarning, match=r"0 \(Upsample\) assumed align_corners=False") as caught:
        spec = from_torch_repr(str(model))
    assert "1 (Upsample)" not in str(caught[0].message)  # nearest has no corners
    assert spec[0].align_corners is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # printed with it (typed): no warning
        from_torch_repr("Upsample(scale_factor=2.0, mode='bilinear', align_corners=True)")


def test_parameter_rules_of_layers_without_a_spec_equal_torchs(cases):
    nn = cases.nn
    model = nn.Sequential(
        nn.GroupNorm(2, 6), nn.GroupNorm(3, 6, affine=False), nn.LayerNorm((4, 5)),
        nn.LayerNorm(7, bias=False), nn.BatchNorm1d(5), nn.BatchNorm3d(3, affine=False),
        nn.InstanceNorm2d(4, affine=True), nn.InstanceNorm1d(4), nn.PReLU(6), nn.Embedding(11, 3),
        nn.Bilinear(3, 4, 5), nn.RMSNorm(6), nn.SiLU(), nn.Identity(),
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = from_torch_repr(str(model))
    assert spec.exact_params
    assert [layer.num_params for layer in spec] == [
        sum(p.numel() for p in m.parameters()) for m in model
    ]


def test_layers_of_unknown_type_are_named_and_counted_as_unknown(cases):
    nn = cases.nn
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.MultiheadAttention(8, 2), nn.LSTM(4, 4))
    with pytest.warns(UserWarning) as record:
        spec = from_torch_repr(str(model))
    assert any("does not give the parameters of: 1 (Multihead" in str(w.message) for w in record)
    assert not spec.exact_params and spec.unknown == ("1 (MultiheadAttention)", "2 (LSTM)")
