"""Sub-national files to tidy rows: Eurostat NUTS tables, OECD regional well-being, Global Data Lab regions.

Region codes change between NUTS versions while the boundary file we draw is NUTS 2021, so
every reader here harmonises codes through one documented table
(``connectors/areas/nuts_history.csv``: old code -> NUTS 2021 successor where the boundary
did not change) and reports, never drops, the codes that still have no shape. OECD TL2 and
GDL codes are kept as published; only their join to a shape is checked and reported.

Eurostat TSV parsing is :func:`connectors.sdmx.parse_message`'s job (one TSV parser in the
project); this module only picks series and harmonises areas.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from connectors.periods import period_columns
from connectors.store import dumps_mapping

HISTORY_FILE = Path(__file__).resolve().parent.parent / "areas" / "nuts_history.csv"
#: Eurostat's EU/euro-area totals (``EU28``, ``EA19`` ...): compositions differ from our
#: aggregates of the same name, so they are left out and listed in the report.
EUROSTAT_AGGREGATE = re.compile(r"^(EU|EA)\d+$")
#: NUTS country codes that are not ISO 3166 alpha-2.
NUTS_COUNTRY_EXCEPTIONS = {"EL": "GR", "UK": "GB"}
#: OECD spells Greece's TL2 regions with ISO ``GR``; NUTS uses ``EL`` (same numbering, NUTS 2013).
TL2_PREFIX_TO_NUTS = {"GR": "EL"}
MISSING_MARKERS = ("", "..", ":", "NA")


class RegionFileError(ValueError):
    """A regional file does not have the shape its spec says; the message names the file and the fix."""


# --- NUTS codes -------------------------------------------------------------------------------


def read_nuts_history(path: Path = HISTORY_FILE) -> dict[str, dict[str, str]]:
    """Old NUTS code -> {name, version, nuts_2021 (may be empty), note}."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def read_nuts_shapes(paths: Iterable[Path]) -> dict[str, dict[str, str]]:
    """NUTS 2021 code -> {name, level, country code} from the GISCO GeoJSON files (any levels)."""
    shapes: dict[str, dict[str, str]] = {}
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for feature in data.get("features", []):
            props = feature.get("properties", {})
            code = props.get("NUTS_ID")
            if not code:
                raise RegionFileError(f"{path}: a feature has no NUTS_ID property")
            shapes[code] = {
                "name": props.get("NAME_LATN") or props.get("NUTS_NAME") or code,
                "level": f"nuts{props.get('LEVL_CODE', len(code) - 2)}",
                "country": props.get("CNTR_CODE", code[:2]),
            }
    return shapes


def nuts_level(code: str) -> str:
    """``nuts0`` for ``AT``, ``nuts1`` for ``AT1``, ``nuts2`` for ``AT11`` (and groupings like ``FI19_20``)."""
    return {2: "nuts0", 3: "nuts1"}.get(len(code), "nuts2")


def is_extra_regio(code: str) -> bool:
    """``ATZZ``/``ATZ``: Eurostat's 'extra-regio' territory (embassies, continental shelf) — no shape exists."""
    return len(code) in (3, 4) and code[2:].strip("Z") == ""


def nuts_iso2(code: str) -> str:
    return NUTS_COUNTRY_EXCEPTIONS.get(code[:2], code[:2])


def to_nuts_2021(code: str, history: Mapping[str, Mapping[str, str]]) -> str:
    """The NUTS 2021 code of a region whose boundary did not change, else the code itself."""
    successor = history.get(code, {}).get("nuts_2021", "")
    return successor or code


# --- Eurostat TSV -----------------------------------------------------------------------------


