"""Read a ``torch.nn.Module`` into a convlib spec: :func:`from_torch`.

torch is an optional dependency of convlib and is imported here only, when :func:`from_torch` is
called. The module is traced with ``torch.fx`` and run once on a zero input of the given shape
(torch's own shapes, and torch's ``FlopCounterMode`` for the layers convlib has no spec for).
Where fx cannot trace (Python control flow on a shape, say), ``torch.export`` reads the module
instead (:mod:`convlib.nn.torch_export`) into the same kind of graph. The traced graph becomes
containers with the same structure: a chain is a :class:`~Sequential`; an addition of two
branches of one tensor is a :class:`~Residual`; a concatenation along the channels is a
:class:`~Parallel`. A branch point is the merge's immediate dominator in the graph, so any
series-parallel network (ResNets, U-Nets, Inception and ASPP blocks, DenseNets) is read exactly; a
graph that is not series-parallel (a value used by two merges that do not nest) raises an error
naming the node.

Leaves keep their torch names (``layer1.0.conv1``; functions called in a module's ``forward``:
``layer1.0.add``) and carry them as ``torch_name``. A layer convlib has no spec for becomes a
:class:`~layers.PassThrough` with torch's parameter count, output shape and MACs; a submodule
neither fx nor ``torch.export`` can trace (control flow on the tensor's values) is kept whole as one
such row.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from convlib._validation import check_positive_int
from convlib.nn import layers, pooling
from convlib.nn.containers import Parallel, Residual, Sequential

#: the spec classes by their torch name (``Conv2d``, ``MaxPool3d``, ...)
_SPECS = {**vars(layers), **vars(pooling)}

_MAX_OPAQUE_RETRIES = 64


def _torch():
    try:
        import torch
        import torch.fx  # noqa: F401
    except ImportError as error:  # pragma: no cover - torch is in the test extra
        raise ImportError(
            "convlib.from_torch needs PyTorch (pip install torch); convlib.from_torch_repr reads "
            "the text print(model) shows without it"
        ) from error
    return torch


def _check_shape(input_shape: object) -> tuple[int, ...]:
    if not isinstance(input_shape, Sequence) or isinstance(input_shape, str) or not input_shape:
        raise TypeError(
            "input_shape must be a tuple of positive ints, e.g. (1, 3, 224, 224); "
            f"received input_shape={input_shape!r}"
        )
    for size in input_shape:
        check_positive_int(size, "input_shape entry")
    return tuple(int(s) for s in input_shape)


# --- tracing ------------------------------------------------------------------------------


def _trace(module, opaque: set[str]):
    """fx-trace ``module``; a submodule fx cannot trace is retried as a leaf (an opaque row)."""
    torch = _torch()
    fx = torch.fx

    class Tracer(fx.Tracer):
        def __init__(self) -> None:
            super().__init__()
            self.failed: str | None = None

        def is_leaf_module(self, m, qualname: str) -> bool:
            return qualname in opaque or super().is_leaf_module(m, qualname)

        def call_module(self, m, forward, args, kwargs):
            try:
                return super().call_module(m, forward, args, kwargs)
            except Exception:
                if self.failed is None:  # the innermost module whose forward failed
                    self.failed = self.path_of_module(m)
                raise

    for _ in range(_MAX_OPAQUE_RETRIES):
        tracer = Tracer()
        try:
            graph = tracer.trace(module)
        except Exception as error:
            name = tracer.failed
            if not name or name in opaque:
                where = f"its submodule {name!r}" if name else "its forward"
                raise ValueError(
                    f"torch.fx cannot trace {type(module).__name__}: {where} failed with "
                    f"{type(error).__name__}: {error}"
                ) from error
            opaque.add(name)
            continue
        return fx.GraphModule(module, graph)
    raise ValueError(  # pragma: no cover - a model with more than 64 untraceable submodules
        f"torch.fx cannot trace {type(module).__name__}: too many untraceable submodules"
    )


def _run(graph_module, example, leaves: set[str]):
    """Run the graph once; record each node's output shape, and MACs of the named nodes."""
    torch = _torch()
    from torch.utils.flop_counter import FlopCounterMode

    shapes: dict[str, tuple[int, ...] | None] = {}
    macs: dict[str, int] = {}

    class Recorder(torch.fx.Interpreter):
        def run_node(self, node):
            if node.name in leaves:
                with FlopCounterMode(display=False) as counter:
                    value = super().run_node(node)
                macs[node.name] = counter.get_total_flops() // 2
            else:
                value = super().run_node(node)
            shapes[node.name] = tuple(value.shape) if isinstance(value, torch.Tensor) else None
            return value

    with torch.no_grad():
        Recorder(graph_module).run(example)
    return shapes, macs


