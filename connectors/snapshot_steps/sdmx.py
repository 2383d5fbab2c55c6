"""Snapshot step ``sdmx``: one SDMX message file (SDMX-ML, SDMX-JSON, SDMX-CSV, Eurostat TSV) -> one dataset.

Reads the file at ``path`` through :func:`connectors.sdmx.parse_message` (the code path a refresh
uses) and harmonises only its area codes to the area table's.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from connectors import areas as area_codes
from connectors.snapshot_steps.common import relative
from connectors.store import sha256_file

READER = "sdmx"
NEEDS: tuple[str, ...] = ()
SHARED = ("path",)


def run(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Any SDMX message file (SDMX-ML, SDMX-JSON, SDMX-CSV, Eurostat TSV) through our own parser.

    The table is stored as the parser returns it — the provider's series keys and dimension codes,
    exactly what ``python -m connectors refresh`` stores for the same dataset — with only the area
    codes harmonised; definitions pick observations with ``series: {match: {...}}``.
    """
    from connectors.sdmx import parse_message

    path = shared / entry["path"]
    parsed = parse_message(path, source=entry["source"], dataset=entry["dataset"], engine="fast")
    codes = area_codes.provider_country_codes(area_codes.registry_country_codes(registry))
    table, unknown = area_codes.harmonise(parsed.table, codes)
    table = table.filter(pc.less_equal(table["year"], observed_until))
    report = {
        "file": path.name,
        "format": parsed.format,
        "rows_read": parsed.observations,
        "rows_kept": table.num_rows,
        "unmapped_areas": unknown,
    }
    inputs = {relative(path, shared): sha256_file(path)}
    return table, inputs, {"dimensions": parsed.dimensions, "reports": [report], "labels": parsed.labels}
