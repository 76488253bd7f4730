"""convlib: every convolution used in deep learning, in numpy, exact against PyTorch.

The top level is a small torch-like surface (``convlib.conv2d``, ``convlib.Conv2d``,
``convlib.summary``, ...) made of the subpackages' own export lists: every name in
``convlib.geometry.__all__``, ``convlib.functional.__all__`` and ``convlib.nn.__all__`` except
the few that stay in their subpackage (``_SUBPACKAGE_ONLY``), chapter 8's entry points of
:mod:`convlib.algorithms`, the method choice, and the subpackages themselves. A name is listed
once, where it is defined; ``__all__`` here is computed from what this file imports.
"""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

# (geometry first: the ops and layer specs import it)
from convlib.geometry import *  # noqa: I001
from convlib.functional import *
from convlib.nn import *
from convlib._engine.methods import METHODS, choose_conv_method
from convlib.algorithms import (  # chapter 8's entry points; the cost models stay there
    arithmetic_intensity,
    conv_traffic,
    fft_conv,
    im2col,
    im2col_conv,
    winograd_conv,
    winograd_f23,
    winograd_f23_2d,
)
from convlib import algorithms, functional, geometry, nn, reference, teaching

# Exported by a subpackage, kept there: the convolution's gradients (as torch.nn.grad) and the
# reference models' module (convlib.nn.models).
_SUBPACKAGE_ONLY = ("conv_input_grad", "conv_weight_grad", "models")
for _name in _SUBPACKAGE_ONLY:
    del globals()[_name]

__all__ = sorted(name for name in globals() if not name.startswith("_"))
