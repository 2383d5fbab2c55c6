"""Floors-and-ceilings page: view -> data, on :mod:`indicators.limits` (thresholds, ratios, world table).

For a region, the regional series that measure the same thing as a thresholded national series are
assessed against that national threshold (:data:`REGIONAL_EQUIVALENTS`); what has no regional series
is shown from the region's country, labelled as national, so a region's screen is never empty and
never passes a national number off as regional.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.pages.limits.state import LimitsView
from indicators import limits, query
from indicators.catalog import catalog

#: Regional series -> the national series whose threshold applies to them (same measure, same unit).
REGIONAL_EQUIVALENTS = {
    "gdl_life_expectancy": "life_expectancy",
    "tl2_life_expectancy": "life_expectancy",
    "tl2_life_satisfaction": "life_satisfaction",
    "nuts2_unemployment_rate": "unemployment_rate",
    "tl2_unemployment_rate": "unemployment_rate",
}
#: The world view plots a country only with data for at least this share of each kind of threshold.
MIN_COVERAGE = 0.75
KIND_NAMES = {"floor": "Social foundation (floor)", "ceiling": "Ecological ceiling (per person)"}


def level_of(area: str) -> str:
    return str(query.areas().at[area, "level"])


def country_of(area: str) -> str | None:
    code = query.areas().at[area, "country"]
    return str(code) if isinstance(code, str) and code in query.areas().index else None


def _regional(area: str) -> pd.DataFrame:
    """The region's own series assessed against their national equivalents' thresholds."""
    table = limits.thresholds()
    regional = {
        ident: replace(table[national], indicator=ident)
        for ident, national in REGIONAL_EQUIVALENTS.items()
        if national in table and ident in catalog()
    }
    if not regional:
        return pd.DataFrame()
    frame = limits.assess(limits.latest_values(query.panel(list(regional), [area])), regional)
    # A code can be both a NUTS2 and a TL2 region (SE11): one row per measure, the newest.
    frame = frame.assign(_same=frame["indicator"].map(REGIONAL_EQUIVALENTS)).sort_values("year")
    frame = frame.drop_duplicates("_same", keep="last").drop(columns="_same")
    frame["label"] = frame["indicator"].map(lambda i: query.definition(i).label)
    frame["unit"] = frame["indicator"].map(lambda i: query.definition(i).unit)
    return frame


def place(view: LimitsView) -> tuple[pd.DataFrame, list[str]]:
    """Every floor and ceiling with data for the place (``limits.assess`` columns plus ``label, unit,
    where, status, kind_name``), ceilings after floors, and notes on what came from elsewhere."""
    notes: list[str] = []
    if level_of(view.area) == "country":
        frame = _with_estimates(limits.place_limits(view.area), view.area).assign(where=query.area_name(view.area))
    else:
        frame = _with_estimates(_regional(view.area), view.area).assign(where=query.area_name(view.area))
        country = country_of(view.area)
        covered = {REGIONAL_EQUIVALENTS[i] for i in frame.get("indicator", [])}
        if country:
            national = _with_estimates(limits.place_limits(country), country)
            national = national[~national["indicator"].isin(covered)].assign(
                where=f"{query.area_name(country)} (national)"
            )
            if not national.empty:
                notes.append(
                    f"{query.area_name(view.area)} has no regional series for "
                    f"{', '.join(national['dimension'])}; {query.area_name(country)}'s national values are shown, "
                    "labelled (national)"
                )
            frame = pd.concat([frame, national], ignore_index=True)
    if frame.empty:
        return frame, notes
    floor = frame["kind"] == "floor"
    frame["status"] = np.select(
        [floor & frame["met"], floor, frame["met"]],
        ["Floor achieved", "Shortfall", "Within boundary"],
        default="Overshoot",
    )
    frame["kind_name"] = frame["kind"].map(KIND_NAMES)
    frame["threshold_year"] = frame["indicator"].map(_threshold_year)
    frame["note"] = frame["indicator"].map(_threshold_note)
    frame = frame.sort_values(["kind", "dimension"], ascending=[False, True]).reset_index(drop=True)
    return frame, notes


def _with_estimates(frame: pd.DataFrame, area: str) -> pd.DataFrame:
    """``frame`` (one place's ``indicator, year`` rows) with the publisher's ``estimated`` flag of each value."""
    if frame.empty:
        return frame.assign(estimated=pd.Series(dtype=bool))
    flags = pd.Series(False, index=frame.index)
    for ident, part in frame.groupby("indicator", sort=False):
        flags[part.index] = query.estimated_at([ident], pd.Series(area, index=part.index), part["year"])
    return frame.assign(estimated=flags.astype(bool))


def _threshold(indicator: str) -> limits.Threshold:
    table = limits.thresholds()
    return table.get(indicator) or table[REGIONAL_EQUIVALENTS[indicator]]


def _threshold_year(indicator: str) -> int:
    return _threshold(indicator).year


def _threshold_note(indicator: str) -> str:
    return _threshold(indicator).note


def world() -> tuple[pd.DataFrame, int]:
    """Countries with enough coverage: shares of social thresholds achieved and of boundaries
    transgressed, GDP per person, and how many were left out for lack of data."""
    table = limits.world().reset_index()
    floors = sum(t.kind == "floor" for t in limits.thresholds().values())
    ceilings = sum(t.kind == "ceiling" for t in limits.thresholds().values())
    enough = (table["social_total"] >= MIN_COVERAGE * floors) & (table["boundaries_total"] >= MIN_COVERAGE * ceilings)
    kept = table[enough].copy()
    kept["social_share"] = kept["social_achieved"] / kept["social_total"]
    kept["boundary_share"] = kept["boundaries_transgressed"] / kept["boundaries_total"]
    return kept.reset_index(drop=True), int((~enough).sum())
