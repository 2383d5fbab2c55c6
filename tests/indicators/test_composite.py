"""The composite runner and the shipped composite definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from indicators.composite import (
    CompositeError,
    available_composites,
    load_composite,
    merge,
    run_composite,
    validate,
)
from indicators.methods.hdi import hdi

GDL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "regions" / "gdl_subnational_hdi" / "datapoints"

TINY = {
    "id": "tiny",
    "title": "Tiny test composite",
    "indicators": {"good": "good_id", "bad": "bad_id", "other": "other_id", "gdp": "gdp_id"},
    "pillars": {"p1": {"indicators": ["good", "bad"], "weight": 1}, "p2": {"indicators": ["other"], "weight": 3}},
    "shown_beside": ["gdp"],
    "normalisation": {"method": "minmax"},
    "weighting": {"indicators": "equal", "pillars": "given"},
    "aggregation": {"indicators_to_pillar": "arithmetic", "pillars_to_index": "arithmetic"},
    "min_coverage": {"pillar": 0.5, "index": 1.0},
    "reference_year": "latest",
    "latest_within": 2,
}
DIRECTIONS = {"good_id": "higher_is_better", "bad_id": "lower_is_better", "other_id": "higher_is_better"}


def tiny_panel() -> pd.DataFrame:
    rows = [
        # good: A 10, B 20, C 30 -> 0, .5, 1 ; bad (lower better): A 1, B 3, C missing -> 1, 0
        ("good_id", "A", 2020, 10.0),
        ("good_id", "B", 2020, 20.0),
        ("good_id", "C", 2020, 30.0),
        ("bad_id", "A", 2020, 1.0),
        ("bad_id", "B", 2020, 3.0),
        ("bad_id", "C", 2015, 0.5),  # too old for C
        # other: A from 2018 (within 2 years), B 2020, C missing -> A 0, B 1
        ("other_id", "A", 2018, 5.0),
        ("other_id", "B", 2020, 7.0),
        ("other_id", "A", 2016, 100.0),
        ("gdp_id", "A", 2020, 1e4),
        ("gdp_id", "B", 2020, 2e4),
    ]
    return pd.DataFrame(rows, columns=["indicator", "ref_area", "year", "value"])


def test_tiny_composite_by_hand():
    result = run_composite(TINY, tiny_panel(), DIRECTIONS, data_version="test-1")
    # A: p1 = (0 + 1)/2 = 0.5, p2 = 0 -> (1*0.5 + 3*0)/4 = 0.125 ; B: p1 = (0.5 + 0)/2 = 0.25, p2 = 1 -> 0.8125
    assert result.pillar_scores.loc["A"].tolist() == [0.5, 0.0]
    assert result.scores["A"] == pytest.approx(0.125)
    assert result.scores["B"] == pytest.approx((0.25 + 3) / 4)
    assert result.ranks[["B", "A"]].tolist() == [1, 2]
    assert result.years.loc["A", "other"] == 2018  # latest within 2 years, not the 2016 value
    # C: p1 has 'good' only (coverage 0.5, enough), p2 missing -> index coverage 0.25 < 1
    assert result.pillar_scores.loc["C", "p1"] == 1.0 and np.isnan(result.scores["C"])
    assert result.coverage["C"] == 0.25
    assert "missing pillars: p2" in result.reasons["C"] and "p2: coverage 0.00" in result.reasons["C"]
    assert result.beside.loc["B", "gdp"] == 2e4 and "gdp" not in result.normalised
    assert result.record["effective_weights"] == {"good_id": 0.125, "bad_id": 0.125, "other_id": 0.75}
    assert result.record["data_version"] == "test-1" and result.record["reference_year"] == 2020
    table = result.table()
    assert table.index.tolist() == ["B", "A", "C"] and "pillar_p1" in table


def test_record_regenerates_the_result_and_overrides_apply():
    panel = tiny_panel()
    first = run_composite(TINY, panel, DIRECTIONS, params_override={"pillars": {"p2": {"weight": 1}}})
    again = run_composite(first.record["definition"], panel, first.record["directions"])
    pd.testing.assert_series_equal(first.scores, again.scores)
    assert first.scores["A"] == pytest.approx(0.25)  # (0.5 + 0) / 2 with equal pillar weights
    assert first.record["params_override"] == {"pillars": {"p2": {"weight": 1}}}
    assert TINY["pillars"]["p2"]["weight"] == 3  # the input definition is not mutated
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 5}}) == {"a": {"b": 5, "c": 2}}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"normalisation": {"method": "minimax"}},
            "field 'normalisation.method': unknown method 'minimax'; valid: "
            "distance_to_target, goalposts, minmax, rank, zscore",
        ),
        ({"aggregation": {"pillars_to_index": "median"}}, "aggregation.pillars_to_index.*valid: arithmetic, geometric"),
        ({"pillars": {"p1": {"indicators": ["good", "nope"]}}}, "'nope' is not declared under 'indicators'"),
        ({"pillars": {"p2": {"weight": -1}}}, "pillars.p2.weight': must be a number >= 0"),
        ({"min_coverage": {"pillar": 1.5}}, "min_coverage.pillar"),
        ({"shown_beside": ["good"]}, "inside a pillar"),
        ({"colour": "red"}, "field 'colour': unknown field"),
    ],
)
def test_bad_definitions_name_the_field(override, message):
    with pytest.raises(CompositeError, match=message):
        run_composite(TINY, tiny_panel(), DIRECTIONS, params_override=override)


def test_latest_reference_year_is_the_last_year_all_indicators_reached():
    panel = pd.concat([tiny_panel(), pd.DataFrame([("good_id", "A", 2023, 99.0)], columns=tiny_panel().columns)])
    result = run_composite(TINY, panel, DIRECTIONS)
    assert result.record["reference_year"] == 2020  # bad_id and other_id stop in 2020
    assert result.values.loc["A", "good"] == 10.0  # the 2023 value is after the reference year
    fixed = run_composite(TINY, panel, DIRECTIONS, params_override={"reference_year": 2023, "latest_within": 5})
    assert fixed.values.loc["A", "good"] == 99.0 and fixed.years.loc["A", "bad"] == 2020


def test_missing_direction_is_refused():
    with pytest.raises(CompositeError, match="no direction for \\['other_id'\\]"):
        run_composite(TINY, tiny_panel(), {k: v for k, v in DIRECTIONS.items() if k != "other_id"})


def test_shipped_definitions_load_and_name_expected_ids():
    assert set(available_composites()) >= {"beyond_gdp_index", "better_life_index", "hdi"}
    beyond = load_composite("beyond_gdp_index")
    assert list(beyond["pillars"]) == ["inclusive", "circular", "climate"]
    assert beyond["shown_beside"] == ["gdp_per_capita_ppp"]
    assert all("gdp_per_capita_ppp" not in p["indicators"] for p in beyond["pillars"].values())
    assert load_composite("better_life_index")["weighting"]["pillars"] == "given"


def test_load_reports_file_and_field(tmp_path):
    bad = yaml.safe_load((Path(__file__).resolve().parents[2] / "indicators" / "composites" / "hdi.yaml").read_text())
    bad["aggregation"]["pillars_to_index"] = "harmonic"
    path = tmp_path / "hdi.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(CompositeError, match=f"{path}: field 'aggregation.pillars_to_index': unknown method"):
        load_composite(path)
    with pytest.raises(CompositeError, match="no composite definition at .*available: "):
        load_composite("nonexistent")
    with pytest.raises(CompositeError, match="must be a mapping"):
        validate(["not", "a", "mapping"])


def test_hdi_composite_matches_gdl_national_hdi():
    if not GDL.is_dir():
        pytest.skip(f"Global Data Lab SHDI files not found at {GDL} (needs ../shared/data next to the repo)")
    concepts = {
        "lifexp": "life_expectancy",
        "esch": "expected_years_schooling",
        "msch": "mean_years_schooling",
        "gnic": "gni_per_capita_ppp",
    }
    frames = []
    for concept, indicator_id in concepts.items():
        part = pd.read_csv(GDL / f"ddf--datapoints--{concept}--by--national--year.csv")
        frames.append(part.rename(columns={"national": "ref_area", concept: "value"}).assign(indicator=indicator_id))
    panel = pd.concat(frames, ignore_index=True)
    panel = panel[panel["year"] == 2019]
    directions = dict.fromkeys(concepts.values(), "higher_is_better")
    result = run_composite("hdi", panel, directions, data_version="gdl-shdi-ddf")
    published = pd.read_csv(GDL / "ddf--datapoints--shdi--by--national--year.csv")
    published = published[published["year"] == 2019].set_index("national")["shdi"]
    error = (result.scores - published.reindex(result.scores.index)).abs().dropna()
    assert len(error) > 150
    assert (error <= 0.002).mean() >= 0.99
    wide = panel.pivot(index="ref_area", columns="indicator", values="value")
    direct = hdi(
        wide["life_expectancy"],
        wide["expected_years_schooling"],
        wide["mean_years_schooling"],
        wide["gni_per_capita_ppp"],
    )["hdi"]
    pd.testing.assert_series_equal(result.scores, direct.reindex(result.scores.index), check_names=False)
