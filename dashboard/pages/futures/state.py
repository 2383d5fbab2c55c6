"""Futures page: view state <-> URL (``futures?area=…&ind=…&rate=…&by=…&gdp=…``).

``rate`` (a pathway's change per year, in %) or ``by`` (the year the pathway reaches the target)
make the scenario part of the link, so a pathway can be shared and embedded; ``gdp`` is the growth
of GDP per person assumed for the decoupling a pathway implies (default: the recent trend).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from indicators import areas, assess, query

PARAMS = ("area", "ind", "rate", "by", "gdp")
LEVELS = ("country", "nuts2", "tl2", "gdl_region")
#: A pathway's change per year, and GDP growth, in % a year: wide enough for any real plan.
RATE_BOUNDS = (-50.0, 50.0)
YEARS = (2000, 2100)
DEFAULT_AREA = "SWE"
#: Countries open on consumption-based CO2: it has a sourced per-person boundary to measure a pathway against.
DEFAULT_INDICATOR = "co2_consumption_per_capita"
#: What a place of each level opens on: a measure with a long series (and a target where there is one).
LEVEL_DEFAULTS = {
    "country": DEFAULT_INDICATOR,
    "nuts2": "nuts2_at_risk_of_poverty_rate",
    "tl2": "tl2_life_expectancy",
    "gdl_region": "gdl_life_expectancy",
}


def indicator_options(level: str) -> list[str]:
    """The level's indicators, those with a target first (what the page is for), then the rest."""
    items = assess.definitions_at(level)
    return [d.id for d in items if d.targets] + [d.id for d in items if not d.targets]


def area_options() -> list[str]:
    """Countries, then groups, then regions of every level, each by name (:func:`indicators.areas.picker_places`)."""
    return list(areas.picker_places(LEVELS))


def level_of_area(code: str) -> str:
    level = str(query.areas().at[code, "level"])
    return "country" if level == "aggregate" else level


def default_indicator(level: str) -> str:
    options = indicator_options(level)
    wanted = LEVEL_DEFAULTS.get(level)
    return wanted if wanted in options else options[0]


@dataclass(frozen=True)
class FuturesView:
    """What the Futures page shows; ``rate`` and ``by`` are the user's pathway (at most one is set)."""

    area: str = DEFAULT_AREA
    indicator: str = DEFAULT_INDICATOR
    rate: float | None = None
    by: int | None = None
    gdp: float | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.area != DEFAULT_AREA:
            params["area"] = self.area
        if self.indicator != default_indicator(level_of_area(self.area)):
            params["ind"] = self.indicator
        if self.rate is not None:
            params["rate"] = f"{self.rate:g}"
        if self.by is not None:
            params["by"] = str(self.by)
        if self.gdp is not None:
            params["gdp"] = f"{self.gdp:g}"
        return params


def _percent(raw: str | None, name: str, notices: list[str]) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    low, high = RATE_BOUNDS
    if not math.isfinite(value) or not low <= value <= high:
        notices.append(f"'{name}' must be a change in % a year from {low:g} to {high:g}; ignored {u.shown(raw)}")
        return None
    return round(value, 2)


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> FuturesView:
    """A Futures link -> view, with a notice for every value that was ignored."""
    notices: list[str] = []
    raw = u.raw_params(params, {*PARAMS, *extra_allowed}, notices)
    area = u.area(
        raw["area"],
        "area",
        area_options(),
        DEFAULT_AREA,
        notices,
        unknown=f"unknown area code {u.shown(raw['area'] or '')}; showing {query.area_name(DEFAULT_AREA)}",
    )
    level = level_of_area(area)
    indicator = default_indicator(level)
    if raw["ind"] is not None:
        if raw["ind"] in indicator_options(level):
            indicator = raw["ind"]
        else:
            notices.append(
                f"'ind' must be an indicator for {query.area_name(area)} ({level.replace('_', ' ')} level); "
                f"ignored {u.shown(raw['ind'])}"
            )
    rate = _percent(raw["rate"], "rate", notices)
    by = u.year(raw["by"], "by", YEARS, notices)
    if rate is not None and by is not None:
        notices.append("a pathway is set by 'rate' or by 'by', not both; kept 'rate'")
        by = None
    return FuturesView(
        area=area,
        indicator=indicator,
        rate=rate,
        by=by,
        gdp=_percent(raw["gdp"], "gdp", notices),
        notices=tuple(notices),
    )
