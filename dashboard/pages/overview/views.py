"""Overview page, shareable chart: where a place stands among its peers on one theme.

Kind ``scorecard``: the page's view (place, peers, trend start, grouping) plus ``theme=`` names one chart
(a theme, or with ``group=framework`` a framework component),
so the page, its share panel, embeds, the export CLI and the bake draw it from the link alone.
"""

from __future__ import annotations

from dashboard.pages.overview import charts, data
from dashboard.pages.overview.data import PAGE
from dashboard.pages.overview.state import OverviewView, StandingView, parse
from dashboard.view_kind import Drawn, ViewKind
from indicators import assess, query


def peer_group(view: OverviewView) -> assess.PeerGroup:
    return data.peer_group(view.area, view.peers, view.similar, view.custom)


def chart_title(theme: str, place: str, peers: str) -> str:
    """A title that stands alone: the place and the comparison, e.g. "Sweden — climate indicators
    against OECD members"."""
    return f"{place} — {theme} indicators against {peers}"


def build_standing(view: StandingView) -> Drawn:
    page = view.overview
    group = peer_group(page)
    rows = data.group_rows(page.area, group.members, page.since, page.group, view.theme)
    ranked = rows[rows["percentile"].notna()].reset_index(drop=True)
    name = assess.area_name(page.area)
    topic = view.theme.replace("_", " ")  # "inclusive", or a framework component such as "current wellbeing"
    title = chart_title(topic, name, group.label)
    if ranked.empty:
        raise query.QueryError(f"{name} has no ranked {topic} indicator among {group.label}")
    return Drawn(
        chart=charts.standing_chart(ranked, title=title, peer_label=group.label),
        data=charts.scorecard_csv(ranked),
        title=title,
        indicators=tuple(ranked["indicator"]),
        stem=f"scorecard_{page.area}_{view.theme}",
        description=charts.describe_standing(ranked, title=title, peer_label=group.label),
        notes=tuple(group.notes),
    )


KINDS = (ViewKind("scorecard", page=PAGE, label="Standing among peers", parse=parse, build=build_standing),)
