"""Type aliases shared by the public API."""

from __future__ import annotations

IntOrTuple = int | tuple[int, ...]
"""A size given once for every spatial dimension (``3``) or per dimension (``(3, 5)``)."""

Shape = tuple[int, ...]
"""An array shape, e.g. ``(C, H, W)``."""

Padding = IntOrTuple | str
"""Symmetric padding per side (int or tuple), or ``'valid'``, ``'same'`` or ``'causal'``."""
