"""Areas as the pages see them: countries, regions, aggregates and the rest; finding one by name; which
areas a level holds (with data) and the GDP-like series that heads a place of each level.

The areas table itself (names, levels, aggregate flags, groups, parent country) is built on the data
side (:mod:`connectors.areas`, which also classifies every area) and read through
:func:`indicators.query.areas`; this module only answers questions about it, so pickers, peer groups and
headlines agree on what a "country" is.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

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
#: The same measure at another level, for a region shown beside countries: national series -> {level:
#: regional series}. GDP per capita is :data:`HEADLINE_GDP`; the others measure the same thing in the same
#: unit (years of life, % of the labour force …), as the Floors-and-ceilings page also assumes.
EQUIVALENTS: dict[str, dict[str, str]] = {
    GDP_PER_CAPITA: {level: ident for level, ident in HEADLINE_GDP.items() if level != "country"},
    "life_expectancy": {"tl2": "tl2_life_expectancy", "gdl_region": "gdl_life_expectancy"},
    "life_satisfaction": {"tl2": "tl2_life_satisfaction"},
    "unemployment_rate": {"nuts2": "nuts2_unemployment_rate", "tl2": "tl2_unemployment_rate"},
    "employment_rate": {"tl2": "tl2_employment_rate"},
    "mean_years_schooling": {"gdl_region": "gdl_mean_years_schooling"},
    "expected_years_schooling": {"gdl_region": "gdl_expected_years_schooling"},
}
#: How a level is named beside a region's name ("Stockholm — NUTS 2 region, Sweden").
LEVEL_NAMES = {
    "nuts0": "NUTS 0",
    "nuts1": "NUTS 1 region",
    "nuts2": "NUTS 2 region",
    "tl2": "OECD TL2 region",
    "tl3": "OECD TL3 region",
    "gdl_region": "GDL region",
}
#: English names of regions stored under their local name (Bayern -> Bavaria), from the OECD Regional
#: Well-Being file: "find my region" matches either.
ENGLISH_NAMES_FILE = Path(__file__).resolve().parent / "region_names.csv"
#: Search results come in this order of match quality (lower is better).
MATCH_EXACT_CODE, MATCH_EXACT_NAME, MATCH_PREFIX, MATCH_WORD, MATCH_INSIDE = range(5)


def area_name(ref_area: str) -> str:
    """The area's name, or its code when unknown (see :func:`indicators.query.area_name`)."""
    return query.area_name(ref_area)


