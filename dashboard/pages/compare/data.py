"""Compare page, view → data: the levels, indicators and areas it offers, the peer group, the rows drawn."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from indicators import areas, assess, query

PAGE = "compare"
#: The years a ``year=`` parameter may name (the page's year choices lie within).
YEARS = (1960, 2100)


def levels() -> tuple[str, ...]:
    return assess.levels_with_data() or ("country",)


def options(level: str) -> tuple[list[str], list[str]]:
    """(indicator ids, area codes) available at a level: for countries the countries by name, then the
    aggregates to focus on (never entities such as "World Marine Bunkers"); for a regional level its regions
    (OECD TL2 regions in Europe by their NUTS codes), by name."""
    indicators, codes = _options(level)
    return list(indicators), list(codes)


@lru_cache(maxsize=8)
def _options(level: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Built once per level and data version: the page asks twice per rerun, for up to ~2,000 regions.
    indicators = tuple(d.id for d in assess.definitions_at(level))
    if level == "country":
        return indicators, tuple(areas.picker_areas()["ref_area"])
    return indicators, tuple(areas.areas_at_level(level).sort_values("name").index)


def default_indicators(level: str, country: str | None, count: int = 2) -> list[str]:
    """The first ``count`` indicators of a level (wellbeing first) with data for ``country``'s regions, or for
    any area of the level: a level switch must not open on two measures that have nothing for the place (the
    first inclusive NUTS 2 measures have no German regions)."""
    ids, codes = options(level)
    rankable = {d.id for d in assess.scorecard_definitions(level)}  # never open on a count ranked as wellbeing
    ids = [i for i in ids if i in rankable] + [i for i in ids if i not in rankable]
    wanted = set(areas.regions_within(country, level).index) if country and level != "country" else set(codes)
    with_data = []
    for ident in ids:
        try:
            if wanted & set(query.latest_by_area(ident).index):
                with_data.append(ident)
        except query.QueryError:  # a measure whose data cannot be read is simply not a default
            continue
        if len(with_data) == count:
            break
    return (with_data or ids)[:count]


def parents(level: str | None = None) -> list[str]:
    """Countries that have regions at ``level`` (any regional level when None), by name: the choices of
    "Regions within one country"."""
    return list(_parents(level))


@lru_cache(maxsize=8)
def _parents(level: str | None) -> tuple[str, ...]:
    # Once per level and data version: every link is checked against these on every rerun.
    chosen = [level] if level else list(levels())
    codes = {c for lvl in chosen if lvl != "country" for c in areas.areas_at_level(lvl)["country"].dropna()}
    table = query.areas()
    return tuple(sorted(codes & set(table.index), key=query.area_name))


def regions_within(country: str | None, level: str, codes: list[str]) -> list[str]:
    """``codes`` (a level's areas) kept to one country's regions when ``country`` is set."""
    if not country or level == "country":
        return codes
    inside = set(areas.regions_within(country, level).index)
    return [code for code in codes if code in inside]


def peer_group(view) -> assess.PeerGroup:
    return assess.peer_group(
        view.peers, view.area, level=view.level, n_similar=view.similar, custom=view.custom, within=view.within
    )


def shown_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Exactly the rows drawn, with units and the publisher's estimate flag, for the table toggle and the CSV."""
    units = {ident: query.definition(ident).unit for ident in rows["indicator"].unique()}
    rows = rows if "estimated" in rows else query.with_estimated(rows)
    return rows.assign(unit=rows["indicator"].map(units))[
        ["indicator", "rank", "ref_area", "name", "year", "value", "estimated", "unit", "median"]
    ].reset_index(drop=True)
