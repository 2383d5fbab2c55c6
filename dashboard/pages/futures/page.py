"""Futures page: are we on course, and what would it take? (thin Streamlit file)

History, the validated projection with its band, the target line, the change per year achieved vs
required, and a pathway builder whose scenario lives in the URL (``rate=`` or ``by=``).
"""

from __future__ import annotations

import streamlit as st

from dashboard import frame
from dashboard.pages.futures import data, state
from dashboard.pages.futures.views import PAGE, boundary_text, pathway_text, percent, target_text
from dashboard.url_state import SHARE_PARAMS
from indicators import pathways, query, status
from indicators.methods.signals import readable

MODES = ("none", "rate", "by")
MODE_LABELS = {"none": "No pathway", "rate": "A change per year", "by": "Reach the target by a year"}


def body(link: frame.Link) -> None:
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    frame.seed_widgets(
        "fut",
        lambda: {
            "fut_area": view.area,
            "fut_indicator": view.indicator,
            "fut_mode": "rate" if view.rate is not None else "by" if view.by is not None else "none",
            "fut_rate": view.rate if view.rate is not None else -5.0,
            "fut_by": view.by,
            "fut_gdp_set": view.gdp is not None,
            "fut_gdp": view.gdp if view.gdp is not None else 1.5,
        },
    )
    frame.show_link_notices(link, view.notices)

    top = st.columns([2, 3])
    area = top[0].selectbox(
        "Place", state.area_options(), key="fut_area", format_func=frame.place_label, **frame.PLACE_PICKER
    )
    level = state.level_of_area(area)
    options = state.indicator_options(level)
    if st.session_state.get("fut_indicator") not in options:
        st.session_state["fut_indicator"] = state.default_indicator(level)
    indicator = top[1].selectbox(
        "Indicator",
        options,
        key="fut_indicator",
        format_func=lambda i: query.definition(i).label + ("  · has a target" if query.definition(i).targets else ""),
    )
    probe = state.FuturesView(area=area, indicator=indicator)
    try:
        look = data.outlook(probe)
    except query.QueryError as error:
        st.warning(f"Nothing to draw: {error}. Choose another indicator or place.")
        frame.sync_url(probe.to_query())
        return

    with st.container(border=True):
        st.markdown("**Pathway builder** — the scenario is part of the link, so it can be shared.")
        cols = st.columns([3, 2, 2])
        modes = MODES if look.target is not None else MODES[:2]
        if st.session_state.get("fut_mode") not in modes:
            st.session_state["fut_mode"] = "none"
        mode = cols[0].radio("Pathway", modes, key="fut_mode", format_func=MODE_LABELS.get, horizontal=True)
        rate = by = None
        if mode == "rate":
            rate = cols[1].number_input(
                "Change per year (% of the value)",
                min_value=-50.0,
                max_value=50.0,
                step=0.5,
                key="fut_rate",
                format="%.1f",
            )
        elif mode == "by":
            first = look.latest_year + 1
            if not isinstance(st.session_state.get("fut_by"), int) or not first <= st.session_state["fut_by"] <= 2100:
                st.session_state["fut_by"] = max(first, look.target.year if look.target else first)
            by = cols[1].number_input("Reach the target in", min_value=first, max_value=2100, step=1, key="fut_by")
        gdp = None
        decoupling = data.applies_decoupling(probe)
        if decoupling and cols[2].toggle("Set GDP growth myself", key="fut_gdp_set"):
            gdp = cols[2].number_input(
                "GDP per person growth (%/yr)",
                min_value=-10.0,
                max_value=15.0,
                step=0.5,
                key="fut_gdp",
                format="%.1f",
            )
    current = state.FuturesView(area=area, indicator=indicator, rate=rate, by=by, gdp=gdp)
    frame.sync_url(current.to_query())

    _summary(current, look, decoupling)
    frame.chart_block("futures", current, key="fut_outlook")
    frame.chart_block("futures_rates", current, key="fut_rates")
    with st.expander("How the status and arrow are decided"):
        st.markdown(status.RULE_TEXT)


def _summary(view: state.FuturesView, look: data.Outlook, decoupling: bool) -> None:
    """The answer in words, above the charts: where the place stands, and what the pathway implies."""
    item = query.definition(view.indicator)
    lines = [
        f"**{query.area_name(view.area)}, {item.label}**: {readable(look.latest)} {item.unit} in "
        f"{look.latest_year}; {target_text(look, item.unit)}.",
    ]
    if look.boundary is not None:
        lines.append(boundary_text(look) + ".")
    if look.status is not None:
        lines.append(f"Status: **{look.status.level_label}**, {look.status.arrow} {look.status.trend_label}.")
    text = pathway_text(view, look)
    if text:
        lines.append(text + ".")
    rate = data.pathway_rate(view, look)
    if decoupling:
        growth, origin = data.gdp_growth(view)
        measure_rate = rate if rate is not None else (look.required.rate if look.required else None)
        if growth is not None and measure_rate is not None:
            what = (
                "your pathway"
                if rate is not None
                else ("reaching the green threshold in time" if look.aims_at_green else "reaching the target in time")
            )
            needed = pathways.implied_intensity_rate(measure_rate, growth)
            lines.append(
                f"Decoupling implied: with GDP per person growing {percent(growth)} ({origin}), {what} needs "
                f"{item.label} per unit of GDP to change by **{percent(needed)}**."
            )
            past_growth, past_origin = data.gdp_growth(view, end_year=look.latest_year)
            if past_growth is not None and look.achieved is not None and look.achieved.rate is not None:
                achieved = pathways.implied_intensity_rate(look.achieved.rate, past_growth)
                lines.append(
                    f"Achieved in the {data.TREND_WINDOW} years to {look.latest_year}: {percent(achieved)} per unit "
                    f"of GDP ({item.label} {percent(look.achieved.rate)}, GDP per person {percent(past_growth)}, "
                    f"{past_origin})."
                )
    st.markdown("  \n".join(lines))


frame.run(
    PAGE,
    body,
    title="Futures",
    caption="Are we on course for the target, and what would it take? The observed values, a projection ('no "
    "change' unless a method beat it on the recent past; one method for every year ahead, its 90% band never "
    "narrowing further out), the target, and a pathway you can set.",
)
