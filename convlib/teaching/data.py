"""A real photograph that ships with matplotlib: no network needed."""

from __future__ import annotations

import numpy as np

from convlib._validation import as_tuple

LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601


def sample_image(mode: str = "gray", size: int | tuple[int, int] | None = None, dtype=np.float64):
    """Grace Hopper's portrait from ``matplotlib.cbook.get_sample_data("grace_hopper.jpg")``.

    Parameters
    ----------
    mode : {'gray', 'rgb'}
        ``'gray'`` gives ``(H, W)`` luma; ``'rgb'`` gives channels first, ``(3, H, W)``, the
        layout convolutions take.
    size : int or (int, int), optional
        Downsize by averaging blocks of pixels (deterministic): an int is the shorter side, a
        pair is ``(height, width)``. The full photograph is 600 x 512.
    dtype : numpy dtype
        Floating dtype of the result; values are in ``[0, 1]``.

    Examples
    --------
    >>> sample_image(size=64).shape
    (75, 64)
    >>> sample_image("rgb", size=(32, 32)).shape
    (3, 32, 32)
    """
    from matplotlib import cbook, image

    if mode not in ("gray", "rgb"):
        raise ValueError(f"mode must be 'gray' or 'rgb'; received mode={mode!r}")
    with cbook.get_sample_data("grace_hopper.jpg") as file:
        pixels = image.imread(file, format="jpg").astype(np.float64) / 255.0  # (H, W, 3)
    if size is not None:
        pixels = _downsize(pixels, size)
    result = pixels @ LUMA if mode == "gray" else np.moveaxis(pixels, -1, 0)
    return np.ascontiguousarray(result, dtype=dtype)


def _downsize(pixels: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    height, width = pixels.shape[:2]
    if isinstance(size, int | np.integer):
        short = as_tuple(int(size), 1, "size")[0]
        scale = short / min(height, width)
        target = (max(1, round(height * scale)), max(1, round(width * scale)))
    else:
        target = as_tuple(size, 2, "size")
    if target[0] > height or target[1] > width:
        raise ValueError(
            f"size must not exceed the photograph's {height} x {width}; received size={size!r}"
        )
    rows = np.linspace(0, height, target[0] + 1).astype(int)
    cols = np.linspace(0, width, target[1] + 1).astype(int)
    summed = np.add.reduceat(np.add.reduceat(pixels, rows[:-1], axis=0), cols[:-1], axis=1)
    counts = np.outer(np.diff(rows), np.diff(cols))[..., None]
    return summed / counts
