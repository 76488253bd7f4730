"""Classic image-processing kernels, with their separable factors where they exist.

Each function returns a 2-D float array for :func:`convlib.conv2d` (which cross-correlates: the
kernel is applied as printed, not flipped). Kernels that are outer products of a column and a
row vector list those factors in :func:`separable_factors`.
"""

from __future__ import annotations

import numpy as np

from convlib._validation import check_positive_int


def box(k: int = 3) -> np.ndarray:
    """Mean over a ``k x k`` window (blur); rank 1: ``ones(k)/k`` outer ``ones(k)/k``."""
    k = check_positive_int(k, "k")
    return np.full((k, k), 1.0 / k**2)


def gaussian_1d(k: int = 5, sigma: float = 1.0) -> np.ndarray:
    """Sampled, normalised 1-D Gaussian of ``k`` taps centred on the middle one."""
    k = check_positive_int(k, "k")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive; received sigma={sigma!r}")
    x = np.arange(k) - (k - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def gaussian(k: int = 5, sigma: float = 1.0) -> np.ndarray:
    """Normalised ``k x k`` Gaussian blur: the outer product of two :func:`gaussian_1d`."""
    g = gaussian_1d(k, sigma)
    return np.outer(g, g)


SOBEL_SMOOTHING = (1.0, 2.0, 1.0)
"""The Sobel kernels' smoothing factor; the other factor is the central difference."""
SOBEL_DIFFERENCE = (1.0, 0.0, -1.0)


def sobel_x() -> np.ndarray:
    """Horizontal gradient (responds to vertical edges): smoothing column x difference row."""
    return np.outer(SOBEL_SMOOTHING, SOBEL_DIFFERENCE)


def sobel_y() -> np.ndarray:
    """Vertical gradient (responds to horizontal edges): the transpose of :func:`sobel_x`."""
    return sobel_x().T


def laplacian() -> np.ndarray:
    """Discrete Laplacian (4-neighbour): sum of second differences; rank 2, not separable."""
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def sharpen() -> np.ndarray:
    """Identity minus the Laplacian: boosts edges; not separable."""
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def emboss() -> np.ndarray:
    """Diagonal relief effect; not separable."""
    return np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])


def identity(k: int = 3) -> np.ndarray:
    """A single 1 in the middle: leaves the image unchanged (for odd ``k``)."""
    k = check_positive_int(k, "k")
    kernel = np.zeros((k, k))
    kernel[k // 2, k // 2] = 1.0
    return kernel


KERNELS = {
    "identity": identity,
    "box": box,
    "gaussian": gaussian,
    "sobel_x": sobel_x,
    "sobel_y": sobel_y,
    "laplacian": laplacian,
    "sharpen": sharpen,
    "emboss": emboss,
}
"""Name -> factory (called with no arguments gives the default 3x3 or 5x5 kernel)."""


def separable_factors(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact ``(column, row)`` factors of a named kernel, or ``None`` if it is not separable.

    ``np.outer(column, row)`` equals ``KERNELS[name](**kwargs)`` exactly.

    Examples
    --------
    >>> column, row = separable_factors("sobel_x")
    >>> column.tolist(), row.tolist()
    ([1.0, 2.0, 1.0], [1.0, 0.0, -1.0])
    """
    if name not in KERNELS:
        raise ValueError(f"name must be one of {sorted(KERNELS)}; received name={name!r}")
    if name == "box":
        k = kwargs.get("k", 3)
        return np.full(k, 1.0 / k), np.full(k, 1.0 / k)
    if name == "gaussian":
        g = gaussian_1d(**kwargs)
        return g, g
    if name in ("sobel_x", "sobel_y"):
        smoothing, difference = np.array(SOBEL_SMOOTHING), np.array(SOBEL_DIFFERENCE)
        return (smoothing, difference) if name == "sobel_x" else (difference, smoothing)
    if name == "identity":
        k = kwargs.get("k", 3)
        return identity(k)[:, k // 2].copy(), identity(k)[k // 2].copy()
    return None
