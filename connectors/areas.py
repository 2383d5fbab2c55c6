"""Canonical area codes: one table of every country, region and aggregate the store knows.

Region codes are data (``connectors/areas/*.csv``), not code: each source's own keys
(Gapminder geo ids, UN M49 numbers, OWID entity names) are mapped here to ISO 3166 alpha-3
for countries and to short codes for aggregates (``WLD``, ``OECD``, ``EU27``, ...), which are
always flagged ``is_aggregate``. Anything a source uses that does not map is returned to the
caller, which records it in the dataset's provenance instead of dropping it silently.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

HERE = Path(__file__).resolve().parent / "areas"

AREA_SCHEMA = pa.schema(
    [
        pa.field("ref_area", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("level", pa.string(), nullable=False),  # country | aggregate | nuts0-2 | tl2 | gdl_region
        pa.field("is_aggregate", pa.bool_(), nullable=False),
        pa.field("iso2", pa.string()),
        pa.field("country", pa.string()),  # ISO3 of the country a region belongs to
        pa.field("income_group", pa.string()),
        pa.field("world_region", pa.string()),
        pa.field("un_sdg_region", pa.string()),
        pa.field("oecd", pa.bool_()),
        pa.field("eu27", pa.bool_()),
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
    ]
)

INCOME_GROUPS = {
    "high_income": "High income",
    "upper_middle_income": "Upper middle income",
    "lower_middle_income": "Lower middle income",
    "low_income": "Low income",
}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def group_members() -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for row in _read_csv(HERE / "groups.csv"):
        members.setdefault(row["group"], set()).add(row["member"])
    return members


def aggregates() -> list[dict[str, str]]:
    return _read_csv(HERE / "aggregates.csv")


@dataclass
class AreaRegistry:
    """Maps each source's area keys to canonical codes and remembers what did not map."""

    rows: dict[str, dict] = field(default_factory=dict)
    gapminder: dict[str, str] = field(default_factory=dict)  # gapminder geo id -> ISO3
    m49: dict[str, str] = field(default_factory=dict)  # M49 number (no leading zeros) -> code
    names: dict[str, str] = field(default_factory=dict)  # OWID/Gapminder entity name -> code
    extra_inputs: dict[str, str] = field(default_factory=dict)  # region name/boundary files -> sha256

    def add(self, ref_area: str, **values) -> None:
        row = {name: None for name in AREA_SCHEMA.names}
        row.update(self.rows.get(ref_area, {}))
        row.update({k: v for k, v in values.items() if v not in (None, "")})
        row["ref_area"] = ref_area
        self.rows[ref_area] = row

    def table(self) -> pa.Table:
        ordered = [self.rows[key] for key in sorted(self.rows)]
        return pa.Table.from_pylist(ordered, schema=AREA_SCHEMA)

    def codes(self) -> set[str]:
        return set(self.rows)


def load_registry(gapminder_country_csv: Path, un_geo_area_csv: Path | None = None) -> AreaRegistry:
    """Build the registry from Gapminder's country entity table plus our aggregate lists."""
    registry = AreaRegistry()
    members = group_members()
    for row in _read_csv(gapminder_country_csv):
        iso3 = row.get("iso3166_1_alpha3") or ("XKX" if row["country"] == "kos" else "")
        if not iso3:
            continue
        registry.gapminder[row["country"]] = iso3
        registry.names[row["name"]] = iso3
        if row.get("iso3166_1_numeric"):
            registry.m49[str(int(row["iso3166_1_numeric"]))] = iso3
        registry.add(
            iso3,
            name=row["name"],
            level="country",
            is_aggregate=False,
            iso2=row.get("iso3166_1_alpha2") or None,
            income_group=INCOME_GROUPS.get(row.get("income_groups", "")),
            world_region=row.get("world_6region") or None,
            un_sdg_region=row.get("un_sdg_region") or None,
            oecd=iso3 in members.get("OECD", set()),
            eu27=iso3 in members.get("EU27", set()),
            latitude=float(row["latitude"]) if row.get("latitude") else None,
            longitude=float(row["longitude"]) if row.get("longitude") else None,
        )
    for agg in aggregates():
        registry.add(agg["ref_area"], name=agg["name"], level="aggregate", is_aggregate=True)
        if agg["owid_name"]:
            registry.names[agg["owid_name"]] = agg["ref_area"]
        if agg["m49"]:
            registry.m49[agg["m49"]] = agg["ref_area"]
    for alias in _read_csv(HERE / "owid_names.csv"):
        registry.names.setdefault(alias["owid_name"], alias["ref_area"])
    if un_geo_area_csv is not None:
        for row in _read_csv(un_geo_area_csv):
            code = str(int(row["geo_area"]))
            if code not in registry.m49:
                # A UN regional grouping we have no short code for: keep it, flagged.
                registry.m49[code] = f"M49_{int(code):03d}"
                registry.add(registry.m49[code], name=row["name"], level="aggregate", is_aggregate=True)
    # An alias is only useful if it points at an area we describe; others stay unmapped (and reported).
    registry.names = {name: code for name, code in registry.names.items() if code in registry.rows}
    return registry


