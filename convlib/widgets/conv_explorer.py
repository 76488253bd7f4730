"""The convolution explorer: any 1-D or 2-D (transposed) convolution, its formula and its code."""

from __future__ import annotations

import math

import numpy as np

from .. import layers
from ..plotting.conv_diagram import diagram_padding, draw_conv_step
from ..plotting.transposed_diagram import draw_transposed_as_conv
from ..shapes import conv_transpose_output_size, conv_transpose_output_size_range
from ._base import Explorer, Rendered, code_block, dropdown, slider, toggle

PADDINGS = [0, 1, 2, 3, 4, "same", "valid", "full", "causal"]


def conv_formula(n: int, k: int, s: int, pads: tuple[int, int], d: int) -> str:
    """The output-size formula with the numbers substituted (HTML)."""
    lo, hi = pads
    inner = n + lo + hi - d * (k - 1) - 1
    return (
        "o = \u230a(n + p<sub>before</sub> + p<sub>after</sub> \u2212 d(k\u22121) \u2212 1)/s"
        "\u230b + 1"
        f" = \u230a({n} + {lo} + {hi} \u2212 {d}\u00b7{k - 1} \u2212 1)/{s}\u230b + 1"
        f" = \u230a{inner}/{s}\u230b + 1 = {inner // s + 1}"
    )


def transpose_formula(n: int, k: int, s: int, p: int, op: int, d: int) -> str:
    value = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    return (
        "o = (n\u22121)s \u2212 2p + d(k\u22121) + output_padding + 1"
        f" = {n - 1}\u00b7{s} \u2212 2\u00b7{p} + {d}\u00b7{k - 1} + {op} + 1 = {value}"
    )


def _torch_padding(padding, k, d, nd):
    """PyTorch's padding argument for a diagram padding ('full' becomes the int d(k-1))."""
    if padding == "full":
        return d * (k - 1)
    if padding == "causal":
        return 0
    return padding


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
    pads = diagram_padding(padding, (kernel_size,) * nd, (stride,) * nd, (dilation,) * nd)
    diagram = draw_conv_step(size, kernel_size, stride, padding, dilation)
    out = diagram.out
    index = _unravel(position, out)
    diagram.show(index)
    layer_class = layers.Conv1d if nd == 1 else layers.Conv2d
    layer = layer_class(
        1, 1, kernel_size, stride, _torch_padding(padding, kernel_size, dilation, nd), dilation
    )
    torch = layer.torch_code()
    keras = layer.keras_code()
    if padding == "causal":
        torch = f"F.pad(x, ({dilation * (kernel_size - 1)}, 0)) then {torch}"
        keras = (
            f'layers.Conv1D(1, kernel_size={kernel_size}, strides={stride}, padding="causal",'
            f" dilation_rate={dilation})"
        )
    call_padding = (
        repr(padding)
        if isinstance(padding, str) and padding != "full"
        else (_torch_padding(padding, kernel_size, dilation, nd))
    )
    convlib_call = (
        f"convlib.conv{nd}d(x, w, stride={stride}, padding={call_padding}, dilation={dilation})"
    )
    text = "".join(
        [
            f"<div>{conv_formula(input_size, kernel_size, stride, pads[0], dilation)}</div>",
            f"<div>output shape (1, 1, {', '.join(map(str, out))}) as (N, C, "
            f"{', '.join(['L'] if nd == 1 else ['H', 'W'])}); parameters {layer.num_params} "
            f"(= {kernel_size}<sup>{nd}</sup> weights + 1 bias); MACs "
            f"{math.prod(out) * kernel_size**nd}</div>",
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


class ConvExplorer(Explorer):
    def before_render(self, values: dict) -> None:
        """The output-position slider spans the current output."""
        nd = 1 if values["dims"] == "1-D" else 2
        size, k, s, d = (
            values["input_size"],
            values["kernel_size"],
            values["stride"],
            values["dilation"],
        )
        if values["mode"] == "transposed":
            if isinstance(values["padding"], str):
                return
            out = conv_transpose_output_size(
                (size,) * nd, k, s, values["padding"], values["output_padding"], d
            )
        else:
            pads = diagram_padding(values["padding"], (k,) * nd, (s,) * nd, (d,) * nd)
            out = tuple((size + lo + hi - d * (k - 1) - 1) // s + 1 for lo, hi in pads)
            if min(out) < 1:
                return  # the render reports the impossible setting
        position = self.controls["position"]
        position.max = max(math.prod(out) - 1, 0)


def conv_explorer(**initial) -> ConvExplorer:
    """Explore any convolution: sizes, stride, padding (incl. 'same'), dilation, transposed mode.

    Keyword arguments set the initial values: ``dims`` ('1-D'/'2-D'), ``mode``
    ('convolution'/'transposed'), ``input_size``, ``kernel_size``, ``stride``, ``padding``,
    ``dilation``, ``output_padding``, ``position``.
    """
    v = {
        "dims": "2-D",
        "mode": "convolution",
        "input_size": 5,
        "kernel_size": 3,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "output_padding": 0,
        "position": 0,
        **initial,
    }
    controls = {
        "dims": toggle(v["dims"], ["1-D", "2-D"], "input"),
        "mode": toggle(v["mode"], ["convolution", "transposed"], "mode"),
        "input_size": slider(v["input_size"], 1, 12, "input size n"),
        "kernel_size": slider(v["kernel_size"], 1, 7, "kernel k"),
        "stride": slider(v["stride"], 1, 4, "stride s"),
        "padding": dropdown(v["padding"], PADDINGS, "padding p"),
        "dilation": slider(v["dilation"], 1, 4, "dilation d"),
        "output_padding": slider(v["output_padding"], 0, 3, "output_padding"),
        "position": slider(v["position"], 0, 200, "output position"),
    }
    return ConvExplorer(render_conv, controls, "Convolution explorer")


__all__ = ["conv_explorer", "render_conv", "conv_formula", "transpose_formula"]
