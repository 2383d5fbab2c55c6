"""Fixtures shared by the dashboard tests."""

from __future__ import annotations

import shutil
import sys

import pytest

from connectors import store
from dashboard import data_version


@pytest.fixture
def copied_store(tmp_path, monkeypatch):
    """The committed store copied to a temporary folder that the app then reads (the real one is untouched)."""
    root = tmp_path / "data_cache"
    shutil.copytree(store.DATA_CACHE, root, ignore=shutil.ignore_patterns("refreshed"))
    for name, module in list(sys.modules.items()):
        if name.startswith("connectors") and hasattr(module, "DATA_CACHE"):
            monkeypatch.setattr(module, "DATA_CACHE", root)
    data_version.forget_computed()
    yield root
    monkeypatch.undo()
    data_version.forget_computed()
    data_version.current()
