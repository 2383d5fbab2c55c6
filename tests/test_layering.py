"""Data flows one way: connectors -> store -> indicators -> dashboard. Imports must say so.

Three rules, read from every import statement: a layer never imports a later one; no code reaches
another of the project's packages through an attribute of a module it imports
(``query.store.read_provenance`` reaches ``connectors`` through ``indicators``); and no code imports by
name (``importlib``, ``__import__``), which hides a dependency from the first two rules. The last two
hold in every layer, the benchmarks (``bench/``) and the entry points alike. Streamlit lives only in the
page files and the page frame.
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
#: Only a page's thin Streamlit file, the shared frame and the server's HTTP side (which reads Streamlit's own
#: manifest and base path) import streamlit.
STREAMLIT_ALLOWED = ("dashboard/frame.py", "dashboard/preload.py")
STREAMLIT_PAGE_FILE = "page.py"
#: Code where a plain import always serves; imports by name are refused here.
NO_IMPORT_BY_NAME = ("connectors", "indicators", "dashboard", "bench", "app.py", "serve.py")
#: The project's own packages: one of them is reached only by importing it, never through an attribute
#: of a module from another (``query.store`` is ``connectors.store`` reached through ``indicators``).
OWN_PACKAGES = ("connectors", "indicators", "dashboard", "bench")


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


def _attribute_reaches(path: Path) -> list[tuple[int, str, str]]:
    """``(line, "alias.attr", module)`` for each attribute of an imported project module that is itself a
    module of another of :data:`OWN_PACKAGES` (``query.store`` -> ``connectors.store``)."""
    tree = _tree(path)
    aliases = _module_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        dotted = aliases.get(node.value.id)
        if dotted is None or dotted.split(".")[0] not in OWN_PACKAGES:
            continue
        module = _as_module(dotted)
        target = getattr(module, node.attr, None) if module is not None else None
        if not isinstance(target, types.ModuleType):
            continue
        package = target.__name__.split(".")[0]
        if package in OWN_PACKAGES and package != dotted.split(".")[0]:
            found.append((node.lineno, f"{node.value.id}.{node.attr}", target.__name__))
    return found


@pytest.mark.parametrize("place", NO_IMPORT_BY_NAME)
def test_no_layer_is_reached_through_another_modules_attribute(place):
    """``from indicators import query`` then ``query.store.X`` is an import of connectors that the import
    rules cannot see: whatever the layer, another package is reached only by importing it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name} is {target}"
        for path in _files(place)
        for line, name, target in _attribute_reaches(path)
    ]
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
    assert _module_aliases(_tree(reach))["query"] == "indicators.query"
    assert _attribute_reaches(reach) == [(2, "query.store", "connectors.store")]
    inside = tmp_path / "inside.py"
    inside.write_text("from indicators import query\nquery.derived.index\n")  # indicators.methods.derived
    assert _attribute_reaches(inside) == []
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


def test_plain_import_lists_hold_every_command_and_benchmark():
    """With no discovery by name, a new ``bench/bench_*.py`` or command module must be listed by hand:
    this fails until it is (``bench/__main__.py`` BENCHMARKS, ``connectors/__main__.py`` COMMAND_MODULES)."""
    from bench.__main__ import BENCHMARKS
    from connectors.__main__ import COMMAND_MODULES

    assert sorted(BENCHMARKS) == sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    with_register = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in _files("connectors")
        if any(isinstance(n, ast.FunctionDef) and n.name == "register" for n in _tree(path).body)
    }
    assert {m.__name__ for m in COMMAND_MODULES} == with_register
