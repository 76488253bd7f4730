"""Layer specifications mirroring the ``torch.nn`` constructors: shapes, parameters and MACs.

A spec holds no weights. Like a torch module it takes a batched ``(N, C, *spatial)`` or an
unbatched ``(C, *spatial)`` input shape, and answers: ``output_shape(input_shape)`` (keeping the
batch), ``num_params`` (as PyTorch's ``sum(p.numel() for p in m.parameters())``) and
``macs(input_shape)`` (multiply-accumulates of convolutions and linear layers, ``N`` times one
sample's; bias additions, pooling, normalisation and activations count 0).

The shapes come from the geometry plans of :mod:`convlib.geometry.shapes`. Pooling and resampling
specs are in :mod:`convlib.nn.pooling`; containers (:class:`~convlib.nn.containers.Sequential`,
:class:`~convlib.nn.containers.Residual`) and :mod:`convlib.nn.models` are built from these, and
:func:`convlib.summary` tabulates them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

from convlib._typing import IntOrTuple, Padding, Shape
from convlib._validation import (
    SPATIAL_NAMES,
    as_tuple,
    check_groups,
    check_padding_mode,
    check_positive_int,
    expand_single,
)
from convlib.geometry.shapes import (
    conv_geometry,
    conv_transpose_geometry,
    resolve_padding,
    same_padding,
)


class Layer:
    """Base class: a layer with no parameters that keeps the shape.

    ``sample_ndim`` is the rank of one sample, ``C`` plus the spatial dimensions (3 for 2-D
    images), or None for a layer that takes any rank and reads dimension 0 as the batch, as
    ``torch.nn.Flatten`` does. Subclasses describe one sample (:meth:`sample_output_shape`,
    :meth:`sample_macs`); the batch is handled here, once.
    """

    num_params: int = 0
    num_buffers: int = 0
    sample_ndim: int | None = None
    #: whether a sample may have an empty dimension (torch's pixel (un)shuffle takes one)
    empty_sample_ok: bool = False

    def input_ndim(self) -> int | None:
        """The rank of one sample this layer (a container: its first layer) takes, if known."""
        return self.sample_ndim

    def split_batch(self, input_shape: Shape) -> tuple[Shape, Shape]:
        """``(batch, sample)``: ``((N,), (C, *spatial))`` or ``((), (C, *spatial))``.

        ``N`` may be 0, as in PyTorch (a batch of no samples); the sample's sizes must be
        positive, unless the layer sets ``empty_sample_ok`` (pixel (un)shuffle).

        Raises
        ------
        ValueError
            If the rank is neither one sample's nor one more (the message gives both), or a
            size of the sample is 0.
        """
        shape = tuple(as_tuple(tuple(input_shape), len(input_shape), "input_shape", minimum=0))
        rank = self.input_ndim()
        if rank is None or len(shape) == rank + 1:
            batch, sample = shape[:1], shape[1:]
        elif len(shape) == rank:
            batch, sample = (), shape
        else:
            spatial = SPATIAL_NAMES.get(rank - 1, "*spatial")
            raise ValueError(
                f"{type(self).__name__} expected input_shape (C, {spatial}) or (N, C, {spatial}); "
                f"received input_shape {shape}"
            )
        if 0 in sample and not self.empty_sample_ok:
            raise ValueError(
                "input_shape must have positive sizes after its batch dimension (only the "
                f"batch may be 0); received input_shape={shape}"
            )
        return batch, sample

    def output_shape(self, input_shape: Shape) -> Shape:
        """The output shape for a batched or unbatched ``input_shape`` (the batch is kept)."""
        batch, sample = self.split_batch(input_shape)
        return (*batch, *self.sample_output_shape(sample))

    def macs(self, input_shape: Shape) -> int:
        """Multiply-accumulates for ``input_shape``: ``N`` times one sample's."""
        batch, sample = self.split_batch(input_shape)
        return math.prod(batch) * self.sample_macs(sample)

    def sample_output_shape(self, sample: Shape) -> Shape:
        return tuple(sample)

    def sample_macs(self, sample: Shape) -> int:
        return 0

    def children(self) -> list[tuple[str, Layer]]:
        return []

    def leaves(self, input_shape: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        """Yield ``(name, layer, input shape)`` for every leaf layer, in execution order."""
        batch, sample = self.split_batch(input_shape)
        for name, layer, shape in self.sample_leaves(sample, prefix):
            yield name, layer, (*batch, *shape)

    def sample_leaves(self, sample: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        """:meth:`leaves` for one sample (what containers pass down)."""
        yield prefix or type(self).__name__, self, tuple(sample)

    def _check_sample(self, sample: Shape, channels: int | None = None) -> Shape:
        """Check one sample has this layer's rank (and ``channels``); return it as a tuple."""
        sample = tuple(sample)
        rank = self.sample_ndim
        if (rank is not None and len(sample) != rank) or (
            channels is not None and (not sample or sample[0] != channels)
        ):
            spatial = SPATIAL_NAMES.get((rank or 1) - 1, "*spatial")
            wanted = f" with {channels} input channels" if channels is not None else ""
            raise ValueError(
                f"{type(self).__name__} expected input_shape (C, {spatial}) or (N, C, {spatial})"
                f"{wanted}; received input_shape {sample}"
            )
        return sample

    # --- rendering: one ordered field list drives repr, torch_code and keras_code ----------
    fields: tuple[Field, ...] = ()

    def __repr__(self) -> str:
        shown = [f.render(getattr(self, f.name), code=False) for f in self.fields if self._shows(f)]
        return f"{type(self).__name__}({', '.join(s for s in shown if s is not None)})"

    def _shows(self, field: Field, code: bool = False) -> bool:
        value = getattr(self, field.name)
        return field.always or (code and field.in_code) or not field.is_default(value)

    def torch_code(self) -> str:
        """The exact ``torch.nn`` constructor call, e.g. ``nn.Conv2d(1, 8, kernel_size=3)``."""
        args = [
            f.render(getattr(self, f.name), code=True)
            for f in self.fields
            if self._shows(f, code=True)
        ]
        return f"nn.{type(self).__name__}({', '.join(args)})"

    def keras_code(self) -> str | None:
        """The equivalent Keras layer call, or None where Keras has none."""
        return None


@dataclasses.dataclass(frozen=True)
class Field:
    """One constructor argument of a spec, in PyTorch's order.

    ``default`` is omitted from ``repr`` (torch's ``extra_repr`` rule) unless ``always``;
    ``in_code`` shows it in :meth:`Layer.torch_code` even at its default; ``positional`` renders
    the bare value; ``keras`` is the Keras keyword (None: no Keras argument); ``compact`` writes
    ``(3, 3)`` as ``3`` in ``repr`` too (``torch_code`` always does).
    """

    name: str
    default: object = None
    always: bool = False
    in_code: bool = False
    positional: bool = False
    keras: str | None = None
    compact: bool = False

    def is_default(self, value: object) -> bool:
        if isinstance(value, tuple) and not isinstance(self.default, tuple):
            return all(v == self.default for v in value)
        return value == self.default

    def render(self, value: object, code: bool) -> str:
        if self.name == "bias":
            value = bool(value)
        compact = (code or self.compact) and isinstance(value, tuple)
        text = _tuple_repr(value) if compact else repr(value)
        return text if self.positional else f"{self.name}={text}"


def _tuple_repr(value: tuple[int, ...]) -> str:
    return str(value[0]) if len(set(value)) == 1 else str(value)


_CONV_FIELDS = (
    Field("in_channels", always=True, positional=True),
    Field("out_channels", always=True, positional=True),
    Field("kernel_size", always=True, keras="kernel_size"),
    Field("stride", always=True, keras="strides"),
    Field("padding", default=0, in_code=True, keras="padding"),
    Field("dilation", default=1, in_code=True, keras="dilation_rate"),
    Field("output_padding", default=0, keras="output_padding"),
    Field("groups", default=1, keras="groups"),
    Field("bias", default=True, keras="use_bias"),
    Field("padding_mode", default="zeros"),
)


class _ConvNd(Layer):
    """Shared by the convolution specs (siblings, as in ``torch.nn``): checks and counts."""

    _nd = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: Padding = 0,
        dilation: IntOrTuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
    ) -> None:
        n = self._nd
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.groups = check_groups(self.in_channels, self.out_channels, groups)
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size")
        self.stride = as_tuple(expand_single(stride, n), n, "stride")
        self.dilation = as_tuple(expand_single(dilation, n), n, "dilation")
        if isinstance(padding, str) and not self._transposed:
            resolve_padding(padding, self.kernel_size, self.stride, self.dilation)  # checks it
            self.padding = padding
        else:
            # torch's F.conv expands padding=(1,), its F.pad (other padding modes) does not
            if padding_mode == "zeros":
                padding = expand_single(padding, n)
            self.padding = as_tuple(padding, n, "padding", minimum=0)
        self.bias = bool(bias)
        self.padding_mode = check_padding_mode(padding_mode)

    @property
    def sample_ndim(self) -> int:
        return self._nd + 1

    @property
    def num_params(self) -> int:
        weights = self.in_channels * self.out_channels // self.groups * math.prod(self.kernel_size)
        return weights + (self.out_channels if self.bias else 0)

    def geometry(self, sample: Shape):
        """The :class:`~convlib.geometry.shapes.Geometry` plan for one ``(C, *spatial)`` sample."""
        spatial = self._check_sample(sample, self.in_channels)[1:]
        return conv_geometry(spatial, self.kernel_size, self.stride, self.padding, self.dilation)

    def sample_output_shape(self, sample: Shape) -> Shape:
        return (self.out_channels, *self.geometry(sample).output_size)

    def sample_macs(self, sample: Shape) -> int:
        return self.geometry(sample).macs(self.in_channels, self.out_channels, self.groups)

    def keras_code(self) -> str | None:
        """The equivalent Keras layer, or None where Keras has none (e.g. asymmetric padding).

        Keras pads only 'valid' (none) or 'same' (which for stride 1 equals PyTorch's 'same'
        and symmetric ``(k-1)/2`` padding of odd kernels), 'causal' for 1-D.
        """
        keras_padding = self._keras_padding()
        if keras_padding is None or self.padding_mode != "zeros":
            return None
        if self._transposed and self.groups != 1:
            return None
        name = f"Conv{self._nd}D" + ("Transpose" if self._transposed else "")
        args = []
        for field in self.fields:
            value = getattr(self, field.name)
            if field.name == "out_channels":
                args.append(str(value))
            elif field.name == "padding":
                args.append(f'padding="{keras_padding}"')
            elif field.name == "bias":
                args.append(f"use_bias={self.bias}")
            elif field.keras and (field.always or field.name == "dilation" or self._shows(field)):
                text = _tuple_repr(value) if isinstance(value, tuple) else repr(value)
                args.append(f"{field.keras}={text}")
        return f"layers.{name}({', '.join(args)})"

    def _keras_padding(self) -> str | None:
        if isinstance(self.padding, str):
            return None if self.padding == "causal" and self._nd != 1 else self.padding
        if self.padding == (0,) * self._nd:
            return "valid"
        same_size = tuple((p, p) for p in self.padding) == same_padding(
            self.kernel_size, self.dilation
        )
        return "same" if same_size and all(s == 1 for s in self.stride) else None


class _ConvTransposeNd(_ConvNd):
    """The transposed convolution specs: ``output_padding`` and the transposed size rule."""

    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 0,
        output_padding: IntOrTuple = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: IntOrTuple = 1,
        padding_mode: str = "zeros",
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(
                "transposed convolutions only support padding_mode='zeros' (as in PyTorch); "
                f"received padding_mode={padding_mode!r}"
            )
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode)  # fmt: skip
        self.output_padding = as_tuple(
            expand_single(output_padding, self._nd), self._nd, "output_padding", minimum=0
        )
        # check output_padding now, as torch does, on an input no padding can empty
        self.geometry((self.in_channels, *(2 * p + 1 for p in self.padding)))

    def geometry(self, sample: Shape):
        spatial = self._check_sample(sample, self.in_channels)[1:]
        return conv_transpose_geometry(
            spatial, self.kernel_size, self.stride, self.padding, self.output_padding,
            self.dilation,
        )  # fmt: skip


