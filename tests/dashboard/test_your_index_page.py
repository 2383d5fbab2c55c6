"""AppTest of the Your index page: default view, weights from a link, a slider move re-ranks and updates the
URL, bad weights get a notice, never an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.support import page_file

#: The page file itself: before a first run AppTest can only switch to pages whose url_path is their file name.
PAGE = page_file("your_index")


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _ranking_rows(at: AppTest) -> str:
    """The ranking chart's text alternative: every drawn country in rank order."""
    return at.get("vega_lite_chart")[0].proto.alt


def _rewards_shown_beside_the_ranking(at: AppTest, composite: str) -> None:
    """The composite's ``rewards`` text is on the page, outside every (collapsed) expander."""
    from indicators import index_query as iq

    rewards = iq.structure(composite).rewards
    assert rewards
    shown = [m.value for m in at.markdown if rewards in m.value]
    in_boxes = [m.value for e in at.expander for m in e.markdown if rewards in m.value]
    assert len(shown) == 1 and not in_boxes


def test_default_view_ranks_countries_with_intervals_and_sources():
    at = _open()
    assert at.title[0].value == "Your index"
    assert at.selectbox(key="yi_index").value == "hdi_published"  # the UNDP's published HDI
    _rewards_shown_beside_the_ranking(at, "hdi_published")
    assert [s.value for s in at.slider] == [1, 1]  # one theme, one indicator
    assert len(at.get("vega_lite_chart")) >= 1
    assert not at.info or "nothing moves" in at.info[0].value
    captions = " ".join(c.value for c in at.caption)
    assert "cannot be told apart" in captions and "Source:" in captions
    assert any("Countries ranked" in m.label for m in at.metric)


def test_link_weights_set_the_sliders():
    at = _open(index="beyond_gdp_index", w="inclusive:3,circular:1,climate:0", peers="oecd")
    _rewards_shown_beside_the_ranking(at, "beyond_gdp_index")
    assert at.slider(key="yi_w_beyond_gdp_index_inclusive").value == 3
    assert at.slider(key="yi_w_beyond_gdp_index_climate").value == 0
    assert at.selectbox(key="yi_peers").value == "oecd"
    assert len(at.get("vega_lite_chart")) == 2  # ranking + moves vs equal weights


def test_moving_a_slider_changes_the_ranking_and_the_url():
    at = _open(index="beyond_gdp_index", peers="oecd")
    before = _ranking_rows(at)
    at.slider(key="yi_w_beyond_gdp_index_climate").set_value(5).run()
    assert not at.exception
    assert _param(at, "w") == "inclusive:1,circular:1,climate:5"
    assert _ranking_rows(at) != before
    at.slider(key="yi_w_beyond_gdp_index_climate").set_value(1).run()
    assert _param(at, "w") is None and _ranking_rows(at) == before


@pytest.mark.parametrize(
    "params",
    [
        {"index": "beyond_gdp_index", "w": "inclusive:banana"},
        {"index": "beyond_gdp_index", "w": "inclusive:0,circular:0,climate:0"},
        {"index": "beyond_gdp_index", "iw": "<script>alert(1)</script>:3", "peers": "atlantis"},
        {"index": "hdi", "year": "1066"},
    ],
)
def test_bad_links_get_a_notice_and_the_default(params):
    at = _open(**params)
    assert at.info, "a notice should explain what was ignored"
    assert "Some link settings were not understood" in at.info[0].value
    assert at.slider and all(s.value == 1 for s in at.slider)
    assert at.get("vega_lite_chart")


def test_indicator_weights_that_switch_everything_off_fall_back_to_equal_weights():
    ids = [
        "life_expectancy",
        "gini_index",
        "employment_rate",
        "life_satisfaction",
        "extreme_poverty_rate",
        "material_footprint_per_capita",
        "domestic_material_consumption_per_capita",
        "ewaste_per_capita",
        "co2_per_capita",
        "co2_consumption_per_capita",
        "co2_per_gdp",
        "renewable_energy_share",
    ]
    at = _open(index="beyond_gdp_index", iw=",".join(f"{i}:0" for i in ids))
    assert any("cannot be used" in i.value for i in at.info)
    assert at.get("vega_lite_chart")


def test_table_and_csv_hold_every_ranked_country():
    at = _open(peers="eu27")
    at.toggle(key="yi_rank_table").set_value(True).run()
    frame = at.dataframe[0].value
    assert {"Rank", "Country", "Rank 5%", "Rank 95%", "Δ rank vs equal weights", "GDP per capita (PPP $)"} <= set(frame)
    assert frame["Rank"].is_monotonic_increasing and len(frame) <= 27
    toggles = [t.label for t in at.toggle]
    assert toggles.count("Show the data") <= 1, "the full ranking's table is not a second 'Show the data'"
    assert at.toggle(key="yi_rank_table").label.startswith(f"Show the full ranking ({len(frame)} countries")
    labels = [b.label for b in at.get("download_button")]
    assert "Download the full ranking (CSV)" in labels and len(labels) == len(set(labels))


def test_weights_set_by_sliders_never_raise_a_notice_about_the_link():
    """Sliders that switch every theme off write ``w=...:0`` into the address; a later widget change reruns on that
    address, which is the page's own, not a link the visitor opened: no "link settings" notice."""
    at = _open(index="beyond_gdp_index", peers="oecd")
    for theme in ("inclusive", "circular", "climate"):
        at.slider(key=f"yi_w_beyond_gdp_index_{theme}").set_value(0).run()
        assert not at.exception
    assert _param(at, "w") == "inclusive:0,circular:0,climate:0"
    at.selectbox(key="yi_peers").set_value("all").run()
    assert not at.exception
    assert not [i.value for i in at.info if "link settings" in i.value]
