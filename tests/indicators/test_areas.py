"""Areas for pickers and regions, on the committed snapshot: countries first, non-country entities out,
typing a name finds the place people mean, regions are found within their country at every level, and a
region's headline uses its level's GDP-like series."""

from __future__ import annotations

import pytest

from indicators import areas, headline, peer_groups, query


@pytest.fixture(scope="module", autouse=True)
def snapshot():
    try:
        query.areas()
    except Exception as error:
        pytest.skip(f"the embedded snapshot cannot be read: {error}")


def test_pickers_list_countries_first_and_never_non_country_entities():
    picked = areas.picker_areas()
    assert picked["kind"].iloc[0] == "country" and set(picked["kind"]) == {"country", "aggregate"}
    first_aggregate = int((picked["kind"] == "aggregate").to_numpy().argmax())
    assert (picked["kind"].iloc[:first_aggregate] == "country").all()
    names = set(picked["name"])
    for entity in ("World Marine Bunkers", "World Trade Organization (WTO) Member States", "Antarctica"):
        assert entity not in names
    assert not any(n.startswith("FAO Major Fishing Area") for n in names)
    assert {"World", "High-income countries", "OECD members"} <= names


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Fra", "FRA"), ("fra", "FRA"), ("France", "FRA"), ("Stockholm", "SE11"), ("Reunion", "REU"), ("Zurich", "CH04")],
)
def test_typing_a_name_and_enter_picks_the_place_people_mean(typed, expected):
    assert areas.best_match(typed) == expected


def test_search_offers_every_level_of_a_name():
    found = areas.search("Stockholm")
    assert found["ref_area"].tolist()[:2] == ["SE11", "SWEr101"]
    assert set(found["kind"]) == {"region"} and set(found["parent"]) == {"SWE"}
    assert areas.search("bunkers").empty  # 'other' entities are not searchable as places


@pytest.mark.parametrize(
    ("country", "level", "at_least"), [("ITA", "tl2", 15), ("SWE", "nuts2", 8), ("SWE", "gdl_region", 8)]
)
def test_regions_within_a_country_at_every_level(country, level, at_least):
    regions = areas.regions_within(country, level)
    assert len(regions) >= at_least and (regions["country"] == country).all()
    group = peer_groups.peer_group("all", regions.index[0], level=level, within=country)
    assert set(group.members) == set(regions.index)


def test_a_regions_headline_uses_its_levels_gdp():
    assert areas.headline_gdp("SE11") == "nuts2_gdp_per_inhabitant_pps"
    assert areas.headline_gdp("SWEr101") == "gdl_gni_per_capita"
    assert areas.headline_gdp("SWE") == "gdp_per_capita_ppp"
    members = peer_groups.peer_group("all", "SE11", level="nuts2").members
    sentence, _ = headline.place_headline("SE11", members)
    assert sentence.startswith("Since 2010, regional GDP per inhabitant (PPS) in Stockholm rose")
    assert "no GDP per capita series" not in sentence


def test_trajectories_serve_regions():
    frame, notes = query.trajectory("nuts2_gdp_per_inhabitant_pps", ["SE11", "SE22"])
    assert set(frame["ref_area"]) == {"SE11", "SE22"} and not notes
    assert frame.loc[frame["ref_area"] == "SE11", "name"].iloc[0] == "Stockholm"


@pytest.mark.parametrize(
    ("typed", "code", "label"),
    [
        ("Stockholm", "SE11", "Stockholm — NUTS 2 region, Sweden"),
        ("Lombardia", "ITC4", "Lombardia (Lombardy) — NUTS 2 region, Italy"),
        ("Lombardy", "ITC4", "Lombardia (Lombardy) — NUTS 2 region, Italy"),
        ("Bavaria", "DE2", "Bayern (Bavaria) — OECD TL2 region, Germany"),
        ("Vienna", "AT13", "Wien (Vienna) — NUTS 2 region, Austria"),
    ],
)
def test_find_my_region_by_local_or_english_name_with_level_and_country(typed, code, label):
    found = areas.find_regions(typed)
    assert found["ref_area"].iloc[0] == code and found["label"].iloc[0] == label
    assert set(found["ref_area"]) <= areas.regions_with_data()