_TRANSPOSE_FIELDS = tuple(
    dataclasses.replace(f, in_code=True) if f.name == "output_padding" else f for f in _CONV_FIELDS
)


class Conv1d(_ConvNd):
    """Spec of ``torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True, padding_mode='zeros')``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1
    fields = tuple(f for f in _CONV_FIELDS if f.name != "output_padding")


class Conv2d(_ConvNd):
    """Spec of ``torch.nn.Conv2d``: weight ``(C_out, C_in/groups, kH, kW)``; parameters
    :math:`C_\\text{in} C_\\text{out} k_H k_W / g` (+ :math:`C_\\text{out}` bias)."""

    _nd = 2
    fields = Conv1d.fields


class Conv3d(_ConvNd):
    """Spec of ``torch.nn.Conv3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3
    fields = Conv1d.fields


class ConvTranspose1d(_ConvTransposeNd):
    """Spec of ``torch.nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')``."""

    _nd = 1
    fields = _TRANSPOSE_FIELDS


class ConvTranspose2d(_ConvTransposeNd):
    """Spec of ``torch.nn.ConvTranspose2d``: weight ``(C_in, C_out/groups, kH, kW)``."""

    _nd = 2
    fields = _TRANSPOSE_FIELDS


class ConvTranspose3d(_ConvTransposeNd):
    """Spec of ``torch.nn.ConvTranspose3d``."""

    _nd = 3
    fields = _TRANSPOSE_FIELDS


