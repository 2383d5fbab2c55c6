"""Snapshot step ``gdl_regions``: Global Data Lab subnational series (DDF keyed by ``subnat``) -> one dataset,
plus GDL area rows.

Reads one datapoints file per series under ``path``, the folder's national and subnational entity
files, and the GDL boundary file ``shapes`` (object ``shapes_object``) to say which regions have a shape.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors import areas as area_codes
from connectors.files import ddf, regions
from connectors.snapshot_steps.common import add_region, relative
from connectors.store import sha256_file

READER = "gdl_regions"
NEEDS = ("series", "shapes_object")
SHARED = ("path", "shapes")


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Global Data Lab subnational series keyed by ``gdlcode``, plus GDL area rows."""
    folder = shared / entry["path"]
    found = regions.read_gdl_regions(folder)
    codes = {key: row["gdlcode"] for key, row in found.items()}
    concepts = ddf.read_concepts(folder)
    parts, reports, inputs, series_meta = [], [], {}, {}
    for item in entry["series"]:
        concept = item.get("concept", item["id"])
        path = folder / "datapoints" / f"ddf--datapoints--{concept}--by--subnat--year.csv"
        table, report = ddf.read_datapoints(
            path,
            geo_key="subnat",
            time_key="year",
            area_codes=codes,
            series=item["id"],
            source=entry["source"],
            dataset=entry["dataset"],
            unit=item["unit"],
            observed_until=observed_until,
        )
        if item.get("scale"):
            table = table.set_column(
                table.schema.get_field_index("value"), "value", pc.multiply(table["value"], item["scale"])
            )
        parts.append(table)
        reports.append(report)
        inputs[relative(path, shared)] = sha256_file(path)
        meta = concepts.get(concept, {})
        series_meta[item["id"]] = {
            "title": meta.get("longdescr") or meta.get("shortdescr") or concept,
            "unit": item["unit"],
            "concept": concept,
            "scale": item.get("scale", 1),
        }
    table = pa.concat_tables(parts)
    used = set(table["ref_area"].to_pylist())
    for row in found.values():
        if row["gdlcode"] in used:
            add_region(registry, row["gdlcode"], name=row["name"], level="gdl_region", country=row["iso3"])
    for name in ("ddf--entities--level--subnat.csv", "ddf--entities--level--national.csv"):
        inputs[relative(folder / name, shared)] = sha256_file(folder / name)
    shape_file = shared / entry["shapes"]
    with_shape = regions.topojson_keys(shape_file, entry["shapes_object"], "gdlcode")
    inputs[relative(shape_file, shared)] = sha256_file(shape_file)
    missing = sorted(used - with_shape)
    extra = {
        "series": series_meta,
        "reports": reports,
        "codes_without_shape": {code: "not in the GDL boundary file (shdi2022)" for code in missing},
    }
    return table, inputs, extra
