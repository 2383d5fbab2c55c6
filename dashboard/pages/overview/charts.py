"""Pure chart builders for the Overview scorecard: where a place stands among its peers on each
indicator of one theme, and whether its recent trend is improving. No Streamlit in here.

One chart per theme (rather than one faceted chart) keeps ``width="container"`` working, so
the chart fills a phone screen as well as a desktop one.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.theme import check_rows, title_lines

#: Trend verdict colours: Okabe-Ito bluish green / vermillion stay apart for the common colour-vision
#: deficiencies, and the verdict is also written in the tooltip and the table (never colour alone).
VERDICT_COLOURS = {
    "improving": "#009E73",
    "worsening": "#D55E00",
    "no clear change": "#777777",
    "too few points": "#BBBBBB",
}
STATUS_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "moderately_improving": "Moderately improving",
    "stagnating_or_worsening": "Stagnating or worsening",
    "insufficient_data": "Too few points",
}
ROW_HEIGHT = 44
STANDING_COLUMNS = ["indicator", "label", "percentile", "rank", "n_ranked", "value", "year", "unit", "arrow", "verdict"]


def standing_chart(card: pd.DataFrame, *, title: str, peer_label: str) -> alt.LayerChart:
    """Each indicator's position among peers (0 = worst, 100 = best), coloured by its trend verdict.

    ``card`` holds scorecard rows (see ``indicators.assess.scorecard``) of one theme; rows
    without a rank are drawn as a note in the tooltip-free label only (no dot).
    """
    check_rows(len(card), title)
    data = card[STANDING_COLUMNS].assign(
        order=range(len(card)),
        rank_text=[
            f"{int(r)} of {int(n)}" if pd.notna(r) else "not ranked"
            for r, n in zip(card["rank"], card["n_ranked"], strict=True)
        ],
        track_start=0.0,
        track_end=100.0,
    )
    # Names sit above their track instead of on a y axis, so a phone-wide chart keeps its full width.
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("order", order="ascending"), axis=None)
    x = alt.X(
        "percentile:Q",
        title="Percentile among peers (100 = best)",
        scale=alt.Scale(domain=[0, 100], nice=False),
        axis=alt.Axis(values=[0, 25, 50, 75, 100]),
    )
    tooltip = [
        alt.Tooltip("label:N", title="Indicator"),
        alt.Tooltip("value:Q", title="Latest value", format=",.4~g"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("rank_text:N", title="Rank"),
        alt.Tooltip("verdict:N", title="Trend"),
    ]
    base = alt.Chart()  # the rows are given once, to the layer: Altair converts a frame per chart it is given
    track = base.mark_rule(color="#E0E0E0", strokeWidth=6, strokeCap="round").encode(
        y=y, x=alt.X("track_start:Q", scale=alt.Scale(domain=[0, 100], nice=False)), x2="track_end:Q"
    )
    middle = (
        alt.Chart(pd.DataFrame({"percentile": [50.0]}))
        .mark_rule(strokeDash=[4, 3], color="#888888")
        .encode(x=alt.X("percentile:Q", scale=alt.Scale(domain=[0, 100], nice=False)))
    )
    verdict_scale = alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values()))
    colour = alt.Color("verdict:N", title="Trend", scale=verdict_scale, legend=None)
    ranked = base.transform_filter("isValid(datum.percentile)")
    dots = ranked.mark_circle(size=150, opacity=1, stroke="white", strokeWidth=1).encode(
        y=y, x=x, color=colour, tooltip=tooltip
    )
    arrows = ranked.mark_text(dx=13, align="left", baseline="middle", fontSize=14, fontWeight="bold").encode(
        y=y, x=x, text="arrow:N", color=alt.Color("verdict:N", scale=verdict_scale, legend=None)
    )
    names = base.mark_text(align="left", baseline="bottom", dy=-7, fontSize=12, color="#333333").encode(
        y=y, x=alt.X("track_start:Q", scale=alt.Scale(domain=[0, 100], nice=False)), text="label:N"
    )
    return alt.layer(track, middle, names, dots, arrows, data=data).properties(
        title=alt.TitleParams(
            title_lines(title),
            subtitle=[
                "Dot: rank among peers, right is best.",
                "Arrow: trend; green = improving,",
                "vermillion = worsening, grey = no clear change.",
            ],
        ),
        height=max(80, ROW_HEIGHT * len(data)),
        width="container",
    )


def describe_standing(card: pd.DataFrame, *, title: str, peer_label: str) -> str:
    """A text alternative for :func:`standing_chart`."""
    items = []
    for _, row in card.iterrows():
        rank = f"rank {int(row['rank'])} of {int(row['n_ranked'])}" if pd.notna(row["rank"]) else "not ranked"
        items.append(f"{row['label']}: {rank}, trend {row['verdict']}")
    return f"{title}: position among {peer_label}. " + "; ".join(items) + "."


def scorecard_table(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as people read it: one row per indicator, words instead of codes."""
    rows = []
    for _, row in card.iterrows():
        has_value = pd.notna(row["value"])
        rows.append(
            {
                "Indicator": row["label"],
                "Latest": format_value(row["value"]) if has_value else "no data",
                "Trend": f"{row['arrow']} {row['verdict']}".strip(),
                "Rank": f"{int(row['rank'])} of {int(row['n_ranked'])}" if pd.notna(row["rank"]) else "—",
                "Year": int(row["year"]) if has_value else None,
                "Unit": row["unit"],
                "Since": list(row["sparkline"]) if isinstance(row["sparkline"], list) else [],
                "Target": _target_text(row),
            }
        )
    return pd.DataFrame(rows)


def format_value(value: float) -> str:
    """Readable numbers: thousands separators for large values, four significant digits for small ones."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _target_text(row: pd.Series) -> str:
    if not isinstance(row["target"], str) or not row["target"]:
        return ""
    status = STATUS_LABELS.get(row["status"], "no status") if isinstance(row["status"], str) else "no status"
    distance = f", {row['distance']:.0%} to go" if pd.notna(row["distance"]) and row["distance"] > 0 else ""
    return f"{status}{distance} ({row['target']}: {row['target_value']:g} by {int(row['target_year'])})"


def scorecard_csv(card: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the scorecard (no list-valued sparkline column) for the CSV download."""
    return card.drop(columns=["sparkline"])
