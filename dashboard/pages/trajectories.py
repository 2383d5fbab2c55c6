"""Trajectories page: one indicator over time for chosen areas, beside a ranking of their latest values.

The whole view lives in the URL (indicator, areas, years, scale), so any state can be shared
as a link; a bad link gets a notice and the default view.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import embed, trajectory_views, ui
from dashboard.share_panel import base_url, drawn_view, pinned_version, share_panel
from dashboard.trajectory_views import PAGE
from dashboard.view_state import SCALES, SHARE_PARAMS, TrajectoryView, parse_trajectory
from indicators import query
from indicators.catalog import catalog
from indicators.schema import Direction

GDP = "gdp_per_capita_ppp"


def _initialise_widgets(view: TrajectoryView, first_year: int, last_year: int) -> None:
    ui.seed_widgets(
        "traj",
        lambda: {
            "traj_indicator": view.indicator,
            "traj_areas": list(view.areas),
            "traj_years": (view.start or max(first_year, trajectory_views.DEFAULT_START), view.end or last_year),
            "traj_scale": view.scale,
            "traj_context": view.context,
        },
    )


def render() -> None:
    if embed.embed_requested():
        embed.render_embed(PAGE)
        return
    definitions = catalog()
    indicator_ids = trajectory_views.indicator_options()
    area_codes = trajectory_views.area_options()
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
    _chart_block(column, "trajectory", replace(view, indicator=ident), f"traj_{ident}")


def _ranking_block(column, ident: str, view: TrajectoryView) -> None:
    item = query.definition(ident)
    better = "higher" if item.direction == Direction.higher_is_better else "lower"
    _chart_block(column, "ranking", view, f"rank_{ident}", note=f"Ranked among the selected areas; {better} is better.")


def _chart_block(column, kind: str, view: TrajectoryView, key: str, note: str = "") -> None:
    """One chart as the share registry draws it (built once per view and cached): the chart, its
    notes and source line, exactly its rows as a table and CSV, and its share panel."""
    with column:
        try:
            shared, spec = drawn_view(kind, view, base_url(PAGE))
        except query.QueryError as error:
            st.warning(f"Nothing to draw: {error}.")
            return
        height = spec.get("height")
        st.vega_lite_chart(
            spec,
            width="stretch",
            height=height + embed.CHART_FURNITURE_PX if isinstance(height, int) else "content",
            alt=shared.meta.description,
        )
        for line in shared.meta.notes:
            st.caption(f"Note: {line}.")
        ui.source_caption(f"{note} {shared.meta.source_line}".strip())
        ui.data_table(shared.data, file_name=shared.file_name("csv"), key=key)
        share_panel(kind, view, key=f"share_{key}")


render()
