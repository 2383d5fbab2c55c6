"""Trajectories page, URL ⇄ view state: which indicator, which areas (countries, aggregates and regions,
``areas=SE11,SWE``), which years and scale."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from dashboard import url_state as u
from dashboard.pages.trajectories import data

MAX_AREAS = 12

#: A wellbeing measure opens the page (its caption: "next to GDP, not instead of it"), with GDP per capita
#: alongside (:func:`gdp_alongside`): a long, complete series for the default places.
DEFAULT_INDICATOR = "life_expectancy"
DEFAULT_AREAS = ("SWE", "USA", "DEU", "CHN", "IND", "BRA")
SCALES = ("linear", "log", "indexed")


@dataclass(frozen=True)
class TrajectoryView:
    """What the Trajectories page shows; the URL carries exactly these fields."""

    indicator: str = DEFAULT_INDICATOR
    areas: tuple[str, ...] = DEFAULT_AREAS
    start: int | None = None
    end: int | None = None
    scale: str = "linear"
    base: int | None = None
    context: bool = False
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        """Only non-default values, so shared links stay short and readable."""
        default = TrajectoryView()
        query: dict[str, str] = {}
        if self.indicator != default.indicator:
            query["ind"] = self.indicator
        if self.areas != default.areas:
            query["areas"] = ",".join(self.areas)
        for name in ("start", "end", "base"):
            if getattr(self, name) is not None:
                query[{"start": "from", "end": "to", "base": "base"}[name]] = str(getattr(self, name))
        if self.scale != default.scale:
            query["scale"] = self.scale
        if self.context:
            query["context"] = "1"
        return query


def parse_trajectory(
    params: Mapping[str, object],
    *,
    indicators: Iterable[str],
    areas: Iterable[str],
    years: tuple[int, int] = (1800, 2100),
    extra_allowed: Iterable[str] = (),
) -> TrajectoryView:
    """Build a :class:`TrajectoryView` from URL parameters, with a notice for every bad one."""
    known_indicators, known_areas = set(indicators), set(areas)
    notices: list[str] = []
    allowed = {"ind", "areas", "from", "to", "scale", "base", "context", *extra_allowed}
    raw = u.raw_params(params, allowed, notices)
    view = TrajectoryView()
    changes: dict[str, object] = {}

    if raw["ind"] is not None:
        if raw["ind"] in known_indicators:
            changes["indicator"] = raw["ind"]
        else:
            notices.append(f"unknown indicator {u.shown(raw['ind'])}; showing {view.indicator}")

    good = u.area_list(raw["areas"], "areas", known_areas, notices, limit=MAX_AREAS)
    if good:
        changes["areas"] = good
    elif raw["areas"] is not None and raw["areas"].strip(", "):
        notices.append("no known area left; showing the default selection")

    start = u.year(raw["from"], "from", years, notices)
    end = u.year(raw["to"], "to", years, notices)
    if start is not None and end is not None and start > end:
        notices.append(f"'from' {start} is after 'to' {end}; swapped them")
        start, end = end, start
    changes["start"], changes["end"] = start, end
    changes["base"] = u.year(raw["base"], "base", years, notices)

    if raw["scale"] is not None:
        if raw["scale"] in SCALES:
            changes["scale"] = raw["scale"]
        else:
            notices.append(f"'scale' must be one of {', '.join(SCALES)}; ignored {u.shown(raw['scale'])}")
    if raw["context"] is not None:
        changes["context"] = raw["context"].lower() in ("1", "true", "yes", "on")

    return replace(view, **changes, notices=tuple(notices))


#: The ``gdp`` values that turn "GDP per capita alongside" off (it is on unless a link says otherwise).
GDP_OFF = ("0", "false", "no", "off")


def gdp_alongside(params: Mapping[str, object]) -> bool:
    """Whether a link shows GDP per capita beside the chosen indicator: yes unless ``gdp=0``, so the default
    link stays empty and old links with ``gdp=1`` still work."""
    value = u.first_value(params, "gdp")
    return value is None or value.strip().lower() not in GDP_OFF


def gdp_query(with_gdp: bool, indicator: str) -> dict[str, str]:
    """The ``gdp`` part of a link: only ``gdp=0`` when the toggle is off (and not on GDP itself, where the
    toggle has nothing to add)."""
    return {} if with_gdp or indicator == data.GDP else {"gdp": "0"}


def _asked_codes(params: Mapping[str, object], key: str) -> list[str]:
    """The area codes a link's ``key`` names (unchecked: only to know whether regions must be looked up)."""
    return (u.first_value(params, key) or "")[: u.MAX_PARAM_LENGTH].split(",")


def parse(params: Mapping[str, object], extra_allowed: Iterable[str] = ()) -> TrajectoryView:
    """A Trajectories link -> view; ``gdp`` (GDP alongside) belongs to the page, not to one chart."""
    return parse_trajectory(
        params,
        indicators=data.all_indicators(),
        areas=data.area_options(_asked_codes(params, "areas")),
        extra_allowed=("gdp", *extra_allowed),
    )
