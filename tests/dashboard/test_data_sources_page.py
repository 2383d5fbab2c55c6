"""AppTest of the Data & sources page: lists every dataset with its licence, offers downloads, keeps the
chosen dataset in the URL, survives bad links, and turns a refresh without network into one offline line."""

from __future__ import annotations

import functools
import re

import pytest
import requests
import responses
from streamlit.testing.v1 import AppTest

from connectors import store
from connectors.http import Fetcher
from dashboard.pages.data_sources import data
from indicators import sources
from tests.dashboard.support import page_file

#: The page runs on its own: AppTest.switch_page cannot reach a page whose url_path differs from its file
#: name before a first run of the default page, which would make every test render the Overview too.
PAGE = page_file("data_sources")


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
    if first.original_source:  # a copy's address is where the file came from, never called the original source
        assert "**Retrieved from:**" in text and "Original source" not in text


def test_catalogue_entries_say_what_they_hold_and_which_indicators_read_them():
    captions = [c.value for c in _open().caption]
    feeds = {
        "sdg_08_10": "real GDP per capita, its growth rate · read by Real GDP per capita \\(EUR\\)",
        # enabled with an official-only definition: named although it has no data until refreshed
        "ilc_di12": "Gini of equivalised disposable income · read by Gini \\(EU\\-SILC\\)",
        "nama_10_pc": "GDP per capita · no indicator reads it yet",
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


OPERATOR_SECRET = "correct horse battery staple"


def _operator(monkeypatch, secret: str = OPERATOR_SECRET) -> None:
    """The deployment's operator switched web refresh on and configured a secret."""
    monkeypatch.setenv(data.ALLOW_ENV, "1")
    monkeypatch.setenv(data.SECRET_ENV, secret)


def _refresh_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if str(b.key).startswith("src_refresh")]


def test_a_visitor_sees_the_status_and_no_refresh_button(monkeypatch):
    monkeypatch.delenv(data.ALLOW_ENV, raising=False)
    at = _open()
    assert _refresh_buttons(at) == []
    assert not [w for w in at.text_input if w.key == "src_operator_secret"], "no secret box for visitors"
    assert any("Status only" in c.value and "python -m connectors refresh" in c.value for c in at.caption)
    assert any("Catalogue entries" in e.label for e in at.expander), "the state of every entry is still shown"


def test_switching_refresh_on_without_a_proper_secret_keeps_it_off(monkeypatch):
    _operator(monkeypatch, secret="short")
    at = _open()
    assert _refresh_buttons(at) == []
    assert any("no refresh secret of at least" in c.value for c in at.caption)


def test_the_operator_unlocks_refresh_with_the_secret_and_only_with_it(monkeypatch):
    _operator(monkeypatch)
    at = _open()
    assert _refresh_buttons(at) == [], "buttons appear only after the secret is typed"
    at.text_input(key="src_operator_secret").input("wrong guess").run()
    assert _refresh_buttons(at) == []
    assert any("not the refresh secret" in w.value for w in at.warning)
    at.text_input(key="src_operator_secret").input(OPERATOR_SECRET).run()
    assert "src_refresh_all" in _refresh_buttons(at)


def test_refresh_without_network_shows_the_offline_line_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(sources, "Fetcher", functools.partial(Fetcher, sleep=lambda seconds: None))
    _operator(monkeypatch)
    before = {key: path.read_bytes() for key, path in store.dataset_files().items()}
    at = _open()
    at.text_input(key="src_operator_secret").input(OPERATOR_SECRET).run()
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
