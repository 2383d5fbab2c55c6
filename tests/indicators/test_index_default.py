"""The Your index page opens on a ranking a careful reader can stand behind (the UNDP's published HDI),
and every composite it offers says in words what it rewards."""

from __future__ import annotations

import pytest

from indicators import index_query as iq


@pytest.fixture(scope="module")
def snapshot():
    try:
        iq.prepare(iq.DEFAULT_COMPOSITE, "all")
    except Exception as error:
        pytest.skip(f"the embedded snapshot cannot be read: {error}")


def test_every_offered_composite_says_what_it_rewards():
    assert iq.DEFAULT_COMPOSITE == "hdi_published" == iq.COMPOSITES[0]
    for composite in iq.COMPOSITES:
        shape = iq.structure(composite)
        assert len(shape.rewards) > 80 and shape.method_note, composite
    assert "low-income countries that consume little score high on climate" in iq.structure("beyond_gdp_index").rewards


def test_the_default_ranking_is_the_published_hdi_order(snapshot):
    table = iq.ranked_table(iq.DEFAULT_COMPOSITE, "all")
    assert len(table) >= 150
    top = set(table.index[:10])
    assert {"NOR", "CHE", "ISL"} <= top  # the UNDP's own top places (HDR 2025: Iceland, Norway, Switzerland)
    assert not top & {"NPL", "ETH", "MMR"}
    # one input: weights cannot move it, so every rank interval is the rank itself (ties share the best rank)
    assert (table["rank_p05"] == table["rank"]).all() and (table["rank_p95"] == table["rank"]).all()
