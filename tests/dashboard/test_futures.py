"""Futures page: URL state (a pathway is a link), the numbers it states, golden chart specs, and the page."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard import share
from dashboard.pages.futures import charts, data, state, views
from dashboard.pages.futures.state import FuturesView
from tests.dashboard.support import check_golden, open_page, open_share_panels

# -- view state <-> URL -------------------------------------------------------------------------


def test_default_view_has_an_empty_link():
    assert FuturesView().to_query() == {}
    assert state.parse({}) == FuturesView()


@pytest.mark.parametrize(
    "view",
    [
        FuturesView(area="IND", indicator="under5_mortality", rate=-3.5),
        FuturesView(area="IND", indicator="under5_mortality", by=2035, gdp=2.0),
        FuturesView(area="SE11", indicator="nuts2_unemployment_rate"),
        FuturesView(area="INDr101", indicator="gdl_life_expectancy", rate=0.5),
    ],
)
def test_a_scenario_round_trips_through_its_link(view):
    assert state.parse(view.to_query()) == view


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"rate": "-5", "by": "2040"}, "not both"),
        ({"rate": "nan"}, "'rate' must be a change in %"),
        ({"rate": "-120"}, "'rate' must be a change in %"),
        ({"gdp": "1e9"}, "'gdp' must be a change in %"),
        ({"by": "3000"}, "'by' 3000 is outside"),
        ({"area": "SE11", "ind": "co2_per_capita"}, "'ind' must be an indicator for Stockholm"),
        ({"area": "<script>"}, "unknown area code"),
    ],
)
def test_bad_values_get_a_notice(params, fragment):
    view = state.parse(params)
    assert any(fragment in n for n in view.notices), view.notices


# -- the numbers --------------------------------------------------------------------------------


def _look(**kw) -> data.Outlook:
    return data.outlook(FuturesView(**kw))


def test_required_rate_and_pathway_by_a_year_meet_the_target_exactly():
    view = FuturesView(area="IND", indicator="under5_mortality", by=2030)
    look = data.outlook(view)
    target = look.target.value
    # Hand computation: linear change per year from the latest value to the target.
    assert look.required.change == pytest.approx((target - look.latest) / (2030 - look.latest_year))
    path = data.pathway(view, look).set_index("year")["value"]
    assert path.loc[2030] == pytest.approx(target)
    assert views.pathway_text(view, look).endswith("meets the target in 2030")


def test_a_pathway_moving_away_never_meets_the_target():
    view = FuturesView(area="IND", indicator="under5_mortality", rate=2.0)
    assert views.pathway_text(view, data.outlook(view)).endswith("never meets the target")


def test_with_sourced_bands_required_pace_and_year_reached_aim_at_the_green_threshold():
    """Issue 15: the status counts the SDR's green threshold (2 %) as the target for $3.65-a-day poverty, so
    "required", the target line and "year reached" aim there too — not at the optimum 0 %."""
    from indicators import status

    view = FuturesView(area="BRA", indicator="poverty_rate_365", by=2030)
    look = data.outlook(view)
    goal = look.target
    assert goal.value == 0 and goal.bands is not None
    assert look.aim == float(status.goal_of(goal.value, goal.green, goal.red)) == goal.bands.green
    assert look.latest > look.aim, "Brazil is above the green threshold, so a pace is required"
    assert look.required.change == pytest.approx((look.aim - look.latest) / (2030 - look.latest_year))
    assert data.pathway(view, look).set_index("year")["value"].loc[2030] == pytest.approx(look.aim)
    assert views.pathway_text(view, look).endswith("reaches the green threshold in 2030")
    # The arrow and the required bar measure against the same point: on track exactly when fast enough.
    assert (look.status.trend == "on_track") == (look.slope <= look.required.change)
    drawn = views.build_outlook(view)
    spec = drawn.chart.to_dict()
    rules = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule"]
    drawn_goal = [v for layer in rules for v in spec["datasets"][layer["data"]["name"]] if "label" in v]
    assert [row["value"] for row in drawn_goal] == [2.0]
    in_plot = drawn_goal[0]["short"]  # the text drawn beside the line; the tooltip keeps the target's label
    assert "green threshold 2 %" in in_plot and "target 0 %" in in_plot
    csv = drawn.data.set_index("series")
    assert csv.at["green threshold (aimed at)", "value"] == 2.0 and csv.at["target", "value"] == 0.0
    rates = views.build_rates(view)
    subtitle = " ".join(rates.chart.to_dict()["title"]["subtitle"])
    assert "green threshold 2 %" in subtitle and "target 0 %" in subtitle
    assert "to the green threshold 2 %" in rates.data.loc[1, "what"]


def test_without_bands_the_aim_is_the_target_itself():
    view = FuturesView(area="IND", indicator="under5_mortality", by=2030)
    look = data.outlook(view)
    assert look.target.bands is None and look.aim == look.target.value and not look.aims_at_green
    assert views.aim_text(look, "per 1,000") == ""
    assert "green threshold" not in views.target_text(look)
    csv = views.build_outlook(view).data
    assert "green threshold (aimed at)" not in set(csv["series"])


def test_achieved_bar_is_the_slope_the_status_arrow_uses():
    look = _look(area="IND", indicator="under5_mortality")
    rates = views.rates_frame(FuturesView(area="IND", indicator="under5_mortality"), look)
    assert rates.loc[0, "per_year"] == look.slope
    # The arrow says "on track" exactly when the achieved slope is at least the required one (both falling here).
    on_track = look.status.trend == "on_track"
    assert on_track == (look.slope <= look.required.change)


def test_projection_band_never_goes_below_zero_for_a_rate():
    view = FuturesView(area="IND", indicator="under5_mortality")
    table, method = data.projection(view, data.outlook(view))
    assert (table["low"] >= 0).all() and table["year"].max() == 2030
    assert "lower error than 'no change'" in method


def test_when_no_change_is_chosen_the_chart_says_no_method_beat_it():
    """Issue 15: Sweden's life satisfaction keeps "no change"; the chart must not claim a 0% gain over itself."""
    view = FuturesView(area="SWE", indicator="life_satisfaction")
    table, method = data.projection(view, data.outlook(view))
    assert set(table["method"]) == {"no change (the last value stays)"}
    assert method == "No method beat 'no change' on the validation years, so the projection is the last value"
    drawn = views.build_outlook(view)
    assert f"Projection: {method}." in drawn.description and "lower error" not in drawn.description


