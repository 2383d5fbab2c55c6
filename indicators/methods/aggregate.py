"""Aggregation: combine normalised indicators into one score per ref_area, with coverage.

Missing data rules (the same for every method, stated once here):

* nothing is imputed. A unit's score uses only the indicators it has, with their weights
  rescaled to sum to 1 over those indicators. That *is* an assumption (the missing ones are
  treated as if they scored the weighted average of the present ones), which is why
* every score comes with its ``coverage``: the share of the total weight that had data; and
* a unit whose coverage is below ``min_coverage`` gets NaN and a ``reason`` naming the
  missing indicators, instead of a score built on too little.

Compensability (how far a good result on one indicator can make up for a bad one) is the
main difference between the methods; each docstring states it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods.registry import lookup

#: Value zeros are raised to before a geometric mean (see :func:`geometric`).
GEOMETRIC_FLOOR = 0.01


class AggregationError(ValueError):
    """Inputs a method cannot aggregate (e.g. negative values in a geometric mean)."""


def arithmetic(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean per row: ``sum(w x) / sum(w)`` over present values.

    Fully compensatory: a one-point loss on any indicator is exactly offset by a gain of
    ``w_i / w_j`` points on another, however low the first one is. Use it when indicators
    are substitutable.
    """
    present = ~np.isnan(values)
    w = np.where(present, weights, 0.0)
    return np.nansum(np.where(present, values, 0.0) * w, axis=1) / w.sum(axis=1)


def geometric(values: np.ndarray, weights: np.ndarray, floor: float = GEOMETRIC_FLOOR) -> np.ndarray:
    """Weighted geometric mean per row: ``exp(sum(w log x) / sum(w))`` over present values.

    Partially compensatory: a gain offsets a loss only in proportion (a 1% fall on one
    indicator needs a ``w_i / w_j`` % rise on another), so a very low value drags the score
    down however good the others are; it rewards balanced profiles. Never above the
    arithmetic mean of the same values.

    Requires non-negative inputs: negative values raise :class:`AggregationError` (normalise
    with ``minmax``/``rank``/``goalposts``/``distance_to_target``, not ``zscore``). Zeros,
    which would zero the whole score whatever the other indicators say, are handled by a
    floor: every value below ``floor`` (default 0.01, i.e. 1% of a [0, 1] scale), zeros
    included, is raised to ``floor`` before taking logs. Raising all small values, not just
    exact zeros, keeps the method monotone (a zero never scores above 0.005). This is the only
    adjustment made; the composite runner records the floor used.
    """
    if np.nanmin(values, initial=np.inf) < 0:
        raise AggregationError(
            "geometric aggregation needs non-negative values; got negatives (normalise with minmax, rank, "
            "goalposts or distance_to_target instead of zscore)"
        )
    present = ~np.isnan(values)
    w = np.where(present, weights, 0.0)
    logs = np.log(np.maximum(np.where(present, values, 1.0), floor))
    return np.exp((logs * w).sum(axis=1) / w.sum(axis=1))


AGGREGATORS: dict[str, Callable[..., np.ndarray]] = {"arithmetic": arithmetic, "geometric": geometric}


@dataclass(frozen=True)
class Aggregate:
    """Scores with the coverage they rest on; ``reason`` is set where ``score`` is NaN."""

    score: pd.Series
    coverage: pd.Series
    reason: pd.Series

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"score": self.score, "coverage": self.coverage, "reason": self.reason})


def aggregate(
    matrix: pd.DataFrame, weights: pd.Series, method: str = "arithmetic", min_coverage: float = 1.0, **options: float
) -> Aggregate:
    """Aggregate ``matrix`` (index ref_area, columns indicator, normalised) with ``weights``.

    ``min_coverage`` is the minimum share of total weight that must have data (0 < m <= 1).
    """
    func = lookup(AGGREGATORS, method, "aggregation")
    if not 0 < min_coverage <= 1:
        raise ValueError(f"min_coverage must be in (0, 1]; got {min_coverage}")
    missing = [c for c in matrix.columns if c not in weights.index]
    if missing:
        raise KeyError(f"no weight for indicator(s) {missing}")
    w = weights.reindex(matrix.columns).to_numpy(dtype=float)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    w = w / w.sum()
    values = matrix.to_numpy(dtype=float)
    present = ~np.isnan(values)
    coverage = (present * w).sum(axis=1)
    enough = coverage >= min_coverage - 1e-12
    score = np.full(len(matrix), np.nan)
    if enough.any():
        # a zero-weight indicator must not make a unit look covered, nor enter the mean
        score[enough] = func(
            np.where(w > 0, values[enough], np.nan), np.broadcast_to(w, values[enough].shape), **options
        )
    reasons = []
    for row, ok in zip(range(len(matrix)), enough, strict=True):
        if ok:
            reasons.append(None)
            continue
        lacking = [c for c, has, wt in zip(matrix.columns, present[row], w, strict=True) if not has and wt > 0]
        reasons.append(
            f"coverage {coverage[row]:.2f} below minimum {min_coverage:.2f}; missing: {', '.join(map(str, lacking))}"
        )
    index = matrix.index
    return Aggregate(
        score=pd.Series(score, index=index, name="score"),
        coverage=pd.Series(coverage, index=index, name="coverage"),
        reason=pd.Series(reasons, index=index, name="reason", dtype=object),
    )
