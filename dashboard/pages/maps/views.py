"""Maps page, shareable chart: one choropleth, built from the link alone.

Registered with :mod:`dashboard.share` as the ``map`` view kind, so the page, its share panel, the
embed view, the export CLI and the bake all draw the map from nothing but the link (level,
indicator, year, country). The rows shared as CSV are the areas with a value, ranked — never the
geometry, which travels only inside the chart spec.
"""

from __future__ import annotations

from dashboard.pages.maps import charts
from dashboard.pages.maps import data as maps
from dashboard.pages.maps.data import PAGE
from dashboard.pages.maps.state import MapView, parse
from dashboard.view_kind import Drawn, ViewKind
from indicators import query

#: Areas named one by one in a note under the map; the rest are in the data table.
LIST_AT_MOST = 40
TL2_NOTE = (
    "OECD TL2 regions have boundaries here only in Europe (drawn with NUTS 2021 shapes); "
    "regions elsewhere (Australia, Canada, Chile, Israel, Japan, Korea, Mexico, New Zealand, "
    "United States ...) are in the ranking and table below"
)


def listing(codes: dict[str, str], names: dict[str, str]) -> str:
    items = [f"{names.get(code, code)} ({code})" for code in list(codes)[:LIST_AT_MOST]]
    more = len(codes) - LIST_AT_MOST
    return ", ".join(items) + (f" and {more} more (see the data table)" if more > 0 else "")


def build_map(view: MapView) -> Drawn:
    """The choropleth for the view's level, indicator, year and country, and its ranked rows."""
    item = query.definition(view.indicator)
    years, default = maps.map_years(view.indicator, view.level, view.country)
    if not years:
        where = f" in {query.area_name(view.country)}" if view.country else ""
        raise query.QueryError(f"no data for {item.label} at {maps.LEVEL_LABELS[view.level]}{where}")
    year = view.year if view.year in years else default
    data = maps.map_data(view.indicator, view.level, year, view.country)
    better = maps.higher_is_better(view.indicator)
    where = f"regions of {query.area_name(view.country)}" if view.country else maps.LEVEL_LABELS[view.level]
    where = "all countries" if view.level == "country" else where
    title = f"{item.label} — {where}, {year}"
    chart = charts.choropleth(
        data.lookup, data.geometry, title=title, unit=item.unit, higher_is_better=better, year=year
    )
    names = dict(zip(data.shown["ref_area"], data.shown["name"], strict=True))
    notes = [TL2_NOTE] if view.level == "tl2" else []
    if data.without_shape:
        reasons = sorted(set(data.without_shape.values()))
        notes.append(
            f"{len(data.without_shape)} regions in the data have no shape in the map: "
            f"{listing(data.without_shape, names)}. Why: {'; '.join(reasons[:6])}"
        )
    if data.outside_frame:
        notes.append(
            f"{len(data.outside_frame)} regions lie outside the map frame and are listed in the table: "
            f"{listing(data.outside_frame, names)}"
        )
    place = f"_{view.country}" if view.country else ""
    return Drawn(
        chart=chart,
        data=maps.ranking(data.shown, better),
        title=title,
        indicators=(view.indicator,),
        stem=f"{view.indicator}_{view.level}{place}_{year}_map",
        description=charts.describe_map(
            data.shown, title=item.label, unit=item.unit, year=year, shapes=len(data.geometry.codes)
        ),
        notes=tuple(notes),
    )


KINDS = (ViewKind("map", page=PAGE, label="Map", parse=parse, build=build_map),)
