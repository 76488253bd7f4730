"""Layer specs: parameters, output shapes and MACs, as PyTorch counts them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convlib
from convlib.nn import layers, models


def test_conv2d_parameters_and_macs_by_the_formula():
    layer = convlib.Conv2d(64, 128, 3, padding=1)
    assert layer.num_params == 64 * 128 * 9 + 128
    assert layer.output_shape((64, 56, 56)) == (128, 56, 56)
    assert layer.macs((64, 56, 56)) == 128 * 56 * 56 * 64 * 9


def test_groups_divide_parameters_and_macs():
    standard, grouped = (
        convlib.Conv2d(64, 128, 3, bias=False),
        convlib.Conv2d(64, 128, 3, groups=4, bias=False),
    )
    assert standard.num_params == 4 * grouped.num_params
    assert standard.macs((64, 8, 8)) == 4 * grouped.macs((64, 8, 8))


def test_transposed_conv_spec_counts_like_pytorch():
    layer = convlib.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
    assert layer.num_params == 64 * 32 * 16 + 32
    assert layer.output_shape((64, 16, 16)) == (32, 32, 32)
    assert layer.macs((64, 16, 16)) == 16 * 16 * 64 * 32 * 16


@given(
    c_in=st.integers(1, 4), c_out=st.integers(1, 4), k=st.integers(1, 4), s=st.integers(1, 3),
    p=st.integers(0, 2), d=st.integers(1, 2), n=st.integers(5, 12),
)  # fmt: skip
def test_conv_spec_output_shape_equals_convlib_conv(c_in, c_out, k, s, p, d, n):
    layer = convlib.Conv2d(c_in, c_out, k, s, p, d)
    weight = np.ones((c_out, c_in, k, k))
    try:
        expected = convlib.conv2d(
            np.ones((c_in, n, n)), weight, stride=s, padding=p, dilation=d
        ).shape
    except ValueError:
        with pytest.raises(ValueError, match="kernel is larger"):
            layer.output_shape((c_in, n, n))
        return
    assert layer.output_shape((c_in, n, n)) == expected


@pytest.mark.parametrize(
    "layer,same",
    [
        (lambda: convlib.Conv2d(2, 4, 3, stride=(2,)), convlib.Conv2d(2, 4, 3, stride=2)),
        (lambda: convlib.Conv2d(2, 4, 3, padding=(1,)), convlib.Conv2d(2, 4, 3, padding=1)),
        (lambda: convlib.Conv3d(2, 4, 3, dilation=(2,)), convlib.Conv3d(2, 4, 3, dilation=2)),
        (
            lambda: convlib.ConvTranspose2d(2, 4, 3, stride=(2,), output_padding=(1,)),
            convlib.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1),
        ),
    ],
)
def test_one_element_tuple_arguments_expand_to_every_spatial_dimension(layer, same):
    # torch.nn.Conv2d(2, 4, 3, stride=(2,)) strides both dimensions by 2
    layer = layer()
    shape = (1, 2) + (9,) * len(same.kernel_size)
    assert layer.output_shape(shape) == same.output_shape(shape)
    assert (layer.stride, layer.padding, layer.dilation) == (
        same.stride, same.padding, same.dilation
    )  # fmt: skip


def test_batchnorm_parameters_and_buffers():
    bn = convlib.BatchNorm2d(32)
    assert (bn.num_params, bn.running_stats, bn.num_buffers) == (64, 64, 65)
    assert convlib.BatchNorm2d(32, affine=False).num_params == 0


def test_batchnorm_without_bias_has_only_its_weight_as_torch_does():
    # torch 2.13's BatchNorm2d(C, bias=False) keeps the affine weight and drops the bias
    assert convlib.BatchNorm2d(32, bias=False).num_params == 32
    assert convlib.BatchNorm2d(32, affine=False, bias=False).num_params == 0
    assert repr(convlib.BatchNorm2d(32, bias=False)) == "BatchNorm2d(32, bias=False)"


def test_pooling_output_size_with_and_without_ceil_mode():
    assert convlib.MaxPool2d(3, 2).output_shape((96, 55, 55)) == (96, 27, 27)
    assert convlib.MaxPool2d(3, 2, 1).output_shape((64, 112, 112)) == (64, 56, 56)
    assert convlib.MaxPool2d(2, 2, ceil_mode=True).output_shape((8, 7, 7)) == (8, 4, 4)
    assert convlib.AvgPool2d(2).output_shape((8, 7, 7)) == (8, 3, 3)


def test_flatten_linear_and_adaptive_pool_shapes():
    assert convlib.Flatten().output_shape((1, 256, 6, 6)) == (1, 9216)
    assert convlib.Flatten().output_shape((256, 6, 6)) == (256, 36)  # dim 0 is the batch, as torch
    assert convlib.Sequential(convlib.Conv2d(3, 4, 1), convlib.Flatten()).output_shape(
        (3, 2, 2)
    ) == (16,)
    assert convlib.Linear(9216, 10).output_shape((9216,)) == (10,)
    assert convlib.Linear(9216, 10).macs((9216,)) == 92160
    assert convlib.AdaptiveAvgPool2d(7).output_shape((512, 14, 14)) == (512, 7, 7)
    assert convlib.AdaptiveAvgPool2d((None, 1)).output_shape((8, 5, 9)) == (8, 5, 1)


def test_residual_adds_branches_of_equal_shape_and_rejects_others():
    body = convlib.Sequential(convlib.Conv2d(8, 8, 3, padding=1), convlib.ReLU())
    block = convlib.Residual(body)
    assert block.output_shape((8, 10, 10)) == (8, 10, 10)
    strided = convlib.Residual(convlib.Conv2d(8, 16, 3, 2, 1))
    with pytest.raises(
        ValueError, match=r"body gives \(16, 5, 5\) but the shortcut gives \(8, 10, 10\)"
    ):
        strided.output_shape((8, 10, 10))
    fixed = convlib.Residual(convlib.Conv2d(8, 16, 3, 2, 1), convlib.Conv2d(8, 16, 1, 2))
    assert fixed.output_shape((8, 10, 10)) == (16, 5, 5)


def test_wrong_channel_count_names_the_layer():
    model = convlib.Sequential(convlib.Conv2d(3, 16, 3), convlib.Conv2d(32, 8, 3))
    with pytest.raises(
        ValueError,
        match=r"layer '1' \(Conv2d\): Conv2d expected .*32 input channels.*received input_shape \(16, 30, 30\)",
    ):
        model.output_shape((3, 32, 32))


@pytest.mark.parametrize(
    "make,pattern",
    [
        (
            lambda: convlib.Conv2d(6, 4, 3, groups=4),
            r"groups must divide the number of input channels",
        ),
        (
            lambda: convlib.Conv2d(0, 4, 3),
            r"in_channels must be a positive int; received in_channels=0",
        ),
        (lambda: convlib.Conv2d(4, 4, 0), r"kernel_size must be a positive int"),
        (
            lambda: convlib.Conv2d(4, 4, 3, stride=2, padding="same"),
            r"padding='same' is only supported for stride 1",
        ),
        (
            lambda: convlib.ConvTranspose2d(4, 4, 3, stride=2, output_padding=2),
            r"output_padding must be smaller",
        ),
        (lambda: convlib.Conv2d(4, 4, 3, padding_mode="mirror"), r"padding_mode must be one of"),
        (
            lambda: convlib.Sequential(convlib.Conv2d(1, 1, 1), "relu"),
            r"Sequential takes layer specs; received str",
        ),
        (lambda: convlib.Residual("conv"), r"Residual takes layer specs; received str"),
        (
            lambda: convlib.Conv2d(4, 4, 3, output_padding=1),
            r"unexpected keyword argument 'output_padding'",
        ),
        (
            lambda: convlib.ConvTranspose2d(4, 4, 3, padding="same"),
            r"padding must be a non-negative int",
        ),
        (
            lambda: convlib.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
            r"only support padding_mode='zeros'",
        ),
        (lambda: convlib.Parallel(convlib.ReLU(), merge="max"), r"merge must be 'cat' or 'sum'"),
        (  # torch's weight is then 1-D: its forward rejects every input
            lambda: convlib.Conv2d(4, 4, (3,)),
            r"kernel_size must be a positive int or a tuple of 2",
        ),
        (  # torch's F.pad takes (1,) as one dimension's padding and rejects the 4-D input
            lambda: convlib.Conv2d(4, 4, 3, padding=(1,), padding_mode="reflect"),
            r"padding must be a non-negative int or a tuple of 2",
        ),
    ],
)
def test_bad_constructor_arguments_raise_clear_errors(make, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        make()


def test_torch_code_and_keras_code_strings():
    layer = convlib.Conv2d(1, 1, 3, stride=2, padding=1)
    assert layer.torch_code() == "nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, dilation=1)"
    assert layer.keras_code() is None  # Keras cannot pad 1 around a stride-2 convolution
    same = convlib.Conv2d(3, 8, 3, padding=1)
    assert same.keras_code() == (
        'layers.Conv2D(8, kernel_size=3, strides=1, padding="same", dilation_rate=1, use_bias=True)'
    )
    transposed = convlib.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
    assert transposed.torch_code() == (
        "nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1, dilation=1, output_padding=0)"
    )
    assert (
        transposed.keras_code()
        == (
            'layers.Conv2DTranspose(4, kernel_size=4, strides=2, padding="same", dilation_rate=1, use_bias=True)'
        )
        or transposed.keras_code() is None
    )
    assert repr(convlib.Conv2d(3, 64, 3, padding="same")) == (
        "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding='same')"
    )
    # torch's extra_repr order: padding, dilation, output_padding, groups, bias, padding_mode
    assert repr(convlib.ConvTranspose2d(8, 4, 4, 2, 1, 1, 2, False, 2)) == (
        "ConvTranspose2d(8, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), dilation=(2, 2), "
        "output_padding=(1, 1), groups=2, bias=False)"
    )
    grouped = convlib.Conv1d(4, 8, 3, padding=1, groups=2, bias=False, padding_mode="circular")
    assert repr(grouped) == (
        "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,), groups=2, bias=False, "
        "padding_mode='circular')"
    )
    assert grouped.torch_code() == (
        "nn.Conv1d(4, 8, kernel_size=3, stride=1, padding=1, dilation=1, groups=2, bias=False, "
        "padding_mode='circular')"
    )
    assert grouped.keras_code() is None  # Keras pads zeros only
    assert convlib.Conv2d(4, 8, 3, padding=2, dilation=2, groups=2).keras_code() == (
        'layers.Conv2D(8, kernel_size=3, strides=1, padding="same", dilation_rate=2, groups=2, use_bias=True)'
    )
    assert (
        convlib.Linear(3, 4).torch_code() == "nn.Linear(in_features=3, out_features=4, bias=True)"
    )
    assert convlib.MaxPool2d(3, 2, 1).torch_code() == (
        "nn.MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"
    )
    assert repr(convlib.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"


@pytest.mark.parametrize("seed", range(20))
def test_specs_agree_with_torch_modules(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    g = int(rng.integers(1, 3))
    c_in, c_out = g * int(rng.integers(1, 4)), g * int(rng.integers(1, 4))
    k, s, p, d = (int(v) for v in rng.integers(1, 4, 4))
    bias = bool(rng.integers(0, 2))
    for ours, theirs, shape in [
        (
            layers.Conv2d(c_in, c_out, k, s, p, d, g, bias),
            torch.nn.Conv2d(c_in, c_out, k, s, p, d, g, bias),
            (c_in, 12, 11),
        ),
        (
            layers.ConvTranspose2d(c_in, c_out, k, s, p, 0, g, bias, d),
            torch.nn.ConvTranspose2d(c_in, c_out, k, s, p, 0, g, bias, d),
            (c_in, 5, 6),
        ),
    ]:
        assert ours.num_params == sum(t.numel() for t in theirs.parameters())
        try:
            expected = tuple(theirs(torch.zeros(1, *shape)).shape[1:])
        except RuntimeError:
            with pytest.raises(ValueError):
                ours.output_shape(shape)
            continue
        assert ours.output_shape(shape) == expected


def test_conv_classes_are_siblings_not_a_chain():
    assert not isinstance(convlib.Conv2d(1, 1, 1), convlib.Conv1d)
    assert not isinstance(convlib.Conv3d(1, 1, 1), convlib.Conv2d)
    assert not isinstance(convlib.ConvTranspose2d(1, 1, 1), convlib.ConvTranspose1d)
    assert not isinstance(convlib.ConvTranspose2d(1, 1, 1), convlib.Conv2d)
    assert all(
        isinstance(cls(1, 1, 1), layers._ConvNd)
        for cls in (convlib.Conv1d, convlib.Conv2d, convlib.Conv3d, convlib.ConvTranspose3d)
    )


@pytest.mark.parametrize(
    "layer,sample",
    [
        (convlib.Conv1d(2, 4, 3, stride=2), (2, 11)),
        (convlib.Conv2d(3, 8, 3, padding="same"), (3, 9, 7)),
        (convlib.Conv3d(2, 2, (1, 3, 3), padding=1), (2, 4, 5, 5)),
        (convlib.ConvTranspose2d(4, 2, 4, stride=2, padding=1, output_padding=1), (4, 5, 6)),
        (convlib.MaxPool2d(3, 2, ceil_mode=True), (3, 8, 8)),
        (convlib.BatchNorm2d(3), (3, 4, 4)),
        (convlib.Linear(5, 2), (5,)),
        (models.resnet50(), (3, 64, 64)),
    ],
)
def test_a_batch_keeps_its_dimension_and_costs_n_samples(layer, sample):
    out = layer.output_shape(sample)
    for n in (1, 3):
        assert layer.output_shape((n, *sample)) == (n, *out)
        assert layer.macs((n, *sample)) == n * layer.macs(sample)


@pytest.mark.parametrize(
    "layer,shape,pattern",
    [
        (
            convlib.Conv2d(3, 8, 3),
            (3, 32),
            r"Conv2d expected input_shape \(C, H, W\) or \(N, C, H, W\); received input_shape \(3, 32\)",
        ),
        (convlib.Conv2d(3, 8, 3), (1, 1, 3, 32, 32), r"received input_shape \(1, 1, 3, 32, 32\)"),
        (
            convlib.Conv2d(3, 8, 3),
            (1, 4, 32, 32),
            r"with 3 input channels; received input_shape \(4, 32, 32\)",
        ),
        (
            convlib.Conv1d(3, 8, 3),
            (2, 3, 8, 8),
            r"Conv1d expected input_shape \(C, L\) or \(N, C, L\)",
        ),
        (
            convlib.ConvTranspose3d(2, 2, 3),
            (2, 4, 4),
            r"ConvTranspose3d expected input_shape \(C, D, H, W\)",
        ),
        (convlib.BatchNorm2d(8), (4, 5, 5), r"with 8 input channels"),
        (
            models.resnet50(),
            (1, 3, 224),
            r"Conv2d expected input_shape \(C, H, W\) or \(N, C, H, W\)",
        ),
        (
            convlib.Sequential(convlib.Flatten(), convlib.Conv2d(3, 1, 1)),
            (1, 3, 4, 4),
            r"layer '1' \(Conv2d\)",
        ),
    ],
)
def test_wrong_rank_or_channels_are_clear_errors(layer, shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        layer.output_shape(shape)


def _torch_twin(torch, layer):
    """The torch module the spec's own torch_code() builds."""
    return eval(layer.torch_code(), {"nn": torch.nn})  # noqa: S307


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_specs_agree_with_torch_batched_and_unbatched(seed, nd):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    g = int(rng.integers(1, 3))
    c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k, s, p, d = (int(v) for v in rng.integers(1, 4, 4))
    op = int(rng.integers(0, max(s, d)))
    conv = (convlib.Conv1d, convlib.Conv2d, convlib.Conv3d)[nd - 1]
    transposed = (convlib.ConvTranspose1d, convlib.ConvTranspose2d, convlib.ConvTranspose3d)[nd - 1]
    sizes = tuple(int(v) for v in rng.integers(1, 9, nd))
    for ours in (
        conv(c_in, c_out, k, s, p, d, g),
        transposed(c_in, c_out, k, s, p, op, g, True, d),
    ):
        theirs = _torch_twin(torch, ours)
        assert ours.num_params == sum(t.numel() for t in theirs.parameters())
        for batch in ((), (2,)):
            shape = (*batch, c_in, *sizes)
            try:
                expected = tuple(theirs(torch.zeros(shape)).shape)
            except RuntimeError:
                with pytest.raises(ValueError):
                    ours.output_shape(shape)
                continue
            assert ours.output_shape(shape) == expected, ours.torch_code()


