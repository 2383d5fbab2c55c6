"""Overview page: the scorecard chart as a golden Vega-Lite spec, the URL view state, and an AppTest
that renders from a link, follows widget changes and survives bad links."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc
from streamlit.testing.v1 import AppTest

from dashboard.pages.overview import charts as scorecard
from dashboard.pages.overview.state import OverviewView, parse_overview
from indicators.numbers import readable
from tests.dashboard.support import check_golden, open_page

PAGE = "overview"

#: A hand-made scorecard of one theme (synthetic numbers, for the chart spec only).
CARD = pd.DataFrame(
    {
        "indicator": ["life_expectancy", "gini_index", "unemployment_rate", "youth_neet_rate"],
        "label": ["Life expectancy", "Gini index", "Unemployment rate", "Youth NEET rate"],
        "percentile": [87.9, 72.9, 14.0, None],
        "rank": [8, 17, 50, None],
        "n_ranked": [59, 60, 58, None],
        "value": [83.6, 32.31, 8.4, 6.1],
        "year": [2025, 2025, 2024, 2018],
        "unit": ["years", "index (0-100)", "%", "%"],
        "arrow": ["↑", "↑", "→", ""],
        "verdict": ["improving", "worsening", "no clear change", "too few points"],
    }
)


def test_standing_chart_matches_its_golden_spec_and_renders():
    rows = CARD[CARD["percentile"].notna()]
    chart = scorecard.standing_chart(rows, title="Inclusive: standing among peers", peer_label="High income countries")
    spec = chart.to_dict(validate=True)
    check_golden("overview_standing", spec)
    values = next(iter(spec["datasets"].values()))
    assert [v["label"] for v in values] == ["Life expectancy", "Gini index", "Unemployment rate"]
    assert vlc.vegalite_to_svg(json.dumps(spec)).startswith("<svg")


def test_standing_chart_text_alternative_and_table():
    text = scorecard.describe_standing(CARD, title="Inclusive", peer_label="OECD")
    assert "Life expectancy: rank 8 of 59, trend improving" in text
    assert "Youth NEET rate: not ranked, trend too few points" in text
    table = scorecard.scorecard_table(
        CARD.assign(target=None, status=None, distance=None, target_value=None, target_year=None, sparkline=[[1.0]] * 4)
    )
    assert list(table["Rank"]) == ["8 of 59", "17 of 60", "50 of 58", "—"]
    assert list(table["Trend"]) == ["↑ improving", "↑ worsening", "→ no clear change", "too few points"]
    # One formatter: the table shows what the tooltip (NUMBER_FORMAT) and the signals (readable) show.
    assert scorecard.format_value(65596.66) == readable(65596.66) == "65,600"
    assert scorecard.format_value(0.05675) == "0.05675" and scorecard.format_value(82.83) == "82.83"


def test_status_is_written_with_the_status_rule_labels_and_coloured_by_level():
    from indicators import status

    card = CARD.assign(
        target=["SDG 3", None, "EU 2030", "SDG 8"],
        target_value=[85.0, None, 5.0, 5.0],
        target_year=[2030, None, 2030, 2030],
        distance=[0.0165, None, 0.405, None],
        status=["challenges_remain", None, "significant_challenges", None],
        sparkline=[[1.0]] * 4,
    )
    table = scorecard.scorecard_table(card)
    # Too few points for a trend (NEET) means the rule could not judge: said so, not "no status".
    assert list(table["Status"]) == ["Challenges remain", "", "Significant challenges", "Too few data"]
    assert table["Target"][2] == "EU 2030: 5 by 2030; 40% to go"
    assert not table["Target"].str.contains("no status").any()
    styles = [scorecard.status_style(v) for v in table["Status"]]
    assert styles[0] == f"background-color: {status.LEVEL_COLOURS['challenges_remain']}; color: #000000"
    assert styles[1] == "" and styles[3] == ""  # no level, no colour
    assert scorecard.styled_table(table).to_html().count(status.LEVEL_COLOURS["significant_challenges"]) == 1


def test_every_verdict_of_the_status_rule_has_a_trend_colour():
    from indicators import status

    assert list(scorecard.VERDICT_COLOURS) == list(status.VERDICTS)
    assert scorecard.VERDICT_COLOURS["improving too slowly"] not in {
        scorecard.VERDICT_COLOURS[v] for v in status.VERDICTS if v != "improving too slowly"
    }


AREAS = ["SWE", "USA", "DEU", "EU27", "SE11"]


def test_overview_view_state_round_trip_and_bad_values():
    assert parse_overview({}, areas=AREAS) == OverviewView()
    view = parse_overview({"area": "deu", "peers": "custom", "with": "SWE,USA", "since": "2015"}, areas=AREAS)
    assert (view.area, view.peers, view.custom, view.since) == ("DEU", "custom", ("SWE", "USA"), 2015)
    assert parse_overview(view.to_query(), areas=AREAS) == view and view.notices == ()
    bad = parse_overview({"area": "<b>x</b>", "peers": "friends", "since": "1700", "n": "999", "zz": "1"}, areas=AREAS)
    assert bad == OverviewView()
    text = " ".join(bad.notices)
    for fragment in ("unknown area code", "'peers' must be one of", "'since' 1700 is outside", "'n' must be", "'zz'"):
        assert fragment in text
    lonely = parse_overview({"peers": "custom"}, areas=AREAS)
    assert lonely.peers == "income_group" and "needs a list of areas" in lonely.notices[0]


def test_overview_group_round_trips_and_a_bad_group_falls_back_to_themes():
    from dashboard.pages.overview import data
    from indicators.schema import FRAMEWORK_COMPONENTS

    assert tuple(data.FRAMEWORK_TITLES) == FRAMEWORK_COMPONENTS
    assert OverviewView().group == "theme" and "group" not in OverviewView().to_query()
    view = parse_overview({"group": "framework", "area": "USA"}, areas=AREAS)
    assert view.group == "framework" and view.to_query() == {"area": "USA", "group": "framework"}
    assert parse_overview(view.to_query(), areas=AREAS) == view
    bad = parse_overview({"group": "colour"}, areas=AREAS)
    assert bad.group == "theme" and "'group' must be one of theme, framework" in bad.notices[0]


def test_a_standing_chart_link_names_a_framework_component_when_grouped_by_framework():
    from dashboard.pages.overview import state

    view = state.parse({"group": "framework", "theme": "inequality"})
    assert (view.overview.group, view.theme, view.notices) == ("framework", "inequality", ())
    assert state.parse(view.to_query()) == view
    wrong = state.parse({"group": "framework", "theme": "climate"})  # a theme is not a framework component
    assert wrong.theme == "current_wellbeing" and "'theme' must be one of current_wellbeing" in wrong.notices[0]


def _drawn_groups(at: AppTest, titles) -> list[str]:
    return [h.value for h in at.subheader if h.value in titles.values()]


@pytest.mark.slow
def test_grouping_by_framework_draws_one_tab_per_component_from_the_definitions():
    from dashboard.pages.overview import data
    from indicators import assess, query

    at = _open(group="framework")
    assert at.radio(key="ov_group").value == "framework"
    assert [t.label for t in at.tabs] == list(data.TAB_LABELS["framework"].values())
    # Only the open tab is drawn; each tab draws its own component (all four have Swedish indicators).
    assert _drawn_groups(at, data.FRAMEWORK_TITLES) == [data.FRAMEWORK_TITLES["current_wellbeing"]]
    for key, label in data.TAB_LABELS["framework"].items():
        at.session_state["ov_tab"] = label
        at.run()
        assert not at.exception
        assert _drawn_groups(at, data.FRAMEWORK_TITLES) == [data.FRAMEWORK_TITLES[key]]
        assert len(at.get("vega_lite_chart")) == 1 and len(at.dataframe) == 1
        assert at.query_params.get("theme") == (None if key == "current_wellbeing" else key)
    at.session_state["ov_tab"] = data.TAB_LABELS["framework"]["current_wellbeing"]
    at.run()
    definitions = query.definitions()
    view = OverviewView(group="framework")
    members = data.peer_group(view.area, view.peers, view.similar, view.custom).members
    parts = [data.group_rows(view.area, members, view.since, "framework", key) for key in data.FRAMEWORK_TITLES]
    for key, rows in zip(data.FRAMEWORK_TITLES, parts, strict=True):
        assert not rows.empty and {definitions[i].framework for i in rows["indicator"]} == {key}
    # Every scorecard indicator is in exactly one component, and the first table is the first component's.
    assert sum(len(rows) for rows in parts) == len(assess.scorecard(view.area, members, view.since))
    assert list(at.dataframe[0].value["Indicator"]) == list(parts[0]["label"])
    at.radio(key="ov_group").set_value("theme").run()
    assert not at.exception and "group" not in at.query_params and "theme" not in at.query_params
    assert [t.label for t in at.tabs] == list(data.TAB_LABELS["theme"].values())
    assert _drawn_groups(at, data.THEME_TITLES) == [data.THEME_TITLES["inclusive"]]


@pytest.mark.slow
def test_a_link_opens_the_tab_it_names_and_a_bad_one_gets_a_notice():
    from dashboard.pages.overview import data

    at = _open(theme="climate")
    assert not at.exception and at.session_state["ov_tab"] == "Climate"
    assert _drawn_groups(at, data.THEME_TITLES) == [data.THEME_TITLES["climate"]]
    assert at.query_params["theme"] == "climate"
    at = _open(theme="weather")
    assert _drawn_groups(at, data.THEME_TITLES) == [data.THEME_TITLES["inclusive"]]
    assert any("must be one of inclusive, circular, climate, economy; ignored" in w.value for w in at.info)


def _open(**params: str) -> AppTest:
    return open_page(PAGE, **params)


@pytest.mark.slow
def test_overview_renders_from_a_link_and_follows_widgets():
    at = _open(area="DEU", peers="oecd", since="2015")
    assert at.selectbox(key="ov_area").value == "DEU"
    assert at.selectbox(key="ov_peers").value == "oecd"
    headline = [m.value for m in at.markdown if "GDP per capita in Germany" in m.value]
    assert headline and "wellbeing indicators with a trend since 2015" in headline[0]
    # One tab per theme; only the open one (the first) is drawn: its standing chart and its table.
    assert [t.label for t in at.tabs] == ["Inclusive", "Circular", "Climate", "Economy"]
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) == 1
    from indicators import status

    rule = [e for e in at.expander if e.label == "How status and arrows are decided"]
    assert len(rule) == 1 and rule[0].markdown[0].value == status.RULE_TEXT
    shown = {v for frame in at.dataframe for v in frame.value.get("Status", [])}
    assert shown & set(status.LEVEL_LABELS.values()), "some indicator with a target has a four-level status"
    assert sum("Source:" in c.value for c in at.caption) >= 1
    at.selectbox(key="ov_peers").set_value("similar_gdp").run()
    assert not at.exception
    assert at.slider(key="ov_similar").value == 15
    assert at.query_params["peers"] in ("similar_gdp", ["similar_gdp"])
    at.selectbox(key="ov_area").set_value("SWE").run()
    assert not at.exception and "area" not in at.query_params  # the default place leaves the link short


def test_the_tables_latest_values_are_written_as_the_tooltips_and_signals_write_them():
    """Issue 15: the table showed 65,597 where the tooltip and the signal said 65,600."""
    at = _open()
    cells = [v for frame in at.dataframe for v in frame.value.get("Latest", []) if v != "no data"]
    assert len(cells) > 10
    assert all(readable(float(v.replace(",", ""))) == v for v in cells), cells


@pytest.mark.slow
def test_overview_bad_link_gets_a_notice_not_a_traceback():
    at = _open(area="<script>", peers="nope", since="abc")
    assert at.info and "were not understood" in at.info[0].value
    assert at.selectbox(key="ov_area").value == "SWE"
    assert len(at.get("vega_lite_chart")) == 1


@pytest.mark.slow
def test_the_signals_of_a_place_are_listed_one_block_per_kind():
    from dashboard.pages.overview import views as overview_views
    from indicators import assess

    at = _open(area="DEU", peers="oecd")
    view = OverviewView(area="DEU", peers="oecd")
    found = assess.place_signals("DEU", overview_views.peer_group(view).members, view.since)
    assert len(found) >= 3, "Germany among the OECD has several signals on the snapshot"
    blocks = {
        title: [m.value for m in at.markdown if m.value.startswith(f"**{title}**")]
        for title in ("New record", "Change in trend", "Moving away from peers", "Worse while GDP grows")
    }
    for kind, title in (
        ("new_record", "New record"),
        ("trend_break", "Change in trend"),
        ("peer_divergence", "Moving away from peers"),
        ("against_gdp", "Worse while GDP grows"),
    ):
        sentences = found.loc[found["kind"] == kind, "sentence"].tolist()
        assert len(blocks[title]) == (1 if sentences else 0)
        if sentences:
            assert blocks[title][0].count("\n- ") == len(sentences)
            assert all(sentence in blocks[title][0] for sentence in sentences)
