"""Decoupling page: its shareable charts (``KINDS``, gathered by :mod:`dashboard.registry`).

``decoupling`` is the connected scatter, ``decoupling_rates`` the annual rates and verdicts beside it,
``decoupling_outsourcing`` territorial vs consumption-based CO2 (only for CO2). The page, its share
panel, the embed view, ``python -m dashboard export`` and the bake all draw them from the link alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.pages.decoupling import charts, data
from dashboard.pages.decoupling.state import DecouplingView, parse
from dashboard.view_kind import Drawn, ViewKind
from indicators import query
from indicators.numbers import readable

PAGE = "decoupling"


def _places(view: DecouplingView, limit: int = 4) -> str:
    names = [query.area_name(a) for a in view.areas]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def build_scatter(view: DecouplingView) -> Drawn:
    x_item, y_item = query.definition(view.x), query.definition(view.y)
    start, end = data.years_shown(view)
    trails, notes = data.trails(view)
    trails = trails.assign(estimated=query.estimated_at([view.x, view.y], trails["ref_area"], trails["year"]))
    if trails.empty:
        raise query.QueryError(
            f"no years with both {x_item.label} and {y_item.label} for {_places(view)} in {start}–{end}"
        )
    context = data.context(view) if view.context else None
    if context is not None:
        context = context.assign(estimated=query.estimated_at([view.x, view.y], context["ref_area"], context["year"]))
    level = {"country": "country", "nuts2": "NUTS2 region", "gdl_region": "region of the same countries"}[view.level]
    grey = f"; grey: every other {level}" if context is not None and not context.empty else ""
    title = f"{y_item.label} against {x_item.label}, {start}–{end}: {_places(view)}"
    chart_ = charts.connected_scatter(
        trails,
        title=title,
        subtitle=f"One line per place in year order, first and last year labelled{grey}",
        x_title=f"{x_item.label} ({x_item.unit})",
        y_title=f"{y_item.label} ({y_item.unit})",
        log_x=view.log,
        context=context,
    )
    rows = trails.assign(selected=True)
    if context is not None and not context.empty:
        rows = pd.concat([rows, context.assign(selected=False)], ignore_index=True)
    rows = rows.rename(columns={"x": view.x, "y": view.y})
    moves = "; ".join(
        f"{g.iloc[0]['name']} from ({readable(g.iloc[0]['x'])}, {readable(g.iloc[0]['y'])}) in {int(g.iloc[0]['year'])} "
        f"to ({readable(g.iloc[-1]['x'])}, {readable(g.iloc[-1]['y'])}) in {int(g.iloc[-1]['year'])}"
        for _, g in trails.groupby("ref_area", sort=False)
    )
    return Drawn(
        chart=chart_,
        data=rows,
        title=title,
        indicators=(view.x, view.y),
        stem=f"{view.y}_vs_{view.x}_decoupling",
        description=f"Connected scatter of {y_item.label} ({y_item.unit}) against {x_item.label} ({x_item.unit}). {moves}.",
        notes=tuple(notes),
    )


def rates_frame(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The verdict table as rows for :func:`chart.rates_chart`: a GDP point and a measure point per row."""
    several = table["measure"].nunique() > 1
    rows = []
    for record in table.itertuples(index=False):
        row = f"{record.name} · {record.pressure_label}" if several else record.name
        verdict = data.short_verdict(record.verdict) if record.verdict else ""
        for series, rate in ((record.driver_label, record.gdp_rate), (record.pressure_label, record.pressure_rate)):
            rows.append({"row": row, "series": series, "per_year": rate, "period": period, "verdict_label": verdict})
    return pd.DataFrame(rows, columns=["row", "series", "per_year", "period", "verdict_label"])


def _ends_estimated(table: pd.DataFrame, start: int, end: int) -> pd.Series:
    """True where the publisher estimated a value a row's rates come from (pressure or GDP, first or last year)."""
    flags = pd.Series(False, index=table.index)
    for (pressure, driver), part in table.groupby(["pressure", "driver"], sort=False):
        for year in (start, end):
            years = pd.Series(year, index=part.index)
            flags[part.index] |= query.estimated_at([pressure, driver], part["ref_area"], years)
    return flags


