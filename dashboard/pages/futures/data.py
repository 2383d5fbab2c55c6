"""Futures page: view -> data, on :mod:`indicators.pathways`, :mod:`indicators.methods.forecast` and
:mod:`indicators.status`.

* **Projection**: :func:`indicators.methods.forecast.project` — ONE method for the whole path (one of
  :data:`indicators.methods.forecast.METHOD_LABELS`: no change, or a mean of no change with trend
  methods or with a model learned from every country), chosen over the ten horizons on all places'
  recent past, never worse than "no change" there at any horizon, with the band its validation
  errors give, widened where needed so it never narrows further ahead; at most ten years ahead.
  The page names the method by its label there, never by its internal key.
* **Status and arrow**: :func:`indicators.status.assess_one` from the Theil–Sen slope over the last ten
  years, the one rule stated in :data:`indicators.status.RULE_TEXT`; that slope is the "achieved"
  bar, so the bar and the arrow can never disagree.
* **Required, pathway, year reached, implied decoupling**: :mod:`indicators.pathways`, aimed at
  :attr:`Outlook.aim` — the point the status arrow measures against (:func:`indicators.status.goal_of`:
  a target's sourced green threshold where it has bands, else the target), so "required" and the arrow
  beside it can never aim at two different values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard.pages.decoupling import data as decoupling_data
from dashboard.pages.decoupling import state as decoupling_state
from dashboard.pages.futures.state import FuturesView, level_of_area
from indicators import limits, pathways, query, status
from indicators.methods import derived, forecast
from indicators.methods.trend import recent_trend
from indicators.schema import Target

#: Years of history drawn before the latest value.
HISTORY_YEARS = 30
TREND_WINDOW = pathways.ACHIEVED_YEARS
#: Without a target year the pathway runs this many years past the latest value ...
DEFAULT_HORIZON = forecast.MAX_HORIZON
#: ... and the projection this many (the longest horizon the backtest in ``make bench`` checks).
PROJECTION_YEARS = 5
LAST_PATH_YEAR = 2100


@dataclass(frozen=True)
class Outlook:
    """Everything the Futures charts say about one place and indicator."""

    latest_year: int
    latest: float
    target: Target | None
    upward: bool  # True when more is better (the target is a floor to reach)
    slope: float  # achieved, units per year (Theil-Sen over the last TREND_WINDOW years)
    achieved: pathways.Rate | None  # endpoint change over the same years (its compound % a year)
    required: pathways.Rate | None  # to meet the target by its year (None without a target or time left)
    status: status.Status
    boundary: limits.Threshold | None = None  # a sourced per-person floor or ceiling in the indicator's unit
    #: The value the required rate, the target line, a "by" pathway and "year reached" aim at: the one the
    #: status arrow uses (:func:`indicators.status.goal_of`); None without a target.
    aim: float | None = None

    @property
    def aims_at_green(self) -> bool:
        """True when the target carries sourced bands, so the aim is their green threshold, not the target."""
        return self.target is not None and self.aim is not None and self.target.bands is not None


def boundary_of(indicator_id: str) -> limits.Threshold | None:
    """The sourced floor or ceiling (``indicators/thresholds.yaml``) when it applies to the value itself
    (not to ``100 − value``), so it can be drawn on the indicator's own axis — unless the indicator's
    target is that same value (then the target line already is the boundary, said once)."""
    threshold = limits.thresholds().get(indicator_id)
    if threshold is None or threshold.transform != "none":
        return None
    target = target_of(indicator_id)
    return None if target is not None and abs(target.value - threshold.value) < 1e-9 else threshold


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


def outlook(view: FuturesView) -> Outlook:
    """What the charts and the summary say about the view's place and indicator (the pathway and GDP
    settings do not change it): computed once per place, indicator and data version (read-only)."""
    return _outlook(view.area, view.indicator)


@lru_cache(maxsize=512)
def _outlook(area: str, indicator: str) -> Outlook:
    view = FuturesView(area=area, indicator=indicator)
    frame = history(view)
    latest_year, latest = int(frame["year"].iloc[-1]), float(frame["value"].iloc[-1])
    own = derived.series_from_panel(query.panel(view.indicator, [view.area]), view.indicator)
    # TREND_WINDOW + 1 points span TREND_WINDOW years, the same years as the endpoint rate beside it.
    trend = recent_trend(own, window=TREND_WINDOW + 1, end_year=latest_year).iloc[0]
    target = target_of(view.indicator)
    item = query.definition(view.indicator)
    upward = target.kind == "at_least" if target else item.direction.value == "higher_is_better"
    aim = float(status.goal_of(target.value, target.green, target.red)) if target else None
    required = None
    if target and target.year > latest_year:
        required = pathways.required_rate(latest_year, latest, target.year, aim)
    verdict = status.assess_one(
        latest,
        target.value if target else None,
        upward,
        float(trend["slope"]),
        (target.year - latest_year) if target else 0.0,
        float(trend["slope_low"]),
        float(trend["slope_high"]),
        target.green if target else None,
        target.red if target else None,
    )
    return Outlook(
        latest_year=latest_year,
        latest=latest,
        target=target,
        upward=upward,
        slope=float(trend["slope"]),
        achieved=pathways.achieved_rate(frame.set_index("year")["value"], TREND_WINDOW),
        required=required,
        status=verdict,
        boundary=boundary_of(view.indicator),
        aim=aim,
    )


def horizon_year(view: FuturesView, look: Outlook) -> int:
    """Where the chart ends: the target year, the pathway's year, or ten years on, whichever is latest."""
    candidates = [look.latest_year + DEFAULT_HORIZON]
    if look.target:
        candidates.append(look.target.year)
    if view.by:
        candidates.append(view.by)
    return min(max(candidates), LAST_PATH_YEAR)


