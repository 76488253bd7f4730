"""Read what ``print(model)`` prints into a convlib spec: :func:`from_torch_repr` (no torch needed).

PyTorch prints a module as its constructor calls, nested: ``(name): Type(args)`` for a leaf,
``(name): Type(`` ... ``)`` for a module with children, and ``(0-2): 3 x Type(...)`` for
identical repeated children. The arguments it prints are the constructor's, so each leaf
becomes the convlib spec of the same name with the same arguments; a layer convlib has no spec
for becomes a :class:`~convlib.PassThrough` with the parameter count its arguments give
(``GroupNorm``, ``LayerNorm``, ``Embedding``, ...).

What the text does not say, the result says it does not know (:class:`PrintedModel`):

* how a module other than ``nn.Sequential`` calls its children. Its ``forward`` may add branches
  (a ResNet block) or skip a child; parameter counts stay exact, but shapes, MACs and receptive
  fields assume the printed order, and :attr:`PrintedModel.sequential` is False;
* parameters a module holds itself (``nn.Parameter`` attributes, ``MultiheadAttention``'s input
  projection) and the parameters of layers of unknown type: :attr:`PrintedModel.unknown` names
  them and :attr:`PrintedModel.exact_params` is False;
* ``AvgPool``'s ``ceil_mode`` and ``count_include_pad``, which torch does not print: they are
  taken at their defaults;
* ``Upsample``'s ``align_corners``, which torch does not print either: an interpolating mode
  (linear, bilinear, bicubic, trilinear) is taken at ``align_corners=False``, which the
  receptive fields depend on (shapes and MACs do not), and the result warns.
"""

from __future__ import annotations

import ast
import copy
import math
import re
import warnings
from collections import OrderedDict

from convlib.nn import layers, pooling
from convlib.nn.containers import Sequential

_SPECS = {
    name: cls
    for name, cls in {**vars(layers), **vars(pooling)}.items()
    if isinstance(cls, type) and issubclass(cls, layers.Layer) and not name.startswith("_")
}
_SPECS.pop("Layer")
_SPECS.pop("PassThrough")
_SPECS["NonDynamicallyQuantizableLinear"] = layers.Linear  # MultiheadAttention's out_proj

#: layers convlib has no spec for that keep their input's shape and hold no parameters
SHAPE_KEEPING = frozenset(
    "Identity GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Hardtanh LeakyReLU ELU CELU SELU "
    "Mish Softplus Softsign Tanhshrink Softmax Softmax2d LogSoftmax Dropout1d Dropout2d "
    "Dropout3d AlphaDropout FeatureAlphaDropout".split()
)


def _norm_params(args, kwargs, affine_key: str, affine_default: bool, features: int) -> int:
    affine = kwargs.get(affine_key, affine_default)
    return features * (1 + kwargs.get("bias", True)) if affine else 0


#: parameter counts of layers convlib has no spec for, from their printed arguments
PARAMETER_RULES = {
    "BatchNorm1d": lambda a, k: _norm_params(a, k, "affine", True, a[0]),
    "BatchNorm3d": lambda a, k: _norm_params(a, k, "affine", True, a[0]),
    "InstanceNorm1d": lambda a, k: _norm_params(a, k, "affine", False, a[0]),
    "InstanceNorm2d": lambda a, k: _norm_params(a, k, "affine", False, a[0]),
    "InstanceNorm3d": lambda a, k: _norm_params(a, k, "affine", False, a[0]),
    "GroupNorm": lambda a, k: _norm_params(a, k, "affine", True, a[1]),
    "LayerNorm": lambda a, k: _norm_params(a, k, "elementwise_affine", True, math.prod(a[0])),
    "RMSNorm": lambda a, k: math.prod(a[0]) if k.get("elementwise_affine", True) else 0,
    "PReLU": lambda a, k: k.get("num_parameters", 1),
    "Embedding": lambda a, k: a[0] * a[1],
    "Bilinear": lambda a, k: (
        k["in1_features"] * k["in2_features"] * k["out_features"]
        + (k["out_features"] if k.get("bias", True) else 0)
    ),
}
for _name in ("BatchNorm1d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
              "InstanceNorm3d", "LayerNorm", "RMSNorm", "PReLU"):  # fmt: skip
    SHAPE_KEEPING |= {_name}

