"""The convolution explorer: any 1-D or 2-D (transposed) convolution, its formula and its code."""

from __future__ import annotations

import math

import numpy as np
import traitlets

from convlib.geometry import shapes
from convlib.geometry.shapes import conv_transpose_output_size, conv_transpose_output_size_range
from convlib.nn import layers
from convlib.plotting.conv_diagram import draw_conv_step
from convlib.plotting.transposed_diagram import draw_transposed_as_conv
from convlib.widgets._base import (
    Explorer,
    Rendered,
    checked_count,
    checked_padding,
    code_block,
    esm,
)

PADDINGS = [0, 1, 2, 3, 4, "same", "valid", "full", "causal"]
INPUT_PRESETS = ["random", "ramp", "impulse", "ones"]
KERNEL_PRESETS = ["edge", "box", "identity", "random"]


def small_integers(count: int, seed: int, low: int, high: int) -> list[int]:
    """The explorer's pseudo-random integers in ``[low, high]``: a 32-bit linear congruential
    generator (values.mjs's ``smallIntegers``), the same in Python and in the page."""
    state, values = seed % 2**32, []
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2**32
        values.append(low + (state >> 16) % (high - low + 1))
    return values


def preset_values(kind: str, name: str, size: int, nd: int) -> np.ndarray:
    """The explorer's values of preset ``name``: an int array of shape ``(size,) * nd``.

    Inputs (``kind='input'``): ``'random'`` (integers 0..9, seeded), ``'ramp'`` (the sum of the
    indices, mod 10), ``'impulse'`` (1 in the middle cell, ``(size - 1) // 2``), ``'ones'``.
    Kernels (``kind='kernel'``): ``'edge'`` (-1 first and +1 last along the last axis; 1 for
    size 1), ``'box'`` (ones), ``'identity'`` (1 in the middle), ``'random'`` (integers -2..2).
    values.mjs's ``presetValues`` mirrors it; the node tests compare the two.
    """
    shape = (size,) * nd
    index = np.indices(shape)
    middle = (size - 1) // 2
    if name == "random":
        low, high, seed = (0, 9, 7) if kind == "input" else (-2, 2, 11)
        return np.array(small_integers(size**nd, seed, low, high), dtype=np.int64).reshape(shape)
    if name == "ramp":
        return index.sum(axis=0) % 10
    if name in ("impulse", "identity"):
        return np.all(index == middle, axis=0).astype(np.int64)
    if name in ("ones", "box"):
        return np.ones(shape, dtype=np.int64)
    if name == "edge":
        last = index[-1]
        if size == 1:
            return np.ones(shape, dtype=np.int64)
        return np.where(last == 0, -1, np.where(last == size - 1, 1, 0))
    raise ValueError(f"unknown {kind} preset {name!r}")


def conv_formula(plan: shapes.Geometry) -> str:
    """The output-size formula of ``plan``'s first dimension, with its numbers substituted."""
    n, k, s, d = plan.input_size[0], plan.kernel_size[0], plan.stride[0], plan.dilation[0]
    (lo, hi), span = plan.padding[0], plan.effective_kernel_size[0]
    return (
        "o = \u230a(n + p_before + p_after \u2212 d(k\u22121) \u2212 1)/s\u230b + 1"
        f" = \u230a({n} + {lo} + {hi} \u2212 {d}\u00b7{k - 1} \u2212 1)/{s}\u230b + 1"
        f" = \u230a{n + lo + hi - span}/{s}\u230b + 1 = {plan.output_size[0]}"
    )


def transpose_formula(n: int, k: int, s: int, p: int, op: int, d: int) -> str:
    value = shapes.conv_transpose_output_size(n, k, s, p, op, d)
    return (
        "o = (n\u22121)s \u2212 2p + d(k\u22121) + output_padding + 1"
        f" = {n - 1}\u00b7{s} \u2212 2\u00b7{p} + {d}\u00b7{k - 1} + {op} + 1 = {value}"
    )


def _torch_padding(padding, plan: shapes.Geometry):
    """PyTorch's padding argument for an explorer padding: 'full' is the int its plan pads on
    each side; 'causal' has none (the code pads explicitly first)."""
    if padding == "full":
        return plan.padding[0][0]
    return 0 if padding == "causal" else padding


def _causal_pad(plan: shapes.Geometry) -> tuple[int, ...]:
    """``F.pad``'s argument for a causal plan: (before, after) per dimension, last first."""
    return tuple(v for lo, hi in reversed(plan.padding) for v in (lo, hi))