def build_rates(view: DecouplingView) -> Drawn:
    start, end = data.years_shown(view)
    table, notes = data.verdicts(view)
    measures = data.verdict_measures(view)
    labels = " and ".join(query.definition(m).label for m in measures)
    if table.empty:
        raise query.QueryError(f"no place has {labels} and GDP in both {start} and {end}; {'; '.join(notes)}")
    pairs = list(dict.fromkeys(zip(table["pressure"], table["driver"], strict=True)))
    judged = list(dict.fromkeys(i for pair in pairs for i in pair))
    pressure = data.is_pressure(measures[0])
    what = "; ".join(f"{query.definition(p).label} against {query.definition(d).label}" for p, d in pairs)
    judged_labels = " and ".join(dict.fromkeys(query.definition(p).label for p, _ in pairs))
    drivers = " and ".join(dict.fromkeys(query.definition(d).label for _, d in pairs))
    if pressure:
        title = f"Did {judged_labels} decouple from {drivers} in {_places(view)}, {start}–{end}?"
        subtitle = f"Average change per year, relative to the value, {start}–{end}: {what}. Verdict at right."
    else:
        title = f"{labels} and {drivers} in {_places(view)}: average change per year, {start}–{end}"
        subtitle = (
            f"Average change per year, relative to the value: {what}. No decoupling verdict: verdicts are for "
            "environmental pressures (emissions, materials, energy)."
        )
    description = "; ".join(
        f"{r.name}, {start}–{end}: {r.driver_label} {r.gdp_rate:+.1%} a year, {r.pressure_label} {r.pressure_rate:+.1%} a year"
        + (f" — {r.verdict_label}" if r.verdict else "")
        for r in table.itertuples(index=False)
    )
    return Drawn(
        chart=charts.rates_chart(rates_frame(table, f"{start}–{end}"), title=title, subtitle=subtitle),
        data=table.assign(first_year=start, last_year=end, estimated=_ends_estimated(table, start, end)),
        title=title,
        indicators=tuple(judged),
        stem=f"{view.y}_decoupling_verdicts",
        description=description,
        notes=tuple(notes),
    )


def build_outsourcing(view: DecouplingView) -> Drawn:
    table = data.outsourcing(view).dropna(subset=["territorial", "consumption"])
    if table.empty:
        raise query.QueryError(
            "territorial and consumption-based CO2 are compared only for CO2 per person "
            f"(y={data.TERRITORIAL} or y={data.CONSUMPTION}) and where both exist in the period's last year"
        )
    unit = query.definition(data.TERRITORIAL).unit
    year = int(table["year"].max())
    title = f"CO2 per person produced vs consumed in {_places(view)}, {year}"
    return Drawn(
        chart=charts.outsourcing_chart(
            table,
            title=title,
            subtitle="Consumption-based counts emissions where goods are used. Right: consumption minus territorial "
            "as a share of territorial (positive: net importer of emissions)",
            unit=unit,
        ),
        data=table,
        title=title,
        indicators=(data.TERRITORIAL, data.CONSUMPTION, "co2_territorial_total", "co2_consumption_total"),
        stem="co2_territorial_vs_consumption",
        description="; ".join(
            f"{r.name} {r.year}: territorial {r.territorial:.2f}, consumption-based {r.consumption:.2f} {unit}"
            for r in table.itertuples(index=False)
        ),
    )


def parse_link(params: Mapping[str, object]) -> DecouplingView:
    return parse(params)


#: The page's shareable charts, gathered by :mod:`dashboard.registry` (the first is the page's default).
KINDS = (
    ViewKind("decoupling", page=PAGE, label="Connected scatter", parse=parse_link, build=build_scatter),
    ViewKind("decoupling_rates", page=PAGE, label="Rates and verdicts", parse=parse_link, build=build_rates),
    ViewKind(
        "decoupling_outsourcing",
        page=PAGE,
        label="Territorial vs consumption CO2",
        parse=parse_link,
        build=build_outsourcing,
    ),
)
