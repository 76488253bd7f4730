"""Shape arithmetic: the formulas equal the shapes the operations really produce."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import conv_configs, conv_transpose_configs

import convlib
from convlib import reference
from convlib.geometry.shapes import (
    diagram_conv_geometry,
    resolve_diagram_padding,
    resolve_padding,
)


@given(conv_configs())
def test_conv_output_size_equals_the_shape_conv_returns(config):
    x, w, b = config.arrays(seed=0)
    spatial = x.shape[-(w.ndim - 2) :]
    expected = convlib.conv_output_size(
        spatial, w.shape[2:], config.stride, config.padding, config.dilation
    )
    assert convlib.conv(x, w, b, **config.kwargs).shape[-len(spatial) :] == expected


@given(conv_transpose_configs())
def test_conv_transpose_output_size_equals_the_shape_conv_transpose_returns(config):
    x, w, b = config.arrays(seed=0)
    nd = w.ndim - 2
    expected = convlib.conv_transpose_output_size(
        x.shape[-nd:], w.shape[2:], config.stride, config.padding, config.output_padding,
        config.dilation,
    )  # fmt: skip
    assert convlib.conv_transpose(x, w, b, **config.kwargs).shape[-nd:] == expected


@given(
    n=st.integers(1, 30), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
    d=st.integers(1, 3),
)  # fmt: skip
def test_transpose_size_range_holds_every_input_size_a_conv_maps_to_the_same_output(n, k, s, p, d):
    assume(d * (k - 1) + 1 <= n + 2 * p)  # the kernel fits: the convolution has an output
    out = convlib.conv_output_size(n, k, s, p, d)
    low, high = convlib.conv_transpose_output_size_range(out, k, s, p, d)
    sources = [m for m in range(1, 60) if _maps_to(m, out, k, s, p, d)]
    assert sources == list(range(low, high + 1))
    assert convlib.output_padding_for(n, out, k, s, p, d) == n - (high - s + 1)


def _maps_to(m, out, k, s, p, d):
    try:
        return convlib.conv_output_size(m, k, s, p, d) == out
    except ValueError:
        return False


@pytest.mark.parametrize(
    "size,kernel,stride,padding,dilation,expected",
    [
        (5, 3, 1, 0, 1, 3),  # Dumoulin & Visin fig. 2.1: no padding, unit strides
        (5, 4, 1, 2, 1, 6),  # fig. 2.2: arbitrary padding
        (5, 3, 1, 1, 1, 5),  # fig. 2.3: half (same) padding
        (5, 3, 1, 2, 1, 7),  # fig. 2.4: full padding
        (5, 3, 2, 0, 1, 2),  # fig. 2.5: no padding, strides
        (5, 3, 2, 1, 1, 3),  # fig. 2.6: padding, strides
        (6, 3, 2, 1, 1, 3),  # fig. 2.7: padding, strides (odd): the floor drops a position
        (7, 3, 1, 0, 2, 3),  # fig. 5.1: dilation 2
    ],
)
def test_conv_output_size_reproduces_the_convolution_arithmetic_guide(
    size, kernel, stride, padding, dilation, expected
):
    assert convlib.conv_output_size(size, kernel, stride, padding, dilation) == expected


def test_ints_give_int_and_tuples_give_tuple():
    assert convlib.conv_output_size(7, 3) == 5
    assert convlib.conv_output_size((7, 9), 3, padding=(1, 0)) == (7, 7)
    assert convlib.effective_kernel_size((3, 5), 2) == (5, 9)


@pytest.mark.parametrize(
    "kernel,dilation,expected",
    [(3, 1, ((1, 1),)), (4, 1, ((1, 2),)), (2, 3, ((1, 2),)), ((5, 2), (1, 1), ((2, 2), (0, 1)))],
)
def test_same_padding_puts_the_extra_cell_after_like_pytorch(kernel, dilation, expected):
    assert convlib.same_padding(kernel, dilation) == expected


def test_causal_padding_is_all_before():
    assert resolve_padding("causal", (3,), 1, (4,)) == ((8, 0),)
    x = np.arange(10.0)[None, None]
    y = convlib.conv1d(x, np.ones((1, 1, 3)), padding="causal", dilation=2)
    # output t sums x[t], x[t-2], x[t-4] (missing terms are zero padding)
    expected = [sum(x[0, 0, t - j] for j in (0, 2, 4) if t - j >= 0) for t in range(10)]
    np.testing.assert_allclose(y[0, 0], expected)


def test_receptive_field_of_dilated_stack_grows_exponentially():
    layers = [(3, 1, 2**i) for i in range(4)]
    assert [r.size for r in convlib.receptive_field(layers)] == [3, 7, 15, 31]
    assert [r.size for r in convlib.receptive_field([(3, 1, 1)] * 4)] == [3, 5, 7, 9]


def test_receptive_field_tracks_jump_and_start():
    # VGG-like: conv3 p1, pool2 s2, conv3 p1
    records = convlib.receptive_field([(3, 1, 1, 1), (2, 2, 1, 0), (3, 1, 1, 1)])
    assert [(r.size, r.jump) for r in records] == [(3, 1), (4, 2), (8, 2)]
    assert [r.start for r in records] == [0.0, 0.5, 0.5]


def test_receptive_field_reads_layer_objects_and_skips_layers_without_kernel():
    class Layer:
        kernel_size, stride, dilation, padding = (3, 3), (2, 2), (1, 1), (1, 1)

    class Activation:
        pass

    records = convlib.receptive_field([Layer(), Activation(), Layer()])
    assert [r.size for r in records] == [3, 3, 7]


@given(
    o=st.integers(0, 6), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2),
    d=st.integers(1, 3),
)  # fmt: skip
def test_input_window_and_scatter_window_are_the_same_index_map(o, k, s, p, d):
    # output o reads input i*s - p + j*d; transposed input o writes output o*s - p + j*d
    assert convlib.input_window(o, k, s, p, d) == convlib.transpose_scatter_window(o, k, s, p, d)
    assert convlib.input_window(o, k, s, p, d)[0] == [o * s - p + j * d for j in range(k)]


@pytest.mark.parametrize(
    "args,kwargs,expected",
    [
        ((112, 3, 2, 1), {}, 56),  # ResNet's stem max pool
        ((55, 3, 2), {}, 27),  # AlexNet's overlapping pool
        ((7, 2), {}, 3),  # stride defaults to the kernel size
        ((7, 2), {"ceil_mode": True}, 4),  # the ceiling keeps the partial last window
        ((6, 3, 2), {"ceil_mode": True}, 3),
        ((5, 2, 2, 1), {"ceil_mode": True}, 3),  # a 4th window would start in the right padding
        ((1, 3, 3), {"ceil_mode": True}, 1),  # a window larger than the input, kept by the ceiling
        ((9, 3, 1, 1, 2), {}, 7),  # dilation widens the window to 5
        ((9, 3, 1, 0, 4), {"ceil_mode": True}, 1),
        (((7, 8), 2), {}, (3, 4)),
        (((7, 8), (2, 3), None, (1, 0)), {"ceil_mode": True}, (4, 3)),  # 5th row window dropped
    ],
)
def test_pool_output_size_follows_pytorch_floor_and_ceil_rules(args, kwargs, expected):
    assert convlib.pool_output_size(*args, **kwargs) == expected


@pytest.mark.parametrize(
    "args,kwargs,pattern",
    [
        ((9, 3, 1, 2), {}, r"at most half of the kernel size, kernel_size // 2 = 1.*padding=2"),
        ((9, 3, 1, 2, 2), {}, r"at most half of the kernel size"),  # k // 2, not (d(k-1)+1) // 2
        ((2, 3, 1), {}, r"pooling window is larger than the padded input.*output size 0"),
        ((1, 3, 1), {"ceil_mode": True}, r"output size -1"),
        ((5, 2, 0), {}, r"stride must be a positive int"),
        ((5, 2), {"input_size": 5}, r"multiple values"),
    ],
)
def test_pool_output_size_rejects_what_pytorch_rejects(args, kwargs, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        convlib.pool_output_size(*args, **kwargs)


@given(
    n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 2),
    d=st.integers(1, 3),
)  # fmt: skip
def test_pool_floor_mode_is_the_conv_formula_and_ceil_adds_at_most_one(n, k, s, p, d):
    assume(p <= k // 2 and d * (k - 1) + 1 <= n + 2 * p)
    floor = convlib.pool_output_size(n, k, s, p, d)
    assert floor == convlib.conv_output_size(n, k, s, p, d)
    assert convlib.pool_output_size(n, k, s, p, d, ceil_mode=True) - floor in (0, 1)


def test_pool_output_size_equals_torch_on_a_grid():
    torch = pytest.importorskip("torch")
    for n, k, s, p, d, ceil in itertools.product(
        range(1, 9), range(1, 5), range(1, 4), range(3), range(1, 3), (False, True)
    ):
        x = torch.zeros(1, 1, n)
        try:
            expected = torch.nn.functional.max_pool1d(x, k, s, p, d, ceil).shape[-1]
        except RuntimeError:
            with pytest.raises(ValueError):
                convlib.pool_output_size(n, k, s, p, d, ceil)
            continue
        assert convlib.pool_output_size(n, k, s, p, d, ceil) == expected, (n, k, s, p, d, ceil)


@given(conv_configs())
def test_geometry_windows_are_exactly_what_the_reference_reads(config):
    _, w, _ = config.arrays(seed=0)
    spatial = config.input_shape[-(w.ndim - 2) :]
    plan = convlib.conv_geometry(
        spatial, w.shape[2:], config.stride, config.padding, config.dilation
    )
    for position in itertools.islice(itertools.product(*map(range, plan.output_size)), 5):
        cells = set(itertools.product(*plan.window(position)))
        inside = {c for c in cells if all(0 <= ci < n for ci, n in zip(c, spatial, strict=True))}
        read = reference.windows_read(
            position, spatial, w.shape[2:], config.stride, config.padding, config.dilation
        )
        assert inside == read
    assert [len(w) for w in plan.windows()] == list(plan.output_size)


@given(conv_transpose_configs())
def test_transposed_plan_is_a_stride_1_conv_over_the_zero_inserted_input(config):
    x, w, _ = config.arrays(seed=0)
    nd = w.ndim - 2
    plan = convlib.conv_transpose_geometry(
        x.shape[-nd:], w.shape[2:], config.stride, config.padding, config.output_padding,
        config.dilation,
    )  # fmt: skip
    view = plan.as_conv()
    assume(all(lo >= 0 and hi >= 0 for lo, hi in view.padding))
    batched = x if x.ndim == nd + 2 else x[None]
    inserted = np.zeros((*batched.shape[:2], *view.input_size))
    inserted[(slice(None), slice(None), *(slice(None, None, s) for s in plan.stride))] = batched
    padded = np.pad(inserted, [(0, 0), (0, 0), *view.padding])
    groups = config.groups
    c_in, c_out_g = w.shape[:2]
    # the equivalent convolution's weight: groups' in/out swapped, kernel flipped
    w_conv = w.reshape(groups, c_in // groups, c_out_g, *w.shape[2:]).swapaxes(1, 2)
    w_conv = np.flip(
        w_conv.reshape(groups * c_out_g, c_in // groups, *w.shape[2:]), axis=tuple(range(2, 2 + nd))
    )
    expected = convlib.conv(padded, w_conv, dilation=config.dilation, groups=groups)
    got = convlib.conv_transpose(batched, w, **{k: v for k, v in config.kwargs.items()})
    assert view.output_size == plan.output_size == got.shape[2:]
    np.testing.assert_allclose(got, expected, atol=1e-9)


@given(
    n=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 3),
    d=st.integers(1, 3), data=st.data(),
)  # fmt: skip
def test_transposed_plan_picks_output_padding_from_the_valid_range(n, k, s, p, d, data):
    natural = (n - 1) * s - 2 * p + d * (k - 1) + 1
    assume(natural + s - 1 >= 1)
    low, high = convlib.conv_transpose_output_size_range(n, k, s, p, d)
    target = data.draw(st.integers(low, high))
    plan = convlib.conv_transpose_geometry(n, k, s, p, dilation=d, output_size=target)
    assert plan.output_size == (target,) and plan.output_size_range == ((low,), (high,))
    assert plan.output_padding == (target - natural,)
    if target - natural < max(s, d):  # torch's rule: then output_padding gives it directly
        assert convlib.conv_transpose_output_size(n, k, s, p, target - natural, d) == target
    with pytest.raises(ValueError, match=rf"valid sizes \({low},\) to \({high},\)"):
        convlib.conv_transpose_geometry(n, k, s, p, dilation=d, output_size=high + 1)


def test_one_padding_rule_for_ops_diagrams_and_explorers():
    assert resolve_diagram_padding("full", (3, 2), 1, (2, 1)) == ((4, 4), (1, 1))
    assert resolve_diagram_padding(((0, 2),), (3,)) == ((0, 2),)
    with pytest.raises(
        ValueError, match=r"one of 'valid', 'same', 'causal'; received padding='full'"
    ):
        resolve_padding("full", 3)
    with pytest.raises(TypeError, match=r"padding must be a non-negative int"):
        convlib.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3)), padding=((0, 2),))
    with pytest.raises(TypeError, match=r"padding must be a non-negative int"):
        convlib.conv_geometry((5,), 3, padding=((0, 2),))
    plan = diagram_conv_geometry((5,), 3, padding=((0, 2),))
    assert plan.output_size == (5,) and plan.window(4) == ([4, 5, 6],)


@pytest.mark.parametrize("padding", [0, 2, (1, 0), "valid", "same", "causal"])
def test_diagram_padding_hands_pytorchs_forms_to_resolve_padding(padding):
    args = ((3, 2), 1, (2, 1))
    assert resolve_diagram_padding(padding, *args) == resolve_padding(padding, *args)
    assert diagram_conv_geometry((7, 6), *args[:2], padding, args[2]) == convlib.conv_geometry(
        (7, 6), *args[:2], padding, args[2]
    )
    with pytest.raises(ValueError, match=r"'causal', 'full'; received padding='bogus'"):
        resolve_diagram_padding("bogus", *args)


def test_pool_plan_windows_start_in_the_input_or_left_padding():
    plan = convlib.pool_geometry(5, 2, 2, 1, ceil_mode=True)
    assert plan.output_size == (3,) and plan.padding == ((1, 1),)
    assert [w[0] for w in plan.windows()[0]] == [-1, 1, 3]
    assert plan.windows()[0][-1][0] < 5  # the last window starts inside the input


SHAPE_FUNCTIONS = {  # function: (required arguments, parameter names in order)
    convlib.conv_output_size: ((7, 3), ("size", "kernel_size", "stride", "padding", "dilation")),
    convlib.conv_geometry: ((7, 3), ("input_size", "kernel_size", "stride", "padding", "dilation")),
    convlib.pool_output_size: (
        (7, 3),
        ("input_size", "kernel_size", "stride", "padding", "dilation"),
    ),
    convlib.pool_geometry: ((7, 3), ("input_size", "kernel_size", "stride", "padding", "dilation")),
    convlib.conv_transpose_output_size: (
        (4, 3),
        ("size", "kernel_size", "stride", "padding", "output_padding", "dilation"),
    ),
    convlib.conv_transpose_geometry: (
        (4, 3),
        ("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"),
    ),
    convlib.conv_transpose_output_size_range: (
        (4, 3),
        ("size", "kernel_size", "stride", "padding", "dilation"),
    ),
    convlib.input_window: (
        (1, 3),
        ("output_index", "kernel_size", "stride", "padding", "dilation"),
    ),
    convlib.transpose_scatter_window: (
        (1, 3),
        ("input_index", "kernel_size", "stride", "padding", "dilation"),
    ),
    convlib.output_padding_for: (
        (6, 4, 3),
        ("output_size", "size", "kernel_size", "stride", "padding", "dilation"),
    ),
    convlib.effective_kernel_size: ((3,), ("kernel_size", "dilation")),
    convlib.same_padding: ((3,), ("kernel_size", "dilation")),
}


@pytest.mark.parametrize(
    "function,name",
    [(f, name) for f, (_, names) in SHAPE_FUNCTIONS.items() for name in names],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_bad_argument_is_named_in_the_error(function, name):
    required, names = SHAPE_FUNCTIONS[function]
    arguments = dict(zip(names, required, strict=False))
    arguments[name] = -1 if name != "output_index" and name != "input_index" else -2
    with pytest.raises(
        ValueError, match=rf"^{name} must be a (positive|non-negative) int.*received {name}=-[12]"
    ):
        function(**arguments)


def test_defaults_are_pytorchs():
    # stride 1 (pooling: the kernel size), padding 0, dilation 1, output_padding 0
    assert convlib.conv_output_size(7, 3) == convlib.conv_output_size(7, 3, 1, 0, 1) == 5
    assert convlib.pool_output_size(7, 3) == convlib.pool_output_size(7, 3, 3, 0, 1) == 2
    assert convlib.pool_geometry(7, 3).stride == (3,)
    assert convlib.conv_transpose_output_size(4, 3) == 6
    assert convlib.conv_transpose_output_size_range(4, 3) == (6, 6)
    assert convlib.input_window(1, 3) == convlib.transpose_scatter_window(1, 3) == ([1, 2, 3],)
    assert convlib.effective_kernel_size(3) == 3 and convlib.same_padding(3) == ((1, 1),)
    assert convlib.output_padding_for(6, 4, 3) == 0
    plan = convlib.conv_geometry(7, 3)
    assert (plan.stride, plan.padding, plan.dilation, plan.output_size) == (
        (1,),
        ((0, 0),),
        (1,),
        (5,),
    )
    transposed = convlib.conv_transpose_geometry(4, 3)
    assert (transposed.output_padding, transposed.padding, transposed.transposed) == (
        (0,),
        ((0, 0),),
        True,
    )
    assert not plan.transposed and plan.output_size_range is None


@pytest.mark.parametrize("function", list(SHAPE_FUNCTIONS), ids=lambda f: f.__name__)
def test_a_tuple_in_any_argument_sets_the_number_of_dimensions(function):
    required, names = SHAPE_FUNCTIONS[function]
    defaults = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}
    for name in names:
        arguments = {
            **dict(zip(names, required, strict=False)),
            **{n: defaults[n] for n in names[len(required) :]},
        }
        arguments[name] = (arguments[name],) * 2
        two = function(**arguments)
        sizes = two.output_size if isinstance(two, convlib.Geometry) else two
        if function is convlib.conv_transpose_output_size_range:
            sizes = sizes[0]
        assert len(sizes) == 2, (function.__name__, name, two)


def test_mismatched_tuple_lengths_are_rejected_everywhere():
    for function, (required, names) in SHAPE_FUNCTIONS.items():
        arguments = dict(zip(names, required, strict=False))
        arguments[names[0]] = (arguments[names[0]],) * 2
        arguments[names[1]] = (arguments.get(names[1], 1),) * 3
        with pytest.raises(ValueError, match=r"length"):
            function(**arguments)


def test_output_padding_must_be_smaller_than_stride_or_dilation():
    from convlib.geometry import shapes

    with pytest.raises(ValueError, match=r"output_padding must be smaller than either stride"):
        shapes.check_output_padding((1,), (1,), (1,))
    shapes.check_output_padding((1,), (1,), (2,))  # smaller than the dilation: allowed


def test_transposed_plan_as_a_convolution_by_hand():
    # input 4, kernel 3, stride 2, padding 1, output_padding 1: 7 cells after inserting zeros,
    # padded by d(k-1) - p = 1 before and 1 + 1 after; a stride-1 conv of that gives 8
    view = convlib.conv_transpose_geometry(4, 3, 2, 1, 1).as_conv()
    assert view == convlib.Geometry((7,), (3,), (1,), (1,), ((1, 2),), (8,))
    wide = convlib.conv_transpose_geometry((3, 2), (2, 3), (3, 1), (0, 2), (2, 0), (1, 2))
    assert wide.as_conv() == convlib.Geometry(
        (7, 2), (2, 3), (1, 1), (1, 2), ((1, 3), (2, 2)), wide.output_size
    )
    assert wide.output_size == (10, 2)  # (3 - 1) 3 + 1 + 2 + 1 and (2 - 1) - 4 + 4 + 1
    assert convlib.conv_geometry(5, 3).as_conv() == convlib.conv_geometry(5, 3)


def test_output_padding_for_reads_tuples_per_dimension():
    assert convlib.output_padding_for((8, 7), (4, 4), 3, 2, 1) == (1, 0)
    assert convlib.output_padding_for((8, 7), 4, (3, 3), (2, 2), 1) == (1, 0)


def test_input_window_resolves_padding_rules_with_the_kernel():
    assert convlib.input_window(0, 3, padding="same") == ([-1, 0, 1],)
    assert convlib.input_window(0, 4, padding="same") == ([-1, 0, 1, 2],)  # the extra cell after
    assert convlib.input_window(2, 3, dilation=2, padding="causal") == ([-2, 0, 2],)
    assert convlib.input_window(0, 3, padding=(1, 2)) == ([-1, 0, 1], [-2, -1, 0])
    with pytest.raises(ValueError, match=r"padding='same' is only supported for stride 1"):
        convlib.input_window(0, 3, stride=2, padding="same")


def test_a_transposed_plan_has_one_window_per_input_cell():
    plan = convlib.conv_transpose_geometry((3, 2), 3, 2, 1)
    windows = plan.windows()
    assert [len(w) for w in windows] == [3, 2]
    assert windows[0] == [convlib.transpose_scatter_window(i, 3, 2, 1)[0] for i in range(3)]
    assert plan.window((2, 1)) == (windows[0][2], windows[1][1])
    with pytest.raises(ValueError, match=r"^index must be a non-negative int.*received index=-1"):
        plan.window(-1)


def test_diagram_padding_pairs_are_checked_under_the_name_padding():
    with pytest.raises(ValueError, match=r"^padding must be .*received padding="):
        resolve_diagram_padding(((0, -1),), (3,))
    with pytest.raises(ValueError, match=r"^padding must be"):
        resolve_diagram_padding(((0, 1), (1,)), (3, 3))
