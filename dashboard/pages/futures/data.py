"""Futures page: view -> data. History, the validated projection, the target, the two rates that
matter, and the user's pathway with the decoupling it implies.

* **Projection**: :func:`indicators.methods.forecast.project` — the method (last value, drift, damped
  trend or Theta) chosen per horizon on all places' recent past, never worse than "no change" there,
  with the band its validation errors give; at most ten years ahead.
* **Rate achieved**: the Theil–Sen slope over the last ten years (units per year), the same number
  the status arrow uses (:mod:`indicators.status`), and its compound % per year for the pathway.
* **Rate required**: the change per year from the latest value to the target by the target year —
  ``(target − latest) / years left`` in units, ``(target / latest)^(1 / years left) − 1`` in %.
* **Pathway**: the latest value changing by a constant % a year (``rate``) or reaching the target in
  a chosen year (``by``); it reaches the target in the first whole year the path meets it.
* **Implied decoupling** (emissions, materials, energy): with GDP per person growing ``g`` a year, the
  measure per unit of GDP must change by ``(1 + r) / (1 + g) − 1`` a year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.pages.decoupling import state as decoupling_state
from dashboard.pages.decoupling.data import is_pressure
from dashboard.pages.futures.state import FuturesView, level_of_area
from indicators import query, status
from indicators.methods import derived, forecast
from indicators.methods.trend import recent_trend
from indicators.schema import Target

#: Years of history drawn before the latest value, and of the recent trend.
HISTORY_YEARS = 30
TREND_WINDOW = 10
#: Without a target year the pathway and projection run this many years past the latest value.
DEFAULT_HORIZON = 10
LAST_PATH_YEAR = 2100


@dataclass(frozen=True)
class Outlook:
    """Everything the Futures charts say about one place and indicator."""

    latest_year: int
    latest: float
    target: Target | None
    upward: bool  # True when more is better (the target is a floor to reach)
    slope: float  # achieved, units per year (Theil-Sen, last TREND_WINDOW years)
    slope_low: float
    slope_high: float
    achieved_pct: float  # achieved, compound % per year over the same window (NaN if not positive)
    required_slope: float  # units per year to meet the target in time (NaN without a target or time)
    required_pct: float
    status: status.Status | None


def series(indicator_id: str) -> pd.Series:
    """Every place's values of the indicator as a ``(ref_area, year)`` series (what forecasts select on)."""
    return derived.series_from_panel(query.panel(indicator_id), indicator_id)


def history(view: FuturesView) -> pd.DataFrame:
    frame = query.panel(view.indicator, [view.area])
    if frame.empty:
        raise query.QueryError(
            f"no values of {query.definition(view.indicator).label} for {query.area_name(view.area)}"
        )
    last = int(frame["year"].max())
    return frame[frame["year"] > last - HISTORY_YEARS][["year", "value"]].reset_index(drop=True)


def target_of(indicator_id: str) -> Target | None:
    targets = query.definition(indicator_id).targets
    return targets[0] if targets else None


def compound(start: float, end: float, years: float) -> float:
    """Compound change per year from ``start`` to ``end`` over ``years`` (NaN unless both are positive)."""
    if years <= 0 or not (start > 0 and end > 0):
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def outlook(view: FuturesView) -> Outlook:
    frame = history(view)
    latest_year, latest = int(frame["year"].iloc[-1]), float(frame["value"].iloc[-1])
    own = derived.series_from_panel(query.panel(view.indicator, [view.area]), view.indicator)
    trend = recent_trend(own, window=TREND_WINDOW, end_year=latest_year).iloc[0]
    target = target_of(view.indicator)
    item = query.definition(view.indicator)
    upward = target.kind == "at_least" if target else item.direction.value == "higher_is_better"
    window_start = frame[frame["year"] > latest_year - TREND_WINDOW].iloc[0]
    achieved_pct = compound(float(window_start["value"]), latest, latest_year - int(window_start["year"]))
    required_slope = required_pct = math.nan
    years_left = (target.year - latest_year) if target else math.nan
    if target and years_left > 0:
        required_slope = (target.value - latest) / years_left
        required_pct = compound(latest, target.value, years_left)
    verdict = status.assess_one(
        latest,
        target.value if target else None,
        upward,
        float(trend["slope"]),
        years_left if target else 0.0,
        float(trend["slope_low"]),
        float(trend["slope_high"]),
    )
    return Outlook(
        latest_year=latest_year,
        latest=latest,
        target=target,
        upward=upward,
        slope=float(trend["slope"]),
        slope_low=float(trend["slope_low"]),
        slope_high=float(trend["slope_high"]),
        achieved_pct=achieved_pct,
        required_slope=required_slope,
        required_pct=required_pct,
        status=verdict,
    )


