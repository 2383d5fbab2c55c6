"""Trajectories page: one indicator over time for chosen areas, beside a ranking of their latest values.

The whole view lives in the URL (indicator, areas, years, scale), so any state can be shared
as a link; a bad link gets a notice and the default view.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, embed, ui
from dashboard.share_panel import pinned_version, share_panel
from dashboard.trajectory_views import PAGE
from dashboard.view_state import SCALES, SHARE_PARAMS, TrajectoryView, parse_trajectory
from indicators import query
from indicators.catalog import catalog
from indicators.schema import Direction

GDP = "gdp_per_capita_ppp"
#: Without years in the link, start here: long enough for trends, short enough to read.
DEFAULT_START = 1990
THEME_ORDER = {"economy": 0, "inclusive": 1, "circular": 2, "climate": 3}


def _indicator_options() -> list[str]:
    definitions = catalog()
    country_level = [d for d in definitions.values() if d.level == "country"]
    return [d.id for d in sorted(country_level, key=lambda d: (THEME_ORDER[d.theme], d.label))]


def _area_options() -> list[str]:
    table = query.areas()
    table = table[table["level"].isin(["country", "aggregate"])]
    return list(table.sort_values(["is_aggregate", "name"])["ref_area"])


def _initialise_widgets(view: TrajectoryView, first_year: int, last_year: int) -> None:
    """Copy the URL's view into the widgets once per session; afterwards the widgets lead."""
    if st.session_state.get("traj_initialised"):
        return
    st.session_state.update(
        traj_indicator=view.indicator,
        traj_areas=list(view.areas),
        traj_years=(view.start or max(first_year, DEFAULT_START), view.end or last_year),
        traj_scale=view.scale,
        traj_context=view.context,
        traj_initialised=True,
    )


def render() -> None:
    if embed.embed_requested():
        embed.render_embed(PAGE)
        return
    definitions = catalog()
    indicator_ids = _indicator_options()
    area_codes = _area_options()
    params = st.query_params.to_dict()
    view = parse_trajectory(params, indicators=indicator_ids, areas=area_codes, extra_allowed=("gdp", *SHARE_PARAMS))
    first_year, last_year = query.year_range(view.indicator)
    _initialise_widgets(view, first_year, last_year)

    st.title("Trajectories")
    st.caption("How a measure of wellbeing has moved over time — next to GDP, not instead of it.")
    ui.show_notices(view.notices)
    version = pinned_version(params)

    controls = st.columns([3, 4])
    indicator = controls[0].selectbox(
        "Indicator",
        indicator_ids,
        key="traj_indicator",
        format_func=lambda i: f"{definitions[i].theme.title()} · {definitions[i].label}",
    )
    areas = controls[1].multiselect(
        "Countries and aggregates",
        area_codes,
        key="traj_areas",
        format_func=query.area_name,
        max_selections=12,
        placeholder="Choose up to 12",
    )
    first_year, last_year = query.year_range(indicator)
    years_state = st.session_state.get("traj_years", (first_year, last_year))
    clamped = (max(first_year, min(years_state[0], last_year)), min(last_year, max(years_state[1], first_year)))
    if clamped != tuple(years_state):
        st.session_state["traj_years"] = clamped
    options = st.columns([4, 2, 2])
    start, end = options[0].slider("Years", first_year, last_year, key="traj_years", step=1)
    scale = options[1].radio(
        "Scale",
        SCALES,
        key="traj_scale",
        horizontal=True,
        format_func={"linear": "Absolute", "log": "Log", "indexed": "Indexed"}.get,
    )
    with_gdp = options[2].toggle(
        "GDP per capita alongside", value=params.get("gdp") == "1", key="traj_gdp", disabled=indicator == GDP
    )
    context = options[2].toggle("Grey lines for all countries", key="traj_context")

    base = view.base if view.base is not None and start <= view.base <= end else start
    current = TrajectoryView(
        indicator=indicator,
        areas=tuple(areas) or view.areas,
        start=start,
        end=end,
        scale=scale,
        base=base if scale == "indexed" else None,
        context=context,
    )
    query_params = current.to_query() | ({"gdp": "1"} if with_gdp and indicator != GDP else {})
    query_params |= {"v": version} if version else {}
    if query_params != params:
        st.query_params.from_dict(query_params)

    if not areas:
        st.warning("Choose at least one country or aggregate to draw the chart.")
        return
    shown = [indicator] + ([GDP] if with_gdp and indicator != GDP else [])
    columns = st.columns(len(shown) + 1) if len(shown) > 1 else st.columns([3, 2])
    for column, ident in zip(columns, shown, strict=False):
        _trajectory_block(column, ident, current)
    _ranking_block(columns[-1], indicator, current)


def _trajectory_block(column, ident: str, view: TrajectoryView) -> None:
    item = query.definition(ident)
    frame, notes = query.trajectory(
        ident, view.areas, (view.start, view.end), base_year=view.base if view.scale == "indexed" else None
    )
    context = None
    if view.context:
        others = [a for a in query.countries()["ref_area"] if a not in view.areas]
        context, _ = query.trajectory(
            ident, others, (view.start, view.end), base_year=view.base if view.scale == "indexed" else None
        )
    with column:
        if frame.empty:
            st.warning(f"No data for {item.label} for these areas and years.")
            return
        chart = charts.trajectory_chart(
            frame, title=item.label, unit=item.unit, scale=view.scale, base_year=view.base, context=context
        )
        st.altair_chart(chart, width="stretch", alt=charts.describe_trajectories(frame, item.label, item.unit))
        for note in notes:
            st.caption(f"Note: {note}.")
        ui.source_caption(query.source_line([ident]))
        ui.data_table(
            frame[["ref_area", "name", "year", "value"]], file_name=f"{ident}_trajectories.csv", key=f"traj_{ident}"
        )
        share_panel("trajectory", replace(view, indicator=ident), key=f"share_traj_{ident}")


def _ranking_block(column, ident: str, view: TrajectoryView) -> None:
    item = query.definition(ident)
    latest = query.latest(ident, list(view.areas), max_year=view.end)
    with column:
        if latest.empty:
            st.warning(f"No recent values of {item.label} for these areas.")
            return
        chart = charts.ranked_chart(
            latest,
            title=f"{item.label}: latest",
            unit=item.unit,
            higher_is_better=item.direction == Direction.higher_is_better,
            highlight=list(view.areas[:1]),
        )
        st.altair_chart(
            chart,
            width="stretch",
            height=embed.element_height(chart),
            alt=charts.describe_ranking(latest, item.label, item.unit),
        )
        better = "higher" if item.direction == Direction.higher_is_better else "lower"
        st.caption(f"Ranked among the selected areas; {better} is better. {query.source_line([ident])}")
        ui.data_table(
            latest[["rank", "ref_area", "name", "year", "value"]], file_name=f"{ident}_latest.csv", key=f"rank_{ident}"
        )
        share_panel("ranking", view, key=f"share_rank_{ident}")


render()