# --- leaves ---------------------------------------------------------------------------------


def _pairs(value, n: int) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,) * n


def _conv_spec(m, nn, in_shape, out_shape):
    n = len(m.kernel_size)
    common = dict(stride=m.stride, dilation=m.dilation, groups=m.groups, bias=m.bias is not None)
    if isinstance(m, nn.modules.conv._ConvTransposeNd):
        cls = _SPECS[f"ConvTranspose{n}d"]
        spec = cls(
            m.in_channels,
            m.out_channels,
            m.kernel_size,
            padding=m.padding,
            output_padding=m.output_padding,
            **common,
        )
        if out_shape is not None and spec.output_shape(in_shape) != out_shape:
            # forward(x, output_size=...) chose another output_padding: read it from torch
            chosen = tuple(
                o - s for o, s in zip(out_shape[2:], spec.output_shape(in_shape)[2:], strict=True)
            )
            extra = tuple(a + b for a, b in zip(spec.output_padding, chosen, strict=True))
            spec = cls(
                m.in_channels,
                m.out_channels,
                m.kernel_size,
                padding=m.padding,
                output_padding=extra,
                **common,
            )
        return spec
    cls = _SPECS[f"Conv{n}d"]
    padding = m.padding if isinstance(m.padding, str) else _pairs(m.padding, n)
    return cls(
        m.in_channels,
        m.out_channels,
        m.kernel_size,
        padding=padding,
        padding_mode=m.padding_mode,
        **common,
    )


def _module_spec(m, in_shape, out_shape):
    """The convlib spec of a leaf module, or None when convlib has none."""
    nn = _torch().nn
    if isinstance(m, nn.modules.conv._ConvNd):
        return _conv_spec(m, nn, in_shape, out_shape)
    if isinstance(m, nn.Linear):
        return layers.Linear(m.in_features, m.out_features, bias=m.bias is not None)
    if type(m) is nn.BatchNorm2d:
        return layers.BatchNorm2d(
            m.num_features,
            m.eps,
            m.momentum,
            m.affine,
            m.track_running_stats,
            bias=m.bias is not None,
        )
    if type(m) in (nn.ReLU, nn.ReLU6):
        return _SPECS[type(m).__name__](m.inplace)
    if type(m) is nn.Dropout:
        return layers.Dropout(m.p, m.inplace)
    if type(m) is nn.Flatten and m.start_dim >= 1:
        return layers.Flatten(m.start_dim, m.end_dim)
    if type(m) in (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d):
        return _SPECS[type(m).__name__](
            m.kernel_size, m.stride, m.padding, m.dilation, m.return_indices, m.ceil_mode
        )
    if type(m) in (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d):
        extra = () if type(m) is nn.AvgPool1d else (m.divisor_override,)
        return _SPECS[type(m).__name__](
            m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad, *extra
        )
    if type(m) is nn.AdaptiveAvgPool2d:
        return pooling.AdaptiveAvgPool2d(m.output_size)
    if type(m) is nn.Upsample:
        return _upsample(m.size, m.scale_factor, m.mode, m.align_corners)
    if type(m) is nn.PixelShuffle:
        return pooling.PixelShuffle(m.upscale_factor)
    if type(m) is nn.PixelUnshuffle:
        return pooling.PixelUnshuffle(m.downscale_factor)
    if type(m) is nn.ChannelShuffle:
        return layers.ChannelShuffle(m.groups)
    if type(m) is nn.LocalResponseNorm:
        return layers.LocalResponseNorm(m.size, m.alpha, m.beta, m.k)
    return None


