"""Maps page: one indicator as a choropleth of countries, European NUTS 2 regions, GDL regions or OECD TL2 regions.

The view (level, indicator, year, country) lives in the URL. Every area with data but no
shape is listed under the map, with the reason; regions outside the European frame and TL2
regions outside Europe (no boundaries) are in the table and ranking below the map.
"""

from __future__ import annotations

import streamlit as st

from dashboard import maps, ui
from dashboard.view_state import DEFAULT_MAP_INDICATORS, MAP_LEVELS, MapView, parse_map
from indicators import query
from indicators.catalog import catalog

THEME_ORDER = {"economy": 0, "inclusive": 1, "circular": 2, "climate": 3}
LIST_AT_MOST = 40


def _indicators_by_level() -> dict[str, list[str]]:
    by_level: dict[str, list[str]] = {level: [] for level in MAP_LEVELS}
    for item in sorted(catalog().values(), key=lambda d: (THEME_ORDER.get(d.theme, 9), d.label)):
        if item.level in by_level:
            by_level[item.level].append(item.id)
    return by_level


def _years(indicator: str) -> tuple[int, int]:
    try:
        return query.year_range(indicator)
    except (query.QueryError, ValueError):
        return (1800, 2100)


def _country_name(code: str) -> str:
    return "All countries" if code == "" else query.area_name(code)


def _listing(codes: dict[str, str], names: dict[str, str]) -> str:
    items = [f"{names.get(code, code)} ({code})" for code in list(codes)[:LIST_AT_MOST]]
    more = len(codes) - LIST_AT_MOST
    return ", ".join(items) + (f" and {more} more (see the data table)" if more > 0 else "")


def _initialise_widgets(view: MapView) -> None:
    if st.session_state.get("map_initialised"):
        return
    st.session_state.update(
        map_level=view.level,
        map_indicator=view.indicator,
        map_country=view.country or "",
        map_initialised=True,
    )
    if view.year is not None:
        st.session_state["map_year"] = view.year


def render() -> None:
    by_level = _indicators_by_level()
    params = st.query_params.to_dict()
    view = parse_map(params, indicators=by_level, countries=_all_countries(by_level), years=_years)
    _initialise_widgets(view)

    st.title("Maps")
    st.caption("Where wellbeing is high or low — between countries and inside them.")
    ui.show_notices(view.notices)

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
    country = controls[2].selectbox(
        "Regions within one country",
        countries,
        key="map_country",
        format_func=_country_name,
        disabled=level == "country",
    )
    country = None if level == "country" or not country else country

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
    data = maps.map_data(indicator, level, year, country)

    current = MapView(level=level, indicator=indicator, year=year, country=country)
    query_params = current.to_query()
    if query_params != params:
        st.query_params.from_dict(query_params)

    item = query.definition(indicator)
    better = maps.higher_is_better(indicator)
    chart = maps.choropleth(
        data.lookup, data.geometry, title=item.label, unit=item.unit, higher_is_better=better, year=year
    )
    description = maps.describe_map(
        data.shown, title=item.label, unit=item.unit, year=year, shapes=len(data.geometry.codes)
    )
    st.altair_chart(chart, width="stretch", alt=description)
    names = dict(zip(data.shown["ref_area"], data.shown["name"], strict=True))
    if level == "tl2":
        st.caption(
            "OECD TL2 regions have boundaries here only in Europe (drawn with NUTS 2021 shapes); "
            "regions elsewhere (Australia, Canada, Chile, Israel, Japan, Korea, Mexico, New Zealand, "
            "United States ...) are in the ranking and table below."
        )
    if data.without_shape:
        reasons = sorted(set(data.without_shape.values()))
        st.caption(
            f"{len(data.without_shape)} regions in the data have no shape in the map: "
            f"{_listing(data.without_shape, names)}. Why: {'; '.join(reasons[:6])}."
        )
    if data.outside_frame:
        st.caption(
            f"{len(data.outside_frame)} regions lie outside the map frame and are listed in the table: "
            f"{_listing(data.outside_frame, names)}."
        )
    st.caption("Colours: viridis, darker = better. Light grey = no data for this year. " + ui_source(indicator))
    shown = maps.ranking(data.shown, better)
    if level == "tl2":
        st.subheader(f"Ranking: {item.label}", divider="gray")
        st.dataframe(shown, hide_index=True, width="stretch", height=320)
    ui.data_table(shown, file_name=f"{indicator}_{level}_{year}.csv", key=f"map_{indicator}")


def _all_countries(by_level: dict[str, list[str]]) -> dict[str, list[str]]:
    """Countries whose regions any indicator of a level covers (what a 'country' link may name)."""
    out: dict[str, list[str]] = {}
    for level in by_level:
        if level == "country":
            continue
        codes = query.areas()
        table = codes[codes["level"].isin(maps.AREA_LEVELS[level])]
        out[level] = sorted(table["country"].dropna().unique())
    return out


def ui_source(indicator: str) -> str:
    return query.source_line([indicator])


render()
