"""Regions on Trajectories, Compare and the Overview (issue 15, items 5 and 6), through the real pages on the
committed snapshot: a region round-trips through a link, is found by name (local or English) with its level
and country, is drawn on its level's own series beside countries, Compare lists a country's regions at every
level, pickers list countries then aggregates and never entities such as "World Marine Bunkers", and a widget
change never raises a notice about "the link"."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import share
from dashboard.pages.decoupling import state as decoupling_state
from dashboard.pages.futures import state as futures_state
from dashboard.pages.limits import state as limits_state
from indicators import areas, assess, query
from tests.dashboard.support import open_page

#: Entities that are not countries and must never be listed as places (real names in the areas table).
NOT_PLACES = ("World Marine Bunkers", "World Trade Organization (WTO) Member States")


def _captions(at: AppTest) -> list[str]:
    """Captions as read on screen (the Markdown escapes of place names removed)."""
    return [c.value.replace("\\", "") for c in at.caption]


def _param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def _peer_count(at: AppTest) -> int:
    line = next(c for c in _captions(at) if "areas in the peer group" in c)
    return int(line.split(" areas in the peer group")[0])


def _chart_titles(at: AppTest) -> list[str]:
    """Each chart's title on one line (long titles are wrapped into a list of lines)."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        text = title.get("text", "") if isinstance(title, dict) else title
        titles.append(" ".join(text) if isinstance(text, list) else str(text))
    return titles


# -- Trajectories ------------------------------------------------------------------------------


def test_trajectories_link_with_a_region_draws_it_on_its_levels_gdp_beside_the_country():
    at = open_page("trajectories", areas="SE11,SWE")
    assert at.multiselect(key="traj_areas").value == ["SE11", "SWE"]
    assert not at.info, [i.value for i in at.info]
    titles = " | ".join(_chart_titles(at))
    assert "GDP per capita (PPP) — Sweden" in titles
    assert "Regional GDP per inhabitant (PPS) — Stockholm" in titles
    assert _param(at, "areas") == "SE11,SWE"
    # The region's chart shows exactly its rows, from its own series.
    at.toggle(key="traj_1_nuts2_gdp_per_inhabitant_pps_table").set_value(True).run()
    rows = at.dataframe[0].value
    assert set(rows["ref_area"]) == {"SE11"} and rows["year"].between(2000, 2014).all()


def test_a_regional_caption_does_not_repeat_a_unit_its_label_already_names():
    """Issue 15: "Regional GDP per inhabitant (PPS) (PPS/inhabitant)" said the unit twice."""
    at = open_page("trajectories", ind="gdp_per_capita_ppp", areas="SWE,SE11")
    caption = next(c for c in _captions(at) if c.startswith("Stockholm: "))
    assert caption.startswith("Stockholm: Regional GDP per inhabitant (PPS), the regional measure of GDP per capita")
    assert "(PPS/inhabitant)" not in caption
    at = open_page("trajectories", ind="life_expectancy", areas="SWE,SE11")
    assert any(c.startswith("Stockholm: Life expectancy (TL2) (years), the regional") for c in _captions(at))


def test_trajectories_gdl_code_in_any_case_round_trips():
    at = open_page("trajectories", areas="swer101,SWE")
    assert at.multiselect(key="traj_areas").value == ["SWEr101", "SWE"]
    assert not at.info
    assert any("GNI per capita (GDL regions)" in t for t in _chart_titles(at))


def test_find_a_region_in_trajectories_adds_it_with_level_and_country_and_writes_the_link():
    at = open_page("trajectories", areas="SWE,USA")
    at.text_input(key="traj_find").input("Stockholm").run()
    assert not at.exception
    assert at.multiselect(key="traj_areas").value == ["SWE", "USA", "SE11"]
    assert any(c.startswith("Picked Stockholm — NUTS 2 region, Sweden") for c in _captions(at))
    assert _param(at, "areas") == "SWE,USA,SE11"
    assert not at.info, "a widget change is not a link: no notice"
    at.text_input(key="traj_find").input("Bavaria").run()
    assert at.multiselect(key="traj_areas").value[-1] == "DE2"
    assert any("Bayern (Bavaria) — OECD TL2 region, Germany" in c for c in _captions(at))


def test_a_region_indicator_is_offered_once_a_region_is_chosen():
    at = open_page("trajectories", areas="SWE")
    assert not any(i.startswith("nuts2_") for i in at.selectbox(key="traj_indicator").options)
    at = open_page("trajectories", areas="SE11,SE22", ind="nuts2_unemployment_rate")
    assert at.selectbox(key="traj_indicator").value == "nuts2_unemployment_rate"
    assert any("Regional unemployment rate" in t or "nemployment" in t for t in _chart_titles(at))
    assert not at.info


