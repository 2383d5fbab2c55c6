"""Our World in Data CSVs (``Entity,Year,<columns>`` or ``iso_code,country,year,...``) to tidy rows.

OWID names countries by English name; the area registry maps names (and OWID's own
``iso_code`` where the file has one) to canonical codes. Names that do not map are reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.periods import period_columns


class OWIDError(ValueError):
    """An OWID file without the column its spec names; the message lists the columns it has."""


def read_datapackage(folder: Path) -> dict:
    path = folder / "datapackage.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def read_columns(
    path: Path,
    *,
    columns: Mapping[str, str],
    units: Mapping[str, str],
    names_to_codes: Mapping[str, str],
    source: str,
    dataset: str,
    entity_column: str = "Entity",
    year_column: str = "Year",
    iso_column: str | None = None,
    valid_codes: set[str] | None = None,
    observed_until: int | None = None,
) -> tuple[pa.Table, dict]:
    """Read the named value columns (file column -> our series id) into one tidy table."""
    table = pacsv.read_csv(path)
    missing = [c for c in [entity_column, year_column, *columns] if c not in table.column_names]
    if missing:
        raise OWIDError(f"{path.name}: missing columns {missing}; the file has {table.column_names}")
    entities = table[entity_column].to_pylist()
    isos = table[iso_column].to_pylist() if iso_column else [None] * len(entities)
    codes = []
    for name, iso in zip(entities, isos, strict=True):
        code = names_to_codes.get(name)
        if code is None and iso and not str(iso).startswith("OWID_") and (valid_codes is None or iso in valid_codes):
            code = iso
        codes.append(code)
    report: dict = {
        "file": path.name,
        "rows_read": table.num_rows,
        "unmapped_areas": sorted({e for e, c in zip(entities, codes, strict=True) if c is None}),
    }
    keep = pa.array([c is not None for c in codes])
    ref_area = pa.array(codes, pa.string()).filter(keep)
    table = table.filter(keep)
    periods = table[year_column].cast(pa.string())
    typed = period_columns(periods)
    parts = []
    for column, series in columns.items():
        values = table[column].cast(pa.float64())
        n = table.num_rows
        part = pa.table(
            {
                "source": pa.array([source] * n, pa.string()),
                "dataset": pa.array([dataset] * n, pa.string()),
                "series": pa.array([series] * n, pa.string()),
                "ref_area": ref_area,
                "time_period": periods,
                **typed,
                "value": values,
                "unit": pa.array([units.get(series)] * n, pa.string()),
            }
        )
        part = part.filter(pc.is_valid(part["value"]))
        if observed_until is not None:
            part = part.filter(pc.less_equal(part["year"], observed_until))
        parts.append(part)
    out = pa.concat_tables(parts)
    report["rows_kept"] = out.num_rows
    return out, report
