"""Named signals for one place: new records, trend breaks, drifting from peers, worsening while GDP grows.

The same tests as the panel detectors of :mod:`indicators.methods.signals`, fed one place's arrays:
a new place costs milliseconds per indicator, not a pandas round trip per test.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.constants import CONFIDENCE, GDP_PER_CAPITA, WELLBEING_THEMES
from indicators.measures import scorecard_definitions
from indicators.methods import signals as signal_methods
from indicators.schema import Definition
from indicators.trends import window_trend

SIGNAL_COLUMNS = ["indicator", "label", "kind", "sentence", "good"]


@lru_cache(maxsize=64)
def place_signals(ref_area: str, members: tuple[str, ...], since: int = 2010) -> pd.DataFrame:
    """Named signals for one place (record, trend break, drifting from peers, worsening while GDP grows).

    Columns ``indicator, label, kind, sentence, good`` (good is True/False/None). Sentences use
    the indicator's label and the area's name.
    """
    name = query.area_name(ref_area)
    gdp = query.area_panel(GDP_PER_CAPITA, ref_area)
    gdp_years, gdp_values = gdp["year"].to_numpy(dtype=int), gdp["value"].to_numpy(dtype=float)
    peers = tuple(sorted(set(members) | {ref_area}))
    found = []
    for item in scorecard_definitions("country"):
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
        for signal in signal_methods.series_new_record(name, item.label, years[history], values[history], direction):
            good = ("high" in signal.test) == (direction == "higher_is_better")
            found.append((item.id, item.label, "new_record", signal.sentence, good))
        if window >= 8:
            recent = years >= since
            for signal in signal_methods.series_trend_break(
                name, item.label, years[recent].astype(float), values[recent]
            ):
                found.append((item.id, item.label, "trend_break", signal.sentence, None))
            if item.id != GDP_PER_CAPITA and item.theme in WELLBEING_THEMES and len(gdp_years):
                ours = window_trend(years, values, end, window)
                theirs = window_trend(gdp_years, gdp_values, end, window)
                for signal in signal_methods.gdp_divergence_signal(
                    name, item.label, direction, (end - window + 1, end), ours[:3], theirs[:2], CONFIDENCE
                ):
                    found.append((item.id, item.label, "against_gdp", signal.sentence, False))
        if len(peers) >= 5 and window >= 2:
            for signal in _divergence_from_peers(item, ref_area, name, peers, (end - window + 1, end)):
                found.append((item.id, item.label, "peer_divergence", signal.sentence, None))
    return pd.DataFrame(found, columns=SIGNAL_COLUMNS)


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
) -> list[signal_methods.Signal]:
    """Has the place drifted away from its peers' median between the window's first and last year?"""
    rows, columns, matrix = _wide(item.id)
    start, end = years
    if ref_area not in rows or start not in columns or end not in columns:
        return []
    present = [rows[p] for p in peers if p in rows]
    first, last = matrix[present, columns[start]], matrix[present, columns[end]]
    z_start, z_end = signal_methods.robust_z(first), signal_methods.robust_z(last)
    at = present.index(rows[ref_area])
    return signal_methods.divergence_signal(
        name, item.label, len(peers), years, (first[at], last[at]), (z_start[at], z_end[at]), 3.0
    )
