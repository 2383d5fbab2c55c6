"""Maps page, view → data: geometry loaded once per process, and the data a map joins to it by code.

Geometry is big and never changes, so it is read once (``lru_cache``) and handed to Vega-Lite
as one pre-serialised JSON string (``values`` + ``format``): Altair then neither walks nor
validates a megabyte of coordinates on every rerun, and the spec carries the shapes exactly
once. The data (a few thousand rows at most) joins to the shapes inside Vega-Lite with a
``lookup`` on the area code, so a shape without data stays on the map, drawn light grey, with
its own legend entry. Areas with data but without a shape are returned to the page, which
lists them: nothing is dropped silently.

Colour: one sequential, colour-blind-safe scheme (viridis), oriented so that **darker is
always better** — reversed for indicators where higher is better.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.theme import THEME_ORDER
from indicators import query
from indicators.schema import Direction

PAGE = "maps"
MAP_LEVELS = ("country", "nuts2", "gdl_region", "tl2")
ASSETS = Path(__file__).resolve().parents[2] / "assets"
LEVEL_LABELS = {
    "country": "Countries",
    "nuts2": "NUTS 2 regions (Europe)",
    "gdl_region": "GDL regions (world)",
    "tl2": "OECD TL2 regions",
}
#: NUTS spells two countries differently from ISO 3166 alpha-2.
ISO2_TO_NUTS = {"GR": "EL", "GB": "UK"}
#: Which area-table levels count as "regions of this map level".
AREA_LEVELS = {
    "country": ("country",),
    "nuts2": ("nuts2",),
    "gdl_region": ("gdl_region",),
    "tl2": ("tl2", "tl3", "nuts1", "nuts2"),
}


class MapError(query.QueryError):
    """The map cannot be drawn (no geometry file, unknown level); the message says how to fix it."""


@dataclass(frozen=True)
class Geometry:
    """Shapes for one map, ready for Vega-Lite: serialised once, keyed by ``properties.id``."""

    text: str
    format: dict
    codes: frozenset[str]
    projection: dict
    outside_frame: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.text)


@lru_cache(maxsize=4)
def _asset(name: str) -> dict:
    path = ASSETS / name
    if not path.exists():
        raise MapError(
            f"no map geometry at {path}; build it with `python -m connectors build-geometry --from ../shared/data`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def manifest() -> dict:
    return _asset("manifest.json")


def _topology(name: str, keep: frozenset[str] | None, projection: dict) -> Geometry:
    topology = _asset(name)
    geometries = topology["objects"]["areas"]["geometries"]
    if keep is not None:
        geometries = [g for g in geometries if g["properties"]["id"] in keep]
    subset = {**topology, "objects": {"areas": {"type": "GeometryCollection", "geometries": geometries}}}
    text = json.dumps(subset, separators=(",", ":"))
    return Geometry(
        text=text,
        format={"type": "topojson", "feature": "areas"},
        codes=frozenset(g["properties"]["id"] for g in geometries),
        projection=projection,
    )


def _features(keep) -> Geometry:
    collection = _asset("nuts2021.geo.json")
    features = [f for f in collection["features"] if keep(f["properties"])]
    outside = manifest()["nuts2021"]["outside_frame"]
    return Geometry(
        text=json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        format={"type": "json", "property": "features"},
        codes=frozenset(f["properties"]["id"] for f in features),
        projection={"type": "azimuthalEqualArea", "rotate": [-10, -52, 0]},
        outside_frame=outside,
    )


def nuts_prefix(country: str) -> str:
    """The two-letter NUTS prefix of a country given by ISO3 (``GRC`` -> ``EL``)."""
    iso2 = query.areas().at[country, "iso2"] if country in query.areas().index else None
    iso2 = str(iso2) if iso2 else country[:2]
    return ISO2_TO_NUTS.get(iso2, iso2)


@lru_cache(maxsize=64)
def geometry(level: str, country: str | None = None, shape_ids: frozenset[str] | None = None) -> Geometry:
    """The shapes of a map level (optionally one country's, or only ``shape_ids``); cached per process."""
    if level == "country":
        return _topology("world.topo.json", None, {"type": "equalEarth"})
    if level == "gdl_region":
        keep = None
        if country:
            topology = _asset("gdl.topo.json")
            keep = frozenset(
                g["properties"]["id"]
                for g in topology["objects"]["areas"]["geometries"]
                if g["properties"]["country"] == country
            )
        return _topology("gdl.topo.json", keep, {"type": "equalEarth"})
    if level in ("nuts2", "tl2"):
        prefix = nuts_prefix(country) if country else None

        def keep(props: dict) -> bool:
            if shape_ids is not None and props["id"] not in shape_ids:
                return False
            if shape_ids is None and props["level"] != 2:
                return False
            return prefix is None or props["id"].startswith(prefix)

        return _features(keep)
    raise MapError(f"unknown map level {level!r}; use one of {', '.join(LEVEL_LABELS)}")


# --- data for one map -------------------------------------------------------------------------


@dataclass
class MapData:
    """Everything one map shows: rows with values, the shapes, and what could not be drawn."""

    shown: pd.DataFrame  # ref_area, name, year, value, estimated (exactly the rows drawn or listed)
    lookup: pd.DataFrame  # shape_id, name, value, year, estimated: one row per shape (value empty when missing)
    geometry: Geometry
    without_shape: dict[str, str]  # ref_area -> reason
    outside_frame: dict[str, str]  # ref_area -> name, drawn nowhere but in the table
    years: list[int]


def _provenance_extra(indicator_id: str) -> dict:
    """What the snapshot builder recorded beside an indicator's dataset (empty when it cannot be read:
    the map then lists such codes without a reason rather than failing)."""
    try:
        return dict(query.provenance_for(indicator_id).extra)
    except Exception as error:  # noqa: BLE001 — the store's StoreError is not importable from here
        if isinstance(error, query.QueryError | OSError | ValueError) or type(error).__name__ == "StoreError":
            return {}
        raise


@lru_cache(maxsize=64)
def _reasons(indicator_id: str) -> dict[str, str]:
    """Why codes have no shape, as recorded by the snapshot builder (empty when not recorded)."""
    codes: dict[str, str] = {}
    for ident in query.raw_inputs(indicator_id):
        codes.update(_provenance_extra(ident).get("codes_without_shape", {}))
    return codes


@lru_cache(maxsize=16)
def _tl2_shapes(indicator_id: str) -> dict[str, str]:
    """TL2 code -> NUTS 2021 code of its shape (same code unless the sidecar records a recoding)."""
    extra = _provenance_extra(indicator_id) if query.definition(indicator_id).series else {}
    return dict(extra.get("tl2_to_nuts_2021", {}))


@lru_cache(maxsize=64)
def level_panel(indicator_id: str, level: str) -> pd.DataFrame:
    """All observations of an indicator for the areas of one map level, with names and parent country."""
    frame = query.panel(indicator_id)
    areas = query.areas()
    area_level = frame["ref_area"].map(areas["level"])
    frame = frame[area_level.isin(AREA_LEVELS[level])]
    if level == "country":
        frame = frame[~frame["ref_area"].map(areas["is_aggregate"]).fillna(False).astype(bool)]
    frame = frame.assign(
        name=frame["ref_area"].map(areas["name"]).fillna(frame["ref_area"]),
        country=frame["ref_area"].map(areas["country"]) if level != "country" else frame["ref_area"],
    )
    return frame.reset_index(drop=True)


def countries_with_regions(indicator_id: str, level: str) -> list[str]:
    if level == "country":
        return []
    frame = level_panel(indicator_id, level)
    return sorted(c for c in frame["country"].dropna().unique())


def default_year(frame: pd.DataFrame) -> int | None:
    """The latest year with at least half the areas of the best-covered year (not a sparse last year)."""
    if frame.empty:
        return None
    counts = frame.groupby("year")["ref_area"].nunique()
    return int(counts[counts >= counts.max() / 2].index.max())


@lru_cache(maxsize=128)
def map_years(indicator_id: str, level: str, country: str | None = None) -> tuple[tuple[int, ...], int | None]:
    """The years with data for a map, and the year shown by default."""
    frame = level_panel(indicator_id, level)
    if country:
        frame = frame[frame["country"] == country]
    return tuple(sorted(int(y) for y in frame["year"].unique())), default_year(frame)


def ranking(shown: pd.DataFrame, higher_is_better: bool) -> pd.DataFrame:
    """The rows of a map ranked, 1 = best, ties sharing the better rank."""
    ranks = shown["value"].rank(ascending=not higher_is_better, method="min").astype("Int64")
    ranked = shown.assign(rank=ranks).sort_values(["rank", "ref_area"])
    columns = ["rank", "ref_area", "name", "year", "value", *(["estimated"] if "estimated" in ranked else [])]
    return ranked[columns].reset_index(drop=True)


def map_data(indicator_id: str, level: str, year: int | None = None, country: str | None = None) -> MapData:
    """The rows, shapes and join report for one map (``year`` None = latest year with data)."""
    frame = level_panel(indicator_id, level)
    if country:
        frame = frame[frame["country"] == country]
    years, default = map_years(indicator_id, level, country)
    if year is None or year not in years:
        year = default
    shown = frame[frame["year"] == year][["ref_area", "name", "year", "value"]]
    shown = shown.sort_values("ref_area").reset_index(drop=True)
    shown = shown.assign(estimated=query.estimated_at([indicator_id], shown["ref_area"], shown["year"]))
    if level == "tl2":
        recode = _tl2_shapes(indicator_id)
        shape_of = {code: recode.get(code, code) for code in shown["ref_area"]}
        shape_ids = frozenset(shape_of.values())
        geo = geometry(level, country, shape_ids)
    else:
        shape_of = {code: code for code in shown["ref_area"]}
        geo = geometry(level, country)
    shown = shown.assign(shape_id=shown["ref_area"].map(shape_of))
    outside = {c: n for c, n in zip(shown["ref_area"], shown["name"], strict=True) if shape_of[c] in geo.outside_frame}
    reasons = _reasons(indicator_id)
    without = {
        code: reasons.get(code, "no shape in the map's boundary file")
        for code in shown["ref_area"]
        if shape_of[code] not in geo.codes and code not in outside
    }
    drawn = shown[shown["shape_id"].isin(geo.codes)]
    empty = sorted(geo.codes - set(drawn["shape_id"]))
    names = query.areas()["name"]
    lookup = pd.concat(
        [
            drawn[["shape_id", "name", "value", "year", "estimated"]],
            pd.DataFrame(
                {
                    "shape_id": empty,
                    "name": [str(names.get(c, c)) for c in empty],
                    "value": [float("nan")] * len(empty),
                    "year": [year] * len(empty),
                    "estimated": [False] * len(empty),
                }
            ),
        ],
        ignore_index=True,
    )
    return MapData(
        shown=shown.drop(columns="shape_id"),
        lookup=lookup,
        geometry=geo,
        without_shape=without,
        outside_frame=outside,
        years=list(years),
    )


# --- chart builders ---------------------------------------------------------------------------


def higher_is_better(indicator_id: str) -> bool:
    return query.definition(indicator_id).direction == Direction.higher_is_better


def indicators_by_level() -> dict[str, list[str]]:
    """Indicator ids offered at each map level (not those waiting for a refresh), grouped by theme and sorted
    by label (the drop-down order)."""
    by_level: dict[str, list[str]] = {level: [] for level in MAP_LEVELS}
    for item in sorted(query.definitions().values(), key=lambda d: (THEME_ORDER.get(d.theme, 9), d.label)):
        if item.level in by_level:
            by_level[item.level].append(item.id)
    return by_level


def year_span(indicator: str) -> tuple[int, int]:
    try:
        return query.year_range(indicator)
    except (query.QueryError, ValueError):
        return (1800, 2100)


def all_countries(by_level: dict[str, list[str]]) -> dict[str, list[str]]:
    """Countries whose regions any indicator of a level covers (what a 'country' link may name)."""
    out: dict[str, list[str]] = {}
    codes = query.areas()
    for level in by_level:
        if level == "country":
            continue
        table = codes[codes["level"].isin(AREA_LEVELS[level])]
        out[level] = sorted(table["country"].dropna().unique())
    return out
