"""Recent trends of a place or a panel, and their distance to a target.

Honesty rule kept in :mod:`indicators.status`, not in the pages: a trend counts as a change only when
its confidence interval excludes zero, and the arrow and status follow one stated rule. The
arithmetic (Theil-Sen, target status) lives in :mod:`indicators.methods`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.constants import CONFIDENCE, MIN_TREND_POINTS
from indicators.methods.targets import SOURCES as TARGET_SOURCES
from indicators.methods.targets import Target as MethodTarget
from indicators.methods.targets import assess as assess_target
from indicators.methods.trend import recent_trend, theil_sen
from indicators.schema import Definition
from indicators.status import VERDICTS

#: The scorecard's verdict words; they come from the one status rule in :mod:`indicators.status`.
TREND_VERDICTS = VERDICTS


def window_trend(years: np.ndarray, values: np.ndarray, end: int, window: int) -> tuple[float, float, float, int]:
    """(slope, low, high, points) of the Theil-Sen trend over the ``window`` years ending at ``end``: the
    numbers :func:`indicators.methods.trend.recent_trend` gives for one place, without a panel round trip."""
    grid = np.arange(end - window + 1, end + 1)
    row = np.full(window, np.nan)
    inside = (years >= grid[0]) & (years <= end)
    row[years[inside] - grid[0]] = values[inside]
    fit = theil_sen(grid, row[None, :], CONFIDENCE)
    return float(fit.slope[0]), float(fit.low[0]), float(fit.high[0]), int(fit.n_points[0])


def method_target(definition: Definition) -> tuple[MethodTarget, str] | None:
    """The first target of a definition as the methods' Target, with its label."""
    if not definition.targets:
        return None
    goal = definition.targets[0]
    source = goal.source if goal.source in TARGET_SOURCES else "threshold"  # source is metadata; status ignores it
    method = MethodTarget(
        value=goal.value, year=goal.year, source=source, kind=goal.kind, note=goal.label, green=goal.green, red=goal.red
    )
    return method, goal.label


@lru_cache(maxsize=2048)
def trend_table(indicator_id: str, since: int, areas: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Theil-Sen trend since ``since`` for the given areas (default: every area), each up to its
    own latest year.

    Areas are grouped by their latest year, so each group is one vectorised call; with the
    indicator's target (if any), also the distance and status. Indexed by ref_area, read-only.
    """
    item = query.definition(indicator_id)
    frame = query.panel(indicator_id, areas, years=(since, None))
    if frame.empty:
        return pd.DataFrame()
    series = frame.set_index(["ref_area", "year"])["value"]
    last_year = frame.groupby("ref_area")["year"].max()
    first = frame.sort_values("year").groupby("ref_area").head(1).set_index("ref_area")
    goal = method_target(item)
    parts = []
    for end, group in last_year.groupby(last_year):
        window = int(end) - since + 1
        if window < MIN_TREND_POINTS:
            continue
        sub = series[series.index.get_level_values(0).isin(group.index)]
        trend = recent_trend(sub, window=window, end_year=int(end), confidence=CONFIDENCE)
        if goal is not None:
            result = assess_target(sub, goal[0], window=window, end_year=int(end), confidence=CONFIDENCE)
            trend = trend.join(result[["distance", "status"]])
        parts.append(trend)
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts)
    table["first_value"] = first["value"].reindex(table.index)
    table["first_year"] = first["year"].reindex(table.index)
    return table
