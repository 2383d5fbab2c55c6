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
    assert len(_charts(at)) == 2  # trajectory + ranking
    assert any("Source:" in c.value for c in at.caption)
    assert at.query_params["ind"] == ["co2_per_capita"] or at.query_params["ind"] == "co2_per_capita"


def test_widget_changes_update_the_url_and_charts():
    at = _open(areas="SWE,USA")
    at.selectbox(key="traj_indicator").set_value("life_expectancy").run()
    assert not at.exception
    assert "life_expectancy" in str(at.query_params["ind"])
    at.toggle(key="traj_gdp").set_value(True).run()
    assert len(_charts(at)) == 3  # indicator + GDP per capita + ranking
    at.radio(key="traj_scale").set_value("indexed").run()
    assert not at.exception
    assert "indexed" in str(at.query_params["scale"])


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
    at = _open(areas="SWE")
    titles = [c.proto.alt for c in _charts(at)]
    assert len(titles) == 1 and "Line chart" in titles[0]
    at = _open(areas="SWE,USA")
    assert len(_charts(at)) == 2
