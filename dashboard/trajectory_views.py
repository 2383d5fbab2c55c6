"""The Trajectories page's shareable charts — a trajectory and a ranking — as pure parse and build functions.

Registered with :mod:`dashboard.share`, so the share panel, the embed view, the export CLI and
the bake all draw these charts exactly as the page does, from nothing but the link.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import charts
from dashboard.share import Drawn, ViewKind, register
from dashboard.view_state import TrajectoryView, parse_trajectory
from indicators import query
from indicators.catalog import catalog
from indicators.schema import Direction

PAGE = "trajectories"
#: Without years in the link, start here: long enough for trends, short enough to read (as the page does).
DEFAULT_START = 1990
THEME_ORDER = {"economy": 0, "inclusive": 1, "circular": 2, "climate": 3}


def indicator_options() -> list[str]:
    """Country-level indicators, grouped by theme and sorted by label (the page's drop-down order)."""
    country_level = [d for d in catalog().values() if d.level == "country"]
    return [d.id for d in sorted(country_level, key=lambda d: (THEME_ORDER[d.theme], d.label))]


def area_options() -> list[str]:
    table = query.areas()
    table = table[table["level"].isin(["country", "aggregate"])]
    return list(table.sort_values(["is_aggregate", "name"])["ref_area"])


def parse(params: Mapping[str, object]) -> TrajectoryView:
    """A Trajectories link -> view; ``gdp`` (GDP alongside) belongs to the page, not to one chart."""
    return parse_trajectory(params, indicators=indicator_options(), areas=area_options(), extra_allowed=("gdp",))


def years_shown(view: TrajectoryView) -> tuple[int, int]:
    first, last = query.year_range(view.indicator)
    start = view.start if view.start is not None else max(first, DEFAULT_START)
    end = view.end if view.end is not None else last
    return start, end


def build_trajectory(view: TrajectoryView) -> Drawn:
    item = query.definition(view.indicator)
    start, end = years_shown(view)
    base = None
    if view.scale == "indexed":
        base = view.base if view.base is not None and start <= view.base <= end else start
    frame, notes = query.trajectory(view.indicator, view.areas, (start, end), base_year=base)
    context = None
    if view.context:
        others = [a for a in query.countries()["ref_area"] if a not in view.areas]
        context, _ = query.trajectory(view.indicator, others, (start, end), base_year=base)
    if frame.empty:
        raise query.QueryError(f"no data for {item.label} for {', '.join(view.areas)} in {start}–{end}")
    chart = charts.trajectory_chart(
        frame, title=item.label, unit=item.unit, scale=view.scale, base_year=base, context=context
    )
    data = frame[["ref_area", "name", "year", "value"]]
    if context is not None and not context.empty:
        data = data.assign(selected=True)
        data = pd.concat(
            [data, context[["ref_area", "name", "year", "value"]].assign(selected=False)], ignore_index=True
        )
    return Drawn(
        chart=chart,
        data=data.reset_index(drop=True),
        title=item.label if base is None else f"{item.label} (index, {base} = 100)",
        indicators=(view.indicator,),
        stem=f"{view.indicator}_trajectory",
        description=charts.describe_trajectories(frame, item.label, item.unit),
        notes=tuple(notes),
    )


def build_ranking(view: TrajectoryView) -> Drawn:
    item = query.definition(view.indicator)
    _, end = years_shown(view)
    latest = query.latest(view.indicator, list(view.areas), max_year=end)
    if latest.empty:
        raise query.QueryError(f"no values of {item.label} for {', '.join(view.areas)} up to {end}")
    higher = item.direction == Direction.higher_is_better
    chart = charts.ranked_chart(
        latest, title=f"{item.label}: latest", unit=item.unit, higher_is_better=higher, highlight=list(view.areas[:1])
    )
    return Drawn(
        chart=chart,
        data=latest[["rank", "ref_area", "name", "year", "value"]].reset_index(drop=True),
        title=f"{item.label}: latest",
        indicators=(view.indicator,),
        stem=f"{view.indicator}_ranking",
        description=charts.describe_ranking(latest, item.label, item.unit),
    )


register(ViewKind("trajectory", page=PAGE, label="Trajectory chart", parse=parse, build=build_trajectory))
register(ViewKind("ranking", page=PAGE, label="Ranking of latest values", parse=parse, build=build_ranking))
