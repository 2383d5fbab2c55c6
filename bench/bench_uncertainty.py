"""Rank-uncertainty Monte Carlo at dashboard scale: 2,000 units x 30 indicators x 1,000 draws.

Input is synthetic (random normal scores with a shared unit effect and 5% missing cells),
labelled as such. The baseline is the obvious implementation: a loop over draws, each
normalising and aggregating with pandas (``normalise`` + ``aggregate``) and ranking; it is
timed on 50 draws and scaled linearly to 1,000 (its cost is per draw).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from bench.record import median_seconds, record
from indicators.methods.aggregate import aggregate
from indicators.methods.normalise import normalise
from indicators.methods.uncertainty import INVALID_PAIRS, rank_uncertainty

UNITS, INDICATORS, DRAWS, BASELINE_DRAWS = 2_000, 30, 1_000, 50


def synthetic_matrix(seed: int = 0) -> tuple[pd.DataFrame, dict[str, str], pd.Series]:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(UNITS, INDICATORS)) + rng.normal(size=(UNITS, 1))
    matrix = pd.DataFrame(
        values, index=[f"u{i:04d}" for i in range(UNITS)], columns=[f"i{j:02d}" for j in range(INDICATORS)]
    )
    matrix = matrix.mask(rng.random(matrix.shape) < 0.05)
    directions = {c: "lower_is_better" if j % 3 == 0 else "higher_is_better" for j, c in enumerate(matrix.columns)}
    return matrix, directions, pd.Series(1.0, index=matrix.columns)


def naive_loop(matrix, directions, weights, draws: int, seed: int = 0) -> pd.DataFrame:
    """Per-draw pandas: the reference implementation the vectorised one replaces."""
    rng = np.random.default_rng(seed)
    pairs = [
        (n, a) for n in ("minmax", "zscore", "rank") for a in ("arithmetic", "geometric") if (n, a) not in INVALID_PAIRS
    ]
    w = (weights / weights.sum()).to_numpy()
    ranks = {}
    for d in range(draws):
        norm, agg = pairs[rng.integers(len(pairs))]
        drawn = pd.Series(rng.dirichlet(20.0 * w.size * w), index=matrix.columns)
        scores = aggregate(normalise(matrix, norm, directions), drawn, agg, min_coverage=0.75).score
        ranks[d] = scores.rank(ascending=False)
    return pd.DataFrame(ranks).quantile([0.05, 0.5, 0.95], axis=1).T


def run() -> list[dict]:
    matrix, directions, weights = synthetic_matrix()
    fast = median_seconds(lambda: rank_uncertainty(matrix, directions, weights, draws=DRAWS, seed=1), repeat=3)
    start = time.perf_counter()
    naive_loop(matrix, directions, weights, BASELINE_DRAWS)
    naive = (time.perf_counter() - start) * DRAWS / BASELINE_DRAWS
    size = f"{UNITS} units x {INDICATORS} indicators x {DRAWS} draws"
    return [
        record(
            f"rank uncertainty Monte Carlo ({size})",
            fast,
            "s",
            baseline=naive,
            synthetic=True,
            note=f"baseline: per-draw pandas loop timed on {BASELINE_DRAWS} draws, scaled x{DRAWS // BASELINE_DRAWS}",
        ),
    ]


if __name__ == "__main__":
    for rec in run():
        print(rec)
