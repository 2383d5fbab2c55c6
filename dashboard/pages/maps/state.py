"""Maps page, URL ⇄ view state: one indicator at one level of areas, one year, optionally one country."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from dashboard.pages.maps import data
from dashboard.pages.maps.data import MAP_LEVELS

DEFAULT_MAP_INDICATORS = {
    "country": "life_expectancy",
    "nuts2": "nuts2_arope_rate",
    "gdl_region": "gdl_shdi",
    "tl2": "tl2_life_satisfaction",
}


@dataclass(frozen=True)
class MapView:
    """What the Maps page shows: one indicator at one level of areas, in one year, optionally in one country."""

    level: str = "country"
    indicator: str = DEFAULT_MAP_INDICATORS["country"]
    year: int | None = None
    country: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        if self.level != MapView.level:
            query["level"] = self.level
        if self.indicator != DEFAULT_MAP_INDICATORS.get(self.level):
            query["ind"] = self.indicator
        if self.year is not None:
            query["year"] = str(self.year)
        if self.country:
            query["country"] = self.country
        return query


def parse_map(
    params: Mapping[str, object],
    *,
    indicators: Mapping[str, Iterable[str]],
    countries: Mapping[str, Iterable[str]] | None = None,
    years: Callable[[str], tuple[int, int]] | None = None,
    extra_allowed: Iterable[str] = (),
) -> MapView:
    """Build a :class:`MapView` from URL parameters, with a notice for every bad one.

    ``indicators`` lists the indicator ids offered at each level, ``countries`` the countries
    whose regions can be shown at each level, ``years`` the data's year range of an indicator.
    """
    notices: list[str] = []
    raw = u.raw_params(params, {"level", "ind", "year", "country", *extra_allowed}, notices)
    options = {level: list(ids) for level, ids in indicators.items() if list(ids)}
    levels = tuple(level for level in MAP_LEVELS if level in options)
    if not levels:
        return MapView(notices=tuple(notices))
    fallback_level = MapView.level if MapView.level in levels else levels[0]
    level = u.choice(raw["level"], "level", levels, fallback_level, notices)
    default_indicator = DEFAULT_MAP_INDICATORS.get(level)
    if default_indicator not in options[level]:
        default_indicator = options[level][0]
    indicator = default_indicator
    if raw["ind"] is not None:
        if raw["ind"] in options[level]:
            indicator = raw["ind"]
        else:
            notices.append(f"no indicator {u.shown(raw['ind'])} at this level; showing {default_indicator}")
    span = years(indicator) if years is not None else (1800, 2100)
    year = u.year(raw["year"], "year", span, notices)
    country = None
    if raw["country"] is not None and raw["country"] != "":
        known = set((countries or {}).get(level, ()))
        if level == "country":
            notices.append("'country' only applies to regions; ignored")
        else:
            country = u.area(raw["country"], "country", known, "", notices) or None
    return MapView(level=level, indicator=indicator, year=year, country=country, notices=tuple(notices))


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> MapView:
    """A Maps link -> view, with a notice for every value not understood."""
    by_level = data.indicators_by_level()
    return parse_map(
        params,
        indicators=by_level,
        countries=data.all_countries(by_level),
        years=data.year_span,
        extra_allowed=extra_allowed,
    )
