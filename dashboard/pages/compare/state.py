"""Compare page, URL ⇄ view state: indicators across a peer group, in a chosen year, form and chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from dashboard.pages.compare import data

MAX_INDICATORS = 8
COMPARE_CHARTS = ("ranked", "multiples", "table")
FORMS = ("per_capita", "total")


@dataclass(frozen=True)
class CompareView:
    """What the Compare page shows: indicators across a peer group, in a chosen year and chart."""

    indicators: tuple[str, ...] = ("life_expectancy", "co2_per_capita", "gini_index")
    area: str = "SWE"
    peers: str = "oecd"
    similar: int = u.DEFAULT_SIMILAR
    custom: tuple[str, ...] = ()
    year: int | None = None
    form: str = "per_capita"
    chart: str = "ranked"
    level: str = "country"
    within: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        default = CompareView()
        query: dict[str, str] = {}
        if self.indicators != default.indicators:
            query["ind"] = ",".join(self.indicators)
        if self.area != default.area:
            query["area"] = self.area
        if self.peers != default.peers:
            query["peers"] = self.peers
        query |= u.peer_query(self.peers, self.similar, self.custom, default.similar)
        if self.year is not None:
            query["year"] = str(self.year)
        if self.form != default.form:
            query["form"] = self.form
        if self.chart != default.chart:
            query["view"] = self.chart
        if self.level != default.level:
            query["level"] = self.level
        if self.within:
            query["within"] = self.within
        return query


def parse_compare(
    params: Mapping[str, object],
    *,
    indicators: Iterable[str],
    areas: Iterable[str],
    levels: Iterable[str] = ("country",),
    countries: Iterable[str] = (),
    years: tuple[int, int] = (1800, 2100),
    extra_allowed: Iterable[str] = (),
) -> CompareView:
    """Build a :class:`CompareView`; ``countries`` are the codes a ``within`` filter may name (those with
    regions at the link's level)."""
    notices: list[str] = []
    known_indicators, known_areas = list(indicators), set(areas)
    allowed = {"ind", "area", *u.PEER_PARAMS, "year", "form", "view", "level", "within", *extra_allowed}
    raw = u.raw_params(params, allowed, notices)
    default = CompareView()
    chosen = default.indicators
    if raw["ind"] is not None:
        asked = [i.strip() for i in raw["ind"].split(",") if i.strip()]
        good = [i for i in dict.fromkeys(asked) if i in known_indicators]
        bad = [i for i in asked if i not in good]
        if bad:
            notices.append(f"unknown indicator(s) {', '.join(u.shown(b) for b in bad[:5])} ignored")
        if len(good) > MAX_INDICATORS:
            notices.append(f"at most {MAX_INDICATORS} indicators; kept the first {MAX_INDICATORS}")
            good = good[:MAX_INDICATORS]
        if good:
            chosen = tuple(good)
        else:
            notices.append("no known indicator left; showing the default selection")
    chosen = tuple(i for i in chosen if i in known_indicators) or tuple(known_indicators[:2])
    fallback_area = default.area if default.area in known_areas else (min(known_areas) if known_areas else "")
    area = u.area(raw["area"], "area", known_areas, fallback_area, notices)
    peers, similar, custom = u.parse_peers(raw, known_areas, default.peers, notices)
    year = u.year(raw["year"], "year", years, notices)
    form = u.choice(raw["form"], "form", FORMS, default.form, notices)
    chart = u.choice(raw["view"], "view", COMPARE_CHARTS, default.chart, notices)
    level = u.choice(raw["level"], "level", tuple(levels), default.level, notices)
    within = None
    if raw["within"] is not None:
        within = u.area(raw["within"], "within", set(countries), "", notices) or None
    return CompareView(chosen, area, peers, similar, custom, year, form, chart, level, within, tuple(notices))


def parse(params: Mapping[str, object], extra_allowed: Iterable[str] = ()) -> CompareView:
    """A Compare link -> view; the options offered depend on the level the link asks for."""
    known_levels = data.levels()
    asked = params.get("level")
    asked = asked[-1] if isinstance(asked, list | tuple) and asked else asked
    level = asked if asked in known_levels else "country"
    indicator_ids, area_codes = data.options(level)
    if level != "country":  # a regional link without 'ind' opens on measures with data for its country
        within = params.get("within")
        within = within[-1] if isinstance(within, list | tuple) and within else within
        preferred = data.default_indicators(level, within if isinstance(within, str) else None)
        indicator_ids = preferred + [i for i in indicator_ids if i not in preferred]
    return parse_compare(
        params,
        indicators=indicator_ids,
        areas=area_codes,
        levels=known_levels,
        countries=data.parents(level),
        years=data.YEARS,
        extra_allowed=extra_allowed,
    )
