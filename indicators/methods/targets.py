"""Targets: where each ref_area stands against a goal, and whether its trend will get it there.

A :class:`Target` is a value to reach by a year, with where it comes from (SDG, EU, OECD,
national, threshold) and its kind. ``at_least`` and ``social_floor`` are met from above
(life expectancy, employment); ``at_most`` and ``planetary_boundary`` from below (emissions,
material footprint).

Status, after the SDSN Sustainable Development Report's trend dashboards:

* ``achieved``: the latest value already meets the target;
* ``on_track``: the recent Theil-Sen slope is at least the rate required to meet the target
  by the target year from the latest value (i.e. the linear projection meets it);
* ``moderately_improving``: moving the right way at >= 50% of the required rate;
* ``stagnating_or_worsening``: below 50% of the required rate, flat, or moving away.

``insufficient_data`` is reported (not a status) when the window holds fewer than
:data:`~indicators.methods.trend.MIN_POINTS` observations. If the target year is not after the
latest year, the required rate is undefined: an unmet target is then ``moderately_improving``
if the slope points the right way and ``stagnating_or_worsening`` otherwise.

Distance to target is normalised so it reads the same for any unit: for an at-least target,
the share of the target still missing ``(target - latest) / |target|``; for an at-most target,
the share of the latest value that must go ``(latest - target) / |latest|``. Zero when met.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods.trend import project, recent_trend

KINDS = ("at_least", "at_most", "planetary_boundary", "social_floor")
SOURCES = ("SDG", "EU", "OECD", "national", "threshold", "international")
STATUSES = ("achieved", "on_track", "moderately_improving", "stagnating_or_worsening")
MODERATE_SHARE = 0.5


@dataclass(frozen=True)
class Target:
    value: float
    year: int
    source: str
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"target kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.source not in SOURCES:
            raise ValueError(f"target source must be one of {', '.join(SOURCES)}; got {self.source!r}")
        if not np.isfinite(float(self.value)):
            raise ValueError(f"target value must be a finite number; got {self.value!r}")

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
    shortfall = sign * (target.value - latest)  # > 0: still to go
    met = shortfall <= 0
    if target.upward:
        distance = shortfall.clip(lower=0) / abs(target.value) if target.value != 0 else shortfall.clip(lower=0)
    else:
        distance = (shortfall.clip(lower=0) / latest.abs()).where(latest != 0, 0.0)
    years_left = target.year - trend["last_year"]
    required = (shortfall / years_left).where(years_left > 0)  # oriented rate needed, > 0 when unmet
    observed = sign * trend["slope"]  # oriented: > 0 is improvement
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = observed / required
    status = np.select(
        [met, years_left <= 0, progress >= 1.0, progress >= MODERATE_SHARE],
        [
            "achieved",
            np.where(observed > 0, "moderately_improving", "stagnating_or_worsening"),
            "on_track",
            "moderately_improving",
        ],
        default="stagnating_or_worsening",
    )
    insufficient = trend["slope"].isna() & ~(met & latest.notna())
    status = pd.Series(status, index=trend.index, dtype=object).where(~insufficient, "insufficient_data")
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
        }
    )
