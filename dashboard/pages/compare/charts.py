"""Pure chart builders for the Compare page: a ranked dot plot of a peer group with its median, and
small-multiple strips (one per indicator) showing where chosen areas sit in the group. No Streamlit.

In both charts "better" points the same way on every panel (right), so several indicators can be
read together whatever their direction; the axis title says so.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.theme import NUMBER_FORMAT, PALETTE, check_rows, heading
from indicators.numbers import readable

HIGHLIGHT = PALETTE[0]
OTHERS = "#8A8A8A"
MEDIAN_COLOUR = PALETTE[1]
ROW_HEIGHT = 18


def _x(unit: str, higher_is_better: bool, domain: list[float] | None = None) -> alt.X:
    scale = alt.Scale(zero=False, reverse=not higher_is_better, **({"domain": domain} if domain else {}))
    return alt.X("value:Q", title=f"{unit} (better →)", scale=scale, axis=alt.Axis(format=NUMBER_FORMAT))


def _tooltip(unit: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("name:N", title="Area"),
        alt.Tooltip("value:Q", title=unit, format=NUMBER_FORMAT),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("rank:Q", title="Rank"),
    ]


def _rows(ranked: pd.DataFrame) -> tuple[pd.DataFrame, list[alt.Tooltip]]:
    """The columns a Compare chart draws, with the publisher's estimate flag when any value is one."""
    flag = [estimate_marks.COLUMN] if estimate_marks.COLUMN in ranked else []
    return estimate_marks.prepared(ranked[["ref_area", "name", "year", "value", "rank", *flag]])


def _median_rule(median: float | None, label: str) -> list[alt.Chart]:
    if median is None or pd.isna(median):
        return []
    frame = pd.DataFrame({"value": [float(median)], "label": [label]})
    return [
        alt.Chart(frame)
        .mark_rule(strokeDash=[5, 3], color=MEDIAN_COLOUR, strokeWidth=2)
        .encode(x="value:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", format=NUMBER_FORMAT)])
    ]


def ranked_dots(
    ranked: pd.DataFrame,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    highlight: list[str] | tuple[str, ...] = (),
    median: float | None = None,
    median_label: str = "Peer-group median",
) -> alt.LayerChart:
    """Every area of the group as a dot, best at the top, with the group median as a dashed rule.

    ``ranked`` has columns ``ref_area, name, year, value, rank`` and optionally ``estimated``. Values from
    a year before the group's newest are drawn hollow, so mixed years are visible without reading each
    label; values the publisher estimated get an "e" to their left.
    """
    check_rows(len(ranked), title)
    newest = int(ranked["year"].max()) if len(ranked) else 0
    data, estimate_tip = _rows(ranked)
    data = data.assign(highlight=ranked["ref_area"].isin(list(highlight)), older=ranked["year"] < newest)
    y = alt.Y(
        "name:N",
        title=None,
        # a size measure (count, total) has no ranks: it is listed largest first
        sort=alt.EncodingSortField("rank", order="ascending")
        if ranked["rank"].notna().any()
        else alt.EncodingSortField("value", order="descending"),
        axis=alt.Axis(labelLimit=140, labelFontSize=11),
    )
    x = _x(unit, higher_is_better)
    base = alt.Chart(data).encode(y=y, x=x, tooltip=_tooltip(unit) + estimate_tip)
    dots = (
        base.transform_calculate(
            stroke_colour=f"datum.highlight ? '{HIGHLIGHT}' : '{OTHERS}'",
            fill_colour=f"datum.older ? 'white' : (datum.highlight ? '{HIGHLIGHT}' : '{OTHERS}')",
        )
        .mark_point(size=70, filled=True, opacity=1, shape="circle", strokeWidth=1.5)
        .encode(stroke=alt.Stroke("stroke_colour:N", scale=None), fill=alt.Fill("fill_colour:N", scale=None))
    )
    labels = (
        base.transform_filter("datum.highlight")
        .mark_text(align="left", dx=8, fontSize=11, fontWeight="bold", color=HIGHLIGHT)
        .encode(text=alt.Text("value:Q", format=NUMBER_FORMAT))
    )
    subtitle = f"Best at the top; dashed line: {median_label}"
    if data["older"].any():
        subtitle += f"; hollow dots: a year before {newest}"
    letters = [estimate_marks.letters(base)] if estimate_tip else []
    subtitle = estimate_marks.subtitle(subtitle, estimate_marks.LETTER_LINE, ranked)
    return alt.layer(dots, labels, *letters, *_median_rule(median, median_label)).properties(
        title=heading(title, subtitle),
        height=max(100, ROW_HEIGHT * len(data)),
        width="container",
    )


