"""A place's scorecard: per measure its latest value, rank among peers, trend, target status, sparkline.

Cached per (place, peers, since[, theme]) so a dashboard rerun after a widget change costs a dictionary
look-up; returned frames are shared between callers, treat them as read-only. A value more than
:data:`~indicators.constants.RECENT_YEARS` older than the place's newest one is flagged as not recent.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from indicators import query
from indicators.areas import level_of
from indicators.constants import MIN_TREND_POINTS, RECENT_YEARS, THEME_ORDER
from indicators.measures import scorecard_definitions
from indicators.ranking import peer_position
from indicators.schema import Definition, Target
from indicators.status import assess_one
from indicators.trends import window_trend

SCORECARD_COLUMNS = [
    "indicator",
    "theme",
    "label",
    "unit",
    "direction",
    "year",
    "value",
    "recent",
    "rank",
    "n_ranked",
    "peer_median",
    "percentile",
    "arrow",
    "verdict",
    "trend_from",
    "trend_to",
    "trend_points",
    "slope",
    "slope_low",
    "slope_high",
    "change_pct",
    "target",
    "target_value",
    "target_year",
    "distance",
    "status",
    "level_label",
    "status_text",
    "sparkline",
    "estimated",
]


def target_text(goal: Target) -> str:
    """The target's label, and for a target with sourced bands the thresholds that grade its status, so
    that "Achieved" beside a target of 0 reads as what it is (at or better than the green threshold)."""
    if goal.bands is None:
        return goal.label
    better, worse = ("≥", "≤") if goal.upward else ("≤", "≥")
    return f"{goal.label} (Achieved {better} {goal.bands.green:g}, Major challenges {worse} {goal.bands.red:g})"


def _status(item: Definition, year: int, value: float, slope: float, low: float, high: float) -> dict:
    """Arrow, verdict, and (with a target) the four-level status, all from the one rule of
    :mod:`indicators.status`, so the arrow and the words beside it cannot disagree."""
    goal = item.targets[0] if item.targets else None
    upward = goal.upward if goal else item.direction.value == "higher_is_better"
    judged = assess_one(
        value,
        goal.value if goal else None,
        upward,
        slope,
        (goal.year - year) if goal else 0,
        low,
        high,
        goal.green if goal else None,
        goal.red if goal else None,
    )
    values = {"arrow": judged.arrow, "verdict": judged.verdict}
    if goal is not None:
        values.update(
            distance=judged.distance,
            status=judged.level,
            level_label=judged.level_label,
            status_text=judged.sentence,
        )
    return values


@lru_cache(maxsize=128)
def scorecard(ref_area: str, members: tuple[str, ...], since: int = 2010) -> pd.DataFrame:
    """One row per indicator of the place's level: latest value, rank among ``members``, trend since
    ``since`` (Theil-Sen, 90% CI), target distance and status, and the values since ``since`` for a sparkline.

    ``percentile`` is 100 for the best of the ranked peers and 0 for the worst. ``recent`` is False
    when the value is more than :data:`RECENT_YEARS` older than the place's newest value; ``estimated`` is
    True when the publisher marked the latest value as estimated, modelled or provisional.
    """
    return assemble([scorecard_theme(ref_area, members, since, theme) for theme in THEME_ORDER])


def assemble(themes_rows: list[pd.DataFrame]) -> pd.DataFrame:
    """The scorecard from its themes' rows (:func:`scorecard_theme`, in :data:`THEME_ORDER`), with ``recent``
    judged against the newest value of all of them. Separate so that a page holding the themes' rows already
    (the Overview's precomputed default view) builds the same scorecard without computing them again."""
    card = pd.concat(themes_rows, ignore_index=True)
    with_data = card["year"].notna()
    if with_data.any():
        newest = card.loc[with_data, "year"].max()
        card["recent"] = with_data & (card["year"] >= newest - RECENT_YEARS)
    return card


@lru_cache(maxsize=512)
def scorecard_theme(ref_area: str, members: tuple[str, ...], since: int, theme: str) -> pd.DataFrame:
    """The scorecard rows of one theme (see :func:`scorecard`, without ``recent``), so a page can
    draw each theme as soon as it is computed instead of waiting for all of them."""
    rows = []
    for item in scorecard_definitions(level_of(ref_area)):
        if item.theme != theme:
            continue
        try:
            own = query.area_panel(item.id, ref_area)
        except query.QueryError:
            continue  # an indicator whose data cannot be read is left out here and reported by the catalogue
        if own.empty:
            rows.append(_row(item, sparkline=[]))
            continue
        rows.append(_scorecard_row(item, ref_area, own, members, since))
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def _row(item: Definition, **values) -> dict:
    row = dict.fromkeys(SCORECARD_COLUMNS)
    row.update(
        indicator=item.id,
        theme=item.theme,
        label=item.label,
        unit=item.unit,
        direction=item.direction.value,
        recent=False,
        estimated=False,
        verdict="too few points",
        arrow="",
    )
    row.update(values)
    return row


def _scorecard_row(item: Definition, ref_area: str, own: pd.DataFrame, members: tuple[str, ...], since: int) -> dict:
    last = own.iloc[-1]
    year, value = int(last["year"]), float(last["value"])
    window = own[own["year"] >= since]
    values = {
        "year": year,
        "value": value,
        "sparkline": [float(v) for v in window["value"]],
        "trend_points": len(window),
        "estimated": (ref_area, year) in query.estimated_keys(item.id),
        **peer_position(item, ref_area, year, value, members),
    }
    if item.targets:
        goal = item.targets[0]
        values.update(target=target_text(goal), target_value=goal.value, target_year=goal.year)
    if len(window) >= MIN_TREND_POINTS:
        years = window["year"].to_numpy(dtype=int)
        slope, low, high, n_points = window_trend(years, window["value"].to_numpy(dtype=float), year, year - since + 1)
        first_value = float(window["value"].iloc[0])
        values.update(
            trend_from=int(years[0]),
            trend_to=year,
            slope=slope,
            slope_low=low,
            slope_high=high,
            change_pct=(value / first_value - 1) * 100 if first_value != 0 else None,
        )
        if n_points >= MIN_TREND_POINTS:
            values.update(_status(item, year, value, slope, low, high))
    return _row(item, **values)