def read_eurostat_tsv(
    path: Path,
    *,
    series: list[Mapping],
    history: Mapping[str, Mapping[str, str]],
    shapes: Mapping[str, Mapping[str, str]],
    source: str,
    dataset: str,
    observed_until: int | None = None,
) -> tuple[pa.Table, dict]:
    """Pick the series named in ``series`` (``{id, unit, filter: {dimension: code}}``) from one TSV.

    Codes are moved to their NUTS 2021 successor when the history table has one. If the old
    and the new code both carry a value for the same year, the value published under the
    newer code is kept and the collision is counted in the report.
    """
    from connectors.sdmx import parse_message

    parsed = parse_message(Path(path), source=source, dataset=dataset, engine="fast")
    dims = parsed.dimensions
    if "geo" not in dims:
        raise RegionFileError(f"{Path(path).name}: no 'geo' dimension (dimensions are {dims})")
    raw = parsed.table.select(["series", "ref_area", "time_period", "value", "obs_status"]).to_pandas()
    keys = raw["series"].str.split(".", expand=True)
    keys.columns = dims
    report: dict = {"file": Path(path).name, "rows_read": len(raw)}
    frames = []
    for spec in series:
        wanted = dict(spec.get("filter", {}))
        unknown = sorted(set(wanted) - set(dims) - {"geo"})
        if unknown:
            raise RegionFileError(f"{Path(path).name}: filter on unknown dimension(s) {unknown}; dimensions are {dims}")
        mask = pd.Series(True, index=raw.index)
        for dim, code in wanted.items():
            mask &= keys[dim] == code
        rows = raw.loc[mask, ["ref_area", "time_period", "value", "obs_status"]].copy()
        if rows.empty:
            raise RegionFileError(f"{Path(path).name}: no rows for series {spec['id']!r} with filter {wanted}")
        rows["series"] = spec["id"]
        rows["unit"] = spec["unit"]
        rows["dimensions"] = dumps_mapping(wanted)
        frames.append(rows)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[frame["value"].notna()]
    if observed_until is not None:
        frame = frame[frame["time_period"].str[:4].astype(int) <= observed_until]

    aggregates = sorted({c for c in frame["ref_area"] if EUROSTAT_AGGREGATE.match(c)})
    frame = frame[~frame["ref_area"].isin(aggregates)]
    report["aggregates_left_out"] = aggregates

    frame = frame.rename(columns={"ref_area": "source_code"})
    frame["ref_area"] = frame["source_code"].map(lambda c: to_nuts_2021(c, history))
    recoded = frame.loc[frame["ref_area"] != frame["source_code"], ["source_code", "ref_area"]].drop_duplicates()
    report["recoded"] = dict(sorted(zip(recoded["source_code"], recoded["ref_area"], strict=True)))
    # Prefer the row published under the newest code: unchanged codes first, then NUTS 2013, then 2010.
    version_rank = {"NUTS 2013": 1, "NUTS 2010": 2}
    frame["_rank"] = [
        0 if s == r else version_rank.get(history.get(s, {}).get("version", ""), 3)
        for s, r in zip(frame["source_code"], frame["ref_area"], strict=True)
    ]
    frame = frame.sort_values(["series", "ref_area", "time_period", "_rank"])
    duplicate = frame.duplicated(["series", "ref_area", "time_period"], keep="first")
    report["duplicates_dropped"] = {
        "count": int(duplicate.sum()),
        "codes": sorted(set(frame.loc[duplicate, "source_code"])),
        "rule": "same region and year published under an older and a newer code: the newer code's value is kept",
    }
    frame = frame[~duplicate].drop(columns=["_rank", "source_code"])

    codes = sorted(set(frame["ref_area"]))
    report["codes_without_shape"] = no_shape_report(codes, shapes, history)
    report["rows_kept"] = len(frame)
    return _tidy(frame, source, dataset), report