def _upsample(size, scale_factor, mode, align_corners):
    try:  # modes convlib has no spec for ('area') stay pass-through rows
        return pooling.Upsample(size, scale_factor, mode, align_corners)
    except ValueError:
        return None


def _argument(args: tuple, kwargs: dict, index: int, name: str, default: Any) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _function_spec(target, args: tuple, kwargs: dict, in_shape, out_shape):
    """The convlib spec of a function or method applied to one tensor, or None."""
    torch = _torch()
    F = torch.nn.functional
    name = target if isinstance(target, str) else getattr(target, "__name__", "")
    rank = len(in_shape)
    if target in (F.relu, torch.relu, torch.relu_) or name in ("relu", "relu_"):
        return layers.ReLU()
    if target is F.relu6:
        return layers.ReLU6()
    if target is F.hardtanh and args[1:3] == (0.0, 6.0):
        return layers.ReLU6()
    if target is F.dropout or name == "dropout":
        return layers.Dropout(_argument(args, kwargs, 1, "p", 0.5))
    if target is torch.flatten or name == "flatten":
        start = _argument(args, kwargs, 1, "start_dim", 0) % rank
        end = _argument(args, kwargs, 2, "end_dim", -1)
        return layers.Flatten(start, end) if start >= 1 else None
    if name in ("view", "reshape") and len(out_shape) == 2 and out_shape[0] == in_shape[0]:
        return layers.Flatten() if out_shape[1] == math.prod(in_shape[1:]) else None
    if target in (F.max_pool1d, F.max_pool2d, F.max_pool3d):
        nd = rank - 2
        k = _argument(args, kwargs, 1, "kernel_size", None)
        return _SPECS[f"MaxPool{nd}d"](
            k,
            _argument(args, kwargs, 2, "stride", None) or None,
            _argument(args, kwargs, 3, "padding", 0),
            _argument(args, kwargs, 4, "dilation", 1),
            False,
            _argument(args, kwargs, 5, "ceil_mode", False),
        )
    if target in (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d):
        nd = rank - 2
        return _SPECS[f"AvgPool{nd}d"](
            _argument(args, kwargs, 1, "kernel_size", None),
            _argument(args, kwargs, 2, "stride", None) or None,
            _argument(args, kwargs, 3, "padding", 0),
            _argument(args, kwargs, 4, "ceil_mode", False),
            _argument(args, kwargs, 5, "count_include_pad", True),
        )
    if target is F.adaptive_avg_pool2d:
        return pooling.AdaptiveAvgPool2d(tuple(out_shape[2:]))
    if target is F.interpolate:
        mode = _argument(args, kwargs, 3, "mode", "nearest")
        scale = _argument(args, kwargs, 2, "scale_factor", None)
        size = _argument(args, kwargs, 1, "size", None)
        corners = _argument(args, kwargs, 4, "align_corners", None)
        if size is not None or not isinstance(scale, int | float | tuple):
            return _upsample(tuple(out_shape[2:]), None, mode, corners)
        return _upsample(None, scale, mode, corners)
    if target is F.pixel_shuffle:
        return pooling.PixelShuffle(_argument(args, kwargs, 1, "upscale_factor", None))
    if target is F.pixel_unshuffle:
        return pooling.PixelUnshuffle(_argument(args, kwargs, 1, "downscale_factor", None))
    return None


# --- the graph as nested containers ----------------------------------------------------------

_ADDS = {operator.add, operator.iadd, "add", "add_"}
_CATS = {"cat", "concat", "concatenate"}


def _is_add(node) -> bool:
    target = node.target
    torch = _torch()
    return target in _ADDS or target is torch.add


def _is_cat(node) -> bool:
    torch = _torch()
    return node.target in (torch.cat, torch.concat, torch.concatenate)


def _module_path(node) -> str:
    stack = node.meta.get("nn_module_stack") or {}
    return next(reversed(stack.values()))[0] if stack else ""


