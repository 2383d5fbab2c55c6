"""Decoupling page: URL state, data on the committed snapshot, golden chart specs, and the page itself."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard import export, share
from dashboard.pages.decoupling import charts, data, state
from dashboard.pages.decoupling.state import DecouplingView
from tests.dashboard.support import check_golden, open_page, open_share_panels

# -- view state <-> URL -------------------------------------------------------------------------


def test_default_view_has_an_empty_link_and_round_trips():
    assert DecouplingView().to_query() == {}
    assert state.parse({}) == DecouplingView()


def test_a_link_round_trips_through_parse():
    view = DecouplingView(
        y="gdl_life_expectancy", x="gdl_gni_per_capita", areas=("INDr101", "SWEr101"), start=1995, end=2015, log=False
    )
    assert state.parse(view.to_query()) == view


def test_region_codes_are_matched_whatever_their_case():
    assert state.parse({"y": "gdl_life_expectancy", "areas": "indr101"}).areas == ("INDr101",)


def test_a_place_of_another_level_is_named_not_called_unknown():
    view = state.parse({"y": "nuts2_unemployment_rate", "areas": "SWE,SE11"})
    assert view.areas == ("SE11",)
    assert any("'SWE' is not a nuts2" in n for n in view.notices)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"y": "banana"}, "'y' must be one of"),
        ({"x": "gdl_gni_per_capita"}, "'x' for CO2 per capita"),
        ({"from": "2015", "to": "1995"}, "swapped"),
        ({"log": "maybe"}, "'log' must be 1 or 0"),
        ({"areas": "<script>"}, "unknown area code"),
        ({"zzz": "1"}, "unknown parameter"),
    ],
)
def test_bad_values_get_a_notice_and_the_default(params, fragment):
    view = state.parse(params)
    assert any(fragment in n for n in view.notices), view.notices
    assert view.y in state.y_options()


def test_tl2_is_not_offered_because_it_has_a_single_year():
    assert "tl2" not in state.levels()
    assert "tl2_life_expectancy" not in state.y_options()


# -- data on the committed snapshot -------------------------------------------------------------


def test_sweden_decoupled_absolutely_and_india_relatively_on_both_co2_accounts():
    view = DecouplingView(areas=("SWE", "IND"), start=1990, end=2019)
    table, notes = data.verdicts(view)
    assert not notes
    verdicts = table.set_index(["ref_area", "pressure"])["verdict"].to_dict()
    assert verdicts == {
        ("SWE", "co2_territorial_total"): "absolute_decoupling",
        ("SWE", "co2_consumption_total"): "absolute_decoupling",
        ("IND", "co2_territorial_total"): "relative_decoupling",
        ("IND", "co2_consumption_total"): "relative_decoupling",
    }
    # Relative decoupling: CO2 grew, but more slowly than GDP (the definition, checked on the numbers).
    india = table[table["ref_area"] == "IND"]
    assert ((india["pressure_change"] > 0) & (india["pressure_change"] < india["gdp_change"])).all()


def test_a_wellbeing_measure_gets_rates_but_no_verdict():
    table, _ = data.verdicts(DecouplingView(y="life_expectancy", areas=("SWE",), start=1990, end=2019))
    assert table["verdict"].isna().all() and table["pressure_rate"].notna().all()


def test_places_without_both_years_are_named_not_dropped_silently():
    table, notes = data.verdicts(DecouplingView(areas=("SWE", "ABW"), start=1990, end=2019))
    assert set(table["ref_area"]) == {"SWE"}
    assert any("Aruba" in n for n in notes)


def test_outsourcing_sign_matches_the_two_accounts():
    table = data.outsourcing(DecouplingView(areas=("SWE", "CHN"), start=1990, end=2019))
    rows = table.set_index("ref_area")
    assert rows.at["SWE", "consumption"] > rows.at["SWE", "territorial"] and rows.at["SWE", "outsourced_share"] > 0
    assert rows.at["CHN", "consumption"] < rows.at["CHN", "territorial"] and rows.at["CHN", "outsourced_share"] < 0


def test_regional_context_is_the_regions_of_the_chosen_countries_only():
    others = data.context_areas(DecouplingView(y="gdl_life_expectancy", x="gdl_gni_per_capita", areas=("INDr101",)))
    assert others and all(code.startswith("IND") for code in others) and "INDr101" not in others


def test_csv_carries_ids_titles_units_source_licence_and_snapshot():
    shared = share.share_link("decoupling?areas=SWE,IND&chart=decoupling_rates")
    frame = pd.read_csv(io.BytesIO(export.to_csv(shared)))
    for column in ("indicator", "indicator_title", "unit", "source", "licence", "snapshot", "verdict"):
        assert column in frame.columns
    assert "co2_territorial_total" in frame.loc[0, "indicator"]


# -- golden specs (synthetic frames, labelled as such; the layout is what is reviewed) ----------

SYNTHETIC_TRAILS = pd.DataFrame(
    {
        "ref_area": ["AAA"] * 3 + ["BBB"] * 3,
        "name": ["Synthetic A"] * 3 + ["Synthetic B"] * 3,
        "year": [2000, 2001, 2002] * 2,
        "x": [1000.0, 1100.0, 1250.0, 30000.0, 30500.0, 31000.0],
        "y": [1.0, 1.2, 1.3, 9.0, 8.5, 8.0],
    }
)


def test_golden_connected_scatter():
    context = SYNTHETIC_TRAILS.assign(ref_area="CCC", name="Synthetic C", y=SYNTHETIC_TRAILS["y"] * 2)
    spec = charts.connected_scatter(
        SYNTHETIC_TRAILS, title="Synthetic", subtitle="synthetic data", x_title="x", y_title="y", context=context
    ).to_dict()
    check_golden("decoupling_scatter", spec)
    assert spec["layer"][1]["encoding"]["order"]["field"] == "year"  # trails follow time, not x
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"


def test_golden_rates_chart():
    rates = pd.DataFrame(
        {
            "row": ["Synthetic A", "Synthetic A", "Synthetic B", "Synthetic B"],
            "series": ["GDP", "CO2", "GDP", "CO2"],
            "per_year": [0.02, -0.01, 0.05, 0.03],
            "period": ["2000–2010"] * 4,
            "verdict_label": [
                "Absolute decoupling",
                "Absolute decoupling",
                "Relative decoupling",
                "Relative decoupling",
            ],
        }
    )
    check_golden("decoupling_rates", charts.rates_chart(rates, title="Synthetic", subtitle="synthetic data").to_dict())


def test_golden_outsourcing_chart():
    table = pd.DataFrame(
        {
            "ref_area": ["AAA", "BBB"],
            "name": ["Synthetic A", "Synthetic B"],
            "year": [2020, 2020],
            "territorial": [4.0, 8.0],
            "consumption": [6.0, 7.0],
            "outsourced_share": [0.5, -0.125],
        }
    )
    spec = charts.outsourcing_chart(table, title="Synthetic", subtitle="synthetic data", unit="t/person").to_dict()
    check_golden("decoupling_outsourcing", spec)
    labels = next(v for k, v in spec["datasets"].items() if any("text" in row for row in v))
    assert [row["text"] for row in labels] == ["+50% (net importer)", "-12% (net exporter)"]


# -- the page -------------------------------------------------------------------------------------


def _open(**params: str):
    return open_page("decoupling", **params)


def test_page_draws_scatter_verdicts_and_outsourcing_from_a_link():
    at = _open(areas="SWE,IND", **{"from": "1990", "to": "2019"})
    assert len(at.get("vega_lite_chart")) == 3
    assert at.multiselect(key="dec_areas").value == ["SWE", "IND"]
    assert at.slider(key="dec_years").value == (1990, 2019)
    assert any("Absolute decoupling: GDP grew, the pressure fell" in m.value for m in at.markdown)
    assert sum("Source:" in c.value for c in at.caption) == 3


def test_page_switching_to_a_wellbeing_measure_drops_verdicts_and_updates_the_link():
    at = _open(areas="SWE,IND")
    at.selectbox(key="dec_y").set_value("life_expectancy").run()
    assert not at.exception
    assert "life_expectancy" in str(at.query_params["y"])
    assert len(at.get("vega_lite_chart")) == 2  # no territorial vs consumption chart
    assert not any("Absolute decoupling:" in m.value for m in at.markdown)


def test_page_switching_to_nuts2_offers_regions():
    at = _open()
    at.selectbox(key="dec_y").set_value("nuts2_unemployment_rate").run()
    assert not at.exception
    assert at.multiselect(key="dec_areas").value == list(state.DEFAULT_AREAS["nuts2"])
    assert at.selectbox(key="dec_x").value == "nuts2_gdp_per_inhabitant_pps"


def test_page_bad_link_gets_a_notice_not_a_traceback():
    at = _open(y="<b>x</b>", areas="ZZZ", log="2")
    assert at.info and "defaults were used" in at.info[0].value
    assert len(at.get("vega_lite_chart")) == 3


def test_page_share_panels_offer_the_permalink():
    at = open_share_panels(_open(areas="SWE,IND"))
    assert any("decoupling?" in c.value and "v=" in c.value for c in at.code)


# -- first-class view: baked, pinned -------------------------------------------------------------