class Linear(Layer):
    """Spec of ``torch.nn.Linear(in_features, out_features, bias=True)``: input ``(*, in)``."""

    fields = (
        Field("in_features", always=True),
        Field("out_features", always=True),
        Field("bias", always=True),
    )

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.bias = bool(bias)
        self.num_params = in_features * out_features + (out_features if bias else 0)

    def split_batch(self, input_shape: Shape) -> tuple[Shape, Shape]:
        shape = tuple(input_shape)  # every leading dimension is a batch dimension
        return shape[:-1], shape[-1:]

    def sample_output_shape(self, sample: Shape) -> Shape:
        if not sample or sample[-1] != self.in_features:
            raise ValueError(
                f"Linear expected an input_shape ending in {self.in_features} features; "
                f"received input_shape {tuple(sample)}"
            )
        return (*sample[:-1], self.out_features)

    def sample_macs(self, sample: Shape) -> int:
        leading = self.sample_output_shape(sample)[:-1]
        return math.prod(leading) * self.in_features * self.out_features


class BatchNorm2d(Layer):
    """Spec of ``torch.nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)``.

    Parameters: weight and bias (``2C`` when ``affine``; ``C``, the weight alone, when
    ``affine`` and not ``bias``). Buffers: running mean and variance
    (``2C``; Keras counts these as non-trainable parameters) and PyTorch's one-element
    ``num_batches_tracked``, which :attr:`num_buffers` includes and Keras has no counterpart of.
    """

    sample_ndim = 3
    fields = (Field("num_features", always=True, positional=True), Field("bias", default=True))

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, bias=True):  # fmt: skip
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.bias = bool(bias)
        self.num_params = (1 + self.bias) * num_features if affine else 0
        self.running_stats = 2 * num_features if track_running_stats else 0
        self.num_buffers = self.running_stats + (1 if track_running_stats else 0)

    def sample_output_shape(self, sample: Shape) -> Shape:
        return self._check_sample(sample, self.num_features)


