"""The Maps page's shareable chart — one choropleth — as pure parse and build functions.

Registered with :mod:`dashboard.share` as the ``map`` view kind, so the page, its share panel, the
embed view, the export CLI and the bake all draw the map from nothing but the link (level,
indicator, year, country). The rows shared as CSV are the areas with a value, ranked — never the
geometry, which travels only inside the chart spec.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard import maps
from dashboard.share import Drawn, ViewKind, register
from dashboard.view_state import MAP_LEVELS, MapView, parse_map
from indicators import query
from indicators.catalog import catalog

PAGE = "maps"
THEME_ORDER = {"economy": 0, "inclusive": 1, "circular": 2, "climate": 3}
#: Areas named one by one in a note under the map; the rest are in the data table.
LIST_AT_MOST = 40
TL2_NOTE = (
    "OECD TL2 regions have boundaries here only in Europe (drawn with NUTS 2021 shapes); "
    "regions elsewhere (Australia, Canada, Chile, Israel, Japan, Korea, Mexico, New Zealand, "
    "United States ...) are in the ranking and table below"
)


def indicators_by_level() -> dict[str, list[str]]:
    """Indicator ids offered at each map level, grouped by theme and sorted by label (the drop-down order)."""
    by_level: dict[str, list[str]] = {level: [] for level in MAP_LEVELS}
    for item in sorted(catalog().values(), key=lambda d: (THEME_ORDER.get(d.theme, 9), d.label)):
        if item.level in by_level:
            by_level[item.level].append(item.id)
    return by_level


def year_span(indicator: str) -> tuple[int, int]:
    try:
        return query.year_range(indicator)
    except (query.QueryError, ValueError):
        return (1800, 2100)


def all_countries(by_level: dict[str, list[str]]) -> dict[str, list[str]]:
    """Countries whose regions any indicator of a level covers (what a 'country' link may name)."""
    out: dict[str, list[str]] = {}
    codes = query.areas()
    for level in by_level:
        if level == "country":
            continue
        table = codes[codes["level"].isin(maps.AREA_LEVELS[level])]
        out[level] = sorted(table["country"].dropna().unique())
    return out


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> MapView:
    """A Maps link -> view, with a notice for every value not understood."""
    by_level = indicators_by_level()
    return parse_map(
        params, indicators=by_level, countries=all_countries(by_level), years=year_span, extra_allowed=extra_allowed
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
    chart = maps.choropleth(
        data.lookup, data.geometry, title=item.label, unit=item.unit, higher_is_better=better, year=year
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
        title=f"{item.label}, {year}",
        indicators=(view.indicator,),
        stem=f"{view.indicator}_{view.level}{place}_{year}_map",
        description=maps.describe_map(
            data.shown, title=item.label, unit=item.unit, year=year, shapes=len(data.geometry.codes)
        ),
        notes=tuple(notes),
    )


register(ViewKind("map", page=PAGE, label="Map", parse=parse, build=build_map))
