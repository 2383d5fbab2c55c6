"""Pure chart builders: ``DataFrame + options -> alt.Chart``. No Streamlit in here.

Keeping charts pure means the same function draws the app, the static exports and the
golden Vega-Lite specs the tests compare against.
"""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.theme import CONTEXT_GREY, NUMBER_FORMAT, PALETTE, check_rows, heading, label_unit, series_styles
from indicators.numbers import readable

Scale = Literal["linear", "log", "indexed"]
#: Markers on each observation only while they stay readable; longer series are lines alone.
POINTS_UP_TO_YEARS = 40


#: Title and subtitle line widths (characters) for this page's charts: they always sit in columns, three
#: abreast when GDP is drawn alongside (about 200 px of text at an 1100 px window, 7.8 px a character of
#: the 16 px bold title, 5.9 of the 12 px subtitle), where a 38-character title line was cut with "…"
#: ("Life expectancy — Sweden, US…"). Titles are never cut (:func:`dashboard.theme.heading`), so a line
#: wider than its column would be clipped at the chart's edge: these widths keep it inside.
COLUMN_TITLE_CHARS = 24
COLUMN_SUBTITLE_CHARS = 32
#: Widest place name beside the ranking's dots, in pixels.
RANK_LABEL_PX = 110
#: Legend entries per row: four names did not fit a third of the page ("Germa…" and no China).
LEGEND_COLUMNS = 2
#: Longer names get one entry per row: two such columns overflowed a phone's chart and hid an entry.
LEGEND_TWO_COLUMN_CHARS = 18


