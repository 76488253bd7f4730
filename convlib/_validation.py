"""Argument checks shared by every operation: each check is written once, here.

Every failure raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, impossible
value) with a message that names the parameter, says what is allowed and ends with what was
received, e.g. ``stride must be a positive int or a tuple of 2 positive ints; received
stride=(0, 1)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _allowed(minimum: int) -> str:
    return {0: "non-negative", 1: "positive"}.get(minimum, f">= {minimum}")


def check_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer ``>= minimum``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (bools and floats are rejected, even ``2.0``).
    ValueError
        If ``value < minimum``.
    """
    kind = _allowed(minimum)
    if not _is_int(value):
        raise TypeError(f"{name} must be a {kind} int; received {name}={value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be a {kind} int; received {name}={value!r}")
    return int(value)


def as_tuple(value: object, n: int, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """Expand an int to an ``n``-tuple, or check a length-``n`` sequence of ints.

    The one place where ``stride=2`` becomes ``(2, 2)`` (PyTorch's ``_ntuple``).

    Parameters
    ----------
    value : int or sequence of int
        The argument as the caller gave it.
    n : int
        The number of spatial dimensions.
    name : str
        The parameter name, used in error messages.
    minimum : int, default 1
        The smallest allowed entry (1 for sizes, strides and dilations; 0 for padding).

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError
        If ``value`` is neither an int nor a sequence of ints.
    ValueError
        If the sequence has the wrong length or an entry is below ``minimum``.

    Examples
    --------
    >>> as_tuple(2, 2, "stride")
    (2, 2)
    >>> as_tuple((1, 3), 2, "dilation")
    (1, 3)
    """
    kind = _allowed(minimum)
    expected = f"{name} must be a {kind} int or a tuple of {n} {kind} ints; received {name}="
    if _is_int(value):
        if value < minimum:
            raise ValueError(f"{expected}{value!r}")
        return (int(value),) * n
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes):
        items = list(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else list(value)
        if not all(_is_int(v) for v in items):
            raise TypeError(f"{expected}{value!r}")
        if len(items) != n:
            raise ValueError(f"{expected}{value!r} (length {len(items)})")
        if any(v < minimum for v in items):
            raise ValueError(f"{expected}{value!r}")
        return tuple(int(v) for v in items)
    raise TypeError(f"{expected}{value!r}")


def expand_single(value: object, n: int) -> object:
    """A one-element sequence repeated to ``n`` entries; any other value unchanged.

    PyTorch's convolutions and poolings expand ``stride=(2,)`` to every spatial dimension, as
    they do ``stride=2`` (``expand_param_if_needed`` and the pooling functions' argument checks).
    """
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes):
        if np.ndim(value) == 1 and len(value) == 1:
            return tuple(value) * n
    return value


def check_array(x: object, name: str, *, ndims: tuple[int, ...], batch_axes: int = 0) -> np.ndarray:
    """Return ``x`` as a numeric numpy array whose ``ndim`` is one of ``ndims``.

    The first ``batch_axes`` dimensions (batch dimensions) may be empty, as in PyTorch: a
    batch of no samples gives an empty result. Every other dimension must not be.

    Raises
    ------
    TypeError
        If the dtype is not numeric (bool, object, string, ...) or complex.
    ValueError
        If the number of dimensions is not allowed, or a dimension other than a batch
        dimension is empty.
    """
    array = np.asarray(x)
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must hold real numbers (an integer or floating dtype); "
            f"received {name} with dtype {array.dtype}"
        )
    if array.ndim not in ndims:
        allowed = " or ".join(str(d) for d in ndims)
        raise ValueError(
            f"{name} must be {allowed}-dimensional; received {name} with shape {array.shape}"
        )
    if 0 in array.shape[batch_axes:]:
        kept = {0: "", 1: " (only its batch dimension may be 0)"}.get(
            batch_axes, f" (only its first {batch_axes} dimensions may be 0)"
        )
        raise ValueError(
            f"{name} must not be empty{kept}; received {name} with shape {array.shape}"
        )
    return array


