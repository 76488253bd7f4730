"""Gradients of a convolution: with respect to its input (a transposed convolution) and to its
weight (a cross-correlation of the input with the output gradient)."""

from __future__ import annotations

import numpy as np

from convlib._typing import IntOrTuple
from convlib._validation import as_tuple
from convlib.functional.convolution import conv, conv_transpose
from convlib.functional.padding import pad


def conv_input_grad(
    grad_output, weight, input_shape, stride=1, padding: IntOrTuple = 0, dilation=1, groups=1
) -> np.ndarray:
    r"""Gradient with respect to the input of ``y = conv(x, weight, ...)``, given that of ``y``.

    The transposed convolution with the same weight and arguments, sized to ``input_shape``
    (``output_size`` resolves the ambiguity of strided convolutions).
    """
    nd = np.ndim(weight) - 2
    return conv_transpose(
        grad_output,
        weight,
        stride=stride,
        padding=padding,
        groups=groups,
        dilation=dilation,
        output_size=tuple(input_shape)[-nd:],
    )


def conv_weight_grad(
    input, grad_output, kernel_size, stride=1, padding: IntOrTuple = 0, dilation=1, groups=1
) -> np.ndarray:
    r"""Gradient with respect to the weight of ``y = conv(x, w, ...)``, batched ``x`` and ``y``.

    .. math::

        \frac{\partial L}{\partial w_{o,c,\mathbf{j}}} = \sum_{n,\mathbf{t}}
        g_{n,o,\mathbf{t}}\;
        x_\text{pad}[n, c, \mathbf{s}\odot\mathbf{t} + \mathbf{d}\odot\mathbf{j}]

    computed as a convolution that swaps the roles of batch and channels: the padded input's
    channels become a batch, the output gradient becomes the kernel, dilated by the stride.
    """
    x = np.asarray(input)
    g = np.asarray(grad_output)
    nd = x.ndim - 2
    kernel = as_tuple(kernel_size, nd, "kernel_size")
    stride, dilation = as_tuple(stride, nd, "stride"), as_tuple(dilation, nd, "dilation")
    padding = as_tuple(padding, nd, "padding", minimum=0)
    x = pad(x, [(p, p) for p in padding])
    c_in, c_out = x.shape[1], g.shape[1]
    cg_in, cg_out = c_in // groups, c_out // groups
    blocks = []
    for group in range(groups):
        xs = x[:, group * cg_in : (group + 1) * cg_in]  # (N, Cg_in, *P)
        gs = g[:, group * cg_out : (group + 1) * cg_out]  # (N, Cg_out, *O)
        # batch <-> channels: (Cg_in, N, *P) correlated with (Cg_out, N, *O) dilated by the stride
        full = conv(np.swapaxes(xs, 0, 1), np.swapaxes(gs, 0, 1), stride=dilation, dilation=stride)
        blocks.append(
            np.swapaxes(full[(slice(None), slice(None), *(slice(0, k) for k in kernel))], 0, 1)
        )
    return np.concatenate(blocks, axis=0)
