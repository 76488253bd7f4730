"""Layer specifications mirroring the ``torch.nn`` constructors: shapes, parameters and MACs.

A spec holds no weights. Each answers three questions for an input of shape ``(C, *spatial)``
(no batch dimension): ``output_shape(input_shape)``, ``num_params`` (as PyTorch's
``sum(p.numel() for p in m.parameters())``) and ``macs(input_shape)`` (multiply-accumulates of
convolutions and linear layers; bias additions, pooling, normalisation and activations count 0).

Containers (:class:`Sequential`, :class:`Residual`) and the models in :mod:`convlib.models` are
built from these; :func:`convlib.summary` tabulates them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ._typing import IntOrTuple, Padding, Shape
from ._validation import as_tuple, check_groups, check_padding_mode, check_positive_int
from .shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    resolve_padding,
)


class Layer:
    """Base class: a layer with no parameters that keeps the shape."""

    num_params: int = 0
    num_buffers: int = 0

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def macs(self, input_shape: Shape) -> int:
        return 0

    def children(self) -> list[tuple[str, Layer]]:
        return []

    def leaves(self, input_shape: Shape, prefix: str = "") -> Iterator[tuple[str, Layer, Shape]]:
        """Yield ``(name, layer, input shape)`` for every leaf layer, in execution order."""
        yield prefix or type(self).__name__, self, tuple(input_shape)

    def torch_code(self) -> str:
        return f"nn.{self!r}"

    def keras_code(self) -> str | None:
        return None

    def _fields(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._fields()})"


def _tuple_repr(value: tuple[int, ...]) -> str:
    return str(value[0]) if len(set(value)) == 1 else str(value)


class _ConvNd(Layer):
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
        output_padding: IntOrTuple = 0,
    ) -> None:
        n = self._nd
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.groups = check_groups(self.in_channels, self.out_channels, groups)
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size")
        self.stride = as_tuple(stride, n, "stride")
        self.dilation = as_tuple(dilation, n, "dilation")
        if isinstance(padding, str) and not self._transposed:
            resolve_padding(padding, self.kernel_size, self.stride, self.dilation)  # checks it
            self.padding = padding
        else:
            self.padding = as_tuple(padding, n, "padding", minimum=0)
        self.output_padding = as_tuple(output_padding, n, "output_padding", minimum=0)
        self.bias = bool(bias)
        self.padding_mode = check_padding_mode(padding_mode)

    @property
    def num_params(self) -> int:
        weights = self.in_channels * self.out_channels // self.groups * math.prod(self.kernel_size)
        return weights + (self.out_channels if self.bias else 0)

    def _check_input(self, input_shape: Shape) -> tuple[int, ...]:
        shape = tuple(input_shape)
        if len(shape) != self._nd + 1 or shape[0] != self.in_channels:
            raise ValueError(
                f"{type(self).__name__} expected input_shape (C, *spatial) with "
                f"{self.in_channels} input channels and {self._nd} spatial dimensions; "
                f"received input_shape {shape}"
            )
        return shape[1:]

    def output_shape(self, input_shape: Shape) -> Shape:
        spatial = self._check_input(input_shape)
        if self._transposed:
            size = conv_transpose_output_size(
                spatial, self.kernel_size, self.stride, self.padding, self.output_padding,
                self.dilation,
            )  # fmt: skip
        else:
            size = conv_output_size(
                spatial, self.kernel_size, self.stride, self.padding, self.dilation
            )
        return (self.out_channels, *size)

    def macs(self, input_shape: Shape) -> int:
        taps = math.prod(self.kernel_size)
        if self._transposed:  # every input cell is multiplied by C_out/g kernel taps per channel
            cells = math.prod(self._check_input(input_shape))
            return cells * self.in_channels * self.out_channels // self.groups * taps
        cells = math.prod(self.output_shape(input_shape)[1:])
        return cells * self.out_channels * self.in_channels // self.groups * taps

    def _fields(self) -> str:
        fields = [f"{self.in_channels}, {self.out_channels}", f"kernel_size={self.kernel_size}"]
        fields.append(f"stride={self.stride}")
        if self.padding != (0,) * self._nd:
            fields.append(f"padding={self.padding!r}")
        if self._transposed and any(self.output_padding):
            fields.append(f"output_padding={self.output_padding}")
        if self.dilation != (1,) * self._nd:
            fields.append(f"dilation={self.dilation}")
        if self.groups != 1:
            fields.append(f"groups={self.groups}")
        if not self.bias:
            fields.append("bias=False")
        if self.padding_mode != "zeros":
            fields.append(f"padding_mode={self.padding_mode!r}")
        return ", ".join(fields)

    def torch_code(self) -> str:
        """The exact ``torch.nn`` constructor call, e.g. ``nn.Conv2d(1, 8, kernel_size=3)``."""
        args = [str(self.in_channels), str(self.out_channels)]
        args.append(f"kernel_size={_tuple_repr(self.kernel_size)}")
        args.append(f"stride={_tuple_repr(self.stride)}")
        padding = repr(self.padding) if isinstance(self.padding, str) else _tuple_repr(self.padding)
        args.append(f"padding={padding}")
        if self._transposed:
            args.append(f"output_padding={_tuple_repr(self.output_padding)}")
        args.append(f"dilation={_tuple_repr(self.dilation)}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        if not self.bias:
            args.append("bias=False")
        if self.padding_mode != "zeros":
            args.append(f"padding_mode={self.padding_mode!r}")
        return f"nn.{type(self).__name__}({', '.join(args)})"

    def keras_code(self) -> str | None:
        """The equivalent Keras layer, or None where Keras has none (e.g. asymmetric padding).

        Keras pads only 'valid' (none) or 'same' (which for stride 1 equals PyTorch's 'same'
        and symmetric ``(k-1)/2`` padding of odd kernels), 'causal' for 1-D.
        """
        keras_padding = self._keras_padding()
        if keras_padding is None or self.padding_mode != "zeros":
            return None
        name = f"Conv{self._nd}D" + ("Transpose" if self._transposed else "")
        args = [str(self.out_channels), f"kernel_size={_tuple_repr(self.kernel_size)}"]
        args.append(f"strides={_tuple_repr(self.stride)}")
        args.append(f'padding="{keras_padding}"')
        if self._transposed and any(self.output_padding):
            args.append(f"output_padding={_tuple_repr(self.output_padding)}")
        args.append(f"dilation_rate={_tuple_repr(self.dilation)}")
        if self.groups != 1:
            if self._transposed:
                return None
            args.append(f"groups={self.groups}")
        args.append(f"use_bias={self.bias}")
        return f"layers.{name}({', '.join(args)})"

    def _keras_padding(self) -> str | None:
        if self.padding in ("valid", "same", "causal"):
            return None if self.padding == "causal" and self._nd != 1 else self.padding
        if self.padding == (0,) * self._nd:
            return "valid"
        same_size = all(
            p * 2 == d * (k - 1)
            for p, k, d in zip(self.padding, self.kernel_size, self.dilation, strict=True)
        )
        return "same" if same_size and all(s == 1 for s in self.stride) else None


class Conv1d(_ConvNd):
    """Spec of ``torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True, padding_mode='zeros')``."""

    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros"):  # fmt: skip
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode)  # fmt: skip


class Conv2d(Conv1d):
    """Spec of ``torch.nn.Conv2d``: weight ``(C_out, C_in/groups, kH, kW)``; parameters
    :math:`C_\\text{in} C_\\text{out} k_H k_W / g` (+ :math:`C_\\text{out}` bias)."""

    _nd = 2


class Conv3d(Conv1d):
    """Spec of ``torch.nn.Conv3d``."""

    _nd = 3


class ConvTranspose1d(_ConvNd):
    """Spec of ``torch.nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, output_padding=0, groups=1, bias=True, dilation=1)``."""

    _nd = 1
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1):  # fmt: skip
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, "zeros", output_padding)  # fmt: skip
        for op, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if op >= s and op >= d:
                raise ValueError(
                    "output_padding must be smaller than either stride or dilation; received "
                    f"output_padding={output_padding!r} with stride={stride!r}, "
                    f"dilation={dilation!r}"
                )


class ConvTranspose2d(ConvTranspose1d):
    """Spec of ``torch.nn.ConvTranspose2d``: weight ``(C_in, C_out/groups, kH, kW)``."""

    _nd = 2


class ConvTranspose3d(ConvTranspose1d):
    """Spec of ``torch.nn.ConvTranspose3d``."""

    _nd = 3


class Linear(Layer):
    """Spec of ``torch.nn.Linear(in_features, out_features, bias=True)``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.bias = bool(bias)
        self.num_params = in_features * out_features + (out_features if bias else 0)

    def output_shape(self, input_shape: Shape) -> Shape:
        if not input_shape or input_shape[-1] != self.in_features:
            raise ValueError(
                f"Linear expected an input_shape ending in {self.in_features} features; "
                f"received input_shape {tuple(input_shape)}"
            )
        return (*input_shape[:-1], self.out_features)

    def macs(self, input_shape: Shape) -> int:
        return math.prod(self.output_shape(input_shape)[:-1]) * self.in_features * self.out_features

    def _fields(self) -> str:
        bias = "" if self.bias else ", bias=False"
        return f"in_features={self.in_features}, out_features={self.out_features}{bias}"

    def keras_code(self) -> str:
        return f"layers.Dense({self.out_features}, use_bias={self.bias})"


