"""convlib installs as a real package: the sdist and the wheel, built offline with the pinned
backend, carry every module and every data file of ``convlib/``; their metadata renders; and
the wheel, installed into a fresh venv (no editable install, no checkout on ``sys.path``),
imports every module, finds every file and runs a chapter notebook.

The fresh venv borrows convlib's *dependencies* from the project's venv through a ``.pth`` line
(whose own ``.pth`` files, among them the editable install's hook, Python does not run), so the
test needs no registry; ``test_wheel_declares_every_package_convlib_imports`` checks the wheel's
``Requires-Dist`` instead. Set ``CONVLIB_PACKAGING_DEPS=index`` to let pip resolve them from the
package index, as a user's ``pip install`` does.
"""

from __future__ import annotations

import ast
import email
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_convolution.ipynb"  # imports kernels, plotting, widgets, data and exercises
OFFLINE = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "_build",
    "node_modules",
    "build",
    "dist",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    ".jupyter_cache",
    ".ipynb_checkpoints",
}


def package_files(root: Path) -> dict[str, set[str]]:
    """The files of ``root/convlib`` as posix paths from ``root``: Python modules and the rest."""
    files: dict[str, set[str]] = {"python": set(), "data": set()}
    for path in (root / "convlib").rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and not SKIPPED_DIRS & set(relative.parts) and path.suffix != ".pyc":
            files["python" if path.suffix == ".py" else "data"].add(relative.as_posix())
    return files


def copy_checkout(destination: Path) -> Path:
    """What ``pip install .`` sees: the working tree without environments, builds and caches."""
    shutil.copytree(
        ROOT,
        destination,
        ignore=lambda _, names: [n for n in names if n in SKIPPED_DIRS or n.endswith(".egg-info")],
    )
    return destination


def build(source: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m build`` with the venv's pinned setuptools, no isolation, no index."""
    return subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), *args, str(source)],
        env=OFFLINE,
        capture_output=True,
        text=True,
        check=True,
    )