_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")  # Upsample modes with corners
_CHILD = re.compile(r"^\((?P<name>[^()]*)\): (?:(?P<count>\d+) x )?(?P<body>.*)$")
_CALL = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)\((?P<args>.*)\)$")


class PrintedModel(Sequential):
    """The spec :func:`from_torch_repr` returns: a :class:`~convlib.Sequential` in printed order.

    Attributes
    ----------
    type_name : str
        The printed model's class (``'ResNet'``, ``'Sequential'``).
    sequential : bool
        True when every module with children is an ``nn.Sequential``: the text then fixes the
        computation, and shapes, MACs and receptive fields are torch's.
    ambiguous : tuple of str
        ``'name (Type)'`` of each module whose ``forward`` the text does not show.
    exact_params : bool
        True when every printed layer's parameter count is known from its arguments.
    unknown : tuple of str
        ``'name (Type)'`` of each layer whose parameters the text does not give. A custom
        module's own ``nn.Parameter`` attributes are never printed: only a model without them
        has the exact count.
    assumed : tuple of str
        ``'name (AvgPoolNd)'`` of each average pooling, whose ``ceil_mode=False`` and
        ``count_include_pad=True`` are assumed (torch does not print them).
    """

    def __init__(self, children, type_name, ambiguous, unknown, assumed=()) -> None:
        super().__init__(children)
        self.type_name = type_name
        self.ambiguous, self.unknown = tuple(ambiguous), tuple(unknown)
        self.assumed = tuple(assumed)
        self.sequential = not self.ambiguous
        self.exact_params = not self.unknown


def _value(node: ast.AST):
    if isinstance(node, ast.Name):  # torch prints padding=same, padding_mode=reflect unquoted
        return node.id
    if isinstance(node, ast.Tuple):
        return tuple(_value(e) for e in node.elts)
    return ast.literal_eval(node)


def _arguments(text: str, where: str) -> tuple[tuple, dict]:
    try:
        call = ast.parse(f"f({text})", mode="eval").body
        return (
            tuple(_value(a) for a in call.args),
            {k.arg: _value(k.value) for k in call.keywords},
        )
    except (SyntaxError, ValueError) as error:
        raise ValueError(f"{where}: cannot read the arguments {text!r} ({error})") from None


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = [
            (number, line.strip())
            for number, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
        self.position = 0
        self.ambiguous: list[str] = []
        self.unknown: list[str] = []
        self.assumed: list[str] = []
        self.corners: list[str] = []  # interpolating Upsamples without align_corners

    def leaf(self, type_name: str, args_text: str, path: str, where: str) -> layers.Layer:
        args, kwargs = _arguments(args_text, where)
        label = f"{path} ({type_name})" if path else type_name
        if type_name.startswith("AvgPool"):
            self.assumed.append(label)
        mode = kwargs.get("mode", args[2] if len(args) > 2 else "nearest")
        corners_given = "align_corners" in kwargs or len(args) > 3
        if type_name == "Upsample" and mode in _INTERPOLATING and not corners_given:
            self.corners.append(label)
        if type_name in _SPECS:
            try:
                return _SPECS[type_name](*args, **kwargs)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"{where}: {type_name}({args_text}) is not valid: {error}"
                ) from None
        params = 0
        if type_name in PARAMETER_RULES:
            try:
                params = int(PARAMETER_RULES[type_name](args, kwargs))
            except (IndexError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{where}: cannot count {type_name}'s parameters: {error}"
                ) from None
        elif type_name not in SHAPE_KEEPING:
            self.unknown.append(label)
        if type_name not in SHAPE_KEEPING:
            self.ambiguous.append(label)
        return layers.PassThrough(type_name, params)

    def block(self, type_name: str, path: str) -> list[tuple[str, layers.Layer]]:
        """Children until the closing ``)``; the opening line has been read."""
        children: list[tuple[str, layers.Layer]] = []
        hidden = type_name == "MultiheadAttention"  # its input projection is not printed
        label = f"{path} ({type_name})" if path else type_name
        if type_name != "Sequential":
            self.ambiguous.append(label)
        if hidden:
            self.unknown.append(label)
        while self.position < len(self.lines):
            number, line = self.lines[self.position]
            self.position += 1
            if line == ")":
                return children
            match = _CHILD.match(line)
            if not match:
                continue  # a line of the module's extra_repr
            name, body = match["name"], match["body"]
            full = f"{path}.{name}" if path else name
            where = f"line {number}"
            if body.endswith("("):
                child_type = body[:-1]
                inner = self.block(child_type, full)
                layer = _container(inner, child_type)
            else:
                call = _CALL.match(body)
                if not call:
                    raise ValueError(f"{where}: expected 'Type(arguments)'; received {line!r}")
                layer = self.leaf(call["type"], call["args"], full, where)
            names = [name]
            if match["count"]:
                first, _, last = name.partition("-")
                names = [str(i) for i in range(int(first), int(last or first) + 1)]
                if len(names) != int(match["count"]):
                    raise ValueError(f"{where}: {name} does not hold {match['count']} modules")
            for i, each in enumerate(names):
                children.append((each, layer if i == 0 else copy.deepcopy(layer)))
        raise ValueError(f"the text ends inside {type_name}( : a closing ')' is missing")


