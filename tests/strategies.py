"""Hypothesis strategies shared by the tests: random, valid convolution settings.

Sizes stay tiny so the reference loops run fast; every combination drawn is one PyTorch accepts.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from convlib.geometry.shapes import conv_output_size, pool_output_size, resolve_padding

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


@dataclasses.dataclass(frozen=True)
class PoolConfig:
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None

    @property
    def n_dims(self) -> int:
        return len(self.kernel_size)

    @property
    def max_kwargs(self) -> dict:
        return {
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "ceil_mode": self.ceil_mode,
        }

    @property
    def avg_kwargs(self) -> dict:
        kwargs = {
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "ceil_mode": self.ceil_mode,
            "count_include_pad": self.count_include_pad,
        }
        if self.n_dims > 1:  # avg_pool1d has no divisor_override, in PyTorch too
            kwargs["divisor_override"] = self.divisor_override
        return kwargs

    @property
    def avg_pool3d_accepts(self) -> bool:
        """PyTorch's avg_pool3d also needs the input at least as large as the kernel."""
        sizes = self.input_shape[-self.n_dims :]
        return self.n_dims < 3 or all(n >= k for n, k in zip(sizes, self.kernel_size, strict=True))

    def array(self, seed: int, dtype=np.float64):
        return np.random.default_rng(seed).standard_normal(self.input_shape).astype(dtype)


@st.composite
def pool_configs(draw, dims=(1, 2, 3), max_size=7, batched=None, dilated=True):
    """Valid pooling settings: padding at most half the kernel, ceil mode, count_include_pad,
    divisor_override, default or explicit stride, batched or unbatched."""
    n = draw(st.sampled_from(dims))
    kernel = _tuple(draw, n, 1, 4)
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * n)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = _tuple(draw, n, 1, 2) if dilated else (1,) * n
    ceil_mode = draw(st.booleans())
    size = _tuple(draw, n, 1, max_size)
    try:
        pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    except ValueError:
        assume(False)
    is_batched = draw(st.booleans()) if batched is None else batched
    lead = (draw(st.integers(1, 2)),) if is_batched else ()
    return PoolConfig(
        input_shape=(*lead, draw(st.integers(1, 2)), *size),
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        count_include_pad=draw(st.booleans()),
        divisor_override=draw(st.one_of(st.none(), st.integers(-3, 5).filter(bool))),
    )


@dataclasses.dataclass(frozen=True)
class InterpolateConfig:
    input_shape: tuple[int, ...]
    size: tuple[int, ...] | int | None
    scale_factor: tuple[float, ...] | float | None
    mode: str
    align_corners: bool | None
    recompute_scale_factor: bool | None

    @property
    def kwargs(self) -> dict:
        return {
            "size": self.size,
            "scale_factor": self.scale_factor,
            "mode": self.mode,
            "align_corners": self.align_corners,
            "recompute_scale_factor": self.recompute_scale_factor,
        }

    def array(self, seed: int, dtype=np.float64):
        return np.random.default_rng(seed).standard_normal(self.input_shape).astype(dtype)


SCALES = st.one_of(
    st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 0.7, 1.1, 2.1, 1 / 3, 2.5, 4.0]),
    st.floats(0.2, 4.0).map(lambda f: round(f, 3)),
)


@st.composite
def interpolate_configs(draw, dims=(1, 2, 3), max_size=6):
    """Valid ``interpolate`` settings: a size or a scale factor (recomputed or not), the modes
    each input rank accepts, align_corners only where it is allowed."""
    n = draw(st.sampled_from(dims))
    linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[n]
    mode = draw(st.sampled_from(["nearest", "nearest-exact", linear]))
    align_corners = draw(st.sampled_from([None, True, False])) if mode == linear else None
    size_in = _tuple(draw, n, 1, max_size)
    recompute = None
    if draw(st.booleans()):
        size = _tuple(draw, n, 1, 2 * max_size)
        size, scale = (size[0] if n == 1 and draw(st.booleans()) else size), None
    else:
        scale = tuple(draw(SCALES) for _ in range(n))
        if draw(st.booleans()):
            scale = scale[0]
        size = None
        recompute = draw(st.sampled_from([None, False, True]))
        factors = scale if isinstance(scale, tuple) else (scale,) * n
        assume(all(int(i * f) >= 1 for i, f in zip(size_in, factors, strict=True)))
    return InterpolateConfig(
        input_shape=(draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size_in),
        size=size,
        scale_factor=scale,
        mode=mode,
        align_corners=align_corners,
        recompute_scale_factor=recompute,
    )
