"""Maps page (thin Streamlit file): one indicator as a choropleth of countries, European NUTS 2 regions, GDL regions or OECD TL2 regions.

The view (level, indicator, year, country) lives in the URL. Every area with data but no
shape is listed under the map, with the reason; regions outside the European frame and TL2
regions outside Europe (no boundaries) are in the table and ranking below the map.
"""

from __future__ import annotations

import streamlit as st

from dashboard import frame
from dashboard.pages.maps import data as maps
from dashboard.pages.maps import state
from dashboard.pages.maps.data import MAP_LEVELS, PAGE
from dashboard.pages.maps.state import DEFAULT_MAP_INDICATORS, MapView
from dashboard.url_state import SHARE_PARAMS
from indicators import query
from indicators.catalog import catalog


def _country_name(code: str) -> str:
    return "All countries" if code == "" else query.area_name(code)


def _initialise_widgets(view: MapView) -> None:
    frame.seed_widgets(
        "map",
        lambda: {
            "map_level": view.level,
            "map_indicator": view.indicator,
            "map_country": view.country or "",
            **({} if view.year is None else {"map_year": view.year}),
        },
    )


def body(link: frame.Link) -> None:
    by_level = maps.indicators_by_level()
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    _initialise_widgets(view)
    frame.show_link_notices(link, view.notices)

    levels = [level for level in MAP_LEVELS if by_level.get(level)]
    controls = st.columns([3, 4, 3])
    level = controls[0].radio("Areas", levels, key="map_level", format_func=maps.LEVEL_LABELS.get)
    options = by_level[level]
    if st.session_state.get("map_indicator") not in options:
        preferred = [view.indicator, DEFAULT_MAP_INDICATORS.get(level)]
        st.session_state["map_indicator"] = next((i for i in preferred if i in options), options[0])
    definitions = catalog()
    indicator = controls[1].selectbox(
        "Indicator",
        options,
        key="map_indicator",
        format_func=lambda i: f"{definitions[i].theme.title()} · {definitions[i].label}",
    )
    countries = [""] + maps.countries_with_regions(indicator, level)
    if st.session_state.get("map_country", "") not in countries:
        st.session_state["map_country"] = ""
    country = None
    if level != "country":  # shown only where it applies (a greyed-out label is too faint to read)
        country = controls[2].selectbox(
            "Regions within one country", countries, key="map_country", format_func=_country_name
        )
    country = country or None

    years, default_year = maps.map_years(indicator, level, country)
    if not years:
        st.warning("No data for this indicator and selection.")
        return
    if st.session_state.get("map_year") not in years:
        st.session_state["map_year"] = default_year
    if len(years) > 1:
        year = st.select_slider("Year", options=list(years), key="map_year")
    else:
        year = years[0]
        st.session_state["map_year"] = year
        st.caption(f"One year of data only: {year}.")
    current = MapView(level=level, indicator=indicator, year=year, country=country)
    frame.sync_url(current.to_query())

    note = "Colours: viridis, darker = better. Light grey = no data for this year."
    shared = frame.chart_block("map", current, key=f"map_{indicator}", note=note)
    if shared is not None and level == "tl2":
        st.subheader(f"Ranking: {query.definition(indicator).label}", divider="gray")
        st.dataframe(shared.data, hide_index=True, width="stretch", height=320)


frame.run(
    PAGE,
    body,
    title="Maps",
    caption="Where wellbeing is high or low — between countries and inside them.",
)
