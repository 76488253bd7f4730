"""Pooling and resampling layer specs, as the ``torch.nn`` constructors: shapes and counts.

Max and average pooling (1-D to 3-D, ``ceil_mode``, ``count_include_pad``, dilation for max),
adaptive average pooling, ``Upsample`` and the pixel (un)shuffle of sub-pixel convolution. None
has parameters; all count 0 MACs (the convention of :mod:`convlib.nn.layers`). Input shapes are
batched ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``, except ``Upsample``, which (as in
PyTorch) always reads dimension 0 as the batch.
"""

from __future__ import annotations

import math
import numbers

from convlib._typing import IntOrTuple, Shape
from convlib._validation import as_tuple, check_positive_int, expand_single
from convlib.geometry.shapes import Geometry, effective_kernel_size, pool_geometry
from convlib.nn.layers import Field, Layer


def _compact(name: str, **kwargs) -> Field:
    return Field(name, always=True, compact=True, **kwargs)


class _PoolNd(Layer):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        n = self._nd
        # torch's poolings expand kernel_size=(2,) to every spatial dimension, and read
        # stride=() (or []) as stride=None
        kernel_size, stride, padding, dilation = (
            expand_single(v, n) for v in (kernel_size, stride, padding, dilation)
        )
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size")
        no_stride = stride is None or (isinstance(stride, tuple | list) and len(stride) == 0)
        self.stride = self.kernel_size if no_stride else as_tuple(stride, n, "stride")
        self.padding = as_tuple(padding, n, "padding", minimum=0)
        self.dilation = as_tuple(dilation, n, "dilation")
        self.ceil_mode = bool(ceil_mode)
        # the padding rule holds for every input: check it now (an input the window fits)
        self.geometry((1, *effective_kernel_size(self.kernel_size, self.dilation)))

    @property
    def sample_ndim(self) -> int:
        return self._nd + 1

    def geometry(self, sample: Shape) -> Geometry:
        """The :class:`~convlib.geometry.shapes.Geometry` plan for one ``(C, *spatial)`` sample."""
        spatial = self._check_sample(sample)[1:]
        return pool_geometry(spatial, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode)  # fmt: skip

    def sample_output_shape(self, sample: Shape) -> Shape:
        return (sample[0], *self.geometry(sample).output_size)


class _MaxPoolNd(_PoolNd):
    fields = (
        _compact("kernel_size"),
        _compact("stride"),
        _compact("padding"),
        _compact("dilation"),
        Field("return_indices", default=False),
        Field("ceil_mode", always=True),
    )

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        dilation: IntOrTuple = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode)
        self.return_indices = bool(return_indices)


class MaxPool1d(_MaxPoolNd):
    """Spec of ``torch.nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1,
    return_indices=False, ceil_mode=False)``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class MaxPool2d(_MaxPoolNd):
    """Spec of ``torch.nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1,
    return_indices=False, ceil_mode=False)``; output size: :func:`convlib.pool_output_size`."""

    _nd = 2


class MaxPool3d(_MaxPoolNd):
    """Spec of ``torch.nn.MaxPool3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class _AvgPoolNd(_PoolNd):
    fields = (
        _compact("kernel_size"),
        _compact("stride"),
        _compact("padding"),
        Field("ceil_mode", default=False),
        Field("count_include_pad", default=True),
        Field("divisor_override", default=None),
    )

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        if divisor_override is not None:  # any non-zero int, as avg_pool (negatives too)
            if isinstance(divisor_override, bool) or not isinstance(
                divisor_override, numbers.Integral
            ):
                raise TypeError(
                    "divisor_override must be None or a non-zero int; "
                    f"received divisor_override={divisor_override!r}"
                )
            if divisor_override == 0:
                raise ValueError("divisor_override must be None or a non-zero int; received 0")
        self.divisor_override = divisor_override


class AvgPool1d(_AvgPoolNd):
    """Spec of ``torch.nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True)``."""

    _nd = 1
    fields = _AvgPoolNd.fields[:-1]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):  # fmt: skip
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """Spec of ``torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)``."""

    _nd = 2


class AvgPool3d(_AvgPoolNd):
    """Spec of ``torch.nn.AvgPool3d`` (the arguments of :class:`AvgPool2d`).

    PyTorch's ``avg_pool3d`` also rejects an input smaller than the kernel before padding.
    """

    _nd = 3

    def sample_output_shape(self, sample: Shape) -> Shape:
        spatial = self._check_sample(sample)[1:]
        if any(n < k for n, k in zip(spatial, self.kernel_size, strict=True)):
            raise ValueError(
                f"AvgPool3d needs an input at least as large as the kernel before padding (as "
                f"PyTorch's avg_pool3d); received input_shape {tuple(sample)} with "
                f"kernel_size={self.kernel_size}"
            )
        return super().sample_output_shape(sample)


