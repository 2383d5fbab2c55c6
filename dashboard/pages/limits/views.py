"""Floors-and-ceilings page: its shareable charts (``KINDS``, gathered by :mod:`dashboard.registry`).

``limits`` draws one place against every sourced floor and ceiling; ``limits_world`` every country by
thresholds achieved and boundaries transgressed, with the link's place ringed.
"""

from __future__ import annotations

from dashboard.pages.limits import charts, data
from dashboard.pages.limits.state import LimitsView, parse
from dashboard.pages.titles import published, years_of
from dashboard.view_kind import Drawn, ViewKind
from indicators import limits, query
from indicators.numbers import readable

PAGE = "limits"


def reading(record) -> str:
    """Value and threshold in the indicator's own terms: 'Gini index 40.39 … (floor: at most 30)'."""
    threshold = (
        limits.thresholds().get(record.indicator) or limits.thresholds()[data.REGIONAL_EQUIVALENTS[record.indicator]]
    )
    if threshold.transform == "complement_100":
        bound = f"at most {published(100 - threshold.value)}"
    else:
        bound = f"{'at least' if threshold.kind == 'floor' else 'at most'} {published(threshold.value)}"
    return f"{record.label} {readable(record.value)} {record.unit} in {int(record.year)} ({threshold.kind}: {bound})"


def build_place(view: LimitsView) -> Drawn:
    place = query.area_name(view.area)
    frame, notes = data.place(view)
    if frame.empty:
        raise query.QueryError(f"no floor or ceiling has data for {place}")
    frame = frame.assign(
        reading=[reading(r) for r in frame.itertuples(index=False)],
        row=[f"{r.dimension}" + ("" if r.where == place else " (national)") for r in frame.itertuples(index=False)],
    )
    floors, ceilings = frame[frame["kind"] == "floor"], frame[frame["kind"] == "ceiling"]
    title = (
        f"{place}: social floors achieved and planetary boundaries respected, per person "
        f"({years_of(frame['year'], per='measure')})"
    )
    subtitle = (
        f"Floors: {int(floors['met'].sum())} of {len(floors)} achieved; ceilings: "
        f"{int((~ceilings['met'].astype(bool)).sum())} of {len(ceilings)} overshot. Value ÷ threshold; "
        "thresholds from O'Neill et al. (2018) and Fanning et al. (2022); each row's latest data year"
        + ("; rows marked (national) are the country's values" if (frame["where"] != place).any() else "")
    )
    columns = [
        "indicator", "label", "dimension", "kind", "where", "year", "value", "unit", "threshold", "ratio",
        "status", "shortfall", "overshoot", "citation", "threshold_year", "note", "estimated",
    ]  # fmt: skip
    rows = frame[columns]
    description = f"{title}. " + "; ".join(
        f"{r.row}: {r.reading}, ratio {r.ratio:.2f}, {r.status.lower()}" for r in frame.itertuples(index=False)
    )
    return Drawn(
        chart=charts.place_chart(frame, title=title, subtitle=subtitle),
        data=rows,
        title=title,
        indicators=tuple(dict.fromkeys(frame["indicator"])),
        stem=f"{view.area}_floors_and_ceilings",
        description=description,
        notes=tuple(notes),
    )


def _data_years(table) -> str:
    """The span of data years behind the world view (each country's oldest and newest value it is judged on)."""
    return years_of([table["first_year"].min(), table["last_year"].max()], per="country and measure")


def build_world(view: LimitsView) -> Drawn:
    table, left_out = data.world()
    if table.empty:
        raise query.QueryError("no country has data for enough thresholds")
    floors = [t for t in limits.thresholds().values() if t.kind == "floor"]
    ceilings = [t for t in limits.thresholds().values() if t.kind == "ceiling"]
    # A region is placed through its country: the world view compares countries.
    own = view.area if data.level_of(view.area) == "country" else data.country_of(view.area)
    highlight = own if own in set(table["ref_area"]) else None
    title = "Who lives well within limits? Social thresholds achieved vs planetary boundaries transgressed"
    subtitle = (
        f"{len(table)} countries, latest data ({_data_years(table)}); {len(floors)} social floors and {len(ceilings)} per-person boundaries "
        f"(O'Neill et al. 2018; Fanning et al. 2022); {left_out} countries with too little data left out; "
        "dots spread slightly around their exact share so that countries with the same share stay visible"
        + (f"; ringed: {query.area_name(highlight)}" if highlight else "")
    )
    notes = []
    if highlight is None:
        notes.append(f"{query.area_name(own or view.area)} is not among the countries with enough data to be placed")
    elif highlight != view.area:
        notes.append(f"{query.area_name(view.area)} is a region: its country, {query.area_name(highlight)}, is ringed")
    rows = table[
        ["ref_area", "name", "social_achieved", "social_total", "boundaries_transgressed", "boundaries_total",
         "social_share", "boundary_share", "gdp_per_capita", "first_year", "last_year"]
    ]  # fmt: skip
    ids = tuple(dict.fromkeys([*(t.indicator for t in floors + ceilings), limits.GDP_PER_CAPITA]))
    return Drawn(
        chart=charts.world_chart(table, highlight=highlight, title=title, subtitle=subtitle),
        data=rows,
        title=title,
        indicators=ids,
        stem="world_floors_and_ceilings",
        description=f"{title}: scatter of {len(table)} countries. "
        + (
            f"{query.area_name(highlight)}: {int(table.set_index('ref_area').at[highlight, 'social_achieved'])} social "
            f"thresholds achieved, {int(table.set_index('ref_area').at[highlight, 'boundaries_transgressed'])} "
            "boundaries transgressed."
            if highlight
            else ""
        ),
        notes=tuple(notes),
    )


def parse_link(params) -> LimitsView:
    return parse(params)


#: The page's shareable charts, gathered by :mod:`dashboard.registry` (the first is the page's default).
KINDS = (
    ViewKind("limits", page=PAGE, label="Floors and ceilings of one place", parse=parse_link, build=build_place),
    ViewKind("limits_world", page=PAGE, label="Every country: within limits?", parse=parse_link, build=build_world),
)