def render_conv(
    dims="2-D",
    mode="convolution",
    input_size=5,
    kernel_size=3,
    stride=1,
    padding=0,
    dilation=1,
    output_padding=0,
    position=0,
) -> Rendered:
    """Draw the setting and write its formula, output shape, parameters and code."""
    nd = 1 if dims == "1-D" else 2
    size = (input_size,) * nd
    if mode == "transposed":
        return _render_transposed(
            size, kernel_size, stride, padding, dilation, output_padding, position
        )
    if padding == "causal" and nd != 1:
        raise ValueError("'causal' padding is for 1-D sequences (WaveNet); choose 1-D")
    diagram = draw_conv_step(size, kernel_size, stride, padding, dilation)
    plan = diagram.geometry
    out = plan.output_size
    index = _unravel(position, out)
    diagram.show(index)
    layer_class = layers.Conv1d if nd == 1 else layers.Conv2d
    layer = layer_class(1, 1, kernel_size, stride, _torch_padding(padding, plan), dilation)
    torch = layer.torch_code()
    keras = layer.keras_code()
    if padding == "causal":
        torch = f"F.pad(x, {_causal_pad(plan)}) then {torch}"
        keras = (
            f'layers.Conv1D(1, kernel_size={kernel_size}, strides={stride}, padding="causal",'
            f" dilation_rate={dilation})"
        )
    call_padding = (
        repr(padding)
        if isinstance(padding, str) and padding != "full"
        else _torch_padding(padding, plan)
    )
    convlib_call = (
        f"convlib.conv{nd}d(x, w, stride={stride}, padding={call_padding}, dilation={dilation})"
    )
    text = "".join(
        [
            f"<div>{conv_formula(plan)}</div>",
            f"<div>output shape (1, 1, {', '.join(map(str, out))}) as (N, C, "
            f"{', '.join(['L'] if nd == 1 else ['H', 'W'])}); parameters {layer.num_params} "
            f"(= {kernel_size}<sup>{nd}</sup> weights + 1 bias); MACs "
            f"{plan.macs(1, 1)}</div>",
            code_block("PyTorch:", torch),
            code_block("Keras:", keras or "no exact equivalent (Keras pads only 'valid'/'same')"),
            code_block("convlib:", convlib_call),
        ]
    )
    return Rendered(diagram.figure, text)


def _render_transposed(size, k, s, padding, d, op, position) -> Rendered:
    if isinstance(padding, str):
        raise ValueError(
            "a transposed convolution takes an int padding (the padding of the convolution it "
            f"transposes); received padding={padding!r}"
        )
    nd, n = len(size), size[0]
    out = conv_transpose_output_size(size, k, s, padding, op, d)
    diagram = draw_transposed_as_conv(size, k, s, padding, op, d)
    diagram.show(_unravel(position, out))
    layer_class = layers.ConvTranspose1d if nd == 1 else layers.ConvTranspose2d
    layer = layer_class(1, 1, k, s, padding, op, 1, True, d)
    low, high = conv_transpose_output_size_range(n, k, s, padding, d)
    marker = "\u2190 this setting"
    rows = "".join(
        f"<tr><td>{m}</td><td>{n}</td><td>output_padding={m - low}</td>"
        f"<td>{marker if m - low == op else ''}</td></tr>"
        for m in range(low, high + 1)
    )
    table = (
        "<table><caption style='color:#1A1A1A'>Input sizes a Conv with these arguments maps "
        f"to size {n}; output_padding picks which one the transposed convolution gives back"
        "</caption>"
        "<tr><th>conv input</th><th>conv output</th><th>transposed conv</th><th></th></tr>"
        f"{rows}</table>"
    )
    text = "".join(
        [
            f"<div>{transpose_formula(n, k, s, padding, op, d)}</div>",
            f"<div>output shape (1, 1, {', '.join(map(str, out))}); "
            f"parameters {layer.num_params}</div>",
            table,
            code_block("PyTorch:", layer.torch_code()),
            code_block("Keras:", layer.keras_code() or "no exact equivalent"),
            code_block(
                "convlib:",
                f"convlib.conv_transpose{nd}d(x, w, stride={s}, padding={padding}, "
                f"output_padding={op}, dilation={d})",
            ),
        ]
    )
    return Rendered(diagram.figure, text)


def _unravel(position: int, out: tuple[int, ...]) -> tuple[int, ...]:
    flat = min(position, math.prod(out) - 1)
    return tuple(int(i) for i in np.unravel_index(flat, out))


