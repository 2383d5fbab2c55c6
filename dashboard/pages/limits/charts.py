"""Floors-and-ceilings page: data -> chart specs (pure Altair, no Streamlit).

The place chart is the Leeds "good life within planetary boundaries" bar layout rather than a radial
doughnut (bars are read more exactly): every indicator as its ratio to the threshold on a log scale,
1 = the threshold, a bar from the threshold to the value coloured by shortfall/achieved or
within/overshoot, and the value and threshold written in the indicator's own terms. The world chart
places every country by the share of social thresholds it achieves and of boundaries it transgresses,
coloured by GDP per person: the top-left corner is "living well within limits".
"""

from __future__ import annotations

import zlib

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.pages.titles import wrapped
from dashboard.theme import check_rows

STATUS_COLOURS = {
    "Floor achieved": "#009E73",
    "Shortfall": "#E69F00",
    "Within boundary": "#56B4E9",
    "Overshoot": "#D55E00",
}
#: Half the width of the deterministic jitter, in share units, so countries at the same share stay visible.
JITTER = 0.035


def place_chart(frame: pd.DataFrame, *, title: str, subtitle: str) -> alt.LayerChart:
    """``frame`` has ``row`` (the label), ``ratio, status, reading, citation, threshold_year, where`` and
    optionally ``estimated``: a value the publisher estimated gets an "e" left of its dot."""
    check_rows(len(frame), title)
    rows = list(frame["row"])
    data = frame.assign(one=1.0, text=frame["ratio"].map(lambda r: f"{r:.2f}×"), right=frame["ratio"].clip(lower=1.0))
    data, estimate_tip = estimate_marks.prepared(data)
    y = alt.Y("row:N", title=None, sort=rows, axis=alt.Axis(labelLimit=320))
    low = min(0.25, float(data["ratio"].min()) / 1.3)
    high = max(4.0, float(data["ratio"].max()) * 1.3)
    x = alt.X(
        "ratio:Q",
        title="Value ÷ threshold (log scale; 1 = the threshold)",
        scale=alt.Scale(type="log", domain=[low, high]),
    )
    colour = alt.Color(
        "status:N",
        title=None,
        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
    )
    tooltip = [
        alt.Tooltip("row:N", title="Dimension"),
        alt.Tooltip("reading:N", title="Value and threshold"),
        alt.Tooltip("ratio:Q", title="Ratio to threshold", format=".2f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("citation:N", title="Threshold source"),
        alt.Tooltip("threshold_year:Q", title="Threshold published", format="d"),
        alt.Tooltip("year:Q", title="Data year", format="d"),
        *estimate_tip,
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    bars = base.mark_bar(height=16, opacity=0.9).encode(x=x, x2="one:Q", color=colour)
    dots = base.mark_point(filled=True, size=70, color="#222222").encode(x=x)
    text = base.mark_text(align="left", dx=8, fontSize=11, color="#222222").encode(x="right:Q", text="text:N")
    threshold = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color="#222222", strokeWidth=1.5).encode(x="one:Q")
    letters = [estimate_marks.letters(base.encode(x=x))] if estimate_tip else []
    return alt.layer(bars, threshold, dots, text, *letters).properties(
        title=wrapped(title, estimate_marks.subtitle(subtitle, estimate_marks.LETTER_LINE, frame)),
        width="container",
        height=max(200, 34 * len(rows)),
    )


def _jitter(code: str, salt: str) -> float:
    """A stable offset in [-JITTER, JITTER] from the place code (the same on every draw and export)."""
    return (zlib.crc32(f"{salt}{code}".encode()) % 1000 / 999 - 0.5) * 2 * JITTER


def world_chart(table: pd.DataFrame, *, highlight: str | None, title: str, subtitle: str) -> alt.LayerChart:
    """``table`` has ``ref_area, name, social_share, boundary_share, social_achieved, social_total,
    boundaries_transgressed, boundaries_total, gdp_per_capita``."""
    check_rows(len(table), title)
    data = table.assign(
        x=table["boundary_share"] + table["ref_area"].map(lambda c: _jitter(c, "x")),
        y=table["social_share"] + table["ref_area"].map(lambda c: _jitter(c, "y")),
        social=table["social_achieved"].astype(str) + " of " + table["social_total"].astype(str),
        boundaries=table["boundaries_transgressed"].astype(str) + " of " + table["boundaries_total"].astype(str),
    )
    x = alt.X(
        "x:Q",
        title="Share of per-person planetary boundaries transgressed →",
        scale=alt.Scale(domain=[-0.08, 1.08]),
        axis=alt.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    y = alt.Y(
        "y:Q",
        title="Share of social thresholds achieved →",
        scale=alt.Scale(domain=[-0.08, 1.08]),
        axis=alt.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Country"),
        alt.Tooltip("social:N", title="Social thresholds achieved"),
        alt.Tooltip("boundaries:N", title="Boundaries transgressed"),
        alt.Tooltip("gdp_per_capita:Q", title="GDP per person (PPP int$)", format=",.0f"),
    ]
    dots = (
        alt.Chart(data)
        .mark_circle(size=70, opacity=0.85, stroke="#FFFFFF", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "gdp_per_capita:Q",
                title="GDP per person (PPP int$, log)",
                scale=alt.Scale(type="log", scheme="viridis"),
                legend=alt.Legend(orient="bottom", direction="horizontal", format=",.0f", gradientLength=260),
            ),
            tooltip=tooltip,
        )
    )
    corner = (
        alt.Chart(pd.DataFrame({"x": [-0.06], "y": [1.06], "text": ["Living well within limits"]}))
        .mark_text(align="left", fontSize=12, fontStyle="italic", color="#555555")
        .encode(x="x:Q", y="y:Q", text="text:N")
    )
    layers = [dots, corner]
    chosen = data[data["ref_area"] == highlight]
    if not chosen.empty:
        ring = (
            alt.Chart(chosen).mark_point(size=260, strokeWidth=2.5, color="#000000").encode(x=x, y=y, tooltip=tooltip)
        )
        label = (
            alt.Chart(chosen)
            .mark_text(align="left", dx=12, fontSize=13, fontWeight="bold", color="#000000")
            .encode(x=x, y=y, text="name:N")
        )
        layers += [ring, label]
    return alt.layer(*layers).properties(title=wrapped(title, subtitle), width="container", height=460)
