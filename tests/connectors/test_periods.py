"""TIME_PERIOD strings of every SDMX frequency become typed periods."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.periods import PeriodError, parse_period, period_columns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020", ("A", 2020, dt.date(2020, 1, 1))),
        ("2020-A1", ("A", 2020, dt.date(2020, 1, 1))),
        ("2020-S2", ("S", 2020, dt.date(2020, 7, 1))),
        ("2020-Q3", ("Q", 2020, dt.date(2020, 7, 1))),
        ("2020-M07", ("M", 2020, dt.date(2020, 7, 1))),
        ("2020-07", ("M", 2020, dt.date(2020, 7, 1))),
        ("2020-W01", ("W", 2020, dt.date(2019, 12, 30))),
        ("2020-07-15", ("D", 2020, dt.date(2020, 7, 15))),
        ("2020-07-15T00:00:00", ("D", 2020, dt.date(2020, 7, 15))),
        ("2020-D032", ("D", 2020, dt.date(2020, 2, 1))),
    ],
)
def test_every_frequency(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["20", "2020-Q5", "2020-13", "next year", ""])
def test_bad_periods_are_named(text):
    with pytest.raises(PeriodError, match="not an SDMX time period"):
        parse_period(text)


def test_column_form_maps_back_to_every_row():
    columns = period_columns(["2021", "2020-Q2", "2021"])
    assert columns["freq"].to_pylist() == ["A", "Q", "A"]
    assert columns["year"].to_pylist() == [2021, 2020, 2021]
