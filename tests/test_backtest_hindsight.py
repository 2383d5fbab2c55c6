"""The hindsight bound of the backtest (bench/bench_backtest.py): per cell, the lowest MAE ratio any of our
candidates reached, chosen knowing the outcomes — the bound no honest selection rule can beat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench import bench_backtest


def _series(values_by_place: dict[str, np.ndarray]) -> pd.Series:
    years = np.arange(1990, 1990 + len(next(iter(values_by_place.values()))))
    index = pd.MultiIndex.from_tuples([(p, int(y)) for p in values_by_place for y in years], names=["ref_area", "year"])
    return pd.Series(np.concatenate(list(values_by_place.values())), index=index, name="value")


def test_a_steady_trend_is_forecast_almost_exactly_by_some_candidate():
    # SYNTHETIC: 40 places, each a straight line with its own slope.
    rng = np.random.default_rng(1)
    lines = {f"P{i:02d}": 50 + rng.uniform(0.2, 2.0) * np.arange(30) for i in range(40)}
    bound = bench_backtest.hindsight(["line"], series_for=lambda _: _series(lines))
    assert list(bound["horizon"]) == list(bench_backtest.HORIZONS)
    assert (bound["ratio"] < 0.05).all(), bound[["horizon", "best", "ratio"]]
    methods = [c for c in bound.columns if c not in {"indicator", "horizon", "best", "ratio"}]
    assert "naive" in methods and "pooled" in methods and "combo_pooled" in methods
    assert np.allclose(bound["ratio"], bound[methods].min(axis=1))
    assert (bound["naive"] == 1.0).all()


def test_on_a_random_walk_no_candidate_beats_no_change_by_much():
    # SYNTHETIC: 60 driftless random walks: the last value is the best forecast there is.
    rng = np.random.default_rng(7)
    walks = {f"W{i:02d}": 100 + np.cumsum(rng.normal(0, 1, 30)) for i in range(60)}
    bound = bench_backtest.hindsight(["walk"], series_for=lambda _: _series(walks))
    assert (bound["ratio"] > 0.9).all(), bound[["horizon", "best", "ratio"]]
