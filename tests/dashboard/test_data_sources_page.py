"""AppTest of the Data & sources page: lists every dataset with its licence, offers downloads, keeps the
chosen dataset in the URL, survives bad links, and turns a refresh without network into one offline line."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import requests
import responses
from streamlit.testing.v1 import AppTest

from connectors import store
from connectors.http import Fetcher
from indicators import sources

#: The page runs on its own: AppTest.switch_page cannot reach a page whose url_path differs from its file
#: name before a first run of the default page, which would make every test render the Overview too.
PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "pages" / "data_sources.py")


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_lists_every_dataset_with_publisher_and_licence():
    at = _open()
    assert at.title[0].value == "Data & sources"
    table = at.dataframe[0].value
    listed = sources.datasets()
    assert list(table["Dataset"]) == [d.key for d in listed]
    assert list(table["Licence"]) == [d.licence for d in listed]
    assert list(table["Rows"]) == [d.rows for d in listed]
    assert all(table["Publisher"].str.len() > 0) and all(table["Licence"].str.len() > 0)


def test_details_downloads_and_about_section():
    at = _open()
    first = sources.datasets()[0]
    assert _param(at, "dataset") == first.key
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Parquet"]
    codes = [c.value for c in at.code]
    assert first.citation in codes
    text = _text(at)
    assert "© EuroGeographics for the administrative boundaries" in text
    assert "Natural Earth" in text and "Global Data Lab" in text
    upstream = sources.dataset("owid/co2_data").upstream[0]
    assert f"({upstream.url})" in text, "attributions link to the exact upstream commit"
    assert any(store.data_version() in c for c in codes), "the dashboard citation names the data snapshot"


def test_catalogue_entries_say_what_they_hold_and_which_indicators_read_them():
    captions = [c.value for c in _open().caption]
    feeds = {
        "sdg_08_10": "real GDP per capita, its growth rate · read by Real GDP per capita \\(EUR\\)",
        "ilc_di12": "Gini of equivalised disposable income · no indicator reads it yet",
    }
    for name, expected in feeds.items():
        assert expected in captions, (name, [c for c in captions if "·" in c][:5])


def test_dataset_from_the_link_and_widget_change_update_the_url():
    at = _open(dataset="owid/co2_data")
    assert at.selectbox(key="src_dataset").value == "owid/co2_data"
    assert any(sources.dataset("owid/co2_data").citation == c.value for c in at.code)
    at.selectbox(key="src_dataset").set_value("gapminder/fasttrack").run()
    assert not at.exception
    assert _param(at, "dataset") == "gapminder/fasttrack"


@pytest.mark.parametrize(
    "params",
    [{"dataset": "nope/<script>"}, {"dataset": "x" * 600}, {"bogus": "1"}, {"dataset": "owid/co2_data", "ind": "1"}],
)
def test_bad_links_get_a_notice_and_a_working_page(params):
    at = _open(**params)
    assert at.info, "a notice should explain what was ignored"
    assert "were not understood" in at.info[0].value
    assert at.get("download_button")


def test_refresh_without_network_shows_the_offline_line_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(sources, "Fetcher", functools.partial(Fetcher, sleep=lambda seconds: None))
    before = {key: path.read_bytes() for key, path in store.dataset_files().items()}
    at = _open()
    with responses.RequestsMock() as offline:
        offline.get(re.compile(r"https?://.*"), body=requests.exceptions.ConnectionError("no route to host"))
        at.button(key="src_refresh_ilc_li41").click().run()
        assert not at.exception, [e.value for e in at.exception]
        lines = [w.value for w in at.warning]
        assert len(lines) == 1
        assert lines[0].startswith("Offline: could not reach ec.europa.eu; ilc_li41 was never fetched")
        # sdg_08_10 is in the committed snapshot (estat/sdg_08_10): the line names the file still in use.
        at.button(key="src_refresh_sdg_08_10").click().run()
        assert "still using the snapshot data_cache/snapshot/estat/sdg_08_10.parquet" in at.warning[-1].value
        at.button(key="src_refresh_all").click().run()
        assert not at.exception, [e.value for e in at.exception]
    lines = [w.value for w in at.warning]
    enabled = [e for e in sources.catalogue_entries() if e.enabled]
    assert len(lines) == len(enabled)
    assert all(line.startswith("Offline: could not reach ") for line in lines)
    assert not at.error
    assert {key: path.read_bytes() for key, path in store.dataset_files().items()} == before
