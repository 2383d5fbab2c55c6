"""Decoupling page: data -> chart specs. Pure Altair, no Streamlit (the page, the export CLI and the
golden-spec tests all call these).

The connected scatter follows Our World in Data's: one trail per place in year order, its first and
last year written on it, the other places in grey behind; GDP per person on x (log scale by default,
because countries differ a hundredfold), the measure on y.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.pages.titles import wrapped
from dashboard.theme import CONTEXT_GREY, NUMBER_FORMAT, PALETTE, check_rows

VERDICT_COLOURS = {
    "Absolute decoupling": "#009E73",
    "Relative decoupling": "#56B4E9",
    "Coupled": "#E69F00",
    "Recoupling": "#D55E00",
    "GDP fell": "#777777",
}


def connected_scatter(
    trails: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    log_x: bool = True,
    context: pd.DataFrame | None = None,
    height: int = 460,
) -> alt.LayerChart:
    """Trails of ``ref_area, name, year, x, y`` (one per place, ordered by year) over grey context trails.

    A point where the publisher estimated either value (``trails["estimated"]``) is drawn hollow, with a
    caption line saying so."""
    check_rows(len(trails) + (0 if context is None else len(context)), title)
    x_scale = alt.Scale(type="log") if log_x else alt.Scale(zero=False)
    x = alt.X("x:Q", title=x_title + (" (log scale)" if log_x else ""), scale=x_scale)
    y = alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=NUMBER_FORMAT))
    tooltip = [
        alt.Tooltip("name:N", title="Place"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("x:Q", title=x_title, format=NUMBER_FORMAT),
        alt.Tooltip("y:Q", title=y_title, format=NUMBER_FORMAT),
    ]
    order = alt.Order("year:Q")
    layers = []
    if context is not None and not context.empty:
        layers.append(
            alt.Chart(context)
            .mark_line(strokeWidth=1, opacity=0.3, color=CONTEXT_GREY)
            .encode(x=x, y=y, detail="ref_area:N", order=order, tooltip=tooltip)
        )
    names = list(dict.fromkeys(trails["name"]))
    colour = alt.Color("name:N", title=None, sort=names, scale=alt.Scale(domain=names, range=PALETTE))
    drawn, estimate_tip = estimate_marks.prepared(trails)
    base = alt.Chart(drawn).encode(x=x, y=y, color=colour, tooltip=tooltip + estimate_tip)
    layers.append(base.mark_line(strokeWidth=2.5).encode(order=order))
    layers.append(base.mark_point(size=22, filled=True, opacity=0.9))
    if estimate_tip:
        layers.append(estimate_marks.hollow(base, size=40))
    ends = _ends(trails)
    labels = alt.Chart(ends).encode(x=x, y=y, color=alt.Color("name:N", sort=names, legend=None), text="label:N")
    layers.append(labels.transform_filter("datum.end == 'first'").mark_text(align="right", dx=-7, dy=-7, fontSize=11))
    layers.append(
        labels.transform_filter("datum.end == 'last'").mark_text(
            align="left", dx=7, dy=-7, fontSize=12, fontWeight="bold"
        )
    )
    subtitle = estimate_marks.subtitle(subtitle, estimate_marks.HOLLOW_LINE, trails)
    return alt.layer(*layers).properties(title=wrapped(title, subtitle), height=height, width="container")


def _ends(trails: pd.DataFrame) -> pd.DataFrame:
    """First point labelled with its year, last point with the place and its year."""
    grouped = trails.sort_values("year").groupby("ref_area", sort=False)
    first = grouped.head(1).assign(end="first")
    first = first.assign(label=first["year"].astype(int).astype(str))
    last = grouped.tail(1).assign(end="last")
    last = last.assign(label=last["name"] + " " + last["year"].astype(int).astype(str))
    return pd.concat([first, last], ignore_index=True)[["ref_area", "name", "year", "x", "y", "end", "label"]]


def rates_chart(rates: pd.DataFrame, *, title: str, subtitle: str) -> alt.LayerChart:
    """Average annual change of GDP and of each measure, per place, with the verdict written after the
    right-most dot of its row.

    ``rates`` has ``row`` (place, or place · measure), ``series`` (what changed), ``per_year`` (0.02 =
    +2%/yr), ``period`` and ``verdict_label`` (empty for a measure that is not a pressure).
    """
    check_rows(len(rates), title)
    rows = list(dict.fromkeys(rates["row"]))
    low, high = min(0.0, float(rates["per_year"].min())), max(0.0, float(rates["per_year"].max()))
    room = (high - low) * 0.6 if (rates["verdict_label"] != "").any() else (high - low) * 0.1
    y = alt.Y("row:N", title=None, sort=rows, axis=alt.Axis(labelLimit=260))
    scale = alt.Scale(domain=[low - (high - low) * 0.05, high + room], nice=False)
    x = alt.X(
        "per_year:Q", title="Average change per year (% of the value)", axis=alt.Axis(format="+.1~%"), scale=scale
    )
    series = list(dict.fromkeys(rates["series"]))
    tooltip = [
        alt.Tooltip("row:N", title="Place"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("per_year:Q", title="Change per year", format="+.1%"),
        alt.Tooltip("period:N", title="Years"),
        alt.Tooltip("verdict_label:N", title="Verdict"),
    ]
    base = alt.Chart(rates).encode(y=y)
    links = base.mark_rule(color="#999999").encode(x=alt.X("min(per_year):Q", scale=scale), x2="max(per_year):Q")
    dots = base.mark_point(size=120, filled=True, opacity=1).encode(
        x=x,
        color=alt.Color("series:N", title=None, sort=series, scale=alt.Scale(domain=series, range=PALETTE)),
        shape=alt.Shape("series:N", title=None, sort=series, scale=alt.Scale(domain=series)),
        tooltip=tooltip,
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#333333", strokeWidth=1).encode(x="zero:Q")
    ends = rates.groupby("row", sort=False, as_index=False).agg(
        per_year=("per_year", "max"), verdict_label=("verdict_label", "first")
    )
    ends = ends[ends["verdict_label"] != ""]
    # One text layer per verdict, each in its fixed colour: a colour channel here would split the legend.
    verdict = [
        alt.Chart(ends[ends["verdict_label"] == label])
        .mark_text(align="left", dx=12, fontSize=12, fontWeight="bold", color=VERDICT_COLOURS.get(label, "#333333"))
        .encode(y=y, x=x, text="verdict_label:N")
        for label in dict.fromkeys(ends["verdict_label"])
    ]
    return alt.layer(zero, links, dots, *verdict).properties(
        title=wrapped(title, subtitle), width="container", height=max(160, 34 * len(rows))
    )


def outsourcing_chart(table: pd.DataFrame, *, title: str, subtitle: str, unit: str) -> alt.LayerChart:
    """Territorial and consumption-based CO2 per person in each place's last year, joined by a line;
    the gap is written beside it (positive: emissions embodied in imports exceed those in exports)."""
    check_rows(len(table), title)
    names = list(dict.fromkeys(table["name"]))
    long = table.melt(
        id_vars=["ref_area", "name", "year", "outsourced_share"],
        value_vars=["territorial", "consumption"],
        var_name="accounting",
        value_name="value",
    )
    long = long.assign(
        accounting=long["accounting"].map(
            {"territorial": "Territorial (produced here)", "consumption": "Consumption-based (consumed here)"}
        )
    )
    y = alt.Y("name:N", title=None, sort=names)
    tooltip = [
        alt.Tooltip("name:N", title="Place"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("accounting:N", title="Accounting"),
        alt.Tooltip("value:Q", title=unit, format=NUMBER_FORMAT),
        alt.Tooltip("outsourced_share:Q", title="Consumption minus territorial, share of territorial", format="+.0%"),
    ]
    base = alt.Chart(long).encode(y=y)
    line = base.mark_rule(color="#999999", strokeWidth=2).encode(x=alt.X("min(value):Q"), x2="max(value):Q")
    accounts = ["Territorial (produced here)", "Consumption-based (consumed here)"]
    dots = base.mark_point(size=130, filled=True, opacity=1).encode(
        x=alt.X("value:Q", title=unit, scale=alt.Scale(zero=True), axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color(
            "accounting:N",
            title=None,
            sort=accounts,
            scale=alt.Scale(domain=accounts, range=[PALETTE[0], PALETTE[1]]),
            legend=alt.Legend(labelLimit=320),
        ),
        shape=alt.Shape("accounting:N", title=None, sort=accounts, scale=alt.Scale(domain=accounts)),
        tooltip=tooltip,
    )
    gap = table.assign(
        text=table["outsourced_share"].map(
            lambda v: "" if pd.isna(v) else f"{v:+.0%} ({'net importer' if v > 0 else 'net exporter'})"
        ),
        right=table[["territorial", "consumption"]].max(axis=1),
    )
    labels = (
        alt.Chart(gap)
        .mark_text(align="left", dx=10, fontSize=11, color="#333333")
        .encode(y=alt.Y("name:N", sort=names), x="right:Q", text="text:N")
    )
    return alt.layer(line, dots, labels).properties(
        title=wrapped(title, subtitle), width="container", height=max(180, 44 * len(names))
    )
