"""Derived measures: named transforms of indicator series, each carrying its unit rule.

A series here is a ``pd.Series`` of floats indexed by ``(ref_area, year)``. Transforms that
look back in time (growth, CAGR, rolling means) work on calendar years, not on rows, so a gap
in the data gives a missing result instead of silently comparing non-adjacent years.

Two kinds of method live here:

* ``TRANSFORMS``: series -> series (``per_capita``, ``growth_rate``, ``index`` ...). These are
  what formulas may call (see :mod:`indicators.methods.expression`). Each entry is the
  function plus a unit rule ``(input units, parameters) -> output unit``.
* ``PERIOD_MEASURES``: series over a period -> one value per ref_area (``decoupling_factor``,
  ``decoupling_status``, ``cagr_between``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods import units

INDEX_NAMES = ["ref_area", "year"]


def series_from_panel(panel: pd.DataFrame, indicator: str) -> pd.Series:
    """The values of one indicator in a long panel as a ``(ref_area, year)``-indexed series."""
    rows = panel.loc[panel["indicator"] == indicator, ["ref_area", "year", "value"]]
    if rows.empty:
        known = ", ".join(sorted(panel["indicator"].unique())[:20])
        raise KeyError(f"indicator {indicator!r} has no rows in the panel; indicators present include: {known}")
    out = rows.set_index(["ref_area", "year"])["value"].astype(float)
    if out.index.has_duplicates:
        dupes = out.index[out.index.duplicated()][:5].tolist()
        raise ValueError(f"indicator {indicator!r} has more than one value for some (ref_area, year), e.g. {dupes}")
    return out.sort_index().rename(indicator)


def series_to_panel(series: pd.Series, indicator: str) -> pd.DataFrame:
    """The inverse of :func:`series_from_panel`: a long panel of one indicator."""
    frame = series.rename("value").reset_index()
    frame.columns = ["ref_area", "year", "value"]
    frame.insert(0, "indicator", indicator)
    return frame


def _check_index(series: pd.Series, name: str = "series") -> None:
    if not isinstance(series.index, pd.MultiIndex) or series.index.nlevels != 2:
        raise TypeError(f"{name} must be indexed by (ref_area, year); build it with series_from_panel()")


def _lagged(series: pd.Series, years: int) -> pd.Series:
    """Each value's counterpart ``years`` calendar years earlier (NaN where that year is missing)."""
    _check_index(series)
    areas = series.index.get_level_values(0)
    year = series.index.get_level_values(1).astype(int)
    shifted = pd.Series(series.to_numpy(), index=pd.MultiIndex.from_arrays([areas, year + years]))
    shifted = shifted[~shifted.index.duplicated()]
    return shifted.reindex(series.index)


# --- series -> series transforms -------------------------------------------------------------


def per_capita(values: pd.Series, population: pd.Series) -> pd.Series:
    """``values / population`` (population in persons, not thousands)."""
    return values / population


def per_gdp(values: pd.Series, gdp: pd.Series) -> pd.Series:
    """``values / gdp``: intensity per unit of GDP, e.g. kg CO2 per USD."""
    return values / gdp


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator


def difference(left: pd.Series, right: pd.Series) -> pd.Series:
    return left - right


def gap(left: pd.Series, right: pd.Series) -> pd.Series:
    """``left - right`` for a named gap, e.g. consumption minus production emissions."""
    return left - right


def growth_rate(values: pd.Series) -> pd.Series:
    """Annual growth in %: ``100 * (x_t / x_{t-1} - 1)``; NaN when year t-1 is missing."""
    return 100.0 * (values / _lagged(values, 1) - 1.0)


def cagr(values: pd.Series, years: int = 5) -> pd.Series:
    """Compound annual growth rate in % over the ``years`` years ending at each year.

    ``100 * ((x_t / x_{t-years}) ** (1 / years) - 1)``; NaN where ``t - years`` is missing or
    the ratio is not positive.
    """
    years = int(years)
    if years < 1:
        raise ValueError(f"cagr needs a period of at least 1 year; got {years}")
    growth = values / _lagged(values, years)
    return 100.0 * (growth.where(growth > 0) ** (1.0 / years) - 1.0)


def index(values: pd.Series, base_year: int) -> pd.Series:
    """Each ref_area's series rescaled so that its ``base_year`` value is 100."""
    _check_index(values)
    base = values[values.index.get_level_values(1) == int(base_year)].droplevel(1)
    areas = values.index.get_level_values(0)
    return 100.0 * values / base.reindex(areas).to_numpy()


def rolling_mean(values: pd.Series, window: int = 3) -> pd.Series:
    """Mean of the ``window`` calendar years ending at each year; NaN unless all are present."""
    _check_index(values)
    window = int(window)
    if window < 1:
        raise ValueError(f"rolling_mean needs a window of at least 1 year; got {window}")
    total = values.copy()
    for lag in range(1, window):
        total = total + _lagged(values, lag)
    return total / window


def decoupling(pressure: pd.Series, driver: pd.Series, years: int = 10) -> pd.Series:
    """OECD decoupling factor over the ``years`` ending in each year: ``1 - (EP/DF)_t / (EP/DF)_{t-years}``.

    The rolling form of :func:`decoupling_factor`, so it can be an indicator over time: above 0,
    the pressure per unit of driving force fell (at least relative decoupling); 0 or below, none.
    """
    years = int(years)
    if years < 1:
        raise ValueError(f"decoupling needs a period of at least 1 year; got {years}")
    intensity = (pressure / driver.reindex(pressure.index)).dropna()
    return 1.0 - intensity / _lagged(intensity, years)