class _Reader:
    def __init__(self, graph_module, shapes, macs) -> None:
        self.gm, self.shapes, self.macs = graph_module, shapes, macs
        nodes = list(graph_module.graph.nodes)
        inputs = [n for n in nodes if n.op == "placeholder"]
        if len(inputs) != 1:
            raise ValueError(
                f"from_torch reads modules whose forward takes one tensor; this one takes "
                f"{len(inputs)}: {[n.name for n in inputs]}"
            )
        self.source = inputs[0]
        self.data = {self.source}  # nodes whose value depends on the input tensor
        for node in nodes:
            if node.op in ("call_module", "call_function", "call_method") and any(
                a in self.data for a in node.all_input_nodes
            ):
                if shapes.get(node.name) is not None:
                    self.data.add(node)
        outputs = [n for n in nodes if n.op == "output"]
        result = outputs[0].args[0]
        if not (hasattr(result, "op") and result in self.data):
            raise ValueError(
                "from_torch reads modules whose forward returns one tensor computed from the "
                f"input; this one returns {result!r}"
            )
        self.result = result
        self.dominator = self._dominators([n for n in nodes if n in self.data])
        self.emitted: set = set()
        self.names: dict = {}  # a module called k times: target, target_1, ... target_{k-1}
        calls: dict[str, int] = {}
        for node in nodes:
            if node.op == "call_module":
                k = calls[node.target] = calls.get(node.target, -1) + 1
                self.names[node] = str(node.target) + (f"_{k}" if k else "")

    def inputs(self, node) -> list:
        return [a for a in node.all_input_nodes if a in self.data]

    def _dominators(self, order: list) -> dict:
        dom = {self.source: {self.source}}
        for node in order[1:]:
            sets = [dom[a] for a in self.inputs(node)]
            dom[node] = set.intersection(*sets) | {node}
        depth = {n: len(d) for n, d in dom.items()}
        return {
            n: max(d - {n}, key=depth.__getitem__) for n, d in dom.items() if n is not self.source
        }

    def name(self, node) -> str:
        if node.op == "call_module":
            return self.names[node]
        path = _module_path(node)
        return f"{path}.{node.name}" if path else node.name

    def sample(self, node) -> tuple[int, ...]:
        return self.shapes[node.name][1:]

    def leaf(self, node):
        (parent,) = self.inputs(node) or [None]
        in_shape, out_shape = self.shapes[parent.name], self.shapes[node.name]
        spec = None
        params = 0
        if node.op == "call_module":
            module = self.gm.get_submodule(node.target)
            spec = _module_spec(module, in_shape, out_shape)
            type_name = type(module).__name__
            params = sum(p.numel() for p in module.parameters())
        else:
            args = tuple(a for a in node.args)
            spec = _function_spec(node.target, args, dict(node.kwargs), in_shape, out_shape)
            type_name = node.target if isinstance(node.target, str) else node.target.__name__
        # parameters read with get_attr (a learned scale, a positional embedding) count here
        for a in node.all_input_nodes:
            if a.op == "get_attr":
                value = _fetch_attr(self.gm, a.target)
                params += value.numel() if getattr(value, "requires_grad", False) else 0
        if spec is not None:
            try:
                ok = spec.output_shape(in_shape) == out_shape
            except ValueError:
                ok = False
            if ok and params == spec.num_params:
                return spec
        return layers.PassThrough(
            type_name,
            params,
            self.sample(parent),
            self.sample(node),
            self.macs.get(node.name, 0) // max(in_shape[0], 1),
        )

    def chain(self, node, source) -> Sequential:
        items: list[tuple[str, Any]] = []
        while node is not source:
            parents = self.inputs(node)
            if len(parents) == 1:
                key = self.name(node)
                if node in self.emitted:
                    raise ValueError(
                        f"from_torch reads series-parallel networks; {key!r} is reached along two "
                        "branches that do not nest in one block (a value used by two merges)"
                    )
                self.emitted.add(node)
                spec = self.leaf(node)
                spec.torch_name = key
                items.append((key, spec))
                node = parents[0]
            elif parents:
                items.append((self.name(node), self.merge(node, parents)))
                node = self.dominator[node]
            else:  # pragma: no cover - data nodes have a data input
                raise ValueError(f"node {node.name!r} does not depend on the input")
        return Sequential(OrderedDict(reversed(items)))

    def merge(self, node, parents):
        branch_point = self.dominator[node]
        branches = [self.chain(p, branch_point) for p in parents]
        rank = len(self.shapes[node.name])
        if _is_add(node) and len(branches) == 2:
            body, shortcut = branches
            if not len(body) and len(shortcut):
                body, shortcut = shortcut, body
            return Residual(body, shortcut if len(shortcut) else None)
        if _is_cat(node):
            dim = _argument(node.args, node.kwargs, 1, "dim", 0) % rank
            if dim == 1:
                return Parallel(*branches, merge="cat")
        raise ValueError(
            f"from_torch cannot read {self.name(node)!r} ({_describe(node)}) in module "
            f"{_module_path(node) or 'the top level'!r}: only additions of two branches and "
            "concatenations along the channels merge branches in a convlib spec"
        )


