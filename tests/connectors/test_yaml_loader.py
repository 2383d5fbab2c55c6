"""The one YAML loader (libyaml's safe loader when available) reads every declarative file of the project
exactly as PyYAML's pure-Python safe loader does, and refuses what a safe loader must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from connectors import yaml_loader

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("connectors", "indicators", "dashboard")
    for p in (ROOT / folder).rglob("*.yaml")
    if "__pycache__" not in p.parts
)


def test_the_fast_loader_is_libyaml_on_this_install():
    assert yaml.__with_libyaml__, "PyPI's PyYAML wheels carry libyaml; without it the pages read YAML 10x slower"
    assert yaml_loader.SAFE_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_yaml_file_loads_as_the_pure_python_safe_loader_reads_it(path):
    text = path.read_text(encoding="utf-8")
    assert yaml_loader.load(text) == yaml.safe_load(text)


def test_the_loader_is_safe_and_reports_invalid_yaml():
    with pytest.raises(yaml.YAMLError):
        yaml_loader.load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        yaml_loader.load("key: [unclosed")