def test_macs_equal_multiplications_counted_by_torch_hooks():
    torch = pytest.importorskip("torch")
    for ours, shape in [
        (convlib.Conv2d(4, 6, 3, 2, groups=2), (4, 9, 8)),
        (convlib.ConvTranspose1d(4, 6, 3, 2, groups=2), (2, 4, 7)),
        (convlib.ConvTranspose2d(2, 2, (2, 3), (2, 1), dilation=2), (2, 4, 3)),
        (convlib.Conv3d(2, 3, 2, dilation=2), (1, 2, 5, 5, 5)),
    ]:
        assert ours.macs(shape) == _torch_macs(torch, _torch_twin(torch, ours), shape)


def _torch_macs(torch, module, shape):
    """Multiplications torch really does, without padding: weights and input of ones make every
    product a 1, so the output sums count them (independent of our formula)."""
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(1.0)
        if module.bias is not None:
            module.bias.zero_()
        return int(module(torch.ones(shape)).sum().item())


@pytest.mark.parametrize(
    ("padding", "stride", "keras"),
    [(0, 1, 'padding="valid"'), ("valid", 2, 'padding="valid"'), (1, 1, 'padding="same"')],
)
def test_keras_code_names_the_padding_keras_calls_it(padding, stride, keras):
    assert keras in convlib.Conv2d(1, 1, 3, stride, padding).keras_code()