class _Pool2d(Layer):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        self.kernel_size = as_tuple(kernel_size, 2, "kernel_size")
        self.stride = self.kernel_size if stride is None else as_tuple(stride, 2, "stride")
        self.padding = as_tuple(padding, 2, "padding", minimum=0)
        self.dilation = as_tuple(dilation, 2, "dilation")
        self.ceil_mode = bool(ceil_mode)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} expected input_shape (C, H, W); received {input_shape}"
            )
        size = pool_output_size(
            tuple(input_shape[1:]), self.kernel_size, self.stride, self.padding, self.dilation,
            self.ceil_mode,
        )  # fmt: skip
        return (input_shape[0], *size)

    def _fields(self) -> str:
        return (
            f"kernel_size={_tuple_repr(self.kernel_size)}, stride={_tuple_repr(self.stride)}, "
            f"padding={_tuple_repr(self.padding)}"
        )


class MaxPool2d(_Pool2d):
    """Spec of ``torch.nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1,
    ceil_mode=False)``."""


class AvgPool2d(_Pool2d):
    """Spec of ``torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True)``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):  # fmt: skip
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = bool(count_include_pad)


class AdaptiveAvgPool2d(Layer):
    """Spec of ``torch.nn.AdaptiveAvgPool2d(output_size)`` (``None`` keeps that input size)."""

    def __init__(self, output_size: IntOrTuple | tuple[int | None, int | None]) -> None:
        if isinstance(output_size, tuple) and None in output_size:
            self.output_size = output_size
        else:
            self.output_size = as_tuple(output_size, 2, "output_size")

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise ValueError(f"AdaptiveAvgPool2d expected (C, H, W); received {input_shape}")
        size = [
            s if o is None else o for o, s in zip(self.output_size, input_shape[1:], strict=True)
        ]
        return (input_shape[0], *size)

    def _fields(self) -> str:
        return f"output_size={_tuple_repr(self.output_size)}"


class BatchNorm2d(Layer):
    """Spec of ``torch.nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True,
    track_running_stats=True)``.

    Parameters: weight and bias (``2C`` when ``affine``). Buffers: running mean and variance
    (``2C``; Keras counts these as non-trainable parameters) and PyTorch's one-element
    ``num_batches_tracked``, which :attr:`num_buffers` includes and Keras has no counterpart of.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):  # fmt: skip
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.num_params = 2 * num_features if affine else 0
        self.running_stats = 2 * num_features if track_running_stats else 0
        self.num_buffers = self.running_stats + (1 if track_running_stats else 0)

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[0] != self.num_features:
            raise ValueError(
                f"BatchNorm2d expected {self.num_features} channels; "
                f"received input_shape {tuple(input_shape)}"
            )
        return tuple(input_shape)

    def _fields(self) -> str:
        return f"{self.num_features}"


