"""Shared test fixtures: where the real shared data lives, and skipping clearly when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("BEYOND_GDP_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data folder (../shared/data); tests that need it skip without it."""
    if not (SHARED_DATA / "panel").is_dir():
        pytest.skip(f"real shared data not found at {SHARED_DATA} (set BEYOND_GDP_SHARED_DATA)")
    return SHARED_DATA
