"""Named signals for one place: new records, trend breaks, drifting from peers, worsening while GDP grows.

The same tests as the panel detectors of :mod:`indicators.methods.signals`, fed one place's arrays:
a new place costs milliseconds per indicator, not a pandas round trip per test.

Signals come ranked by one stated measure, :data:`STRENGTH_MEASURE`: the size of what the signal reports
in units of how far apart the peers are, so the ranking is free of units and a change that would move a
place across its peer group outranks one too small to matter. Pages show the first :data:`SHOWN_FIRST`
and the rest on demand.
A value the publisher marked as estimated, modelled or provisional is never called a record.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.areas import headline_gdp, level_of
from indicators.constants import CONFIDENCE, GDP_PER_CAPITA, WELLBEING_THEMES
from indicators.measures import scorecard_definitions
from indicators.methods import signals as signal_methods
from indicators.schema import Definition
from indicators.trends import window_trend

SIGNAL_COLUMNS = ["indicator", "label", "kind", "sentence", "good", "strength"]
#: How many signals a page shows before "show all".
SHOWN_FIRST = 5
STRENGTH_MEASURE = (
    "strength = the size of what the signal reports (the margin over the old record; the gap a trend break "
    "opened by the latest year; the change over the window while GDP grew; the growth of the distance from "
    "the peer median) divided by the spread of the peer group's latest values (1.4826 x median absolute "
    "deviation); 1 means a change as large as the typical distance between peers"
)


def _peer_spread(indicator_id: str, peers: tuple[str, ...], values: np.ndarray) -> float:
    """Robust spread of the peers' latest values (1.4826 x MAD); the place's own range when the peers
    cannot give one; never zero."""
    latest = query.latest_by_area(indicator_id, None)
    pool = latest.loc[latest.index.isin(list(peers)), "value"].to_numpy(dtype=float)
    spread = 0.0
    if pool.size >= 3:
        spread = 1.4826 * float(np.median(np.abs(pool - np.median(pool))))
    if not spread > 0:
        spread = float(np.ptp(values)) if values.size else 0.0
    scale = float(np.abs(values).max()) if values.size else 1.0
    return max(spread, 1e-9 * scale, 1e-300)


@lru_cache(maxsize=64)
def place_signals(ref_area: str, members: tuple[str, ...], since: int = 2010) -> pd.DataFrame:
    """Named signals for one place (record, trend break, drifting from peers, worsening while GDP grows).

    Columns ``indicator, label, kind, sentence, good, strength`` (good is True/False/None), strongest first
    (see :data:`STRENGTH_MEASURE`). Sentences use the indicator's label and the area's name.
    """
    name = query.area_name(ref_area)
    level = level_of(ref_area)
    gdp_id = headline_gdp(ref_area) or GDP_PER_CAPITA
    gdp = query.area_panel(gdp_id, ref_area)
    gdp_years, gdp_values = gdp["year"].to_numpy(dtype=int), gdp["value"].to_numpy(dtype=float)
    gdp_unit = query.definition(gdp_id).unit
    peers = tuple(sorted(set(members) | {ref_area}))
    found = []
    for item in scorecard_definitions(level):
        try:
            own = query.area_panel(item.id, ref_area)
        except query.QueryError:
            continue
        if own.empty:
            continue
        years, values = own["year"].to_numpy(dtype=int), own["value"].to_numpy(dtype=float)
        end = int(years.max())
        window = end - since + 1
        direction = item.direction.value
        history = years >= since - 10
        recent = years >= since
        typical = _peer_spread(item.id, peers, values)
        latest_estimated = (ref_area, end) in query.estimated_keys(item.id)
        for signal in signal_methods.series_new_record(
            name, item.label, years[history], values[history], direction, unit=item.unit
        ):
            if latest_estimated:
                continue  # an estimate is not a record
            good = ("high" in signal.test) == (direction == "higher_is_better")
            margin = abs(signal.statistic - signal.threshold)
            found.append((item.id, item.label, "new_record", signal.sentence, good, margin / typical))
        if window >= 8:
            for signal in signal_methods.series_trend_break(
                name, item.label, years[recent].astype(float), values[recent], unit=item.unit
            ):
                turn = abs(signal.detail["slope_after"] - signal.detail["slope_before"]) * (
                    end - signal.detail["split"]
                )
                found.append((item.id, item.label, "trend_break", signal.sentence, None, turn / typical))
            if item.id != gdp_id and item.theme in WELLBEING_THEMES and len(gdp_years):
                ours = window_trend(years, values, end, window)
                theirs = window_trend(gdp_years, gdp_values, end, window)
                for signal in signal_methods.gdp_divergence_signal(
                    name,
                    item.label,
                    direction,
                    (end - window + 1, end),
                    ours[:3],
                    theirs[:2],
                    CONFIDENCE,
                    units=(item.unit, gdp_unit),
                ):
                    change = abs(ours[0]) * (window - 1)
                    found.append((item.id, item.label, "against_gdp", signal.sentence, False, change / typical))
        if len(peers) >= 5 and window >= 2:
            for signal, moved in _divergence_from_peers(item, ref_area, name, peers, (end - window + 1, end)):
                found.append((item.id, item.label, "peer_divergence", signal.sentence, None, moved / typical))
    frame = pd.DataFrame(found, columns=SIGNAL_COLUMNS)
    return frame.sort_values("strength", ascending=False, kind="stable").reset_index(drop=True)


@lru_cache(maxsize=512)
def _wide(indicator_id: str) -> tuple[dict[str, int], dict[int, int], np.ndarray]:
    """One indicator as an areas x years matrix: (row of each area, column of each year, values)."""
    frame = query.panel(indicator_id)
    matrix = frame.pivot(index="ref_area", columns="year", values="value")
    rows = {area: i for i, area in enumerate(matrix.index)}
    columns = {int(year): j for j, year in enumerate(matrix.columns)}
    return rows, columns, matrix.to_numpy(dtype=float)


def _divergence_from_peers(
    item: Definition, ref_area: str, name: str, peers: tuple[str, ...], years: tuple[int, int]
) -> list[tuple[signal_methods.Signal, float]]:
    """Has the place drifted away from its peers' median between the window's first and last year?
    Each signal comes with how far (in the indicator's units) its distance from the median grew."""
    rows, columns, matrix = _wide(item.id)
    start, end = years
    if ref_area not in rows or start not in columns or end not in columns:
        return []
    present = [rows[p] for p in peers if p in rows]
    first, last = matrix[present, columns[start]], matrix[present, columns[end]]
    z_start, z_end = signal_methods.robust_z(first), signal_methods.robust_z(last)
    at = present.index(rows[ref_area])
    found = signal_methods.divergence_signal(
        name, item.label, len(peers), years, (first[at], last[at]), (z_start[at], z_end[at]), 3.0
    )
    if not found:
        return []
    moved = abs(last[at] - np.nanmedian(last)) - abs(first[at] - np.nanmedian(first))
    return [(signal, abs(float(moved))) for signal in found]
