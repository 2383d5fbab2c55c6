"""What the indicators layer does with data quality and signals: one upstream number is never shown as two
measures, estimates are marked and never called records, ties are not records, signals come strongest
first, and numbers are written for people. Real snapshot data unless a test says otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from indicators import measures, peer_groups, query, scorecard, signals
from indicators.methods.signals import series_new_record
from indicators.numbers import per_year, readable


@pytest.fixture(scope="module")
def snapshot():
    try:
        query.panel("gdp_per_capita_ppp", ["SWE"])
    except Exception as error:
        pytest.skip(f"the embedded snapshot cannot be read: {error}")


def test_identical_poverty_series_are_shown_once_with_the_reason(snapshot):
    hidden = measures.hidden_duplicates()
    assert set(hidden) == {"poverty_rate_685"}
    assert "identical to 'Poverty ($3.65 a day)' in all 42,823 values" in hidden["poverty_rate_685"]
    shown = [d.id for d in measures.scorecard_definitions("country")]
    assert "poverty_rate_365" in shown and "poverty_rate_685" not in shown
    card = scorecard.scorecard("NGA", peer_groups.peer_group("income_group", "NGA").members)
    assert "poverty_rate_685" not in set(card["indicator"])
    table = measures.catalogue_table().set_index("id")
    assert table.at["poverty_rate_685", "hidden_because"] == hidden["poverty_rate_685"]


def test_estimated_values_are_flagged_per_value(snapshot):
    frame = query.with_estimated(query.panel(["real_gdp_per_capita_eur", "life_expectancy"]))
    flagged = frame[frame["estimated"]]
    assert set(flagged["indicator"]) == {"real_gdp_per_capita_eur"}  # Gapminder marks nothing; Eurostat does
    assert len(flagged) == len(query.estimated_keys("real_gdp_per_capita_eur")) > 0


def test_a_tie_is_not_a_record():
    years = np.arange(2000, 2013)
    values = np.r_[np.linspace(100.0, 98.74, 12), 98.7400001]  # the "new low" equals the old one as written
    assert series_new_record("X", "ind", years, values, "lower_is_better") == []
    values[-1] = 98.70
    (signal,) = series_new_record("X", "ind", years, values, "lower_is_better")
    assert "record low of 98.7 in" in signal.sentence and "previous low 98.74" in signal.sentence


def test_numbers_are_written_for_people():
    assert readable(65_612.3) == "65,610"
    assert readable(98.7412) == "98.74"
    assert per_year(1_163.4) == "+1,160/year"
    assert per_year(-0.012345) == "-0.0123/year"
    assert "e+" not in readable(1.2e7) and "e-" not in per_year(1.2e-6)


def test_signals_come_strongest_first_with_the_measure_stated(snapshot):
    for area in ("SWE", "NGA"):
        found = signals.place_signals(area, peer_groups.peer_group("income_group", area).members)
        assert len(found) > signals.SHOWN_FIRST
        assert found["strength"].is_monotonic_decreasing and (found["strength"] >= 0).all()
        assert not found["sentence"].str.contains(r"\de[+-]\d").any()  # no e-notation anywhere
    assert "divided by the spread of the peer group" in signals.STRENGTH_MEASURE


def test_an_estimated_latest_value_is_never_called_a_record(snapshot):
    members = peer_groups.peer_group("income_group", "SWE").members
    found = signals.place_signals("SWE", members)
    # Sweden's e-waste per capita reached a new high in 2019, a value the UN marks as estimated
    own = query.area_panel("ewaste_per_capita", "SWE")
    assert ("SWE", int(own["year"].max())) in query.estimated_keys("ewaste_per_capita")
    years, values = own["year"].to_numpy(), own["value"].to_numpy()
    assert series_new_record("Sweden", "E-waste", years, values, "lower_is_better")
    assert "ewaste_per_capita" not in set(found.loc[found["kind"] == "new_record", "indicator"])
    for ident in found.loc[found["kind"] == "new_record", "indicator"]:
        end = int(query.area_panel(ident, "SWE")["year"].max())
        assert ("SWE", end) not in query.estimated_keys(ident)


def test_readable_numbers_drop_padding_zeros_and_never_use_e_notation():
    assert readable(82.8) == "82.8" and readable(82.800000001) == "82.8"
    assert readable(22_612.0) == "22,610" and readable(43_104.2) == "43,100"
    assert readable(1_234_567.0) == "1,235,000"
    assert readable(0.000012346) == "0.00001235"
    assert readable(30.000000000000004) == "30" and readable(1.61) == "1.61"


def test_signal_sentences_carry_the_measures_unit():
    """'GDP grew (+625/year)' cannot be quoted: 625 of what? Every slope and record names its unit."""
    assert per_year(625.4, "int$ (2021 PPP)/person") == "+625 int$ (2021 PPP)/person a year"
    assert per_year(-0.135, "%") == "-0.135 percentage points a year"
    years = np.arange(2000, 2013)
    values = np.r_[np.linspace(10.0, 9.0, 12), 8.5]
    (signal,) = series_new_record("Sweden", "CO2", years, values, "lower_is_better", unit="t CO2/person")
    assert (
        "record low of 8.5 t CO2/person in 2012" in signal.sentence and "previous low 9 t CO2/person" in signal.sentence
    )