def no_shape_report(
    codes: Iterable[str], shapes: Mapping[str, object], history: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """Every code with no NUTS 2021 shape, with the reason (history note, extra-regio, or unknown)."""
    missing = {}
    for code in codes:
        if code in shapes:
            continue
        if is_extra_regio(code):
            missing[code] = "extra-regio territory: has no boundary"
        elif code in history:
            missing[code] = history[code]["note"]
        else:
            missing[code] = "not in NUTS 2021 and no known successor"
    return missing


def _tidy(frame: pd.DataFrame, source: str, dataset: str) -> pa.Table:
    periods = pa.array(frame["time_period"].astype(str).tolist(), pa.string())
    n = len(frame)
    return pa.table(
        {
            "source": pa.array([source] * n, pa.string()),
            "dataset": pa.array([dataset] * n, pa.string()),
            "series": pa.array(frame["series"].tolist(), pa.string()),
            "ref_area": pa.array(frame["ref_area"].tolist(), pa.string()),
            "time_period": periods,
            **period_columns(periods),
            "value": pa.array(frame["value"].astype(float).tolist(), pa.float64()),
            "unit": pa.array(frame["unit"].tolist(), pa.string()),
            "obs_status": pa.array(
                [None if pd.isna(s) or s == "" else str(s) for s in frame["obs_status"]], pa.string()
            ),
            "dimensions": pa.array([None if d is None or pd.isna(d) else d for d in frame["dimensions"]], pa.string()),
            "attributes": pa.array(
                [None if a is None or pd.isna(a) else a for a in frame.get("attributes", [None] * n)], pa.string()
            ),
        }
    )


# --- OECD regional well-being -----------------------------------------------------------------


def read_oecd_wellbeing(
    path: Path,
    *,
    columns: Mapping[str, Mapping],
    year: int,
    source: str,
    dataset: str,
    note: str,
) -> tuple[pa.Table, dict, list[dict[str, str]]]:
    """One row per region and column; ``..`` means not available. Returns table, report and region rows.

    The file has no year column (one edition, each indicator at its latest available year), so
    every value is stored under the edition ``year`` with ``note`` in its attributes.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise RegionFileError(f"{path}: empty file")
    absent = sorted(set(columns) - set(rows[0]))
    if absent:
        raise RegionFileError(f"{Path(path).name}: no column(s) {absent}; columns are {list(rows[0])}")
    records, regions, not_numeric = [], [], []
    for row in rows:
        code = row["Code"].strip()
        kind = row["region_type"]
        if kind == "country_part":
            regions.append(
                {
                    "code": code,
                    "name": row["Region"].strip(),
                    "country_name": row["Country"].replace(" TL3", "").strip(),
                    "level": "tl3" if row["Country"].endswith("TL3") else "tl2",
                }
            )
        for column, spec in columns.items():
            text = (row[column] or "").strip()
            if text in MISSING_MARKERS:
                continue
            try:
                value = float(text)
            except ValueError:
                not_numeric.append(f"{code}/{column}={text!r}")
                continue
            records.append(
                {
                    "series": spec["id"],
                    "ref_area": code,
                    "time_period": str(year),
                    "value": value,
                    "unit": spec["unit"],
                    "obs_status": None,
                    "dimensions": None,
                    "attributes": dumps_mapping({"reference_period": note}),
                }
            )
    country_codes = {r["Country"].strip(): r["Code"].strip() for r in rows if r["region_type"] == "country_whole"}
    for region in regions:
        region["country"] = country_codes.get(region["country_name"], "")
    if not_numeric:
        raise RegionFileError(f"{Path(path).name}: values that are not numbers: {not_numeric[:5]}")
    frame = pd.DataFrame.from_records(records)
    report = {
        "file": Path(path).name,
        "rows_read": len(rows),
        "regions": len(regions),
        "country_rows": sum(1 for r in rows if r["region_type"] == "country_whole"),
        "rows_kept": len(frame),
        "unmapped_areas": [],
    }
    return _tidy(frame, source, dataset), report, regions


def tl2_to_nuts_2021(code: str, history: Mapping[str, Mapping[str, str]]) -> str:
    """The NUTS 2021 code whose shape draws a European TL2 region (``GR11`` -> ``EL51``, ``FR21`` -> ``FRF2``)."""
    prefix = TL2_PREFIX_TO_NUTS.get(code[:2])
    nuts = prefix + code[2:] if prefix else code
    return to_nuts_2021(nuts, history)


# --- Global Data Lab --------------------------------------------------------------------------


def read_gdl_regions(folder: Path) -> dict[str, dict[str, str]]:
    """GDL ``subnat`` key -> {gdlcode, name, iso3} from the entity files."""
    folder = Path(folder)
    with open(folder / "ddf--entities--level--national.csv", newline="", encoding="utf-8") as handle:
        national = {row["national"]: row for row in csv.DictReader(handle)}
    regions = {}
    with open(folder / "ddf--entities--level--subnat.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            parent = national.get(row["national"])
            if parent is None:
                raise RegionFileError(f"{folder}: region {row['subnat']} names unknown country {row['national']!r}")
            regions[row["subnat"]] = {"gdlcode": row["gdlcode"], "name": row["name"], "iso3": parent["iso_code"]}
    return regions


def topojson_keys(path: Path, object_name: str, key: str) -> set[str]:
    """The values of one property over all geometries of a TopoJSON object (which codes have a shape)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        geometries = data["objects"][object_name]["geometries"]
    except KeyError:
        raise RegionFileError(
            f"{path}: no TopoJSON object {object_name!r} (have {list(data.get('objects', {}))})"
        ) from None
    return {str(g.get("properties", {}).get(key)) for g in geometries if g.get("properties", {}).get(key)}