def describe_conv(
    dims="2-D",
    mode="convolution",
    input_size=5,
    kernel_size=3,
    stride=1,
    padding=0,
    dilation=1,
    output_padding=0,
) -> dict:
    """What the explorer shows for a setting, computed with convlib (conv.mjs mirrors it).

    Returns ``{"error": message}`` for an impossible setting (convlib's own message), else the
    output size per dimension, the padding split, formula, output shape, parameter and MAC
    counts, PyTorch/Keras/convlib code and the index maps the drawing lights: ``windows[o]``,
    the input indices output ``o`` reads (convolution), or ``scatter[i]``, the output indices
    input ``i`` writes, with the valid sizes ``range`` and ``choices`` of ``output_padding``
    (transposed). 2-D settings are square; the maps are per axis.
    """
    nd = 1 if dims == "1-D" else 2
    n, k, s, d = input_size, kernel_size, stride, dilation
    size, kernel, dilations = ((v,) * nd for v in (n, k, d))
    if mode == "transposed":
        try:
            out = shapes.conv_transpose_output_size(size, k, s, padding, output_padding, d)
        except (ValueError, TypeError) as error:
            return {"error": str(error)}
        try:  # the sizes output_padding < stride reaches (dilation may allow a larger one)
            smallest, largest = shapes.conv_transpose_output_size_range(n, k, s, padding, d)
        except ValueError:
            smallest, largest = 1, 0
        layer = (layers.ConvTranspose1d if nd == 1 else layers.ConvTranspose2d)(
            1, 1, k, s, padding, output_padding, 1, True, d
        )
        return {
            "out": list(out),
            "formula": transpose_formula(n, k, s, padding, output_padding, d),
            "shape": str((1, 1, *out)),
            "params": layer.num_params,
            "macs": layer.macs((1, *size)),
            "torch": layer.torch_code(),
            "keras": layer.keras_code(),
            "call": f"convlib.conv_transpose{nd}d(x, w, stride={s}, padding={padding}, "
            f"output_padding={output_padding}, dilation={d})",
            "range": [smallest, largest] if smallest <= largest else None,
            "choices": [
                [m, shapes.output_padding_for(m, n, k, s, padding, d)]
                for m in range(smallest, largest + 1)
            ],
            "scatter": [shapes.transpose_scatter_window(i, k, s, padding, d)[0] for i in range(n)],
        }
    try:  # the one plan, as convlib.conv builds it ('full' too: the explorers show it)
        plan = shapes.diagram_conv_geometry(size, kernel, s, padding, dilations)
    except (ValueError, TypeError) as error:
        return {"error": str(error)}
    layer_class = layers.Conv1d if nd == 1 else layers.Conv2d
    torch_padding = _torch_padding(padding, plan)
    torch = layer_class(1, 1, k, s, torch_padding, d).torch_code()
    if padding == "causal":  # PyTorch has no causal padding: pad before, then convolve
        torch = f"F.pad(x, {_causal_pad(plan)}) then {torch}"
    keras_padding = torch_padding if padding == "full" else padding
    call_padding = torch_padding if padding == "full" else padding
    return {
        "out": list(plan.output_size),
        "pads": list(plan.padding[0]),
        "formula": conv_formula(plan),
        "shape": str((1, 1, *plan.output_size)),
        "params": layer_class(1, 1, k).num_params,
        "macs": plan.macs(1, 1),
        "torch": torch,
        "keras": layer_class(1, 1, k, s, keras_padding, d).keras_code(),
        "call": f"convlib.conv{nd}d(x, w, stride={s}, padding={call_padding!r}, dilation={d})",
        "windows": plan.windows()[0],
    }


class ConvExplorer(Explorer):
    """The convolution explorer (see :func:`conv_explorer`)."""

    _esm = esm("conv.mjs")
    dims = traitlets.Enum(["1-D", "2-D"], "2-D").tag(sync=True)
    mode = traitlets.Enum(["convolution", "transposed"], "convolution").tag(sync=True)
    input_size = traitlets.Int(5).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Union([traitlets.Int(), traitlets.Unicode()], default_value=0).tag(
        sync=True
    )
    dilation = traitlets.Int(1).tag(sync=True)
    output_padding = traitlets.Int(0).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    input_values = traitlets.Unicode("random").tag(sync=True)
    kernel_values = traitlets.Unicode("edge").tag(sync=True)

    @traitlets.validate(
        "input_size", "kernel_size", "stride", "dilation", "output_padding", "position"
    )
    def _check_count(self, proposal):
        return checked_count(proposal)

    @traitlets.validate("padding")
    def _check_padding(self, proposal):
        return checked_padding(proposal["value"], shapes.resolve_diagram_padding)

    @traitlets.validate("input_values", "kernel_values")
    def _check_preset(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        options = INPUT_PRESETS if name == "input_values" else KERNEL_PRESETS
        if value not in options:
            raise traitlets.TraitError(
                f"{name} must be one of {', '.join(map(repr, options))}; received {name}={value!r}"
            )
        return value

    def describe(self) -> dict:
        values = self.values()
        for name in ("position", "input_values", "kernel_values"):
            values.pop(name)
        return describe_conv(**values)


def conv_explorer(**initial) -> ConvExplorer:
    """Explore any convolution: sizes, stride, padding (incl. 'same'), dilation, transposed mode.

    Keyword arguments set the initial values: ``dims`` ('1-D'/'2-D'), ``mode``
    ('convolution'/'transposed'), ``input_size`` (1-12), ``kernel_size`` (1-7), ``stride``
    (1-4), ``padding`` (0-4, 'same', 'valid', 'full', 'causal'), ``dilation`` (1-4),
    ``output_padding`` (0-3), ``position`` (the output cell shown, row-major), ``input_values``
    and ``kernel_values`` (the presets of :func:`preset_values` drawn in the cells). Every cell
    shows its value; hover or focus an output cell to light the input cells it reads and write
    out its sum of products (in transposed mode, the contributions scattered into it), an input
    cell to light the outputs reading it; the play button steps the output position. The page
    URL keeps the setting (``#conv.stride=2&...``) and a Copy button copies the PyTorch call.
    """
    return ConvExplorer(**initial)


__all__ = [
    "conv_explorer",
    "describe_conv",
    "render_conv",
    "conv_formula",
    "transpose_formula",
    "preset_values",
]