def projection_year(look: Outlook) -> int:
    """The projection runs to the target year (at most :data:`forecast.MAX_HORIZON` years ahead), or
    :data:`PROJECTION_YEARS` ahead without a target still to come."""
    if look.target and look.target.year > look.latest_year:
        return min(look.target.year, look.latest_year + forecast.MAX_HORIZON)
    return look.latest_year + PROJECTION_YEARS


def projection(view: FuturesView, look: Outlook) -> tuple[pd.DataFrame, str]:
    """``year, forecast, low, high, method`` after the latest year, and one line on the method.

    ``method`` holds the readable label of :data:`forecast.METHOD_LABELS` (the tooltip and the CSV
    show it), not the internal key such as ``combo_damped``.

    For a place whose series has never been negative (rates, emissions), the band is cut at zero: a
    band's lower edge below zero would be read as a possible value."""
    every = derived.series_from_panel(query.panel(view.indicator), view.indicator)
    table, selection = forecast.project(every, [view.area], projection_year(look))
    table = table[table["ref_area"] == view.area]
    if table.empty:
        return table[["year", "forecast", "low", "high", "method"]], "no projection: too few years of data"
    if (every.xs(view.area, level=0) >= 0).all():
        table = table.assign(low=table["low"].clip(lower=0.0), high=table["high"].clip(lower=0.0))
    described = selection.describe_path()
    table = table.assign(method=table["method"].map(lambda key: forecast.METHOD_LABELS.get(key, key)))
    return table[["year", "forecast", "low", "high", "method"]].reset_index(drop=True), described


def pathway_rate(view: FuturesView, look: Outlook) -> float | None:
    """The pathway's compound change per year (0.05 = +5%): the link's ``rate``, or what reaches the
    target's :attr:`Outlook.aim` by ``by`` (None when neither is set, or the aim cannot be reached by a
    compound rate)."""
    if view.rate is not None:
        return view.rate / 100.0
    if view.by is not None and look.aim is not None and view.by > look.latest_year:
        return pathways.rate_between(look.latest_year, look.latest, view.by, look.aim).rate
    return None


def pathway(view: FuturesView, look: Outlook) -> pd.DataFrame:
    """``year, value`` of the pathway from the latest value to the chart's last year (empty without one)."""
    rate = pathway_rate(view, look)
    if rate is None:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "value": pd.Series(dtype=float)})
    return pathways.pathway(look.latest_year, look.latest, horizon_year(view, look), rate=rate)


def year_reached(look: Outlook, rate: float) -> int | None:
    """The first whole year a path at ``rate`` meets :attr:`Outlook.aim` (None: never, or no target)."""
    if look.target is None or look.aim is None:
        return None
    return pathways.year_reached(look.latest_year, look.latest, look.aim, look.upward, rate=rate)


def year_boundary_reached(look: Outlook, rate: float) -> int | None:
    """The first whole year a path at ``rate`` is on the right side of the floor or ceiling (None: never)."""
    if look.boundary is None:
        return None
    upward = look.boundary.kind == "floor"
    return pathways.year_reached(look.latest_year, look.latest, look.boundary.value, upward, rate=rate)


def gdp_measure(view: FuturesView) -> str | None:
    """GDP per person at the place's level (regional GDP or GNI for regions); None where there is none."""
    level = level_of_area(view.area)
    return decoupling_state.x_options(level)[0] if level in decoupling_state.levels() else None


def gdp_growth(view: FuturesView, end_year: int | None = None) -> tuple[float | None, str]:
    """GDP per person growth (0.015 = 1.5%/yr) and where it comes from, in words: the link's ``gdp`` when
    ``end_year`` is None and it is set, else the growth over the :data:`TREND_WINDOW` years to ``end_year``
    (default: the GDP series' latest year)."""
    if view.gdp is not None and end_year is None:
        return view.gdp / 100.0, "set by you"
    measure = gdp_measure(view)
    if measure is None:
        return None, "no GDP series for this place"
    achieved = _achieved_growth(measure, view.area, end_year)
    if achieved is None or achieved.rate is None:
        return None, "no GDP series for this place"
    label = query.definition(measure).label
    return achieved.rate, f"{label}, {achieved.start_year}–{achieved.end_year}"


@lru_cache(maxsize=1024)
def _achieved_growth(measure: str, area: str, end_year: int | None) -> pathways.Rate | None:
    """The GDP measure's change over the :data:`TREND_WINDOW` years to ``end_year`` (default its latest),
    once per place, year and data version."""
    values = pathways.place_series(measure, area)
    if end_year is not None:
        values = values[values.index <= end_year]
    return pathways.achieved_rate(values, TREND_WINDOW)


def applies_decoupling(view: FuturesView) -> bool:
    """Emissions, materials and energy with a GDP series at the place's level."""
    return decoupling_data.is_pressure(view.indicator) and gdp_measure(view) is not None
