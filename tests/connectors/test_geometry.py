"""The map geometry build (connectors.geometry, ``python -m connectors build-geometry``): rebuilt from the real
shared boundary files it equals what the Maps page reads, byte for byte, and the world map is keyed by the
area table's own Gapminder -> ISO3 rule."""

from __future__ import annotations

import json

from connectors import areas as area_codes
from connectors import geometry
from connectors.__main__ import main

OUTPUTS = ("world.topo.json", "nuts2021.geo.json", "gdl.topo.json", "manifest.json")


def test_build_geometry_command_gives_the_committed_files_byte_for_byte(shared_data, tmp_path, capsys):
    assert main(["build-geometry", "--from", str(shared_data), "--out", str(tmp_path / "assets")]) == 0
    for name in OUTPUTS:
        fresh, committed = (tmp_path / "assets" / name).read_bytes(), (geometry.ASSETS / name).read_bytes()
        assert fresh == committed, f"{name} differs from a fresh build: run `python -m connectors build-geometry`"
    assert "world.topo.json:" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "assets" / "manifest.json").read_text())
    assert sum(manifest["bytes"].values()) < 6_000_000


def test_world_shapes_carry_the_area_tables_codes(shared_data):
    registry = area_codes.load_registry(shared_data / geometry.GAPMINDER_COUNTRIES)
    source = json.loads((shared_data / geometry.WORLD).read_text(encoding="utf-8"))
    gapminder_ids = [g["properties"]["id"] for g in source["objects"]["countries"]["geometries"]]
    world = json.loads((geometry.ASSETS / "world.topo.json").read_text(encoding="utf-8"))
    ids = [g["properties"]["id"] for g in world["objects"]["areas"]["geometries"]]
    assert ids == [registry.gapminder.get(g, g.upper()) for g in gapminder_ids]
    assert {"SWE", "USA", "XKX"} <= set(ids)  # XKX: the registry's Kosovo rule (Gapminder "kos" has no ISO code)


def test_without_a_shared_folder_the_command_says_what_to_pass(tmp_path, capsys):
    assert main(["build-geometry", "--from", str(tmp_path), "--out", str(tmp_path / "assets")]) == 2
    err = capsys.readouterr().err
    assert "has no regions/ folder" in err and "--from ../shared/data" in err and err.count("\n") == 1
    assert not (tmp_path / "assets").exists()
