"""Values the publisher estimated, modelled or marked provisional are marked wherever a value is shown.

Most tests draw views from the committed snapshot, where such values exist: Eurostat flags Germany's,
France's and Italy's 2023–2024 real GDP per person "e"/"p" (``estat/sdg_08_10``), and the UN marks
e-waste and domestic material consumption values "E"/"M" (``unsd/sdg_indicators``). Each test checks the
mark in the chart against :func:`indicators.query.estimated_keys`, the flags as read from the store. The
Limits page has no estimated value in the snapshot; its chart is tested on synthetic rows in test_limits.py.
"""

from __future__ import annotations

import json

import pandas as pd
import vl_convert as vlc

from dashboard import share
from dashboard.estimate_marks import HOLLOW_LINE as ESTIMATE_HOLLOW_LINE
from dashboard.estimate_marks import LETTER_LINE as ESTIMATE_LETTER_LINE
from dashboard.estimate_marks import TOOLTIP_TITLE as ESTIMATE_TOOLTIP_TITLE
from dashboard.pages.compare import charts as compare_charts
from dashboard.pages.compare import views as compare_views
from dashboard.pages.compare.state import parse as parse_compare
from dashboard.pages.decoupling import views as decoupling_views
from dashboard.pages.decoupling.state import parse as parse_decoupling
from dashboard.pages.futures import views as futures_views
from dashboard.pages.futures.state import parse as parse_futures
from dashboard.pages.maps import views as maps_views
from dashboard.pages.maps.state import parse as parse_maps
from dashboard.pages.overview import charts as overview_charts
from dashboard.pages.overview import views as overview_views
from dashboard.pages.overview.state import parse as parse_overview
from dashboard.pages.trajectories import charts as trajectory_charts
from dashboard.pages.trajectories import views as trajectory_views
from dashboard.pages.trajectories.state import parse as parse_trajectory
from dashboard.pages.your_index import views as index_views
from dashboard.pages.your_index.state import parse as parse_index
from dashboard.registry import registry
from indicators import index_query as iq
from indicators import query
from tests.dashboard.support import check_golden

BASE = "https://dash.example.org"
GDP_EUR = "real_gdp_per_capita_eur"


def _layers(spec: dict) -> list[dict]:
    """Every unit layer of a (possibly nested or concatenated) spec."""
    found = []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []):
            found += _layers(part)
    return found if found else ([spec] if "mark" in spec else [])


def _mark(layer: dict) -> dict:
    mark = layer["mark"]
    return mark if isinstance(mark, dict) else {"type": mark}


def _estimate_layers(spec: dict) -> list[dict]:
    return [layer for layer in _layers(spec) if {"filter": "datum.estimated"} in layer.get("transform", [])]


def _hollow(spec: dict) -> list[dict]:
    return [lay for lay in _estimate_layers(spec) if _mark(lay)["type"] == "point" and _mark(lay)["filled"] is False]


def _letters(spec: dict) -> list[dict]:
    return [lay for lay in _estimate_layers(spec) if _mark(lay)["type"] == "text" and _mark(lay)["text"] == "e"]


def _subtitle(spec: dict) -> list[str]:
    title = spec.get("title", {})
    sub = title.get("subtitle", []) if isinstance(title, dict) else []
    return [sub] if isinstance(sub, str) else list(sub)


def _tooltip_titles(spec: dict) -> set[str]:
    return {t.get("title") for lay in _layers(spec) for t in lay.get("encoding", {}).get("tooltip", []) or []}


def _flagged(frame: pd.DataFrame, indicator: str) -> pd.Series:
    keys = query.estimated_keys(indicator)
    return pd.Series([(a, int(y)) in keys for a, y in zip(frame["ref_area"], frame["year"], strict=True)])


