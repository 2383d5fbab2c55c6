"""Gapminder DDF-CSV datapoints (``ddf--datapoints--<concept>--by--<keys>.csv``) to tidy rows.

DDF is the format of the Gapminder and UN SDG panels we ship. A datapoint file's key columns
are every column but the last; the geo key and the time key are named by the caller, the
rest become SDMX-like dimensions. UN SDG's ``nature`` key (c, e, m ...) is an observation
status and ``units`` is the unit, so they are mapped to those columns rather than dimensions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.periods import period_columns

STATUS_KEYS = ("nature",)
UNIT_KEYS = ("units",)


class DDFError(ValueError):
    """A DDF file that does not have the shape its spec says; the message names the file."""


def find_datapoints(folder: Path, concept: str) -> Path:
    matches = sorted(folder.rglob(f"ddf--datapoints--{concept}--by--*.csv"))
    if len(matches) != 1:
        raise DDFError(f"expected one datapoints file for concept {concept!r} under {folder}, found {len(matches)}")
    return matches[0]


def read_concepts(folder: Path) -> dict[str, dict[str, str]]:
    """Concept id -> its catalogue row (name, unit, description ...), from every concepts file."""
    concepts: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("ddf--concepts*.csv")):
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False, column_types={}))
        for row in table.to_pylist():
            concepts[str(row["concept"])] = {k: ("" if v is None else str(v)) for k, v in row.items()}
    return concepts


def read_datapoints(
    path: Path,
    *,
    geo_key: str,
    time_key: str,
    area_codes: Mapping[str, str],
    series: str,
    source: str,
    dataset: str,
    unit: str | None = None,
    filters: Mapping[str, str] | None = None,
    observed_until: int | None = None,
    missing_values: tuple[float, ...] = (),
) -> tuple[pa.Table, dict]:
    """Read one datapoints file; return the tidy table and a report of what was left out and why."""
    text_types = {}
    header = path.open(encoding="utf-8").readline().strip().split(",")
    value_column = header[-1]
    keys = header[:-1]
    if geo_key not in keys or time_key not in keys:
        raise DDFError(f"{path.name}: expected key columns {geo_key!r} and {time_key!r}, found {keys}")
    for key in keys:
        text_types[key] = pa.string()
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={**text_types, value_column: pa.float64()})
    )
    report: dict = {"file": path.name, "rows_read": table.num_rows}
    for key, wanted in (filters or {}).items():
        if key not in keys:
            raise DDFError(f"{path.name}: filter on unknown key {key!r} (keys are {keys})")
        table = table.filter(pc.equal(table[key], wanted))
    if table.num_rows == 0:
        raise DDFError(f"{path.name}: no rows left after filter {dict(filters or {})}")

    geo = table[geo_key].to_pylist()
    mapped = [area_codes.get(str(g).lstrip("0") if g.isdigit() else g) for g in geo]
    unmapped = sorted({g for g, m in zip(geo, mapped, strict=True) if m is None})
    keep = pa.array([m is not None for m in mapped])
    ref_area = pa.array(mapped, pa.string()).filter(keep)
    table = table.filter(keep)
    report["unmapped_areas"] = unmapped

    periods = table[time_key].cast(pa.string())
    typed = period_columns(periods)
    if observed_until is not None:
        observed = pc.less_equal(typed["year"], observed_until)
        report["rows_after_cutoff_dropped"] = int(table.num_rows - pc.sum(observed.cast(pa.int64())).as_py() or 0)
        table, ref_area, periods = table.filter(observed), ref_area.filter(observed), periods.filter(observed)
        typed = {k: v.filter(observed) for k, v in typed.items()}

    dims = [k for k in keys if k not in (geo_key, time_key, *STATUS_KEYS, *UNIT_KEYS)]
    dim_json = None
    if dims:
        columns = {k: table[k].to_pylist() for k in dims}
        dim_json = pa.array(
            [
                json.dumps({k: columns[k][i] for k in sorted(dims)}, separators=(",", ":"))
                for i in range(table.num_rows)
            ],
            pa.string(),
        )
    unit_column = next((table[k] for k in UNIT_KEYS if k in keys), None)
    status_column = next((table[k] for k in STATUS_KEYS if k in keys), None)
    n = table.num_rows
    out = pa.table(
        {
            "source": pa.array([source] * n, pa.string()),
            "dataset": pa.array([dataset] * n, pa.string()),
            "series": pa.array([series] * n, pa.string()),
            "ref_area": ref_area,
            "time_period": periods,
            **typed,
            "value": table[value_column],
            "unit": unit_column if unit is None and unit_column is not None else pa.array([unit] * n, pa.string()),
            "obs_status": status_column if status_column is not None else pa.nulls(n, pa.string()),
            "dimensions": dim_json if dim_json is not None else pa.nulls(n, pa.string()),
        }
    )
    out = out.filter(pc.is_valid(out["value"]))
    if missing_values:
        placeholder = pc.is_in(out["value"], value_set=pa.array(missing_values, pa.float64()))
        report["placeholder_values_dropped"] = int(pc.sum(placeholder.cast(pa.int64())).as_py() or 0)
        out = out.filter(pc.invert(placeholder))
    report["rows_kept"] = out.num_rows
    return out, report
