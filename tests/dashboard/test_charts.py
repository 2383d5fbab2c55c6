"""Chart builders return valid Vega-Lite that survives a JSON round trip and renders."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from dashboard.pages.trajectories import charts
from dashboard.theme import MAX_ROWS, TooManyRowsError
from tests.dashboard.support import check_golden

FRAME = pd.DataFrame(
    {
        "ref_area": ["SWE", "SWE", "USA", "USA"],
        "name": ["Sweden", "Sweden", "USA", "USA"],
        "year": [2000, 2001, 2000, 2001],
        "value": [5.5, 5.2, 20.1, 19.8],
    }
)
LATEST = pd.DataFrame(
    {"ref_area": ["SWE", "USA"], "name": ["Sweden", "USA"], "year": [2001, 2001], "value": [5.2, 19.8], "rank": [1, 2]}
)


def _roundtrip(chart: alt.TopLevelMixin) -> dict:
    spec = chart.to_dict(validate=True)
    again = json.loads(json.dumps(spec))
    assert again == spec
    assert alt.Chart.from_dict(again) if "layer" not in again else alt.LayerChart.from_dict(again)
    return spec


@pytest.mark.parametrize("scale", ["linear", "log", "indexed"])
def test_trajectory_chart_is_valid_vega_lite(scale):
    spec = _roundtrip(charts.trajectory_chart(FRAME, title="CO2", unit="t", scale=scale, base_year=2000))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = next(iter(spec["datasets"].values()))
    assert len(values) == 4
    assert spec["layer"][0]["encoding"]["tooltip"]
    assert vlc.vegalite_to_svg(json.dumps(spec)).startswith("<svg")


def test_context_lines_are_grey_and_drawn_first():
    context = FRAME.assign(ref_area=["DEU"] * 4, name=["Germany"] * 4)
    spec = _roundtrip(charts.trajectory_chart(FRAME, title="CO2", unit="t", context=context))
    assert spec["layer"][0]["mark"]["color"] == "#BBBBBB"


def test_ranked_chart_orders_by_rank_and_draws_the_median():
    spec = _roundtrip(charts.ranked_chart(LATEST, title="CO2", unit="t", higher_is_better=False, median=10.0))
    assert spec["layer"][0]["encoding"]["y"]["sort"] == {"field": "rank", "order": "ascending"}
    assert any(layer.get("mark", {}).get("strokeDash") for layer in spec["layer"])
    assert vlc.vegalite_to_svg(json.dumps(spec)).startswith("<svg")


def test_too_many_rows_is_refused_not_truncated():
    big = pd.DataFrame({"ref_area": "X", "name": "X", "year": range(MAX_ROWS + 1), "value": 1.0})
    with pytest.raises(TooManyRowsError, match="no rows are dropped"):
        charts.trajectory_chart(big, title="big", unit="t")


def test_text_alternatives_name_every_line():
    text = charts.describe_trajectories(FRAME, "CO2", "t")
    assert "Sweden: 5.5 in 2000 to 5.2 in 2001" in text and "USA" in text
    assert "1. Sweden 5.2 (2001)" in charts.describe_ranking(LATEST, "CO2", "t")


#: Synthetic (test-only) lines for twelve places: more series than the palette has colours.
TWELVE = pd.DataFrame(
    {
        "ref_area": [f"A{i:02d}" for i in range(12) for _ in (0, 1)],
        "name": [f"Place {i:02d}" for i in range(12) for _ in (0, 1)],
        "year": [2000, 2001] * 12,
        "value": [float(i + j) for i in range(12) for j in (0, 1)],
    }
)


def test_more_series_than_colours_are_still_told_apart():
    spec = _roundtrip(charts.trajectory_chart(TWELVE, title="Synthetic — twelve places, 2000–2001", unit="u"))
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    colours = line["encoding"]["color"]["scale"]
    dashes = line["encoding"]["strokeDash"]["scale"]
    names = colours["domain"]
    assert names == dashes["domain"] and len(names) == 12
    styles = {(c, tuple(d)) for c, d in zip(colours["range"], dashes["range"], strict=True)}
    assert len(styles) == 12, "the ninth place must not look like the first"
    check_golden("trajectory_twelve", spec)


def _drawn_width(chart: alt.TopLevelMixin) -> float:
    svg = vlc.vegalite_to_svg(json.dumps(chart.to_dict()))
    return float(svg.split('width="', 1)[1].split('"', 1)[0])


def test_a_legend_of_long_names_never_widens_the_chart_beyond_a_phones_width():
    """Synthetic values under Global Data Lab's longest region names (111 characters): two legend columns of
    them overflowed a 400 px phone and pushed one entry out of sight. One column, labels cut at the chart's
    width (the tooltip keeps the full name)."""
    names = [
        "Kazakhstan - North region (Akmolinskaya (incl Astana city), Kostnaiskaya, Pavlodarskaya, North-Kaz)",
        "Paraguay - North-West (Boqueron, Alto Paraguay, Presidente Hayes, Conception, Amambay, San pedro)",
        "Algeria - Nord Centre (Alger, Blida, Boumerdes, Tipaza, Bouira, Medea, Tizi-Ouzou, Bejaia, Chlef)",
    ]
    rows = [(f"R{i}", name, year, 60.0 + i + year / 100) for i, name in enumerate(names) for year in (2000, 2001)]
    long_names = pd.DataFrame(rows, columns=["ref_area", "name", "year", "value"])
    short = long_names.assign(name=long_names["ref_area"])
    phone = 330  # the plot's width in a 400 px window
    drawn = {
        label: _drawn_width(charts.trajectory_chart(frame, title="t", unit="years").properties(width=phone))
        for label, frame in (("long", long_names), ("short", short))
    }
    assert drawn["long"] == drawn["short"], drawn
    legend = charts.trajectory_chart(long_names, title="t", unit="years").to_dict()["layer"][0]["encoding"]["color"]
    assert legend["legend"]["columns"] == 1
    assert (
        charts.trajectory_chart(short, title="t", unit="years").to_dict()["layer"][0]["encoding"]["color"]["legend"][
            "columns"
        ]
        == charts.LEGEND_COLUMNS
    )


def test_the_legend_shows_the_label_column_and_the_tooltip_the_full_name():
    frame = pd.DataFrame(
        {"ref_area": ["R1", "R1"], "name": ["North (a, b, c)", "North (a, b, c)"], "year": [2000, 2001]}
    ).assign(value=[1.0, 2.0], label="North")
    spec = charts.trajectory_chart(frame, title="t", unit="u").to_dict()
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["color"]["field"] == "label" and line["encoding"]["color"]["scale"]["domain"] == ["North"]
    assert {"field": "name", "title": "Area", "type": "nominal"} in line["encoding"]["tooltip"]


def test_ranking_is_dots_without_stems_from_an_arbitrary_floor():
    spec = _roundtrip(
        charts.ranked_chart(
            LATEST,
            title="CO2: latest values of Sweden and USA ranked",
            unit="t",
            higher_is_better=False,
            highlight=["SWE"],
        )
    )
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert "rule" not in marks and "bar" not in marks, "a stem would start at the smallest value, not at zero"
    assert "circle" in marks
    check_golden("trajectory_ranking", spec)


def test_numbers_drawn_for_people_are_never_in_e_notation():
    """Compare's highlighted value label (and every tooltip format) is written 22,610 or 82.8, never 2.26e+4:
    the chart is rendered to SVG and its text read."""
    from dashboard.pages.compare import charts as compare_charts

    ranked = pd.DataFrame(
        {
            "ref_area": ["SWE", "DEU", "NGA"],
            "name": ["Sweden", "Germany", "Nigeria"],
            "year": [2023, 2023, 2023],
            "value": [22_612.0, 43_104.2, 82.8],
            "rank": [2.0, 1.0, 3.0],
        }
    )
    chart = compare_charts.ranked_dots(
        ranked, title="Income", unit="$", higher_is_better=True, highlight=["SWE", "DEU", "NGA"], median=22_612.0
    )
    svg = vlc.vegalite_to_svg(chart.to_dict())
    assert "e+" not in svg
    assert "22,610" in svg and "43,100" in svg and ">82.8<" in svg
    formats = {f for f in _formats(chart.to_dict())}
    assert formats and not any(f.endswith("g") or f.endswith("e") for f in formats), formats


def _formats(node) -> list[str]:
    """Every ``format`` string of a Vega-Lite spec (tooltips, text, axes, legends)."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found.append(node["format"])
        for value in node.values():
            found += _formats(value)
    elif isinstance(node, list):
        for value in node:
            found += _formats(value)
    return found


