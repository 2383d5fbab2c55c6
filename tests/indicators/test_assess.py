"""Place assessments (peer groups, ranking, scorecard, headline, measures) on a tiny, hand-checkable world:
four countries, three indicators, five years.

The store and the catalogue are replaced by small frames (synthetic, labelled so) whose ranks,
trends and target statuses can be worked out by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from indicators import headline, measures, peer_groups, query, ranking, scorecard
from indicators.schema import Definition

YEARS = [2010, 2011, 2012, 2013, 2014]
SOURCE = {"publisher": "Synthetic test data", "licence": "CC0"}


def _definition(ident: str, theme: str, direction: str, **extra) -> Definition:
    return Definition.model_validate(
        {
            "id": ident,
            "title": ident.replace("_", " ").title(),
            "theme": theme,
            "unit": "u",
            "direction": direction,
            "description": "synthetic indicator for tests",
            "series": {"source": "test", "dataset": "test", "code": ident},
            "source": SOURCE,
            **extra,
        }
    )


DEFINITIONS = {
    "gdp_per_capita_ppp": _definition("gdp_per_capita_ppp", "economy", "higher_is_better"),
    "good": _definition("good", "inclusive", "higher_is_better"),
    "bad": _definition(
        "bad",
        "climate",
        "lower_is_better",
        targets=[
            {
                "value": 2.0,
                "year": 2030,
                "kind": "at_most",
                "source": "SDG",
                "label": "Goal: at most 2",
                "document": "a synthetic document",
                "reference": "Target 1",
                "published": 2015,
            }
        ],
    ),
}
SERIES = {
    # GDP: A rises 100 -> 120 (+20%); B, C and D flat at different levels (D nearest to A).
    "gdp_per_capita_ppp": {"A": [100, 105, 110, 115, 120], "B": [50] * 5, "C": [10] * 5, "D": [130] * 5},
    # higher is better: A up by 1 a year, B flat, C down by 1 a year; D has one old value only.
    "good": {"A": [1, 2, 3, 4, 5], "B": [3] * 5, "C": [5, 4, 3, 2, 1]},
    # lower is better, target at most 2 by 2030: A reaches 2 (achieved); B falls 0.5/yr from 10 to 8, needs
    # (8 - 2) / 16 = 0.375/yr (on track); C stays at 10 (stagnating).
    "bad": {"A": [6, 5, 4, 3, 2], "B": [10, 9.5, 9, 8.5, 8], "C": [10] * 5},
}
AREAS = pd.DataFrame(
    {
        "ref_area": ["A", "B", "C", "D", "AGG"],
        "name": ["Aland", "Bland", "Cland", "Dland", "All lands"],
        "level": ["country"] * 4 + ["aggregate"],
        "is_aggregate": [False, False, False, False, True],
        "country": [None] * 5,
        "income_group": ["High income", "High income", "High income", "Low income", None],
        "world_region": ["north", "north", "south", "south", None],
        "oecd": [True, True, False, False, None],
        "eu27": [True, False, False, False, None],
    }
).set_index("ref_area", drop=False)


#: The publisher marked C's latest "bad" value as an estimate.
ESTIMATED = {"bad": pd.MultiIndex.from_tuples([("C", 2014)])}


def _panel_frame(ident: str) -> pd.DataFrame:
    rows = [
        (ident, area, year, float(v))
        for area, values in SERIES[ident].items()
        for year, v in zip(YEARS, values, strict=True)
    ]
    if ident == "good":
        rows.append((ident, "D", 2000, 9.0))  # an old value: never ranked beside 2014 values
    return pd.DataFrame(rows, columns=["indicator", "ref_area", "year", "value"]).sort_values(["ref_area", "year"])


def _clear_caches() -> None:
    query.forget_cached_answers()


@pytest.fixture(autouse=True)
def tiny_world(monkeypatch):
    def panel(indicator_ids, ref_areas=None, years=None):
        ids = [indicator_ids] if isinstance(indicator_ids, str) else list(indicator_ids)
        frame = pd.concat([_panel_frame(i) for i in ids], ignore_index=True)
        if ref_areas is not None:
            frame = frame[frame["ref_area"].isin(list(ref_areas))]
        if years is not None:
            low, high = years
            frame = frame[(frame["year"] >= (low or 0)) & (frame["year"] <= (high or 9999))]
        return frame.reset_index(drop=True)

    monkeypatch.setattr(query, "definitions", lambda: DEFINITIONS)
    monkeypatch.setattr(query, "definition", lambda ident: DEFINITIONS[ident])
    monkeypatch.setattr(query, "panel", panel)
    monkeypatch.setattr(query, "areas", lambda: AREAS)
    monkeypatch.setattr(query, "area_name", lambda code: AREAS["name"].get(code, code))
    monkeypatch.setattr(
        query, "estimated_keys", lambda ident: ESTIMATED.get(ident, pd.MultiIndex.from_arrays([[], []]))
    )
    monkeypatch.setattr(query, "quality_findings", lambda: {"duplicates": []})
    _clear_caches()
    yield
    _clear_caches()


def test_peer_groups_by_kind():
    assert peer_groups.peer_group("income_group", "A").members == ("A", "B", "C")
    assert peer_groups.peer_group("world_region", "C").members == ("C", "D")
    assert peer_groups.peer_group("oecd", "C").members == ("A", "B")
    assert peer_groups.peer_group("eu27", "A").members == ("A",)
    assert peer_groups.peer_group("all", "A").members == ("A", "B", "C", "D")
    assert peer_groups.peer_group("custom", "A", custom=("C", "B", "C", "ZZZ")).members == ("C", "B")


def test_similar_gdp_takes_the_nearest_on_a_log_scale():
    # latest GDP: A 120, B 50, C 10, D 130 -> nearest to A: A itself, then D (|log 130/120|), then B
    assert peer_groups.peer_group("similar_gdp", "A", n_similar=2).members == ("A", "D")
    assert peer_groups.peer_group("similar_gdp", "A", n_similar=3).members == ("A", "B", "D")


def test_a_group_that_does_not_apply_falls_back_with_a_note():
    group = peer_groups.peer_group("income_group", "AGG")
    assert group.kind == "all" and group.members == ("A", "B", "C", "D")
    assert "has no income group" in group.notes[0]
    empty = peer_groups.peer_group("custom", "A", custom=())
    assert empty.kind == "all" and "no areas picked" in empty.notes[0]


def test_rank_among_names_missing_and_stale_areas():
    ranked, notes = ranking.rank_among("good", ("A", "B", "C", "D"))
    assert list(ranked["ref_area"]) == ["A", "B", "C"]  # 5 > 3 > 1, higher is better
    assert list(ranked["rank"]) == [1, 2, 3]
    assert any("not ranked: Dland" in n for n in notes)  # 2000 is more than 5 years before 2014
    bad, _ = ranking.rank_among("bad", ("A", "B", "C"))
    assert list(bad["ref_area"]) == ["A", "B", "C"] and list(bad["rank"]) == [1, 2, 3]  # 2 < 8 < 10, lower is better
    _, missing = ranking.rank_among("bad", ("A", "D"))
    assert missing == ["no data for Dland"]


def test_compare_table_has_the_group_median():
    table, notes = ranking.compare_table(("good", "bad"), ("A", "B", "C"))
    good = table[table["indicator"] == "good"]
    assert good["median"].unique().tolist() == [3.0] and good["n_ranked"].unique().tolist() == [3]
    assert table[table["indicator"] == "bad"]["median"].iloc[0] == 8.0
    assert notes == ()


def test_scorecard_rows_by_hand():
    card = scorecard.scorecard("A", ("A", "B", "C"), 2010).set_index("indicator")
    good = card.loc["good"]
    assert (good["value"], good["year"], good["rank"], good["n_ranked"]) == (5.0, 2014, 1, 3)
    assert good["percentile"] == 100.0 and good["peer_median"] == 3.0
    assert (good["arrow"], good["verdict"]) == ("↗", "improving")  # no target: ↑ (on track) is never claimed
    assert good["slope"] == pytest.approx(1.0)
    assert good["sparkline"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    bad = card.loc["bad"]
    # the value falls (lower is better) and has met the target: the arrow points to "better", one rule
    assert (bad["arrow"], bad["verdict"], bad["status"], bad["distance"]) == ("↑", "improving", "achieved", 0.0)
    assert bad["status_text"] == "Achieved; ↑ on track or maintaining achievement"
    gdp = card.loc["gdp_per_capita_ppp"]
    assert gdp["change_pct"] == pytest.approx(20.0)


def test_scorecard_trend_verdicts_follow_direction_and_ci():
    b = scorecard.scorecard("B", ("A", "B", "C"), 2010).set_index("indicator")
    assert (b.loc["good", "arrow"], b.loc["good", "verdict"]) == ("→", "no clear change")  # flat: CI includes 0
    # falls 0.5/yr, needs (8 - 2) / 16 = 0.375/yr: on track, but 6 of 8 still to go (75%): major challenges
    assert (b.loc["bad", "arrow"], b.loc["bad", "status"]) == ("↑", "major_challenges")
    c = scorecard.scorecard("C", ("A", "B", "C"), 2010).set_index("indicator")
    assert (c.loc["good", "arrow"], c.loc["good", "verdict"]) == ("↓", "worsening")
    assert c.loc["good", "percentile"] == 0.0
    assert (c.loc["bad", "arrow"], c.loc["bad", "verdict"], c.loc["bad", "status"]) == (
        "→",
        "no clear change",
        "major_challenges",
    )


def test_a_place_outside_its_peer_group_is_ranked_as_if_it_were_in_it():
    card = scorecard.scorecard("C", ("A", "B"), 2010).set_index("indicator")
    assert (card.loc["good", "rank"], card.loc["good", "n_ranked"]) == (3, 3)
    assert card.loc["good", "peer_median"] == 4.0  # median of A (5) and B (3) only


def test_too_few_points_means_no_trend():
    card = scorecard.scorecard("A", ("A", "B", "C"), 2013).set_index("indicator")  # two values since 2013
    assert card.loc["good", "verdict"] == "too few points" and card.loc["good", "arrow"] == ""


def test_headline_counts_and_names_what_it_could_not_count():
    card = scorecard.scorecard("A", ("A", "B", "C"), 2010)
    sentence, coverage = headline.headline(card, "A", 2010)
    assert sentence == (
        "Since 2010, GDP per capita in Aland rose 20% (to 2014); of 2 wellbeing indicators with a trend since "
        "2010, 2 improved, 0 worsened and 0 show no clear change."
    )
    assert coverage == ""
    d_card = scorecard.scorecard("D", ("A", "B", "C", "D"), 2010)
    d_sentence, d_coverage = headline.headline(d_card, "D", 2010)
    assert "no wellbeing indicator has enough data since 2010" in d_sentence
    assert "Latest value more than 5 years before 2014: Good (2000)" in d_coverage
    assert "No data: Bad." in d_coverage


def test_per_capita_pairs_only_when_both_forms_exist(monkeypatch):
    assert measures.per_capita_pairs() == {}
    assert measures.other_form("good", "total") == "good"
    both = DEFINITIONS | {
        "co2_per_capita": _definition("co2_per_capita", "climate", "lower_is_better"),
        "co2_territorial_total": _definition("co2_territorial_total", "climate", "lower_is_better", measure="size"),
    }
    monkeypatch.setattr(query, "definitions", lambda: both)
    assert measures.other_form("co2_per_capita", "total") == "co2_territorial_total"
    assert measures.other_form("co2_territorial_total", "per_capita") == "co2_per_capita"
    assert "co2_territorial_total" not in [d.id for d in measures.scorecard_definitions("country")]


def test_the_scorecard_marks_a_latest_value_the_publisher_estimated():
    estimated = {
        area: scorecard.scorecard(area, ("A", "B", "C"), 2010).set_index("indicator").at["bad", "estimated"]
        for area in ("A", "C")
    }
    assert estimated == {"A": False, "C": True}


def test_headline_without_a_change_says_why():
    """Two GDP values since 2013 are fewer than a trend needs; the sentence lists them instead of denying the series."""
    card = scorecard.scorecard("A", ("A", "B", "C"), 2013)
    sentence, _ = headline.headline(card, "A", 2013)
    assert sentence.startswith(
        "GDP per capita for Aland has 2 values since 2013 (2013, 2014), fewer than the 3 a trend needs; "
        "no change can be computed"
    )
    late = headline.headline(scorecard.scorecard("A", ("A", "B", "C"), 2020), "A", 2020)[0]
    assert late.startswith("GDP per capita for Aland ends in 2014, before 2020;")