def test_a_trajectory_draws_estimated_values_hollow_with_a_caption_and_a_csv_column():
    view = parse_trajectory({"ind": GDP_EUR, "areas": "DEU,FRA,ITA"})
    drawn = trajectory_views.build_trajectory(view)
    spec = drawn.chart.to_dict()
    assert len(_hollow(spec)) == 1
    assert ESTIMATE_HOLLOW_LINE in " ".join(_subtitle(spec))  # wrapped to the column, never cut
    assert ESTIMATE_TOOLTIP_TITLE in _tooltip_titles(spec)
    # The rows drawn hollow are exactly the ones the publisher flagged (Germany 2022–2024, among others).
    assert drawn.data["estimated"].tolist() == _flagged(drawn.data, GDP_EUR).tolist()
    assert drawn.data["estimated"].any() and not drawn.data["estimated"].all()
    assert ("DEU", 2024) in query.estimated_keys(GDP_EUR)
    rows = share.csv_rows(share.build(registry()["trajectory"], view, base_url=BASE, drawn=drawn))
    assert rows["estimated"].tolist() == drawn.data["estimated"].tolist()
    assert vlc.vegalite_to_svg(json.dumps(spec)).startswith("<svg")


def test_a_view_without_estimates_has_no_caption_no_mark_and_a_false_column():
    view = parse_trajectory({"ind": "life_expectancy", "areas": "DEU,FRA"})
    assert len(query.estimated_keys("life_expectancy")) == 0
    for build in (trajectory_views.build_trajectory, trajectory_views.build_ranking):
        drawn = build(view)
        spec = drawn.chart.to_dict()
        assert not _estimate_layers(spec)
        assert not any("estimated by the publisher" in line for line in _subtitle(spec))
        assert ESTIMATE_TOOLTIP_TITLE not in _tooltip_titles(spec)
        assert "estimated" in drawn.data and not drawn.data["estimated"].any()


def test_a_ranking_puts_an_e_beside_estimated_values():
    drawn = trajectory_views.build_ranking(parse_trajectory({"ind": GDP_EUR, "areas": "DEU,FRA,ITA"}))
    spec = drawn.chart.to_dict()
    assert len(_letters(spec)) == 1 and ESTIMATE_LETTER_LINE in _subtitle(spec)
    assert drawn.data["estimated"].tolist() == _flagged(drawn.data, GDP_EUR).tolist()


def test_compare_marks_estimates_in_the_ranking_the_strips_and_the_table():
    view = parse_compare({"ind": GDP_EUR, "area": "DEU", "peers": "eu27"})
    ranked = compare_views.build_ranked(view)
    spec = ranked.chart.to_dict()
    assert len(_letters(spec)) == 1 and ESTIMATE_LETTER_LINE in _subtitle(spec)
    assert ranked.data["estimated"].tolist() == _flagged(ranked.data, GDP_EUR).tolist()
    assert 0 < ranked.data["estimated"].sum() < len(ranked.data)
    multiples = compare_views.build_multiples(view)
    spec = multiples.chart.to_dict()
    assert _letters(spec) and ESTIMATE_LETTER_LINE in _subtitle(spec)


def test_the_overview_scorecard_marks_an_estimated_latest_value_in_chart_and_table():
    drawn = overview_views.build_standing(parse_overview({"area": "DEU", "peers": "eu27", "theme": "circular"}))
    spec = drawn.chart.to_dict()
    assert len(_letters(spec)) == 1 and ESTIMATE_LETTER_LINE in _subtitle(spec)
    card = drawn.data
    expected = [
        (("DEU", int(y)) in query.estimated_keys(i)) for i, y in zip(card["indicator"], card["year"], strict=True)
    ]
    assert card["estimated"].tolist() == expected and any(expected) and not all(expected)
    table = overview_charts.scorecard_table(card.assign(sparkline=[[]] * len(card)))
    assert (table["Estimated"] == "yes").tolist() == expected


def test_a_map_says_estimated_in_its_tooltip_and_counts_them_in_its_caption():
    drawn = maps_views.build_map(parse_maps({"ind": "ewaste_per_capita"}))
    spec = drawn.chart.to_dict()
    assert ESTIMATE_TOOLTIP_TITLE in _tooltip_titles(spec)
    count = int(drawn.data["estimated"].sum())
    assert count == int(_flagged(drawn.data, "ewaste_per_capita").sum()) > 0
    assert f"{count} values estimated by the publisher (see the tooltip)" in _subtitle(spec)


