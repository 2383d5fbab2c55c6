"""Backtest of the projections on real data: does the chosen method beat "nothing changes", and do
its 90% bands cover 90% of what happened?

For each indicator, evaluation origin T and horizon h: the method is chosen by
``indicators.methods.forecast.choose`` from data up to T ONLY (its validation origins end at
T - h, so the selection never sees the outcome it is judged on), then every country with a value
in T is projected to T + h and compared with what was later observed. The baseline, measured in
the same run, is "the value stays at its year-T level". Errors are pooled over countries and
origins: ``ratio`` = MAE of the projection / MAE of the last value (below 1 = the method helps;
exactly 1 where "no change" itself was chosen), ``coverage`` = share of outcomes inside the band.
The candidates and the selection rule (no change or one of four equal-weight combinations, one of
them with a pooled model learned across countries; a 5% minimum gain to leave no change) are
described in ``indicators/methods/forecast.py``; they were compared with other variants on this
same table, so read it as a development benchmark, not an untouched hold-out (docs/foresight.md
says which variants were tried, with their figures).

Origins 2008, 2011 and 2014 keep T + h <= 2019, before COVID and before the years in which some
Gapminder series switch to their own projections. Data: the committed snapshot through
``indicators.query.panel``, aggregates (World, regions) dropped. Not synthetic.

Which indicators: :data:`INDICATORS` — every country-level indicator that carries a target or a
threshold (the ones the Futures page projects to a target year) and has enough history, plus GDP
per capita (the growth rate of the pathway builder), so all four themes are in. The rule was
fixed before this table was read; ``BENCH_BACKTEST_ALL=1`` runs every series-backed country
indicator with enough history instead, so nothing is hidden by the choice.
"""

from __future__ import annotations

import os
import time

import pandas as pd

from bench.record import record
from indicators.methods import forecast

ORIGINS = (2008, 2011, 2014)
HORIZONS = (1, 3, 5)
#: An indicator enters when at least this many countries have this many values in 1998-2019.
MIN_COUNTRIES, MIN_VALUES = 30, 15
INDICATORS = [
    # economy: the driver of every decoupling and pathway question
    "gdp_per_capita_ppp",
    # inclusive
    "life_expectancy",
    "life_satisfaction",
    "under5_mortality",
    "maternal_mortality",
    "extreme_poverty_rate",
    "basic_sanitation_access",
    "unemployment_rate",
    "gini_index",
    "women_in_parliament",
    "working_hours_per_week",
    "human_development_index",
    # circular
    "material_footprint_per_capita",
    # climate
    "co2_per_capita",
    "co2_consumption_per_capita",
    "co2_territorial_total",
    "co2_consumption_total",
    "ghg_per_capita",
    "ghg_incl_lucf_per_capita",
]


def _countries_only(frame: pd.DataFrame) -> pd.DataFrame:
    from indicators import query

    areas = query.areas()
    aggregates = set(areas.index[areas["is_aggregate"].astype(bool)])
    return frame[~frame["ref_area"].isin(aggregates)]


def eligible_indicators() -> list[str]:
    """Every series-backed country indicator with enough history (for ``BENCH_BACKTEST_ALL=1``); indicators
    waiting for their first refresh (official data only, nothing stored) have no history to test."""
    from indicators import query

    chosen = []
    for item in query.definitions().values():
        if item.level != "country" or item.formula:
            continue
        frame = _countries_only(query.panel(item.id))
        counts = frame[frame["year"].between(1998, 2019)].groupby("ref_area").size()
        if (counts >= MIN_VALUES).sum() >= MIN_COUNTRIES and frame["year"].max() >= 2015:
            chosen.append(item.id)
    return chosen


def series_of(indicator_id: str) -> pd.Series:
    from indicators import query

    frame = _countries_only(query.panel(indicator_id))
    return frame.set_index(["ref_area", "year"])["value"].sort_index()


def evaluate(series: pd.Series, path: bool = False) -> pd.DataFrame:
    """Per origin: select on data up to the origin, forecast, and join what was observed. With
    ``path``, one method for every horizon (``Selection.path``, what the Futures page draws) and its
    widened band, instead of the method chosen per horizon."""
    observed = series.rename("observed").reset_index()
    frames = []
    for origin in ORIGINS:
        history = series[series.index.get_level_values(1) <= origin]
        selection = forecast.choose(history, origin, HORIZONS)
        table = forecast.apply(selection, history, origin, HORIZONS, path=path)
        frames.append(table.merge(observed, on=["ref_area", "year"]).assign(origin=origin))
    return pd.concat(frames, ignore_index=True)


