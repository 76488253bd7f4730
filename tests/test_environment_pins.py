"""The environments agree: environment.yml pins exactly what requirements/constraints.txt locks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


@pytest.fixture(scope="module")
def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements/constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    return pins


@pytest.fixture(scope="module")
def environment_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    pins = {}
    for requirement in pip_section:
        name, separator, version = requirement.partition("==")
        assert separator, f"environment.yml must pin exactly: {requirement!r}"
        pins[canonical(name)] = version
    return pins


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_pins_equal_the_lock(locked, environment_pins):
    mismatched = {
        name: (version, locked.get(name))
        for name, version in environment_pins.items()
        if locked.get(name) != version
    }
    assert not mismatched, f"environment.yml vs constraints.txt (yml, lock): {mismatched}"


def test_environment_yml_uses_python_311():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]


def test_environment_yml_has_every_runtime_and_notebook_dependency(pyproject, environment_pins):
    project = pyproject["project"]
    needed = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    missing = {requirement_name(r) for r in needed} - set(environment_pins)
    assert not missing, f"environment.yml lacks {sorted(missing)}"


def test_every_declared_dependency_is_locked(pyproject, locked):
    project = pyproject["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    names = {requirement_name(r) for r in declared} - {"convlib"}
    missing = names - set(locked)
    assert not missing, f"constraints.txt lacks {sorted(missing)}: run `make lock`"


def test_jupyter_book_stays_on_the_offline_1_x_line(locked):
    assert locked["jupyter-book"] == "1.0.4.post1"
    assert tuple(int(p) for p in locked["nbval"].split(".")[:2]) >= (0, 11)


def test_the_test_environment_has_the_locked_torch_so_no_cross_check_skips(locked):
    # Every cross-check against PyTorch skips where torch is absent (torch stays optional for
    # readers); the test extra pins it, so in `make test` and CI its absence is a failure here.
    import torch

    assert torch.__version__.split("+")[0] == locked["torch"]


def test_every_package_installed_in_the_test_environment_is_locked(locked):
    """One lock: what `make test`'s venv holds (torch's own dependencies included) is pinned in
    constraints.txt at the installed version (a CPU build's "+cpu" label aside)."""
    import site
    from importlib.metadata import distributions

    from packaging.version import Version

    # the venv's own site-packages: not the packages setuptools vendors, which it puts on
    # sys.path (setuptools/_vendor) once something imports it
    found = distributions(path=site.getsitepackages())
    installed = {canonical(d.metadata["Name"]): Version(d.version) for d in found}
    unlocked = {
        name: str(version)
        for name, version in installed.items()
        if name not in ("convlib", "pip")
        and (name not in locked or Version(locked[name]) != Version(version.public))
    }
    assert unlocked == {}, "installed but not locked at this version (make lock): " + str(unlocked)