@dataclass(frozen=True)
class Transform:
    """A series transform callable from formulas: the function, how many series it takes,
    its numeric parameter names, and how it derives the output unit."""

    function: Callable[..., pd.Series]
    n_series: int
    parameters: tuple[str, ...]
    unit_rule: Callable[[list[str]], str]


def _same_unit(name: str) -> Callable[[list[str]], str]:
    return lambda u: units.add(u[0], u[1], "-")


TRANSFORMS: dict[str, Transform] = {
    "per_capita": Transform(per_capita, 2, (), lambda u: _per_capita_unit(u[0], u[1])),
    "per_gdp": Transform(per_gdp, 2, (), lambda u: units.divide(u[0], u[1])),
    "ratio": Transform(ratio, 2, (), lambda u: units.divide(u[0], u[1])),
    "difference": Transform(difference, 2, (), _same_unit("difference")),
    "gap": Transform(gap, 2, (), _same_unit("gap")),
    "growth_rate": Transform(growth_rate, 1, (), lambda u: units.PERCENT),
    "cagr": Transform(cagr, 1, ("years",), lambda u: units.PERCENT),
    "index": Transform(index, 1, ("base_year",), lambda u: "index"),
    "rolling_mean": Transform(rolling_mean, 1, ("window",), lambda u: units.normalise_unit(u[0])),
    "decoupling": Transform(decoupling, 2, ("years",), lambda u: units.DIMENSIONLESS),
}


def _per_capita_unit(value_unit: str, population_unit: str) -> str:
    if units.normalise_unit(population_unit) not in (units.PERSON, units.DIMENSIONLESS):
        raise units.UnitError(
            f"per_capita needs population in persons; got population unit {population_unit!r} "
            "(rescale it to persons first, e.g. population_thousands * 1000)"
        )
    return units.per_person(value_unit)


# --- period measures: one value per ref_area ------------------------------------------------


def _at(series: pd.Series, year: int) -> pd.Series:
    try:
        return series.xs(int(year), level=1)
    except KeyError:
        return pd.Series(dtype=float)


def cagr_between(values: pd.Series, start: int, end: int) -> pd.Series:
    """CAGR in % per ref_area between ``start`` and ``end`` (both years must be present)."""
    if end <= start:
        raise ValueError(f"cagr_between needs end > start; got {start}..{end}")
    first, last = _at(values, start), _at(values, end)
    growth = (last / first.reindex(last.index)).where(lambda g: g > 0)
    return (100.0 * (growth ** (1.0 / (end - start)) - 1.0)).rename("cagr")


def decoupling_factor(pressure: pd.Series, driver: pd.Series, start: int, end: int) -> pd.Series:
    """OECD (2002) decoupling factor per ref_area over ``start``..``end``.

    ``DF = 1 - (EP/DF)_end / (EP/DF)_start`` where EP is the environmental pressure (e.g. CO2)
    and DF the driving force (e.g. GDP). Positive means the pressure per unit of driving force
    fell (decoupling); zero or negative means none. It does not by itself distinguish absolute
    from relative decoupling: see :func:`decoupling_status`.
    """
    ratio_start = _at(pressure, start) / _at(driver, start)
    ratio_end = _at(pressure, end) / _at(driver, end)
    return (1.0 - ratio_end / ratio_start.reindex(ratio_end.index)).rename("decoupling_factor")


DECOUPLING_STATES = ("absolute", "relative", "none")


def decoupling_status(pressure: pd.Series, driver: pd.Series, start: int, end: int) -> pd.DataFrame:
    """Classify decoupling per ref_area over ``start``..``end``.

    * ``absolute``: the driver (GDP) grew and the pressure fell;
    * ``relative``: the driver grew and the pressure grew, but more slowly;
    * ``none``: the pressure grew at least as fast as the driver, or the driver did not grow
      (decoupling is defined relative to a growing economy; a shrinking one is reported as
      ``none`` with its growth rates so the reader can see why).

    Returns columns ``pressure_change`` and ``driver_change`` (relative change over the
    period), ``decoupling_factor`` and ``status``; NaN/None where either end is missing.
    """
    p_change = _at(pressure, end) / _at(pressure, start) - 1.0
    d_change = _at(driver, end) / _at(driver, start) - 1.0
    frame = pd.DataFrame({"pressure_change": p_change, "driver_change": d_change})
    frame["decoupling_factor"] = decoupling_factor(pressure, driver, start, end)
    status = np.where(
        (frame["driver_change"] > 0) & (frame["pressure_change"] < 0),
        "absolute",
        np.where(
            (frame["driver_change"] > 0) & (frame["pressure_change"] < frame["driver_change"]), "relative", "none"
        ),
    )
    missing = frame[["pressure_change", "driver_change"]].isna().any(axis=1)
    frame["status"] = pd.Series(status, index=frame.index, dtype=object).where(~missing, None)
    frame.index.name = "ref_area"
    return frame


PERIOD_MEASURES: dict[str, Callable[..., pd.Series | pd.DataFrame]] = {
    "cagr_between": cagr_between,
    "decoupling_factor": decoupling_factor,
    "decoupling_status": decoupling_status,
}
