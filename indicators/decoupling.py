"""Is growth decoupling from pressure? Verdicts per place and period, outsourcing, connected-scatter data.

Why a module of its own: the Decoupling page asks one question — did GDP grow while the
pressure fell (absolute decoupling), grow faster than it (relative), move with it (coupled), or
did the pressure outgrow GDP (recoupling)? — and the answer must also be honest when GDP fell,
where "decoupling" is not good news. The OECD decoupling factor itself is
:func:`indicators.methods.derived.decoupling_factor` (OECD 2002, "Indicators to measure
decoupling of environmental pressure from economic growth", SG/SD(2002)1/FINAL:
``1 - (EP/DF)_end / (EP/DF)_start``); this module only classifies and assembles.

The verdict (:func:`verdict`), with ``g`` and ``p`` the relative changes of GDP and pressure over
the period and ``i = ((1 + p) / (1 + g)) ** (1 / years) - 1`` the yearly change of the pressure
per unit of GDP (intensity):

* GDP grew (``g > 0``): ``p < 0`` → **absolute decoupling**; otherwise intensity falling by more
  than :data:`COUPLED_TOLERANCE` a year → **relative decoupling**; within ± that → **coupled**;
  rising by more → **recoupling** (the pressure grows faster than GDP).
* GDP did not grow (``g <= 0``): **pressure fell faster than GDP** (``p < g``), **pressure fell
  less than GDP** (``g <= p < 0``) or **pressure rose while GDP fell** (``p >= 0``) — stated as
  what happened, since a recession that cuts emissions is not decoupling in the OECD's sense.

The tolerance is a stated judgement (0.5% a year; a 10-year period then needs intensity to move
by about 5% before it is called anything but coupled), so that rounding noise is not a verdict.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from indicators.methods.derived import decoupling_factor

COUPLED_TOLERANCE = 0.005
VERDICTS = {
    "absolute_decoupling": "Absolute decoupling: GDP grew, the pressure fell",
    "relative_decoupling": "Relative decoupling: the pressure grew more slowly than GDP",
    "coupled": "Coupled: the pressure moved with GDP (intensity within ±0.5% a year)",
    "recoupling": "Recoupling: the pressure grew faster than GDP",
    "gdp_fell_pressure_fell_faster": "GDP fell; the pressure fell faster (not decoupling: a shrinking economy)",
    "gdp_fell_pressure_fell_slower": "GDP fell; the pressure fell less than GDP",
    "gdp_fell_pressure_rose": "GDP fell while the pressure rose",
    "insufficient_data": "No value for both series in both years",
}

#: Country-level pressures and their GDP driver for the verdict (totals, so absolute decoupling
#: means the national total fell); per-capita pairs give the same decoupling factor.
DRIVER_TOTAL = "gdp_total_usd"
PRESSURE_TOTALS = ("co2_territorial_total", "co2_consumption_total", "material_footprint_total")
#: Connected-scatter x axis per level: GDP (or income, where regions have no GDP) per person.
SCATTER_X = {
    "country": "gdp_per_capita_ppp",
    "nuts2": "nuts2_gdp_per_inhabitant_pps",
    "tl2": "tl2_household_disposable_income",
    "gdl_region": "gdl_gni_per_capita",
}
#: Suggested y measures per level (pressures first, then wellbeing outcomes).
SCATTER_Y = {
    "country": (
        "co2_per_capita",
        "co2_consumption_per_capita",
        "material_footprint_per_capita",
        "ghg_per_capita",
        "domestic_material_consumption_per_capita",
        "life_expectancy",
        "life_satisfaction",
    ),
    "nuts2": ("nuts2_arope_rate", "nuts2_unemployment_rate", "nuts2_household_disposable_income_pps"),
    "tl2": ("tl2_pm25", "tl2_life_expectancy", "tl2_life_satisfaction"),
    "gdl_region": ("gdl_life_expectancy", "gdl_mean_years_schooling", "gdl_shdi"),
}


def verdict(gdp_change, pressure_change, years) -> np.ndarray:
    """Verdict keys of :data:`VERDICTS` for relative changes over ``years`` (arrays broadcast)."""
    g, p, n = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (gdp_change, pressure_change, years)))
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.power((1 + p) / (1 + g), 1 / n) - 1
    return np.select(
        [
            np.isnan(g) | np.isnan(p) | (n <= 0),
            (g > 0) & (p < 0),
            (g > 0) & (intensity < -COUPLED_TOLERANCE),
            (g > 0) & (intensity <= COUPLED_TOLERANCE),
            g > 0,
            p < g,
            p < 0,
        ],
        [
            "insufficient_data",
            "absolute_decoupling",
            "relative_decoupling",
            "coupled",
            "recoupling",
            "gdp_fell_pressure_fell_faster",
            "gdp_fell_pressure_fell_slower",
        ],
        default="gdp_fell_pressure_rose",
    ).astype(object)


def _at(series: pd.Series, year: int) -> pd.Series:
    try:
        return series.xs(year, level=1)
    except KeyError:
        return pd.Series(dtype=float)


def decoupling_table(pressure: pd.Series, gdp: pd.Series, start: int, end: int) -> pd.DataFrame:
    """One row per place with both series in ``start`` and ``end``: changes, yearly rates,
    OECD decoupling factor and verdict. Series are indexed by ``(ref_area, year)``.

    Columns: ``gdp_start, gdp_end, pressure_start, pressure_end, gdp_change, pressure_change``
    (relative, 0.1 = +10%), ``gdp_rate, pressure_rate, intensity_rate`` (compound per year),
    ``decoupling_factor, verdict, verdict_label``. Places missing either end are left out;
    :func:`missing_places` says which.
    """
    if end <= start:
        raise ValueError(f"the period must end after it starts; got {start}-{end}")
    frame = pd.DataFrame(
        {
            "gdp_start": _at(gdp, start),
            "gdp_end": _at(gdp, end),
            "pressure_start": _at(pressure, start),
            "pressure_end": _at(pressure, end),
        }
    ).dropna()
    years = end - start
    frame["gdp_change"] = frame["gdp_end"] / frame["gdp_start"] - 1
    frame["pressure_change"] = frame["pressure_end"] / frame["pressure_start"] - 1
    frame["gdp_rate"] = (1 + frame["gdp_change"]) ** (1 / years) - 1
    frame["pressure_rate"] = (1 + frame["pressure_change"]) ** (1 / years) - 1
    frame["intensity_rate"] = ((1 + frame["pressure_change"]) / (1 + frame["gdp_change"])) ** (1 / years) - 1
    factor = decoupling_factor(pressure, gdp, start, end)
    frame["decoupling_factor"] = factor.reindex(frame.index)
    frame["verdict"] = verdict(frame["gdp_change"], frame["pressure_change"], years)
    frame["verdict_label"] = frame["verdict"].map(VERDICTS)
    frame.index.name = "ref_area"
    return frame


def missing_places(pressure: pd.Series, gdp: pd.Series, start: int, end: int, ref_areas) -> list[str]:
    """The requested places that lack a value of either series in ``start`` or ``end``, so a page
    can name them instead of leaving them out silently."""
    table = decoupling_table(pressure, gdp, start, end)
    return [a for a in ref_areas if a not in table.index]


def outsourcing(territorial: pd.Series, consumption: pd.Series, gdp: pd.Series, start: int, end: int) -> pd.DataFrame:
    """Territorial vs consumption-based CO2 per place: a verdict for each, and what is outsourced.

    ``outsourced_*`` = consumption − territorial (positive: emissions embodied in net imports) and
    ``outsourced_share_*`` = that as a share of territorial emissions, in ``start`` and ``end``.
    A place can decouple on its territory while its consumption footprint does not; this shows it.
    """
    terr = decoupling_table(territorial, gdp, start, end)
    cons = decoupling_table(consumption, gdp, start, end)
    frame = pd.DataFrame(
        {
            "territorial_change": terr["pressure_change"],
            "consumption_change": cons["pressure_change"],
            "gdp_change": terr["gdp_change"],
            "territorial_factor": terr["decoupling_factor"],
            "consumption_factor": cons["decoupling_factor"],
            "territorial_verdict": terr["verdict"],
            "consumption_verdict": cons["verdict"],
        }
    ).dropna(subset=["territorial_verdict", "consumption_verdict"])
    for year, t_col, c_col in ((start, "pressure_start", "pressure_start"), (end, "pressure_end", "pressure_end")):
        gap = cons[c_col] - terr[t_col]
        frame[f"outsourced_{year}"] = gap.reindex(frame.index)
        frame[f"outsourced_share_{year}"] = (gap / terr[t_col]).reindex(frame.index)
    frame["same_verdict"] = frame["territorial_verdict"] == frame["consumption_verdict"]
    frame.index.name = "ref_area"
    return frame


def connected_scatter(x: pd.Series, y: pd.Series, start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Points for a connected scatter: one trail per place, ordered by year, only years where both
    series have a value (within ``start``..``end``). Columns: ``ref_area, year, x, y, order``
    (0 = first point of the place's trail), ``is_start``, ``is_end``."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna()
    years = frame.index.get_level_values(1)
    keep = np.ones(len(frame), dtype=bool)
    if start is not None:
        keep &= years >= start
    if end is not None:
        keep &= years <= end
    frame = frame[keep].reset_index()
    frame.columns = ["ref_area", "year", "x", "y"]
    frame = frame.sort_values(["ref_area", "year"]).reset_index(drop=True)
    frame["order"] = frame.groupby("ref_area").cumcount()
    size = frame.groupby("ref_area")["year"].transform("size")
    frame["is_start"] = frame["order"] == 0
    frame["is_end"] = frame["order"] == size - 1
    return frame


# --- the same, straight from indicator ids (the query API the pages call) --------------------


def _series(indicator_id: str, ref_areas=None) -> pd.Series:
    """One indicator's values for ``ref_areas`` (all when None), indexed by ``(ref_area, year)``."""
    return _series_for(indicator_id, None if ref_areas is None else tuple(ref_areas))


