"""Trajectories page, view → data: the indicators and areas it offers and the years a view shows."""

from __future__ import annotations

from dashboard.theme import THEME_ORDER
from indicators import query

PAGE = "trajectories"
#: Without years in the link, start here: long enough for trends, short enough to read (as the page does).
DEFAULT_START = 1990
GDP = "gdp_per_capita_ppp"


def indicator_options() -> list[str]:
    """Country-level indicators with data (not those waiting for a refresh), grouped by theme and sorted by
    label (the page's drop-down order)."""
    country_level = [d for d in query.definitions().values() if d.level == "country"]
    return [d.id for d in sorted(country_level, key=lambda d: (THEME_ORDER[d.theme], d.label))]


def area_options() -> list[str]:
    table = query.areas()
    table = table[table["level"].isin(["country", "aggregate"])]
    return list(table.sort_values(["is_aggregate", "name"])["ref_area"])


def years_shown(indicator: str, start: int | None, end: int | None) -> tuple[int, int]:
    """The years a view draws: its own, else from :data:`DEFAULT_START` (or the first year) to the last."""
    first, last = query.year_range(indicator)
    return (start if start is not None else max(first, DEFAULT_START), end if end is not None else last)
