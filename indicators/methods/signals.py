"""Signals: short, testable statements worth a reader's attention ("a new record low").

Each detector scans a ``(ref_area, year)`` series and returns :class:`Signal` objects that
carry the evidence: the years and values looked at, the test used, its statistic and the
threshold it crossed, plus one plain sentence. Thresholds are parameters with stated defaults;
a signal is a prompt to look, not a verdict.

* ``trend_break``: Chow F test for a change in linear trend, scanned over candidate split
  years (each side keeps at least ``min_segment`` points). Default threshold F >= 10: for a
  single pre-chosen split the 1% critical value of F(2, 10) is 7.56; scanning many splits
  inflates the false-alarm rate, so the bar is set higher.
* ``new_record``: the latest value is the highest (or lowest) of the whole series, with at
  least ``min_history`` earlier values, and beyond the old record as written for people (four
  significant digits): a tie is not a record.
* ``peer_divergence``: the unit's distance from the peer-group median, in robust z units
  (``(x - median) / (1.4826 * MAD)``), is beyond ``k`` at the end of the window and larger
  than at its start.
* ``against_gdp``: over the window, GDP's Theil-Sen slope CI is entirely above zero while the
  indicator's CI is entirely on its worse side (e.g. emissions or inequality rising).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.methods.registry import check_direction
from indicators.methods.trend import recent_trend
from indicators.numbers import per_year, readable, with_unit


@dataclass(frozen=True)
class Signal:
    kind: str
    ref_area: str
    indicator: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    test: str
    statistic: float
    threshold: float
    sentence: str
    #: Kind-specific numbers behind the sentence (a trend break's split year and slopes before and after).
    detail: dict = field(default_factory=dict, compare=False)


#: Residuals smaller than this share of the series' own scale are rounding, not data (float64 carries about
#: 16 digits; least squares loses a few). A fit within it is treated as exact.
RELATIVE_RESIDUAL = 1e-9


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, residual sum of squares) of the least-squares line, in closed form on centred data.

    Closed form with numpy's own summation (no BLAS/LAPACK call), so the result does not depend on
    which BLAS kernel the machine picks; centring keeps years such as 2019 from costing digits.
    """
    dx, dy = x - x.mean(), y - y.mean()
    sxx = float((dx * dx).sum())
    slope = float((dx * dy).sum()) / sxx if sxx > 0 else 0.0
    residuals = dy - slope * dx
    return slope, float((residuals * residuals).sum())


def _exact_fit_floor(values: np.ndarray) -> float:
    """The residual sum of squares below which a fit is exact, relative to the series' own scale."""
    scale = float(np.abs(values).max()) if values.size else 0.0
    return values.size * (RELATIVE_RESIDUAL * scale) ** 2


def chow_f(years: np.ndarray, values: np.ndarray, split: int) -> float:
    """Chow F statistic for a break in a linear trend between ``years < split`` and ``>= split``.

    0 when one straight line fits the whole series (to within rounding of the series' own scale: a
    publisher-smoothed, exactly linear series has no break); infinity when two lines fit exactly but one
    does not (a clean kink).
    """
    years, values = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    before, after = years < split, years >= split
    n, k = years.size, 2
    floor = _exact_fit_floor(values)
    pooled = _line(years, values)[1]
    if pooled <= floor:
        return 0.0
    separate = _line(years[before], values[before])[1] + _line(years[after], values[after])[1]
    if separate <= floor:
        return np.inf
    return max(((pooled - separate) / k) / (separate / (n - 2 * k)), 0.0)


def trend_break(
    series: pd.Series, indicator: str, threshold: float = 10.0, min_segment: int = 4, unit: str = ""
) -> list[Signal]:
    """Chow-test trend breaks: for each ref_area, the split year with the largest F, if >= threshold."""
    found = []
    for area, group in series.dropna().groupby(level=0):
        years = group.index.get_level_values(1).to_numpy(dtype=float)
        found += series_trend_break(
            str(area), indicator, years, group.to_numpy(dtype=float), threshold, min_segment, unit
        )
    return found


