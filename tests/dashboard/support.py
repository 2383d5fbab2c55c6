"""Helpers shared by the dashboard tests: open a page with AppTest, and compare golden specs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.frame import OPEN_SUFFIX

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
GOLDEN = Path(__file__).resolve().parent / "golden"


def page_file(page: str) -> str:
    """The thin Streamlit file of a page folder (``"overview"`` -> ``dashboard/pages/overview/page.py``)."""
    return str(ROOT / "dashboard" / "pages" / page / "page.py")


def open_page(page: str, timeout: float = 120, **params: str) -> AppTest:
    """Run a page folder's Streamlit file — the page inside the shared frame — with the URL ``params``;
    fail on any exception."""
    at = AppTest.from_file(page_file(page), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_share_panels(at: AppTest) -> AppTest:
    """Open every "Share, embed or download" panel of the page (they are sent only when open) and rerun."""
    keys = [key for key in at.session_state if str(key).endswith(OPEN_SUFFIX)]
    assert keys, "the page has no share panel"
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def normalised(spec: dict) -> dict:
    """The spec without the shared theme config, and Altair's content-hash dataset names made stable."""
    spec = {key: value for key, value in spec.items() if key != "config"}
    text = json.dumps(spec, sort_keys=True)
    for i, name in enumerate(sorted(spec.get("datasets", {}))):
        text = text.replace(name, f"data-{i}")
    return json.loads(re.sub(r"(param|view)_\d+", r"\1_N", text))


def check_golden(name: str, spec: dict) -> None:
    """Compare with ``golden/<name>.vl.json``; ``UPDATE_GOLDEN=1`` rewrites it after a reviewed change.

    A missing golden file is a failure, not a silent first write, so CI never passes vacuously."""
    path = GOLDEN / f"{name}.vl.json"
    spec = normalised(spec)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden spec {path.name}; review the chart, then run with UPDATE_GOLDEN=1"
    assert spec == json.loads(path.read_text(encoding="utf-8")), f"{path.name} changed; review, then UPDATE_GOLDEN=1"
