"""Snapshot step ``oecd_regions``: OECD Regional Well-Being (TL2, one edition) -> one dataset, plus TL2 area rows.

Reads the ``columns`` of the CSV at ``path`` for ``year``, and the NUTS boundary files in
``nuts_shapes`` to say which TL2 regions have a shape on the map.
"""

from __future__ import annotations

from pathlib import Path

from connectors import areas as area_codes
from connectors.files import regions
from connectors.snapshot_steps.common import add_region, nuts_shapes, relative
from connectors.store import sha256_file

READER = "oecd_regions"
NEEDS = ("columns", "year", "reference_period")
SHARED = ("path", "nuts_shapes")


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """OECD Regional Well-Being (TL2, one edition): scores and raw indicators, plus TL2 area rows."""
    path = shared / entry["path"]
    table, report, found = regions.read_oecd_wellbeing(
        path,
        columns=entry["columns"],
        year=int(entry["year"]),
        source=entry["source"],
        dataset=entry["dataset"],
        note=entry["reference_period"],
    )
    history = regions.read_nuts_history()
    shapes, inputs = nuts_shapes(entry, shared)
    inputs[relative(path, shared)] = sha256_file(path)
    unknown = sorted(c for c in set(table["ref_area"].to_pylist()) if c not in registry.rows and len(c) == 3)
    without_shape = {}
    for region in found:
        code = region["code"]
        country = region["country"] or registry.names.get(region["country_name"])
        if code not in registry.rows or registry.rows[code]["level"] in ("tl2", "tl3"):
            add_region(registry, code, name=region["name"], level=region["level"], country=country)
        nuts = regions.tl2_to_nuts_2021(code, history)
        if nuts not in shapes:
            without_shape[code] = (
                history[nuts]["note"] if nuts in history else "no boundary file for this country's TL2 regions"
            )
    report["codes_without_shape"] = without_shape
    extra = {
        "series": {
            spec["id"]: {"title": spec.get("title", column), "unit": spec["unit"], "column": column}
            for column, spec in entry["columns"].items()
        },
        "reports": [report],
        "reference_period": entry["reference_period"],
        "country_rows_not_in_area_table": unknown,
        "codes_without_shape": dict(sorted(without_shape.items())),
        "tl2_to_nuts_2021": {
            r["code"]: regions.tl2_to_nuts_2021(r["code"], history)
            for r in found
            if regions.tl2_to_nuts_2021(r["code"], history) != r["code"]
        },
    }
    return table, inputs, extra