def _without_parts_list(name: str) -> str:
    """``name`` without a closing parenthesised list of its parts ("Kazakhstan - North region (Akmolinskaya
    (incl Astana city), Kostnaiskaya, …)" -> "Kazakhstan - North region"); unchanged when it has none. Only a
    list (a comma inside) is dropped: "Bolivia (Plurinational State of)" keeps its parenthesis."""
    if not name.endswith(")"):
        return name
    depth = 0
    for position in range(len(name) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(name[position], 0)
        if depth == 0:
            inside, before = name[position + 1 : -1], name[:position].rstrip()
            return before if "," in inside and before else name
    return name


def short_names(codes: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Each area's name for a chart's title and legend: a sub-national region's name without the list of
    provinces Global Data Lab appends to it (names run to 111 characters, which filled a phone's screen
    with a 14-line title and pushed legend entries out of the chart), as long as the names stay distinct
    among ``codes``; every other name in full. Tooltips and tables keep the full name."""
    full = {code: query.area_name(code) for code in codes}
    short = {code: _without_parts_list(name) if level_of(code) != "country" else name for code, name in full.items()}
    if len(set(short.values())) < len(set(full.values())):
        return full
    return short


@lru_cache(maxsize=1)
def classified() -> pd.DataFrame:
    """The areas table with ``kind`` (country | region | aggregate | other), ``group`` and ``parent``
    (see :func:`connectors.areas.classify`), indexed by ref_area."""
    table = query.areas()
    return table.join(classify(table))


@lru_cache(maxsize=8)
def picker_areas(kinds: tuple[str, ...] = ("country", "aggregate")) -> pd.DataFrame:
    """Areas for a picker, countries first (by name), then aggregates grouped by ``group``; never ``other``.
    Columns ``ref_area, name, kind, group, parent``. Cached per data version (pages ask on every rerun):
    read-only."""
    table = classified()
    chosen = table[table["kind"].isin(kinds)]
    order = chosen["kind"].map({k: i for i, k in enumerate(KIND_ORDER)})
    chosen = chosen.assign(_order=order).sort_values(["_order", "group", "name"]).drop(columns="_order")
    return chosen[["ref_area", "name", "kind", "group", "parent"]]


@lru_cache(maxsize=16)
def picker_places(levels: tuple[str, ...] = ("country",), groups: bool = True) -> tuple[str, ...]:
    """The one picker order for a page that lists regions too: countries by name, then (``groups``)
    aggregates by group, then the regions of every other level in ``levels`` by name, each once. Entities
    that are neither (bunkers, "Africa not elsewhere specified", Antarctica) are never listed."""
    kinds = ("country", "aggregate") if groups else ("country",)
    chosen = list(picker_areas(kinds)["ref_area"]) if "country" in levels else []
    seen = set(chosen)
    for level in (lvl for lvl in LEVEL_ORDER if lvl in levels and lvl != "country"):
        regions = areas_at_level(level)
        for code in regions.sort_values("name").index:
            if code not in seen:
                seen.add(code)
                chosen.append(code)
    return tuple(chosen)


@lru_cache(maxsize=1)
def english_names() -> dict[str, str]:
    """ref_area -> English name, for regions whose stored name is in the local language."""
    with open(ENGLISH_NAMES_FILE, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["ref_area"]: row["english_name"] for row in rows}


def _folded(text: str) -> str:
    """Lower case without accents, so 'Reunion' finds 'Réunion' and 'zurich' finds 'Zürich'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


#: What separates the words of a name ("Provence-Alpes-Côte d'Azur", "Bolzano/Bozen").
_WORD_SEPARATORS = r"[\s\-/,()–]+"


@lru_cache(maxsize=8)
def _search_index(
    kinds: tuple[str, ...],
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]]:
    """What :func:`search` matches, prepared once per data version (cleared with the other caches here):
    the areas of ``kinds`` with their sort keys, their codes folded, and per area its folded names (stored
    name, English name) each with its words. Folding and splitting ~2,900 names per keystroke cost ~40 ms."""
    table = classified()
    table = table[table["kind"].isin(kinds)]
    table = table.assign(
        _kind=table["kind"].map({k: i for i, k in enumerate(KIND_ORDER)}),
        _level=table["level"].map({lvl: i for i, lvl in enumerate(LEVEL_ORDER)}).fillna(len(LEVEL_ORDER)),
        _length=table["name"].str.len(),
    )
    english = english_names()
    names = []
    for code, name in zip(table["ref_area"], table["name"], strict=True):
        variants = []
        for variant in (name, english.get(code, "")):
            folded = _folded(variant)
            variants.append((folded, tuple(re.split(_WORD_SEPARATORS, folded))))
        names.append(tuple(variants))
    codes = tuple(str(code).casefold() for code in table["ref_area"])
    return table, codes, tuple(names)


def _match_quality(folded: str, words: tuple[str, ...], wanted: str) -> int | None:
    """How well one folded name matches the folded text (see the ``MATCH_*`` constants); None if not."""
    if wanted not in folded:
        return None
    if folded == wanted:
        return MATCH_EXACT_NAME
    if folded.startswith(wanted):
        return MATCH_PREFIX
    if any(word.startswith(wanted) for word in words):
        return MATCH_WORD
    return MATCH_INSIDE


def search(text: str, kinds: tuple[str, ...] = ("country", "region", "aggregate"), limit: int = 20) -> pd.DataFrame:
    """Areas whose code or name matches ``text``, best first: an exact code, then an exact name, then a
    name that starts with the text, then one with a word that does, then any other containment; within one
    quality countries come before regions, regions before aggregates, and shorter names first.

    So "Fra" finds France before French Guiana, and "Stockholm" finds the NUTS2 region SE11 first.
    The English name (:func:`english_names`) is a second name to match: a match on either counts, the
    better one wins. Columns ``ref_area, name, kind, group, parent, match``.
    """
    wanted = _folded(text)
    if not wanted:
        return picker_areas(kinds).assign(match=MATCH_INSIDE).head(limit)
    table, codes, names = _search_index(tuple(kinds))
    positions, qualities = [], []
    for position, (code, variants) in enumerate(zip(codes, names, strict=True)):
        if code == wanted:
            quality = MATCH_EXACT_CODE
        else:
            found = [q for folded, words in variants if (q := _match_quality(folded, words, wanted)) is not None]
            if not found:
                continue
            quality = min(found)
        positions.append(position)
        qualities.append(quality)
    found = table.iloc[positions].assign(match=pd.array(qualities, dtype="Int64"))
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


@lru_cache(maxsize=16)
def areas_at_level(level: str) -> pd.DataFrame:
    """Non-aggregate areas of one level ('country', 'nuts2', 'tl2', 'gdl_region'). For TL2: the regions
    filed as TL2 plus every NUTS region with OECD TL2 data (in Europe TL2 regions carry NUTS codes).
    Cached per data version (:func:`level_of` asks for every level per region it labels): read-only."""
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


@lru_cache(maxsize=1)
def levels_with_data() -> tuple[str, ...]:
    """Levels that have both areas and at least one definition, country first (cached per data version)."""
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
    # A NUTS1 code listed among a level's regions (German Länder are OECD TL2 regions) is scored there,
    # even though Eurostat's NUTS2 tables also carry NUTS1 totals.
    listed = next((lvl for lvl in LEVEL_ORDER[1:] if ref_area in areas_at_level(lvl).index), None)
    return listed or next((lvl for lvl in LEVEL_ORDER[1:] if ref_area in _codes_with_data(lvl)), "country")


def headline_gdp(ref_area: str) -> str | None:
    """The GDP-like series that heads this place (see :data:`HEADLINE_GDP`), when its definition exists."""
    ident = HEADLINE_GDP.get(level_of(ref_area))
    return ident if ident in query.definitions() else None


def equivalent(indicator: str, level: str) -> str | None:
    """The series that measures ``indicator`` for a place of ``level``: the indicator itself at its own
    level, its regional equivalent (:data:`EQUIVALENTS`) where one is defined, else None."""
    definitions = query.definitions()
    if indicator not in definitions:
        return None
    own = definitions[indicator].level
    if own == level:
        return indicator
    national = next(
        (n for n, by_level in EQUIVALENTS.items() if indicator == n or indicator in by_level.values()), None
    )
    if national is None:
        return None
    found = national if level == "country" else EQUIVALENTS[national].get(level)
    return found if found in definitions else None


@lru_cache(maxsize=8192)
def place_label(ref_area: str, level: str | None = None) -> str:
    """A place as pickers and search results show it: a country by its name, an aggregate with "(group)",
    a region with its level and country ("Stockholm — NUTS 2 region, Sweden"; "Bayern (Bavaria) — OECD TL2
    region, Germany" when it has an English name). ``level`` names the level a page shows the region at
    (SE11 is listed as an OECD TL2 region on Compare's TL2 level); default: the level it is scored at."""
    table = classified()
    if ref_area not in table.index:
        return ref_area
    row = table.loc[ref_area]
    if row["kind"] == "aggregate":
        return f"{row['name']} (group)"
    if row["kind"] != "region":
        return str(row["name"])
    english = english_names().get(ref_area)
    name = f"{row['name']} ({english})" if english else str(row["name"])
    level = LEVEL_NAMES.get(level or level_of(ref_area), "region")
    parent = row["parent"]
    where = f", {area_name(parent)}" if isinstance(parent, str) and parent else ""
    return f"{name} — {level}{where}"


@lru_cache(maxsize=16)
def regions_with_data(levels: tuple[str, ...] | None = None) -> frozenset[str]:
    """Codes of the regions a page can show: those of every level with data (or of ``levels``), TL2 regions
    in Europe included by their NUTS codes."""
    chosen = levels if levels is not None else levels_with_data()
    return frozenset(code for level in chosen if level != "country" for code in areas_at_level(level).index)


def link_places(listed: list[str], asked) -> list[str]:
    """Places a link may name on a page whose picker lists ``listed``: those, plus every region with data
    when ``asked`` (the codes the link names) holds one that is not listed. Finding every region with data
    reads each regional table once (about 1.5 s cold), which a first view of a page's default link must
    not pay."""
    known = {code.upper() for code in listed}
    if all(code.strip().upper() in known for code in asked if code.strip()):
        return listed
    return [*listed, *sorted(regions_with_data())]


def find_regions(text: str, levels: tuple[str, ...] | None = None, limit: int = 8) -> pd.DataFrame:
    """ "Find my region": regions (of ``levels``, default every level with data) whose name, English name
    or code matches ``text``, best first (see :func:`search`), with ``label`` saying level and country."""
    allowed = regions_with_data(levels)
    found = search(text, kinds=("region",), limit=10_000)
    # Membership row by row: the hits are few, and ``isin`` would first copy the thousands of allowed codes.
    keep = pd.Series([code in allowed for code in found["ref_area"]], index=found.index, dtype=bool)
    found = found[keep].head(limit)
    return found.assign(label=found["ref_area"].map(place_label))
