"""Trajectories page (thin Streamlit file): one indicator over time for chosen places, beside a ranking of
their latest values. Countries, aggregates and regions (NUTS 2, OECD TL2, GDL) can be chosen together;
each group of places is drawn on the series that measures the indicator for it (see ``data.py``). The view
lives in the URL (see ``state.py``); the frame does the rest."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import frame
from dashboard.pages.trajectories import data, state
from dashboard.pages.trajectories.data import GDP, PAGE
from dashboard.pages.trajectories.state import MAX_AREAS, SCALES, TrajectoryView
from dashboard.theme import label_unit
from dashboard.url_state import SHARE_PARAMS
from indicators import areas as places
from indicators import query
from indicators.catalog import catalog
from indicators.schema import Direction

SCALE_LABELS = {"linear": "Absolute", "log": "Log", "indexed": "Indexed"}


def _initialise_widgets(view: TrajectoryView) -> None:
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


def _add_place(code: str) -> None:
    """ "Find a region" picked ``code``: add it to the chosen places (the last one makes room at the limit)."""
    chosen = [c for c in st.session_state.get("traj_areas", []) if c != code]
    st.session_state["traj_areas"] = [*chosen[: MAX_AREAS - 1], code]


def body(link: frame.Link) -> None:
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    _initialise_widgets(view)
    frame.show_link_notices(link, view.notices)

    chosen_now = list(st.session_state.get("traj_areas", view.areas))
    listed = data.place_options()
    # Regions are not listed (there are thousands): one chosen from a link or "Find a region" joins the list.
    area_codes = listed + [c for c in chosen_now if c not in set(listed)]
    # The chosen places' levels, and the chosen indicator's own (a link may name a regional measure).
    held = st.session_state.get("traj_indicator")
    levels = {*data.levels_chosen(chosen_now), *([catalog()[held].level] if held in catalog() else [])}
    indicator_ids = data.indicator_options(tuple(levels))
    if held not in indicator_ids:
        st.session_state["traj_indicator"] = (
            state.DEFAULT_INDICATOR if state.DEFAULT_INDICATOR in indicator_ids else GDP
        )

    controls = st.columns([3, 4])
    indicator = controls[0].selectbox(
        "Indicator", indicator_ids, key="traj_indicator", format_func=data.indicator_label
    )
    chosen = controls[1].multiselect(
        "Places (countries, groups, regions)",
        area_codes,
        key="traj_areas",
        format_func=frame.place_label,
        max_selections=MAX_AREAS,
        **frame.MULTI_PLACE_PICKER,
        placeholder=f"Choose up to {MAX_AREAS}",
    )
    frame.region_finder("traj_find", _add_place, container=controls[1])
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
        value=state.gdp_alongside(link.params),
        key="traj_gdp",
        disabled=indicator == GDP,
    )
    context = options[2].toggle("Grey lines for the rest", key="traj_context")

    base = view.base if view.base is not None and start <= view.base <= end else start
    current = TrajectoryView(
        indicator=indicator,
        areas=tuple(chosen) or view.areas,
        start=start,
        end=end,
        scale=scale,
        base=base if scale == "indexed" else None,
        context=context,
    )
    # The indicator's default years are left out of the link, so the empty link stays empty.
    linked = (
        replace(current, start=None, end=None) if (start, end) == data.years_shown(indicator, None, None) else current
    )
    frame.sync_url(linked.to_query() | state.gdp_query(with_gdp, indicator))

    if not chosen:
        st.warning("Choose at least one place to draw the chart.")
        return
    groups, notes = data.series_groups(indicator, tuple(chosen))
    for note in notes:
        st.caption(f"Note: {note}.")
    for number, (ident, codes) in enumerate(groups):
        _group_row(current, ident, codes, with_gdp=with_gdp, number=number)


def _group_row(current: TrajectoryView, ident: str, codes: tuple[str, ...], *, with_gdp: bool, number: int) -> None:
    """One row of charts for the places drawn on series ``ident`` (row ``number``, 0 for the chosen
    indicator's): its trajectory, GDP (or the level's equivalent) alongside when asked, and the ranking of their
    latest values (only when it ranks more than one place)."""
    prefix = "traj" if number == 0 else f"traj_{number}"
    item = catalog()[ident]
    first, last = query.year_range(ident)
    if ident != current.indicator:
        names = ", ".join(places.short_names(codes).values())
        regional = item.level != "country"
        st.caption(
            f"{names}: {label_unit(item.label, item.unit)}, the {'regional' if regional else 'national'} measure of "
            f"{catalog()[current.indicator].label} — a series of its own, not comparable in value with the "
            "chart above"
            + (f"; one year only ({first})" if first == last else "")
            + (
                ". Beside a region, GDP is its level's own (GDP per inhabitant, household income or GNI per "
                "person) and grey lines are the other regions of its country."
                if regional
                else "."
            )
        )
    start, end = data.years_shown(ident, current.start, current.end)
    view = replace(current, indicator=ident, areas=codes, start=start, end=end)
    # GDP beside a region is its own level's (Stockholm: GDP per inhabitant, even on an OECD TL2 measure).
    gdp_series = {data.series_for(GDP, code) for code in codes} - {None}
    gdp = gdp_series.pop() if len(gdp_series) == 1 else places.equivalent(GDP, item.level)
    shown = [ident] + ([gdp] if with_gdp and gdp and gdp != ident else [])
    ranked = len(codes) > 1  # a "ranking" of one place says nothing a journalist could quote
    if not ranked:
        columns = st.columns(len(shown))
    else:
        columns = st.columns(len(shown) + 1) if len(shown) > 1 else st.columns([3, 2])
    for column, series in zip(columns, shown, strict=False):
        with column:
            first, last = data.years_shown(series, current.start, current.end)
            frame.chart_block(
                "trajectory", replace(view, indicator=series, start=first, end=last), key=f"{prefix}_{series}"
            )
    if not ranked:
        return
    better = "higher" if query.definition(ident).direction == Direction.higher_is_better else "lower"
    with columns[-1]:
        frame.chart_block(
            "ranking", view, key=f"rank_{ident}", note=f"Ranked among the selected places; {better} is better."
        )


frame.run(
    PAGE,
    body,
    title="Trajectories",
    caption="How a measure of wellbeing has moved over time — next to GDP, not instead of it.",
)