def test_a_link_naming_an_unknown_code_gets_the_notice_and_a_widget_change_does_not():
    at = open_page("trajectories", areas="SE11,NOPE")
    assert at.info and "NOPE" in at.info[0].value
    at.radio(key="traj_scale").set_value("log").run()
    assert not at.exception and not at.info
    assert _param(at, "areas") == "SE11"


# -- Compare -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "country", "count"),
    [("tl2", "ITA", 21), ("nuts2", "DEU", 38), ("gdl_region", "NGA", 37)],
)
def test_compare_within_a_country_at_every_level(level, country, count):
    at = open_page("compare", level=level, within=country)
    assert not at.info and not at.warning, [i.value for i in at.info] + [w.value for w in at.warning]
    assert count == len(areas.regions_within(country, level))
    assert _peer_count(at) == count
    assert at.get("vega_lite_chart"), "a ranked chart is drawn"
    highlight = at.selectbox(key="cmp_area")
    assert set(highlight.options) == {areas.place_label(c, level) for c in areas.regions_within(country, level).index}
    assert _param(at, "level") == level and _param(at, "within") == country


def test_compare_switching_level_by_widget_raises_no_notice_and_opens_on_the_countrys_regions():
    at = open_page("compare", area="ITA")
    at.radio(key="cmp_level").set_value("tl2").run()
    assert not at.exception
    assert not at.info, [i.value for i in at.info]
    assert at.selectbox(key="cmp_within").value == "ITA"
    assert _peer_count(at) == 21
    assert _param(at, "level") == "tl2" and _param(at, "within") == "ITA"


def test_compare_find_a_region_sets_level_country_and_highlight():
    at = open_page("compare")
    at.text_input(key="cmp_find").input("Lombardia").run()
    assert not at.exception and not at.info
    assert at.radio(key="cmp_level").value == "nuts2"
    assert at.selectbox(key="cmp_within").value == "ITA"
    assert at.selectbox(key="cmp_area").value == "ITC4"
    assert _param(at, "area") == "ITC4"


def test_compare_within_a_country_without_regions_at_the_level_gets_a_notice():
    at = open_page("compare", level="nuts2", within="NGA")
    assert at.info and "within" in at.info[0].value


# -- Overview ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "code", "headline"),
    [
        ("SE11", "SE11", "Since 2010, regional GDP per inhabitant (PPS) in Stockholm"),
        ("swer101", "SWEr101", "GNI per capita (GDL regions) in Sweden - Stockholm"),
    ],
)
def test_overview_of_a_region_uses_its_levels_gdp_in_the_headline(link, code, headline):
    at = open_page("overview", area=link)
    assert not at.info
    assert at.selectbox(key="ov_area").value == code
    sentences = [m.value for m in at.markdown if m.value.startswith("#####")]
    assert sentences and headline in sentences[0]
    assert "GDP per capita series" not in sentences[0]
    assert _param(at, "area") == code


def test_overview_of_a_region_offers_region_peer_groups_and_ranks_among_them():
    at = open_page("overview", area="SE11")
    assert at.selectbox(key="ov_peers").options == [
        "Regions of the same country",
        "All regions of its level",
        "Areas I pick",
    ]
    assert any("Ranks are among all regions of Sweden (8 areas" in c for c in _captions(at))
    assert not any("applies to countries" in c for c in _captions(at))
    at.selectbox(key="ov_peers").set_value("all").run()
    count = len(areas.areas_at_level("nuts2"))
    assert any(f"Ranks are among all regions ({count} areas" in c for c in _captions(at))
    at.selectbox(key="ov_peers").set_value("custom").run()
    assert all("NUTS 2 region" in label for label in at.multiselect(key="ov_custom").options)
    at.multiselect(key="ov_custom").set_value(["SE22", "ITC4"]).run()
    assert not at.exception and not at.info
    assert _param(at, "with") == "SE22,ITC4"


def test_trajectories_gdp_beside_a_region_is_its_levels_own():
    at = open_page("trajectories", areas="SWE,SE11", ind="life_expectancy", gdp="1")
    titles = " | ".join(_chart_titles(at))
    assert "Life expectancy (TL2) — Stockholm, 2016" in titles  # the OECD table has one year
    assert "Regional GDP per inhabitant (PPS) — Stockholm" in titles
    assert any("one year only (2016)" in c for c in _captions(at))


def test_overview_find_a_region_opens_it():
    at = open_page("overview")
    at.text_input(key="ov_find").input("Lombardy").run()
    assert not at.exception and not at.info
    assert at.selectbox(key="ov_area").value == "ITC4"
    assert _param(at, "area") == "ITC4"
    assert any("in Lombardia" in m.value for m in at.markdown if m.value.startswith("#####"))


