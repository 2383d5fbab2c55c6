"""Derived measures, units and the safe formula language, on numbers checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.methods import derived, units
from indicators.methods.expression import FormulaError, evaluate, names_in, unit_of
from indicators.methods.registry import UnknownMethodError


def s(pairs: dict[tuple[str, int], float]) -> pd.Series:
    return pd.Series(pairs, dtype=float).rename_axis(["ref_area", "year"])


GDP = s({("A", 2000): 100, ("A", 2001): 110, ("A", 2002): 121, ("B", 2000): 50, ("B", 2002): 60})
CO2 = s({("A", 2000): 10, ("A", 2001): 10, ("A", 2002): 9, ("B", 2000): 5, ("B", 2002): 7})


# --- units ---------------------------------------------------------------------------------


def test_unit_algebra():
    assert units.divide("t", "USD") == "t/USD"
    assert units.normalise_unit("tonnes per capita") == "t/person"
    assert units.multiply("t/person", "person") == "t"
    assert units.divide("%", "percent") == "1"
    assert units.per_person("kg") == "kg/person"
    assert units.divide("kg/USD", "USD") == "kg/USD^2"
    assert units.add("%", "%", "-") == "pp"
    assert units.add("t/person", "tonnes per person", "+") == "t/person"
    with pytest.raises(units.UnitError, match="'t' and 'USD'"):
        units.add("t", "USD")


# --- transforms ----------------------------------------------------------------------------


def test_growth_rate_respects_calendar_gaps():
    growth = derived.growth_rate(GDP)
    assert growth[("A", 2001)] == pytest.approx(10.0)
    assert growth[("A", 2002)] == pytest.approx(10.0)
    assert np.isnan(growth[("A", 2000)])
    assert np.isnan(growth[("B", 2002)])  # 2001 missing: no silent 2-year growth


def test_cagr_index_rolling_mean():
    assert derived.cagr(GDP, years=2)[("A", 2002)] == pytest.approx(10.0)  # 100 -> 121 in 2 years
    assert derived.cagr(GDP, years=2)[("B", 2002)] == pytest.approx(100 * (np.sqrt(60 / 50) - 1))
    idx = derived.index(GDP, base_year=2000)
    assert idx[("A", 2002)] == pytest.approx(121.0) and idx[("B", 2002)] == pytest.approx(120.0)
    roll = derived.rolling_mean(GDP, window=2)
    assert roll[("A", 2001)] == pytest.approx(105.0)
    assert np.isnan(roll[("B", 2002)])  # 2001 missing, not averaged over what is there
    assert derived.cagr_between(GDP, 2000, 2002)["A"] == pytest.approx(10.0)


def test_per_capita_per_gdp_gap():
    pop = s({("A", 2000): 4.0})
    assert derived.per_capita(s({("A", 2000): 10.0}), pop)[("A", 2000)] == 2.5
    assert derived.per_gdp(CO2, GDP)[("A", 2002)] == pytest.approx(9 / 121)
    assert derived.gap(CO2, GDP)[("B", 2000)] == -45


def test_decoupling_factor_by_hand():
    # A: CO2/GDP 10/100 = 0.1 -> 9/121; DF = 1 - (9/121)/0.1 = 1 - 0.7438 = 0.2562
    # B: 5/50 = 0.1 -> 7/60 = 0.11667; DF = 1 - 1.16667 = -0.16667
    factor = derived.decoupling_factor(CO2, GDP, 2000, 2002)
    assert factor["A"] == pytest.approx(1 - (9 / 121) / 0.1)
    assert factor["A"] == pytest.approx(0.256198, abs=1e-6)
    assert factor["B"] == pytest.approx(-1 / 6)


def test_decoupling_status_absolute_relative_none():
    gdp = s(
        {
            ("abs", 2000): 100,
            ("abs", 2010): 150,
            ("rel", 2000): 100,
            ("rel", 2010): 150,
            ("none", 2000): 100,
            ("none", 2010): 150,
            ("shrink", 2000): 100,
            ("shrink", 2010): 90,
        }
    )
    co2 = s(
        {
            ("abs", 2000): 10,
            ("abs", 2010): 8,
            ("rel", 2000): 10,
            ("rel", 2010): 12,
            ("none", 2000): 10,
            ("none", 2010): 16,
            ("shrink", 2000): 10,
            ("shrink", 2010): 8,
        }
    )
    status = derived.decoupling_status(co2, gdp, 2000, 2010)
    assert status["status"].to_dict() == {"abs": "absolute", "none": "none", "rel": "relative", "shrink": "none"}
    assert status.loc["rel", "pressure_change"] == pytest.approx(0.2)
    assert status.loc["rel", "decoupling_factor"] == pytest.approx(1 - 0.08 / 0.1)


def test_panel_round_trip():
    panel = pd.DataFrame(
        {
            "indicator": ["x", "x", "y"],
            "ref_area": ["A", "A", "A"],
            "year": [2000, 2001, 2000],
            "value": [1.0, 2.0, 3.0],
        }
    )
    series = derived.series_from_panel(panel, "x")
    assert series.tolist() == [1.0, 2.0]
    assert derived.series_to_panel(series, "x").equals(panel.iloc[:2].reset_index(drop=True))
    with pytest.raises(KeyError, match="'z' has no rows"):
        derived.series_from_panel(panel, "z")


# --- formulas ------------------------------------------------------------------------------

VARS = {"co2_consumption": CO2 * 1.5, "co2_territorial": CO2, "gdp": GDP, "population": s({("A", 2000): 2.0})}
UNITS = {"co2_consumption": "t", "co2_territorial": "tonnes", "gdp": "USD", "population": "persons"}


def test_formula_values_and_units():
    result = evaluate("co2_consumption - co2_territorial", VARS, UNITS)
    assert result.unit == "t"
    assert result.values[("A", 2002)] == pytest.approx(4.5)
    result = evaluate("co2_territorial / population * 1000", VARS, UNITS)
    assert result.unit == "t/person" and result.values[("A", 2000)] == 5000
    assert evaluate("per_gdp(co2_territorial, gdp)", VARS, UNITS).unit == "t/USD"
    assert evaluate("-(co2_territorial)", VARS, UNITS).values[("A", 2000)] == -10
    assert evaluate("growth_rate(gdp)", VARS, UNITS).values[("A", 2001)] == pytest.approx(10)
    assert evaluate("rolling_mean(gdp, window=2)", VARS, UNITS).values[("A", 2002)] == pytest.approx(115.5)
    assert evaluate("index(gdp, 2000)", VARS, UNITS).unit == "index"
    assert unit_of("100 - growth_rate(gdp)", UNITS) == "%"
    assert unit_of("growth_rate(gdp) - growth_rate(co2_territorial)", UNITS) == "pp"
    assert names_in("per_capita(co2_consumption, population) - co2_territorial") == [
        "co2_consumption",
        "population",
        "co2_territorial",
    ]


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os')", "'__import__' .* not an allowed transform"),
        ("a.b", "Attribute is not allowed.*'a.b'"),
        ("x[0]", "Subscript is not allowed.*'x\\[0\\]'"),
        ("(lambda: 1)()", "only calls to named transforms.*lambda"),
        ("'text'", "only numeric constants"),
        ("gdp ** 2", "only \\+ - \\* / are allowed"),
        ("[g for g in gdp]", "ListComp is not allowed"),
        ("__class__", "names starting with '_'"),
        ("open(gdp)", "'open' .* not an allowed transform; allowed transforms: cagr, decoupling, difference"),
        ("gdp if gdp else 1", "IfExp is not allowed"),
        ("gdp +", "not valid"),
        ("", "non-empty"),
        ("growth_rate(gdp, years=gdp)", "keyword arguments must be name=number"),
    ],
)
def test_unsafe_or_invalid_formulas_are_refused(formula, message):
    with pytest.raises(FormulaError, match=message):
        evaluate(formula, VARS, UNITS)


def test_formula_unit_mismatch_names_both_units():
    with pytest.raises(units.UnitError, match="'t' and 'USD'"):
        evaluate("co2_territorial - gdp", VARS, UNITS)
    with pytest.raises(units.UnitError, match="population in persons"):
        unit_of("per_capita(gdp, co2_territorial)", UNITS)


def test_formula_unknown_name_and_wrong_arity():
    with pytest.raises(FormulaError, match="unknown indicator 'nope'"):
        evaluate("nope + gdp", VARS, UNITS)
    with pytest.raises(FormulaError, match="takes 2 indicator"):
        evaluate("ratio(gdp)", VARS, UNITS)
    with pytest.raises(FormulaError, match="has no parameter 'size'"):
        evaluate("rolling_mean(gdp, size=2)", VARS, UNITS)


def test_unknown_period_measure_names_valid_ones():
    from indicators.methods.registry import lookup

    with pytest.raises(UnknownMethodError, match="valid period measure methods are: cagr_between, decoupling_factor"):
        lookup(derived.PERIOD_MEASURES, "decouple", "period measure")


def test_rolling_decoupling_factor_by_hand():
    """CO2 100 -> 80 while GDP 100 -> 120 over 10 years: intensity 1 -> 2/3, factor 1 - 2/3 = 1/3."""
    import pandas as pd

    from indicators.methods.derived import decoupling

    index = pd.MultiIndex.from_tuples([("A", 2000), ("A", 2010)], names=["ref_area", "year"])
    factor = decoupling(pd.Series([100.0, 80.0], index), pd.Series([100.0, 120.0], index), years=10)
    assert factor.loc[("A", 2010)] == pytest.approx(1 / 3)
    assert pd.isna(factor.loc[("A", 2000)])


def test_absolute_and_relative_decoupling_on_real_data():
    """Sweden's territorial CO2 fell while its GDP grew from 2000 to 2019: absolute decoupling."""
    from indicators import query

    table = query.decoupling("co2_territorial_total", "gdp_total_usd", 2000, 2019, ["SWE", "IND"]).set_index("ref_area")
    assert table.at["SWE", "status"] == "absolute"
    assert table.at["SWE", "pressure_change"] < 0 < table.at["SWE", "driver_change"]
    assert table.at["IND", "status"] in {"relative", "none"}