class AdaptiveAvgPool2d(Layer):
    """Spec of ``torch.nn.AdaptiveAvgPool2d(output_size)`` (``None`` keeps that input size)."""

    sample_ndim = 3
    fields = (_compact("output_size"),)

    def __init__(self, output_size: IntOrTuple | tuple[int | None, int | None]) -> None:
        if isinstance(output_size, tuple) and None in output_size:
            if len(output_size) != 2:
                raise ValueError(
                    f"output_size must be an int or a tuple of 2 ints or None; "
                    f"received output_size={output_size!r}"
                )
            self.output_size = output_size
        else:
            self.output_size = as_tuple(output_size, 2, "output_size")

    def sample_output_shape(self, sample: Shape) -> Shape:
        sample = self._check_sample(sample)
        size = [s if o is None else o for o, s in zip(self.output_size, sample[1:], strict=True)]
        return (sample[0], *size)


UPSAMPLE_MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2,
                  "bicubic": 2, "trilinear": 3}  # fmt: skip


class Upsample(Layer):
    """Spec of ``torch.nn.Upsample(size=None, scale_factor=None, mode='nearest',
    align_corners=None, recompute_scale_factor=None)``.

    The output size is ``size``, or ``floor(n * scale_factor)`` per spatial dimension
    (PyTorch's float product, floored). The input is ``(N, C, *spatial)`` with 1 to 3 spatial
    dimensions; ``linear``, ``bilinear``/``bicubic`` and ``trilinear`` need 1, 2 and 3.
    """

    fields = (
        Field("size", default=None),
        Field("scale_factor", default=None),
        Field("mode", always=True),
        Field("align_corners", default=None),
    )

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):  # fmt: skip
        if (size is None) == (scale_factor is None):
            which = "either" if size is None else "only one of"
            raise ValueError(
                f"Upsample needs {which} size or scale_factor; received size={size!r}, "
                f"scale_factor={scale_factor!r}"
            )
        if mode not in UPSAMPLE_MODES:
            raise ValueError(
                f"mode must be one of {', '.join(map(repr, UPSAMPLE_MODES))}; "
                f"received mode={mode!r}"
            )
        if align_corners is not None and UPSAMPLE_MODES[mode] is None:
            raise ValueError(
                "align_corners can only be set with the interpolating modes linear, bilinear, "
                f"bicubic and trilinear; received align_corners={align_corners!r}, mode={mode!r}"
            )
        if scale_factor is not None:
            factors = scale_factor if isinstance(scale_factor, tuple) else (scale_factor,)
            if not all(isinstance(f, int | float) and f > 0 for f in factors):
                raise ValueError(
                    f"scale_factor must be a positive number or a tuple of them; "
                    f"received scale_factor={scale_factor!r}"
                )
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def sample_output_shape(self, sample: Shape) -> Shape:
        sample = tuple(sample)
        nd = len(sample) - 1
        wanted = UPSAMPLE_MODES[self.mode]
        if nd not in (1, 2, 3) or (wanted is not None and nd != wanted):
            allowed = "3-D to 5-D" if wanted is None else f"{wanted + 2}-D"
            raise ValueError(
                f"Upsample(mode={self.mode!r}) expected a {allowed} input_shape (N, C, *spatial); "
                f"received input_shape with sample shape {sample}"
            )
        if self.size is not None:
            return (sample[0], *as_tuple(self.size, nd, "size"))
        factors = self.scale_factor
        factors = factors if isinstance(factors, tuple) else (factors,) * nd
        if len(factors) != nd:
            raise ValueError(
                f"scale_factor must have one entry per spatial dimension ({nd}); "
                f"received scale_factor={self.scale_factor!r}"
            )
        sizes = zip(sample[1:], factors, strict=True)
        return (sample[0], *(math.floor(float(n) * float(f)) for n, f in sizes))


class PixelShuffle(Layer):
    """Spec of ``torch.nn.PixelShuffle(upscale_factor)``: ``(C r^2, H, W) -> (C, H r, W r)``."""

    sample_ndim = 3
    empty_sample_ok = True  # torch maps (1, 0, 1, 1) to (1, 0, 2, 2)
    fields = (Field("upscale_factor", always=True),)

    def __init__(self, upscale_factor: int) -> None:
        self.upscale_factor = check_positive_int(upscale_factor, "upscale_factor")

    def sample_output_shape(self, sample: Shape) -> Shape:
        c, h, w = self._check_sample(sample)
        r = self.upscale_factor
        if c % (r * r):
            raise ValueError(
                f"PixelShuffle needs input channels divisible by upscale_factor**2 = {r * r}; "
                f"received input_shape {tuple(sample)}"
            )
        return (c // (r * r), h * r, w * r)


class PixelUnshuffle(Layer):
    """Spec of ``torch.nn.PixelUnshuffle(downscale_factor)``: ``(C, H r, W r) -> (C r^2, H, W)``."""

    sample_ndim = 3
    empty_sample_ok = True  # torch maps (1, 4, 2, 0) to (1, 16, 1, 0)
    fields = (Field("downscale_factor", always=True),)

    def __init__(self, downscale_factor: int) -> None:
        self.downscale_factor = check_positive_int(downscale_factor, "downscale_factor")

    def sample_output_shape(self, sample: Shape) -> Shape:
        c, h, w = self._check_sample(sample)
        r = self.downscale_factor
        if h % r or w % r:
            raise ValueError(
                f"PixelUnshuffle needs height and width divisible by downscale_factor = {r}; "
                f"received input_shape {tuple(sample)}"
            )
        return (c * r * r, h // r, w // r)