def test_futures_history_and_decoupling_trails_draw_estimates_hollow():
    outlook = futures_views.build_outlook(parse_futures({"area": "SWE", "ind": "renewable_energy_share"}))
    spec = outlook.chart.to_dict()
    assert len(_hollow(spec)) == 1 and ESTIMATE_HOLLOW_LINE in _subtitle(spec)
    observed = outlook.data[outlook.data["series"] == "observed"]
    assert observed["estimated"].tolist() == _flagged(observed, "renewable_energy_share").tolist()
    assert observed["estimated"].any()
    view = parse_decoupling({"y": "domestic_material_consumption_per_capita", "areas": "SWE,DEU"})
    scatter = decoupling_views.build_scatter(view)
    spec = scatter.chart.to_dict()
    assert len(_hollow(spec)) == 1 and ESTIMATE_HOLLOW_LINE in _subtitle(spec)
    rows = scatter.data
    either = _flagged(rows, view.x) | _flagged(rows, view.y)  # an estimate in, an estimate out
    assert rows["estimated"].tolist() == either.tolist() and either.any()
    rates = decoupling_views.build_rates(view).data  # rates from each row's first and last year
    for row in rates.itertuples(index=False):
        ends = [
            (row.ref_area, y) in query.estimated_keys(i)
            for i in (row.pressure, row.driver)
            for y in (row.first_year, row.last_year)
        ]
        assert row.estimated == any(ends)
    assert rates["estimated"].any()


def test_estimated_at_is_true_where_any_input_is_estimated_and_false_without_a_year():
    areas = pd.Series(["DEU", "DEU", "DEU"])
    years = pd.Series([2024, 2010, None], dtype="Float64")
    assert query.estimated_at([GDP_EUR], areas, years).tolist() == [True, False, False]
    assert query.estimated_at(["life_expectancy"], areas, years).tolist() == [False, False, False]
    assert query.estimated_at(["life_expectancy", GDP_EUR], areas, years).tolist() == [True, False, False]


def test_golden_specs_of_a_line_and_a_dot_chart_with_an_estimate():
    """Synthetic rows (labelled), reviewed by eye: one estimated value in each chart."""
    lines = pd.DataFrame(
        {
            "ref_area": ["SWE", "SWE", "USA", "USA"],
            "name": ["Sweden", "Sweden", "USA", "USA"],
            "year": [2000, 2001, 2000, 2001],
            "value": [5.5, 5.2, 20.1, 19.8],
            "estimated": [False, True, False, False],
        }
    )
    spec = trajectory_charts.trajectory_chart(lines, title="CO2 per person", unit="t").to_dict(validate=True)
    check_golden("trajectory_estimated", spec)
    ranked = pd.DataFrame(
        {
            "ref_area": ["CHE", "SWE", "USA"],
            "name": ["Switzerland", "Sweden", "USA"],
            "year": [2025, 2025, 2025],
            "value": [84.6, 83.6, 79.0],
            "rank": [1, 2, 3],
            "estimated": [False, True, False],
        }
    )
    chart = compare_charts.ranked_dots(ranked, title="Life expectancy", unit="years", higher_is_better=True)
    check_golden("compare_ranked_estimated", chart.to_dict(validate=True))


def test_your_index_counts_the_estimated_values_a_score_uses():
    """A score is not one published value, so it is not drawn as an estimate; its tooltip and CSV say how many
    of the values it uses the publisher estimated (the UN's renewable energy share, e-waste, material flows)."""
    drawn = index_views.build_ranking(parse_index({"index": "beyond_gdp_index", "all": "1"}))
    rows = drawn.data.set_index("ref_area")
    prepared = iq.prepare("beyond_gdp_index", "all")
    shape = prepared.structure
    years = prepared.result.years
    for area in ("SWE", "NOR", "IND"):
        expected = sum(
            (area, int(years.at[area, m])) in query.estimated_keys(shape.ids[m])
            for m in prepared.columns
            if pd.notna(years.at[area, m])
        )
        assert rows.at[area, "estimated_inputs"] == expected
        assert rows.at[area, "estimated"] == (expected > 0)
    assert rows["estimated"].any()
    assert "Values estimated by the publisher" in _tooltip_titles(drawn.chart.to_dict())
    plain = index_views.build_ranking(parse_index({"index": "better_life_index"}))
    assert not plain.data["estimated"].any()
    assert "Values estimated by the publisher" not in _tooltip_titles(plain.chart.to_dict())