class ReLU(Layer):
    """Spec of ``torch.nn.ReLU(inplace=False)``."""

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = inplace


class ReLU6(ReLU):
    """Spec of ``torch.nn.ReLU6(inplace=False)`` (MobileNetV2's activation)."""


class Dropout(Layer):
    """Spec of ``torch.nn.Dropout(p=0.5, inplace=False)``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        self.p, self.inplace = p, inplace

    def _fields(self) -> str:
        return f"p={self.p}"


class LocalResponseNorm(Layer):
    """Spec of ``torch.nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0)`` (AlexNet)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def _fields(self) -> str:
        return f"{self.size}"


class Flatten(Layer):
    """Spec of ``torch.nn.Flatten(start_dim=1, end_dim=-1)`` (dims count the batch as 0)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def output_shape(self, input_shape: Shape) -> Shape:
        full = (1, *input_shape)
        end = self.end_dim % len(full)
        flat = (
            *full[: self.start_dim],
            math.prod(full[self.start_dim : end + 1]),
            *full[end + 1 :],
        )
        return flat[1:]


class ChannelShuffle(Layer):
    """Spec of ``torch.nn.ChannelShuffle(groups)`` (ShuffleNet): a permutation of channels."""

    def __init__(self, groups: int) -> None:
        self.groups = check_positive_int(groups, "groups")

    def output_shape(self, input_shape: Shape) -> Shape:
        check_groups(input_shape[0], None, self.groups)
        return tuple(input_shape)

    def _fields(self) -> str:
        return f"{self.groups}"
