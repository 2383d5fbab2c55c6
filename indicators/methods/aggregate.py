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


@dataclass(frozen=True)
class WeightedMean:
    """A weighted quasi-arithmetic mean ``g⁻¹(sum(w g(x)) / sum(w))`` over the present values of each row.

    One object serves both uses of a method, so the main run and the Monte Carlo re-runs share it
    (COINr's ``Regen`` idea): call it with one weight per value (``values`` units x k, ``weights`` of the
    same shape) for scores, or ask :meth:`over_weight_sets` for the scores of every unit under many weight
    sets at once (one matrix product). A new aggregation method is one more instance.
    """

    name: str
    transform: Callable[..., np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray]
    check: Callable[[np.ndarray], None] = lambda values: None

    def _transformed(self, values: np.ndarray, options: dict) -> tuple[np.ndarray, np.ndarray]:
        self.check(values)
        present = ~np.isnan(values)
        return present, self.transform(np.where(present, values, 1.0), **options)

    def __call__(self, values: np.ndarray, weights: np.ndarray, **options: float) -> np.ndarray:
        """Score per row, over the last axis; ``weights`` is broadcast to ``values`` (so a units x draws x k
        array with draws x k weights gives units x draws); a row without present values is NaN."""
        present, transformed = self._transformed(values, options)
        w = np.where(present, weights, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.inverse((np.where(present, transformed, 0.0) * w).sum(axis=-1) / w.sum(axis=-1))

    def over_weight_sets(self, values: np.ndarray, weight_sets: np.ndarray, **options: float) -> np.ndarray:
        """Scores (units x sets) of ``values`` (units x k) under each row of ``weight_sets`` (sets x k).

        Present values are reweighted per unit and set, exactly as :meth:`__call__` does for one set.
        """
        present, transformed = self._transformed(values, options)
        covered = present.astype(float) @ weight_sets.T
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.inverse((np.where(present, transformed, 0.0) @ weight_sets.T) / covered)


def _identity(values: np.ndarray) -> np.ndarray:
    return values


def _floored_log(values: np.ndarray, floor: float = GEOMETRIC_FLOOR) -> np.ndarray:
    return np.log(np.maximum(values, floor))


def _non_negative(values: np.ndarray) -> None:
    if np.nanmin(values, initial=np.inf) < 0:
        raise AggregationError(
            "geometric aggregation needs non-negative values; got negatives (normalise with minmax, rank, "
            "goalposts or distance_to_target instead of zscore)"
        )


#: Weighted arithmetic mean per row: ``sum(w x) / sum(w)`` over present values.
#:
#: Fully compensatory: a one-point loss on any indicator is exactly offset by a gain of
#: ``w_i / w_j`` points on another, however low the first one is. Use it when indicators
#: are substitutable.
arithmetic = WeightedMean("arithmetic", _identity, _identity)

#: Weighted geometric mean per row: ``exp(sum(w log x) / sum(w))`` over present values.
#:
#: Partially compensatory: a gain offsets a loss only in proportion (a 1% fall on one
#: indicator needs a ``w_i / w_j`` % rise on another), so a very low value drags the score
#: down however good the others are; it rewards balanced profiles. Never above the
#: arithmetic mean of the same values.
#:
#: Requires non-negative inputs: negative values raise :class:`AggregationError` (normalise
#: with ``minmax``/``rank``/``goalposts``/``distance_to_target``, not ``zscore``). Zeros,
#: which would zero the whole score whatever the other indicators say, are handled by a
#: floor: every value below ``floor`` (default 0.01, i.e. 1% of a [0, 1] scale), zeros
#: included, is raised to ``floor`` before taking logs. Raising all small values, not just
#: exact zeros, keeps the method monotone (a zero never scores above 0.005). This is the only
#: adjustment made; the composite runner records the floor used.
geometric = WeightedMean("geometric", _floored_log, np.exp, _non_negative)

AGGREGATORS: dict[str, WeightedMean] = {method.name: method for method in (arithmetic, geometric)}


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
