"""Snapshot step ``ddf``: a DDF folder (Gapminder, open-numbers) -> one dataset of the listed series.

Reads ``<path>/ddf--concepts*.csv`` for titles and units and one
``ddf--datapoints--<concept>--by--<geo_key>--<time_key>.csv`` per series; areas are mapped through the
Gapminder or UN M49 codes of the area registry (``geo_key`` says which).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from connectors import areas as area_codes
from connectors.files import ddf
from connectors.snapshot_steps.common import relative
from connectors.store import sha256_file

READER = "ddf"
NEEDS = ("geo_key", "time_key", "series")
SHARED = ("path",)


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    folder = shared / entry["path"]
    concepts = ddf.read_concepts(folder)
    geo_map = registry.m49 if entry["geo_key"] == "geo_area" else registry.gapminder
    parts, reports, inputs, series_meta = [], [], {}, {}
    for item in entry["series"]:
        concept = item.get("concept", item["id"])
        path = ddf.find_datapoints(folder, concept)
        table, report = ddf.read_datapoints(
            path,
            geo_key=entry["geo_key"],
            time_key=entry["time_key"],
            area_codes=geo_map,
            series=item["id"],
            source=entry["source"],
            dataset=entry["dataset"],
            unit=item.get("unit"),
            filters=item.get("filter"),
            missing_values=tuple(item.get("missing_values", ())),
            observed_until=observed_until,
        )
        parts.append(table)
        reports.append(report)
        inputs[relative(path, shared)] = sha256_file(path)
        meta = concepts.get(concept, {})
        series_meta[item["id"]] = {
            "title": meta.get("name") or meta.get("description") or concept,
            "description": meta.get("description", ""),
            "unit": item.get("unit") or meta.get("unit", ""),
            "source_url": meta.get("source_url", ""),
            "updated": meta.get("updated", ""),
            "version": meta.get("version", ""),
            "filter": item.get("filter", {}),
        }
    return pa.concat_tables(parts), inputs, {"series": series_meta, "reports": reports}
