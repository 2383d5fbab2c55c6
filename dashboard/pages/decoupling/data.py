"""Decoupling page: view -> data. Trails of (GDP per person, measure) by year, and verdicts per place.

A verdict compares how the measure changed with how GDP per person changed over the same years,
in the bands of Tapio (2005) on the elasticity ``e = %Δ measure / %Δ GDP``: *absolute decoupling*
(GDP grew, the measure fell), *relative decoupling* (0 ≤ e < 0.8), *coupled* (0.8 ≤ e ≤ 1.2) and
*recoupling* (e > 1.2). When GDP per person did not grow the verdict is *no GDP growth*: decoupling is
judged against growth. The OECD (2002) decoupling factor ``1 − (EP/DF)_end / (EP/DF)_start`` is shown
beside it (positive: less of the measure per unit of GDP). Verdicts are given for pressures
(emissions, materials, energy) only; for a wellbeing measure the page shows the two rates of change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.pages.decoupling.state import DEFAULT_START, DecouplingView
from indicators import query
from indicators.schema import Direction

#: Tapio (2005) elasticity bands: below COUPLED_LOW relative decoupling, above COUPLED_HIGH recoupling.
COUPLED_LOW, COUPLED_HIGH = 0.8, 1.2
VERDICTS = {
    "absolute": "Absolute decoupling",
    "relative": "Relative decoupling",
    "coupled": "Coupled",
    "recoupling": "Recoupling",
    "no_growth": "No GDP growth",
}
VERDICT_MEANING = {
    "absolute": "GDP per person grew while the measure fell",
    "relative": "the measure grew, but less than 0.8 times as fast as GDP per person",
    "coupled": "the measure grew about as fast as GDP per person (0.8–1.2 times)",
    "recoupling": "the measure grew more than 1.2 times as fast as GDP per person",
    "no_growth": "GDP per person did not grow, so decoupling cannot be judged",
}
VERDICT_SOURCE = (
    "Verdicts: elasticity bands of Tapio (2005), Transport Policy 12(2) 137–151; "
    "decoupling factor: OECD (2002), Indicators to measure decoupling of environmental pressure from economic growth"
)
#: Territorial and consumption-based CO2 per person: shown side by side when either is chosen.
TERRITORIAL, CONSUMPTION = "co2_per_capita", "co2_consumption_per_capita"
PRESSURE_THEMES = ("climate", "circular")


def is_pressure(indicator_id: str) -> bool:
    """Emissions, materials and energy: less is better and the theme is climate or circular."""
    item = query.definition(indicator_id)
    return item.theme in PRESSURE_THEMES and item.direction == Direction.lower_is_better


def classify(measure_change: float, gdp_change: float) -> str | None:
    """The verdict for relative changes over one period (0.1 = +10%); None when either is missing."""
    if not (np.isfinite(measure_change) and np.isfinite(gdp_change)):
        return None
    if gdp_change <= 0:
        return "no_growth"
    if measure_change < 0:
        return "absolute"
    elasticity = measure_change / gdp_change
    if elasticity < COUPLED_LOW:
        return "relative"
    return "coupled" if elasticity <= COUPLED_HIGH else "recoupling"


def _pairs(x_id: str, y_id: str, areas: list[str] | None, years: tuple[int, int]) -> pd.DataFrame:
    """``ref_area, name, year, x, y`` where both measures have a value, ordered by place and year."""
    frame = query.panel([x_id, y_id], areas, years)
    wide = frame.pivot_table(index=["ref_area", "year"], columns="indicator", values="value", aggfunc="first")
    if wide.empty or x_id not in wide or y_id not in wide:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(
                    ("ref_area", "name", "year", "x", "y"), ("str", "str", "int64", "float64", "float64"), strict=True
                )
            }
        )
    wide = wide[[x_id, y_id]].dropna().reset_index().rename(columns={x_id: "x", y_id: "y"})
    wide.columns.name = None
    wide.insert(1, "name", wide["ref_area"].map(query.area_name))
    return wide[["ref_area", "name", "year", "x", "y"]]


def years_shown(view: DecouplingView) -> tuple[int, int]:
    """The link's years, else from :data:`DEFAULT_START` (or the first year both measures have) to the last."""
    x_first, x_last = query.year_range(view.x)
    y_first, y_last = query.year_range(view.y)
    first, last = max(x_first, y_first), min(x_last, y_last)
    start = view.start if view.start is not None else max(first, DEFAULT_START)
    end = view.end if view.end is not None else last
    return start, end


def trails(view: DecouplingView) -> tuple[pd.DataFrame, list[str]]:
    """The chosen places' trails, in the link's order, and notes on places without both series."""
    years = years_shown(view)
    frame = _pairs(view.x, view.y, list(view.areas), years)
    order = {code: i for i, code in enumerate(view.areas)}
    frame = frame.assign(_order=frame["ref_area"].map(order)).sort_values(["_order", "year"]).drop(columns="_order")
    missing = [a for a in view.areas if a not in set(frame["ref_area"])]
    notes = []
    if missing:
        notes.append(
            f"no years with both {query.definition(view.x).label} and {query.definition(view.y).label} for "
            f"{', '.join(query.area_name(a) for a in missing)} in {years[0]}–{years[1]}"
        )
    return frame.reset_index(drop=True), notes


