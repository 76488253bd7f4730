"""Separable convolutions: depthwise, pointwise, depthwise-separable, and separable kernels.

Two different ideas share the name (see the chapter "Separable convolutions"):

* **depthwise separable** (Xception, MobileNet): a per-channel ``k x k`` convolution
  (:func:`depthwise_conv`, ``groups = C``) followed by a ``1 x 1`` channel mix
  (:func:`pointwise_conv`); :func:`separable_conv` is the two in a row.
* **spatially separable** kernels: a 2-D kernel that is the outer product of a column and a row
  vector (rank 1), so one ``k x k`` convolution equals a ``k x 1`` then a ``1 x k`` one.
  :func:`separate_kernel` finds the factors by the singular value decomposition.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from convlib._typing import IntOrTuple, Padding
from convlib._validation import check_array, check_batched_input, check_positive_int
from convlib.functional.convolution import conv


def depthwise_conv(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    r"""Depthwise convolution: each input channel filtered on its own.

    Equal to ``conv(input, weight, bias, stride, padding, dilation, groups=C)``; with
    ``weight`` of shape ``(C*m, 1, *kernel)`` every input channel gets ``m`` filters (the depth
    multiplier).

    Parameters count :math:`C\,m\,k^2` (no bias) instead of :math:`C \cdot C_\text{out}\,k^2`.

    Examples
    --------
    >>> x = np.ones((2, 5, 5))
    >>> depthwise_conv(x, np.ones((2, 1, 3, 3))).shape
    (2, 3, 3)
    """
    weight = check_array(weight, "weight", ndims=(3, 4, 5))
    if weight.shape[1] != 1:
        raise ValueError(
            "depthwise weight must have shape (C * multiplier, 1, *kernel_size); received "
            f"weight with shape {weight.shape}"
        )
    channels = check_batched_input(input, weight.ndim - 2)[0].shape[1]
    if weight.shape[0] % channels:
        raise ValueError(
            f"depthwise weight's first dimension must be a multiple of the input channels; "
            f"received weight with shape {weight.shape} for input with shape {np.shape(input)}"
        )
    return conv(input, weight, bias, stride, padding, dilation, groups=channels)


def pointwise_conv(
    input: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    r"""Pointwise (``1 x 1``) convolution: a linear map of the channels at every position.

    Equal to ``conv(input, weight)`` with ``weight`` of shape ``(C_out, C_in, 1, ..., 1)``;
    a ``(C_out, C_in)`` matrix is accepted too (see Notes). Parameters: :math:`C_\text{in}
    C_\text{out}` (no bias); it mixes channels and never looks at neighbouring positions.

    Notes
    -----
    A ``(C_out, C_in)`` matrix does not say how many spatial dimensions the input has, so 2-D
    images are assumed where the shape allows: a 4-D input is ``(N, C_in, H, W)``; a 3-D input
    is ``(C_in, H, W)`` when its first dimension is ``C_in``, else ``(N, C_in, L)``; a 2-D input
    is ``(C_in, L)`` and a 5-D one ``(N, C_in, D, H, W)``. Pass a ``(C_out, C_in, 1, ...)``
    weight to choose explicitly.

    Examples
    --------
    >>> pointwise_conv(np.ones((1, 3, 4, 4)), np.ones((8, 3))).shape
    (1, 8, 4, 4)
    >>> pointwise_conv(np.ones((3, 4, 4)), np.ones((8, 3))).shape
    (8, 4, 4)
    """
    weight = check_array(weight, "weight", ndims=(2, 3, 4, 5))
    if weight.ndim == 2:
        shape = np.shape(input)
        spatial = {2: 1, 4: 2, 5: 3}.get(len(shape))
        if len(shape) == 3:
            spatial = 2 if shape[0] == weight.shape[1] else 1
        if spatial is None:
            raise ValueError(
                "input must be 2-D to 5-D for a pointwise convolution; received input with shape "
                f"{shape}"
            )
        weight = weight.reshape(*weight.shape, *(1,) * spatial)
    if any(size != 1 for size in weight.shape[2:]):
        raise ValueError(
            "pointwise weight must have shape (C_out, C_in) or (C_out, C_in, 1, ...); "
            f"received weight with shape {weight.shape}"
        )
    return conv(input, weight, bias)


def separable_conv(
    input: np.ndarray,
    depthwise_weight: np.ndarray,
    pointwise_weight: np.ndarray,
    depthwise_bias: np.ndarray | None = None,
    pointwise_bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    r"""Depthwise separable convolution: :func:`depthwise_conv` then :func:`pointwise_conv`.

    Keras' ``SeparableConv2D`` without an activation between the stages. Parameters (no bias):

    .. math:: C\,k^2 + C\,C_\text{out} \quad\text{instead of}\quad C\,C_\text{out}\,k^2,

    a cost ratio of :math:`1/C_\text{out} + 1/k^2`.

    Examples
    --------
    >>> x = np.ones((1, 4, 8, 8))
    >>> separable_conv(x, np.ones((4, 1, 3, 3)), np.ones((16, 4)), padding=1).shape
    (1, 16, 8, 8)
    """
    hidden = depthwise_conv(input, depthwise_weight, depthwise_bias, stride, padding, dilation)
    return pointwise_conv(hidden, pointwise_weight, pointwise_bias)


@dataclasses.dataclass(frozen=True)
class SeparableKernel:
    r"""A 2-D kernel written as a sum of ``rank`` outer products (from its SVD).

    ``kernel ≈ sum(np.outer(columns[r], rows[r]) for r in range(rank))``.

    Attributes
    ----------
    columns : ndarray, shape (rank, kh)
        Column vectors (each scaled by the square root of its singular value).
    rows : ndarray, shape (rank, kw)
        Row vectors (each scaled likewise).
    singular_values : ndarray
        All singular values of the kernel, largest first.
    error : float
        Frobenius norm of ``kernel - reconstruction()``: by the Eckart-Young theorem the
        smallest possible for this rank, :math:`\sqrt{\sum_{i > r} \sigma_i^2}`.
    """

    columns: np.ndarray
    rows: np.ndarray
    singular_values: np.ndarray
    error: float

    @property
    def rank(self) -> int:
        return self.columns.shape[0]

    def reconstruction(self) -> np.ndarray:
        """The kernel rebuilt from the factors."""
        return self.columns.T @ self.rows


def separate_kernel(kernel: np.ndarray, rank: int = 1) -> SeparableKernel:
    r"""Factor a 2-D kernel into ``rank`` column/row vector pairs by the SVD.

    A kernel is separable exactly when it has rank 1; then one pair reproduces it and a
    ``k x k`` convolution costs :math:`2k` instead of :math:`k^2` multiplications per output.
    For a higher-rank kernel the pairs are the best rank-``rank`` approximation.

    Examples
    --------
    >>> sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    >>> factors = separate_kernel(sobel)
    >>> bool(np.allclose(factors.reconstruction(), sobel)), round(factors.error, 12)
    (True, 0.0)
    """
    kernel = check_array(kernel, "kernel", ndims=(2,)).astype(np.float64)
    rank = check_positive_int(rank, "rank")
    if rank > min(kernel.shape):
        raise ValueError(
            f"rank must be at most min(kernel.shape) = {min(kernel.shape)}; received rank={rank}"
        )
    u, s, vt = np.linalg.svd(kernel)
    scale = np.sqrt(s[:rank])
    columns = (u[:, :rank] * scale).T
    rows = vt[:rank] * scale[:, None]
    # a deterministic sign: the largest entry of each column vector is positive
    signs = np.sign(columns[np.arange(rank), np.abs(columns).argmax(axis=1)])
    signs[signs == 0] = 1
    columns, rows = columns * signs[:, None], rows * signs[:, None]
    error = float(np.linalg.norm(kernel - columns.T @ rows))
    return SeparableKernel(columns, rows, s, error)


def is_separable(kernel: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether a 2-D kernel is (numerically) rank 1: ``σ₂ <= tol * σ₁``.

    Examples
    --------
    >>> is_separable(np.ones((3, 3))), is_separable(np.eye(3))
    (True, False)
    """
    s = separate_kernel(kernel).singular_values
    return bool(s[0] > 0 and (len(s) < 2 or s[1] <= tol * s[0]))
