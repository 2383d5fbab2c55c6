"""Data flows one way: connectors -> store -> indicators -> dashboard. Imports must say so.

Three rules, read from every import statement: a layer never imports a later one; it never reaches
another layer through an attribute of a module it may import (``query.store.read_provenance`` in
the dashboard reaches ``connectors``); and it never imports by name (``importlib``, ``__import__``),
which hides a dependency from the first two rules. Streamlit lives only in the page files and the
page frame.
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "connectors": {"indicators", "dashboard", "streamlit", "altair"},
    "indicators": {"dashboard", "streamlit", "altair"},
    "dashboard": {"connectors"},
}
#: Only a page's thin Streamlit file and the shared frame import streamlit.
STREAMLIT_ALLOWED = ("dashboard/frame.py",)
STREAMLIT_PAGE_FILE = "page.py"
#: Code where a plain import always serves; imports by name are refused here.
NO_IMPORT_BY_NAME = ("dashboard", "indicators", "app.py", "serve.py")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py")) if (ROOT / layer).is_dir() else [ROOT / layer]


def _streamlit_allowed(relative: str) -> bool:
    return relative in STREAMLIT_ALLOWED or (
        relative.startswith("dashboard/pages/") and relative.endswith("/" + STREAMLIT_PAGE_FILE)
    )


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    offenders = []
    for path in _files(layer):
        relative = path.relative_to(ROOT).as_posix()
        bad = _imports(path) & FORBIDDEN[layer]
        if layer == "dashboard" and "streamlit" in _imports(path) and not _streamlit_allowed(relative):
            bad.add("streamlit")
        if bad:
            offenders.append(f"{relative}: {sorted(bad)}")
    assert not offenders, "layering broken:\n" + "\n".join(offenders)


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted module it is bound to, for ``import a.b as c`` and ``from a import b`` (b a module)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _as_module(dotted: str) -> types.ModuleType | None:
    try:
        return importlib.import_module(dotted)
    except ImportError:
        return None


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_is_reached_through_another_modules_attribute(layer):
    """``from indicators import query`` then ``query.store.X`` in the dashboard is an import of connectors."""
    offenders = []
    for path in _files(layer):
        tree = _tree(path)
        aliases = _module_aliases(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
                continue
            dotted = aliases.get(node.value.id)
            if dotted is None or dotted.split(".")[0] not in {"connectors", "indicators", "dashboard"}:
                continue
            module = _as_module(dotted)
            target = getattr(module, node.attr, None) if module is not None else None
            if isinstance(target, types.ModuleType) and target.__name__.split(".")[0] in FORBIDDEN[layer]:
                offenders.append(
                    f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr} is {target.__name__}"
                )
    assert not offenders, "a layer reached through an attribute:\n" + "\n".join(offenders)


def test_no_import_by_name():
    """``importlib.import_module`` and ``__import__`` hide what a module depends on; a plain import serves."""
    offenders = []
    for place in NO_IMPORT_BY_NAME:
        for path in _files(place):
            tree = _tree(path)
            if "importlib" in _imports(path):
                offenders.append(f"{path.relative_to(ROOT)}: imports importlib")
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id == "__import__":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: __import__")
    assert not offenders, "import by name:\n" + "\n".join(offenders)


def test_the_layering_rules_catch_what_they_claim(tmp_path):
    """The checks themselves can fail: an attribute reach and an import by name are both seen."""
    reach = tmp_path / "reach.py"
    reach.write_text("from indicators import query\nquery.store.read_provenance\n")
    aliases = _module_aliases(_tree(reach))
    assert aliases["query"] == "indicators.query"
    assert _as_module(aliases["query"]).store.__name__ == "connectors.store"
    by_name = tmp_path / "by_name.py"
    by_name.write_text("import importlib\nm = __import__('os')\n")
    assert "importlib" in _imports(by_name)
    assert any(isinstance(n, ast.Name) and n.id == "__import__" for n in ast.walk(_tree(by_name)))


def test_app_py_only_configures_and_navigates():
    assert _imports(ROOT / "app.py") <= {"streamlit", "dashboard"}


def test_sdmx_is_imported_lazily():
    """sdmx1 costs ~0.6 s to import: only inside functions, never at module top level."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        tree = _tree(path)
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
