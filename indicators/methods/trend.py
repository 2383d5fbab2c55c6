"""Recent trends: a robust slope with its confidence interval, and projections from it.

The slope is Theil-Sen's (the median of all pairwise slopes), which one odd year cannot
move much, with Sen's (1968) distribution-free confidence interval from Kendall's tau (the
same construction as ``scipy.stats.theilslopes``, written with numpy; the normal quantile
comes from the standard library). It is computed for many ref_areas at once on a wide
matrix (rows ref_area, columns year, NaN = missing), so a whole panel costs one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

MIN_POINTS = 3


@dataclass(frozen=True)
class Slopes:
    """Per-row Theil-Sen fit: ``value ~ intercept + slope * year`` with a CI on the slope."""

    slope: np.ndarray
    intercept: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_points: np.ndarray


def theil_sen(years: np.ndarray, values: np.ndarray, confidence: float = 0.90) -> Slopes:
    """Theil-Sen slope per row of ``values`` (shape rows x len(years)); NaN cells are skipped.

    Rows with fewer than :data:`MIN_POINTS` values get NaN. Ties in the values are not
    corrected for in the CI variance (ties in years cannot occur: one value per year).
    """
    years = np.asarray(years, dtype=float)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    if values.shape[1] != years.size:
        raise ValueError(f"values has {values.shape[1]} columns but there are {years.size} years")
    i, j = np.triu_indices(years.size, k=1)
    pair_slopes = (values[:, j] - values[:, i]) / (years[j] - years[i])  # NaN where either is missing
    valid = ~np.isnan(pair_slopes)
    n_slopes = valid.sum(axis=1)
    n_points = (~np.isnan(values)).sum(axis=1)
    ordered = np.sort(pair_slopes, axis=1)  # NaN sort last
    rows = np.arange(values.shape[0])
    enough = n_points >= MIN_POINTS

    def at(position: np.ndarray) -> np.ndarray:
        clipped = np.clip(position, 0, np.maximum(n_slopes - 1, 0)).astype(int)
        return np.where(enough, ordered[rows, clipped], np.nan)

    # median of the valid slopes
    mid_low, mid_high = (n_slopes - 1) // 2, n_slopes // 2
    slope = (at(mid_low) + at(mid_high)) / 2.0
    # Sen's CI: ranks of the sorted slopes from the normal approximation to Kendall's S
    z = NormalDist().inv_cdf((1.0 + confidence) / 2.0)
    sigma = np.sqrt(n_points * (n_points - 1) * (2 * n_points + 5) / 18.0)
    upper_rank = np.minimum(np.round((n_slopes + z * sigma) / 2.0), n_slopes - 1)
    lower_rank = np.maximum(np.round((n_slopes - z * sigma) / 2.0) - 1, 0)
    with np.errstate(all="ignore"):
        year_grid = np.where(np.isnan(values), np.nan, years)
        intercept = row_nanmedian(values) - slope * row_nanmedian(year_grid) if values.size else slope
    return Slopes(
        slope=slope,
        intercept=np.where(enough, intercept, np.nan),
        low=at(lower_rank),
        high=at(upper_rank),
        n_points=n_points,
    )


def row_nanmedian(matrix: np.ndarray) -> np.ndarray:
    """``np.nanmedian(matrix, axis=1)`` by one sort (NaN sort last), without its masked-array path, which
    costs milliseconds per call on the one-row matrices of a single place's trend; all-NaN rows give NaN."""
    ordered = np.sort(matrix, axis=1)
    count = (~np.isnan(matrix)).sum(axis=1)
    rows = np.arange(matrix.shape[0])
    low = np.clip((count - 1) // 2, 0, None)
    high = np.clip(count // 2, 0, matrix.shape[1] - 1)
    middle = (ordered[rows, low] + ordered[rows, high]) / 2.0
    return np.where(count > 0, middle, np.nan)


def wide(series: pd.Series) -> pd.DataFrame:
    """A ``(ref_area, year)`` series as a matrix: rows ref_area, one column per calendar year."""
    matrix = series.unstack(level=1)
    if matrix.columns.size:
        matrix = matrix.reindex(columns=range(int(matrix.columns.min()), int(matrix.columns.max()) + 1))
    return matrix


def recent_trend(
    series: pd.Series, window: int = 10, end_year: int | None = None, confidence: float = 0.90
) -> pd.DataFrame:
    """Theil-Sen trend per ref_area over the ``window`` years ending at ``end_year``.

    ``end_year`` defaults to each series' overall last year in the panel. Returns columns
    ``slope``, ``slope_low``, ``slope_high`` (the CI), ``intercept``, ``n_points``, ``first_year``,
    ``last_year`` and ``last_value`` (the latest observation inside the window).
    """
    matrix = wide(series)
    if end_year is None:
        end_year = int(matrix.columns.max())
    years = np.arange(end_year - window + 1, end_year + 1)
    block = matrix.reindex(columns=years)
    fit = theil_sen(years, block.to_numpy(dtype=float), confidence)
    present = ~block.isna().to_numpy()
    last_pos = np.where(present.any(axis=1), present.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1), -1)
    first_pos = np.where(present.any(axis=1), np.argmax(present, axis=1), -1)
    rows = np.arange(len(block))
    values = block.to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "slope": fit.slope,
            "slope_low": fit.low,
            "slope_high": fit.high,
            "intercept": fit.intercept,
            "n_points": fit.n_points,
            "first_year": np.where(first_pos >= 0, years[first_pos], -1),
            "last_year": np.where(last_pos >= 0, years[last_pos], -1),
            "last_value": np.where(last_pos >= 0, values[rows, last_pos], np.nan),
        },
        index=block.index,
    )


def project(trend: pd.DataFrame, year: int, anchor: str = "last") -> pd.DataFrame:
    """Project each ref_area's trend to ``year``, with a band from the slope CI.

    ``anchor="last"`` starts from the latest observed value (``last_value + slope * h``);
    ``anchor="fit"`` uses the Theil-Sen line itself (``intercept + slope * year``), which
    one noisy last year moves less. ``h`` is ``year - last_year``.
    """
    horizon = year - trend["last_year"]
    if anchor == "last":
        base = trend["last_value"]
    elif anchor == "fit":
        base = trend["intercept"] + trend["slope"] * trend["last_year"]
    else:
        raise ValueError(f"anchor must be 'last' or 'fit'; got {anchor!r}")
    ends = np.stack([base + trend["slope_low"] * horizon, base + trend["slope_high"] * horizon])
    return pd.DataFrame(
        {"projection": base + trend["slope"] * horizon, "low": ends.min(axis=0), "high": ends.max(axis=0)},
        index=trend.index,
    )
