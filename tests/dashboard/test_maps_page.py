"""AppTest of the Maps page: links open the right view, widgets switch level and year, bad links give a notice."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.support import open_page

PAGE = "maps"


def _open(**params: str) -> AppTest:
    return open_page(PAGE, **params)


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_nuts2_link_shows_the_map_lists_regions_without_shapes_and_source():
    at = _open(level="nuts2", year="2012")
    assert at.radio(key="map_level").value == "nuts2"
    assert at.select_slider(key="map_year").value == 2012
    text = _captions(at)
    assert "regions in the data have no shape in the map" in text and "IE01" in text
    assert "Source: Eurostat" in text and "darker = better" in text
    assert not at.info


def test_switching_level_and_year_updates_the_url():
    at = _open()
    assert at.radio(key="map_level").value == "country"
    at.radio(key="map_level").set_value("gdl_region").run()
    assert not at.exception
    assert at.selectbox(key="map_indicator").value == "gdl_shdi"
    at.select_slider(key="map_year").set_value(2000).run()
    assert not at.exception
    assert at.query_params["level"] in ("gdl_region", ["gdl_region"]) and at.query_params["year"] in ("2000", ["2000"])
    start = time.perf_counter()
    at.select_slider(key="map_year").set_value(2001).run()
    assert time.perf_counter() - start < 2.0  # generous: AppTest itself adds overhead on a shared machine


def test_tl2_offers_the_ranking_for_regions_without_boundaries():
    at = _open(level="tl2", ind="tl2_pm25")
    text = _captions(at)
    assert "no shape in the map" in text and "New South Wales (AU1)" in text
    assert "boundaries here only in Europe" in text
    assert any("Ranking" in s.value for s in at.subheader)


@pytest.mark.parametrize(
    "params",
    [
        {"level": "bogus", "year": "abc"},
        {"level": "nuts2", "ind": "gdp_per_capita_ppp", "country": "ZZZ"},
        {"ind": "'; DROP TABLE", "year": "99999"},
    ],
)
def test_bad_links_give_a_notice_and_a_map(params):
    at = _open(**params)
    assert at.info and "not understood" in at.info[0].value
    assert _captions(at)


def test_a_notice_about_the_link_is_not_shown_again_after_a_widget_change():
    """The notice belongs to the link the visitor opened; moving the year slider is not a new link (a guard:
    the page already drops the bad value from the address; see test_your_index_page for a widget-made notice)."""
    at = _open(country="ZZZ", level="nuts2")
    assert at.info and "ZZZ" in at.info[0].value
    years = at.select_slider(key="map_year").options
    at.select_slider(key="map_year").set_value(years[0]).run()
    assert not at.exception
    assert not at.info, [i.value for i in at.info]
