"""Futures: the change achieved, the change required, and the path a chosen rate would take.

Why: "are we on course?" becomes a question a reader can act on only with two numbers side by
side — the yearly change achieved over the last ten years and the yearly change required to
reach the target by its year — and a pathway builder: "if we cut by r% a year, when do we get
there?" For emissions and materials it also answers the decoupling question behind any such
path: with GDP growing at g% a year, the pressure per unit of GDP must change by
``(1 + r) / (1 + g) - 1`` a year.

Rates are compound (``value_t = value_0 * (1 + r) ** t``), the form targets such as "-55% by 2030"
and growth rates are stated in; where a value or target is zero or negative (a compound rate
cannot reach 0), the linear change per year is given as well and used. All functions are pure
arithmetic on numbers and frames, checked against hand-computed cases in
``tests/indicators/test_pathways.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

#: Years over which the achieved rate is measured (the issue's "last 10 years").
ACHIEVED_YEARS = 10


@dataclass(frozen=True)
class Rate:
    """A change per year between two points: compound (``rate``, 0.02 = +2%/yr; None when a value
    is not positive) and linear (``change``, in the indicator's unit per year)."""

    start_year: int
    end_year: int
    start_value: float
    end_value: float
    rate: float | None
    change: float


def rate_between(start_year: int, start_value: float, end_year: int, end_value: float) -> Rate:
    """Compound and linear yearly change from one point to another."""
    years = end_year - start_year
    if years <= 0:
        raise ValueError(f"the end year ({end_year}) must come after the start year ({start_year})")
    compound = (end_value / start_value) ** (1 / years) - 1 if start_value > 0 and end_value > 0 else None
    return Rate(start_year, end_year, start_value, end_value, compound, (end_value - start_value) / years)


def achieved_rate(series: pd.Series, years: int = ACHIEVED_YEARS) -> Rate | None:
    """The change per year over the last ``years`` years of one place's series (indexed by year).

    From the value ``years`` before the latest year; if that year is missing, from the nearest
    earlier-or-later year inside the period that has a value (the Rate says which). None with
    fewer than two observations in the period.
    """
    series = series.dropna().sort_index()
    if series.empty:
        return None
    end = int(series.index.max())
    inside = series[series.index >= end - years]
    if len(inside) < 2:
        return None
    start = int(inside.index.min())
    return rate_between(start, float(inside.iloc[0]), end, float(series.iloc[-1]))


def required_rate(latest_year: int, latest: float, target_year: int, target: float) -> Rate:
    """The yearly change needed to go from the latest value to the target by the target year."""
    if target_year <= latest_year:
        raise ValueError(
            f"the target year {target_year} is not after the latest data year {latest_year}; choose a later year"
        )
    return rate_between(latest_year, latest, target_year, target)


def pathway(latest_year: int, latest: float, to_year: int, rate: float | None = None, change: float | None = None):
    """Values from ``latest_year`` to ``to_year`` at a compound ``rate`` or a linear ``change`` a year.

    Returns a frame ``year, value`` starting at the latest value (give exactly one of the two).
    """
    if (rate is None) == (change is None):
        raise ValueError("give exactly one of 'rate' (compound, 0.02 = +2% a year) or 'change' (units a year)")
    if rate is not None and rate <= -1:
        raise ValueError(f"a compound rate must be above -100% a year; got {rate:.1%}")
    years = list(range(latest_year, max(to_year, latest_year) + 1))
    steps = [y - latest_year for y in years]
    values = [latest * (1 + rate) ** t if rate is not None else latest + change * t for t in steps]
    return pd.DataFrame({"year": years, "value": values})


def year_reached(
    latest_year: int, latest: float, target: float, upward: bool, rate: float | None = None, change: float | None = None
) -> int | None:
    """First whole year the path meets the target (at least it if ``upward``, at most it otherwise).

    ``latest_year`` itself when already met; None when the path never gets there (moving the
    wrong way, standing still, or a compound rate that can only approach a target of zero).
    """
    if (rate is None) == (change is None):
        raise ValueError("give exactly one of 'rate' or 'change'")
    gap = (target - latest) if upward else (latest - target)
    if gap <= 0:
        return latest_year
    if change is not None:
        toward = change if upward else -change
        return latest_year + math.ceil(gap / toward - 1e-12) if toward > 0 else None
    if latest <= 0 or target <= 0 or rate == 0:
        return None
    needed = math.log(target / latest) / math.log(1 + rate)
    if needed <= 0:
        return None  # the rate moves away from the target
    return latest_year + math.ceil(needed - 1e-12)


def implied_intensity_rate(pressure_rate: float, gdp_growth: float) -> float:
    """Yearly change of pressure per unit of GDP when the pressure changes by ``pressure_rate`` and
    GDP by ``gdp_growth`` a year: ``(1 + r) / (1 + g) - 1``. E.g. -5% emissions with +2% GDP needs
    intensity to fall 6.86% a year."""
    if gdp_growth <= -1:
        raise ValueError(f"GDP growth must be above -100% a year; got {gdp_growth:.1%}")
    return (1 + pressure_rate) / (1 + gdp_growth) - 1


# --- from the query API ---------------------------------------------------------------------


def place_series(indicator_id: str, ref_area: str) -> pd.Series:
    """One place's values of one indicator, indexed by year."""
    from indicators import query

    frame = query.panel(indicator_id, [ref_area])
    return frame.set_index("year")["value"].sort_index()


def recent_gdp_growth(ref_area: str, indicator_id: str = "gdp_per_capita_ppp", years: int = ACHIEVED_YEARS):
    """The place's compound GDP (per capita, by default) growth over the last ``years`` years —
    the default ``g`` of the pathway builder; None without data."""
    achieved = achieved_rate(place_series(indicator_id, ref_area), years)
    return None if achieved is None else achieved.rate
