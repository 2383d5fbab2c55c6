"""Targets: where each ref_area stands against a goal, and whether its trend will get it there.

A :class:`Target` is a value to reach by a year, with where it comes from (SDG, EU, OECD,
national, international, threshold) and its kind. ``at_least`` and ``social_floor`` are met from
above (life expectancy, employment); ``at_most`` and ``planetary_boundary`` from below
(emissions, material footprint).

The status and the arrow follow the ONE rule of :mod:`indicators.status` (stated in
``indicators.status.RULE_TEXT``): ``status`` is the four-level distance to target (achieved /
challenges remain / significant challenges / major challenges) and ``trend``/``arrow`` compare the
Theil-Sen slope (a slope whose interval includes zero counts as no change) with the rate
required to meet the target by its year. This module adds the panel arithmetic around it: the
trend window, the projection to the target year and the required slope.

``insufficient_data`` is reported (not a status) when the window holds fewer than
:data:`~indicators.methods.trend.MIN_POINTS` observations and the target is not already met.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods.trend import project, recent_trend
from indicators.status import LEVELS, classify

KINDS = ("at_least", "at_most", "planetary_boundary", "social_floor")
SOURCES = ("SDG", "EU", "OECD", "national", "threshold", "international")
STATUSES = LEVELS


@dataclass(frozen=True)
class Target:
    value: float
    year: int
    source: str
    kind: str
    note: str = ""
    #: Sourced status bands (see :func:`indicators.status.level_of_bands`); both or neither.
    green: float | None = None
    red: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"target kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.source not in SOURCES:
            raise ValueError(f"target source must be one of {', '.join(SOURCES)}; got {self.source!r}")
        if not np.isfinite(float(self.value)):
            raise ValueError(f"target value must be a finite number; got {self.value!r}")
        if (self.green is None) != (self.red is None):
            raise ValueError("target bands need both a green and a red threshold, or neither")

    @property
    def goal(self) -> float:
        """What "met" means for the status and the arrow: the green threshold when bands are given."""
        return self.value if self.green is None else float(self.green)

    @property
    def upward(self) -> bool:
        """True when the target is met from above (reach at least ``value``)."""
        return self.kind in ("at_least", "social_floor")


def assess(
    series: pd.Series, target: Target, window: int = 10, end_year: int | None = None, confidence: float = 0.90
) -> pd.DataFrame:
    """Per ref_area: latest value, distance, trend, projection to the target year and status.

    ``series`` is indexed by ``(ref_area, year)``; the trend uses the ``window`` years ending
    at ``end_year`` (default: the last year in the data).
    """
    trend = recent_trend(series, window=window, end_year=end_year, confidence=confidence)
    projection = project(trend, target.year, anchor="last")
    latest = trend["last_value"]
    sign = 1.0 if target.upward else -1.0
    years_left = target.year - trend["last_year"]
    shortfall = sign * (target.goal - latest)  # > 0: still to go (to the green threshold, with bands)
    required = (shortfall / years_left).where(years_left > 0)  # oriented rate needed, > 0 when unmet
    judged = classify(
        latest.to_numpy(),
        target.value,
        target.upward,
        trend["slope"].to_numpy(),
        years_left.to_numpy(),
        trend["slope_low"].to_numpy(),
        trend["slope_high"].to_numpy(),
        target.green,
        target.red,
    ).set_index(trend.index)
    met = shortfall <= 0
    insufficient = trend["slope"].isna() & ~(met & latest.notna())
    status = judged["level"].where(~insufficient, "insufficient_data")
    distance = judged["distance"]
    return pd.DataFrame(
        {
            "latest_year": trend["last_year"],
            "latest_value": latest,
            "target": target.value,
            "target_year": target.year,
            "distance": distance,
            "slope": trend["slope"],
            "slope_low": trend["slope_low"],
            "slope_high": trend["slope_high"],
            "required_slope": sign * required,
            "projection": projection["projection"],
            "projection_low": projection["low"],
            "projection_high": projection["high"],
            "status": status,
            "trend": judged["trend"].where(~insufficient, "insufficient_data"),
            "arrow": judged["arrow"].where(~insufficient, ""),
            "status_text": judged["sentence"].where(~insufficient, "Too few data"),
        }
    )