@lru_cache(maxsize=64)
def _series_for(indicator_id: str, ref_areas: tuple[str, ...] | None) -> pd.Series:
    # Cached per data version (cleared with every other cache of ``indicators``): a new period on the
    # Decoupling page judges the same places' series again, and cutting them out of the panel is most of
    # the work. Read-only.
    from indicators import query

    frame = query.panel(indicator_id, ref_areas)
    return frame.set_index(["ref_area", "year"])["value"].sort_index()


def decoupling_for(
    pressure_id: str, start: int, end: int, ref_areas=None, driver_id: str = DRIVER_TOTAL
) -> pd.DataFrame:
    """:func:`decoupling_table` for indicator ids, with place names (``name``) as the first column."""
    from indicators import query

    table = decoupling_table(_series(pressure_id, ref_areas), _series(driver_id, ref_areas), start, end)
    table.insert(0, "name", [query.area_name(a) for a in table.index])
    return table


def outsourcing_for(start: int, end: int, ref_areas=None, driver_id: str = DRIVER_TOTAL) -> pd.DataFrame:
    """:func:`outsourcing` of territorial vs consumption-based CO2 (national totals)."""
    from indicators import query

    table = outsourcing(
        _series("co2_territorial_total", ref_areas),
        _series("co2_consumption_total", ref_areas),
        _series(driver_id, ref_areas),
        start,
        end,
    )
    table.insert(0, "name", [query.area_name(a) for a in table.index])
    return table


def scatter_for(x_id: str, y_id: str, ref_areas=None, start: int | None = None, end: int | None = None):
    """:func:`connected_scatter` for indicator ids, with place names; raises ``QueryError`` (with
    the two ids) when the two indicators are of different levels (e.g. a NUTS2 x with a country y)."""
    from indicators import query

    x_def, y_def = query.definition(x_id), query.definition(y_id)
    if x_def.level != y_def.level:
        raise query.QueryError(
            f"{x_id} is {x_def.level} data and {y_id} is {y_def.level} data; choose two indicators of the same level"
        )
    frame = connected_scatter(_series(x_id, ref_areas), _series(y_id, ref_areas), start, end)
    return frame.assign(name=frame["ref_area"].map(query.area_name))
