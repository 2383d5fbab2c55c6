"""Signals on small series whose answer is obvious by eye."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.methods.signals import against_gdp, chow_f, new_record, peer_divergence, trend_break


def panel(rows: dict[str, list[float]], start: int = 2000) -> pd.Series:
    data = {(area, start + i): v for area, values in rows.items() for i, v in enumerate(values)}
    return pd.Series(data, dtype=float).rename_axis(["ref_area", "year"]).dropna()


def test_chow_f_by_hand():
    years = np.arange(8, dtype=float)
    line = 2 * years + 1
    assert chow_f(years, line, 4) == 0.0  # one straight line: no break
    kinked = np.array([0, 1, 2, 3, 3, 2, 1, 0], dtype=float)  # up then down, exact lines on each side
    assert chow_f(years, kinked, 4) == np.inf


@pytest.mark.parametrize("scale", [1e-9, 1.0, 98.74, 65_600.0, 1e12])
def test_chow_f_is_relative_to_the_series_own_scale(scale):
    """Real calendar years and values of any size: a straight line is 0 (no break), a clean kink is
    infinite, and a noisy kink gives the same F whatever the unit (F is scale-free)."""
    years = np.arange(1995, 2021, dtype=float)
    line = scale * (3.0 + 0.0123 * (years - 1995))  # a publisher-smoothed, exactly linear series
    assert all(chow_f(years, line, split) == 0.0 for split in range(1999, 2018))
    kink = scale * np.where(years < 2008, 1 + 0.1 * (years - 1995), 2.3 - 0.05 * (years - 2008))
    assert chow_f(years, kink, 2008) == np.inf
    noise = np.tile([0.01, -0.02, 0.015, -0.005], 7)[: years.size]
    assert chow_f(years, (kink / scale + noise) * scale, 2008) == pytest.approx(
        chow_f(years, kink / scale + noise, 2008), rel=1e-9
    )


def test_trend_break_finds_the_kink_only():
    noise = np.tile([0.1, -0.1], 6)
    series = panel(
        {"kink": list(np.r_[np.arange(6.0), 5 - np.arange(6.0)] + noise), "line": list(np.arange(12.0) + noise)}
    )
    signals = trend_break(series, "co2")
    assert [s.ref_area for s in signals] == ["kink"]
    sig = signals[0]
    assert sig.kind == "trend_break" and sig.statistic >= sig.threshold == 10.0
    assert "around 2006" in sig.sentence and sig.years[0] == 2000


def test_new_record_high_and_low_with_direction():
    series = panel({"up": [1, 3, 2, 4, 5], "down": [5, 4, 6, 3, 1], "flat": [2, 2, 2, 2, 2]})
    signals = new_record(series, "co2", "lower_is_better", min_history=3)
    assert {(s.ref_area, s.test.split("(")[1][:-1]) for s in signals} == {("up", "high"), ("down", "low")}
    down = next(s for s in signals if s.ref_area == "down")
    assert down.statistic == 1 and down.threshold == 3 and "better than any of 4 earlier years" in down.sentence
    assert new_record(series, "co2", "lower_is_better", min_history=5) == []


def test_peer_divergence_by_hand():
    # peers 1..5 stay together; "away" starts in the pack and ends far above
    rows = {f"p{i}": [float(i)] * 5 for i in range(1, 6)}
    rows["away"] = [3.0, 5.0, 8.0, 12.0, 20.0]
    signals = peer_divergence(panel(rows), "gini", peers=list(rows), window=5, k=3.0)
    assert [s.ref_area for s in signals] == ["away"]
    # end year: peers 1..5 and 20 -> median 3.5, |x - med| = 2.5,1.5,.5,.5,1.5,16.5 -> MAD 1.5; z = 16.5/(1.4826*1.5)
    assert signals[0].statistic == pytest.approx(16.5 / (1.4826 * 1.5))


def test_against_gdp():
    gdp = panel({"A": [100 + 5 * i for i in range(10)], "B": [100 + 5 * i for i in range(10)]})
    co2 = panel(
        {"A": [10 + 0.5 * i + (0.1 if i % 2 else 0) for i in range(10)], "B": [10 - 0.5 * i for i in range(10)]}
    )
    signals = against_gdp(co2, gdp, "co2", "lower_is_better", window=10)
    assert [s.ref_area for s in signals] == ["A"]
    assert "GDP grew" in signals[0].sentence and signals[0].statistic == pytest.approx(0.5, abs=0.06)


def test_record_sentences_write_large_numbers_in_full():
    series = panel({"SWE": [40000.0 + 1000 * i for i in range(12)] + [65600.0]})
    sentence = new_record(series, "GDP per capita", "higher_is_better")[0].sentence
    assert "record high of 65,600 in 2012" in sentence and "previous high 51,000" in sentence
    assert "e+04" not in sentence
