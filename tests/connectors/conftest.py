"""Connector tests run offline: anything marked ``network`` is skipped unless asked for with ``-m network``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "network" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="needs the live internet; run with -m network")
    for item in items:
        if "network" in item.keywords and HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
