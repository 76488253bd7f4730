"""`make lab` opens a scratch copy of the chapters with nbgrader's extensions turned off."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lab_recipe() -> list[str]:
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "--no-print-directory", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MAKEFLAGS": ""},
    ).stdout
    return [line for line in dry_run.splitlines() if "jupyter lab" in line]


def test_make_lab_opens_a_scratch_copy_not_the_committed_notebooks():
    (launch,) = lab_recipe()
    directory = re.search(r"--notebook-dir=(\S+)", launch).group(1)
    assert directory.startswith("_build/"), launch


def test_make_lab_turns_nbgraders_menus_and_server_extensions_off():
    (launch,) = lab_recipe()
    config_dir = re.search(r"JUPYTER_CONFIG_DIR=(\S+)", launch).group(1)
    assert config_dir.endswith("_build/lab-config"), launch
    config = ROOT / "tools/lab-config"
    page = json.loads((config / "labconfig/page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True}
    server = json.loads((config / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions and all(name.startswith("nbgrader.") for name in extensions)
    assert not any(extensions.values())


def test_what_a_run_all_in_make_lab_writes_is_ignored_by_git():
    """Run All saves outputs into the scratch copy, which git ignores: `git status` stays clean."""
    (launch,) = lab_recipe()
    directory = re.search(r"--notebook-dir=(\S+)", launch).group(1)
    config_dir = re.search(r"JUPYTER_CONFIG_DIR=(\S+)", launch).group(1)
    for written in (
        f"{directory}/01_convolution.ipynb",
        f"{directory}/.ipynb_checkpoints/01_convolution-checkpoint.ipynb",
        f"{Path(config_dir).relative_to(ROOT)}/lab/workspaces/default.jupyterlab-workspace",
    ):
        ignored = subprocess.run(["git", "check-ignore", "-q", written], cwd=ROOT)
        assert ignored.returncode == 0, f"git would see {written}"
