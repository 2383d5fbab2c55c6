"""Floors and ceilings: social thresholds met and per-capita planetary boundaries transgressed, per place.

Why: the "safe and just space" (Raworth's doughnut, quantified per country by O'Neill et al. 2018
and Fanning et al. 2022) asks two things at once — are people's basic needs met (floors), and is
the resource use behind that within a fair share of planetary boundaries (ceilings)? GDP is shown
beside the answer, never inside it.

The thresholds are data, in ``indicators/thresholds.yaml`` (value, source, table, year, whether
the value was verified); this module reads them, and normalises as O'Neill et al. (2018) do:
``ratio = value / threshold``, after turning "lower is better" social rates into "higher is
better" shares (``complement_100``: 100 - value, e.g. the share above the poverty line). A floor
is **achieved** when its ratio is at least 1 (a ratio below 1 is a **shortfall**); a ceiling is
**transgressed** when its ratio is above 1 (an **overshoot**).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from connectors import yaml_loader

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"
KINDS = ("floor", "ceiling")
TRANSFORMS = ("none", "complement_100")
#: A latest value older than this many years before the chosen year is not used.
MAX_AGE = 10
GDP_PER_CAPITA = "gdp_per_capita_ppp"


class ThresholdError(ValueError):
    """A problem in the thresholds file; the message names the entry, the field and the fix."""


@dataclass(frozen=True)
class Threshold:
    indicator: str
    kind: str
    value: float
    transform: str
    dimension: str
    source: str
    table: str
    year: int
    verified: bool
    note: str = ""

    @property
    def citation(self) -> str:
        prefix = "" if self.verified else "as reported in "
        return f"{prefix}{self.source}, {self.table}"


REQUIRED = ("kind", "value", "transform", "dimension", "source", "table", "year", "verified")


def parse_thresholds(raw: dict, where: str = "thresholds.yaml") -> dict[str, Threshold]:
    """Check and convert the parsed YAML mapping; every problem names the entry and field."""
    if not isinstance(raw, dict):
        raise ThresholdError(f"{where}: expected a mapping of indicator id -> threshold, got {type(raw).__name__}")
    result = {}
    for ident, entry in raw.items():
        if not isinstance(entry, dict):
            raise ThresholdError(f"{where}: entry '{ident}' must be a mapping with fields {', '.join(REQUIRED)}")
        missing = [f for f in REQUIRED if f not in entry]
        if missing:
            raise ThresholdError(f"{where}: entry '{ident}' lacks field(s) {', '.join(missing)}")
        unknown = sorted(set(entry) - set(REQUIRED) - {"note"})
        if unknown:
            raise ThresholdError(f"{where}: entry '{ident}' has unknown field(s) {', '.join(unknown)}")
        if entry["kind"] not in KINDS:
            raise ThresholdError(f"{where}: entry '{ident}' field 'kind' must be one of {KINDS}; got {entry['kind']!r}")
        if entry["transform"] not in TRANSFORMS:
            raise ThresholdError(
                f"{where}: entry '{ident}' field 'transform' must be one of {TRANSFORMS}; got {entry['transform']!r}"
            )
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ThresholdError(f"{where}: entry '{ident}' field 'value' must be a positive number; got {value!r}")
        result[ident] = Threshold(
            indicator=ident,
            kind=entry["kind"],
            value=float(value),
            transform=entry["transform"],
            dimension=str(entry["dimension"]),
            source=str(entry["source"]),
            table=str(entry["table"]),
            year=int(entry["year"]),
            verified=bool(entry["verified"]),
            note=str(entry.get("note", "")),
        )
    return result


@lru_cache(maxsize=1)
def thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, Threshold]:
    """Every declared threshold by indicator id (cached)."""
    return parse_thresholds(yaml_loader.load(Path(path).read_text(encoding="utf-8")), str(path))


def ratio(value, threshold: Threshold) -> np.ndarray:
    """``value / threshold`` after the threshold's transform (O'Neill et al. 2018 normalisation)."""
    value = np.asarray(value, dtype=float)
    if threshold.transform == "complement_100":
        value = 100.0 - value
    return value / threshold.value


def assess(latest: pd.DataFrame, table: dict[str, Threshold]) -> pd.DataFrame:
    """Ratios and verdicts for latest values.

    ``latest`` has columns ``indicator, ref_area, year, value``. Adds ``kind, threshold, ratio``,
    ``met`` (floor achieved / ceiling not transgressed), ``shortfall`` (1 - ratio for a floor not
    achieved, else 0), ``overshoot`` (ratio - 1 for a transgressed ceiling, else 0), ``dimension``
    and ``citation``. Indicators without a threshold are dropped.
    """
    frame = latest[latest["indicator"].isin(list(table))].copy()
    if frame.empty:
        columns = ["kind", "threshold", "ratio", "met", "shortfall", "overshoot", "dimension", "citation"]
        return frame.assign(**{c: pd.Series(dtype=object) for c in columns})
    frame["kind"] = frame["indicator"].map(lambda i: table[i].kind)
    frame["threshold"] = frame["indicator"].map(lambda i: table[i].value)
    frame["ratio"] = [float(ratio(v, table[i])) for i, v in zip(frame["indicator"], frame["value"], strict=True)]
    floor = frame["kind"] == "floor"
    frame["met"] = np.where(floor, frame["ratio"] >= 1.0, frame["ratio"] <= 1.0)
    frame["shortfall"] = np.where(floor, (1.0 - frame["ratio"]).clip(lower=0), 0.0)
    frame["overshoot"] = np.where(~floor, (frame["ratio"] - 1.0).clip(lower=0), 0.0)
    frame["dimension"] = frame["indicator"].map(lambda i: table[i].dimension)
    frame["citation"] = frame["indicator"].map(lambda i: table[i].citation)
    return frame.reset_index(drop=True)


def latest_values(panel: pd.DataFrame, year: int | None = None, max_age: int = MAX_AGE) -> pd.DataFrame:
    """Latest value per indicator and place up to ``year``, no older than ``year - max_age``."""
    if year is not None:
        panel = panel[panel["year"] <= year]
    last = panel.sort_values("year").groupby(["indicator", "ref_area"], as_index=False).tail(1)
    newest = year if year is not None else (int(panel["year"].max()) if len(panel) else 0)
    return last[last["year"] >= newest - max_age].reset_index(drop=True)


def world_table(assessed: pd.DataFrame, gdp: pd.Series | None = None) -> pd.DataFrame:
    """Per place: social thresholds achieved and boundaries transgressed, out of those with data.

    Columns ``social_achieved, social_total, boundaries_transgressed, boundaries_total``; when ``assessed``
    has years, ``first_year`` and ``last_year`` (the oldest and newest value the place is judged on, so a
    title can say of when); and when ``gdp`` (indexed by ref_area) is given, ``gdp_per_capita``.
    """
    floors = assessed[assessed["kind"] == "floor"].groupby("ref_area")["met"]
    ceilings = assessed[assessed["kind"] == "ceiling"].groupby("ref_area")["met"]
    table = pd.DataFrame(
        {
            "social_achieved": floors.sum(),
            "social_total": floors.size(),
            "boundaries_transgressed": ceilings.size() - ceilings.sum(),
            "boundaries_total": ceilings.size(),
        }
    )
    table = table.fillna(0).astype(int)
    if "year" in assessed:
        years = assessed.groupby("ref_area")["year"]
        table["first_year"], table["last_year"] = years.min().astype(int), years.max().astype(int)
    if gdp is not None:
        table["gdp_per_capita"] = gdp.reindex(table.index)
    table.index.name = "ref_area"
    return table


# --- from the query API ---------------------------------------------------------------------


def thresholds_for_level(level: str) -> dict[str, Threshold]:
    """The thresholds of country indicators for a country, of regional indicators (NUTS2, OECD TL2,
    GDL) for any region — so a country is not judged twice on a regional file's country totals (the
    OECD TL2 file has them). The file declares national thresholds only; the Floors-and-ceilings page
    applies them to regional series of the same measure (its ``REGIONAL_EQUIVALENTS``)."""
    from indicators import query

    country = level == "country"
    return {
        ident: item for ident, item in thresholds().items() if (query.definition(ident).level == "country") == country
    }


def place_limits(ref_area: str, year: int | None = None) -> pd.DataFrame:
    """One place's floors and ceilings (see :func:`assess`) on the indicators of its own level, with
    indicator labels and units."""
    from indicators import query
    from indicators.areas import level_of

    table = thresholds_for_level(level_of(ref_area))
    latest = latest_values(query.panel(list(table), [ref_area]), year)
    frame = assess(latest, table)
    frame["label"] = frame["indicator"].map(lambda i: query.definition(i).label)
    frame["unit"] = frame["indicator"].map(lambda i: query.definition(i).unit)
    return frame


def world(year: int | None = None) -> pd.DataFrame:
    """:func:`world_table` for every country (aggregates left out), with names and GDP per capita."""
    from indicators import query

    table = thresholds_for_level("country")
    countries = list(query.countries().index)
    assessed = assess(latest_values(query.panel(list(table), countries), year), table)
    gdp = latest_values(query.panel(GDP_PER_CAPITA, countries), year).set_index("ref_area")["value"]
    result = world_table(assessed, gdp)
    result.insert(0, "name", [query.area_name(a) for a in result.index])
    return result