def series_trend_break(
    area: str,
    indicator: str,
    years: np.ndarray,
    values: np.ndarray,
    threshold: float = 10.0,
    min_segment: int = 4,
    unit: str = "",
) -> list[Signal]:
    """:func:`trend_break` of one area's series (years ascending, no missing values); ``unit`` goes into the
    sentence's slopes."""
    if years.size < 2 * min_segment:
        return []
    candidates = years[min_segment : years.size - min_segment + 1]
    stats = [chow_f(years, values, split) for split in candidates]
    best = int(np.argmax(stats))
    if stats[best] < threshold:
        return []
    split = int(candidates[best])
    before = _line(years[years < split], values[years < split])[0]
    after = _line(years[years >= split], values[years >= split])[0]
    return [
        Signal(
            "trend_break",
            area,
            indicator,
            tuple(int(y) for y in years),
            tuple(values.tolist()),
            "Chow F test (max over split years)",
            float(stats[best]),
            threshold,
            f"{indicator} in {area} changed trend around {split}: {per_year(before, unit)} before, "
            f"{per_year(after, unit)} "
            f"after (Chow F = {readable(stats[best], 3)} >= {threshold:g}).",
            {"split": split, "slope_before": before, "slope_after": after},
        )
    ]


def new_record(
    series: pd.Series, indicator: str, direction: str, min_history: int = 10, unit: str = ""
) -> list[Signal]:
    """The latest value is the series' best or worst ever (strictly beyond every earlier value)."""
    check_direction(direction)
    found = []
    for area, group in series.dropna().groupby(level=0):
        years = group.index.get_level_values(1).to_numpy(dtype=int)
        found += series_new_record(
            str(area), indicator, years, group.to_numpy(dtype=float), direction, min_history, unit
        )
    return found


def series_new_record(
    area: str,
    indicator: str,
    years: np.ndarray,
    values: np.ndarray,
    direction: str,
    min_history: int = 10,
    unit: str = "",
) -> list[Signal]:
    """:func:`new_record` of one area's series (years ascending, no missing values); ``unit`` goes into the
    sentence's values."""
    if len(values) <= min_history:
        return []
    found = []
    latest, earlier = values[-1], values[:-1]
    for word, beyond, previous in (
        ("high", latest > earlier.max(), earlier.max()),
        ("low", latest < earlier.min(), earlier.min()),
    ):
        # A tie is not a record: the new value must differ from the old record as people read them.
        if beyond and readable(latest) != readable(previous):
            good = (word == "high") == (direction == "higher_is_better")
            found.append(
                Signal(
                    "new_record",
                    area,
                    indicator,
                    tuple(int(y) for y in years),
                    tuple(values.tolist()),
                    f"latest value beyond every earlier value ({word})",
                    float(latest),
                    float(previous),
                    f"{indicator} in {area} reached a record {word} of {with_unit(latest, unit)} in {years[-1]} "
                    f"({'better' if good else 'worse'} than any of {len(earlier)} earlier years; previous {word} "
                    f"{with_unit(previous, unit)}).",
                )
            )
    return found


