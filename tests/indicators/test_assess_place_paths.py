"""The Overview's per-place fast paths give exactly what the panel methods give, on the committed snapshot.

``scorecard.scorecard`` and ``signals.place_signals`` feed one place's arrays straight to the Theil-Sen
and signal tests (a new place costs milliseconds per indicator); here the same numbers are
recomputed the slow, obvious way — the panel functions of :mod:`indicators.methods` over a
(ref_area, year) series — for places of every kind of coverage.
"""

from __future__ import annotations

import math

import pytest

from indicators import constants, measures, peer_groups, query, scorecard, signals, trends
from indicators.methods import signals as signal_methods

PLACES = ("SWE", "NGA", "CHN", "TUV", "WLD")
SINCE = 2010


def _members(area: str) -> tuple[str, ...]:
    return peer_groups.peer_group("income_group", area).members


@pytest.mark.parametrize("area", PLACES)
def test_scorecard_trends_equal_the_panel_trend_table(area):
    card = scorecard.scorecard(area, _members(area), SINCE)
    checked = 0
    for row in card[card["slope"].notna()].itertuples():
        table = trends.trend_table(row.indicator, SINCE)  # every area, the panel way
        expected = table.loc[area]
        assert row.slope == pytest.approx(expected["slope"], nan_ok=True)
        assert row.slope_low == pytest.approx(expected["slope_low"], nan_ok=True)
        assert row.slope_high == pytest.approx(expected["slope_high"], nan_ok=True)
        assert row.trend_from == int(expected["first_year"])
        if "status" in table.columns and isinstance(expected.get("status"), str):
            assert row.status == expected["status"]
        checked += 1
    assert checked >= (10 if area != "TUV" else 1), f"too few trends checked for {area}"


def _panel_signals(area: str, members: tuple[str, ...]) -> set[tuple[str, str, str]]:
    """place_signals the slow way: each detector over a pandas series of the place (and of its peers)."""
    name = query.area_name(area)
    rename = {area: name}
    gdp = query.area_panel(constants.GDP_PER_CAPITA, area).set_index(["ref_area", "year"])["value"].rename(index=rename)
    peers = tuple(sorted(set(members) | {area}))
    gdp_unit = query.definition(constants.GDP_PER_CAPITA).unit
    found = set()
    for item in measures.scorecard_definitions("country"):
        own = query.area_panel(item.id, area)
        if own.empty:
            continue
        series = own.set_index(["ref_area", "year"])["value"].rename(index=rename)
        end = int(own["year"].max())
        window = end - SINCE + 1
        direction = item.direction.value
        years = series.index.get_level_values(1)
        if (area, end) not in query.estimated_keys(item.id):  # an estimate is never called a record
            for s in signal_methods.new_record(series[years >= SINCE - 10], item.label, direction, unit=item.unit):
                found.add((item.id, "new_record", s.sentence))
        if window >= 8:
            for s in signal_methods.trend_break(series[years >= SINCE], item.label, unit=item.unit):
                found.add((item.id, "trend_break", s.sentence))
            if item.id != constants.GDP_PER_CAPITA and item.theme in constants.WELLBEING_THEMES:
                for s in signal_methods.against_gdp(
                    series, gdp, item.label, direction, window, end, constants.CONFIDENCE, (item.unit, gdp_unit)
                ):
                    found.add((item.id, "against_gdp", s.sentence))
        if len(peers) >= 5 and window >= 2:
            panel = query.panel(item.id, peers, (end - window + 1, end))
            names = {code: query.area_name(code) for code in peers}
            wide = panel.assign(ref_area=panel["ref_area"].map(names)).set_index(["ref_area", "year"])["value"]
            for s in signal_methods.peer_divergence(wide, item.label, list(names.values()), window, 3.0, end):
                if s.ref_area == name:
                    found.add((item.id, "peer_divergence", s.sentence))
    return found


@pytest.mark.parametrize("area", PLACES)
def test_place_signals_equal_the_panel_detectors(area):
    members = _members(area)
    fast = signals.place_signals(area, members, SINCE)
    assert set(zip(fast["indicator"], fast["kind"], fast["sentence"], strict=True)) == _panel_signals(area, members)
    assert len(fast) == len(set(zip(fast["indicator"], fast["kind"], fast["sentence"], strict=True)))


def test_the_places_above_exercise_every_kind_of_signal():
    kinds = set()
    for area in PLACES:
        kinds |= set(signals.place_signals(area, _members(area), SINCE)["kind"])
    assert kinds == {"new_record", "trend_break", "peer_divergence", "against_gdp"}


def test_robust_z_skips_missing_values_and_refuses_a_zero_spread():
    z = signal_methods.robust_z([1.0, 2.0, float("nan"), 3.0, 10.0])
    # median 2.5, |x - 2.5| = 1.5, .5, .5, 7.5 -> MAD 1.0
    assert z[3] == pytest.approx(0.5 / 1.4826) and math.isnan(z[2])
    assert all(math.isnan(v) for v in signal_methods.robust_z([4.0, 4.0, 4.0]))