def test_projection_names_each_method_by_its_readable_label():
    from indicators.methods import forecast

    view = FuturesView(area="IND", indicator="under5_mortality")
    table, _ = data.projection(view, data.outlook(view))
    assert not table.empty
    assert set(table["method"]) <= set(forecast.METHOD_LABELS.values())


def test_implied_decoupling_is_offered_for_pressures_with_gdp_only():
    assert data.applies_decoupling(FuturesView(area="SWE", indicator="material_footprint_per_capita"))
    assert not data.applies_decoupling(FuturesView(area="SWE", indicator="life_expectancy"))
    growth, origin = data.gdp_growth(FuturesView(area="SWE", indicator="co2_per_capita", gdp=2.0))
    assert growth == 0.02 and origin == "set by you"
    past, _ = data.gdp_growth(FuturesView(area="SWE", indicator="co2_per_capita", gdp=2.0), end_year=2015)
    assert past != 0.02 and not math.isnan(past)


def test_percent_uses_a_minus_sign_and_says_when_there_is_no_rate():
    assert views.percent(-0.0392) == "−3.9%/yr"
    assert views.percent(None) == "n/a"


# -- golden specs (synthetic frames, labelled as such) -------------------------------------------


def test_golden_outlook_chart():
    history = pd.DataFrame({"year": [2018, 2019, 2020], "value": [10.0, 9.0, 8.5]})
    projection = pd.DataFrame(
        {"year": [2021, 2022], "forecast": [8.0, 7.6], "low": [7.0, 6.0], "high": [9.0, 9.2], "method": ["drift"] * 2}
    )
    pathway = pd.DataFrame({"year": [2020, 2021, 2022], "value": [8.5, 8.075, 7.67]})
    spec = charts.outlook_chart(
        history,
        projection,
        pathway,
        title="Synthetic",
        subtitle="synthetic data",
        unit="units",
        target={"value": 5.0, "year": 2030, "label": "Synthetic target"},
        boundary={"value": 2.0, "label": "Synthetic boundary"},
    ).to_dict()
    check_golden("futures_outlook", spec)


def test_golden_rates_chart_starts_at_zero():
    rates = pd.DataFrame(
        {
            "what": ["Achieved", "Your pathway"],
            "kind": ["achieved", "pathway"],
            "per_year": [-0.5, -1.2],
            "label": ["-0.5 a year", "-1.2 a year"],
        }
    )
    spec = charts.rates_chart(rates, title="Synthetic", subtitle="synthetic data", unit="units").to_dict()
    check_golden("futures_rates", spec)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["zero"] is True
    # A pathway keeps its colour when there is no "required" row between them.
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == [
        charts.RATE_COLOURS["achieved"],
        charts.RATE_COLOURS["pathway"],
    ]


