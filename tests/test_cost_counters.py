"""convlib.teaching.cost_counters: chapter 6's table of convlib's MACs beside the cost counters.

The oracles are independent of convlib: the transposed convolution's MAC formula written out
here, the numbers the counters' bug reports print, and each counter called directly through its
own public function. Each counter's tests skip where that counter is not installed.
"""

from __future__ import annotations

import io
import sys

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import convlib  # noqa: E402
from convlib.teaching import cost_counters  # noqa: E402
from convlib.teaching.cost_counters import compare_counters, counter_table  # noqa: E402


def transposed_macs(batch, c_in, c_out, groups, kernel_cells, input_cells):
    """Every input cell times the kernel: N C_in (C_out / g) k_H k_W H_in W_in."""
    return batch * c_in * (c_out // groups) * kernel_cells * input_cells


# name: (layer factory, input shape, convlib's MACs by the formula, output cells, bias outputs)
LAYERS = {
    "depthwise_transposed_batch_2": (
        lambda: nn.ConvTranspose2d(4, 4, 3, 2, 1, 1, groups=4),
        (2, 4, 8, 8),
        transposed_macs(2, 4, 4, 4, 9, 64),  # 4608, DeepSpeed #8323's example
        256,
        2 * 4 * 256,
    ),
    "grouped_transposed": (
        lambda: nn.ConvTranspose2d(8, 16, 4, 2, 1, groups=4),
        (1, 8, 8, 8),
        transposed_macs(1, 8, 16, 4, 16, 64),
        256,
        16 * 256,
    ),
    "fvcore_78": (  # the report: 81 counted, 32 * 3 * 3 expected
        lambda: nn.ConvTranspose2d(32, 1, 3),
        (1, 32, 1, 1),
        32 * 3 * 3,
        9,
        9,
    ),
    "ptflops_149_thop_92": (
        lambda: nn.ConvTranspose2d(3, 1, 2, stride=2, bias=True),
        (1, 3, 2, 2),
        48,
        16,
        16,
    ),
    "grouped_not_transposed": (
        lambda: nn.Conv2d(8, 16, 3, padding=1, groups=4, bias=False),
        (2, 8, 8, 8),
        2 * 64 * 16 * (8 // 4) * 9,
        64,
        0,
    ),
}


def _row(name):
    torch.manual_seed(0)
    factory, shape, *_ = LAYERS[name]
    layer = factory().eval()
    (row,) = compare_counters(layer, shape, name=name).layers
    return layer, shape, row


def _installed(counter):
    if cost_counters.installed_counters()[counter] is None:
        pytest.skip(f"{counter} is not installed")


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_convlib_macs_are_the_formula_and_flop_counter_mode_halved(name):
    _, _, macs, output_cells, bias = LAYERS[name]
    _, _, row = _row(name)
    assert row.macs == macs
    assert row.counts["FlopCounterMode"] == 2 * macs
    assert (row.output_cells, row.bias_additions) == (output_cells, bias)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_fvcore_value_is_recorded_as_fvcore_returns_it(name):
    _installed("fvcore")
    from fvcore.nn import FlopCountAnalysis

    layer, shape, row = _row(name)
    assert row.counts["fvcore"] == FlopCountAnalysis(layer, torch.zeros(shape)).total()
    assert row.counts["fvcore"] == LAYERS[name][2]  # this release counts them as convlib


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_ptflops_value_is_recorded_as_ptflops_returns_it(name):
    _installed("ptflops")
    from ptflops import get_model_complexity_info

    layer, shape, row = _row(name)
    direct, _ = get_model_complexity_info(
        layer,
        shape[1:],
        input_constructor=lambda _: torch.zeros(shape),
        as_strings=False,
        print_per_layer_stat=False,
        ost=io.StringIO(),
    )
    assert row.counts["ptflops"] == direct
    # its conventions: one addition per biased output element, averaged over the batch
    _, _, macs, _, bias = LAYERS[name]
    assert row.counts["ptflops"] == (macs + bias) / shape[0]


def test_ptflops_counts_issue_149s_layer_by_its_input_cells():
    _installed("ptflops")
    _, _, row = _row("ptflops_149_thop_92")
    assert row.counts["ptflops"] == 48 + 16  # the issue showed 208 = 192 + 16 before


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_thop_value_is_recorded_as_thop_returns_it(name):
    _installed("thop")
    import thop

    layer, shape, row = _row(name)
    direct, _ = thop.profile(layer, inputs=(torch.zeros(shape),), verbose=False)
    assert row.counts["thop"] == direct


def test_thop_counts_a_transposed_layer_by_its_output_cells():
    _installed("thop")
    for name, (_, shape, macs, output_cells, _) in LAYERS.items():
        _, _, row = _row(name)
        input_cells = shape[2] * shape[3]
        ratio = output_cells / input_cells if row.transposed else 1
        assert row.counts["thop"] == macs * ratio, name
    assert _row("ptflops_149_thop_92")[2].counts["thop"] == 192  # what thop #92 reports
    assert _row("fvcore_78")[2].counts["thop"] == 9 * 288


@pytest.mark.parametrize("counter", cost_counters.ON_META)
def test_a_counter_on_the_meta_device_counts_what_it_counts_on_the_cpu(counter):
    _installed(counter)
    layer = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1, groups=2)
    shape = (2, 6, 5, 7)
    on_cpu = cost_counters._count(counter, layer, torch.zeros(shape))
    on_meta = cost_counters._count(counter, layer.to("meta"), torch.zeros(shape, device="meta"))
    assert on_meta == on_cpu


class Up(nn.Module):
    """A small network with a skip concatenation and a transposed convolution up."""

    def __init__(self) -> None:
        super().__init__()
        self.down = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2, groups=2)
        self.head = nn.Conv2d(7, 2, 1, bias=False)

    def forward(self, x):
        return self.head(torch.cat([self.up(torch.relu(self.down(x))), x], 1))


