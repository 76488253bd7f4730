"""convlib's MACs beside what the cost counters people use report (chapter 6, "Bring your own
model").

Each convolution and linear layer of a torch network is run through every counter alone, on the
input it receives in the network, so that the columns differ only where the counters count those
layers differently (batch norms, activations and pooling, which each counter counts by its own
convention, stay out). The counters, all optional:

* ``FlopCounterMode``: torch's own (``torch.utils.flop_counter``), FLOPs, two per
  multiply-accumulate, of every convolution and matrix product torch runs;
* ``fvcore``: ``fvcore.nn.FlopCountAnalysis(...).total()``, one "flop" per multiply-accumulate;
* ``ptflops``: ``ptflops.get_model_complexity_info`` (its default PyTorch backend), MACs averaged
  over the batch, with one addition per output element of a layer with a bias;
* ``thop``: ``thop.profile`` (the PyPI package of pytorch-OpCounter), MACs.

Every count is recorded as the counter returns it; :class:`LayerCount` also keeps what explains
the differences (the batch, the input's and output's cells, the bias additions). The counters read
shapes only, so all but fvcore run on torch's ``meta`` device (no arithmetic is done: the U-Net's
layers take milliseconds, not seconds); fvcore's tracer needs real tensors and runs on the CPU.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib
import importlib.metadata
import io
import logging
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence

#: the counters, in the table's order
COUNTERS = ("FlopCounterMode", "fvcore", "ptflops", "thop")

#: the counters that run on torch's meta device (shapes without data)
ON_META = ("FlopCounterMode", "ptflops", "thop")

#: the distribution that provides each counter (FlopCounterMode is torch's), and its module
DISTRIBUTIONS = {
    "FlopCounterMode": ("torch", "torch.utils.flop_counter"),
    "fvcore": ("fvcore", "fvcore.nn"),
    "ptflops": ("ptflops", "ptflops"),
    "thop": ("thop", "thop"),
}


def installed_counters() -> dict[str, str | None]:
    """Each counter's installed version, or None where its module cannot be imported.

    Versions are written as pip writes them (thop's wheel says ``0.1.1-2209072238``, PEP 440's
    other spelling of the post-release ``0.1.1.post2209072238`` that pip installs and pins).
    """
    versions: dict[str, str | None] = {}
    for counter, (distribution, module) in DISTRIBUTIONS.items():
        try:
            with _quiet():
                importlib.import_module(module)
            version = importlib.metadata.version(distribution)
        except (ImportError, importlib.metadata.PackageNotFoundError):
            versions[counter] = None
        else:
            versions[counter] = re.sub(r"^([\d.]+)-(\d+)$", r"\1.post\2", version)
    return versions


@dataclasses.dataclass(frozen=True)
class LayerCount:
    """One convolution or linear layer: convlib's MACs and each counter's count.

    Attributes
    ----------
    name : str
        The layer's name in torch (``up2``, ``body.3``).
    layer : str
        What the layer is (``ConvTranspose2d(64, 32, kernel_size=(2, 2), stride=(2, 2))``).
    transposed : bool
    batch : int
        The batch size of its input.
    input_cells, output_cells : int
        Spatial cells of one input and one output channel (1 for a linear layer).
    bias_additions : int
        The output's elements over the batch when the layer has a bias, else 0.
    macs : int
        convlib's multiply-accumulates (the spec's ``macs``).
    counts : Mapping[str, float | None]
        Counter name -> its count as it returns it; None where the counter is not installed.
    """

    name: str
    layer: str
    transposed: bool
    batch: int
    input_cells: int
    output_cells: int
    bias_additions: int
    macs: int
    counts: Mapping[str, float | None]


@dataclasses.dataclass(frozen=True)
class CounterComparison:
    """A network's (or one layer's) convolution and linear layers, counted every way."""

    name: str
    layers: tuple[LayerCount, ...]

    @property
    def macs(self) -> int:
        """convlib's MACs, summed over the layers."""
        return sum(layer.macs for layer in self.layers)

    def count(self, counter: str) -> float | None:
        """A counter's count summed over the layers, or None where it is not installed."""
        if counter not in COUNTERS:
            raise ValueError(f"counter must be one of {COUNTERS}; received counter={counter!r}")
        values = [layer.counts[counter] for layer in self.layers]
        return None if any(v is None for v in values) else sum(values)


