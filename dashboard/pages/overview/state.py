"""Overview page, URL ⇄ view state: one place, the peers it is ranked among, the trend start year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from dashboard.pages.overview import data

DEFAULT_SINCE = 2010


@dataclass(frozen=True)
class OverviewView:
    """What the Overview page shows: one place, the peers it is ranked among, and the trend start year."""

    area: str = "SWE"
    peers: str = "income_group"
    since: int = DEFAULT_SINCE
    similar: int = u.DEFAULT_SIMILAR
    custom: tuple[str, ...] = ()
    group: str = "theme"  # or "framework": chart per How's Life component (see data.GROUP_TITLES)
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        default = OverviewView()
        query: dict[str, str] = {}
        if self.area != default.area:
            query["area"] = self.area
        if self.peers != default.peers:
            query["peers"] = self.peers
        if self.since != default.since:
            query["since"] = str(self.since)
        if self.group != default.group:
            query["group"] = self.group
        return query | u.peer_query(self.peers, self.similar, self.custom, default.similar)


def parse_overview(
    params: Mapping[str, object],
    *,
    areas: Iterable[str],
    years: tuple[int, int] = (1990, 2023),
    extra_allowed: Iterable[str] = (),
) -> OverviewView:
    """Build an :class:`OverviewView` from URL parameters; ``years`` bounds the trend start year."""
    notices: list[str] = []
    known = set(areas)
    raw = u.raw_params(params, {"area", "since", "group", *u.PEER_PARAMS, *extra_allowed}, notices)
    default = OverviewView()
    area = u.area(raw["area"], "area", known, default.area if default.area in known else min(known), notices)
    peers, similar, custom = u.parse_peers(raw, known, default.peers, notices)
    since = u.year(raw["since"], "since", years, notices) or default.since
    group = u.choice(raw["group"], "group", tuple(data.GROUP_TITLES), default.group, notices)
    return OverviewView(area, peers, since, similar, custom, group, notices=tuple(notices))


DEFAULT_THEME = "inclusive"  # the first chart on the page


@dataclass(frozen=True)
class StandingView:
    """One chart of an Overview view (the page's view plus ``theme=``): a theme's, or with
    ``group=framework`` a framework component's (``theme=inequality``)."""

    overview: OverviewView = OverviewView()
    theme: str = DEFAULT_THEME
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        return self.overview.to_query() | {"theme": self.theme}


def parse_page(params: Mapping[str, object], extra_allowed: Iterable[str] = ()) -> OverviewView:
    """An Overview link -> the page's view (place, peers, trend start)."""
    asked = [u.first_value(params, "area") or "", *(u.first_value(params, "with") or "").split(",")]
    return parse_overview(
        params,
        areas=data.area_options(a[: u.MAX_PARAM_LENGTH] for a in asked),
        years=data.since_years(),
        extra_allowed=extra_allowed,
    )


def parse_tab(params: Mapping[str, object], group: str) -> tuple[str, tuple[str, ...]]:
    """The chart a page link opens on (``theme=``, a key of the grouping's titles; the first by default) and
    a notice when the link names another."""
    notices: list[str] = []
    titles = data.GROUP_TITLES[group]
    theme = u.choice(u.first_value(params, "theme"), "theme", tuple(titles), next(iter(titles)), notices)
    return theme, tuple(notices)


def parse(params: Mapping[str, object]) -> StandingView:
    """An Overview link with ``theme=`` -> one chart of the link's grouping; a bad theme gets a notice."""
    overview = parse_page({k: v for k, v in params.items() if k != "theme"})
    theme, notices = parse_tab(params, overview.group)
    return StandingView(overview, theme, overview.notices + notices)