def test_a_networks_row_sums_its_layers_and_equals_the_whole_forwards_counts():
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    model, shape = Up().eval(), (2, 3, 12, 12)
    comparison = compare_counters(model, shape, name="up")
    assert [row.name for row in comparison.layers] == ["down", "up", "head"]
    assert [row.transposed for row in comparison.layers] == [False, True, False]
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(shape))
    assert comparison.count("FlopCounterMode") == counter.get_total_flops()
    spec = convlib.from_torch(model, shape)
    assert comparison.macs == convlib.summary(spec, shape).total_macs


def test_the_table_halves_flop_counter_mode_and_says_which_counter_is_missing(monkeypatch):
    _installed("fvcore")
    _installed("ptflops")
    monkeypatch.setitem(sys.modules, "thop", None)  # import thop now raises ImportError
    assert cost_counters.installed_counters()["thop"] is None
    layer = nn.ConvTranspose2d(3, 1, 2, stride=2)
    comparison = compare_counters(layer, (1, 3, 2, 2), name="x")
    assert comparison.count("thop") is None
    header, units, rule, row = counter_table([comparison]).splitlines()
    assert header.split() == ["convlib", "FlopCounterMode", "fvcore", "ptflops", "thop"]
    assert units.split() == ["MACs", "FLOPs", "/", "2"]
    assert set(rule) == {"-"} and len(rule) == len(header)
    # FlopCounterMode's 96 FLOPs halved and fvcore's 48 equal convlib's 48 (=); ptflops' 64
    # differs; thop's cell is empty
    assert row.split() == ["x", "48", "=", "=", "64"]


def test_the_table_of_the_chapters_networks_fits_a_book_pages_code_width():
    comparison = compare_counters(nn.Conv2d(1, 1, 1), (1, 1, 2, 2), name="x" * 23)
    big = cost_counters.LayerCount("big", "", False, 1, 1, 1, 0, 822_083_584, {
        "FlopCounterMode": 2 * 822_083_584, "fvcore": 1, "ptflops": 113_049_600, "thop": 1.5,
    })  # fmt: skip
    wide = cost_counters.CounterComparison("y" * 23, (big,))
    lines = counter_table([comparison, wide]).splitlines()
    assert max(len(line) for line in lines) <= 88
    assert lines[-1].split()[1:] == ["822,083,584", "=", "1", "113,049,600", "1.5"]


def test_count_names_the_counters_it_knows():
    comparison = compare_counters(nn.Conv2d(1, 1, 1), (1, 1, 2, 2))
    with pytest.raises(ValueError, match="counter must be one of .*received counter='flops'"):
        comparison.count("flops")
