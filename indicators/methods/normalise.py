"""Normalisation: put indicators on a common scale where higher is always better.

Each method takes one indicator's values across ref_areas (a ``pd.Series``; NaN = missing,
kept missing) and its direction, and returns a series on the method's scale. For
``lower_is_better`` indicators the result is flipped, so after normalisation a higher number
always means a better outcome. :func:`normalise` applies a method column by column to a wide
matrix (index ref_area, columns indicator).

| method | scale | notes |
|---|---|---|
| ``minmax`` | [0, 1] | best observed unit 1, worst 0; all-equal column -> 0.5 |
| ``zscore`` | mean 0, sd 1 | sample sd (ddof=1); all-equal column -> 0 |
| ``rank`` | [0, 1] | fractional rank (ties averaged) rescaled as (rank-1)/(n-1); n=1 -> 0.5 |
| ``distance_to_target`` | [0, 1] | share of the way from the worst observed unit to ``target``; 1 = target met |
| ``goalposts`` | [0, 1] | fixed ``lower``/``upper`` (optionally on log scale), clipped; UNDP style |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from indicators.methods.registry import check_direction, lookup


def _oriented(values: pd.Series, direction: str) -> pd.Series:
    check_direction(direction)
    values = values.astype(float)
    return values if direction == "higher_is_better" else -values


def minmax(values: pd.Series, direction: str = "higher_is_better") -> pd.Series:
    """``(x - min) / (max - min)`` on the direction-oriented values."""
    x = _oriented(values, direction)
    low, high = x.min(), x.max()
    if not np.isfinite(high - low) or high == low:
        return x.where(x.isna(), 0.5)
    return (x - low) / (high - low)


def zscore(values: pd.Series, direction: str = "higher_is_better") -> pd.Series:
    """``(x - mean) / sd`` (sample sd) on the direction-oriented values."""
    x = _oriented(values, direction)
    sd = x.std(ddof=1)
    if not np.isfinite(sd) or x.max() == x.min():  # exact test: a constant's computed sd may be 1e-14, not 0
        return x.where(x.isna(), 0.0)
    return (x - x.mean()) / sd


def rank(values: pd.Series, direction: str = "higher_is_better") -> pd.Series:
    """Fractional rank (1 = worst, ties averaged) rescaled to [0, 1]."""
    x = _oriented(values, direction)
    ranks = x.rank(method="average")
    n = ranks.count()
    if n <= 1:
        return x.where(x.isna(), 0.5)
    return (ranks - 1) / (n - 1)


def distance_to_target(
    values: pd.Series, direction: str = "higher_is_better", target: float | None = None
) -> pd.Series:
    """Progress from the worst observed unit (0) to ``target`` (1), capped at 1.

    For higher-is-better: ``(x - min) / (target - min)``; for lower-is-better:
    ``(max - x) / (max - target)``. Units at or beyond the target score 1. When every
    unit already meets the target all score 1.
    """
    if target is None or not np.isfinite(float(target)):
        raise ValueError("distance_to_target needs a numeric target (params: {target: <value>})")
    x = _oriented(values, direction)
    goal = float(target) if direction == "higher_is_better" else -float(target)
    worst = x.min()
    if not np.isfinite(worst) or worst >= goal:
        return x.where(x.isna(), 1.0)
    return ((x - worst) / (goal - worst)).clip(upper=1.0)


def goalposts(
    values: pd.Series,
    direction: str = "higher_is_better",
    lower: float | None = None,
    upper: float | None = None,
    log: bool = False,
) -> pd.Series:
    """``(x - lower) / (upper - lower)`` clipped to [0, 1], with fixed goalposts.

    ``lower``/``upper`` are the natural minimum and maximum of the indicator (in its own units,
    whatever its direction); with ``log=True`` the natural log of values and goalposts is
    used (UNDP income index). Lower-is-better indicators are flipped (``1 - ...``).
    """
    check_direction(direction)
    if lower is None or upper is None or not float(upper) > float(lower):
        raise ValueError(f"goalposts needs numeric lower < upper; got lower={lower!r}, upper={upper!r}")
    x = values.astype(float)
    low, high = float(lower), float(upper)
    if log:
        if low <= 0:
            raise ValueError(f"goalposts with log=True needs lower > 0; got {low}")
        x, low, high = np.log(x.where(x > 0)), np.log(low), np.log(high)
    scaled = ((x - low) / (high - low)).clip(0.0, 1.0)
    return scaled if direction == "higher_is_better" else 1.0 - scaled


NORMALISERS: dict[str, Callable[..., pd.Series]] = {
    "minmax": minmax,
    "zscore": zscore,
    "rank": rank,
    "distance_to_target": distance_to_target,
    "goalposts": goalposts,
}


def normalise(
    matrix: pd.DataFrame,
    method: str,
    directions: Mapping[str, str],
    params: Mapping[str, Mapping[str, object]] | None = None,
) -> pd.DataFrame:
    """Normalise every column of ``matrix`` (index ref_area, columns indicator) with ``method``.

    ``params`` gives per-indicator keyword arguments, e.g. ``{"co2": {"target": 2.0}}``.
    """
    func = lookup(NORMALISERS, method, "normalisation")
    params = params or {}
    missing = [c for c in matrix.columns if c not in directions]
    if missing:
        raise KeyError(f"no direction given for indicator(s) {missing}; pass directions={{id: 'higher_is_better'|...}}")
    out = {
        column: func(matrix[column], directions[column], **dict(params.get(column, {}))) for column in matrix.columns
    }
    return pd.DataFrame(out, index=matrix.index, columns=matrix.columns)
