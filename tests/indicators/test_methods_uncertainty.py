"""Monte Carlo rank intervals: reproducible, exact where the data leave no doubt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.methods.uncertainty import rank_uncertainty

DIRECTIONS = {"a": "higher_is_better", "b": "higher_is_better", "c": "lower_is_better"}
WEIGHTS = pd.Series({"a": 1.0, "b": 1.0, "c": 2.0})


def test_dominance_gives_certain_ranks_and_separate_groups():
    # top beats mid beats low on every indicator (c is lower-is-better): no choice can reorder them
    matrix = pd.DataFrame(
        {"a": [9.0, 5.0, 1.0], "b": [8.0, 4.0, 2.0], "c": [1.0, 3.0, 9.0]}, index=["top", "mid", "low"]
    )
    result = rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, draws=200, seed=3)
    t = result.table
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["rank_p05"].tolist() == [1, 2, 3] and t["rank_p95"].tolist() == [1, 2, 3]
    assert t["group"].tolist() == [1, 2, 3]
    assert not result.indistinguishable("top", "mid")
    assert result.overlapping_pairs().empty


def test_trade_offs_make_units_indistinguishable():
    # x is best on a, y best on b: their order depends on the weights drawn
    matrix = pd.DataFrame({"a": [1.0, 0.0, 0.5], "b": [0.0, 1.0, 0.5], "c": [5.0, 5.0, 5.0]}, index=["x", "y", "z"])
    result = rank_uncertainty(
        matrix, DIRECTIONS, WEIGHTS, draws=500, seed=1, normalisations=("minmax",), aggregations=("arithmetic",)
    )
    assert result.indistinguishable("x", "y")
    assert result.table.loc[["x", "y"], "rank_p05"].min() == 1
    assert result.table.loc[["x", "y"], "rank_p95"].max() == 3
    assert {("x", "y"), ("x", "z"), ("y", "z")} <= {tuple(sorted(p)) for p in result.overlapping_pairs().to_numpy()}


def test_seeded_and_reproducible_and_coverage_rule():
    rng = np.random.default_rng(0)
    matrix = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"], index=[f"u{i}" for i in range(40)])
    matrix.loc["u0", ["a", "b"]] = np.nan  # coverage 0.5 < 0.75
    first = rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, draws=300, seed=7)
    again = rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, draws=300, seed=7)
    other = rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, draws=300, seed=8)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert not first.table.equals(other.table)
    assert first.table.loc["u0"].drop("coverage").isna().all() and first.record["units_excluded"] == 1
    assert ["zscore", "geometric"] not in first.record["pairs"]
    ranked = first.table.dropna(subset=["median_rank"])
    assert len(ranked) == 39 and ranked["rank_p95"].max() <= 39
    assert (ranked["rank_p05"] <= ranked["median_rank"]).all() and (ranked["median_rank"] <= ranked["rank_p95"]).all()


def test_uniform_weight_noise_and_bad_options():
    matrix = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0], "c": [1.0, 1.0]}, index=["p", "q"])
    result = rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, draws=50, weight_noise="uniform", spread=0.5)
    assert result.table["median_rank"].notna().all()
    with pytest.raises(ValueError, match="weight_noise must be 'dirichlet' or 'uniform'"):
        rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, weight_noise="gaussian")
    with pytest.raises(ValueError, match="no valid"):
        rank_uncertainty(matrix, DIRECTIONS, WEIGHTS, normalisations=("zscore",), aggregations=("geometric",))