SPATIAL_NAMES = {1: "L", 2: "H, W", 3: "D, H, W"}


def check_batched_input(input: object, spatial_dims: int) -> tuple[np.ndarray, bool]:
    """Check ``input`` is ``(C, *spatial)`` or ``(N, C, *spatial)`` with ``spatial_dims`` sizes.

    Returns the input with a batch dimension, and whether it had one (as torch modules do).
    """
    spatial = SPATIAL_NAMES[spatial_dims]
    x = np.asarray(input)
    if x.ndim not in (spatial_dims + 1, spatial_dims + 2):
        raise ValueError(
            f"input must be {spatial_dims + 1}-D (C, {spatial}) or {spatial_dims + 2}-D (N, C, "
            f"{spatial}) for a weight with {spatial_dims} spatial dimensions; "
            f"received input with shape {x.shape}"
        )
    batched = x.ndim == spatial_dims + 2
    x = check_array(x, "input", ndims=(spatial_dims + 1, spatial_dims + 2), batch_axes=int(batched))
    return (x, True) if batched else (x[None], False)


def check_padding_mode(padding_mode: object) -> str:
    """Check ``padding_mode`` is one of PyTorch's: zeros, reflect, replicate, circular."""
    if padding_mode not in PADDING_MODES:
        raise ValueError(
            f"padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}; "
            f"received padding_mode={padding_mode!r}"
        )
    return str(padding_mode)


def check_groups(in_channels: int, out_channels: int | None, groups: object) -> int:
    """Check ``groups`` is a positive int dividing the channel counts (``None``: not checked)."""
    groups = check_positive_int(groups, "groups")
    for label, channels in (("input channels", in_channels), ("output channels", out_channels)):
        if channels is not None and channels % groups:
            raise ValueError(
                f"groups must divide the number of {label}; received groups={groups} "
                f"with {channels} {label}"
            )
    return groups


def check_bias(bias: object, out_channels: int) -> np.ndarray | None:
    """Check ``bias`` is ``None`` or a numeric vector of length ``out_channels``."""
    if bias is None:
        return None
    bias = check_array(bias, "bias", ndims=(1,))
    if bias.shape != (out_channels,):
        raise ValueError(
            f"bias must have shape ({out_channels},), one value per output channel; "
            f"received bias with shape {bias.shape}"
        )
    return bias


def check_conv_dtypes(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, *, transposed: bool = False
) -> None:
    """Check the dtypes torch's convolutions accept together: it promotes none of them.

    The weight must have the input's dtype. So must the bias of a convolution; a transposed
    convolution adds any bias to a float32 or float64 input (the result keeps the input's
    dtype), only a float16 bias to a float16 input and only an integer bias to an integer input.

    Raises
    ------
    TypeError
        For a weight or bias dtype torch rejects with this input (torch: "expected scalar type
        Float but found Double", "Input type (float) and bias type (double) should be the same").
    """
    if weight.dtype != x.dtype:
        raise TypeError(
            f"weight must have the input's dtype {x.dtype} (as in PyTorch, dtypes are not "
            f"promoted; convert one with .astype); received weight with dtype {weight.dtype} "
            f"and input with dtype {x.dtype}"
        )
    if bias is None or bias.dtype == x.dtype:
        return
    wide_float = x.dtype in (np.float32, np.float64)
    integers = np.issubdtype(x.dtype, np.integer) and np.issubdtype(bias.dtype, np.integer)
    if transposed and (wide_float or integers):
        return
    allowed = f"the input's dtype {x.dtype}"
    if transposed and np.issubdtype(x.dtype, np.integer):
        allowed = "an integer dtype, as the input's"
    raise TypeError(
        f"bias must have {allowed} (as in PyTorch, dtypes are not promoted; convert one with "
        f".astype); received bias with dtype {bias.dtype} and input with dtype {x.dtype}"
    )


def result_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """The floating dtype of a result: float32 stays float32, integers compute in float64."""
    dtypes = [a.dtype for a in arrays if a is not None]
    common = np.result_type(*dtypes)
    return common if np.issubdtype(common, np.floating) else np.dtype(np.float64)
