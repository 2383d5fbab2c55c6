"""Trajectories page, view → data: the indicators and places it offers, which series each chosen place is
drawn on, and the years a view shows.

Countries, aggregates and regions can be chosen together. A trajectory chart draws one series, so the
chosen places are split by the series that measures the chosen indicator for each of them
(:func:`series_groups`): Sweden on GDP per capita (PPP), Stockholm on regional GDP per inhabitant (PPS),
each group its own chart with its own title and unit — never two units on one axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from dashboard.theme import THEME_ORDER
from indicators import areas, query
from indicators.catalog import catalog

PAGE = "trajectories"
#: Without years in the link, start here: long enough for trends, short enough to read (as the page does).
DEFAULT_START = 1990
GDP = "gdp_per_capita_ppp"
LEVEL_PREFIX = {"nuts2": "NUTS 2", "tl2": "OECD TL2", "gdl_region": "GDL regions"}


def indicator_options(levels: tuple[str, ...] = ("country",)) -> list[str]:
    """Indicators of ``levels`` with data (not those waiting for a refresh; country first, then each regional
    level), grouped by theme and sorted by label (the page's drop-down order)."""
    order = {level: i for i, level in enumerate(areas.LEVEL_ORDER)}
    chosen = [d for d in query.definitions().values() if d.level in levels]
    chosen.sort(key=lambda d: (order.get(d.level, len(order)), THEME_ORDER[d.theme], d.label))
    return [d.id for d in chosen]


def all_indicators() -> list[str]:
    """Every indicator a link may name: countries' and every regional level's."""
    return indicator_options(areas.LEVEL_ORDER)


def indicator_label(ident: str) -> str:
    """ "Inclusive · Life expectancy", or for a regional series "NUTS 2 · Economy · GDP per inhabitant"."""
    item = catalog()[ident]
    prefix = LEVEL_PREFIX.get(item.level)
    text = f"{item.theme.title()} · {item.label}"
    return f"{prefix} · {text}" if prefix else text


@lru_cache(maxsize=1)
def _places() -> tuple[str, ...]:
    return tuple(areas.picker_areas()["ref_area"])


def place_options() -> list[str]:
    """The picker's places: countries by name, then aggregates in their own group; never entities such as
    "World Marine Bunkers" (regions are added by "Find a region")."""
    return list(_places())


def area_options(asked: Iterable[str] = ()) -> list[str]:
    """Every place a link may name: the picker's places and every region with data (see
    :func:`indicators.areas.link_places`)."""
    return areas.link_places(place_options(), asked)


def levels_of(ref_area: str) -> tuple[str, ...]:
    """The levels whose series a place appears in: ``country`` for countries and aggregates; for a region
    every level that lists it (SE11 is a NUTS 2 and an OECD TL2 region), its own first."""
    own = areas.level_of(ref_area)
    if own == "country":
        return ("country",)
    listed = [lvl for lvl in areas.LEVEL_ORDER[1:] if ref_area in areas.areas_at_level(lvl).index]
    return tuple(dict.fromkeys([own, *listed]))


def series_for(indicator: str, ref_area: str) -> str | None:
    """The series that draws ``indicator`` for a place: the indicator itself where the place belongs to its
    level, else the regional (or national) equivalent (:func:`indicators.areas.equivalent`), else None."""
    level = catalog()[indicator].level
    places = levels_of(ref_area)
    if level in places:
        return indicator
    return next((found for lvl in places if (found := areas.equivalent(indicator, lvl))), None)


def series_groups(indicator: str, chosen: tuple[str, ...]) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """The chosen places split by the series each is drawn on, the chosen indicator's group first, and a note
    for every place that has no series of the indicator."""
    groups: dict[str, list[str]] = {}
    missing: list[str] = []
    for code in chosen:
        ident = series_for(indicator, code)
        if ident is None:
            missing.append(code)
        else:
            groups.setdefault(ident, []).append(code)
    ordered = sorted(groups.items(), key=lambda item: item[0] != indicator)
    notes = []
    if missing:
        names = ", ".join(areas.place_label(code) for code in missing)
        notes.append(
            f"{catalog()[indicator].label} has no series for {names}; choose one of their own measures under "
            "Indicator (regional measures are listed after the national ones)"
        )
    return [(ident, tuple(codes)) for ident, codes in ordered], notes


def levels_chosen(chosen: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Country, plus every regional level the chosen places appear in (what the indicator list offers)."""
    found = {lvl for code in chosen for lvl in levels_of(code)}
    return tuple(lvl for lvl in areas.LEVEL_ORDER if lvl == "country" or lvl in found)


def context_places(indicator: str, chosen: tuple[str, ...]) -> list[str]:
    """The grey lines behind a chart: every country, or for a regional series the other regions of that level
    in the chosen regions' countries."""
    level = catalog()[indicator].level
    if level == "country":
        return [a for a in query.countries()["ref_area"] if a not in chosen]
    pool = areas.areas_at_level(level)
    countries = set(pool.loc[pool.index.isin(chosen), "country"].dropna())
    return [a for a in pool.index[pool["country"].isin(countries)] if a not in chosen]


def years_shown(indicator: str, start: int | None, end: int | None) -> tuple[int, int]:
    """The years a view draws: its own (within the indicator's years), else from :data:`DEFAULT_START` (or
    the first year) to the last."""
    first, last = query.year_range(indicator)
    low = max(first, DEFAULT_START) if start is None else min(max(start, first), last)
    high = last if end is None else max(min(end, last), low)
    return low, high
