"""Trajectories page, shareable charts: the trajectory and the ranking, each built from the view alone.

Registered with :mod:`dashboard.share`, so the share panel, the embed view, the export CLI and
the bake all draw these charts exactly as the page does, from nothing but the link.
"""

from __future__ import annotations

import pandas as pd

from dashboard.pages.titles import years_of
from dashboard.pages.trajectories import charts
from dashboard.pages.trajectories.data import PAGE, context_places, years_shown
from dashboard.pages.trajectories.state import TrajectoryView, parse
from dashboard.view_kind import Drawn, ViewKind
from indicators import areas, query
from indicators.schema import Direction


def places(codes: tuple[str, ...] | list[str], at_most: int = 3) -> str:
    """The places a chart shows, in words: "Sweden, India and Brazil" or "Sweden, India and 4 more" (a region
    without the list of its provinces, see :func:`indicators.areas.short_names`)."""
    names = list(areas.short_names(codes).values())
    if len(names) <= at_most:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[: at_most - 1]) + f" and {len(names) - at_most + 1} more"


def build_trajectory(view: TrajectoryView) -> Drawn:
    item = query.definition(view.indicator)
    start, end = years_shown(view.indicator, view.start, view.end)
    base = None
    if view.scale == "indexed":
        base = view.base if view.base is not None and start <= view.base <= end else start
    frame, notes = query.trajectory(view.indicator, view.areas, (start, end), base_year=base)
    frame = query.with_estimated(frame)
    context = None
    if view.context:
        others = context_places(view.indicator, view.areas)
        context, _ = query.trajectory(view.indicator, others, (start, end), base_year=base)
    if frame.empty:
        raise query.QueryError(f"no data for {item.label} for {', '.join(view.areas)} in {start}–{end}")
    label = item.label if base is None else f"{item.label} (index, {base} = 100)"
    period = str(start) if start == end else f"{start}–{end}"  # OECD TL2 tables have one year
    title = f"{label} — {places(view.areas)}, {period}"
    legend_names = areas.short_names(tuple(frame["ref_area"].unique()))
    chart = charts.trajectory_chart(
        frame.assign(label=frame["ref_area"].map(legend_names)),
        title=title,
        unit=item.unit,
        scale=view.scale,
        base_year=base,
        context=context,
    )
    data = frame[["ref_area", "name", "year", "value", "estimated"]]
    if context is not None and not context.empty:
        data = data.assign(selected=True)
        context = query.with_estimated(context)[["ref_area", "name", "year", "value", "estimated"]]
        data = pd.concat([data, context.assign(selected=False)], ignore_index=True)
    return Drawn(
        chart=chart,
        data=data.reset_index(drop=True),
        title=title,
        indicators=(view.indicator,),
        stem=f"{view.indicator}_trajectory",
        description=charts.describe_trajectories(frame, item.label, item.unit),
        notes=tuple(notes),
    )


def build_ranking(view: TrajectoryView) -> Drawn:
    item = query.definition(view.indicator)
    _, end = years_shown(view.indicator, view.start, view.end)
    latest = query.with_estimated(query.latest(view.indicator, list(view.areas), max_year=end))
    if latest.empty:
        raise query.QueryError(f"no values of {item.label} for {', '.join(view.areas)} up to {end}")
    higher = item.direction == Direction.higher_is_better
    title = f"{item.label}: latest values of {places(view.areas)} ranked ({years_of(latest['year'])})"
    chart = charts.ranked_chart(
        latest, title=title, unit=item.unit, higher_is_better=higher, highlight=list(view.areas[:1])
    )
    return Drawn(
        chart=chart,
        data=latest[["rank", "ref_area", "name", "year", "value", "estimated"]].reset_index(drop=True),
        title=title,
        indicators=(view.indicator,),
        stem=f"{view.indicator}_ranking",
        description=charts.describe_ranking(latest, item.label, item.unit),
    )


KINDS = (
    ViewKind("trajectory", page=PAGE, label="Trajectory chart", parse=parse, build=build_trajectory),
    ViewKind("ranking", page=PAGE, label="Ranking of latest values", parse=parse, build=build_ranking),
)