def test_titles_fit_a_one_third_column_and_the_legend_wraps():
    """With GDP alongside, Trajectories draws three charts abreast (about 300 px each); a title line longer
    than that was cut with "…" ("Life expectancy — Sweden, US…"), and four legend entries a row lost China."""
    title = "Life expectancy — Sweden, USA and 4 more, 1990–2025"
    line = charts.trajectory_chart(FRAME, title=title, unit="years", scale="linear", base_year=None).to_dict()
    ranked = charts.ranked_chart(
        LATEST,
        title="Life expectancy: latest values of Sweden, USA and 4 more ranked",
        unit="years",
        higher_is_better=True,
    ).to_dict()
    for spec in (line, ranked):
        heading = spec["title"]
        lines = heading["text"] if isinstance(heading["text"], list) else [heading["text"]]
        subtitles = heading.get("subtitle", [])
        subtitles = subtitles if isinstance(subtitles, list) else [subtitles]
        assert " ".join(lines).replace("  ", " ").startswith("Life expectancy")
        assert all(len(t) <= charts.COLUMN_TITLE_CHARS for t in lines), lines
        assert all(len(t) <= charts.COLUMN_SUBTITLE_CHARS for t in subtitles), subtitles
    assert " ".join(ranked["title"]["subtitle"]).endswith("year at right")
    legends = [
        layer["encoding"]["color"]["legend"]
        for layer in line["layer"]
        if "legend" in layer["encoding"].get("color", {})
    ]
    assert legends and all(legend["columns"] == charts.LEGEND_COLUMNS <= 2 for legend in legends)


def test_a_ranking_of_one_value_has_a_readable_axis():
    """Vega labels the single tick of a one-value axis with all its decimals ("65,596.663520"); the value axes carry
    the human format."""
    one = pd.DataFrame({"ref_area": ["SWE"], "name": ["Sweden"], "year": [2025], "value": [65_596.66352], "rank": [1]})
    svg = vlc.vegalite_to_svg(
        charts.ranked_chart(one, title="GDP", unit="$", higher_is_better=True).properties(width=300).to_dict()
    )
    assert "65,596.66" not in svg and "65,600" in svg


def test_a_label_gets_its_unit_once():
    from dashboard.theme import label_unit

    assert label_unit("Regional GDP per inhabitant (PPS)", "PPS/inhabitant") == "Regional GDP per inhabitant (PPS)"
    assert label_unit("Life expectancy (TL2)", "years") == "Life expectancy (TL2) (years)"
    assert label_unit("Unemployment rate (regional)", "%") == "Unemployment rate (regional) (%)"
    assert label_unit("Years of schooling", "years") == "Years of schooling (years)"  # no unit in brackets
    assert label_unit("Life expectancy", "") == "Life expectancy"
