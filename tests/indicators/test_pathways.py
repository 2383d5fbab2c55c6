"""Achieved and required rates, pathways, the year a target is reached and the implied decoupling,
all checked against numbers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.pathways import (
    achieved_rate,
    implied_intensity_rate,
    pathway,
    rate_between,
    required_rate,
    year_reached,
)


def test_rate_between_by_hand():
    rate = rate_between(2000, 100.0, 2002, 121.0)
    assert rate.rate == pytest.approx(0.10) and rate.change == pytest.approx(10.5)
    assert rate_between(2000, 5.0, 2010, 0.0).rate is None  # no compound rate reaches zero
    with pytest.raises(ValueError, match="must come after"):
        rate_between(2010, 1, 2010, 2)


def test_required_rate_by_hand():
    # halve by 2030 from 2020: 0.5^(1/10) - 1 = -6.697% a year, or -5 units a year
    rate = required_rate(2020, 100.0, 2030, 50.0)
    assert rate.rate == pytest.approx(0.5**0.1 - 1) and rate.rate == pytest.approx(-0.06697, abs=1e-5)
    assert rate.change == pytest.approx(-5.0)
    with pytest.raises(ValueError, match="not after the latest data year"):
        required_rate(2020, 100.0, 2019, 50.0)


def test_achieved_rate_over_the_last_ten_years():
    values = pd.Series({2005: 1.0, 2011: 5.19, 2015: 4.5, 2021: 3.406})
    rate = achieved_rate(values)
    assert (rate.start_year, rate.end_year) == (2011, 2021)
    assert rate.rate == pytest.approx((3.406 / 5.19) ** 0.1 - 1)
    # the year ten years back is missing: the earliest year inside the period is used
    rate = achieved_rate(pd.Series({2012: 10.0, 2020: 12.0}), years=10)
    assert (rate.start_year, rate.change) == (2012, pytest.approx(0.25))
    assert achieved_rate(pd.Series({2020: 1.0})) is None


def test_pathway_values_by_hand():
    path = pathway(2020, 100.0, 2023, rate=-0.10)
    assert path["year"].tolist() == [2020, 2021, 2022, 2023]
    assert path["value"].tolist() == pytest.approx([100, 90, 81, 72.9])
    assert pathway(2020, 10.0, 2022, change=-2.5)["value"].tolist() == [10.0, 7.5, 5.0]
    with pytest.raises(ValueError, match="exactly one"):
        pathway(2020, 1.0, 2030)
    with pytest.raises(ValueError, match="above -100%"):
        pathway(2020, 1.0, 2030, rate=-1.0)


def test_year_reached_by_hand():
    # 3.5 t -> the 1.61 t boundary at -5%/yr: ln(1.61/3.5)/ln(0.95) = 15.14 -> 16 years -> 2037
    assert math.log(1.61 / 3.5) / math.log(0.95) == pytest.approx(15.14, abs=0.01)
    assert year_reached(2021, 3.5, 1.61, upward=False, rate=-0.05) == 2037
    assert year_reached(2021, 1.5, 1.61, upward=False, rate=0.05) == 2021  # already below
    assert year_reached(2021, 3.5, 1.61, upward=False, rate=0.01) is None  # moving away
    assert year_reached(2020, 10.0, 0.0, upward=False, change=-1.0) == 2030
    assert year_reached(2020, 10.0, 0.0, upward=False, rate=-0.2) is None  # compound never hits 0
    assert year_reached(2020, 70.0, 74.0, upward=True, change=0.3) == 2034  # 4 / 0.3 = 13.3 -> 14


def test_implied_intensity_rate_by_hand():
    # emissions -5%/yr with GDP +2%/yr: 0.95/1.02 - 1 = -6.863%/yr
    assert implied_intensity_rate(-0.05, 0.02) == pytest.approx(0.95 / 1.02 - 1)
    assert implied_intensity_rate(-0.05, 0.02) == pytest.approx(-0.06863, abs=1e-5)
    assert implied_intensity_rate(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="above -100%"):
        implied_intensity_rate(0.0, -1.0)
