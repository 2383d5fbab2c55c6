"""Areas as the pages see them: countries, regions, aggregates and the rest; finding one by name; which
areas a level holds (with data) and the GDP-like series that heads a place of each level.

The areas table itself (names, levels, aggregate flags, groups, parent country) is built on the data
side (:mod:`connectors.areas`, which also classifies every area) and read through
:func:`indicators.query.areas`; this module only answers questions about it, so pickers, peer groups and
headlines agree on what a "country" is.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pandas as pd

from connectors.areas import KIND_ORDER, classify
from indicators import query
from indicators.constants import GDP_PER_CAPITA, LEVEL_ORDER

#: The series that stands where GDP per capita stands for a country, per level: Eurostat's regional GDP per
#: inhabitant for NUTS2, the OECD's household disposable income for TL2 (its regional tables have no GDP in
#: the snapshot), Global Data Lab's GNI per capita for GDL regions.
HEADLINE_GDP = {
    "country": GDP_PER_CAPITA,
    "nuts2": "nuts2_gdp_per_inhabitant_pps",
    "tl2": "tl2_household_disposable_income",
    "gdl_region": "gdl_gni_per_capita",
}
#: Search results come in this order of match quality (lower is better).
MATCH_EXACT_CODE, MATCH_EXACT_NAME, MATCH_PREFIX, MATCH_WORD, MATCH_INSIDE = range(5)


def area_name(ref_area: str) -> str:
    """The area's name, or its code when unknown (see :func:`indicators.query.area_name`)."""
    return query.area_name(ref_area)


@lru_cache(maxsize=1)
def classified() -> pd.DataFrame:
    """The areas table with ``kind`` (country | region | aggregate | other), ``group`` and ``parent``
    (see :func:`connectors.areas.classify`), indexed by ref_area."""
    table = query.areas()
    return table.join(classify(table))


def picker_areas(kinds: tuple[str, ...] = ("country", "aggregate")) -> pd.DataFrame:
    """Areas for a picker, countries first (by name), then aggregates grouped by ``group``; never ``other``.
    Columns ``ref_area, name, kind, group, parent``."""
    table = classified()
    chosen = table[table["kind"].isin(kinds)]
    order = chosen["kind"].map({k: i for i, k in enumerate(KIND_ORDER)})
    chosen = chosen.assign(_order=order).sort_values(["_order", "group", "name"]).drop(columns="_order")
    return chosen[["ref_area", "name", "kind", "group", "parent"]]


def _folded(text: str) -> str:
    """Lower case without accents, so 'Reunion' finds 'Réunion' and 'zurich' finds 'Zürich'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def search(text: str, kinds: tuple[str, ...] = ("country", "region", "aggregate"), limit: int = 20) -> pd.DataFrame:
    """Areas whose code or name matches ``text``, best first: an exact code, then an exact name, then a
    name that starts with the text, then one with a word that does, then any other containment; within one
    quality countries come before regions, regions before aggregates, and shorter names first.

    So "Fra" finds France before French Guiana, and "Stockholm" finds the NUTS2 region SE11 first.
    Columns ``ref_area, name, kind, group, parent, match``.
    """
    wanted = _folded(text)
    if not wanted:
        return picker_areas(kinds).assign(match=MATCH_INSIDE).head(limit)
    table = classified()
    table = table[table["kind"].isin(kinds)]
    names = table["name"].map(_folded)
    codes = table["ref_area"].str.casefold()
    words = names.str.split(r"[\s\-/,()]+", regex=True)
    match = pd.Series(pd.NA, index=table.index, dtype="Int64")
    inside = names.str.contains(wanted, regex=False)
    match[inside] = MATCH_INSIDE
    match[words.map(lambda parts: any(p.startswith(wanted) for p in parts))] = MATCH_WORD
    match[names.str.startswith(wanted)] = MATCH_PREFIX
    match[names == wanted] = MATCH_EXACT_NAME
    match[codes == wanted] = MATCH_EXACT_CODE
    found = table.assign(match=match).dropna(subset=["match"])
    found = found.assign(
        _kind=found["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}),
        _level=found["level"].map({lvl: i for i, lvl in enumerate(LEVEL_ORDER)}).fillna(len(LEVEL_ORDER)),
        _length=found["name"].str.len(),
    )
    found = found.sort_values(["match", "_kind", "_level", "_length", "name"])
    return found[["ref_area", "name", "kind", "group", "parent", "match"]].head(limit)


def best_match(text: str, kinds: tuple[str, ...] = ("country", "region", "aggregate")) -> str | None:
    """The one area a picker should take when the visitor types ``text`` and presses Enter (None if none)."""
    found = search(text, kinds, limit=1)
    return None if found.empty else str(found["ref_area"].iloc[0])


@lru_cache(maxsize=8)
def _codes_with_data(level: str) -> frozenset[str]:
    """Areas that have a value of at least one definition of ``level`` (OECD TL2 regions in Europe carry
    NUTS codes, so a level's areas are found by their data, not only by how the registry filed them)."""
    codes: set[str] = set()
    for item in query.definitions().values():
        if item.level == level:
            try:
                codes.update(query.panel(item.id)["ref_area"].unique())
            except query.QueryError:
                continue
    return frozenset(codes)


def areas_at_level(level: str) -> pd.DataFrame:
    """Non-aggregate areas of one level ('country', 'nuts2', 'tl2', 'gdl_region'). For TL2: the regions
    filed as TL2 plus every NUTS region with OECD TL2 data (in Europe TL2 regions carry NUTS codes)."""
    table = query.areas()
    not_aggregate = ~table["is_aggregate"].fillna(False).astype(bool)
    filed = table["level"] == level
    if level != "tl2":
        return table[filed & not_aggregate]
    nuts = table["level"].isin(("nuts1", "nuts2", "tl3"))
    with_data = table.index.isin(list(_codes_with_data(level))) & nuts
    return table[(filed | with_data) & not_aggregate]


def regions_within(country: str, level: str) -> pd.DataFrame:
    """The regions of one country at one level (for 'within a country' in Trajectories and Compare)."""
    pool = areas_at_level(level)
    return pool[pool["country"] == country]


def levels_with_data() -> tuple[str, ...]:
    """Levels that have both areas and at least one definition, country first."""
    present = set(query.areas()["level"])
    defined = {d.level for d in query.definitions().values()}
    return tuple(level for level in LEVEL_ORDER if level in present and level in defined)


def level_of(ref_area: str) -> str:
    """The definitions level a place is scored at: its own, or the level whose data it has (a NUTS code
    with OECD TL2 data only is a TL2 region); aggregates use the country definitions."""
    table = query.areas()
    level = str(table.at[ref_area, "level"]) if ref_area in table.index else "country"
    if level in ("aggregate", "country"):
        return "country"
    if level in LEVEL_ORDER:
        return level
    return next((lvl for lvl in LEVEL_ORDER[1:] if ref_area in _codes_with_data(lvl)), "country")


def headline_gdp(ref_area: str) -> str | None:
    """The GDP-like series that heads this place (see :data:`HEADLINE_GDP`), when its definition exists."""
    ident = HEADLINE_GDP.get(level_of(ref_area))
    return ident if ident in query.definitions() else None