def robust_z(values: np.ndarray) -> np.ndarray:
    """``(x - median) / (1.4826 * MAD)`` over the non-missing values; all NaN when the MAD is zero."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        median = np.nanmedian(values) if np.isfinite(values).any() else np.nan
        mad = 1.4826 * np.nanmedian(np.abs(values - median)) if np.isfinite(values).any() else np.nan
        # a spread within rounding of the values' own scale is no spread (relative, not an absolute 0)
        return (values - median) / mad if mad > RELATIVE_RESIDUAL * abs(median) and mad > 0 else values * np.nan


def peer_divergence(
    series: pd.Series,
    indicator: str,
    peers: Sequence[str],
    window: int = 10,
    k: float = 3.0,
    end_year: int | None = None,
) -> list[Signal]:
    """Units of ``peers`` drifting away from the peer median by more than ``k`` robust z units."""
    matrix = series.unstack(level=1).reindex(index=list(peers))
    end = int(matrix.columns.max()) if end_year is None else end_year
    start = end - window + 1
    if start not in matrix.columns or end not in matrix.columns:
        return []
    first, last = matrix[start].to_numpy(dtype=float), matrix[end].to_numpy(dtype=float)
    z_start, z_end = robust_z(first), robust_z(last)
    found = []
    for i, area in enumerate(matrix.index):
        found += divergence_signal(
            str(area), indicator, len(peers), (start, end), (first[i], last[i]), (z_start[i], z_end[i]), k
        )
    return found


def divergence_signal(
    area: str,
    indicator: str,
    n_peers: int,
    years: tuple[int, int],
    values: tuple[float, float],
    z: tuple[float, float],
    k: float = 3.0,
) -> list[Signal]:
    """The :func:`peer_divergence` verdict for one area, given its values and robust z at the window's ends."""
    (start, end), (zs, ze) = years, z
    if not (pd.notna(ze) and pd.notna(zs) and abs(ze) > k and abs(ze) > abs(zs)):
        return []
    return [
        Signal(
            "peer_divergence",
            area,
            indicator,
            (start, end),
            (float(values[0]), float(values[1])),
            "robust z from peer median (MAD)",
            float(ze),
            k,
            f"{indicator} in {area} moved away from its {n_peers} peers: {abs(zs):.1f} -> {abs(ze):.1f} robust "
            f"standard deviations {'above' if ze > 0 else 'below'} the peer median between {start} and {end}.",
        )
    ]


def against_gdp(
    series: pd.Series,
    gdp: pd.Series,
    indicator: str,
    direction: str,
    window: int = 10,
    end_year: int | None = None,
    confidence: float = 0.90,
    units: tuple[str, str] = ("", ""),
) -> list[Signal]:
    """GDP clearly rising while the indicator clearly gets worse over the same window (``units``: the
    indicator's and GDP's, for the sentence)."""
    check_direction(direction)
    end = end_year if end_year is not None else int(series.index.get_level_values(1).max())
    ours = recent_trend(series, window=window, end_year=end, confidence=confidence)
    theirs = recent_trend(gdp, window=window, end_year=end, confidence=confidence)
    both = ours.join(theirs.add_suffix("_gdp"), how="inner")
    found = []
    for area, row in both.iterrows():
        found += gdp_divergence_signal(
            str(area),
            indicator,
            direction,
            (end - window + 1, end),
            (row["slope"], row["slope_low"], row["slope_high"]),
            (row["slope_gdp"], row["slope_low_gdp"]),
            confidence,
            units,
        )
    return found


def gdp_divergence_signal(
    area: str,
    indicator: str,
    direction: str,
    years: tuple[int, int],
    trend: tuple[float, float, float],
    gdp_trend: tuple[float, float],
    confidence: float = 0.90,
    units: tuple[str, str] = ("", ""),
) -> list[Signal]:
    """The :func:`against_gdp` verdict for one area from its (slope, low, high) and GDP's (slope, low);
    ``units`` (the indicator's, GDP's) go into the sentence's slopes."""
    (slope, low, high), (gdp_slope, gdp_low) = trend, gdp_trend
    worse = low > 0 if direction == "lower_is_better" else high < 0
    if not (gdp_low > 0 and worse):
        return []
    start, end = years
    return [
        Signal(
            "against_gdp",
            area,
            indicator,
            (start, end),
            (float(slope), float(gdp_slope)),
            f"Theil-Sen slopes, {confidence:.0%} CI excluding 0 in opposite senses",
            float(slope),
            0.0,
            f"In {area}, GDP grew ({per_year(gdp_slope, units[1])}) while {indicator} got worse "
            f"({per_year(slope, units[0])}) "
            f"over {start}-{end}.",
        )
    ]