def test_find_my_region_finds_only_regions_a_page_can_show():
    assert areas.find_regions("Sweden").empty is False
    assert set(areas.find_regions("Sweden")["ref_area"]).isdisjoint({"SWE", "SE"})  # the country and NUTS 0
    assert areas.find_regions("World Marine").empty


def test_english_names_come_from_the_oecd_file_and_name_real_regions():
    names = areas.english_names()
    assert names["DE2"] == "Bavaria" and names["ITC4"] == "Lombardy"
    assert set(names) <= set(query.areas().index)


@pytest.mark.parametrize(
    ("indicator", "level", "expected"),
    [
        ("gdp_per_capita_ppp", "nuts2", "nuts2_gdp_per_inhabitant_pps"),
        ("gdp_per_capita_ppp", "gdl_region", "gdl_gni_per_capita"),
        ("nuts2_gdp_per_inhabitant_pps", "country", "gdp_per_capita_ppp"),
        ("life_expectancy", "tl2", "tl2_life_expectancy"),
        ("tl2_life_expectancy", "gdl_region", "gdl_life_expectancy"),
        ("co2_per_capita", "nuts2", None),
        ("nuts2_unemployment_rate", "nuts2", "nuts2_unemployment_rate"),
    ],
)
def test_regional_equivalents_of_a_measure(indicator, level, expected):
    assert areas.equivalent(indicator, level) == expected


def test_a_nuts1_code_listed_as_an_oecd_tl2_region_is_scored_at_tl2():
    assert areas.level_of("DE2") == "tl2" and "DE2" in areas.regions_within("DEU", "tl2").index
    assert areas.level_of("SE11") == "nuts2" and areas.level_of("WLD") == "country"


def test_a_headline_whose_gdp_like_series_has_one_year_says_so():
    """Bayern's OECD TL2 household income has one year (2016): the series exists, it cannot show a change."""
    years = query.area_panel("tl2_household_disposable_income", "DE2")["year"].unique()
    assert list(years) == [2016]
    sentence, _ = headline.place_headline("DE2", ("DE2",))
    assert sentence.startswith("Household income per capita (TL2) for Bayern is available for 2016 only; ")
    assert "no change can be computed" in sentence and "There is no" not in sentence


def test_labels_keep_their_acronyms_mid_sentence():
    assert headline._mid_sentence("GDP per capita") == "GDP per capita"
    assert headline._mid_sentence("Regional GDP per inhabitant (PPS)") == "regional GDP per inhabitant (PPS)"


def test_a_regions_list_of_provinces_is_left_out_of_its_short_name():
    assert areas._without_parts_list("Kazakhstan - North region (Akmolinskaya (incl Astana city), Kostnaiskaya)") == (
        "Kazakhstan - North region"
    )
    assert areas._without_parts_list("Bolivia (Plurinational State of)") == "Bolivia (Plurinational State of)"
    assert areas._without_parts_list("(a, b)") == "(a, b)"  # nothing would be left
    assert areas._without_parts_list("North (a, b") == "North (a, b"  # unbalanced: left alone
    assert areas._without_parts_list("Stockholm") == "Stockholm"


def test_short_names_shorten_regions_only_and_only_while_they_stay_distinct(monkeypatch):
    names = {
        "R1": "Nigeria - North (Kano, Kaduna)",
        "R2": "Nigeria - North (Borno, Yobe)",
        "R3": "Kenya - Coast (Mombasa, Kwale)",
        "C1": "Congo (Republic, of the)",
    }
    monkeypatch.setattr(areas.query, "area_name", names.get)
    monkeypatch.setattr(areas, "level_of", lambda code: "country" if code.startswith("C") else "gdl_region")
    assert areas.short_names(["R3", "C1"]) == {"R3": "Kenya - Coast", "C1": "Congo (Republic, of the)"}
    # two regions whose short names would be the same: every name in full
    assert areas.short_names(["R1", "R2", "R3"]) == {code: names[code] for code in ("R1", "R2", "R3")}


def test_short_names_of_real_regions():
    found = areas.short_names(["KAZr105", "SE11", "SWE"])
    assert found == {"KAZr105": "Kazakhstan - North region", "SE11": "Stockholm", "SWE": "Sweden"}