def _quiet():
    """Silence what the counters print and log while they count."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    stack.callback(logging.disable, previous)
    return stack


def _count(counter: str, module, x):
    import torch

    with _quiet(), torch.no_grad():
        if counter == "FlopCounterMode":
            from torch.utils.flop_counter import FlopCounterMode

            with FlopCounterMode(display=False) as flops:
                module(x)
            return flops.get_total_flops()
        if counter == "fvcore":
            from fvcore.nn import FlopCountAnalysis

            analysis = FlopCountAnalysis(module, x)
            analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
            return analysis.total()
        if counter == "ptflops":
            from ptflops import get_model_complexity_info

            macs, _ = get_model_complexity_info(
                module,
                tuple(x.shape[1:]),
                input_constructor=lambda _: x,
                as_strings=False,
                print_per_layer_stat=False,
                ost=io.StringIO(),
            )
            return macs
        import thop

        macs, _ = thop.profile(module, inputs=(x,), verbose=False)
        return macs


def compare_counters(
    module, input_shape: Sequence[int], *, name: str | None = None
) -> CounterComparison:
    """Count a torch network's convolution and linear layers with convlib and every counter.

    Parameters
    ----------
    module : torch.nn.Module
        The network (or one layer), read with :func:`convlib.from_torch`.
    input_shape : tuple of int
        Its input, batched.
    name : str, optional
        The comparison's name in the table (the module's class name by default).

    Returns
    -------
    CounterComparison
        One :class:`LayerCount` per convolution and linear layer, in execution order; a counter
        that is not installed has None counts.

    Raises
    ------
    ImportError
        If torch is not installed.

    See Also
    --------
    counter_table : the comparisons as one table.
    """
    import torch

    from convlib.nn import Linear, from_torch
    from convlib.nn.layers import _ConvNd

    spec = from_torch(module, input_shape)
    modules = dict(module.named_modules())
    available = {c for c, version in installed_counters().items() if version is not None}
    rows = []
    for _, layer, in_shape in spec.leaves(tuple(input_shape)):
        if not isinstance(layer, _ConvNd | Linear):
            continue
        path = layer.torch_name
        if path not in modules:  # the k-th call of a module is named path_k
            path = path.rsplit("_", 1)[0]
        if path not in modules:  # a module wrapped by from_torch: one layer alone
            path = ""
        torch_module = modules[path]
        out_shape = layer.output_shape(in_shape)
        counts = {}
        for counter in COUNTERS:
            if counter in available:  # each counter on its own copy (some leave attributes)
                device = "meta" if counter in ON_META else "cpu"
                counts[counter] = _count(
                    counter,
                    copy.deepcopy(torch_module).to(device),
                    torch.zeros(in_shape, device=device),
                )
            else:
                counts[counter] = None
        bias = getattr(torch_module, "bias", None) is not None
        rows.append(
            LayerCount(
                name=layer.torch_name if path else type(torch_module).__name__,
                layer=repr(torch_module),
                transposed=isinstance(torch_module, torch.nn.modules.conv._ConvTransposeNd),
                batch=in_shape[0],
                input_cells=math.prod(in_shape[2:]),
                output_cells=math.prod(out_shape[2:]),
                bias_additions=math.prod(out_shape) if bias else 0,
                macs=layer.macs(in_shape),
                counts=counts,
            )
        )
    return CounterComparison(name or type(module).__name__, tuple(rows))


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def counter_table(comparisons: Iterable[CounterComparison]) -> str:
    """The comparisons as one plain-text table, one row per comparison.

    ``FlopCounterMode`` is shown halved (FLOPs / 2, in MACs); the other counters as they report.
    A count equal to convlib's MACs is shown as ``=``, so the disagreements stand out; a counter
    that is not installed leaves its cell empty. The table fits 88 characters for names of up to
    23 (a book page's code width).
    """
    header = [
        ("", "convlib", "FlopCounterMode", "fvcore", "ptflops", "thop"),
        ("", "MACs", "FLOPs / 2", "", "", ""),
    ]
    lines = []
    for comparison in comparisons:
        flops = comparison.count("FlopCounterMode")
        counts = [None if flops is None else flops / 2]
        counts += [comparison.count(c) for c in COUNTERS[1:]]
        lines.append(
            (
                comparison.name,
                _number(comparison.macs),
                *("=" if count == comparison.macs else _number(count) for count in counts),
            )
        )
    rows = [*header, *lines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header[0]))]
    text = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    text.insert(2, "-" * max(len(line) for line in text))
    return "\n".join(text)