def _describe(node) -> str:
    target = node.target
    return target if isinstance(target, str) else getattr(target, "__name__", repr(target))


def _fetch_attr(module, target: str):
    value = module
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _export(module, shape: tuple[int, ...], fx_error: ValueError | None):
    """torch.export's reading of ``module``, or None where only fx's opaque rows remain.

    Raises the error naming the module when neither fx nor torch.export can trace it.
    """
    torch = _torch()
    from convlib.nn.torch_export import exported_graph

    leaf = torch.fx.Tracer().is_leaf_module
    try:
        return exported_graph(module, torch.zeros(shape), leaf)
    except Exception as error:
        if fx_error is None:  # fx traced it, keeping its untraceable submodules whole
            return None
        first = (str(error).strip().splitlines() or [""])[0]
        raise ValueError(
            f"{fx_error}; torch.export cannot trace it either: {type(error).__name__}: {first}"
        ) from error


def from_torch(module, input_shape: Sequence[int]) -> Sequential:
    """Read a ``torch.nn.Module`` into a convlib spec with the same structure.

    Parameters
    ----------
    module : torch.nn.Module
        The network. Its ``forward`` takes one tensor and returns one tensor. It is read with
        ``torch.fx``; where fx cannot trace it (or one of its submodules), with
        ``torch.export`` on the given input, which follows Python control flow on shapes.
    input_shape : tuple of int
        The input torch is run on once (zeros), batched ``(N, C, *spatial)`` as the module
        takes it.

    Returns
    -------
    Sequential
        Branches become :class:`~Residual` (an addition) and :class:`~Parallel`
        (a concatenation along the channels); each leaf's ``torch_name`` is its name in torch.
        ``summary(spec, input_shape)`` gives torch's shapes, ``spec.num_params`` torch's
        ``sum(p.numel() for p in module.parameters())`` (when every parameter is used once).

    Raises
    ------
    TypeError
        If ``module`` is not a ``torch.nn.Module`` or ``input_shape`` not a tuple of ints.
    ValueError
        If neither fx nor torch.export can trace the module, or it cannot run (the message
        names it and gives both reasons), merges branches other
        than by an addition or a channel concatenation, or is not series-parallel.
    ImportError
        If torch is not installed.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU())
    >>> spec = from_torch(net, (1, 3, 32, 32))
    >>> spec.num_params, spec.output_shape((1, 3, 32, 32))
    (224, (1, 8, 30, 30))
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module must be a torch.nn.Module; received {type(module).__name__}")
    shape = _check_shape(input_shape)
    opaque: set[str] = set()
    name = type(module).__name__
    if torch.fx.Tracer().is_leaf_module(module, ""):  # one torch.nn layer: fx traces its body
        module = torch.nn.Sequential(module)
    try:
        graph_module, fx_error = _trace(module, opaque), None
    except ValueError as error:
        graph_module, fx_error = None, error
    exported = None
    if fx_error is not None or opaque:  # fx could not trace all of it: torch.export may
        exported = _export(module, shape, fx_error)
    if exported is not None:
        graph_module, shapes, macs = exported
    else:
        leaves = {n.name for n in graph_module.graph.nodes if n.op.startswith("call_")}
        try:
            shapes, macs = _run(graph_module, torch.zeros(shape), leaves)
        except Exception as error:
            raise ValueError(
                f"{name} cannot run on an input of shape {shape}: {type(error).__name__}: {error}"
            ) from error
    reader = _Reader(graph_module, shapes, macs)
    spec = reader.chain(reader.result, reader.source)
    used = spec.num_params
    total = sum(p.numel() for p in module.parameters())
    if used != total:
        warnings.warn(
            f"{name} has {total:,} parameters but its forward uses "
            f"{used:,} (a parameter unused, or a module called twice)",
            stacklevel=2,
        )
    return spec


@dataclasses.dataclass(frozen=True)
class EffectiveReceptiveField:
    """The gradient of a torch module's centre output cell with respect to its input.

    Attributes
    ----------
    gradient : numpy.ndarray
        ``|d y / d x|`` over the input's spatial axes, summed over the batch and the channels,
        where ``y`` is the sum over channels of the centre output cell.
    support : tuple of int
        Per spatial axis, the extent of the cells with a non-zero gradient (at most the
        theoretical receptive field's size; less where the input or dead units clip it).
    extent : tuple of int
        Per spatial axis, the side of the smallest window centred on the support that holds
        ``mass`` of the gradient's total.
    mass : float
    """

    gradient: Any
    support: tuple[int, ...]
    extent: tuple[int, ...]
    mass: float

    def __str__(self) -> str:
        side = "x".join(map(str, self.extent))
        reach = "x".join(map(str, self.support))
        return (
            f"Effective receptive field (torch gradient of the centre output): {self.mass:.0%} "
            f"of |gradient| within {side} of the {reach} cells it reaches"
        )


def effective_receptive_field(
    module, input_shape: Sequence[int], *, mass: float = 0.95, seed: int = 0
) -> EffectiveReceptiveField:
    """Measure the effective receptive field :cite:p:`luo2016effective` of a torch module.

    The module runs, as it is (call ``eval()`` first so batch norm uses its running
    statistics), on a seeded standard normal input of ``input_shape``; the gradient of the
    centre output cell (summed over channels) with respect to the input is what it measures.

    Parameters
    ----------
    module : torch.nn.Module
        Takes ``(N, C, *spatial)`` and returns ``(N, C_out, *spatial_out)``.
    input_shape : tuple of int
        The input, batched.
    mass : float
        The share of the total ``|gradient|`` the ``extent`` window must hold, in (0, 1].
    seed : int
        The seed of the input.

    Raises
    ------
    ValueError
        If ``mass`` is not in (0, 1], or the output has no spatial axes.
    """
    torch = _torch()
    shape = _check_shape(input_shape)
    if not 0 < mass <= 1:
        raise ValueError(f"mass must be in (0, 1]; received mass={mass!r}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator, dtype=torch.float64, requires_grad=True)
    parameters = list(module.parameters())
    dtype = parameters[0].dtype if parameters else torch.float64
    y = module(x.to(dtype))
    if y.dim() < 3:
        raise ValueError(
            f"the effective receptive field needs an output with spatial axes; "
            f"{type(module).__name__} returns shape {tuple(y.shape)}"
        )
    centre = tuple(n // 2 for n in y.shape[2:])
    y[(slice(None), slice(None), *centre)].sum().backward()
    gradient = x.grad.abs().sum(dim=(0, 1)).detach().numpy()
    support, extent = [], []
    for axis in range(gradient.ndim):
        others = tuple(a for a in range(gradient.ndim) if a != axis)
        line = gradient.sum(axis=others) if others else gradient
        where = line.nonzero()[0]
        if not len(where):
            support.append(0)
            extent.append(0)
            continue
        low, high = int(where[0]), int(where[-1])
        support.append(high - low + 1)
        middle, total = (low + high) // 2, line.sum()
        half = 0
        while half < len(line) and line[max(middle - half, 0) : middle + half + 1].sum() < (
            mass * total
        ):
            half += 1
        extent.append(2 * half + 1)
    return EffectiveReceptiveField(gradient, tuple(support), tuple(extent), float(mass))