def _heading(title: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    """The chart's title and subtitle wrapped for a one-third column, never cut."""
    return heading(title, subtitle, width=COLUMN_TITLE_CHARS, subtitle_width=COLUMN_SUBTITLE_CHARS)


def _value_title(unit: str, scale: Scale, base_year: int | None) -> str:
    if scale == "indexed":
        return f"Index ({base_year} = 100)"
    return unit + (" (log scale)" if scale == "log" else "")


def trajectory_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    scale: Scale = "linear",
    base_year: int | None = None,
    context: pd.DataFrame | None = None,
    height: int = 380,
) -> alt.LayerChart:
    """Lines over time for the chosen areas, over optional grey context lines of all others.

    ``frame`` has columns ``ref_area, name, year, value`` and optionally ``estimated`` and ``label`` (the
    legend's name for each place, distinct per place; the tooltip keeps ``name`` in full); for
    ``scale='indexed'`` the values are expected to be indexed already (the indicator layer does the
    arithmetic). Values the publisher estimated are drawn as hollow points, with a caption line saying so.
    """
    check_rows(len(frame) + (0 if context is None else len(context)), title)
    frame, estimate_tip = estimate_marks.prepared(frame)
    y_scale = alt.Scale(type="log") if scale == "log" else alt.Scale(zero=False)
    y = alt.Y("value:Q", title=_value_title(unit, scale, base_year), scale=y_scale, axis=alt.Axis(format=NUMBER_FORMAT))
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1))
    tooltip = [
        alt.Tooltip("name:N", title="Area"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("value:Q", title=_value_title(unit, scale, base_year), format=NUMBER_FORMAT),
    ]
    layers = []
    if context is not None and not context.empty:
        layers.append(
            alt.Chart(context)
            .mark_line(strokeWidth=1, opacity=0.35, color=CONTEXT_GREY)
            .encode(x=x, y=y, detail="ref_area:N", tooltip=tooltip)
        )
    if "label" not in frame:
        frame = frame.assign(label=frame["name"])
    order = list(dict.fromkeys(frame["label"]))
    colours, dashes = series_styles(order)
    # One legend for colour and dash, drawn as short lines so a dashed series shows its dash. Its labels are
    # never wider than the chart (cut with "…" only when a name is; the tooltip has it in full).
    columns = LEGEND_COLUMNS if max(len(name) for name in order) <= LEGEND_TWO_COLUMN_CHARS else 1
    legend = alt.Legend(
        symbolType="stroke",
        symbolStrokeWidth=2.5,
        symbolSize=250,
        columns=columns,
        labelLimit={"expr": f"max(60, width / {columns} - 40)"},
    )
    colour = alt.Color("label:N", title=None, sort=order, scale=colours, legend=legend)
    base = alt.Chart(frame).encode(x=x, y=y, color=colour, tooltip=tooltip + estimate_tip)
    layers.append(
        base.mark_line(strokeWidth=2.5).encode(
            strokeDash=alt.StrokeDash("label:N", sort=order, scale=dashes, title=None)
        )
    )
    if frame["year"].nunique() <= POINTS_UP_TO_YEARS:
        layers.append(base.mark_point(size=28, filled=True, opacity=0.9))
    if estimate_tip:
        layers.append(estimate_marks.hollow(base))
    heading = _heading(title, estimate_marks.HOLLOW_LINE if estimate_tip else None)
    return alt.layer(*layers).properties(title=heading, height=height, width="container")


def ranked_chart(
    latest: pd.DataFrame,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    highlight: list[str] | None = None,
    median: float | None = None,
) -> alt.LayerChart:
    """Latest values as a ranked dot plot (rank 1, the best, at the top), with the year of each value.

    Dots, not lollipops: the axis does not start at zero (life expectancies of 70 to 85 would all look
    alike), and a stem from an arbitrary floor would make lengths that mean nothing.
    ``latest`` has columns ``ref_area, name, year, value, rank``. A dashed rule marks the
    peer-group median when given.
    """
    check_rows(len(latest), title)
    data, estimate_tip = estimate_marks.prepared(latest.assign(highlight=latest["ref_area"].isin(highlight or [])))
    # A one-third column has about 200 px: Vega's default 180 px of name would leave no room for the dots
    # (a GDL region's name runs to 111 characters). The full name is in the title and the tooltip.
    y = alt.Y(
        "name:N",
        title=None,
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(labelLimit=RANK_LABEL_PX),
    )
    x = alt.X("value:Q", title=unit, scale=alt.Scale(zero=False), axis=alt.Axis(format=NUMBER_FORMAT))
    tooltip = [
        alt.Tooltip("name:N", title="Area"),
        alt.Tooltip("value:Q", title=unit, format=NUMBER_FORMAT),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("rank:Q", title="Rank"),
        *estimate_tip,
    ]
    base = alt.Chart(data).encode(y=y, x=x, tooltip=tooltip)
    dots = base.mark_circle(size=110, opacity=1).encode(
        color=alt.condition("datum.highlight", alt.value(PALETTE[0]), alt.value("#777777"))
    )
    labels = base.mark_text(align="left", dx=9, fontSize=11, color="#333333").encode(
        text=alt.Text("year:Q", format="d")
    )
    layers = [dots, labels, *([estimate_marks.letters(base)] if estimate_tip else [])]
    if median is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"median": [median]}))
            .mark_rule(strokeDash=[4, 3], color=PALETTE[1])
            .encode(x="median:Q", tooltip=[alt.Tooltip("median:Q", title="Peer-group median", format=NUMBER_FORMAT)])
        )
    height = max(120, 26 * len(data))
    return alt.layer(*layers).properties(
        title=_heading(
            title,
            estimate_marks.subtitle(
                f"Latest value, best first ({'higher' if higher_is_better else 'lower'} is better); year at right",
                estimate_marks.LETTER_LINE,
                latest,
            ),
        ),
        height=height,
        width="container",
    )


def describe_trajectories(frame: pd.DataFrame, title: str, unit: str) -> str:
    """A text alternative for a trajectory chart: first and last value of each line."""
    parts = []
    for name, group in frame.sort_values("year").groupby("name", sort=False):
        first, last = group.iloc[0], group.iloc[-1]
        parts.append(
            f"{name}: {readable(first['value'])} in {int(first['year'])} to {readable(last['value'])} in {int(last['year'])}"
        )
    return f"Line chart of {label_unit(title, unit)}. " + "; ".join(parts) + "."


def describe_ranking(latest: pd.DataFrame, title: str, unit: str) -> str:
    items = [f"{int(r['rank'])}. {r['name']} {readable(r['value'])} ({int(r['year'])})" for _, r in latest.iterrows()]
    return f"Ranking of {label_unit(title, unit)}, best first: " + "; ".join(items) + "."