def missing_from_wheel(wheel: Path, root: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = set().union(*package_files(root).values())
    return sorted(expected - names)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("build")
    build(copy_checkout(work / "src"), work / "dist")  # the sdist, then the wheel from it
    (wheel,) = (work / "dist").glob("convlib-*.whl")
    (sdist,) = (work / "dist").glob("convlib-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "work": work}


def test_build_backend_is_pinned_to_the_lock():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    locked = (ROOT / "requirements/constraints.txt").read_text().split()
    assert requires and all("==" in r and r in locked for r in requires), requires


def test_wheel_has_every_module_and_data_file_of_the_source_tree(dist):
    files = package_files(ROOT)
    assert "convlib/py.typed" in files["data"]
    assert {"convlib/plotting/__init__.py", "convlib/widgets/__init__.py"} <= files["python"]
    assert missing_from_wheel(dist["wheel"], ROOT) == []
    with zipfile.ZipFile(dist["wheel"]) as archive:
        assert not [n for n in archive.namelist() if "__pycache__" in n or n.endswith(".pyc")]


def test_sdist_has_every_file_of_the_package_and_what_builds_it(dist):
    with tarfile.open(dist["sdist"]) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {n.removeprefix(f"{top}/") for n in archive.getnames()}
    expected = set().union(*package_files(ROOT).values())
    assert expected <= names, sorted(expected - names)
    assert {"pyproject.toml", "README.md", "LICENSE", "LICENSE-text"} <= names


def test_a_config_that_drops_a_subpackage_fails_the_check(tmp_path):
    """The planted bug of this test file: the old `packages = ["convlib"]` configuration."""
    source = copy_checkout(tmp_path / "src")
    pyproject = source / "pyproject.toml"
    text = pyproject.read_text()
    found = '[tool.setuptools.packages.find]\ninclude = ["convlib", "convlib.*"]\n'
    assert found in text
    pyproject.write_text(text.replace(found, '[tool.setuptools]\npackages = ["convlib"]\n'))
    build(source, tmp_path / "dist", "--wheel")
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    missing = missing_from_wheel(wheel, ROOT)
    assert "convlib/plotting/__init__.py" in missing and "convlib/widgets/__init__.py" in missing


def test_metadata_passes_twine_check_and_carries_the_readme(dist):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(dist["wheel"]),
            str(dist["sdist"]),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2
    with zipfile.ZipFile(dist["wheel"]) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(metadata_name))
    assert metadata["Name"] == "convlib"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().strip() == (ROOT / "README.md").read_text().strip()


def test_version_is_single_sourced(dist):
    text = (ROOT / "convlib" / "__init__.py").read_text()
    (line,) = [line for line in text.splitlines() if line.startswith("__version__ =")]
    version = ast.literal_eval(line.split("=", 1)[1].split("#")[0].strip())
    assert dist["wheel"].name == f"convlib-{version}-py3-none-any.whl"
    assert dist["sdist"].name == f"convlib-{version}.tar.gz"
    assert "version" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dynamic"]


def top_level_imports(path: Path) -> set[str]:
    """Modules a file imports unconditionally (module level, outside try blocks)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_wheel_declares_every_package_convlib_imports(dist):
    with zipfile.ZipFile(dist["wheel"]) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(metadata_name))
    declared = {
        Requirement(r).name.lower()
        for r in metadata.get_all("Requires-Dist")
        if "extra ==" not in r
    }
    imported = set().union(*(top_level_imports(p) for p in (ROOT / "convlib").rglob("*.py")))
    third_party = imported - set(sys.stdlib_module_names) - {"convlib", "__future__"}
    distributions = packages_distributions()
    undeclared = {
        module
        for module in third_party
        if not {d.lower() for d in distributions.get(module, [module])} & declared
    }
    assert not undeclared, f"add to [project] dependencies: {sorted(undeclared)}"


@pytest.fixture(scope="module")
def fresh_venv(dist) -> Path:
    """A new venv with the wheel installed (not editable) and nothing of the checkout."""
    target = dist["work"] / "fresh"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if os.environ.get("CONVLIB_PACKAGING_DEPS") == "index":
        constraints = str(ROOT / "requirements" / "constraints.txt")
        subprocess.run(
            [*pip, "-c", constraints, f"{dist['wheel']}[notebooks]", "nbval", "pytest"], check=True
        )
    else:
        subprocess.run([*pip, "--no-deps", str(dist["wheel"])], env=OFFLINE, check=True)
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        (Path(site) / "zz_project_dependencies.pth").write_text(
            sysconfig.get_path("purelib") + "\n"
        )
    return target


def run_fresh(fresh: Path, code: str, cwd: Path) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run(
        [str(fresh / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


IMPORT_EVERYTHING = """
import importlib, importlib.metadata as md, json, sys
modules = {}
for name in sys.argv[1:] or json.loads(input()):
    modules[name] = importlib.import_module(name).__file__
import convlib
dist = md.distribution("convlib")
print(json.dumps({
    "modules": modules,
    "version": convlib.__version__,
    "metadata_version": md.version("convlib"),
    "direct_url": json.loads(dist.read_text("direct_url.json") or "{}"),
    "sys_path": sys.path,
    "meta_path": [repr(finder) for finder in sys.meta_path],
    "package_dir": str(importlib.resources.files("convlib")),
}))
"""


def test_fresh_venv_imports_every_module_from_the_wheel(fresh_venv, tmp_path):
    modules = sorted(
        ".".join(Path(p).with_suffix("").parts).removesuffix(".__init__")
        for p in package_files(ROOT)["python"]
    )
    code = "import importlib.resources\n" + IMPORT_EVERYTHING.replace(
        "sys.argv[1:] or json.loads(input())", repr(modules)
    )
    report = run_fresh(fresh_venv, code, tmp_path)
    site = Path(report["package_dir"]).parent
    assert site.is_relative_to(fresh_venv), site
    assert set(report["modules"]) == set(modules)
    outside = {m: f for m, f in report["modules"].items() if not Path(f).is_relative_to(site)}
    assert not outside, outside
    assert report["version"] == report["metadata_version"]
    assert not report["direct_url"].get("dir_info", {}).get("editable")
    assert not [f for f in report["meta_path"] if "editable" in f.lower()]
    checkout = {str(ROOT), str(ROOT / "convlib")}
    assert not checkout & {str(Path(p).resolve()) for p in report["sys_path"] if p}
    assert "" not in report["sys_path"][1:]  # only -c's own entry, the temporary cwd


def test_fresh_venv_finds_every_data_file_of_the_package(fresh_venv, tmp_path):
    code = "import importlib.resources\n" + IMPORT_EVERYTHING.replace(
        "sys.argv[1:] or json.loads(input())", "[]"
    )
    package_dir = Path(run_fresh(fresh_venv, code, tmp_path)["package_dir"])
    data = package_files(ROOT)["data"]
    missing = [f for f in data if not (package_dir.parent / f).is_file()]
    assert not missing, missing
    different = [
        f for f in data if (package_dir.parent / f).read_bytes() != (ROOT / f).read_bytes()
    ]
    assert not different, different


def test_a_chapter_runs_under_nbval_against_the_installed_wheel(fresh_venv, tmp_path):
    notebook = nbformat.read(ROOT / "notebooks" / CHAPTER, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import sys\n"
            "assert convlib.__file__.startswith(sys.prefix), convlib.__file__\n"
            f"assert {str(ROOT)!r} not in convlib.__file__"
        )
    )
    nbformat.write(notebook, tmp_path / CHAPTER)
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run(
        [
            str(fresh_venv / "bin" / "python"),
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-current-env",
            "--nbval-cell-timeout=300",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            CHAPTER,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**environment, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
