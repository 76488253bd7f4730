"""PyTorch's own operator tests, run against convlib: every sample input torch's OpInfo and
ModuleInfo databases hold for an op or module convlib mirrors gives torch's result, and every
error input torch rejects, convlib rejects too.

The databases live in ``torch.testing._internal`` (torch's test suite, shipped in the wheel; it
needs ``expecttest``). What convlib deliberately does not model is listed in ``UNSUPPORTED`` with
the reason, and in the README's "What convlib does not mirror".
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import convlib

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from torch.testing._internal.common_methods_invocations import op_db
    from torch.testing._internal.common_modules import module_db

FUNCTIONS = {
    "nn.functional.conv1d": convlib.conv1d,
    "nn.functional.conv2d": convlib.conv2d,
    "nn.functional.conv3d": convlib.conv3d,
    "nn.functional.conv_transpose1d": convlib.conv_transpose1d,
    "nn.functional.conv_transpose2d": convlib.conv_transpose2d,
    "nn.functional.conv_transpose3d": convlib.conv_transpose3d,
    "nn.functional.avg_pool1d": convlib.avg_pool1d,
    "nn.functional.avg_pool2d": convlib.avg_pool2d,
    "nn.functional.avg_pool3d": convlib.avg_pool3d,
    "nn.functional.max_pool1d": convlib.max_pool1d,
    "nn.functional.max_pool2d": convlib.max_pool2d,
    "nn.functional.max_pool3d": convlib.max_pool3d,
    "nn.functional.adaptive_avg_pool1d": convlib.adaptive_avg_pool1d,
    "nn.functional.adaptive_avg_pool2d": convlib.adaptive_avg_pool2d,
    "nn.functional.adaptive_avg_pool3d": convlib.adaptive_avg_pool3d,
    "nn.functional.pixel_shuffle": convlib.pixel_shuffle,
    "nn.functional.pixel_unshuffle": convlib.pixel_unshuffle,
    # torch.nn.functional.unfold is the window matrix (im2col), same argument order
    "nn.functional.unfold": convlib.im2col,
    **{
        f"nn.functional.interpolate.{mode}": convlib.interpolate
        for mode in ("nearest", "nearest-exact", "linear", "bilinear", "trilinear")
    },
}

# What convlib does not model, with the reason (also in the README). A sample or error input of
# these is not run; anything else torch accepts convlib must accept, and the reverse.
UNSUPPORTED = {
    "nn.functional.interpolate.bicubic": "bicubic resampling is not modelled (no chapter uses it)",
    "nn.functional.interpolate.area": "mode='area' is adaptive_avg_pool; convlib has that op",
}
# Module error inputs raised only by a training-mode forward pass: a spec holds no weights and
# runs no forward pass, so it has no mode to reject them in.
TRAINING_FORWARD_ONLY = {"BatchNorm2d": "eps must be positive"}

MODULES = sorted(
    info.module_cls.__name__
    for info in module_db
    if hasattr(convlib, info.module_cls.__name__)
    and isinstance(getattr(convlib, info.module_cls.__name__), type)
)


def module_info(name: str):
    (info,) = [i for i in module_db if i.module_cls.__name__ == name]
    return info


def op_infos(name: str):
    return [op for op in op_db if op_key(op) == name]


def op_key(op) -> str:
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, list | tuple) and any(isinstance(v, torch.Tensor) for v in value):
        return type(value)(to_numpy(v) for v in value)
    return value


def call_convlib(function, sample):
    args = [to_numpy(a) for a in sample.args]
    kwargs = {k: to_numpy(v) for k, v in sample.kwargs.items()}
    return function(to_numpy(sample.input), *args, **kwargs)


def describe(sample) -> str:
    shape = tuple(getattr(sample.input, "shape", ()))
    args = [tuple(a.shape) if isinstance(a, torch.Tensor) else a for a in sample.args]
    return f"input {shape}, args {args}, kwargs {sample.kwargs}"


def test_every_unsupported_op_is_named_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name in UNSUPPORTED:
        assert name.rsplit(".", 1)[1] in readme, name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_torch_sample_inputs_give_torch_results(name):
    (op,) = op_infos(name)
    function, mismatches = FUNCTIONS[name], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        samples = list(op.sample_inputs("cpu", torch.float64, requires_grad=False))
    for sample in samples:
        expected = op(sample.input, *sample.args, **sample.kwargs)
        expected = (expected[0] if isinstance(expected, tuple) else expected).numpy()
        try:
            got = call_convlib(function, sample)
        except (ValueError, TypeError) as error:
            mismatches.append(f"rejected {describe(sample)}: {error}")
            continue
        got = got[0] if isinstance(got, tuple) else got
        if got.shape != expected.shape or not np.allclose(
            got, expected, rtol=1e-9, atol=1e-10, equal_nan=True
        ):
            mismatches.append(f"differs {describe(sample)}: {got.shape} vs {expected.shape}")
    assert samples, f"torch has no samples for {name}"
    assert not mismatches, f"{len(mismatches)} of {len(samples)}:\n" + "\n".join(mismatches[:10])


@pytest.mark.parametrize(
    "name", [name for name in sorted(FUNCTIONS) if op_infos(name)[0].error_inputs_func]
)
def test_torch_error_inputs_are_rejected(name):
    (op,) = op_infos(name)
    accepted = []
    for error_input in op.error_inputs("cpu"):
        sample = error_input.sample_input
        try:
            call_convlib(FUNCTIONS[name], sample)
        except (ValueError, TypeError):
            continue
        accepted.append(f"{describe(sample)} (torch: {error_input.error_regex})")
    assert not accepted, "\n".join(accepted)


def module_inputs(info):
    return info.module_inputs_func(
        info, device="cpu", dtype=torch.float64, requires_grad=False, training=False
    )


@pytest.mark.parametrize("name", MODULES)
def test_torch_module_inputs_give_torch_shapes_and_parameter_counts(name):
    info = module_info(name)
    spec_class, checked, mismatches = getattr(convlib, name), 0, []
    for module_input in module_inputs(info):
        constructor, forward = module_input.constructor_input, module_input.forward_input
        if forward is None:
            continue
        module = info.module_cls(*constructor.args, **constructor.kwargs).double().eval()
        x = forward.args[0] if forward.args else next(iter(forward.kwargs.values()))
        with torch.no_grad():
            out = module(*forward.args, **forward.kwargs)
        out = out[0] if isinstance(out, tuple) else out
        call = f"{name}(*{constructor.args}, **{constructor.kwargs}) on {tuple(x.shape)}"
        try:
            spec = spec_class(*constructor.args, **constructor.kwargs)
            shape = tuple(spec.output_shape(tuple(x.shape)))
        except (ValueError, TypeError) as error:
            mismatches.append(f"rejected {call}: {error}")
            continue
        parameters = sum(p.numel() for p in module.parameters())
        if shape != tuple(out.shape) or spec.num_params != parameters:
            mismatches.append(
                f"{call}: {shape}, {spec.num_params} vs {tuple(out.shape)}, {parameters}"
            )
        checked += 1
    assert checked or mismatches, f"torch has no module inputs for {name}"
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    "name", [name for name in MODULES if module_info(name).module_error_inputs_func]
)
def test_torch_module_error_inputs_are_rejected(name):
    info = module_info(name)
    spec_class, accepted = getattr(convlib, name), []
    errors = info.module_error_inputs_func(
        info, device="cpu", dtype=torch.float64, requires_grad=False, training=False
    )
    for error in errors:
        if error.error_regex == TRAINING_FORWARD_ONLY.get(name):
            continue
        constructor = error.module_error_input.constructor_input
        forward = error.module_error_input.forward_input
        try:
            spec = spec_class(*constructor.args, **constructor.kwargs)
            if forward is not None and forward.args:
                spec.output_shape(tuple(forward.args[0].shape))
        except (ValueError, TypeError):
            continue
        accepted.append(
            f"{name}(*{constructor.args}, **{constructor.kwargs}) ({error.error_regex})"
        )
    assert not accepted, "\n".join(accepted)
