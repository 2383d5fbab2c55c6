"""Sourced status bands on the real snapshot and through the panel path: the Overview's "Poverty ($3.65 a
day) 1.04 % — Major challenges" for Sweden came from grading a target of 0 as a share; with the SDR's own
green/red thresholds the same value is green, as the SDR rates it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators import query, scorecard, trends
from indicators.methods.targets import Target, assess


def test_sweden_poverty_at_365_is_achieved_on_the_snapshot():
    goal = query.definition("poverty_rate_365").targets[0]
    assert goal.value == 0 and goal.bands is not None and goal.bands.verified
    row = scorecard.scorecard("SWE", ("SWE",), 2010).set_index("indicator").loc["poverty_rate_365"]
    assert 0 < row["value"] <= goal.bands.green, "the case of the bug: above the optimum 0, within green"
    assert row["status"] == "achieved" and row["level_label"] == "Achieved"
    assert row["distance"] == 0
    assert row["arrow"] in ("↑", "↓")  # achieved: maintaining, or moving away; never "stagnating"
    assert "Achieved ≤ 2" in row["target"] and "Major challenges ≥ 13" in row["target"]


def test_the_trend_table_uses_the_same_bands_as_the_scorecard():
    table = trends.trend_table("poverty_rate_365", 2010, ("SWE",))
    card = scorecard.scorecard("SWE", ("SWE",), 2010).set_index("indicator")
    assert table.loc["SWE", "status"] == card.at["poverty_rate_365", "status"] == "achieved"


def test_panel_assessment_with_bands_by_hand():
    # four places on a straight line each, 2016-2025; at most 0 by 2030 with green 2, red 13 (midpoint 7.5)
    years = range(2016, 2026)
    latest = {"A": 1.0, "B": 7.0, "C": 9.0, "D": 20.0}
    series = pd.Series(
        {(area, y): value + 0.1 * (2025 - y) for area, value in latest.items() for y in years}, dtype=float
    ).rename_axis(["ref_area", "year"])
    banded = Target(value=0.0, year=2030, source="international", kind="at_most", green=2.0, red=13.0)
    result = assess(series, banded)
    assert list(result["status"]) == ["achieved", "challenges_remain", "significant_challenges", "major_challenges"]
    # B needs (7 - 2) / 5 = 1/yr down and does 0.1/yr: stagnating; A is green and improving: on track
    assert list(result["arrow"])[:2] == ["↑", "→"]
    plain = assess(series, Target(value=0.0, year=2030, source="international", kind="at_most"))
    assert set(plain["status"]) == {"major_challenges"}  # the share rule on a target of 0


def test_bands_need_both_thresholds():
    with pytest.raises(ValueError, match="both a green and a red"):
        Target(value=0.0, year=2030, source="international", kind="at_most", green=2.0)


def test_goal_of_is_the_green_threshold_only_with_both_bands():
    from indicators import status

    assert float(status.goal_of(0.0, 2.0, 13.0)) == 2.0
    assert float(status.goal_of(25.0)) == 25.0  # no bands: the target itself
    assert float(status.goal_of(0.0, 2.0, None)) == 0.0  # half a band is no band
    assert math.isnan(float(status.goal_of(None, 2.0, 13.0)))  # no target: nothing to aim at
    both = status.goal_of([0.0, 25.0], [2.0, float("nan")], [13.0, float("nan")])
    assert both.tolist() == [2.0, 25.0]
