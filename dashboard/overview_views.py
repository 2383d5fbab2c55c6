"""The Overview page's shareable chart — where a place stands among its peers on one theme — as pure
parse and build functions.

Registered with :mod:`dashboard.share` as kind ``scorecard``, so the page, its share panel, the
embed view, the export CLI and the bake all draw a theme's standing chart from nothing but the
link. The page's view (place, peers, trend start) plus ``theme=`` names one chart; the page
imports its theme titles, area options and peer-group resolution from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from dashboard import scorecard
from dashboard.share import Drawn, ViewKind, register
from dashboard.view_state import OverviewView, parse_overview
from indicators import assess, query

PAGE = "overview"
THEME_TITLES = {
    "economy": "Economy",
    "inclusive": "Inclusive: people and fairness",
    "circular": "Circular: materials and waste",
    "climate": "Climate: emissions and energy",
}
DEFAULT_THEME = "economy"  # the first chart on the page
FIRST_SINCE = 1990


@dataclass(frozen=True)
class StandingView:
    """One theme's standing chart of an Overview view."""

    overview: OverviewView = OverviewView()
    theme: str = DEFAULT_THEME
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        return self.overview.to_query() | {"theme": self.theme}


@lru_cache(maxsize=1)
def _area_options() -> tuple[str, ...]:
    table = query.areas()
    levels = {"aggregate", *assess.levels_with_data()}
    table = table[table["level"].isin(levels)]
    return tuple(table.sort_values(["is_aggregate", "level", "name"])["ref_area"])


def area_options() -> list[str]:
    """Places the Overview offers: aggregates and every level that has data (computed once)."""
    return list(_area_options())


def since_years() -> tuple[int, int]:
    """The years a trend may start: at least two years before GDP's latest value."""
    return FIRST_SINCE, query.year_range(assess.GDP)[1] - 2


def parse_page(params: Mapping[str, object], extra_allowed: Iterable[str] = ()) -> OverviewView:
    """An Overview link -> the page's view (place, peers, trend start)."""
    return parse_overview(params, areas=area_options(), years=since_years(), extra_allowed=extra_allowed)


def parse(params: Mapping[str, object]) -> StandingView:
    """An Overview link with ``theme=`` -> one theme's standing chart; a bad theme gets a notice."""
    raw = params.get("theme")
    raw = raw[-1] if isinstance(raw, list | tuple) and raw else raw
    overview = parse_page({k: v for k, v in params.items() if k != "theme"})
    notices = list(overview.notices)
    theme = DEFAULT_THEME
    if raw is not None:
        if raw in THEME_TITLES:
            theme = str(raw)
        else:
            shown = "".join(ch if ch.isprintable() else "?" for ch in str(raw))[:40]
            notices.append(f"'theme' must be one of {', '.join(THEME_TITLES)}; ignored {shown!r}")
    return StandingView(overview, theme, tuple(notices))


def peer_group(view: OverviewView) -> assess.PeerGroup:
    """The peers a place is ranked among; an aggregate is compared with countries."""
    level = str(query.areas().at[view.area, "level"])
    level = "country" if level == "aggregate" else level
    return assess.peer_group(view.peers, view.area, level=level, n_similar=view.similar, custom=view.custom)


@lru_cache(maxsize=256)
def theme_table(area: str, members: tuple[str, ...], since: int, theme: str):
    """The theme's scorecard as the page's table shows it, built once per view (read-only)."""
    return scorecard.scorecard_table(assess.scorecard_theme(area, members, since, theme))


def chart_title(theme: str) -> str:
    return f"{THEME_TITLES[theme].split(':')[0]}: standing among peers"


def build_standing(view: StandingView) -> Drawn:
    page = view.overview
    group = peer_group(page)
    rows = assess.scorecard_theme(page.area, group.members, page.since, view.theme)
    ranked = rows[rows["percentile"].notna()].reset_index(drop=True)
    name = assess.area_name(page.area)
    title = chart_title(view.theme)
    if ranked.empty:
        raise query.QueryError(f"{name} has no ranked {view.theme} indicator among {group.label}")
    return Drawn(
        chart=scorecard.standing_chart(ranked, title=title, peer_label=group.label),
        data=scorecard.scorecard_csv(ranked),
        title=f"{THEME_TITLES[view.theme].split(':')[0]}: standing of {name} among {group.label}",
        indicators=tuple(ranked["indicator"]),
        stem=f"scorecard_{page.area}_{view.theme}",
        description=scorecard.describe_standing(ranked, title=title, peer_label=group.label),
        notes=tuple(group.notes),
    )


register(ViewKind("scorecard", page=PAGE, label="Standing among peers", parse=parse, build=build_standing))
