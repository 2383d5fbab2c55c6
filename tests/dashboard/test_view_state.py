"""URL parameters are parsed against the schema; bad or hostile values give notices and defaults."""

from __future__ import annotations

from dashboard.pages.trajectories.state import MAX_AREAS, TrajectoryView, parse_trajectory

INDICATORS = ["gdp_per_capita_ppp", "co2_per_capita"]
AREAS = ["SWE", "USA", "CHN", "DEU", "IND", "BRA"] + [f"A{i:02d}" for i in range(30)]


def parse(params):
    return parse_trajectory(params, indicators=INDICATORS, areas=AREAS, years=(1950, 2025))


def test_defaults_without_parameters():
    view = parse({})
    assert view == TrajectoryView() and view.notices == ()


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
    assert view.indicator == "gdp_per_capita_ppp"
    assert view.areas == ("SWE",)
    assert view.start is None and view.scale == "linear"
    text = " ".join(view.notices)
    for fragment in ("unknown indicator", "XXX", "'from' must be a year", "'scale'", "unknown parameter 'zoom'"):
        assert fragment in text


def test_hostile_values_are_quoted_short_and_never_kept():
    script = "<script>alert(1)</script>"
    view = parse({"ind": script, "areas": script, "to": "9" * 5000, script: "x"})
    assert view.indicator == "gdp_per_capita_ppp" and view.areas == TrajectoryView().areas
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
