"""Floors and ceilings: the thresholds file is sourced and valid, ratios follow O'Neill et al. (2018),
and the world table counts thresholds achieved and boundaries transgressed."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.catalog import catalog
from indicators.limits import ThresholdError, assess, parse_thresholds, ratio, thresholds, world_table

GOOD = {
    "kind": "floor",
    "value": 95,
    "transform": "complement_100",
    "dimension": "Income",
    "source": "O'Neill et al. (2018)",
    "table": "Table 1",
    "year": 2018,
    "verified": False,
}


def test_shipped_thresholds_are_sourced_and_name_real_indicators():
    table = thresholds()
    known = catalog()
    assert sum(t.kind == "floor" for t in table.values()) >= 6
    assert sum(t.kind == "ceiling" for t in table.values()) >= 2
    for ident, item in table.items():
        assert ident in known, f"{ident} is not an indicator id"
        assert item.source and item.table and 2015 <= item.year <= 2026
        assert ("as reported in" in item.citation) != item.verified
        if item.kind == "ceiling":
            assert "/person" in known[ident].unit  # boundaries are per-capita shares


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "roof"}, "field 'kind' must be one of"),
        ({"value": 0}, "field 'value' must be a positive number"),
        ({"transform": "log"}, "field 'transform'"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_bad_entries_are_named(change, message):
    with pytest.raises(ThresholdError, match=message) as caught:
        parse_thresholds({"extreme_poverty_rate": {**GOOD, **change}})
    assert "extreme_poverty_rate" in str(caught.value)
    with pytest.raises(ThresholdError, match="lacks field"):
        parse_thresholds({"x": {k: v for k, v in GOOD.items() if k != "source"}})


def test_ratios_shortfall_and_overshoot_by_hand():
    table = parse_thresholds(
        {
            "extreme_poverty_rate": GOOD,
            "co2_consumption_per_capita": {**GOOD, "kind": "ceiling", "value": 1.61, "transform": "none"},
        }
    )
    # 10% in extreme poverty: 90% above the line, 90/95 = 0.947 -> shortfall 0.053
    assert float(ratio(10.0, table["extreme_poverty_rate"])) == pytest.approx(90 / 95)
    latest = pd.DataFrame(
        {
            "indicator": ["extreme_poverty_rate", "co2_consumption_per_capita", "extreme_poverty_rate", "gdp"],
            "ref_area": ["A", "A", "B", "A"],
            "year": [2019, 2017, 2019, 2019],
            "value": [10.0, 3.22, 1.0, 5.0],
        }
    )
    out = assess(latest, table).set_index(["ref_area", "indicator"])
    assert len(out) == 3  # no threshold for gdp
    assert out.loc[("A", "extreme_poverty_rate"), "shortfall"] == pytest.approx(1 - 90 / 95)
    assert not out.loc[("A", "extreme_poverty_rate"), "met"]
    assert out.loc[("A", "co2_consumption_per_capita"), "overshoot"] == pytest.approx(1.0)  # 3.22/1.61 = 2
    assert out.loc[("B", "extreme_poverty_rate"), "met"]  # 99/95 >= 1
    world = world_table(assess(latest, table), pd.Series({"A": 1000.0, "B": 50.0}))
    assert world.loc[
        "A", ["social_achieved", "social_total", "boundaries_transgressed", "boundaries_total"]
    ].tolist() == [
        0,
        1,
        1,
        1,
    ]
    assert world.loc["B", "boundaries_total"] == 0 and world.loc["B", "gdp_per_capita"] == 50.0
    # the years each place is judged on, so a title can say of when
    assert world.loc["A", ["first_year", "last_year"]].tolist() == [2017, 2019]
    assert world.loc["B", ["first_year", "last_year"]].tolist() == [2019, 2019]


def test_a_country_is_judged_on_country_indicators_only():
    # the OECD TL2 file also carries country totals under ISO3 codes; they must not count twice
    from indicators.limits import thresholds_for_level

    assert set(thresholds_for_level("country")) == set(thresholds())
    assert thresholds_for_level("nuts2") == {}
