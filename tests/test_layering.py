"""Data flows one way: connectors -> store -> indicators -> dashboard. Imports must say so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "connectors": {"indicators", "dashboard", "streamlit", "altair"},
    "indicators": {"dashboard", "streamlit", "altair"},
    "dashboard": {"connectors"},
}
STREAMLIT_ALLOWED = ("dashboard/pages/", "dashboard/ui.py", "dashboard/share_panel.py", "dashboard/embed.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        bad = _imports(path) & FORBIDDEN[layer]
        if layer == "dashboard" and "streamlit" in _imports(path) and not relative.startswith(STREAMLIT_ALLOWED):
            bad.add("streamlit")
        if bad:
            offenders.append(f"{relative}: {sorted(bad)}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)


def test_app_py_only_configures_and_navigates():
    assert _imports(ROOT / "app.py") <= {"streamlit", "dashboard"}


def test_sdmx_is_imported_lazily():
    """sdmx1 costs ~0.6 s to import: only inside functions, never at module top level."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "sdmx" or n.startswith("sdmx.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