def strip_panel(
    ranked: pd.DataFrame,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    highlight: list[str] | tuple[str, ...] = (),
    median: float | None = None,
) -> alt.LayerChart:
    """One small multiple: the group as a strip of dots on one axis, chosen areas named above it; a value
    the publisher estimated gets an "e" below its dot (the caller adds the caption line)."""
    check_rows(len(ranked), title)
    data, estimate_tip = _rows(ranked)
    data = data.assign(
        highlight=ranked["ref_area"].isin(list(highlight)),
        lane=[i % 3 for i in range(len(ranked))],  # deterministic jitter so equal values stay visible
    )
    x = _x(unit, higher_is_better)
    y = alt.Y("lane:O", title=None, axis=None)
    base = alt.Chart(data).encode(x=x, tooltip=_tooltip(unit) + estimate_tip)
    others = base.transform_filter("!datum.highlight").mark_circle(size=45, opacity=0.55, color=OTHERS).encode(y=y)
    chosen = base.transform_filter("datum.highlight")
    marks = chosen.mark_circle(size=140, opacity=1, color=HIGHLIGHT, stroke="white").encode(y=y)
    names = chosen.mark_text(dy=-14, fontSize=11, fontWeight="bold", color=HIGHLIGHT).encode(y=y, text="name:N")
    letters = [estimate_marks.letters(base.encode(y=y), dx=0, dy=11)] if estimate_tip else []
    return alt.layer(others, *_median_rule(median, "Peer-group median"), marks, names, *letters).properties(
        title=heading(title, fontSize=14), height=70, width="container"
    )


def _place(rank) -> str:
    """'3. ' before a ranked area; nothing for a size measure, which is listed but not ranked."""
    return "" if pd.isna(rank) else f"{int(rank)}. "


def describe_ranked(ranked: pd.DataFrame, *, title: str, unit: str, median: float | None, limit: int = 40) -> str:
    """Text alternative: the ranking in words (first ``limit`` areas) and the median."""
    items = [
        f"{_place(r['rank'])}{r['name']} {readable(r['value'])} ({int(r['year'])})"
        for _, r in ranked.head(limit).iterrows()
    ]
    more = f"; and {len(ranked) - limit} more" if len(ranked) > limit else ""
    middle = f" Peer-group median {readable(median)}." if median is not None and pd.notna(median) else ""
    return f"Ranking of {title} ({unit}), best first: " + "; ".join(items) + more + "." + middle


def describe_strip(
    ranked: pd.DataFrame, *, title: str, unit: str, highlight: list[str] | tuple[str, ...], median: float | None
) -> str:
    chosen = ranked[ranked["ref_area"].isin(list(highlight))]
    where = "; ".join(
        f"{r['name']} {readable(r['value'])}"
        + (f", rank {int(r['rank'])} of {len(ranked)}" if pd.notna(r["rank"]) else "")
        for _, r in chosen.iterrows()
    )
    middle = f"median {readable(median)}" if median is not None and pd.notna(median) else "no median"
    return f"{title} ({unit}) across {len(ranked)} areas, {middle}. {where or 'No highlighted area has a value.'}"
