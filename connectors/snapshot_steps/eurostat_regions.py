"""Snapshot step ``eurostat_regions``: Eurostat NUTS tables (TSV) -> one dataset, plus NUTS area rows.

Reads the ``files`` under ``path`` and the NUTS boundary files in ``nuts_shapes`` (names, levels and
which codes have a shape); codes are harmonised to NUTS 2021 with ``connectors/areas/nuts_history.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from connectors import areas as area_codes
from connectors.files import regions
from connectors.snapshot_steps.common import add_region, nuts_shapes, relative
from connectors.store import sha256_file

READER = "eurostat_regions"
NEEDS = ("files",)
SHARED = ("path", "nuts_shapes")


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Eurostat NUTS tables (TSV) harmonised to NUTS 2021 codes, plus their area rows."""
    folder = shared / entry["path"]
    history = regions.read_nuts_history()
    shapes, inputs = nuts_shapes(entry, shared)
    iso2_to_iso3 = {row["iso2"]: code for code, row in registry.rows.items() if row.get("iso2")}
    parts, reports, series_meta = [], [], {}
    for item in entry["files"]:
        path = folder / item["file"]
        table, report = regions.read_eurostat_tsv(
            path,
            series=item["series"],
            history=history,
            shapes=shapes,
            source=entry["source"],
            dataset=entry["dataset"],
            observed_until=observed_until,
        )
        parts.append(table)
        reports.append(report)
        inputs[relative(path, shared)] = sha256_file(path)
        for spec in item["series"]:
            series_meta[spec["id"]] = {
                "title": spec.get("title", spec["id"]),
                "unit": spec["unit"],
                "table": item["file"].removesuffix(".tsv"),
                "filter": spec.get("filter", {}),
            }
    table = pa.concat_tables(parts)
    for code in sorted(set(table["ref_area"].to_pylist())):
        known = shapes.get(code) or {}
        name = known.get("name") or history.get(code, {}).get("name")
        if not name:
            name = f"Extra-regio ({code[:2]})" if regions.is_extra_regio(code) else code
        add_region(
            registry,
            code,
            name=name,
            level=regions.nuts_level(code),
            iso2=code if len(code) == 2 else None,
            country=iso2_to_iso3.get(regions.nuts_iso2(code)),
        )
    registry.extra_inputs.update({k: v for k, v in inputs.items() if "boundaries" in k})
    without_shape = {code: why for r in reports for code, why in r["codes_without_shape"].items()}
    extra = {
        "series": series_meta,
        "reports": reports,
        "nuts_version": "data published under NUTS 2010/2013 codes, harmonised to NUTS 2021 where the boundary "
        "did not change (connectors/areas/nuts_history.csv)",
        "codes_without_shape": dict(sorted(without_shape.items())),
    }
    return table, inputs, extra
