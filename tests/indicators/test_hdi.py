"""The UNDP HDI method, on hand-checked numbers and against Global Data Lab's published SHDI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.methods.hdi import education_index, hdi, health_index, income_index

GDL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "regions" / "gdl_subnational_hdi" / "datapoints"
TOLERANCE = 0.002  # GDL publishes SHDI and components rounded to 3 decimals


def test_dimension_indices_by_hand():
    assert health_index(pd.Series([52.5])).iloc[0] == pytest.approx(0.5)  # (52.5-20)/65
    assert education_index(pd.Series([9.0]), pd.Series([7.5])).iloc[0] == pytest.approx(0.5)  # (0.5+0.5)/2
    assert income_index(pd.Series([math.sqrt(100 * 75_000)])).iloc[0] == pytest.approx(0.5)  # log midpoint
    row = hdi(pd.Series([85.0]), pd.Series([18.0]), pd.Series([15.0]), pd.Series([75_000.0])).iloc[0]
    assert row["hdi"] == pytest.approx(1.0)
    # geometric mean of 0.5, 1, 1 is 0.5 ** (1/3)
    row = hdi(pd.Series([52.5]), pd.Series([18.0]), pd.Series([15.0]), pd.Series([75_000.0])).iloc[0]
    assert row["hdi"] == pytest.approx(0.5 ** (1 / 3))


def test_components_above_goalposts_are_capped():
    frame = hdi(pd.Series([90.0]), pd.Series([20.0]), pd.Series([16.0]), pd.Series([150_000.0]))
    assert frame.iloc[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert np.isnan(hdi(pd.Series([70.0]), pd.Series([np.nan]), pd.Series([8.0]), pd.Series([9_000.0]))["hdi"].iloc[0])


def _gdl(level: str) -> pd.DataFrame:
    if not GDL.is_dir():
        pytest.skip(f"Global Data Lab SHDI files not found at {GDL} (needs ../shared/data next to the repo)")
    frame = None
    for concept in ("shdi", "lifexp", "esch", "msch", "gnic"):
        part = pd.read_csv(GDL / f"ddf--datapoints--{concept}--by--{level}--year.csv")
        frame = part if frame is None else frame.merge(part, on=[level, "year"], how="inner")
    return frame


@pytest.mark.parametrize("level", ["subnat", "national"])
def test_reproduces_published_gdl_shdi(level):
    data = _gdl(level)
    ours = hdi(data["lifexp"], data["esch"], data["msch"], data["gnic"])["hdi"]
    error = (ours - data["shdi"]).abs()
    share_within = float((error <= TOLERANCE).mean())
    worst = data.assign(ours=ours.round(4), error=error.round(4)).nlargest(5, "error")
    print(f"\n{level}: {len(data)} unit-years, share within {TOLERANCE}: {share_within:.4%}; worst cases:\n{worst}")
    assert len(data) > 5_000 if level == "subnat" else len(data) > 4_000
    assert share_within >= 0.99


def test_capping_is_what_makes_gdl_reproducible():
    """Without capping at the upper goalposts (life expectancy above 85, GNI above 75,000) the
    richest region-years miss GDL's published SHDI; with the UNDP cap every one of them matches."""
    data = _gdl("subnat")
    health = (data["lifexp"] - 20) / 65
    education = (data["esch"] / 18 + data["msch"] / 15) / 2
    income = (np.log(data["gnic"]) - np.log(100)) / (np.log(75_000) - np.log(100))
    uncapped_error = (np.cbrt(health * education * income) - data["shdi"]).abs()
    above = (data["gnic"] > 75_000) | (data["lifexp"] > 85)
    assert above.sum() > 100
    assert (uncapped_error[above] > TOLERANCE).mean() > 0.5
    ours = hdi(data["lifexp"], data["esch"], data["msch"], data["gnic"])["hdi"]
    assert ((ours - data["shdi"]).abs()[above] <= TOLERANCE).all()
