"""Trajectories page (thin Streamlit file): one indicator over time for chosen areas, beside a ranking of
their latest values. The view lives in the URL (see ``state.py``); the frame does the rest."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import frame
from dashboard.pages.trajectories import data, state
from dashboard.pages.trajectories.data import GDP, PAGE
from dashboard.pages.trajectories.state import SCALES, TrajectoryView
from dashboard.url_state import SHARE_PARAMS
from indicators import query
from indicators.catalog import catalog
from indicators.schema import Direction

SCALE_LABELS = {"linear": "Absolute", "log": "Log", "indexed": "Indexed"}


def _initialise_widgets(view: TrajectoryView, first_year: int, last_year: int) -> None:
    frame.seed_widgets(
        "traj",
        lambda: {
            "traj_indicator": view.indicator,
            "traj_areas": list(view.areas),
            "traj_years": data.years_shown(view.indicator, view.start, view.end),
            "traj_scale": view.scale,
            "traj_context": view.context,
        },
    )


def body(link: frame.Link) -> None:
    definitions = catalog()
    indicator_ids = data.indicator_options()
    area_codes = data.area_options()
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    first_year, last_year = query.year_range(view.indicator)
    _initialise_widgets(view, first_year, last_year)
    frame.show_notices(view.notices)

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
        format_func=frame.place_label,
        max_selections=12,
        **frame.MULTI_PLACE_PICKER,
        placeholder="Choose up to 12",
    )
    first_year, last_year = query.year_range(indicator)
    years_state = st.session_state.get("traj_years", (first_year, last_year))
    clamped = (max(first_year, min(years_state[0], last_year)), min(last_year, max(years_state[1], first_year)))
    if clamped != tuple(years_state):
        st.session_state["traj_years"] = clamped
    options = st.columns([4, 2, 2])
    start, end = options[0].slider("Years", first_year, last_year, key="traj_years", step=1)
    scale = options[1].radio("Scale", SCALES, key="traj_scale", horizontal=True, format_func=SCALE_LABELS.get)
    with_gdp = options[2].toggle(
        "GDP per capita alongside",
        value=link.params.get("gdp") == "1",
        key="traj_gdp",
        disabled=indicator == GDP,
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
    frame.sync_url(current.to_query() | ({"gdp": "1"} if with_gdp and indicator != GDP else {}))

    if not areas:
        st.warning("Choose at least one country or aggregate to draw the chart.")
        return
    shown = [indicator] + ([GDP] if with_gdp and indicator != GDP else [])
    columns = st.columns(len(shown) + 1) if len(shown) > 1 else st.columns([3, 2])
    for column, ident in zip(columns, shown, strict=False):
        with column:
            frame.chart_block("trajectory", replace(current, indicator=ident), key=f"traj_{ident}")
    better = "higher" if query.definition(indicator).direction == Direction.higher_is_better else "lower"
    with columns[-1]:
        frame.chart_block(
            "ranking", current, key=f"rank_{indicator}", note=f"Ranked among the selected areas; {better} is better."
        )


frame.run(
    PAGE,
    body,
    title="Trajectories",
    caption="How a measure of wellbeing has moved over time — next to GDP, not instead of it.",
)