class ReLU(Layer):
    """Spec of ``torch.nn.ReLU(inplace=False)``."""

    fields = (Field("inplace", default=False),)

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = inplace


class ReLU6(ReLU):
    """Spec of ``torch.nn.ReLU6(inplace=False)`` (MobileNetV2's activation)."""


class Dropout(Layer):
    """Spec of ``torch.nn.Dropout(p=0.5, inplace=False)``."""

    fields = (Field("p", always=True),)

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        self.p, self.inplace = p, inplace


class LocalResponseNorm(Layer):
    """Spec of ``torch.nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0)`` (AlexNet)."""

    fields = (Field("size", always=True, positional=True),)

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k


class Flatten(Layer):
    """Spec of ``torch.nn.Flatten(start_dim=1, end_dim=-1)``; dimension 0 is the batch, as in
    PyTorch (inside a model given an unbatched shape, the model supplies that batch)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def sample_output_shape(self, sample: Shape) -> Shape:
        full = (1, *sample)
        end = self.end_dim % len(full)
        flat = (
            *full[: self.start_dim],
            math.prod(full[self.start_dim : end + 1]),
            *full[end + 1 :],
        )
        return flat[1:]


class ChannelShuffle(Layer):
    """Spec of ``torch.nn.ChannelShuffle(groups)`` (ShuffleNet): a permutation of channels."""

    sample_ndim = 3
    fields = (Field("groups", always=True, positional=True),)

    def __init__(self, groups: int) -> None:
        self.groups = check_positive_int(groups, "groups")

    def sample_output_shape(self, sample: Shape) -> Shape:
        sample = self._check_sample(sample)
        check_groups(sample[0], None, self.groups)
        return sample


class PassThrough(Layer):
    """A layer convlib does not model, kept as a row with what PyTorch reported about it.

    :func:`convlib.from_torch` and :func:`convlib.from_torch_repr` make these for modules and
    functions they have no spec for (``nn.GroupNorm``, ``x.view(...)``, ...), so a summary never
    drops a layer and its parameters. ``modelled`` is False: the row's shape comes from torch
    (or, from printed text, is the input's), not from convlib's arithmetic.

    Parameters
    ----------
    type_name : str
        What the layer is, e.g. ``'GroupNorm'`` or ``'view'``.
    num_params : int
        Its parameter count (PyTorch's ``parameters()``).
    input_sample, output_sample : tuple of int, optional
        One sample's input and output shape as torch saw them (no batch). Without them the
        layer keeps the shape of whatever it receives. With them it keeps the shape too when
        they are equal, else it takes only ``input_sample``.
    macs : int
        One sample's multiply-accumulates as torch's ``FlopCounterMode`` counted them / 2.
    """

    modelled = False

    def __init__(
        self,
        type_name: str,
        num_params: int = 0,
        input_sample: Shape | None = None,
        output_sample: Shape | None = None,
        macs: int = 0,
    ) -> None:
        self.type_name = str(type_name)
        self.num_params = check_positive_int(num_params, "num_params", minimum=0)
        self.input_sample = None if input_sample is None else tuple(input_sample)
        self.output_sample = None if output_sample is None else tuple(output_sample)
        self.sample_macs_recorded = check_positive_int(macs, "macs", minimum=0)

    fields = (Field("type_name", always=True, positional=True),)

    def sample_output_shape(self, sample: Shape) -> Shape:
        sample = tuple(sample)
        if self.output_sample is None or self.output_sample == self.input_sample:
            return sample
        if sample != self.input_sample:
            raise ValueError(
                f"PassThrough({self.type_name!r}) has no convlib spec: its output shape is known "
                f"only for the input it was recorded with, {self.input_sample}; received "
                f"input_shape {sample}"
            )
        return self.output_sample

    def sample_macs(self, sample: Shape) -> int:
        return self.sample_macs_recorded
