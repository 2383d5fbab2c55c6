"""index_query: the fast re-weighting equals the composite runner, the page's coverage rule, rank changes and
seeded Monte Carlo intervals; small made-up composites and the real snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators import index_query as iq
from indicators import query
from indicators.catalog import catalog
from indicators.composite import directions_from, load_composite, run_composite


@pytest.fixture(scope="module")
def snapshot():
    try:
        iq.prepare("beyond_gdp_index", "oecd")
    except Exception as error:  # no snapshot in data_cache: nothing to rank
        pytest.skip(f"the embedded snapshot cannot be read: {error}")


def _reference(composite, peers, pillar_weights=(), indicator_weights=()):
    shape = iq.structure(composite)
    ids = list(dict.fromkeys([*shape.ids.values(), iq.GDP]))
    panel = query.panel(ids, iq.peer_members(peers))
    override = iq.params_override(composite, pillar_weights, indicator_weights)
    return run_composite(load_composite(composite), panel, directions_from({i: catalog()[i] for i in ids}), override)


@pytest.mark.parametrize(
    ("composite", "pillar_weights", "indicator_weights"),
    [
        ("beyond_gdp_index", (), ()),
        ("beyond_gdp_index", (("inclusive", 3.0), ("climate", 0.0)), (("gini_index", 0.0), ("co2_per_gdp", 4.0))),
        ("better_life_index", (("health", 5.0), ("income", 1.0)), ()),
    ],
)
def test_reweighting_equals_the_composite_runner(snapshot, composite, pillar_weights, indicator_weights):
    ours = iq.ranking(composite, "oecd", pillar_weights, indicator_weights)
    reference = _reference(composite, "oecd", pillar_weights, indicator_weights)
    scores = ours.table["score"]
    expected = reference.scores.reindex(scores.index)
    ranked = scores.notna()
    assert ranked.sum() >= 20
    np.testing.assert_allclose(scores[ranked].to_numpy(), expected[ranked].to_numpy(), rtol=1e-12)
    # the page only removes units (its inclusive-coverage rule), never adds or changes one
    assert not (scores.notna() & expected.isna()).any()
    assert ours.record["params_override"] == iq.params_override(composite, pillar_weights, indicator_weights)
    assert abs(sum(ours.record["effective_weights"].values()) - 1) < 1e-9


def test_inclusive_coverage_rule_leaves_units_out_with_a_reason(snapshot):
    table = iq.ranking("beyond_gdp_index", "all").table
    reference = _reference("beyond_gdp_index", "all").scores.reindex(table.index)
    dropped = table.index[table["score"].isna() & reference.notna()]
    assert len(dropped) > 0
    assert (table.loc[dropped, "coverage_inclusive"] < 0.8).all()
    assert table.loc[dropped, "reason"].str.contains("inclusive pillar coverage").all()
    # switch the inclusive theme off and the rule no longer applies
    off = iq.ranking("beyond_gdp_index", "all", (("inclusive", 0.0),)).record
    assert off["page_rules"]["pillar_min_coverage"] == {}


def test_aggregates_are_never_ranked(snapshot):
    units = set(iq.prepare("beyond_gdp_index", "all").units)
    aggregates = set(query.areas().query("is_aggregate")["ref_area"])
    assert units and not units & aggregates


def test_equal_weights_move_nothing_and_doubling_a_theme_moves_ranks(snapshot):
    same = iq.rank_change("beyond_gdp_index", "oecd", (("inclusive", 2.0), ("circular", 2.0), ("climate", 2.0)))
    assert (same["delta"] == 0).all()
    moved = iq.rank_change("beyond_gdp_index", "oecd", (("climate", 5.0),))
    assert (moved["delta"] != 0).any()
    assert moved["delta"].sum() == pytest.approx(0, abs=len(moved))  # ranks are permuted, not shifted


def test_uncertainty_is_seeded_and_brackets_the_median(snapshot):
    weights = (("inclusive", 2.0),)
    first = iq.uncertainty("beyond_gdp_index", "eu27", weights, draws=200, seed=7)
    again = iq._uncertainty.__wrapped__("beyond_gdp_index", "eu27", iq.as_key(dict(weights)), (), None, 200, 7)
    pd.testing.assert_frame_equal(first, again)
    other = iq.uncertainty("beyond_gdp_index", "eu27", weights, draws=200, seed=8)
    assert not first.equals(other)
    assert (first["rank_p05"] <= first["median_rank"]).all() and (first["median_rank"] <= first["rank_p95"]).all()
    assert first["rank_p05"].min() >= 1 and first["rank_p95"].max() <= len(first)


def test_bad_weights_and_names_are_refused():
    with pytest.raises(iq.IndexQueryError, match="every pillar weight is zero"):
        iq.params_override("beyond_gdp_index", (("inclusive", 0.0), ("circular", 0.0), ("climate", 0.0)))
    with pytest.raises(iq.IndexQueryError, match="unknown pillar or indicator"):
        iq.params_override("beyond_gdp_index", (("housing", 1.0),))
    with pytest.raises(iq.IndexQueryError, match=">= 0"):
        iq.params_override("beyond_gdp_index", (("inclusive", -1.0),))
    with pytest.raises(iq.IndexQueryError, match="unknown composite"):
        iq.structure("hdi")


def test_switching_off_every_indicator_of_a_theme_switches_the_theme_off():
    members = iq.structure("beyond_gdp_index").pillars["circular"]
    override = iq.params_override("beyond_gdp_index", (), tuple((m, 0.0) for m in members))
    assert override["pillars"]["circular"]["weight"] == 0.0


def test_composites_name_only_catalogue_indicators():
    for composite in iq.COMPOSITES:
        shape = iq.structure(composite)  # raises if an id is not in the catalogue
        assert set(shape.ids.values()) <= set(catalog())


def test_small_made_up_uncertainty_orders_a_clear_leader_first(monkeypatch):
    """Three units, one better on every indicator: it is rank 1 in every draw."""
    shape = iq.Structure(
        composite="tiny",
        title="Tiny",
        pillars={"a": ("x", "y"), "b": ("z",)},
        pillar_titles={"a": "A", "b": "B"},
        default_pillar_weights={"a": 1.0, "b": 1.0},
        ids={"x": "x", "y": "y", "z": "z"},
        labels={"x": "x", "y": "y", "z": "z"},
    )
    normalised = np.array([[1.0, 1.0, 1.0], [0.5, 0.0, 0.2], [0.0, 0.4, 0.0]])
    prepared = iq.Prepared(
        structure=shape,
        peers="all",
        result=None,
        units=pd.Index(["TOP", "MID", "LOW"], dtype=object),
        columns=("x", "y", "z"),
        normalised=normalised,
        rank_normalised=normalised,
        years=np.full((3, 3), 2020.0),
        base=pd.DataFrame(index=pd.Index(["TOP", "MID", "LOW"], dtype=object)),
    )
    table = pd.DataFrame({"rank": [1.0, 2.0, 3.0]}, index=pd.Index(["TOP", "MID", "LOW"], dtype=object))
    monkeypatch.setattr(iq, "prepare", lambda *a, **k: prepared)
    monkeypatch.setattr(iq, "structure", lambda *a, **k: shape)
    monkeypatch.setattr(iq, "ranking", lambda *a, **k: iq.Ranking(table=table, record={}))
    bands = iq._uncertainty.__wrapped__("tiny", "all", (), (), None, 300, 1)
    assert bands.loc["TOP", "rank_p95"] == 1
    assert bands.loc["LOW", "rank_p05"] >= 2
