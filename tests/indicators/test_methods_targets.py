"""Theil-Sen trends, projections and target status, on hand-checked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.methods.targets import Target, assess
from indicators.methods.trend import project, recent_trend, theil_sen


def panel(rows: dict[str, list[float]], start: int = 2010) -> pd.Series:
    data = {(area, start + i): v for area, values in rows.items() for i, v in enumerate(values)}
    return pd.Series(data, dtype=float).rename_axis(["ref_area", "year"]).dropna()


def test_theil_sen_by_hand():
    # pairwise slopes of (0,1),(1,3),(2,2),(3,6): 2, 0.5, 5/3, -1, 1.5, 4 -> sorted -1, .5, 1.5, 5/3, 2, 4; median 1.583
    fit = theil_sen(np.array([0, 1, 2, 3]), np.array([[1.0, 3.0, 2.0, 6.0]]))
    assert fit.slope[0] == pytest.approx((1.5 + 5 / 3) / 2)
    assert fit.intercept[0] == pytest.approx(2.5 - fit.slope[0] * 1.5)  # median(y) - slope * median(x)
    # an outlier barely moves it
    fit = theil_sen(np.arange(6), np.array([[0.0, 1.0, 2.0, 30.0, 4.0, 5.0]]))
    assert fit.slope[0] == pytest.approx(1.0)
    # CI contains the slope; too few points -> NaN
    fit = theil_sen(np.arange(10), np.array([np.arange(10) * 2.0 + np.tile([0.3, -0.3], 5), [1, 2] + [np.nan] * 8]))
    assert fit.low[0] <= fit.slope[0] <= fit.high[0] and fit.slope[0] == pytest.approx(2.0, abs=0.1)
    assert np.isnan(fit.slope[1]) and fit.n_points[1] == 2


def test_recent_trend_window_and_projection():
    series = panel({"A": [1, 2, 3, 4, 5, 6], "B": [10, np.nan, 8, 7, np.nan, np.nan]})
    trend = recent_trend(series, window=4)  # 2012..2015
    assert trend.loc["A", "slope"] == 1.0 and trend.loc["A", "last_year"] == 2015
    assert trend.loc["B", "last_value"] == 7 and trend.loc["B", "last_year"] == 2013
    proj = project(trend, 2020)
    assert proj.loc["A", "projection"] == pytest.approx(6 + 5 * 1.0)
    assert proj.loc["A", "low"] <= proj.loc["A", "projection"] <= proj.loc["A", "high"]


def test_status_levels_by_hand():
    # at-most target 0 by 2025; latest year 2019 -> 6 years left
    series = panel(
        {
            "done": [5, 4, 3, 2, 1, 0, -1, -1, -1, -1],
            "fast": [20, 18, 16, 14, 12, 10, 8, 6, 4, 2],  # -2/yr, needs 2/6 per year
            "half": [20, 19.5, 19, 18.5, 18, 17.5, 17, 16.5, 16, 15],  # ~ -0.5/yr... needs 15/6 = 2.5
            "slow": [6, 5.8, 5.6, 5.4, 5.2, 5.0, 4.8, 4.6, 4.4, 4.2],  # -0.2/yr, needs 0.7 -> 0.286 < 0.5
            "mod": [9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5, 5, 4.5],  # -0.5/yr, needs 0.75 -> 0.667
            "worse": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            "short": [np.nan] * 8 + [3, 2],
        }
    )
    result = assess(series, Target(0.0, 2025, "threshold", "planetary_boundary"), window=10)
    assert result["trend"].to_dict() == {
        "done": "on_track",  # met and still moving the right way: maintaining achievement
        "fast": "on_track",
        "half": "stagnating",  # 0.5/yr of the 2.5/yr needed: below half the pace
        "slow": "stagnating",
        "mod": "moderately_improving",
        "worse": "worsening",
        "short": "insufficient_data",
    }
    # a target of 0: everything not yet there still has all of its value to lose
    assert set(result["status"]) == {"achieved", "major_challenges", "insufficient_data"}
    assert result.loc["mod", "arrow"] == "↗" and result.loc["mod", "status_text"].startswith("Major challenges; ↗")
    assert result.loc["mod", "required_slope"] == pytest.approx(-0.75)
    assert result.loc["fast", "distance"] == 1.0  # all of the latest value must go
    assert result.loc["done", "distance"] == 0.0


def test_at_least_target_distance_and_passed_deadline():
    series = panel({"A": [60, 61, 62, 63, 64], "B": [70, 69, 68, 67, 66]})
    result = assess(series, Target(80.0, 2030, "SDG", "at_least"), window=5)
    assert result.loc["A", "distance"] == pytest.approx((80 - 64) / 80)
    assert result.loc["A", "trend"] == "on_track"  # +1/yr, needs 16/16 = 1/yr
    assert result.loc["A", "status"] == "challenges_remain"  # 20% still to go
    assert result.loc["B", "trend"] == "worsening"
    late = assess(series, Target(80.0, 2010, "EU", "at_least"), window=5)
    assert late["trend"].tolist() == ["moderately_improving", "worsening"]


def test_bad_target_is_refused():
    with pytest.raises(ValueError, match="kind must be one of at_least"):
        Target(1.0, 2030, "SDG", "ceiling")
    with pytest.raises(ValueError, match="source must be one of SDG, EU, OECD"):
        Target(1.0, 2030, "UN", "at_most")


# --- targets and framework tags declared in the definition files ------------------------------


def test_declared_targets_are_sourced_and_point_the_way_the_indicator_improves():
    from indicators.catalog import catalog

    with_target = [d for d in catalog().values() if d.targets]
    assert len(with_target) >= 40
    for item in with_target:
        for goal in item.targets:
            upward = goal.upward
            assert upward == (item.direction.value == "higher_is_better"), (item.id, goal.kind)
            assert goal.document and goal.reference and goal.published <= goal.year + 100
            assert goal.citation.startswith("as reported in") != goal.verified
            Target(goal.value, goal.year, goal.source, goal.kind)  # the methods accept every declared kind/source


def test_every_definition_has_a_framework_component_and_bad_values_are_refused():
    from pydantic import ValidationError

    from indicators.catalog import catalog
    from indicators.schema import FRAMEWORK_COMPONENTS, Definition

    assert all(d.framework in FRAMEWORK_COMPONENTS for d in catalog().values())
    assert {d.framework for d in catalog().values()} == set(FRAMEWORK_COMPONENTS)
    raw = catalog()["life_expectancy"].model_dump(mode="json", exclude_none=True)
    with pytest.raises(ValidationError, match="framework"):
        Definition.model_validate({**raw, "framework": "someday"})
    goal = dict(raw["targets"][0])
    goal.pop("document")
    with pytest.raises(ValidationError, match="document"):
        Definition.model_validate({**raw, "targets": [goal]})


def test_list_json_reports_targets_and_framework():
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "indicators", "list", "--json"], capture_output=True, text=True, check=True
    ).stdout
    data = json.loads(out)
    assert data["counts"]["with_target"] == sum(1 for r in data["indicators"] if r["targets"]) >= 40
    assert sum(data["counts"]["by_framework"].values()) == data["counts"]["total"]
    life = next(r for r in data["indicators"] if r["id"] == "life_satisfaction")
    assert life["framework"] == "current_wellbeing"
    assert life["targets"][0]["value"] == 6.5 and "Nature Sustainability" in life["targets"][0]["document"]