def _container(children, type_name: str) -> Sequential:
    spec = Sequential(OrderedDict(children))
    spec.type_name = type_name
    return spec


def from_torch_repr(text: str) -> PrintedModel:
    """Read the text ``print(model)`` shows into a spec; no torch needed.

    Parameters
    ----------
    text : str
        What ``print(model)`` or ``str(model)`` gives for a ``torch.nn.Module``.

    Returns
    -------
    PrintedModel
        A :class:`~convlib.Sequential` of the printed modules, in printed order. Its
        ``num_params`` is PyTorch's ``sum(p.numel())`` when ``exact_params``; when
        ``sequential``, ``summary(result, input_shape)`` gives torch's shapes and MACs.

    Warns
    -----
    UserWarning
        When the text cannot fix the computation (a module other than ``nn.Sequential``, whose
        ``forward`` may branch) or the parameter count (a layer of unknown type); the message
        names them.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If a line is not of the form torch prints, or a layer's arguments are invalid; the
        message gives the line number.

    Examples
    --------
    >>> spec = from_torch_repr('''Sequential(
    ...   (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
    ...   (1): ReLU(inplace=True)
    ... )''')
    >>> spec.num_params, spec.sequential, spec.output_shape((1, 3, 32, 32))
    (224, True, (1, 8, 30, 30))
    """
    if not isinstance(text, str):
        raise TypeError(
            f"text must be a str (what print(model) shows); received {type(text).__name__}"
        )
    parser = _Parser(text)
    if not parser.lines:
        raise ValueError("text is empty; paste what print(model) shows")
    number, first = parser.lines[0]
    parser.position = 1
    if first.endswith("("):
        type_name = first[:-1]
        children = parser.block(type_name, "")
    else:
        call = _CALL.match(first)
        if not call:
            raise ValueError(
                f"line {number}: expected 'Type(' or 'Type(arguments)'; received {first!r}"
            )
        type_name = call["type"]
        children = [(type_name, parser.leaf(type_name, call["args"], "", f"line {number}"))]
    if parser.position < len(parser.lines):
        number, line = parser.lines[parser.position]
        raise ValueError(f"line {number}: text after the model's closing ')': {line!r}")
    model = PrintedModel(
        OrderedDict(children), type_name, parser.ambiguous, parser.unknown, parser.assumed
    )
    if model.ambiguous:
        warnings.warn(
            "print(model) does not show how these modules combine their children or change "
            f"shapes: {', '.join(model.ambiguous)}; parameter counts are exact"
            + ("" if model.exact_params else " except for the unknown ones")
            + ", but shapes, MACs and receptive fields assume the printed order",
            stacklevel=2,
        )
    if model.unknown:
        warnings.warn(
            f"the text does not give the parameters of: {', '.join(model.unknown)}; they are "
            "counted as 0",
            stacklevel=2,
        )
    if model.assumed:
        warnings.warn(
            "torch does not print AvgPool's ceil_mode and count_include_pad: "
            f"{', '.join(model.assumed)} assumed ceil_mode=False (the default), which fixes "
            "their output size",
            stacklevel=2,
        )
    if parser.corners:
        warnings.warn(
            "torch does not print Upsample's align_corners: "
            f"{', '.join(parser.corners)} assumed align_corners=False (the default), which "
            "their receptive fields depend on (their shapes and MACs do not)",
            stacklevel=2,
        )
    return model
