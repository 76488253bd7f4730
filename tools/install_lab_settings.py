"""Install convlib's JupyterLab settings defaults into the running environment's JupyterLab.

JupyterLab reads default overrides from ``<app dir>/settings/overrides.d/*.json`` (the app dir
is ``sys.prefix/share/jupyter/lab`` unless ``JUPYTERLAB_DIR`` says otherwise). Ours answers
"never" to the "official Jupyter news?" question, so the pop-up does not cover the explorers on
first launch, and turns off the update check (both would reach out to the internet). A user's
own settings still win. ``make lab``/``make book`` and Binder's ``postBuild`` run this.

Usage: ``python tools/install_lab_settings.py``
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SOURCE = Path(__file__).with_name("jupyterlab-overrides.json")


def install(app_dir: Path | None = None) -> Path:
    if app_dir is None:
        from jupyterlab.commands import get_app_dir

        app_dir = Path(get_app_dir())
    target = app_dir / "settings" / "overrides.d" / "convlib.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, target)
    return target


if __name__ == "__main__":
    print(f"JupyterLab settings defaults: {install()}")
    sys.exit(0)
