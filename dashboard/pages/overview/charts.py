"""Pure chart builders for the Overview scorecard: where a place stands among its peers on each
indicator of one theme, and whether its recent trend is improving. No Streamlit in here.

One chart per theme (rather than one faceted chart) keeps ``width="container"`` working, so
the chart fills a phone screen as well as a desktop one.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from dashboard import estimate_marks
from dashboard.theme import NUMBER_FORMAT, check_rows, heading
from indicators.numbers import readable
from indicators.status import LEVEL_COLOURS, LEVEL_LABELS, LEVELS, VERDICTS

#: Trend verdict colours, one per verdict of :data:`indicators.status.VERDICTS` (the same rule that
#: sets the arrow, so colour, arrow and word agree). Okabe-Ito bluish green / sky blue / vermillion
#: stay apart for the common colour-vision deficiencies, and the verdict is also written in the
#: tooltip and the table (never colour alone).
_VERDICT_COLOUR = {
    "improving": "#009E73",
    "improving too slowly": "#56B4E9",
    "no clear change": "#777777",
    "worsening": "#D55E00",
    "too few points": "#BBBBBB",
}
VERDICT_COLOURS = {verdict: _VERDICT_COLOUR[verdict] for verdict in VERDICTS}
#: The status cell's background by its written label (SDR's four colours; the label stays in the cell).
STATUS_CELL_COLOURS = {LEVEL_LABELS[level]: LEVEL_COLOURS[level] for level in LEVELS}
ROW_HEIGHT = 44
STANDING_COLUMNS = ["indicator", "label", "percentile", "rank", "n_ranked", "value", "year", "unit", "arrow", "verdict"]


def standing_chart(card: pd.DataFrame, *, title: str, peer_label: str) -> alt.LayerChart:
    """Each indicator's position among peers (0 = worst, 100 = best), coloured by its trend verdict.

    ``card`` holds scorecard rows (see ``indicators.assess.scorecard``) of one theme; rows
    without a rank are drawn as a note in the tooltip-free label only (no dot).
    """
    check_rows(len(card), title)
    flag = [estimate_marks.COLUMN] if estimate_marks.COLUMN in card else []
    data = card[STANDING_COLUMNS + flag].assign(
        order=range(len(card)),
        rank_text=[
            f"{int(r)} of {int(n)}" if pd.notna(r) else "not ranked"
            for r, n in zip(card["rank"], card["n_ranked"], strict=True)
        ],
        track_start=0.0,
        track_end=100.0,
    )
    data, estimate_tip = estimate_marks.prepared(data)
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
        alt.Tooltip("value:Q", title="Latest value", format=NUMBER_FORMAT),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("rank_text:N", title="Rank"),
        alt.Tooltip("verdict:N", title="Trend"),
        *estimate_tip,
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
    # An "e" left of the dot: the latest value is the publisher's estimate.
    letters = [estimate_marks.letters(ranked.encode(y=y, x=x, tooltip=tooltip), dx=-13)] if estimate_tip else []
    subtitle = [
        "Dot: rank among peers, right is best.",
        "Arrow: trend; green = improving, blue = too slowly,",
        "vermillion = worsening, grey = no clear change.",
    ]
    return alt.layer(track, middle, names, dots, arrows, *letters, data=data).properties(
        title=heading(title, estimate_marks.subtitle(subtitle, estimate_marks.LETTER_LINE, card)),
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
    """The scorecard as people read it: one row per indicator, words instead of codes; "Estimated" says
    "yes" where the publisher marked the latest value as estimated, modelled or provisional."""
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
                "Status": _status_label(row),
                "Target": _target_text(row),
                "Estimated": "yes" if pd.notna(row.get("estimated")) and bool(row.get("estimated")) else "",
            }
        )
    return pd.DataFrame(rows)


def format_value(value: float) -> str:
    """The table's "Latest": :func:`indicators.numbers.readable` (four significant digits, thousands
    separators), the same number the chart's tooltip and the signals show (65,600, not 65,597 beside it)."""
    return readable(value)


def _has_target(row: pd.Series) -> bool:
    return isinstance(row["target"], str) and bool(row["target"])


def _status_label(row: pd.Series) -> str:
    """The four-level status in words (:data:`indicators.status.LEVEL_LABELS`); "" without a target.

    A target without a status means the trend had too few points for the rule to judge it."""
    if not _has_target(row):
        return ""
    return LEVEL_LABELS.get(row["status"], LEVEL_LABELS["insufficient_data"])


def status_style(value: str) -> str:
    """CSS for one cell of the table's Status column: the SDR colour of its level, dark text on it
    (every one of the four colours keeps a contrast of at least 4.5:1 with black)."""
    colour = STATUS_CELL_COLOURS.get(value)
    return f"background-color: {colour}; color: #000000" if colour else ""


def styled_table(table: pd.DataFrame, uuid: str | None = None) -> Styler:
    """:func:`scorecard_table` with its Status cells coloured by level (the words stay in the cell).

    Only the coloured cells carry an id (``cell_ids=False``): the browser reads the other cells' own
    text, which is already what they show, so Streamlit has one column of display values to send, not ten.
    ``uuid`` names the table's CSS (unique on a page); without it Streamlit picks one per element."""
    return Styler(table, uuid=uuid, cell_ids=False).map(status_style, subset=["Status"])


def _target_text(row: pd.Series) -> str:
    """The target and the share still to go (the status itself has its own coloured column)."""
    if not _has_target(row):
        return ""
    distance = f"; {row['distance']:.0%} to go" if pd.notna(row["distance"]) and row["distance"] > 0 else ""
    return f"{row['target']}: {readable(row['target_value'])} by {int(row['target_year'])}{distance}"


def scorecard_csv(card: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the scorecard (no list-valued sparkline column) for the CSV download."""
    return card.drop(columns=["sparkline"])
