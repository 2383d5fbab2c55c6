"""Compare page: ranked dot plot and small-multiple strips as golden Vega-Lite specs, the URL view
state, and an AppTest over the real snapshot (links, widgets, levels, bad links)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc
from streamlit.testing.v1 import AppTest

from dashboard.pages.compare import charts as compare_charts
from dashboard.pages.compare.state import CompareView, parse_compare
from tests.dashboard.support import check_golden, open_page

PAGE = "compare"

#: Synthetic ranked values (for the chart specs only): one older value, drawn hollow.
RANKED = pd.DataFrame(
    {
        "ref_area": ["CHE", "JPN", "SWE", "USA"],
        "name": ["Switzerland", "Japan", "Sweden", "USA"],
        "year": [2025, 2025, 2024, 2025],
        "value": [84.6, 84.4, 83.6, 79.0],
        "rank": [1, 2, 3, 4],
    }
)


def test_ranked_dots_golden_spec_median_and_hollow_older_values():
    chart = compare_charts.ranked_dots(
        RANKED, title="Life expectancy", unit="years", higher_is_better=True, highlight=["SWE"], median=84.0
    )
    spec = chart.to_dict(validate=True)
    check_golden("compare_ranked", spec)
    assert "hollow dots: a year before 2025" in " ".join(spec["title"]["subtitle"])  # wrapped, never cut
    medians = [layer for layer in spec["layer"] if layer.get("mark", {}).get("strokeDash")]
    assert len(medians) == 1
    assert vlc.vegalite_to_svg(json.dumps(spec)).startswith("<svg")


def test_lower_is_better_reverses_the_axis_so_better_is_right():
    spec = compare_charts.strip_panel(
        RANKED, title="CO2", unit="t", higher_is_better=False, highlight=["SWE"], median=None
    ).to_dict(validate=True)
    check_golden("compare_strip", spec)
    scales = [layer["encoding"]["x"]["scale"] for layer in spec["layer"] if "x" in layer.get("encoding", {})]
    assert scales and all(scale["reverse"] is True for scale in scales)
    assert spec["layer"][0]["encoding"]["x"]["title"] == "t (better →)"


def test_text_alternatives():
    text = compare_charts.describe_ranked(RANKED, title="Life expectancy", unit="years", median=84.0, limit=2)
    assert text.startswith("Ranking of Life expectancy (years), best first: 1. Switzerland 84.6 (2025)")
    assert "and 2 more" in text and "median 84" in text
    strip = compare_charts.describe_strip(RANKED, title="LE", unit="years", highlight=["SWE"], median=84.0)
    assert "Sweden 83.6, rank 3 of 4" in strip


INDICATORS = ["life_expectancy", "co2_per_capita", "gini_index", "ewaste_per_capita"]
AREAS = ["SWE", "USA", "DEU", "IND"]


def _parse(params):
    return parse_compare(params, indicators=INDICATORS, areas=AREAS, levels=("country", "nuts2"), countries=["SWE"])


def test_compare_view_state_round_trip_and_bad_values():
    assert _parse({}) == CompareView()
    view = _parse(
        {
            "ind": "gini_index,co2_per_capita",
            "area": "IND",
            "peers": "similar_gdp",
            "n": "20",
            "year": "2015",
            "form": "total",
            "view": "multiples",
            "level": "nuts2",
            "within": "swe",
        }
    )
    assert (view.indicators, view.area, view.peers, view.similar, view.year) == (
        ("gini_index", "co2_per_capita"),
        "IND",
        "similar_gdp",
        20,
        2015,
    )
    assert (view.form, view.chart, view.level, view.within) == ("total", "multiples", "nuts2", "SWE")
    assert _parse(view.to_query()) == view and view.notices == ()
    bad = _parse(
        {
            "ind": "x,<img>",
            "peers": "buddies",
            "year": "soon",
            "form": "wide",
            "view": "pie",
            "level": "planet",
            "within": "ZZZ",
            "n": "-3",
            "area": "XXX",
        }
    )
    assert bad == CompareView()
    text = " ".join(bad.notices)
    for fragment in (
        "unknown indicator(s)",
        "'peers' must be",
        "'year' must be a year",
        "'form' must be",
        "'view' must be",
        "'level' must be",
        "for 'within'",
        "'n' must be",
        "unknown area code",
    ):
        assert fragment in text, fragment


def _open(**params: str) -> AppTest:
    return open_page(PAGE, **params)


@pytest.mark.slow
def test_compare_link_reproduces_the_view_and_widgets_update_it():
    at = _open(ind="life_expectancy,co2_per_capita", area="DEU", peers="eu27")
    assert at.multiselect(key="cmp_indicators").value == ["life_expectancy", "co2_per_capita"]
    assert at.selectbox(key="cmp_area").value == "DEU"
    assert len(at.get("vega_lite_chart")) == 2
    assert any("27 areas in the peer group" in c.value for c in at.caption)
    assert sum("Source:" in c.value for c in at.caption) == 2
    at.radio(key="cmp_chart").set_value("multiples").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 2
    at.radio(key="cmp_chart").set_value("table").run()
    assert not at.exception and not at.get("vega_lite_chart") and at.dataframe
    assert at.query_params["view"] in ("table", ["table"])
    at.selectbox(key="cmp_year").set_value(2015).run()
    assert not at.exception and at.query_params["year"] in ("2015", ["2015"])


@pytest.mark.slow
def test_per_capita_total_switch_shows_the_total_form():
    at = _open(ind="co2_per_capita", form="total")
    assert at.radio(key="cmp_form").value == "total"
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs and "total" in json.dumps(specs[0]["title"]).lower()


@pytest.mark.slow
def test_regions_within_one_country():
    at = _open(level="nuts2", within="DEU", view="table")
    assert at.radio(key="cmp_level").value == "nuts2"
    assert any("all regions of Germany" in c.value for c in at.caption)


@pytest.mark.slow
def test_compare_bad_link_gets_a_notice_and_the_default_view():
    at = _open(ind="<script>alert(1)</script>", peers="x", year="x", zoom="1")
    assert at.info and "were not understood" in at.info[0].value
    assert at.multiselect(key="cmp_indicators").value == list(CompareView().indicators)
    assert len(at.get("vega_lite_chart")) == 3


# -- issue 15: a title of latest values says of which year(s) -------------------------------------


def test_years_of_names_one_year_or_the_span_of_latest_years():
    from dashboard.pages.titles import years_of

    assert years_of([2016, 2016]) == "2016"
    assert years_of([2016, 2014, 2015]) == "latest year per place, 2014–2016"
    assert years_of([2010, 2012], up_to=2012) == "latest up to 2012 per place, 2010–2012"


@pytest.mark.parametrize("chart", ["compare", "compare_multiples"])
def test_a_compare_view_of_one_year_names_that_year_not_latest(chart):
    from dashboard import share

    # Germany's OECD TL2 regions: the well-being scores are of 2016 only.
    shared = share.share_link(f"compare?level=tl2&within=DEU&ind=tl2_score_life_satisfaction&chart={chart}")
    assert set(shared.data["year"]) == {2016}
    assert shared.meta.title.endswith("(2016)") and "latest" not in shared.meta.title
    spec = shared.chart.to_dict(validate=False)
    panels = spec.get("vconcat", [spec])
    assert all(
        "(2016)" in " ".join(p["title"]["text"] if isinstance(p["title"]["text"], list) else [p["title"]["text"]])
        for p in panels
    )


def test_a_compare_view_of_several_years_names_their_span():
    from dashboard import share

    shared = share.share_link(
        "compare?ind=plastic_share_of_municipal_waste,ewaste_recycling_rate&chart=compare_multiples"
    )
    years = shared.data["year"]
    assert years.nunique() > 1
    assert f"latest year per place, {years.min()}–{years.max()}" in shared.meta.title
    strips = shared.chart.to_dict(validate=False)["vconcat"]
    for strip, ident in zip(strips, dict.fromkeys(shared.data["indicator"]), strict=True):
        own = shared.data.loc[shared.data["indicator"] == ident, "year"]
        text = " ".join(strip["title"]["text"]) if isinstance(strip["title"]["text"], list) else strip["title"]["text"]
        assert f"{own.min()}–{own.max()}" in text or str(own.min()) in text


@pytest.mark.slow
def test_the_table_view_names_the_years_of_each_column():
    at = _open(ind="plastic_share_of_municipal_waste,life_expectancy", view="table")
    columns = list(at.dataframe[0].value.columns)
    assert any("latest year per place, " in c for c in columns), columns
    assert any(c.startswith("Life expectancy (20") for c in columns), columns
