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
  least ``min_history`` earlier values.
* ``peer_divergence``: the unit's distance from the peer-group median, in robust z units
  (``(x - median) / (1.4826 * MAD)``), is beyond ``k`` at the end of the window and larger
  than at its start.
* ``against_gdp``: over the window, GDP's Theil-Sen slope CI is entirely above zero while the
  indicator's CI is entirely on its worse side (e.g. emissions or inequality rising).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods.registry import check_direction
from indicators.methods.trend import recent_trend


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


def _rss(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(((y - design @ coef) ** 2).sum())


def chow_f(years: np.ndarray, values: np.ndarray, split: int) -> float:
    """Chow F statistic for a break in a linear trend between ``years < split`` and ``>= split``."""
    before, after = years < split, years >= split
    n, k = years.size, 2
    pooled = _rss(years, values)
    separate = _rss(years[before], values[before]) + _rss(years[after], values[after])
    if separate <= 1e-12 * max(pooled, 1e-300):
        return np.inf if pooled > 1e-12 else 0.0
    return ((pooled - separate) / k) / (separate / (n - 2 * k))


def trend_break(series: pd.Series, indicator: str, threshold: float = 10.0, min_segment: int = 4) -> list[Signal]:
    """Chow-test trend breaks: for each ref_area, the split year with the largest F, if >= threshold."""
    found = []
    for area, group in series.dropna().groupby(level=0):
        years = group.index.get_level_values(1).to_numpy(dtype=float)
        values = group.to_numpy(dtype=float)
        if years.size < 2 * min_segment:
            continue
        candidates = years[min_segment : years.size - min_segment + 1]
        stats = [chow_f(years, values, split) for split in candidates]
        best = int(np.argmax(stats))
        if stats[best] >= threshold:
            split = int(candidates[best])
            before = np.polyfit(years[years < split], values[years < split], 1)[0]
            after = np.polyfit(years[years >= split], values[years >= split], 1)[0]
            found.append(
                Signal(
                    "trend_break",
                    str(area),
                    indicator,
                    tuple(int(y) for y in years),
                    tuple(values.tolist()),
                    "Chow F test (max over split years)",
                    float(stats[best]),
                    threshold,
                    f"{indicator} in {area} changed trend around {split}: {before:+.3g}/year before, {after:+.3g}/year "
                    f"after (Chow F = {stats[best]:.1f} >= {threshold:g}).",
                )
            )
    return found


def new_record(series: pd.Series, indicator: str, direction: str, min_history: int = 10) -> list[Signal]:
    """The latest value is the series' best or worst ever (strictly beyond every earlier value)."""
    check_direction(direction)
    found = []
    for area, group in series.dropna().groupby(level=0):
        if len(group) <= min_history:
            continue
        values = group.to_numpy(dtype=float)
        years = group.index.get_level_values(1).astype(int)
        latest, earlier = values[-1], values[:-1]
        for word, beyond, previous in (
            ("high", latest > earlier.max(), earlier.max()),
            ("low", latest < earlier.min(), earlier.min()),
        ):
            if beyond:
                good = (word == "high") == (direction == "higher_is_better")
                found.append(
                    Signal(
                        "new_record",
                        str(area),
                        indicator,
                        tuple(years),
                        tuple(values.tolist()),
                        f"latest value beyond every earlier value ({word})",
                        float(latest),
                        float(previous),
                        f"{indicator} in {area} reached a record {word} of {latest:.4g} in {years[-1]} "
                        f"({'better' if good else 'worse'} than any of {len(earlier)} earlier years; previous {word} "
                        f"{previous:.4g}).",
                    )
                )
    return found


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

    def robust_z(year: int) -> pd.Series:
        column = matrix[year]
        median = column.median()
        mad = 1.4826 * (column - median).abs().median()
        return (column - median) / mad if mad > 0 else column * np.nan

    z_start, z_end = robust_z(start), robust_z(end)
    found = []
    for area in matrix.index:
        zs, ze = z_start.get(area), z_end.get(area)
        if pd.notna(ze) and pd.notna(zs) and abs(ze) > k and abs(ze) > abs(zs):
            found.append(
                Signal(
                    "peer_divergence",
                    str(area),
                    indicator,
                    (start, end),
                    (float(matrix.at[area, start]), float(matrix.at[area, end])),
                    "robust z from peer median (MAD)",
                    float(ze),
                    k,
                    f"{indicator} in {area} moved away from its {len(peers)} peers: {abs(zs):.1f} -> {abs(ze):.1f} robust "
                    f"standard deviations {'above' if ze > 0 else 'below'} the peer median between {start} and {end}.",
                )
            )
    return found


def against_gdp(
    series: pd.Series,
    gdp: pd.Series,
    indicator: str,
    direction: str,
    window: int = 10,
    end_year: int | None = None,
    confidence: float = 0.90,
) -> list[Signal]:
    """GDP clearly rising while the indicator clearly gets worse over the same window."""
    check_direction(direction)
    end = end_year if end_year is not None else int(series.index.get_level_values(1).max())
    ours = recent_trend(series, window=window, end_year=end, confidence=confidence)
    theirs = recent_trend(gdp, window=window, end_year=end, confidence=confidence)
    both = ours.join(theirs.add_suffix("_gdp"), how="inner")
    worse = both["slope_low"] > 0 if direction == "lower_is_better" else both["slope_high"] < 0
    flagged = both[(both["slope_low_gdp"] > 0) & worse]
    found = []
    for area, row in flagged.iterrows():
        found.append(
            Signal(
                "against_gdp",
                str(area),
                indicator,
                (end - window + 1, end),
                (float(row["slope"]), float(row["slope_gdp"])),
                f"Theil-Sen slopes, {confidence:.0%} CI excluding 0 in opposite senses",
                float(row["slope"]),
                0.0,
                f"In {area}, GDP grew ({row['slope_gdp']:+.3g}/year) while {indicator} got worse ({row['slope']:+.3g}/year) "
                f"over {end - window + 1}-{end}.",
            )
        )
    return found
