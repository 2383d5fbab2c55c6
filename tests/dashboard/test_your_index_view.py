"""Your index URL state: weights round-trip through the link; bad weights get a notice and the default."""

from __future__ import annotations

from dashboard.pages.your_index.state import YourIndexView, parse_your_index

COMPOSITES = {
    "hdi_published": {"pillars": ["human_development"], "indicators": ["human_development_index"]},
    "beyond_gdp_index": {"pillars": ["inclusive", "circular", "climate"], "indicators": ["gini_index", "co2"]},
    "better_life_index": {"pillars": ["income", "health"], "indicators": ["gdp", "life"]},
}
PEERS = ["all", "oecd", "eu27"]


def parse(**params):
    return parse_your_index(params, composites=COMPOSITES, peers=PEERS)


def beyond(**params):
    """A link to the Beyond GDP index (not the page's default), whose themes the weight tests use."""
    return parse(index="beyond_gdp_index", **params)


def test_default_link_is_empty_and_round_trips():
    from indicators import index_query as iq

    view = parse()
    assert view == YourIndexView() and view.to_query() == {} and not view.notices
    assert view.composite == iq.DEFAULT_COMPOSITE == "hdi_published"


def test_weights_round_trip():
    view = beyond(w="inclusive:2,circular:1,climate:0", iw="gini_index:0", peers="oecd", year="2015")
    assert view.pillar_weights == (("inclusive", 2.0), ("circular", 1.0), ("climate", 0.0))
    assert view.indicator_weights == (("gini_index", 0.0),)
    assert view.to_query() == {
        "index": "beyond_gdp_index",
        "w": "inclusive:2,circular:1,climate:0",
        "iw": "gini_index:0",
        "peers": "oecd",
        "year": "2015",
    }
    assert parse(**view.to_query()) == view


def test_partial_weights_fill_in_ones_in_theme_order():
    view = beyond(w="climate:3")
    assert view.pillar_weights == (("inclusive", 1.0), ("circular", 1.0), ("climate", 3.0))


def test_bad_weights_get_a_notice_and_the_default():
    view = beyond(w="inclusive:banana,housing:2,climate:99,circular:-1")
    assert view.pillar_weights == ()
    assert len(view.notices) == 1 and "'w' takes name:weight pairs" in view.notices[0]
    off = beyond(w="inclusive:0,circular:0,climate:0")
    assert off.pillar_weights == () and "every theme off" in off.notices[-1]


def test_weights_belong_to_the_chosen_index_and_unknown_values_are_named():
    view = parse(index="better_life_index", w="health:4,inclusive:2", peers="mars", evil="<script>")
    assert view.composite == "better_life_index"
    assert view.pillar_weights == (("income", 1.0), ("health", 4.0))
    text = " ".join(view.notices)
    assert "'inclusive:2'" in text and "'peers' must be one of" in text and "unknown parameter '<script>'" not in text
    assert "unknown parameter 'evil'" in text


def test_the_ranking_title_reads_as_a_sentence():
    from dashboard.pages.your_index.views import ranking_title

    assert ranking_title("hdi_published", "all").endswith("ranking among all countries")
    assert ranking_title("hdi_published", "high_income").endswith("ranking among high income countries")
    assert ranking_title("hdi_published", "oecd").endswith("ranking among OECD members")
