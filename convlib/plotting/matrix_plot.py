"""The convolution matrix ``C`` (or ``C.T``) as a heat map."""

from __future__ import annotations

import numpy as np

from convlib.geometry.matrix import conv_matrix
from convlib.plotting import palette
from convlib.plotting.grid import new_axes


def plot_conv_matrix(
    input_shape, weight, stride=1, padding=0, dilation=1, groups=1, transpose=False, ax=None
):
    """Heat map of :func:`convlib.conv_matrix` (rows: outputs, columns: inputs) or its transpose."""
    matrix = conv_matrix(input_shape, weight, stride, padding, dilation, groups)
    matrix = matrix.T if transpose else matrix
    ax = new_axes(ax, figsize=(4.5, 3.6))
    limit = np.abs(matrix).max() or 1.0
    image = ax.imshow(
        np.where(matrix == 0, np.nan, matrix),
        cmap=palette.DIVERGING_MAP,
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.set_facecolor("#F2F2F2")
    rows, cols = matrix.shape
    name = "C\u1d40 (transposed convolution)" if transpose else "C (convolution)"
    ax.set_title(f"{name}: {rows}\u00d7{cols}, input {tuple(input_shape)}")
    ax.set_xlabel("output index" if transpose else "input index (flattened)")
    ax.set_ylabel("input index" if transpose else "output index (flattened)")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="weight")
    return ax
