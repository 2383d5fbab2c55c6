"""Decoupling page: view -> data, on :mod:`indicators.decoupling` (verdicts, outsourcing, trails).

The scatter shows measures per person. The verdicts beside it judge, over the user's period, how
the measure changed against GDP: for a country pressure that has a national total (CO2, materials)
the totals are judged against total GDP, so *absolute decoupling* means the national total fell;
otherwise the per-person measure against GDP per person. Verdicts are given for pressures
(emissions, materials, energy) only; for a social or wellbeing measure the page shows the two rates of
change, since "decoupling" life expectancy or unemployment from GDP is not what the OECD factor judges.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pandas as pd

from dashboard.pages.decoupling.state import DEFAULT_START, DecouplingView
from indicators import assess, decoupling, query
from indicators.schema import Direction

VERDICT_SOURCE = (
    "Decoupling factor: OECD (2002), Indicators to measure decoupling of environmental pressure from economic "
    f"growth; 'coupled' means intensity moved by less than ±{decoupling.COUPLED_TOLERANCE:.1%} a year"
)
#: Territorial and consumption-based CO2 per person: judged side by side when either is drawn.
TERRITORIAL, CONSUMPTION = "co2_per_capita", "co2_consumption_per_capita"
PRESSURE_THEMES = ("climate", "circular")


def is_pressure(indicator_id: str) -> bool:
    """Emissions, materials and energy: less is better and the theme is climate or circular."""
    item = query.definition(indicator_id)
    return item.theme in PRESSURE_THEMES and item.direction == Direction.lower_is_better


def short_verdict(key: str) -> str:
    """'Absolute decoupling' from 'Absolute decoupling: GDP grew, the pressure fell'."""
    return decoupling.VERDICTS[key].split(":")[0].split(";")[0]


def verdict_measures(view: DecouplingView) -> tuple[str, ...]:
    """The measures judged beside the chart: CO2 is judged both territorially and by consumption."""
    if view.y in (TERRITORIAL, CONSUMPTION):
        return (TERRITORIAL, CONSUMPTION)
    return (view.y,)


def judged_pair(view: DecouplingView, measure: str) -> tuple[str, str]:
    """(pressure, driver) the verdict compares: national totals for a country pressure that has one,
    else the per-person measure against the x measure."""
    total = assess.per_capita_pairs().get(measure)
    if view.level == "country" and total and decoupling.DRIVER_TOTAL in assess.per_capita_pairs().values():
        return total, decoupling.DRIVER_TOTAL
    return measure, view.x


def year_span(view: DecouplingView) -> tuple[int, int]:
    """First and last year that every series drawn or judged has (the period slider's range)."""
    ids = {view.x, view.y}
    for measure in verdict_measures(view):
        ids.update(judged_pair(view, measure))
    ranges = [query.year_range(i) for i in ids]
    return max(r[0] for r in ranges), min(r[1] for r in ranges)


def years_shown(view: DecouplingView) -> tuple[int, int]:
    """The link's years, else from :data:`DEFAULT_START` (or the first year every series has) to the last."""
    first, last = year_span(view)
    start = view.start if view.start is not None else max(first, DEFAULT_START)
    end = view.end if view.end is not None else last
    return start, end


def _ordered(frame: pd.DataFrame, view: DecouplingView, *also: str) -> pd.DataFrame:
    order = {code: i for i, code in enumerate(view.areas)}
    frame = frame.assign(_order=frame["ref_area"].map(order))
    return frame.sort_values(["_order", *also], kind="stable").drop(columns="_order").reset_index(drop=True)


def trails(view: DecouplingView) -> tuple[pd.DataFrame, list[str]]:
    """The chosen places' trails (``ref_area, name, year, x, y``) and notes on places without both series."""
    start, end = years_shown(view)
    frame = decoupling.scatter_for(view.x, view.y, list(view.areas), start, end)
    frame = _ordered(frame, view, "year")[["ref_area", "name", "year", "x", "y"]]
    missing = [a for a in view.areas if a not in set(frame["ref_area"])]
    notes = []
    if missing:
        notes.append(
            f"no years with both {query.definition(view.x).label} and {query.definition(view.y).label} for "
            f"{', '.join(query.area_name(a) for a in missing)} in {start}–{end}"
        )
    return frame, notes


def context_areas(view: DecouplingView) -> list[str]:
    """The grey context: every other country, or every other region of the chosen places' countries
    (all Global Data Lab regions would be more rows than a chart draws)."""
    others = assess.areas_at_level(view.level)
    if view.level == "gdl_region":
        table = query.areas()
        countries = set(table.loc[table.index.intersection(list(view.areas)), "country"].dropna())
        others = others[others["country"].isin(countries)]
    return sorted(set(others["ref_area"]) - set(view.areas))


def context(view: DecouplingView) -> pd.DataFrame:
    start, end = years_shown(view)
    frame = decoupling.scatter_for(view.x, view.y, context_areas(view), start, end)
    return frame[["ref_area", "name", "year", "x", "y"]]


def verdicts(view: DecouplingView) -> tuple[pd.DataFrame, list[str]]:
    """One row per place and judged measure over the period, in the link's order, and notes naming
    the places left out (no value of both series in the first or last year).

    Columns: ``ref_area, name, measure`` (the drawn measure), ``pressure, driver`` (the ids judged),
    ``pressure_label, driver_label``, then :func:`indicators.decoupling.decoupling_table`'s columns;
    ``verdict`` and ``verdict_label`` are empty for a measure that is not a pressure.

    Computed once per measures, places, period and data version (the page and its rates chart both ask;
    the scale and context switches do not change it): read-only.
    """
    table, notes = _verdicts(replace(view, log=False, context=False))
    return table, list(notes)


@lru_cache(maxsize=256)
def _verdicts(view: DecouplingView) -> tuple[pd.DataFrame, tuple[str, ...]]:
    table, notes = _judged(view)
    return table, tuple(notes)


def _judged(view: DecouplingView) -> tuple[pd.DataFrame, list[str]]:
    start, end = years_shown(view)
    if end <= start:
        return pd.DataFrame(), [f"the period {start}–{end} is a single year; choose two years to compare"]
    frames, notes = [], []
    for measure in verdict_measures(view):
        pressure, driver = judged_pair(view, measure)
        table = decoupling.decoupling_for(pressure, start, end, list(view.areas), driver_id=driver).reset_index()
        table.insert(2, "measure", measure)
        table.insert(3, "pressure", pressure)
        table.insert(4, "driver", driver)
        table.insert(5, "pressure_label", query.definition(pressure).label)
        table.insert(6, "driver_label", query.definition(driver).label)
        if not is_pressure(measure):
            table = table.assign(verdict=None, verdict_label=None, decoupling_factor=float("nan"))
        frames.append(table)
        missing = [a for a in view.areas if a not in set(table["ref_area"])]
        if missing:
            notes.append(
                f"{', '.join(query.area_name(a) for a in missing)}: no value of {query.definition(pressure).label} "
                f"and {query.definition(driver).label} in both {start} and {end}"
            )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if table.empty:
        return table, notes
    measure_order = {m: i for i, m in enumerate(verdict_measures(view))}
    table = table.assign(_measure=table["measure"].map(measure_order))
    return _ordered(table, view, "_measure").drop(columns="_measure"), notes


def outsourcing(view: DecouplingView) -> pd.DataFrame:
    """Territorial and consumption-based CO2 per person in the period's last year, with the share of
    territorial emissions that is embodied in net imports (from the national totals). Empty unless the
    chart is of CO2 per person."""
    columns = ["ref_area", "name", "year", "territorial", "consumption", "outsourced_share"]
    if view.y not in (TERRITORIAL, CONSUMPTION):
        return pd.DataFrame(columns=columns)
    start, end = years_shown(view)
    both = decoupling.scatter_for(TERRITORIAL, CONSUMPTION, list(view.areas), end, end)
    both = both.rename(columns={"x": "territorial", "y": "consumption"})
    shares = decoupling.outsourcing_for(start, end, list(view.areas))[f"outsourced_share_{end}"]
    both = both.assign(outsourced_share=both["ref_area"].map(shares))
    return _ordered(both, view)[columns]
