"""Backtest of trend projections on real data: do Theil-Sen projections beat "nothing changes"?

For each indicator, origin year T and horizon h, every country with a value in T gets a
projection to T+h from the 10 years up to T only (``indicators.methods.trend``), compared with
what was later observed, against the naive forecast "the value stays at its year-T level".
Errors are pooled over countries and origins: MAE (in the indicator's unit) and MAPE (%).
``ratio`` = projection MAE / naive MAE (below 1 = the trend helps).

Data: the committed snapshot through ``indicators.query.panel`` (aggregates such as World
dropped). Origins 2008, 2011 and 2014 keep T+h <= 2019, before COVID and before the years in
which some Gapminder series switch to their own projections. Not synthetic.
"""

from __future__ import annotations

import pandas as pd

from bench.record import record
from indicators.methods.trend import project, recent_trend

INDICATORS = [
    "life_expectancy",
    "gdp_per_capita_ppp",
    "co2_per_capita",
    "employment_rate",
    "material_footprint_per_capita",
    "renewable_energy_share",
]
ORIGINS = (2008, 2011, 2014)
HORIZONS = (1, 3, 5)
WINDOW = 10


def load_panel() -> tuple[pd.DataFrame, str]:
    from indicators import query

    frame = query.panel(INDICATORS)
    areas = query.areas()
    aggregates = set(areas.index[areas["is_aggregate"].astype(bool)])
    return frame[~frame["ref_area"].isin(aggregates)], query.data_version()


def errors(series: pd.Series, origin: int, horizon: int, anchor: str) -> pd.DataFrame:
    """Per country: observed value at origin + horizon, the trend projection and the naive one."""
    history = series[series.index.get_level_values(1) <= origin]
    trend = recent_trend(history, window=WINDOW, end_year=origin)
    trend = trend[(trend["last_year"] == origin) & trend["slope"].notna()]
    projected = project(trend, origin + horizon, anchor=anchor)["projection"]
    try:
        observed = series.xs(origin + horizon, level=1)
    except KeyError:
        return pd.DataFrame(columns=["observed", "trend", "naive"])
    return pd.DataFrame({"observed": observed, "trend": projected, "naive": trend["last_value"]}).dropna()


def table(panel: pd.DataFrame, anchor: str = "last") -> pd.DataFrame:
    rows = []
    for indicator in INDICATORS:
        rows_of = panel[panel["indicator"] == indicator]
        series = rows_of.set_index(["ref_area", "year"])["value"].sort_index()
        for horizon in HORIZONS:
            frame = pd.concat([errors(series, origin, horizon, anchor) for origin in ORIGINS])
            if frame.empty:
                continue
            err_trend = (frame["trend"] - frame["observed"]).abs()
            err_naive = (frame["naive"] - frame["observed"]).abs()
            nonzero = frame["observed"].abs() > 1e-9
            rows.append(
                {
                    "indicator": indicator,
                    "horizon": horizon,
                    "n": len(frame),
                    "mae_trend": err_trend.mean(),
                    "mae_naive": err_naive.mean(),
                    "mape_trend": 100 * (err_trend[nonzero] / frame["observed"][nonzero].abs()).mean(),
                    "mape_naive": 100 * (err_naive[nonzero] / frame["observed"][nonzero].abs()).mean(),
                    "trend_better_share": float((err_trend < err_naive).mean()),
                }
            )
    out = pd.DataFrame(rows)
    out["ratio"] = out["mae_trend"] / out["mae_naive"]
    return out


def run() -> list[dict]:
    panel, version = load_panel()
    results = table(panel)
    records = []
    for row in results.itertuples():
        records.append(
            record(
                f"backtest {row.indicator} h={row.horizon}y: projection MAE",
                row.mae_trend,
                "abs error",
                baseline=row.mae_naive,
                synthetic=False,
                note=(
                    f"n={row.n} country-origins; MAPE {row.mape_trend:.2f}% vs naive {row.mape_naive:.2f}%; "
                    f"trend closer in {row.trend_better_share:.0%}; data {version}"
                ),
            )
        )
    return records


if __name__ == "__main__":
    frame, _ = load_panel()
    pd.set_option("display.width", 160)
    for anchor in ("last", "fit"):
        print(f"anchor={anchor}")
        print(table(frame, anchor).round(3).to_string(index=False))