def test_a_boundary_gives_the_year_a_pathway_gets_inside_it():
    # India's sanitation: the drawn target is SDG 6.2 (100%), the floor of O'Neill et al. (95%) a second line.
    view = FuturesView(area="IND", indicator="basic_sanitation_access", rate=2.0)
    look = data.outlook(view)
    assert look.target.value == 100 and look.boundary is not None and look.boundary.value == 95
    reached = data.year_boundary_reached(look, 0.02)
    # Hand computation: first whole year with latest * 1.02**t >= 95.
    t = next(t for t in range(1, 100) if look.latest * 1.02**t >= 95)
    assert reached == look.latest_year + t
    assert f"reaches the floor in {reached}" in views.pathway_text(view, look)


def test_a_boundary_equal_to_the_target_is_drawn_once():
    look = data.outlook(FuturesView(area="SWE", indicator="co2_consumption_per_capita"))
    assert look.target is not None and look.boundary is None


# -- the page -------------------------------------------------------------------------------------


def _open(**params: str):
    return open_page("futures", **params)


def test_page_states_the_answer_and_draws_both_charts():
    at = _open(area="IND", ind="under5_mortality", rate="-5")
    assert len(at.get("vega_lite_chart")) == 2
    text = " ".join(m.value for m in at.markdown)
    assert "India, Under-5 mortality" in text and "meets the target in 2027" in text
    assert at.radio(key="fut_mode").value == "rate"


def test_page_pathway_widgets_write_the_scenario_into_the_link():
    at = _open(area="IND", ind="under5_mortality")
    assert "rate" not in at.query_params
    at.radio(key="fut_mode").set_value("by").run()
    at.number_input(key="fut_by").set_value(2032).run()
    assert not at.exception
    assert at.query_params["by"] in ("2032", ["2032"])
    at.radio(key="fut_mode").set_value("rate").run()
    at.number_input(key="fut_rate").set_value(-2.5).run()
    assert at.query_params["rate"] in ("-2.5", ["-2.5"]) and "by" not in at.query_params


def test_page_for_a_pressure_states_the_decoupling_a_pathway_implies():
    at = _open(area="SWE", ind="material_footprint_per_capita", rate="-5", gdp="2")
    text = " ".join(m.value for m in at.markdown)
    # (1 - 5%) / (1 + 2%) - 1 = -6.86% a year
    assert "growing +2.0%/yr (set by you)" in text and "**−6.9%/yr**" in text


def test_page_region_opens_on_its_level_default():
    at = _open(area="SE11")
    assert at.selectbox(key="fut_indicator").value == "nuts2_at_risk_of_poverty_rate"
    assert len(at.get("vega_lite_chart")) == 2


def test_page_bad_link_gets_a_notice():
    at = _open(area="XXX", rate="banana")
    assert at.info and "defaults were used" in at.info[0].value


def test_share_panel_link_carries_the_pathway():
    at = open_share_panels(_open(area="IND", ind="under5_mortality", rate="-5"))
    assert any("futures?" in c.value and "rate=-5" in c.value for c in at.code)


def test_export_link_names_the_place_and_the_target_in_the_title():
    shared = share.share_link("futures?area=IND&ind=under5_mortality")
    assert "India" in shared.meta.title and "target" in shared.meta.title


# -- first-class view: baked, pinned -------------------------------------------------------------


def test_the_text_drawn_beside_the_target_line_is_short_and_the_tooltip_keeps_the_full_label():
    """A long target label drawn inside the plot squeezed a phone's plot to a thin strip (Vega makes room for
    every mark): the line's text is short; the full label stays in the tooltip and the summary."""
    view = FuturesView(area="IND", indicator="co2_consumption_per_capita")
    spec = views.build_outlook(view).chart.to_dict()
    texts = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    drawn = [layer["encoding"]["text"]["field"] for layer in texts]
    rows = [v for layer in texts for v in spec["datasets"][layer["data"]["name"]] if "short" in v]
    assert "short" in drawn and len(rows) == 1
    assert rows[0]["short"].startswith("Target: at most 1.61") and rows[0]["short"].endswith("by 2030")
    assert len(rows[0]["short"]) <= 45
    assert rows[0]["label"].startswith("Per-capita share of the climate boundary")
