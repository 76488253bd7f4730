"""Convolution by the Fourier transform (private): the ``'fft'`` method.

The cross-correlation theorem: the circular cross-correlation of ``x`` and ``w`` is
``irfft(rfft(x) * conj(rfft(w)))``. With a transform at least as long as the padded input, the
cells a convolution keeps never wrap around, so they are exact (up to rounding). Channels mix
in the frequency domain (a sum over the group's input channels per frequency), dilation is a
kernel with zeros inserted, and a stride keeps every ``s``-th cell. A transposed convolution is
the full linear convolution of the zero-upsampled input with the dilated kernel, cropped by the
padding. The cost grows with the image and the channel product, not with the kernel size, so
this wins for large kernels on few channels (``choose_conv_method``).
"""

from __future__ import annotations

import math

import numpy as np

from convlib.functional.padding import pad
from convlib.geometry.shapes import Geometry, effective_kernel_size

CHUNK_BYTES = 40 * 2**20  # estimated spectra per chunk; measured peak about 1.5x this


def fast_length(n: int) -> int:
    """The smallest 2-3-5-smooth integer >= ``n`` (a size pocketfft transforms quickly)."""
    best = 1 << max(0, (n - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            candidate = power35 * (1 << max(0, (-(-n // power35) - 1).bit_length()))
            best = min(best, candidate)
            power35 *= 3
        power5 *= 5
    return best


def _dilated(weight: np.ndarray, dilation) -> np.ndarray:
    spans = effective_kernel_size(weight.shape[2:], dilation)
    out = np.zeros((*weight.shape[:2], *spans), dtype=weight.dtype)
    out[(slice(None), slice(None), *(slice(None, None, d) for d in dilation))] = weight
    return out


def _mix(spectra: np.ndarray, kernels: np.ndarray, groups: int) -> np.ndarray:
    """``sum_c spectra[n, g*Cg + c] * kernels[g*Og + o, c]`` per frequency: (N, O, *F)."""
    n_batch, c_in, *freq = spectra.shape
    c_out, c_group = kernels.shape[:2]
    x = spectra.reshape(n_batch, groups, c_group, -1)
    w = kernels.reshape(groups, c_out // groups, c_group, -1)
    return np.einsum("ngcf,gocf->ngof", x, w).reshape(n_batch, c_out, *freq)


def _per_chunk(batch: int, bytes_per_sample: int) -> list[slice]:
    size = max(1, min(batch, CHUNK_BYTES // max(bytes_per_sample, 1)))
    return [slice(start, start + size) for start in range(0, batch, size)]


def correlate(x, weight, plan: Geometry, groups, padding_mode) -> np.ndarray:
    """As :func:`convlib._engine.fast.correlate`, computed with real FFTs."""
    stride, dilation, pads, out_size = plan.stride, plan.dilation, plan.padding, plan.output_size
    nd = weight.ndim - 2
    axes = tuple(range(2, 2 + nd))
    padded = [n + a + b for n, (a, b) in zip(x.shape[2:], pads, strict=True)]
    shape = [fast_length(p) for p in padded]
    kernels = np.conj(np.fft.rfftn(_dilated(weight, dilation), s=shape, axes=axes))
    keep = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out_size, stride, strict=True))
    y = np.empty((x.shape[0], weight.shape[0], *out_size), dtype=x.dtype)
    per_sample = 4 * (x.shape[1] + weight.shape[0]) * math.prod(shape) * x.itemsize
    for chunk in _per_chunk(x.shape[0], per_sample):
        spectra = np.fft.rfftn(pad(x[chunk], pads, padding_mode), s=shape, axes=axes)
        full = np.fft.irfftn(_mix(spectra, kernels, groups), s=shape, axes=axes)
        y[chunk] = full[(slice(None), slice(None), *keep)]
    return y


def transpose(x, weight, plan: Geometry, groups) -> np.ndarray:
    """As :func:`convlib._engine.fast.transpose`, computed with real FFTs."""
    stride, dilation, out_size = plan.stride, plan.dilation, plan.output_size
    padding = [lo for lo, _ in plan.padding]
    nd = weight.ndim - 2
    axes = tuple(range(2, 2 + nd))
    n_batch, c_in, *size = x.shape
    spans = plan.effective_kernel_size
    natural = [(n - 1) * s + span for n, s, span in zip(size, stride, spans, strict=True)]
    shape = [fast_length(max(m, p + o)) for m, p, o in zip(natural, padding, out_size, strict=True)]
    # (C_in, C_out/g, *K) -> as a forward kernel (C_out, C_in/g, *K) of the group mixing
    c_group_in, c_group_out = c_in // groups, weight.shape[1]
    forward = weight.reshape(groups, c_group_in, c_group_out, *weight.shape[2:]).swapaxes(1, 2)
    forward = forward.reshape(groups * c_group_out, c_group_in, *weight.shape[2:])
    kernels = np.fft.rfftn(_dilated(forward, dilation), s=shape, axes=axes)
    keep = tuple(slice(p, p + o) for p, o in zip(padding, out_size, strict=True))
    y = np.empty((n_batch, kernels.shape[0], *out_size), dtype=x.dtype)
    per_sample = 4 * (c_in + kernels.shape[0]) * math.prod(shape) * x.itemsize
    for chunk in _per_chunk(n_batch, per_sample):
        part = x[chunk]
        upsampled = np.zeros((*part.shape[:2], *natural), dtype=x.dtype)
        cells = (slice(0, (n - 1) * s + 1, s) for n, s in zip(size, stride, strict=True))
        upsampled[(slice(None), slice(None), *cells)] = part
        spectra = np.fft.rfftn(upsampled, s=shape, axes=axes)
        full = np.fft.irfftn(_mix(spectra, kernels, groups), s=shape, axes=axes)
        y[chunk] = full[(slice(None), slice(None), *keep)]
    return y
