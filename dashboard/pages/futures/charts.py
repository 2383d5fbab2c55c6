"""Futures page: data -> chart specs (pure Altair, no Streamlit).

The outlook chart draws what was observed, the projection as a thin line through one dot per year
inside its band (ONE method for the whole path, see :func:`indicators.methods.forecast.project`, so
the line is one model's trajectory; the band never narrows further ahead), the target as a dashed
line with its label, and the user's pathway. The rates chart sets the
change per year achieved beside the change per year required, as bars from zero.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.pages.titles import wrapped
from dashboard.theme import NUMBER_FORMAT, PALETTE, check_rows

SERIES = ["Observed", "Projection, 90% band", "Your pathway"]
SERIES_COLOURS = [PALETTE[0], PALETTE[4], PALETTE[5]]
TARGET_COLOUR = "#009E73"
BOUNDARY_COLOUR = "#555555"
#: Rates chart: the same colour for the same kind of rate whichever rows are shown.
RATE_COLOURS = {"achieved": PALETTE[0], "required": TARGET_COLOUR, "pathway": PALETTE[5]}


def outlook_chart(
    history: pd.DataFrame,
    projection: pd.DataFrame,
    pathway: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    target: dict | None = None,
    boundary: dict | None = None,
    height: int = 380,
) -> alt.LayerChart:
    """``history`` and ``pathway`` have ``year, value``; ``projection`` has ``year, forecast, low, high,
    method``; ``target`` is ``{"value", "year", "label"}`` or None; ``boundary`` (a sourced per-person floor
    or ceiling, with no year) is ``{"value", "label"}`` or None. An observed value the publisher estimated
    (``history["estimated"]``) is drawn as a hollow point, with a caption line saying so."""
    check_rows(len(history) + len(projection) + len(pathway), title)
    # Two legend columns: the three entries in one row were cut at a phone's width (a legend does not wrap).
    colour = alt.Color(
        "series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_COLOURS), legend=alt.Legend(columns=2)
    )
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y("value:Q", title=unit, scale=alt.Scale(zero=False))
    value_tip = alt.Tooltip("value:Q", title=unit, format=NUMBER_FORMAT)
    year_tip = alt.Tooltip("year:Q", title="Year", format="d")
    layers = []
    if not projection.empty:
        band = projection.rename(columns={"forecast": "value"}).assign(series=SERIES[1])
        layers.append(
            alt.Chart(band).mark_area(opacity=0.22).encode(x=x, y=alt.Y("low:Q", title=unit), y2="high:Q", color=colour)
        )
        layers.append(alt.Chart(band).mark_line(strokeWidth=1.5).encode(x=x, y=y, color=colour))
        layers.append(
            alt.Chart(band)
            .mark_point(size=45, filled=True)
            .encode(
                x=x,
                y=y,
                color=colour,
                tooltip=[
                    year_tip,
                    alt.Tooltip("value:Q", title=f"Projection ({unit})", format=NUMBER_FORMAT),
                    alt.Tooltip("low:Q", title="Band low", format=NUMBER_FORMAT),
                    alt.Tooltip("high:Q", title="Band high", format=NUMBER_FORMAT),
                    alt.Tooltip("method:N", title="Method"),
                ],
            )
        )
    observed, estimate_tip = estimate_marks.prepared(history.assign(series=SERIES[0]))
    observed_tips = [year_tip, value_tip, *estimate_tip]
    layers.append(alt.Chart(observed).mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, tooltip=observed_tips))
    points = alt.Chart(observed).encode(x=x, y=y, color=colour, tooltip=observed_tips)
    layers.append(points.mark_point(size=22, filled=True))
    if estimate_tip:
        layers.append(estimate_marks.hollow(points, size=40))
    if not pathway.empty:
        path = pathway.assign(series=SERIES[2])
        layers.append(
            alt.Chart(path)
            .mark_line(strokeWidth=2.5, strokeDash=[6, 3])
            .encode(x=x, y=y, color=colour, tooltip=[year_tip, value_tip])
        )
    if boundary is not None:
        line = pd.DataFrame([boundary])
        layers.append(
            alt.Chart(line)
            .mark_rule(color=BOUNDARY_COLOUR, strokeDash=[8, 4], strokeWidth=2)
            .encode(
                y="value:Q", tooltip=[alt.Tooltip("label:N", title="Threshold"), alt.Tooltip("value:Q", title=unit)]
            )
        )
        layers.append(
            alt.Chart(line.assign(year=int(history["year"].min())))
            .mark_text(align="left", dy=12, fontSize=11, color=BOUNDARY_COLOUR, fontWeight="bold")
            .encode(x="year:Q", y="value:Q", text="label:N")
        )
    if target is not None:
        goal = pd.DataFrame([target])
        layers.append(
            alt.Chart(goal)
            .mark_rule(color=TARGET_COLOUR, strokeDash=[3, 3], strokeWidth=2)
            .encode(y="value:Q", tooltip=[alt.Tooltip("label:N", title="Target"), alt.Tooltip("value:Q", title=unit)])
        )
        layers.append(
            alt.Chart(goal)
            .mark_point(shape="diamond", size=140, filled=True, color=TARGET_COLOUR)
            .encode(x="year:Q", y="value:Q", tooltip=[alt.Tooltip("label:N", title="Target")])
        )
        start = goal.assign(year=int(history["year"].min()))
        layers.append(  # drawn inside the plot: the short form when there is one (the tooltips keep the label)
            alt.Chart(start)
            .mark_text(align="left", dy=-9, fontSize=11, color=TARGET_COLOUR, fontWeight="bold")
            .encode(x="year:Q", y="value:Q", text="short:N" if "short" in goal else "label:N")
        )
    subtitle = estimate_marks.subtitle(subtitle, estimate_marks.HOLLOW_LINE, history)
    return alt.layer(*layers).properties(title=wrapped(title, subtitle), height=height, width="container")


def rates_chart(rates: pd.DataFrame, *, title: str, subtitle: str, unit: str) -> alt.LayerChart:
    """Bars from zero of change per year: ``what`` (the row label), ``kind`` (achieved, required or
    pathway), ``per_year`` in the indicator's unit, and ``label`` (the figure in words, with its % a year)."""
    check_rows(len(rates), title)
    order = list(rates["what"])
    y = alt.Y("what:N", title=None, sort=order, axis=alt.Axis(labelLimit=300))
    x = alt.X("per_year:Q", title=f"Change per year ({unit} a year)", scale=alt.Scale(zero=True))
    colours = alt.Color(
        "what:N",
        legend=None,
        sort=order,
        scale=alt.Scale(domain=order, range=[RATE_COLOURS[kind] for kind in rates["kind"]]),
    )
    tooltip = [alt.Tooltip("what:N", title="Rate"), alt.Tooltip("label:N", title="Change per year")]
    bars = alt.Chart(rates).mark_bar(height=22).encode(y=y, x=x, color=colours, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#333333").encode(x="zero:Q")
    text = (
        alt.Chart(rates)
        .mark_text(align="left", dx=4, dy=-16, fontSize=11, color="#333333")
        .encode(y=y, x=alt.value(0), text="label:N")
    )
    return alt.layer(bars, zero, text).properties(
        title=wrapped(title, subtitle), width="container", height=max(150, 62 * len(order))
    )
