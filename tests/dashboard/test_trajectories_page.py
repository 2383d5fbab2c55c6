"""AppTest of the Trajectories page: renders from a link, follows widget changes, survives bad links."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import export
from tests.dashboard.support import open_page


def _open(**params: str) -> AppTest:
    return open_page("trajectories", **params)


def _charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def test_link_reproduces_the_view():
    at = _open(ind="co2_per_capita", areas="SWE,USA,CHN", **{"from": "1990", "to": "2020"})
    assert at.selectbox(key="traj_indicator").value == "co2_per_capita"
    assert at.multiselect(key="traj_areas").value == ["SWE", "USA", "CHN"]
    assert at.slider(key="traj_years").value == (1990, 2020)
    assert len(_charts(at)) == 3  # trajectory + GDP per capita alongside + ranking
    assert any("Source:" in c.value for c in at.caption)
    assert at.query_params["ind"] == ["co2_per_capita"] or at.query_params["ind"] == "co2_per_capita"


def test_widget_changes_update_the_url_and_charts():
    at = _open(areas="SWE,USA")
    at.selectbox(key="traj_indicator").set_value("co2_per_capita").run()
    assert not at.exception
    assert "co2_per_capita" in str(at.query_params["ind"])
    assert len(_charts(at)) == 3  # indicator + GDP per capita (on by default) + ranking
    at.toggle(key="traj_gdp").set_value(False).run()
    assert len(_charts(at)) == 2  # indicator + ranking
    assert "0" in str(at.query_params["gdp"])
    at.toggle(key="traj_gdp").set_value(True).run()
    assert len(_charts(at)) == 3 and "gdp" not in at.query_params
    at.radio(key="traj_scale").set_value("indexed").run()
    assert not at.exception
    assert "indexed" in str(at.query_params["scale"])


def _titles(at: AppTest) -> list[str]:
    return [c.proto.alt for c in _charts(at)]


def test_the_empty_link_opens_on_life_expectancy_next_to_gdp():
    """Issue 15: "next to GDP, not instead of it" — a wellbeing measure first, GDP per capita beside it."""
    at = _open()
    assert at.selectbox(key="traj_indicator").value == "life_expectancy"
    assert at.toggle(key="traj_gdp").value is True
    titles = _titles(at)
    assert len(titles) == 3, titles  # life expectancy, GDP per capita, ranking
    assert "Life expectancy" in titles[0] and "GDP per capita" in titles[1]
    assert not dict(at.query_params), f"the default link stays empty: {dict(at.query_params)}"
    at.slider(key="traj_years").set_value((2000, 2025)).run()
    assert "2000" in str(at.query_params["from"]), "chosen years are kept in the link"


def test_a_link_to_gdp_per_capita_still_shows_gdp_alone():
    at = _open(ind="gdp_per_capita_ppp")
    assert at.selectbox(key="traj_indicator").value == "gdp_per_capita_ppp"
    assert at.toggle(key="traj_gdp").disabled  # nothing to put beside GDP itself
    assert len(_charts(at)) == 2  # GDP per capita + ranking
    assert "gdp_per_capita_ppp" in str(at.query_params["ind"])


def test_a_link_with_gdp_0_shows_the_indicator_alone():
    at = _open(areas="SWE,USA", gdp="0")
    assert at.toggle(key="traj_gdp").value is False
    assert len(_charts(at)) == 2  # life expectancy + ranking
    assert "0" in str(at.query_params["gdp"])


@pytest.mark.parametrize(
    "params",
    [
        {"ind": "does_not_exist"},
        {"areas": "<script>alert(1)</script>"},
        {"from": "banana", "to": "99999999"},
        {"scale": "'; DROP TABLE", "context": "maybe", "unknown": "1"},
    ],
)
def test_bad_links_get_a_notice_and_the_default_view(params):
    at = _open(**params)
    assert at.info, "a notice should explain what was ignored"
    assert "<script>" not in at.info[0].value or "'<script>" in at.info[0].value
    assert len(_charts(at)) >= 2


def test_data_table_toggle_shows_exactly_the_charted_rows():
    at = _open(ind="gini_index", areas="SWE,BRA", **{"from": "2000", "to": "2010"})
    at.toggle(key="traj_gini_index_table").set_value(True).run()
    frame = at.dataframe[0].value
    assert set(frame["ref_area"]) <= {"SWE", "BRA"}
    assert frame["year"].between(2000, 2010).all()


def test_a_link_cannot_inject_markdown_into_the_notice():
    at = _open(ind="[click me](https://evil.example) :red[alarm]")
    notice = at.info[0].value
    assert "[click me](https" not in notice and ":red[" not in notice
    assert "\\[click me\\]" in notice


def test_the_csv_download_is_written_when_clicked_from_the_rows_shown():
    at = _open(ind="gini_index", areas="SWE,BRA")
    buttons = [b for b in at.get("download_button") if b.proto.label == "Download CSV"]
    assert buttons and all(b.proto.deferred_file_id and not b.proto.url for b in buttons)
    frame = pd.DataFrame({"ref_area": ["SWE", "BRA"], "year": [2000, 2001], "value": [0.25, 0.5]})
    assert pd.read_csv(io.BytesIO(export.csv_bytes(frame)), keep_default_na=False).equals(frame)


def test_one_place_gets_its_line_and_no_ranking_of_one():
    """A ranking of a single place (Sweden alone beside Stockholm's regional row) says nothing; it is not drawn."""
    at = _open(areas="SWE", gdp="0")
    titles = _titles(at)
    assert len(titles) == 1 and "Line chart" in titles[0]
    at = _open(areas="SWE")  # GDP per capita alongside: two lines, still no ranking
    assert len(_titles(at)) == 2
    at = _open(areas="SWE,USA", gdp="0")
    assert len(_charts(at)) == 2
