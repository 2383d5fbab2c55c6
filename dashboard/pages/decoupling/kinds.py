"""Decoupling page: its shareable charts, registered with :mod:`dashboard.share`.

``decoupling`` is the connected scatter, ``decoupling_rates`` the annual rates and verdicts beside it,
``decoupling_outsourcing`` territorial vs consumption-based CO2 (only for CO2). The page, its share
panel, the embed view, ``python -m dashboard export`` and the bake all draw them from the link alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.pages.decoupling import chart, data
from dashboard.pages.decoupling.state import DecouplingView, parse
from dashboard.share import Drawn, ViewKind, register
from indicators import query

PAGE = "decoupling"


def _places(view: DecouplingView, limit: int = 4) -> str:
    names = [query.area_name(a) for a in view.areas]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _csv(frame: pd.DataFrame, indicators: tuple[str, ...]) -> pd.DataFrame:
    """The rows drawn, with what a reader needs to reuse them: indicator ids, titles and units."""
    items = [query.definition(i) for i in indicators]
    return frame.assign(
        indicators=" / ".join(i.id for i in items),
        titles=" / ".join(i.title for i in items),
        units=" / ".join(i.unit for i in items),
    )


def build_scatter(view: DecouplingView) -> Drawn:
    x_item, y_item = query.definition(view.x), query.definition(view.y)
    start, end = data.years_shown(view)
    trails, notes = data.trails(view)
    if trails.empty:
        raise query.QueryError(
            f"no years with both {x_item.label} and {y_item.label} for {_places(view)} in {start}–{end}"
        )
    context = data.context(view) if view.context else None
    level = {"country": "country", "nuts2": "NUTS2 region", "gdl_region": "region of the same countries"}[view.level]
    grey = f"; grey: every other {level}" if context is not None and not context.empty else ""
    title = f"{y_item.label} against {x_item.label}, {start}–{end}: {_places(view)}"
    chart_ = chart.connected_scatter(
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
        f"{g.iloc[0]['name']} from ({g.iloc[0]['x']:,.4g}, {g.iloc[0]['y']:,.4g}) in {int(g.iloc[0]['year'])} "
        f"to ({g.iloc[-1]['x']:,.4g}, {g.iloc[-1]['y']:,.4g}) in {int(g.iloc[-1]['year'])}"
        for _, g in trails.groupby("ref_area", sort=False)
    )
    return Drawn(
        chart=chart_,
        data=_csv(rows, (view.x, view.y)),
        title=title,
        indicators=(view.x, view.y),
        stem=f"{view.y}_vs_{view.x}_decoupling",
        description=f"Connected scatter of {y_item.label} ({y_item.unit}) against {x_item.label} ({x_item.unit}). {moves}.",
        notes=tuple(notes),
    )


def rates_frame(view: DecouplingView) -> pd.DataFrame:
    """The verdict table as rows for :func:`chart.rates_chart`: a GDP point and a measure point per row."""
    table = data.verdicts(view)
    several = table["measure"].nunique() > 1
    gdp_label = query.definition(view.x).label
    rows = []
    for record in table.itertuples(index=False):
        row = f"{record.name} · {record.measure_label}" if several else record.name
        period = f"{record.first_year}–{record.last_year}"
        verdict = data.VERDICTS.get(record.verdict, "") if record.verdict else ""
        for series, rate in ((gdp_label, record.gdp_per_year), (record.measure_label, record.measure_per_year)):
            rows.append({"row": row, "series": series, "per_year": rate, "period": period, "verdict_label": verdict})
    return pd.DataFrame(rows, columns=["row", "series", "per_year", "period", "verdict_label"])


def build_rates(view: DecouplingView) -> Drawn:
    x_item = query.definition(view.x)
    measures = data.verdict_measures(view)
    labels = " and ".join(query.definition(m).label for m in measures)
    start, end = data.years_shown(view)
    table = data.verdicts(view)
    if table.empty:
        raise query.QueryError(
            f"no two years with both {x_item.label} and {labels} for {_places(view)} in {start}–{end}"
        )
    pressure = data.is_pressure(measures[0])
    title = f"Did {labels} decouple from {x_item.label}? {_places(view)}, {start}–{end}"
    if not pressure:
        title = f"{labels} and {x_item.label}: average change per year, {_places(view)}, {start}–{end}"
    subtitle = "Dots: average change per year over each place's first and last year with both series. " + (
        "Verdict at right (Tapio 2005 bands)." if pressure else "No decoupling verdict: this is a wellbeing measure."
    )
    out = table.assign(verdict_label=table["verdict"].map(lambda v: data.VERDICTS.get(v, "") if v else ""))
    return Drawn(
        chart=chart.rates_chart(rates_frame(view), title=title, subtitle=subtitle),
        data=_csv(out, (view.x, *measures)),
        title=title,
        indicators=(view.x, *measures),
        stem=f"{view.y}_decoupling_verdicts",
        description="; ".join(
            f"{r.name}, {r.measure_label}, {r.first_year}–{r.last_year}: {x_item.label} {r.gdp_per_year:+.1%} a year, "
            f"{r.measure_label} {r.measure_per_year:+.1%} a year"
            + (f" — {data.VERDICTS[r.verdict]}" if r.verdict else "")
            for r in table.itertuples(index=False)
        ),
    )


def build_outsourcing(view: DecouplingView) -> Drawn:
    table = data.outsourcing(view)
    if table.empty:
        raise query.QueryError(
            "territorial and consumption-based CO2 are compared only for CO2 per person "
            f"(y={data.TERRITORIAL} or y={data.CONSUMPTION}) and where both exist"
        )
    unit = query.definition(data.TERRITORIAL).unit
    title = f"CO2 per person produced vs consumed: {_places(view)}, latest year"
    return Drawn(
        chart=chart.outsourcing_chart(
            table,
            title=title,
            subtitle="Consumption-based counts emissions where goods are used; the gap is emissions traded "
            "(positive: net importer of emissions)",
            unit=unit,
        ),
        data=_csv(table, (data.TERRITORIAL, data.CONSUMPTION)),
        title=title,
        indicators=(data.TERRITORIAL, data.CONSUMPTION),
        stem="co2_territorial_vs_consumption",
        description="; ".join(
            f"{r.name} {r.year}: territorial {r.territorial:.2f}, consumption-based {r.consumption:.2f} {unit}"
            for r in table.itertuples(index=False)
        ),
    )


def parse_link(params: Mapping[str, object]) -> DecouplingView:
    return parse(params)


register(ViewKind("decoupling", page=PAGE, label="Connected scatter", parse=parse_link, build=build_scatter))
register(ViewKind("decoupling_rates", page=PAGE, label="Rates and verdicts", parse=parse_link, build=build_rates))
register(
    ViewKind(
        "decoupling_outsourcing",
        page=PAGE,
        label="Territorial vs consumption CO2",
        parse=parse_link,
        build=build_outsourcing,
    )
)
