"""Snapshot step ``owid``: one Our World in Data grapher CSV (+ its ``datapackage.json``) -> one dataset.

Reads the columns listed in ``columns`` from ``<path>/<file>`` (default ``<folder name>.csv``) and
names areas by their ISO column or, failing that, by the area registry's names.
"""

from __future__ import annotations

from pathlib import Path

from connectors import areas as area_codes
from connectors.files import owid
from connectors.snapshot_steps.common import relative
from connectors.store import sha256_file

READER = "owid"
NEEDS = ("columns",)
SHARED = ("path",)


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    folder = shared / entry["path"]
    path = folder / entry.get("file", f"{folder.name}.csv")
    columns = {column: spec["id"] for column, spec in entry["columns"].items()}
    units = {spec["id"]: spec.get("unit") for spec in entry["columns"].values()}
    table, report = owid.read_columns(
        path,
        columns=columns,
        units=units,
        names_to_codes=registry.names,
        source=entry["source"],
        dataset=entry["dataset"],
        entity_column=entry.get("entity_column", "Entity"),
        year_column=entry.get("year_column", "Year"),
        iso_column=entry.get("iso_column"),
        valid_codes=registry.codes(),
        observed_until=observed_until,
    )
    package = owid.read_datapackage(folder)
    described = {
        f.get("name"): f.get("description", "")
        for r in package.get("resources", [])
        for f in r.get("schema", {}).get("fields", [])
    }
    series_meta = {
        spec["id"]: {"title": column, "description": described.get(column, ""), "unit": spec.get("unit", "")}
        for column, spec in entry["columns"].items()
    }
    inputs = {relative(path, shared): sha256_file(path)}
    if (folder / "datapackage.json").exists():
        inputs[relative(folder / "datapackage.json", shared)] = sha256_file(folder / "datapackage.json")
    return table, inputs, {"series": series_meta, "reports": [report]}
