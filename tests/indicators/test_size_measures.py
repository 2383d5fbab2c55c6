"""Size measures (counts, totals) are declared in their definition files and never ranked: not in a
peer standing, not in the Compare ranks, not in the latest-value ranks, not in an index."""

from __future__ import annotations

import re

import pytest

from indicators import index_query, measures, peer_groups, query, ranking, scorecard
from indicators.catalog import catalog

#: Units that are comparable between places of any size even without a "/": shares, indices, scores, years.
RELATIVE_UNIT = re.compile(r"^(%|index|score|years|ratio|per \d+)", re.I)


@pytest.fixture(scope="module")
def snapshot():
    try:
        query.panel("co2_territorial_total", ["SWE"])
    except Exception as error:
        pytest.skip(f"the embedded snapshot cannot be read: {error}")


def test_every_total_is_declared_a_size_measure():
    """A unit with no 'per' in it (t, t CO2, USD, thousand persons) is a total unless it is a share or score."""
    undeclared = [
        d.id for d in catalog().values() if d.rankable and "/" not in d.unit and not RELATIVE_UNIT.match(d.unit)
    ]
    assert undeclared == [], f"mark these 'measure: size' after their unit line: {undeclared}"
    sizes = {d.id for d in catalog().values() if not d.rankable}
    assert {"co2_territorial_total", "gdp_total_usd", "nuts2_employed_15_plus"} <= sizes


def test_size_measures_are_not_on_any_scorecard():
    for level in ("country", "nuts2", "tl2", "gdl_region"):
        assert all(d.rankable for d in measures.scorecard_definitions(level)), level


def test_compare_lists_a_size_measure_without_ranks(snapshot):
    members = peer_groups.peer_group("oecd", "SWE").members
    table, notes = ranking.rank_among("co2_territorial_total", members)
    assert len(table) > 20 and table["rank"].isna().all()
    assert table["value"].is_monotonic_decreasing  # largest first, as a list, not a ranking
    assert any("size measure" in n for n in notes)
    ranked, _ = ranking.rank_among("co2_per_capita", members)
    assert ranked["rank"].notna().all()


def test_latest_and_peer_position_do_not_rank_a_size_measure(snapshot):
    latest = query.latest("nuts2_employed_15_plus", max_age=5)
    assert len(latest) > 100 and latest["rank"].isna().all()
    item = query.definition("co2_territorial_total")
    assert ranking.peer_position(item, "SWE", 2020, 1.0, ("SWE", "NOR", "DNK")) == {}


def test_a_regions_scorecard_has_no_counts(snapshot):
    region = "SE11" if "SE11" in query.areas().index else None
    if region is None:
        pytest.skip("no NUTS2 region SE11 in the snapshot")
    card = scorecard.scorecard(region, peer_groups.peer_group("all", region, level="nuts2").members)
    assert "nuts2_employed_15_plus" not in set(card["indicator"]) and len(card) > 3


def test_no_composite_uses_a_size_measure():
    for composite in index_query.COMPOSITES:
        shape = index_query.structure(composite)  # raises IndexQueryError if one does
        assert all(catalog()[i].rankable for i in shape.ids.values())


def test_the_catalogue_does_not_call_a_count_better_when_higher():
    from indicators import measures

    table = measures.catalogue_table().set_index("id")
    sizes = table[table["measure"] == "size"]
    assert len(sizes) and set(sizes["direction"]) == {"size measure, not ranked"}
    assert set(table.loc[table["measure"] != "size", "direction"]) <= {"higher is better", "lower is better"}