def table(indicator_ids: list[str], path: bool = False) -> pd.DataFrame:
    rows = []
    for indicator in indicator_ids:
        started = time.perf_counter()
        frame = evaluate(series_of(indicator), path)
        seconds = time.perf_counter() - started
        frame["err"] = (frame["forecast"] - frame["observed"]).abs()
        frame["err_naive"] = (frame["last_value"] - frame["observed"]).abs()
        frame["inside"] = (frame["observed"] >= frame["low"]) & (frame["observed"] <= frame["high"])
        nonzero = frame["observed"].abs() > 1e-9
        frame["ape"] = (frame["err"] / frame["observed"].abs()).where(nonzero)
        frame["ape_naive"] = (frame["err_naive"] / frame["observed"].abs()).where(nonzero)
        for horizon, part in frame.groupby("horizon"):
            methods = part.groupby("origin")["method"].first()
            rows.append(
                {
                    "indicator": indicator,
                    "horizon": int(horizon),
                    "n": len(part),
                    "mae": part["err"].mean(),
                    "mae_naive": part["err_naive"].mean(),
                    "mape": 100 * part["ape"].mean(),
                    "mape_naive": 100 * part["ape_naive"].mean(),
                    "coverage": part["inside"].mean(),
                    "methods": "/".join(methods.reindex(list(ORIGINS)).fillna("-")),
                    "seconds": seconds,
                }
            )
    out = pd.DataFrame(rows)
    out["ratio"] = out["mae"] / out["mae_naive"]
    return out


def hindsight(indicator_ids: list[str], series_for=None) -> pd.DataFrame:
    """The best ANY selection among our candidates could have done, chosen with hindsight: for every cell
    (indicator, horizon), every candidate and component (no change, drift, shrunk drift, damped trend, Theta,
    the pooled model and the four combinations) forecasts from each origin, and the cell keeps the lowest
    MAE ratio. No honest rule can beat this bound (it sees the outcomes); if its median is above the target,
    no selection rule over these methods reaches the target. A diagnostic, not a method."""
    names = list(forecast.FORECASTERS)
    rows = []
    for indicator in indicator_ids:
        series = (series_for or series_of)(indicator)
        observed = series.rename("observed").reset_index()
        errors = []
        for origin in ORIGINS:
            history = series[series.index.get_level_values(1) <= origin]
            matrix, seen = forecast._window_observed(forecast.wide(history), origin, forecast.WINDOW)
            values = matrix.to_numpy(dtype=float)
            forecasts = forecast.candidate_forecasts(values, max(HORIZONS), names, seen)
            for h in HORIZONS:
                frame = pd.DataFrame({"ref_area": matrix.index, "year": origin + h, "last": values[:, -1]})
                for name in names:
                    frame[name] = forecasts[name][:, h - 1]
                frame = frame.merge(observed, on=["ref_area", "year"]).assign(horizon=h)
                errors.append(frame)
        table = pd.concat(errors, ignore_index=True)
        for h, part in table.groupby("horizon"):
            naive_mae = (part["last"] - part["observed"]).abs().mean()
            ratios = {name: (part[name] - part["observed"]).abs().mean() / naive_mae for name in names}
            best = min(ratios, key=ratios.get)
            rows.append({"indicator": indicator, "horizon": int(h), "best": best, "ratio": ratios[best]} | ratios)
    return pd.DataFrame(rows)


def summary(results: pd.DataFrame) -> dict:
    return {
        "cells": len(results),
        "median_ratio": float(results["ratio"].median()),
        "max_ratio": float(results["ratio"].max()),
        "cells_above_1": int((results["ratio"] > 1.0 + 1e-9).sum()),
        "cells_below_0_95": int((results["ratio"] < 0.95).sum()),
        "cells_no_change": int((results["ratio"] - 1.0).abs().lt(1e-12).sum()),
        "coverage_median": float(results["coverage"].median()),
        "coverage_min": float(results["coverage"].min()),
        "coverage_max": float(results["coverage"].max()),
        "cells_coverage_80_95": int(results["coverage"].between(0.80, 0.95).sum()),
    }


