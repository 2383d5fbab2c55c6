"""URL parameters are parsed against the schema; bad or hostile values give notices and defaults."""

from __future__ import annotations

from dashboard.pages.trajectories.state import (
    MAX_AREAS,
    TrajectoryView,
    gdp_alongside,
    gdp_query,
    parse_trajectory,
)

INDICATORS = ["life_expectancy", "gdp_per_capita_ppp", "co2_per_capita"]
AREAS = ["SWE", "USA", "CHN", "DEU", "IND", "BRA"] + [f"A{i:02d}" for i in range(30)]


def parse(params):
    return parse_trajectory(params, indicators=INDICATORS, areas=AREAS, years=(1950, 2025))


def test_defaults_without_parameters():
    view = parse({})
    assert view == TrajectoryView() and view.notices == ()


def test_the_default_is_a_wellbeing_measure_with_gdp_alongside_and_an_empty_link():
    """Issue 15: the page's caption says "next to GDP, not instead of it"; an empty link must show that."""
    view = parse({})
    assert view.indicator == "life_expectancy" and view.to_query() == {}
    assert gdp_alongside({}) and gdp_query(True, view.indicator) == {}


def test_gdp_alongside_is_turned_off_only_by_the_link_saying_so():
    assert gdp_alongside({"gdp": "1"}) and gdp_alongside({"gdp": "yes"})
    for off in ("0", "false", "OFF", ["1", "0"]):
        assert not gdp_alongside({"gdp": off})
    assert gdp_query(False, "co2_per_capita") == {"gdp": "0"}
    assert gdp_query(False, "gdp_per_capita_ppp") == {}  # on GDP itself the toggle adds nothing


def test_a_link_naming_gdp_per_capita_still_opens_it():
    view = parse({"ind": "gdp_per_capita_ppp"})
    assert view.indicator == "gdp_per_capita_ppp" and view.notices == ()
    assert view.to_query() == {"ind": "gdp_per_capita_ppp"}


def test_a_full_link_round_trips():
    view = parse(
        {"ind": "co2_per_capita", "areas": "USA,CHN", "from": "1990", "to": "2020", "scale": "log", "context": "1"}
    )
    assert (view.indicator, view.areas, view.start, view.end, view.scale, view.context) == (
        "co2_per_capita",
        ("USA", "CHN"),
        1990,
        2020,
        "log",
        True,
    )
    assert parse(view.to_query()) == view


def test_unknown_values_fall_back_with_notices():
    view = parse({"ind": "nope", "areas": "SWE,XXX", "from": "abc", "scale": "cubic", "zoom": "3"})
    assert view.indicator == "life_expectancy"
    assert view.areas == ("SWE",)
    assert view.start is None and view.scale == "linear"
    text = " ".join(view.notices)
    for fragment in ("unknown indicator", "XXX", "'from' must be a year", "'scale'", "unknown parameter 'zoom'"):
        assert fragment in text


def test_hostile_values_are_quoted_short_and_never_kept():
    script = "<script>alert(1)</script>"
    view = parse({"ind": script, "areas": script, "to": "9" * 5000, script: "x"})
    assert view.indicator == "life_expectancy" and view.areas == TrajectoryView().areas
    assert all(len(n) < 200 for n in view.notices)
    assert "too long" in " ".join(view.notices)


def test_huge_area_lists_are_capped():
    view = parse({"areas": ",".join(AREAS * 300)[:499]})
    assert len(view.areas) <= MAX_AREAS
    assert view.notices


def test_reversed_years_are_swapped_and_out_of_range_ignored():
    assert (parse({"from": "2020", "to": "1990"}).start, parse({"from": "2020", "to": "1990"}).end) == (1990, 2020)
    assert parse({"from": "1700"}).start is None


def test_unicode_and_lowercase_codes():
    view = parse({"areas": "swe, usa ,Ünïcødé"})
    assert view.areas == ("SWE", "USA")


def test_region_codes_of_mixed_case_round_trip_in_area_lists():
    known = [*AREAS, "SE11", "SWEr101"]
    view = parse_trajectory({"areas": "se11,SWEr101,swer101,SWE"}, indicators=INDICATORS, areas=known)
    assert view.areas == ("SE11", "SWEr101", "SWE") and not view.notices
    assert TrajectoryView(areas=view.areas).to_query()["areas"] == "SE11,SWEr101,SWE"
