"""The share panel under each Trajectories chart: permalink with the view's parameters, iframe, citation, downloads."""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from indicators import query
from tests.dashboard.support import open_share_panels, page_file

PAGE = page_file("trajectories")


@pytest.fixture(scope="module")
def app() -> AppTest:
    test = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in {"ind": "co2_per_capita", "areas": "USA,CHN,IND", "from": "1995", "to": "2015"}.items():
        test.query_params[key] = value
    test.context = {"url": "https://beyondgdp.example.org/trajectories"}
    return open_share_panels(test.run())


def test_each_chart_has_its_downloads(app):
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    # CO2, GDP per capita alongside (on by default) and the ranking
    assert labels.count("PNG") == labels.count("SVG") == labels.count("HTML") == 3
    assert labels.count("CSV") == 3  # plus the three "Download CSV" of the data tables


def test_permalink_iframe_and_citation_carry_the_view(app):
    codes = [c.value for c in app.code]
    permalink, iframe, citation = codes[:3]
    version = query.data_version()
    assert permalink == (
        f"https://beyondgdp.example.org/trajectories?ind=co2_per_capita&areas=USA,CHN,IND&from=1995&to=2015&v={version}"
    )
    assert iframe.startswith('<iframe src="') and html.escape(permalink + "&embed=true") in iframe
    assert citation.endswith(f"Snapshot {version}. {permalink}") and "Gapminder" in citation
    gdp_link, ranking_link = codes[3], codes[6]  # each panel: permalink, iframe, citation
    assert "ind=gdp_per_capita_ppp" in gdp_link and "areas=USA,CHN,IND" in gdp_link
    assert "chart=ranking" in ranking_link and "ind=co2_per_capita" in ranking_link


def test_a_pinned_link_to_other_data_shows_a_notice_and_keeps_its_pin():
    test = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in {"ind": "gini_index", "areas": "USA", "v": "0123456789ab"}.items():
        test.query_params[key] = value
    test.run()
    assert not test.exception
    assert any("0123456789ab" in i.value and query.data_version() in i.value for i in test.info)
    assert test.query_params["v"] in ("0123456789ab", ["0123456789ab"])
