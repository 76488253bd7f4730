"""Hypothesis strategies shared by the tests: random, valid convolution settings.

Sizes stay tiny so the reference loops run fast; every combination drawn is one PyTorch accepts.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from convlib.shapes import conv_output_size, resolve_padding

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


@dataclasses.dataclass(frozen=True)
class ConvConfig:
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: object
    dilation: tuple[int, ...]
    groups: int
    padding_mode: str
    bias: bool

    @property
    def kwargs(self) -> dict:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
            "padding_mode": self.padding_mode,
        }

    def arrays(self, seed: int, dtype=np.float64):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(self.input_shape).astype(dtype)
        w = rng.standard_normal(self.weight_shape).astype(dtype)
        b = rng.standard_normal(self.weight_shape[0]).astype(dtype) if self.bias else None
        return x, w, b


@dataclasses.dataclass(frozen=True)
class ConvTransposeConfig:
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    bias: bool

    @property
    def kwargs(self) -> dict:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "groups": self.groups,
            "dilation": self.dilation,
        }

    def arrays(self, seed: int, dtype=np.float64):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(self.input_shape).astype(dtype)
        w = rng.standard_normal(self.weight_shape).astype(dtype)
        c_out = self.weight_shape[1] * self.groups
        b = rng.standard_normal(c_out).astype(dtype) if self.bias else None
        return x, w, b


def _tuple(draw, n, low, high):
    return tuple(draw(st.integers(low, high)) for _ in range(n))


@st.composite
def conv_configs(draw, dims=(1, 2, 3), max_size=7, modes=PADDING_MODES, batched=None):
    """Valid ``conv`` settings: 1-3 spatial dims, stride, padding (incl. strings), dilation,
    groups, padding modes, batched or unbatched."""
    n = draw(st.sampled_from(dims))
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = _tuple(draw, n, 1, 3)
    dilation = _tuple(draw, n, 1, 2)
    padding = draw(
        st.one_of(
            st.sampled_from(["valid", "same", "causal"]),
            st.integers(0, 2),
            st.tuples(*[st.integers(0, 2)] * n),
        )
    )
    stride = (1,) * n if padding in ("same", "causal") else _tuple(draw, n, 1, 3)
    size = _tuple(draw, n, 1, max_size)
    mode = draw(st.sampled_from(modes))
    pads = resolve_padding(padding, kernel, stride, dilation)
    if mode == "reflect":
        assume(all(max(p) < s for p, s in zip(pads, size, strict=True)))
    if mode == "circular":
        assume(all(max(p) <= s for p, s in zip(pads, size, strict=True)))
    try:
        conv_output_size(
            size, kernel, stride, padding if isinstance(padding, str) else padding, dilation
        )
    except ValueError:
        assume(False)
    is_batched = draw(st.booleans()) if batched is None else batched
    batch = (draw(st.integers(1, 2)),) if is_batched else ()
    return ConvConfig(
        input_shape=(*batch, c_in, *size),
        weight_shape=(c_out, c_in // groups, *kernel),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        padding_mode=mode,
        bias=draw(st.booleans()),
    )


@st.composite
def conv_transpose_configs(draw, dims=(1, 2, 3), max_size=5, batched=None):
    """Valid ``conv_transpose`` settings, ``output_padding`` smaller than stride or dilation."""
    n = draw(st.sampled_from(dims))
    groups = draw(st.integers(1, 3))
    c_in, c_group_out = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = _tuple(draw, n, 1, 3)
    stride = _tuple(draw, n, 1, 3)
    dilation = _tuple(draw, n, 1, 2)
    padding = _tuple(draw, n, 0, 2)
    output_padding = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
    )
    size = _tuple(draw, n, 1, max_size)
    out = [
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, s, p, d, k, op in zip(
            size, stride, padding, dilation, kernel, output_padding, strict=True
        )
    ]
    assume(all(o >= 1 for o in out))
    is_batched = draw(st.booleans()) if batched is None else batched
    batch = (draw(st.integers(1, 2)),) if is_batched else ()
    return ConvTransposeConfig(
        input_shape=(*batch, c_in, *size),
        weight_shape=(c_in, c_group_out, *kernel),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
        bias=draw(st.booleans()),
    )