def provider_country_codes(iso2_to_code: dict[str, str]) -> dict[str, str]:
    """Country codes as SDMX providers write them (ISO 3166 alpha-2, with Eurostat's EL, UK,
    EU27_2020 ...) to our canonical codes."""
    codes = dict(iso2_to_code)
    codes.update({row["eurostat_geo"]: row["ref_area"] for row in _read_csv(HERE / "eurostat_geo.csv")})
    return codes


def harmonise(table: pa.Table, codes: dict[str, str]) -> tuple[pa.Table, list[str]]:
    """Replace provider area codes in ``ref_area`` by canonical ones where the mapping knows them.

    Codes it does not know (regions such as NUTS codes, aggregates such as EA20) are kept as
    published and returned, so the caller can report them; nothing is dropped.
    """
    published = table["ref_area"].to_pylist()
    mapped = [codes.get(code, code) for code in published]
    unknown = sorted({code for code in published if code not in codes})
    index = table.schema.get_field_index("ref_area")
    return table.set_column(index, "ref_area", pa.array(mapped, pa.string())), unknown


def registry_country_codes(registry: AreaRegistry) -> dict[str, str]:
    """ISO alpha-2 -> canonical code for every country the registry describes."""
    return {row["iso2"]: code for code, row in registry.rows.items() if row.get("iso2") and row["level"] == "country"}


#: Countries (ISO codes in the registry) that are not places people live in or compare with.
NOT_INHABITED = {"ATA", "BVT", "HMD", "SGS", "UMI", "ATF", "IOT"}
REGION_LEVELS = ("nuts0", "nuts1", "nuts2", "tl2", "tl3", "gdl_region")
KIND_ORDER = ("country", "region", "aggregate", "other")


def _kind_rules() -> list[tuple[re.Pattern, str, str]]:
    rows = [r for r in _read_csv(HERE / "area_kinds.csv") if not r["pattern"].startswith("#")]
    return [(re.compile(r["pattern"], re.IGNORECASE), r["kind"], r["group"]) for r in rows]


def classify(areas: pd.DataFrame) -> pd.DataFrame:
    """Every area as a picker sees it: ``kind`` (country | region | aggregate | other), ``group`` (for an
    aggregate: World, income group, OECD, EU, continent, world region …; for a region: its level), and
    ``parent`` (the country a region belongs to).

    ``areas`` is the areas table (``ref_area, name, level, is_aggregate, country``). Aggregates are sorted
    into kinds by the name rules of ``connectors/areas/area_kinds.csv`` (data, not code): groups of
    countries people compare with stay aggregates, while entities such as "World Marine Bunkers", "WTO
    Member States" or FAO fishing areas become ``other`` and stay out of country and aggregate lists.
    """
    rules = _kind_rules()
    kinds, groups, parents = [], [], []
    for code, name, level, is_aggregate, country in zip(
        areas["ref_area"], areas["name"], areas["level"], areas["is_aggregate"], areas["country"], strict=True
    ):
        if level in REGION_LEVELS:
            kinds.append("region")
            groups.append(level)
            parents.append(country if isinstance(country, str) else None)
        elif level == "country" and not is_aggregate:
            kinds.append("other" if code in NOT_INHABITED else "country")
            groups.append("uninhabited" if code in NOT_INHABITED else "country")
            parents.append(None)
        else:
            kind, group = next(((k, g) for pattern, k, g in rules if pattern.search(str(name))), ("other", "other"))
            kinds.append(kind)
            groups.append(group)
            parents.append(None)
    parent = pd.Series(parents, index=areas.index, dtype=object)
    return pd.DataFrame({"kind": kinds, "group": groups, "parent": parent}, index=areas.index)
