"""A convolution as a matrix: ``conv(x).ravel() == C @ x.ravel()``.

Every convolution is linear in its input, so it is a (sparse, structured) matrix ``C``. Its
transpose ``C.T`` is the transposed convolution with the same arguments: that is where the name
comes from (chapter "Transposed convolution").
"""

from __future__ import annotations

import math

import numpy as np

from convlib._typing import IntOrTuple, Padding, Shape
from convlib._validation import as_tuple, check_array, check_groups
from convlib.geometry.shapes import conv_geometry


def conv_matrix(
    input_shape: Shape,
    weight: np.ndarray,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    r"""The matrix ``C`` of a zero-padded convolution of an unbatched input of ``input_shape``.

    .. math::

        \operatorname{conv}(x)_{o,\mathbf{t}} = \sum_{c,\mathbf{j}} w_{o,c,\mathbf{j}}\,
        x_{c,\,\mathbf{s}\odot\mathbf{t} - \mathbf{p} + \mathbf{d}\odot\mathbf{j}}
        \quad\Longrightarrow\quad
        C_{(o,\mathbf{t}),\,(c,\,\mathbf{u})} = w_{o,c,\mathbf{j}}
        \quad\text{where}\quad
        \mathbf{u} = \mathbf{s}\odot\mathbf{t} - \mathbf{p} + \mathbf{d}\odot\mathbf{j}

    (padding cells contribute nothing, so their columns do not exist).

    Parameters
    ----------
    input_shape : tuple of int
        ``(C_in, *spatial)``.
    weight : ndarray
        ``(C_out, C_in / groups, *kernel_size)``.
    stride, padding, dilation, groups
        As in :func:`convlib.conv` (zero padding).

    Returns
    -------
    ndarray
        Shape ``(C_out * prod(out), C_in * prod(spatial))``, rows and columns in C order
        (``ravel``), so ``conv(x).ravel() == C @ x.ravel()`` and
        ``conv_transpose(y).ravel() == C.T @ y.ravel()`` for the transposed convolution with the
        same arguments (and the ``output_padding`` that gives back ``input_shape``).

    Examples
    --------
    >>> conv_matrix((1, 4), np.array([[[1.0, 2.0]]]), stride=2)
    array([[1., 2., 0., 0.],
           [0., 0., 1., 2.]])
    """
    weight = check_array(weight, "weight", ndims=(3, 4, 5))
    nd = weight.ndim - 2
    c_in, *spatial = as_tuple(tuple(input_shape), nd + 1, "input_shape")
    c_out, c_group, *kernel = weight.shape
    groups = check_groups(c_in, c_out, groups)
    if c_group * groups != c_in:
        raise ValueError(
            f"input_shape has {c_in} channels but weight of shape {weight.shape} with "
            f"groups={groups} expects {c_group * groups}; received input_shape={input_shape}"
        )
    plan = conv_geometry(tuple(spatial), tuple(kernel), stride, padding, dilation)
    out = plan.output_size
    # windows[i][t, j]: the input index output t reads with tap j along dimension i
    windows = [np.array(w) for w in plan.windows()]
    grids = np.meshgrid(
        np.arange(c_out),
        np.arange(c_group),
        *(np.arange(m) for m in out),
        *(np.arange(k) for k in kernel),
        indexing="ij",
    )
    o, c, positions, taps = grids[0], grids[1], grids[2 : 2 + nd], grids[2 + nd :]
    reads = [windows[i][positions[i], taps[i]] for i in range(nd)]
    inside = np.logical_and.reduce(
        [(r >= 0) & (r < n) for r, n in zip(reads, spatial, strict=True)]
    )
    channel = (o // (c_out // groups)) * c_group + c
    rows = np.ravel_multi_index((o, *positions), (c_out, *out))
    columns = np.ravel_multi_index(
        (channel, *(np.clip(r, 0, n - 1) for r, n in zip(reads, spatial, strict=True))),
        (c_in, *spatial),
    )
    matrix = np.zeros((c_out * math.prod(out), c_in * math.prod(spatial)), dtype=weight.dtype)
    np.add.at(matrix, (rows[inside], columns[inside]), weight[(o, c, *taps)][inside])
    return matrix