def horizon_year(view: FuturesView, look: Outlook) -> int:
    """Where the chart ends: the target year, the pathway's year, or ten years on, whichever is latest."""
    candidates = [look.latest_year + DEFAULT_HORIZON]
    if look.target:
        candidates.append(look.target.year)
    if view.by:
        candidates.append(view.by)
    return min(max(candidates), LAST_PATH_YEAR)


def projection(view: FuturesView, look: Outlook) -> tuple[pd.DataFrame, str]:
    """``year, forecast, low, high, method`` from the latest year on, and one line on the method."""
    table, selection = forecast.project(series(view.indicator), [view.area], horizon_year(view, look))
    table = table[table["ref_area"] == view.area]
    first = int(table["horizon"].max()) if len(table) else 1
    described = selection.describe(first) if len(table) else "no projection: too few years of data"
    return table[["year", "forecast", "low", "high", "method"]].reset_index(drop=True), described


def pathway_rate(view: FuturesView, look: Outlook) -> float | None:
    """The pathway's change per year (0.05 = +5%): the link's ``rate``, or what reaches the target by ``by``."""
    if view.rate is not None:
        return view.rate / 100.0
    if view.by is not None and look.target is not None:
        value = compound(look.latest, look.target.value, view.by - look.latest_year)
        return None if math.isnan(value) else value
    return None


def pathway(view: FuturesView, look: Outlook) -> pd.DataFrame:
    """``year, value`` of the pathway from the latest value to the chart's last year (empty without one)."""
    rate = pathway_rate(view, look)
    if rate is None:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "value": pd.Series(dtype=float)})
    years = np.arange(look.latest_year, horizon_year(view, look) + 1)
    return pd.DataFrame({"year": years, "value": look.latest * (1.0 + rate) ** (years - look.latest_year)})


def year_reached(look: Outlook, rate: float) -> int | None:
    """The first whole year a path at ``rate`` a year meets the target (the latest year if already met);
    None when it never does (moving the wrong way, or not at all)."""
    if look.target is None:
        return None
    gap = (look.target.value - look.latest) * (1 if look.upward else -1)
    if gap <= 0:
        return look.latest_year
    if rate == 0 or look.latest <= 0 or look.target.value <= 0:
        return None
    years = math.log(look.target.value / look.latest) / math.log(1.0 + rate)
    return look.latest_year + math.ceil(years - 1e-9) if years > 0 else None


def gdp_measure(view: FuturesView) -> str | None:
    """GDP per person at the place's level (regional GDP or GNI for regions); None where there is none."""
    level = level_of_area(view.area)
    return decoupling_state.x_options(level)[0] if level in decoupling_state.PAIRS else None


def gdp_growth(view: FuturesView, end_year: int | None = None) -> tuple[float, str]:
    """GDP per person growth (0.015 = 1.5%/yr) and where it comes from, in words: the link's ``gdp`` if
    set, else the compound rate over the :data:`TREND_WINDOW` years ending at ``end_year`` (default: the
    GDP series' latest year)."""
    if view.gdp is not None and end_year is None:
        return view.gdp / 100.0, "set by you"
    measure = gdp_measure(view)
    if measure is None:
        return math.nan, "no GDP series for this place"
    frame = query.panel(measure, [view.area], (None, end_year))
    if len(frame) < 2:
        return math.nan, "no GDP series for this place"
    last = frame.iloc[-1]
    start = frame[frame["year"] > int(last["year"]) - TREND_WINDOW].iloc[0]
    rate = compound(float(start["value"]), float(last["value"]), int(last["year"]) - int(start["year"]))
    return rate, f"{query.definition(measure).label}, {int(start['year'])}–{int(last['year'])} trend"


def implied_intensity_change(measure_rate: float, gdp_rate: float) -> float:
    """Change per year of the measure per unit of GDP when the measure changes by ``measure_rate`` and
    GDP per person by ``gdp_rate`` (both per person, so population cancels)."""
    return (1.0 + measure_rate) / (1.0 + gdp_rate) - 1.0


def applies_decoupling(view: FuturesView) -> bool:
    return is_pressure(view.indicator) and gdp_measure(view) is not None
