"""``torch.export``, for :func:`~convlib.nn.torch_trace.from_torch` where ``torch.fx`` cannot trace.

``torch.fx`` traces symbolically: a ``forward`` that branches on a shape (``if x.shape[-1] > 8``)
stops it. ``torch.export`` runs the module on the example input and records the operations that
input takes, so it reads such modules; it fails only on control flow that depends on the tensor's
*values*. Its graph is one of ATen operators (``aten.conv2d``, ``aten.add.Tensor``), each tagged
with the stack of modules that called it. :func:`exported_graph` turns it back into the graph
``from_torch`` reads from ``torch.fx``: every call of a leaf module (a ``torch.nn`` layer) becomes
one ``call_module`` node, and the operators called in a ``forward`` get the torch functions fx
would have recorded (``operator.add``, ``torch.cat``, ``F.max_pool2d`` ...); the rest keep their
ATen name and become pass-through rows. Shapes and MACs come from running the exported program
once, with torch's ``FlopCounterMode`` around each node.
"""

from __future__ import annotations

import operator
import re
from typing import Any

_UPSAMPLE = re.compile(r"upsample_(nearest_exact|nearest|linear|bilinear|bicubic|trilinear)\dd")


def _function_targets(torch) -> dict:
    """ATen operator packet -> the torch function ``torch.fx`` records for it."""
    aten, F = torch.ops.aten, torch.nn.functional
    targets = {
        aten.add: operator.add,
        aten.add_: operator.iadd,
        aten.cat: torch.cat,
        aten.relu: torch.relu,
        aten.relu_: torch.relu_,
        aten.relu6: F.relu6,
        aten.hardtanh: F.hardtanh,
        aten.dropout: F.dropout,
        aten.flatten: torch.flatten,
        aten.adaptive_avg_pool2d: F.adaptive_avg_pool2d,
        aten.pixel_shuffle: F.pixel_shuffle,
        aten.pixel_unshuffle: F.pixel_unshuffle,
    }
    for n in (1, 2, 3):
        targets[getattr(aten, f"max_pool{n}d")] = getattr(F, f"max_pool{n}d")
        targets[getattr(aten, f"avg_pool{n}d")] = getattr(F, f"avg_pool{n}d")
    return targets


def _leaf_key(node, root, is_leaf) -> tuple[str, str] | None:
    """(call key, module path) of the outermost leaf module whose call produced ``node``."""
    for key, (path, _) in (node.meta.get("nn_module_stack") or {}).items():
        if not path:
            continue
        try:
            module = root.get_submodule(path)
        except AttributeError:
            continue
        if is_leaf(module, path):
            return key, path
    return None


def _plain(value: Any) -> Any:
    """Lists of numbers as tuples (what torch.nn's layers store), anything else as it is."""
    if isinstance(value, list) and not any(hasattr(v, "op") for v in value):
        return tuple(value)
    return value


def exported_graph(module, example, is_leaf):
    """Export ``module`` on ``example`` and return the graph ``from_torch`` reads.

    Parameters
    ----------
    module : torch.nn.Module
    example : torch.Tensor
        The input the module is exported and run on.
    is_leaf : callable
        ``is_leaf(submodule, path)``: whether a submodule is one layer (fx's rule).

    Returns
    -------
    graph_module : torch.fx.GraphModule
        Rooted at ``module``: leaf modules as ``call_module`` nodes, other operators as
        ``call_function`` nodes; for reading, not for running.
    shapes : dict
        Node name -> output shape (``None`` for a value that is not a tensor).
    macs : dict
        Node name -> torch's ``FlopCounterMode`` count / 2 for that node (all its operators).

    Raises
    ------
    Exception
        Whatever ``torch.export.export`` raises for a module it cannot export.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    program = torch.export.export(module, (example,))
    flat = program.module()
    nodes = list(flat.graph.nodes)

    values: dict = {}
    flops: dict = {}

    class Recorder(torch.fx.Interpreter):
        def run_node(self, node):
            if node.op == "call_function":
                with FlopCounterMode(display=False) as counter:
                    value = super().run_node(node)
                flops[node] = counter.get_total_flops()
            else:
                value = super().run_node(node)
            values[node] = value
            return value

    with torch.no_grad():
        Recorder(flat).run(example)

    # the calls of leaf modules: operators with the same outermost leaf call key
    groups: dict[str, list] = {}
    paths: dict[str, str] = {}
    for node in nodes:
        if node.op == "call_function":
            found = _leaf_key(node, module, is_leaf)
            if found:
                groups.setdefault(found[0], []).append(node)
                paths[found[0]] = found[1]
    owner: dict = {}  # member node -> (group key, the group's output node, its data input)
    for key, members in groups.items():
        inside = set(members)
        inputs = {
            a
            for m in members
            for a in m.all_input_nodes
            if a not in inside and a.op in ("placeholder", "call_function")
        }
        outputs = [m for m in members if any(u not in inside for u in m.users)]
        if len(inputs) == 1 and len(outputs) == 1:
            for m in members:
                owner[m] = (key, outputs[0], next(iter(inputs)))

    targets = _function_targets(torch)
    graph = torch.fx.Graph()
    env: dict = {}
    shapes: dict[str, tuple[int, ...] | None] = {}
    macs: dict[str, int] = {}

    def shape_of(node):
        value = values.get(node)
        return tuple(value.shape) if isinstance(value, torch.Tensor) else None

    for node in nodes:
        if node.op == "call_module":  # torch.export's guard check, no layer
            continue
        if node in owner:
            key, output, source = owner[node]
            if node is not output:
                continue
            new = graph.call_module(paths[key], (env[source],))
            members = groups[key]
            macs[new.name] = sum(flops.get(m, 0) for m in members) // 2
        elif node.op == "output":
            result = node.args[0]
            if isinstance(result, tuple | list) and len(result) == 1:
                result = result[0]
            graph.output(torch.fx.map_arg(result, env.__getitem__))
            continue
        elif node.op == "call_function":
            args = tuple(_plain(a) for a in torch.fx.map_arg(node.args, env.__getitem__))
            kwargs = torch.fx.map_arg(node.kwargs, env.__getitem__)
            kwargs = {k: _plain(v) for k, v in kwargs.items()}
            new = _function_node(graph, node, args, kwargs, targets)
            new.meta["nn_module_stack"] = node.meta.get("nn_module_stack") or {}
            macs[new.name] = flops.get(node, 0) // 2
        else:
            new = graph.node_copy(node, env.__getitem__)
        env[node] = new
        shapes[new.name] = shape_of(node)
    return torch.fx.GraphModule(module, graph), shapes, macs


def _function_node(graph, node, args: tuple, kwargs: dict, targets: dict):
    """The node fx would have recorded for one ATen operator called in a ``forward``."""
    packet = node.target.overloadpacket
    name = packet.__name__
    if name in ("view", "reshape"):
        return graph.call_method(name, args, kwargs, name=node.name)
    upsample = _UPSAMPLE.fullmatch(name)
    if upsample:
        import torch

        mode = upsample.group(1).replace("_", "-")
        corners = None if mode.startswith("nearest") else args[2]
        kwargs = {"mode": mode, "align_corners": corners}
        # named as fx names it (interpolate, interpolate_1, ...)
        return graph.call_function(
            torch.nn.functional.interpolate, args[:1], kwargs, name="interpolate"
        )
    return graph.call_function(targets.get(packet, packet), args, kwargs, name=node.name)
