"""Shareable views: links round-trip, pin the data version, cite their sources, and survive hostile input."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dashboard import share
from dashboard.registry import PAGE_VIEWS, RegistryError, gather
from dashboard.share import ShareError
from dashboard.view_kind import ViewKind
from indicators import query

LINK = "trajectories?ind=co2_per_capita&areas=USA,CHN,IND&from=1990&to=2020"


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv(share.PUBLIC_URL_ENV, raising=False)


def test_a_permalink_reopens_the_same_view_with_the_same_numbers():
    first = share.share_link(LINK)
    again = share.share_link(first.meta.permalink)
    assert again.view == first.view and again.kind.kind == "trajectory"
    assert again.notices == () and again.meta.version_notice is None
    assert again.data.equals(first.data)
    assert f"v={query.data_version()}" in first.meta.permalink


def test_the_ranking_chart_is_named_by_chart_and_keeps_it_in_its_permalink():
    shared = share.share_link("trajectories?chart=ranking&ind=life_satisfaction&areas=FIN,USA,IND")
    assert shared.kind.kind == "ranking"
    assert list(shared.data["ref_area"]) == ["FIN", "USA", "IND"]  # higher is better: Finland first
    assert list(shared.data["rank"]) == [1, 2, 3]
    assert "chart=ranking" in shared.meta.permalink
    assert share.share_link(shared.meta.permalink).data.equals(shared.data)


def test_metadata_carries_source_licence_vintage_version_and_citation():
    meta = share.share_link(LINK).meta
    version = query.data_version()
    assert meta.data_version == version
    assert meta.publishers == ("Gapminder Foundation (Fast Track)",)
    assert "CC BY 4.0" in meta.licences[0]
    assert meta.vintage and meta.vintage != "not recorded"
    assert meta.source_line == query.source_line(["co2_per_capita"])
    assert meta.citation.startswith("Beyond GDP dashboard (")
    assert (
        f"{meta.title}. Data: Gapminder Foundation (Fast Track). Snapshot {version}. {meta.permalink}" in meta.citation
    )
    assert meta.embed_url == meta.permalink + "&embed=true"


def test_a_link_pinned_to_other_data_says_so_and_names_the_running_version():
    meta = share.share_link(LINK + "&v=0123456789ab").meta
    assert meta.pinned_version == "0123456789ab"
    assert "0123456789ab" in meta.version_notice and query.data_version() in meta.version_notice
    assert share.share_link(LINK + f"&v={query.data_version()}").meta.version_notice is None


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "x" * 5_000,
        "Ωμέγα-日本-🌍\u202e\u0000",
        "javascript:alert(1)",
    ],
)
def test_hostile_values_never_reach_the_view_the_permalink_or_the_citation(hostile):
    from urllib.parse import quote

    value = quote(hostile)
    link = f"trajectories?ind={value}&areas={value}&from={value}&scale={value}&chart={value}&v={value}&{value}=1"
    shared = share.share_link(link)
    assert shared.kind.kind == "trajectory"
    assert shared.notices, "every bad parameter must produce a notice"
    for text in (shared.meta.permalink, shared.meta.citation, shared.meta.title, shared.meta.embed_url):
        assert hostile[:30] not in text and "<" not in text and '"' not in text
    assert all(len(n) < 300 for n in shared.notices)


def test_ten_thousand_areas_are_refused_without_drawing_them():
    areas = ",".join(f"A{i:05d}" for i in range(10_000))
    shared = share.share_link(f"trajectories?areas={areas}")
    assert any("too long" in n for n in shared.notices)
    assert len(shared.view.areas) <= 12


def test_absurdly_long_or_crowded_links_are_refused_clearly():
    with pytest.raises(ShareError, match="characters long"):
        share.share_link("trajectories?ind=" + "x" * (share.MAX_LINK_LENGTH + 1))
    with pytest.raises(ShareError, match="parameters"):
        share.share_link("trajectories?" + "&".join(f"p{i}=1" for i in range(share.MAX_LINK_FIELDS + 5)))
    with pytest.raises(ShareError, match="no shareable views on page"):
        share.share_link("nowhere?ind=co2_per_capita")


@pytest.mark.parametrize(
    "link",
    [
        "ind=gini_index&areas=USA",
        "?ind=gini_index&areas=USA",
        "trajectories?ind=gini_index&areas=USA",
        "/trajectories?ind=gini_index&areas=USA",
        "https://example.org/app/trajectories?ind=gini_index&areas=USA",
    ],
)
def test_links_in_every_common_shape(link):
    shared = share.share_link(link)
    assert shared.view.indicator == "gini_index" and shared.view.areas == ("USA",) and not shared.notices


def test_public_url_prefers_the_configured_address_then_the_browser(monkeypatch):
    assert share.public_url() == share.DEFAULT_PUBLIC_URL
    assert share.public_url("https://app.example.org/bgdp/trajectories", page="trajectories") == (
        "https://app.example.org/bgdp"
    )
    assert share.public_url("javascript:alert(1)", page="trajectories") == share.DEFAULT_PUBLIC_URL
    monkeypatch.setenv(share.PUBLIC_URL_ENV, "https://beyondgdp.example.org/")
    assert share.public_url("https://other.example.org/trajectories") == "https://beyondgdp.example.org"
    assert share.share_link(LINK).meta.permalink.startswith("https://beyondgdp.example.org/trajectories?")
    monkeypatch.setenv(share.PUBLIC_URL_ENV, "ftp://nope")
    with pytest.raises(ShareError, match=share.PUBLIC_URL_ENV):
        share.public_url()


def test_view_kinds_are_registered_once_with_url_safe_names():
    kinds = share.registry()
    assert {"trajectory", "ranking"} <= set(kinds)
    assert [k.kind for k in share.kinds_for_page("trajectories")][:2] == ["trajectory", "ranking"]
    bad_name = SimpleNamespace(__name__="bad", KINDS=(ViewKind("Bad Name", "x", "x", dict, lambda v: None),))
    with pytest.raises(RegistryError, match="lowercase"):
        gather([bad_name])
    twice = SimpleNamespace(
        __name__="elsewhere", KINDS=(ViewKind("trajectory", "elsewhere", "x", dict, lambda v: None),)
    )
    with pytest.raises(RegistryError, match="registered twice"):
        gather([*PAGE_VIEWS, twice])


def test_context_lines_are_in_the_data_and_flagged():
    shared = share.share_link("trajectories?ind=life_expectancy&areas=SWE,IND&from=2000&context=1")
    selected = shared.data[shared.data["selected"]]
    assert set(selected["ref_area"]) == {"SWE", "IND"}
    assert shared.data["ref_area"].nunique() > 100