def context_areas(view: DecouplingView) -> list[str]:
    """The grey context: every other country, or every other region of the chosen places' countries
    (all Global Data Lab regions would be more rows than a chart draws)."""
    table = query.areas()
    level = view.level
    others = table[(table["level"] == level) & ~table["is_aggregate"].fillna(False).astype(bool)]
    if level == "gdl_region":
        countries = set(table.loc[table.index.intersection(list(view.areas)), "country"].dropna())
        others = others[others["country"].isin(countries)]
    return sorted(set(others["ref_area"]) - set(view.areas))


def context(view: DecouplingView) -> pd.DataFrame:
    return _pairs(view.x, view.y, context_areas(view), years_shown(view))


def _cagr(change: pd.Series, years: pd.Series) -> pd.Series:
    """Average annual change (compound) from a total relative change over ``years`` years."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((1.0 + change) ** (1.0 / years) - 1.0).where(years > 0)


def verdicts(view: DecouplingView, measures: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per place and measure over the place's first and last common year in the period.

    Columns: ``ref_area, name, measure, measure_label, first_year, last_year, gdp_change,
    measure_change`` (relative, 0.1 = +10%), ``gdp_per_year, measure_per_year`` (compound annual
    change), ``decoupling_factor`` (OECD) and ``verdict`` (a key of :data:`VERDICTS`; None for a
    wellbeing measure, whose direction of good is the other way round).
    """
    measures = measures or verdict_measures(view)
    rows = []
    for measure in measures:
        pairs = _pairs(view.x, measure, list(view.areas), years_shown(view))
        for code, group in pairs.groupby("ref_area", sort=False):
            first, last = group.iloc[0], group.iloc[-1]
            if int(last["year"]) <= int(first["year"]):
                continue
            rows.append(
                {
                    "ref_area": code,
                    "name": first["name"],
                    "measure": measure,
                    "measure_label": query.definition(measure).label,
                    "first_year": int(first["year"]),
                    "last_year": int(last["year"]),
                    "gdp_change": last["x"] / first["x"] - 1.0,
                    "measure_change": last["y"] / first["y"] - 1.0,
                }
            )
    columns = [
        "ref_area",
        "name",
        "measure",
        "measure_label",
        "first_year",
        "last_year",
        "gdp_change",
        "measure_change",
    ]
    table = pd.DataFrame(rows, columns=columns)
    span = table["last_year"] - table["first_year"]
    table["gdp_per_year"] = _cagr(table["gdp_change"], span)
    table["measure_per_year"] = _cagr(table["measure_change"], span)
    # OECD factor from the same two years: 1 - (EP/DF)_end / (EP/DF)_start.
    table["decoupling_factor"] = 1.0 - (1.0 + table["measure_change"]) / (1.0 + table["gdp_change"])
    judged = table["measure"].map(is_pressure).astype(bool)
    table["decoupling_factor"] = table["decoupling_factor"].where(judged)
    table["verdict"] = [
        classify(m, g) if is_pressure(measure) else None
        for m, g, measure in zip(table["measure_change"], table["gdp_change"], table["measure"], strict=True)
    ]
    place = {code: i for i, code in enumerate(view.areas)}
    measure_order = {m: i for i, m in enumerate(measures)}
    table = table.assign(_place=table["ref_area"].map(place), _measure=table["measure"].map(measure_order))
    return table.sort_values(["_place", "_measure"]).drop(columns=["_place", "_measure"]).reset_index(drop=True)


def verdict_measures(view: DecouplingView) -> tuple[str, ...]:
    """The measures judged beside the chart: CO2 is judged both territorially and by consumption."""
    if view.y in (TERRITORIAL, CONSUMPTION):
        return (TERRITORIAL, CONSUMPTION)
    return (view.y,)


def outsourcing(view: DecouplingView) -> pd.DataFrame:
    """Consumption-based minus territorial CO2 per person in each place's last year with both.

    Positive: the place's consumption causes more emissions abroad than its exports cause at home
    (emissions "outsourced"); negative: it emits for others' consumption. Empty unless the chart is
    of CO2 per person.
    """
    if view.y not in (TERRITORIAL, CONSUMPTION):
        return pd.DataFrame(columns=["ref_area", "name", "year", "territorial", "consumption", "outsourced"])
    both = _pairs(TERRITORIAL, CONSUMPTION, list(view.areas), years_shown(view))
    last = both.groupby("ref_area", sort=False).tail(1)
    last = last.rename(columns={"x": "territorial", "y": "consumption"})
    last = last.assign(outsourced=last["consumption"] - last["territorial"])
    order = {code: i for i, code in enumerate(view.areas)}
    last = last.assign(_order=last["ref_area"].map(order)).sort_values("_order").drop(columns="_order")
    return last[["ref_area", "name", "year", "territorial", "consumption", "outsourced"]].reset_index(drop=True)


def period_note(view: DecouplingView) -> str:
    start, end = years_shown(view)
    return f"{start}–{end}"