def test_pass_through_keeps_the_shape_unless_torch_saw_it_change():
    kept = convlib.PassThrough("GroupNorm", 8, (4, 2, 2), (4, 2, 2))
    assert kept.sample_output_shape((4, 3, 3)) == (4, 3, 3)
    assert convlib.PassThrough("Identity").sample_output_shape((5, 7)) == (5, 7)
    view = convlib.PassThrough("view", 0, (4, 2, 2), (16,))
    assert view.sample_output_shape((4, 2, 2)) == (16,)
    with pytest.raises(ValueError, match=r"\(4, 2, 2\)"):
        view.sample_output_shape((4, 3, 3))


def test_a_negative_size_in_the_input_shape_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^input_shape must be"):
        convlib.Conv2d(1, 1, 3).output_shape((1, -1, 5, 5))


def test_parallel_cat_needs_equal_spatial_sizes_and_adds_channels():
    cat = convlib.Parallel(convlib.Conv2d(1, 2, 1), convlib.Conv2d(1, 3, 1))
    assert cat.output_shape((1, 5, 5)) == (5, 5, 5)
    with pytest.raises(ValueError, match=r"same spatial sizes"):
        convlib.Parallel(convlib.Conv2d(1, 2, 3), convlib.Conv2d(1, 2, 1)).output_shape((1, 5, 5))
    with pytest.raises(ValueError, match=r"same spatial sizes"):
        convlib.Parallel(convlib.Conv2d(1, 2, (3, 1)), convlib.Conv2d(1, 2, 1)).output_shape(
            (1, 5, 5)
        )


def test_transposed_specs_refuse_padding_modes_torch_refuses():
    with pytest.raises(ValueError, match=r"only support padding_mode='zeros'"):
        convlib.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


def test_small_specs_keep_and_check_their_arguments():
    assert convlib.ChannelShuffle(2).groups == 2
    with pytest.raises(ValueError, match=r"^groups must be a positive int; received groups=0"):
        convlib.ChannelShuffle(0)
    assert convlib.PassThrough("view").macs((4,)) == 0
    summed = convlib.Parallel(convlib.Conv2d(1, 2, 1), convlib.Conv2d(1, 2, 1), merge="sum")
    assert summed.output_shape((1, 3, 3)) == (2, 3, 3)
