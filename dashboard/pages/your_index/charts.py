"""Charts of the Your index page: a ranking with each country's rank interval, and how ranks moved from
equal weights. Pure functions of a DataFrame (no streamlit), so they can be tested as Vega-Lite JSON.

Both charts put rank 1 at the top and draw exactly the rows they are given; the page decides (and says)
how many rows that is.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.theme import CONTEXT_GREY, PALETTE, check_rows, heading

#: Income groups in a fixed order and colour, so the pattern "who ranks high" is visible at a glance.
INCOME_ORDER = ["High income", "Upper middle income", "Lower middle income", "Low income", "Not classified"]
INCOME_COLOURS = [PALETTE[0], PALETTE[4], PALETTE[1], PALETTE[5], "#777777"]
ROW_PX = 22


def interval_chart(frame: pd.DataFrame, *, title: str, subtitle: str = "") -> alt.LayerChart:
    """Rank (dot) and its 5–95% Monte Carlo interval (bar) per unit, best first.

    ``frame`` columns: ``name, rank, rank_p05, rank_p95, median_rank, score, coverage, gdp_per_capita,
    income_group, delta`` and optionally ``estimated_inputs`` (how many of the values a score uses the
    publisher estimated: said in the tooltip, not drawn, since a score is not one published value).
    """
    check_rows(len(frame), title)
    data = interval_rows(frame)
    y = alt.Y(
        "name:N",
        title=None,
        sort=alt.EncodingSortField("rank", order="ascending"),
        axis=alt.Axis(labelOverlap=False),  # every ranked place keeps its name: no label is dropped
    )
    colour = alt.Color(
        "income_group:N",
        title="Income group",
        scale=alt.Scale(domain=INCOME_ORDER, range=INCOME_COLOURS),
        # two columns fit a phone; full-colour swatches like the dots (the bars' 0.35 opacity made them look paler)
        legend=alt.Legend(columns=2, orient="bottom", symbolOpacity=1),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Country"),
        alt.Tooltip("rank:Q", title="Rank", format="d"),
        alt.Tooltip("rank_p05:Q", title="Rank, 5% (best plausible)", format=".0f"),
        alt.Tooltip("rank_p95:Q", title="Rank, 95% (worst plausible)", format=".0f"),
        alt.Tooltip("score:Q", title="Score (0–1)", format=".3f"),
        alt.Tooltip("coverage:Q", title="Weight with data", format=".0%"),
        alt.Tooltip("gdp_per_capita:Q", title="GDP per capita (PPP $)", format=",.0f"),
        alt.Tooltip("delta:Q", title="Δ rank vs equal weights", format="+d"),
        alt.Tooltip("income_group:N", title="Income group"),
    ]
    if ESTIMATED_INPUTS in data and bool(data[ESTIMATED_INPUTS].gt(0).any()):
        tooltip.append(alt.Tooltip(f"{ESTIMATED_INPUTS}:Q", title="Values estimated by the publisher", format="d"))
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    x = alt.X("rank:Q", title="Rank (1 = best)", scale=alt.Scale(reverse=False, zero=False, nice=False))
    bars = base.mark_rule(strokeWidth=5, opacity=0.35, strokeCap="round").encode(
        x=alt.X("rank_p05:Q", title="Rank (1 = best)"), x2="rank_p95:Q", color=colour
    )
    dots = base.mark_circle(size=70, opacity=1).encode(x=x, color=colour)
    height = max(140, ROW_PX * len(data))
    return alt.layer(bars, dots).properties(
        title=heading(title, subtitle or _interval_subtitle(data)),
        height=height,
        width="container",
    )


def _interval_subtitle(data: pd.DataFrame) -> str:
    """What the marks are; without any interval wider than one rank (the published HDI has no uncertainty
    analysis) the subtitle does not promise bars that are not drawn."""
    if ((data["rank_p95"] - data["rank_p05"]).abs() > 0).any():
        return "Dot: rank at your weights; bar: 5–95% rank interval"
    return "Dot: rank at your weights; no rank interval: the uncertainty analysis moves no rank"


INTERVAL_COLUMNS = [
    "name",
    "rank",
    "rank_p05",
    "rank_p95",
    "median_rank",
    "score",
    "coverage",
    "gdp_per_capita",
    "income_group",
    "delta",
]
CHANGE_COLUMNS = ["name", "rank", "equal_rank", "delta"]
#: How many of the values a score uses the publisher estimated (``indicators.index_query`` counts them).
ESTIMATED_INPUTS = "estimated_inputs"


def interval_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Exactly the rows :func:`interval_chart` draws (what a download of the chart holds); with the count of
    estimated inputs, ``estimated`` is True where a score uses at least one value the publisher estimated."""
    rows = frame[INTERVAL_COLUMNS].assign(income_group=frame["income_group"].fillna("Not classified"))
    if ESTIMATED_INPUTS not in frame:
        return rows
    counts = frame[ESTIMATED_INPUTS].astype(int)
    return rows.assign(estimated_inputs=counts, estimated=counts > 0)


def _change_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[CHANGE_COLUMNS].assign(order=frame["rank"])


def rank_change_chart(frame: pd.DataFrame, *, title: str) -> alt.LayerChart:
    """Dumbbell: each unit's rank at equal weights (grey) and at your weights (blue), best rank at the left.

    ``frame`` columns: ``name, rank, equal_rank, delta``.
    """
    check_rows(len(frame), title)
    data = _change_rows(frame)
    y = alt.Y(
        "name:N",
        title=None,
        sort=alt.EncodingSortField("order", order="ascending"),
        axis=alt.Axis(labelOverlap=False),  # every ranked place keeps its name: no label is dropped
    )
    tooltip = [
        alt.Tooltip("name:N", title="Country"),
        alt.Tooltip("equal_rank:Q", title="Rank at equal weights", format="d"),
        alt.Tooltip("rank:Q", title="Rank at your weights", format="d"),
        alt.Tooltip("delta:Q", title="Places gained (+) or lost (−)", format="+d"),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    axis_x = alt.X("equal_rank:Q", title="Rank (1 = best)", scale=alt.Scale(zero=False))
    line = base.mark_rule(color=CONTEXT_GREY, strokeWidth=2).encode(x=axis_x, x2="rank:Q")
    equal = base.mark_circle(size=60, color="#777777", opacity=1).encode(x=axis_x)
    yours = base.mark_circle(size=80, color=PALETTE[0], opacity=1).encode(x="rank:Q")
    return alt.layer(line, equal, yours).properties(
        title=heading(title, "Grey: rank at equal weights · blue: rank at your weights"),
        height=max(140, ROW_PX * len(data)),
        width="container",
    )


def describe_intervals(frame: pd.DataFrame, title: str) -> str:
    """A text alternative: each unit's rank and interval, best first."""
    items = [
        f"{int(r['rank'])}. {r['name']} (5–95%: {r['rank_p05']:.0f}–{r['rank_p95']:.0f})"
        for _, r in frame.sort_values("rank").iterrows()
    ]
    return f"Ranking by {title}, best first, with Monte Carlo rank intervals: " + "; ".join(items) + "."


def describe_changes(frame: pd.DataFrame) -> str:
    items = [
        f"{r['name']} {int(r['equal_rank'])} → {int(r['rank'])} ({int(r['delta']):+d})"
        for _, r in frame.sort_values("rank").iterrows()
    ]
    return "Rank at equal weights → rank at your weights: " + "; ".join(items) + "."
