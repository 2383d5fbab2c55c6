"""Floors-and-ceilings page: view state <-> URL (``limits?area=…``).

One parameter: the place. Countries are assessed on their own series; a region on the regional
series that have a national threshold's equivalent (life expectancy, unemployment, life
satisfaction), with its country's values shown, labelled, for what has no regional series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from indicators import areas, query

PARAMS = ("area",)
LEVELS = ("country", "nuts2", "tl2", "gdl_region")
DEFAULT_AREA = "SWE"


def area_options() -> list[str]:
    """Countries, then regions of every level, each by name; no groups (aggregates have no thresholds)."""
    return list(areas.picker_places(LEVELS, groups=False))


@dataclass(frozen=True)
class LimitsView:
    """What the page shows: one place, assessed against every sourced floor and ceiling."""

    area: str = DEFAULT_AREA
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        return {} if self.area == DEFAULT_AREA else {"area": self.area}


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> LimitsView:
    """A Floors-and-ceilings link -> view, with a notice for a value that was ignored."""
    notices: list[str] = []
    raw = u.raw_params(params, {*PARAMS, *extra_allowed}, notices)
    area = u.area(
        raw["area"],
        "area",
        area_options(),
        DEFAULT_AREA,
        notices,
        unknown=f"unknown or unassessed area {u.shown(raw['area'] or '')} (aggregates have no thresholds); "
        f"showing {query.area_name(DEFAULT_AREA)}",
    )
    return LimitsView(area=area, notices=tuple(notices))
