"""Decoupling verdicts, outsourcing and connected-scatter data on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.decoupling import (
    VERDICTS,
    connected_scatter,
    decoupling_table,
    missing_places,
    outsourcing,
    verdict,
)


def series(values: dict[tuple[str, int], float]) -> pd.Series:
    return pd.Series(values, dtype=float).rename_axis(["ref_area", "year"]).sort_index()


@pytest.mark.parametrize(
    ("gdp", "pressure", "expected"),
    [
        (0.30, -0.10, "absolute_decoupling"),
        # intensity (1.10/1.30)^(1/10) - 1 = -1.66%/yr, beyond the 0.5% tolerance
        (0.30, 0.10, "relative_decoupling"),
        # (1.28/1.30)^(1/10) - 1 = -0.155%/yr: within +-0.5% -> coupled
        (0.30, 0.28, "coupled"),
        (0.10, 0.30, "recoupling"),
        (-0.10, -0.20, "gdp_fell_pressure_fell_faster"),
        (-0.10, -0.05, "gdp_fell_pressure_fell_slower"),
        (-0.10, 0.05, "gdp_fell_pressure_rose"),
        (0.0, -0.05, "gdp_fell_pressure_fell_faster"),  # flat GDP is not growth
        (np.nan, 0.1, "insufficient_data"),
    ],
)
def test_verdicts_by_hand(gdp, pressure, expected):
    assert verdict(gdp, pressure, 10)[()] == expected
    assert expected in VERDICTS


def test_table_factor_rates_and_verdict_by_hand():
    gdp = series({("A", 2000): 100, ("A", 2010): 120, ("B", 2000): 100, ("B", 2010): 110, ("C", 2000): 5})
    co2 = series({("A", 2000): 50, ("A", 2010): 40, ("B", 2000): 10, ("B", 2010): 10.5, ("C", 2010): 1})
    table = decoupling_table(co2, gdp, 2000, 2010)
    assert list(table.index) == ["A", "B"]  # C lacks values at both ends
    # OECD factor: 1 - (40/120) / (50/100) = 1/3
    assert table.at["A", "decoupling_factor"] == pytest.approx(1 / 3)
    assert table.at["A", "gdp_rate"] == pytest.approx(1.2**0.1 - 1)
    assert table.at["A", "verdict"] == "absolute_decoupling"
    # B: +10% GDP, +5% CO2 -> intensity (1.05/1.10)^0.1 - 1 = -0.464%/yr -> coupled (inside 0.5%)
    assert table.at["B", "intensity_rate"] == pytest.approx((1.05 / 1.10) ** 0.1 - 1)
    assert table.at["B", "verdict"] == "coupled"
    assert missing_places(co2, gdp, 2000, 2010, ["A", "C", "Z"]) == ["C", "Z"]
    with pytest.raises(ValueError, match="must end after it starts"):
        decoupling_table(co2, gdp, 2010, 2010)


def test_outsourcing_by_hand():
    gdp = series({("A", 2000): 100, ("A", 2010): 120})
    territorial = series({("A", 2000): 100, ("A", 2010): 80})
    consumption = series({("A", 2000): 120, ("A", 2010): 130})
    table = outsourcing(territorial, consumption, gdp, 2000, 2010)
    row = table.loc["A"]
    assert row["outsourced_2000"] == 20 and row["outsourced_share_2000"] == pytest.approx(0.2)
    assert row["outsourced_2010"] == 50 and row["outsourced_share_2010"] == pytest.approx(50 / 80)
    assert row["territorial_verdict"] == "absolute_decoupling"
    # consumption +8.3% with GDP +20%: (1.0833/1.2)^0.1 - 1 = -1.02%/yr -> relative only
    assert row["consumption_verdict"] == "relative_decoupling"
    assert not row["same_verdict"]


def test_connected_scatter_keeps_years_with_both_values_in_order():
    x = series({("A", 2001): 2.0, ("A", 2000): 1.0, ("A", 2002): 3.0, ("B", 2000): 5.0})
    y = series({("A", 2000): 10.0, ("A", 2002): 30.0, ("A", 2001): np.nan, ("B", 2001): 7.0})
    frame = connected_scatter(x, y)
    assert frame[["ref_area", "year", "x", "y"]].values.tolist() == [["A", 2000, 1.0, 10.0], ["A", 2002, 3.0, 30.0]]
    assert frame["order"].tolist() == [0, 1]
    assert frame["is_start"].tolist() == [True, False] and frame["is_end"].tolist() == [False, True]
    assert connected_scatter(x, y, start=2001)["year"].tolist() == [2002]
