"""Map builders and data: valid Vega-Lite that renders, every area accounted for, URL state parsed safely."""

from __future__ import annotations

import json

import pytest
import vl_convert as vlc

from dashboard.pages.maps import charts as map_charts
from dashboard.pages.maps import data as maps
from dashboard.pages.maps.state import MapView, parse_map
from indicators import query


def _chart(indicator: str, level: str, year: int | None = None, country: str | None = None):
    data = maps.map_data(indicator, level, year, country)
    item = query.definition(indicator)
    chart = map_charts.choropleth(
        data.lookup,
        data.geometry,
        title=item.label,
        unit=item.unit,
        higher_is_better=maps.higher_is_better(indicator),
        year=int(data.shown["year"].iloc[0]),
        width=600,
        height=360,
    )
    return data, chart


@pytest.mark.parametrize(
    ("indicator", "level", "country"),
    [("life_expectancy", "country", None), ("nuts2_arope_rate", "nuts2", None), ("gdl_shdi", "gdl_region", "KEN")],
)
def test_choropleth_is_valid_vega_lite_and_renders(indicator, level, country):
    data, chart = _chart(indicator, level, country=country)
    spec = json.loads(json.dumps(chart.to_dict()))  # validates against the schema, survives JSON
    layer = spec["layer"][0]
    assert layer["mark"]["type"] == "geoshape" and layer["data"]["format"] == data.geometry.format
    assert spec["config"]["scale"]["invalid"]["color"]["value"] == map_charts.NO_DATA_COLOUR
    svg = vlc.vegalite_to_svg(spec)
    assert svg.count("<path") > 20
    assert map_charts.NO_DATA_LABEL in svg and query.definition(indicator).unit.split(" ")[0] in svg


def test_darker_is_better_in_both_directions():
    assert map_charts.colour_scale(True).to_dict()["reverse"] is True  # high values dark
    assert map_charts.colour_scale(False).to_dict()["reverse"] is False  # low values dark (viridis starts dark)


def test_every_area_with_data_is_drawn_listed_or_outside_the_frame():
    data = maps.map_data("nuts2_arope_rate", "nuts2", 2010)
    shown = set(data.shown["ref_area"])
    drawn = set(data.lookup.dropna(subset=["value"])["shape_id"])
    assert shown == drawn | set(data.without_shape) | set(data.outside_frame)
    assert {"IE01", "SI01"} <= set(data.without_shape)
    assert "new boundaries" in data.without_shape["IE01"]
    assert set(data.lookup["shape_id"]) == set(data.geometry.codes), "one lookup row per shape, with or without data"
    assert data.shown["value"].notna().all()


def test_tl2_map_draws_european_regions_with_nuts_shapes_and_lists_the_rest():
    data = maps.map_data("tl2_life_satisfaction", "tl2")
    assert "FRF2" in data.geometry.codes  # TL2 FR21 (Champagne-Ardenne) drawn with its NUTS 2021 shape
    assert "DE1" in data.geometry.codes  # German TL2 = NUTS 1
    assert "US06" in data.without_shape and "AU1" in data.without_shape
    assert "US06" in set(data.shown["ref_area"])


def test_country_filter_keeps_only_that_countrys_shapes():
    data = maps.map_data("nuts2_unemployment_rate", "nuts2", 2015, "FRA")
    assert data.geometry.codes and all(code.startswith("FR") for code in data.geometry.codes)
    assert set(data.outside_frame) == {"FRY1", "FRY2", "FRY3", "FRY4", "FRY5"}
    greek = maps.geometry("nuts2", "GRC")
    assert greek.codes and all(code.startswith("EL") for code in greek.codes)
    gdl = maps.map_data("gdl_shdi", "gdl_region", 2019, "IND")
    assert gdl.geometry.codes and all(code.startswith("IND") for code in gdl.geometry.codes)


def test_geometry_is_loaded_once_per_process():
    assert maps.geometry("gdl_region") is maps.geometry("gdl_region")


def test_default_year_skips_a_sparse_last_year():
    years, default = maps.map_years("nuts2_arope_rate", "nuts2")
    frame = maps.level_panel("nuts2_arope_rate", "nuts2")
    counts = frame.groupby("year")["ref_area"].nunique()
    assert default in years and counts[default] >= counts.max() / 2


def test_ranking_puts_the_best_first():
    data = maps.map_data("nuts2_arope_rate", "nuts2", 2010)
    ranked = maps.ranking(data.shown, higher_is_better=False)
    assert ranked["rank"].iloc[0] == 1 and ranked["value"].iloc[0] == data.shown["value"].min()


def test_describe_map_names_extremes():
    data = maps.map_data("gdl_shdi", "gdl_region", 2019, "IND")
    text = map_charts.describe_map(data.shown, title="SHDI", unit="index", year=2019, shapes=len(data.geometry.codes))
    best = data.shown.sort_values("value").iloc[-1]["name"]
    assert "2019" in text and best in text


OPTIONS = {"country": ["life_expectancy", "gini_index"], "nuts2": ["nuts2_arope_rate"], "tl2": ["tl2_pm25"]}


def test_parse_map_defaults_and_round_trip():
    view = parse_map({}, indicators=OPTIONS)
    assert (view.level, view.indicator, view.year, view.country, view.notices) == (
        "country",
        "life_expectancy",
        None,
        None,
        (),
    )
    view = MapView(level="nuts2", indicator="nuts2_arope_rate", year=2012, country="FRA")
    again = parse_map(view.to_query(), indicators=OPTIONS, countries={"nuts2": ["FRA"]}, years=lambda i: (2003, 2016))
    assert again == view and again.notices == ()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "bogus"}, "'level' must be one of"),
        ({"level": "nuts2", "ind": "life_expectancy"}, "no indicator 'life_expectancy' at this level"),
        ({"year": "<script>"}, "'year' must be a year"),
        ({"year": "1700"}, "outside the data"),
        ({"country": "FRA"}, "only applies to regions"),
        ({"level": "nuts2", "country": "XXX"}, "unknown area code"),
        ({"zoom": "3"}, "unknown parameter"),
    ],
)
def test_parse_map_bad_values_give_notices(params, expected):
    view = parse_map(params, indicators=OPTIONS, countries={"nuts2": ["FRA"]}, years=lambda i: (1990, 2020))
    assert any(expected in n for n in view.notices), view.notices