# -- Pickers -----------------------------------------------------------------------------------


def _labels(widget) -> list[str]:
    return list(widget.options)


@pytest.mark.parametrize(
    ("page", "key", "kind"),
    [
        ("trajectories", "traj_areas", "multiselect"),
        ("overview", "ov_area", "selectbox"),
        ("compare", "cmp_area", "selectbox"),
    ],
)
def test_place_pickers_list_countries_then_labelled_groups_and_no_other_entities(page, key, kind):
    at = open_page(page)
    labels = _labels(getattr(at, kind)(key=key))
    for entity in NOT_PLACES:
        assert entity not in labels and f"{entity} (group)" not in labels
    assert not any("FAO Major Fishing Area" in label for label in labels)
    assert "Northern Africa and Western Asia" not in labels  # an aggregate, so only ever as "… (group)"
    groups = [label.endswith("(group)") for label in labels]
    first_group = groups.index(True)
    assert first_group > 150 and all(groups[first_group:]), "countries first, then every aggregate labelled"
    assert labels[0] == "Afghanistan" and "World (group)" in labels


# -- Shared links of regional charts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "params", "in_title"),
    [
        ("trajectories", {"ind": "nuts2_gdp_per_inhabitant_pps", "areas": "SE11,SE22"}, "Stockholm"),
        ("compare", {"level": "tl2", "within": "ITA", "area": "ITC4"}, "Lombardia among all regions of Italy"),
        ("overview", {"area": "SE11", "theme": "inclusive"}, "Stockholm — inclusive indicators"),
    ],
)
def test_a_regional_charts_link_draws_it_alone_without_notices(page, params, in_title):
    kind, view, options = share.resolve(params, page)
    shared = share.build(kind, view, options, base_url="https://example.org")
    assert not shared.notices, shared.notices
    assert in_title in shared.meta.title
    assert len(shared.data) > 1


def test_a_link_naming_a_regional_measure_for_a_country_draws_its_national_equivalent():
    at = open_page("trajectories", ind="nuts2_unemployment_rate", areas="SWE,SE11")
    assert at.selectbox(key="traj_indicator").value == "nuts2_unemployment_rate"
    titles = _chart_titles(at)
    assert "Unemployment rate (regional) — Stockholm, 1999–2015" in titles
    assert "Unemployment rate — Sweden, 1999–2015" in titles
    assert any(c.startswith("Sweden: Unemployment rate (%), the national measure of") for c in _captions(at))
    assert not at.info and not at.warning


def test_compare_at_a_regional_level_opens_on_ranked_wellbeing_measures_with_data_for_the_country():
    """Wellbeing first in every list must not make a regional Compare open on measures without German regions,
    nor on a count ("Employed 15+ (thousands)") ranked as if it were wellbeing."""
    at = open_page("compare", level="nuts2", within="DEU")
    chosen = at.multiselect(key="cmp_indicators").value
    assert len(chosen) == 2 and not at.warning
    rankable = {d.id for d in assess.scorecard_definitions("nuts2")}
    german = set(areas.regions_within("DEU", "nuts2").index)
    for ident in chosen:
        assert ident in rankable and german & set(query.latest_by_area(ident).index)


def test_overview_of_a_one_year_region_says_what_its_coverage_lacks():
    """Bayern's OECD TL2 tables hold 2016 only: the headline says so and the coverage box counts the indicators
    without a trend (it said "0 of 21 wellbeing indicators have no recent value" above a list of 21)."""
    at = open_page("overview", area="DE2")
    sentences = [m.value for m in at.markdown if m.value.startswith("#####")]
    assert "is available for 2016 only; no change can be computed" in sentences[0]
    labels = [e.label for e in at.expander if e.label.startswith("Coverage")]
    assert labels and "too few values for a trend" in labels[0] and "0 " not in labels[0].split(":", 1)[1]


@pytest.mark.parametrize(
    "page, options",
    [
        ("futures", futures_state.area_options),
        ("limits", limits_state.area_options),
        ("decoupling", lambda: decoupling_state.area_options("country")),
    ],
)
def test_every_place_picker_follows_the_one_picker_rule(page, options):
    """Futures, Floors and ceilings and Decoupling list places by the same rule as the Overview: countries
    first, never an entity that is neither a country, a group nor a region ("Africa not elsewhere
    specified", "Belgium and Luxembourg", Antarctica), and regions findable in the same list."""
    listed = options()
    kinds = areas.classified()["kind"]
    assert not [code for code in listed if kinds.get(code) == "other"], page
    countries = [code for code in listed if kinds.get(code) == "country"]
    assert listed[: len(countries)] == countries, f"{page}: countries first"
    assert {"SWE", "IND"} <= set(listed)
