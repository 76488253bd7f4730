"""The book's offline-assets extension: an explorer changed since the last build is re-executed."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import offline_assets  # noqa: E402


def test_widget_fingerprint_changes_with_any_file_an_explorer_ships(tmp_path, monkeypatch):
    monkeypatch.setattr(offline_assets, "WIDGETS", tmp_path)
    files = {"explorer.py": "x = 1", "explorer.mjs": "export default {}", "presets.json": "{}"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    before = offline_assets.widget_fingerprint()
    for name in files:
        path = tmp_path / name
        original = path.read_text()
        path.write_text(original + " ")
        assert offline_assets.widget_fingerprint() != before, f"{name} changed unnoticed"
        path.write_text(original)
    assert offline_assets.widget_fingerprint() == before