def per_series_cost() -> tuple[float, float]:
    """Seconds to choose and project one indicator for all places (the app's cost per indicator,
    before caching), and the same for the statsmodels damped-trend fit of ONE series, measured here."""
    import warnings

    from statsmodels.tsa.holtwinters import Holt

    series = series_of("co2_per_capita")
    started = time.perf_counter()
    forecast.project(series, ["SWE", "IND"], 2030)
    ours = time.perf_counter() - started
    one = series.xs("SWE", level=0).loc[2002:2021].to_numpy()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Holt(one, damped_trend=True, initialization_method="estimated").fit().forecast(10)
    return ours, time.perf_counter() - started


def run() -> list[dict]:
    from indicators import query

    indicator_ids = eligible_indicators() if os.environ.get("BENCH_BACKTEST_ALL") else INDICATORS
    results = table(indicator_ids)
    version = query.data_version()
    records = []
    for row in results.itertuples():
        records.append(
            record(
                f"backtest {row.indicator} h={row.horizon}y: projection MAE",
                row.mae,
                "abs error",
                baseline=row.mae_naive,
                synthetic=False,
                note=(
                    f"n={row.n} country-origins; methods {row.methods}; 90% band covers {row.coverage:.0%}; "
                    f"MAPE {row.mape:.2f}% vs last value {row.mape_naive:.2f}%; data {version}"
                ),
            )
        )
    stats = summary(results)
    records.append(
        record(
            "backtest: median MAE ratio vs last value (target <= 0.95; every cell <= 1.0)",
            stats["median_ratio"],
            "ratio",
            baseline=1.0,
            note=(
                f"{len(indicator_ids)} indicators x {len(HORIZONS)} horizons; {stats['cells_above_1']} cells above 1 "
                f"(worst {stats['max_ratio']:.3f}), {stats['cells_below_0_95']} below 0.95, "
                f"{stats['cells_no_change']} exactly 1; 90% bands cover {stats['coverage_min']:.0%}-"
                f"{stats['coverage_max']:.0%} (median {stats['coverage_median']:.0%}), "
                f"{stats['cells_coverage_80_95']} of {stats['cells']} cells within 80-95%"
            ),
        )
    )
    paths = summary(table(indicator_ids, path=True))
    records.append(
        record(
            "backtest, one method per indicator for every horizon (the Futures page's path): median MAE ratio",
            paths["median_ratio"],
            "ratio",
            baseline=1.0,
            note=(
                f"{paths['cells_above_1']} cells above 1 (worst {paths['max_ratio']:.3f}), {paths['cells_below_0_95']} "
                f"below 0.95; widened 90% bands cover {paths['coverage_min']:.0%}-{paths['coverage_max']:.0%}, "
                f"{paths['cells_coverage_80_95']} of {paths['cells']} cells within 80-95%"
            ),
        )
    )
    ours, statsmodels_one = per_series_cost()
    records.append(
        record(
            "forecast: choose + project one indicator, all places (vectorised)",
            ours,
            "s",
            baseline=statsmodels_one,
            note="baseline: ONE statsmodels damped-trend fit of one series (one selection needs 5,000-7,000 such fits)",
        )
    )
    return records


if __name__ == "__main__":
    import sys

    pd.set_option("display.width", 200)
    ids = eligible_indicators() if os.environ.get("BENCH_BACKTEST_ALL") else INDICATORS
    if sys.argv[1:2] == ["hindsight"]:  # the bound no selection rule over these methods can beat
        bound = hindsight(ids)
        print(bound.round(3).to_string(index=False))
        print(
            f"hindsight bound: median best ratio {bound['ratio'].median():.3f}; "
            f"{(bound['ratio'] <= 0.95).sum()} of {len(bound)} cells at or below 0.95; "
            f"{(bound['ratio'] > 1 + 1e-9).sum()} above 1"
        )
        sys.exit(0)
    result = table(ids)
    print(result.drop(columns=["seconds"]).round(3).to_string(index=False))
    print(summary(result))
    paths = table(ids, path=True)
    print("\nOne method per indicator for every horizon (the Futures page's path), widened bands:")
    print(paths.drop(columns=["seconds"]).round(3).to_string(index=False))
    print(summary(paths))
