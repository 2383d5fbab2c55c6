"""Floors-and-ceilings page: URL state, regional equivalents, golden chart specs, and the page."""

from __future__ import annotations

import io

import pandas as pd

from dashboard import estimate_marks, export, share
from dashboard.pages.limits import charts, data, state, views
from dashboard.pages.limits.state import LimitsView
from indicators import limits
from tests.dashboard.support import check_golden, open_page, open_share_panels


def test_state_round_trips_and_refuses_aggregates():
    assert LimitsView().to_query() == {}
    assert state.parse(LimitsView(area="INDr101").to_query()) == LimitsView(area="INDr101")
    view = state.parse({"area": "WLD"})
    assert view.area == state.DEFAULT_AREA and "aggregates have no thresholds" in view.notices[0]


def test_country_rows_are_every_threshold_with_data_with_status_matching_the_ratio():
    frame, notes = data.place(LimitsView(area="IND"))
    assert not notes
    assert set(frame["indicator"]) <= set(limits.thresholds())
    floors = frame[frame["kind"] == "floor"]
    assert ((floors["status"] == "Shortfall") == (floors["ratio"] < 1)).all()
    ceilings = frame[frame["kind"] == "ceiling"]
    assert ((ceilings["status"] == "Overshoot") == (ceilings["ratio"] > 1)).all()
    assert list(frame["kind"]) == sorted(frame["kind"], reverse=True)  # floors first


def test_reading_states_a_turned_round_rate_in_its_own_terms():
    frame, _ = data.place(LimitsView(area="IND"))
    gini = frame[frame["indicator"] == "gini_index"].iloc[0]
    text = views.reading(gini)
    assert text.startswith("Gini") and "(floor: at most 30)" in text
    # ratio = (100 - Gini) / 70, as in O'Neill et al. (2018)
    assert gini["ratio"] == (100 - gini["value"]) / 70


def test_a_region_uses_its_own_series_once_and_labels_national_values():
    frame, notes = data.place(LimitsView(area="SE11"))
    regional = frame[frame["where"] == "Stockholm"]
    assert set(regional["dimension"]).isdisjoint(set(frame.loc[frame["where"] != "Stockholm", "dimension"]))
    assert regional["dimension"].is_unique  # SE11 is both NUTS2 and TL2: one row per measure
    assert (frame.loc[frame["where"] != "Stockholm", "where"] == "Sweden (national)").all()
    assert notes and "national values are shown" in notes[0]


def test_world_view_keeps_countries_with_enough_data_and_rings_a_regions_country():
    table, left_out = data.world()
    assert left_out > 0 and len(table) > 100
    assert (table["social_share"].between(0, 1) & table["boundary_share"].between(0, 1)).all()
    shared = share.share_link("limits?area=SE11&chart=limits_world")
    assert "ringed: Sweden" in " ".join(shared.chart.to_dict()["title"]["subtitle"])


def test_csv_rows_carry_threshold_source_and_indicator_metadata():
    frame = pd.read_csv(io.BytesIO(export.to_csv(share.share_link("limits?area=IND"))))
    for column in (
        "indicator",
        "indicator_title",
        "unit",
        "threshold",
        "citation",
        "threshold_year",
        "source",
        "licence",
        "snapshot",
    ):
        assert column in frame.columns
    assert frame["citation"].str.contains("O'Neill|Fanning").all()


#: Synthetic rows of the place chart (for the specs only).
SYNTHETIC_PLACE = pd.DataFrame(
    {
        "row": ["Synthetic floor", "Synthetic ceiling"],
        "ratio": [0.8, 2.5],
        "status": ["Shortfall", "Overshoot"],
        "reading": ["8 of 10", "5 of 2"],
        "citation": ["synthetic", "synthetic"],
        "threshold_year": [2018, 2018],
        "year": [2020, 2020],
    }
)


def test_golden_place_chart():
    spec = charts.place_chart(SYNTHETIC_PLACE, title="Synthetic", subtitle="synthetic data").to_dict()
    check_golden("limits_place", spec)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"


def test_the_place_chart_marks_an_estimated_row_and_says_nothing_without_one():
    """Synthetic rows: the snapshot has no estimated value among the thresholds' indicators."""
    marked = charts.place_chart(SYNTHETIC_PLACE.assign(estimated=[False, True]), title="T", subtitle="S").to_dict()
    letters = [lay for lay in marked["layer"] if lay.get("transform") == [{"filter": "datum.estimated"}]]
    assert [lay["mark"]["text"] for lay in letters] == ["e"]
    assert marked["title"]["subtitle"] == ["S", estimate_marks.LETTER_LINE]
    plain = charts.place_chart(SYNTHETIC_PLACE.assign(estimated=False), title="T", subtitle="S").to_dict()
    assert not any("transform" in lay for lay in plain["layer"]) and plain["title"]["subtitle"] == ["S"]


def test_golden_world_chart():
    table = pd.DataFrame(
        {
            "ref_area": ["AAA", "BBB"],
            "name": ["Synthetic A", "Synthetic B"],
            "social_share": [1.0, 0.25],
            "boundary_share": [1.0, 0.0],
            "social_achieved": [4, 1],
            "social_total": [4, 4],
            "boundaries_transgressed": [2, 0],
            "boundaries_total": [2, 2],
            "gdp_per_capita": [50000.0, 2000.0],
        }
    )
    check_golden(
        "limits_world",
        charts.world_chart(table, highlight="AAA", title="Synthetic", subtitle="synthetic data").to_dict(),
    )


def test_jitter_is_stable_and_small():
    assert charts._jitter("SWE", "x") == charts._jitter("SWE", "x")
    assert abs(charts._jitter("SWE", "x")) <= charts.JITTER


def _open(**params: str):
    return open_page("limits", **params)


def test_page_draws_place_and_world_with_sources():
    at = _open(area="IND")
    assert len(at.get("vega_lite_chart")) == 2
    assert sum("Source:" in c.value for c in at.caption) == 2
    assert any("shortfall" in m.value for m in at.markdown)


def test_both_titles_say_of_which_years_the_values_are():
    """A journalist quoting the floors and ceilings must be able to say of when: the place's title names its
    measures' years, the world view's subtitle the span of data years behind it."""
    import re

    from dashboard import data_version
    from dashboard.frame import drawn_chart
    from dashboard.pages.limits.state import LimitsView

    def title_text(spec: dict, part: str = "text") -> str:
        lines = spec["title"][part]
        return " ".join(lines) if isinstance(lines, list) else lines

    version = data_version.current()
    _, place = drawn_chart("limits", LimitsView(area="SWE"), version)
    place_title = title_text(place)
    assert re.search(r"\((\d{4}|latest year per measure, \d{4}–\d{4})\)$", place_title), place_title
    _, world = drawn_chart("limits_world", LimitsView(area="SWE"), version)
    subtitle = title_text(world, "subtitle")
    assert re.search(r"latest data \((\d{4}|latest year per country and measure, \d{4}–\d{4})\)", subtitle)


def test_page_changing_place_updates_the_link():
    at = _open()
    at.selectbox(key="lim_area").set_value("SE11").run()
    assert not at.exception
    assert at.query_params["area"] in ("SE11", ["SE11"])
    assert any("national values are shown" in c.value for c in at.caption)


def test_page_bad_link_gets_a_notice():
    at = _open(area="'; DROP")
    assert at.info and "defaults were used" in at.info[0].value


def test_page_share_panel():
    at = open_share_panels(_open(area="IND"))
    assert any("limits?area=IND" in c.value for c in at.code)


# -- first-class view: baked, pinned -------------------------------------------------------------
