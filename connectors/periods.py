"""SDMX ``TIME_PERIOD`` strings to typed periods: frequency, year and first day.

Every connector calls :func:`parse_period` (or :func:`period_columns` for a whole column) so
that ``2020``, ``2020-Q3``, ``2020-M07``, ``2020-07``, ``2020-W27``, ``2020-S2``,
``2020-07-15`` and ISO datetimes all land in the store the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import pyarrow as pa

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("A", re.compile(r"^(?P<y>\d{4})(?:-A1)?$")),
    ("S", re.compile(r"^(?P<y>\d{4})-?S(?P<n>[12])$")),
    ("T", re.compile(r"^(?P<y>\d{4})-?T(?P<n>[123])$")),
    ("Q", re.compile(r"^(?P<y>\d{4})-?Q(?P<n>[1-4])$")),
    ("M", re.compile(r"^(?P<y>\d{4})-?M?(?P<n>0[1-9]|1[0-2])$")),
    ("W", re.compile(r"^(?P<y>\d{4})-?W(?P<n>0[1-9]|[1-4]\d|5[0-3])$")),
    ("D", re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")),
    ("D", re.compile(r"^(?P<y>\d{4})-?D(?P<n>\d{3})$")),
]


class PeriodError(ValueError):
    """A TIME_PERIOD value that is not an SDMX period; the message quotes it."""


@lru_cache(maxsize=65536)
def parse_period(text: str) -> tuple[str, int, dt.date]:
    """Return ``(freq, year, first_day)`` for one SDMX period string.

    ``freq`` uses SDMX CL_FREQ codes (A, S, T, Q, M, W, D). Cached because a message repeats
    the same few hundred periods millions of times.
    """
    value = text.strip()
    for freq, pattern in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match["y"])
        groups = match.groupdict()
        if freq == "A":
            return freq, year, dt.date(year, 1, 1)
        if freq == "D" and groups.get("m"):
            return freq, year, dt.date(year, int(groups["m"]), int(groups["d"]))
        n = int(groups["n"])
        if freq == "S":
            return freq, year, dt.date(year, 1 + 6 * (n - 1), 1)
        if freq == "T":
            return freq, year, dt.date(year, 1 + 4 * (n - 1), 1)
        if freq == "Q":
            return freq, year, dt.date(year, 1 + 3 * (n - 1), 1)
        if freq == "M":
            return freq, year, dt.date(year, n, 1)
        if freq == "W":
            return freq, year, dt.date.fromisocalendar(year, n, 1)
        return freq, year, dt.date(year, 1, 1) + dt.timedelta(days=n - 1)
    raise PeriodError(f"not an SDMX time period: {text!r} (expected e.g. 2020, 2020-Q1, 2020-01, 2020-W05, 2020-01-31)")


def period_columns(periods: pa.Array | pa.ChunkedArray | list[str]) -> dict[str, pa.Array]:
    """Typed ``freq``, ``year`` and ``period_start`` columns for a column of period strings.

    Works on the distinct values only, then maps back, so a million rows with 20 distinct
    years cost 20 parses. A null or empty value (an observation without a time period) gives
    null in all three columns.
    """
    import pyarrow.compute as pc

    array = pa.chunked_array([periods]) if isinstance(periods, list) else periods
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    array = array.cast(pa.string())
    distinct = pc.unique(array).to_pylist()
    parsed = [parse_period(p) if p else (None, None, None) for p in distinct]
    index = pc.index_in(array, value_set=pa.array(distinct, pa.string()))
    freqs = pa.array([p[0] for p in parsed], pa.string())
    years = pa.array([p[1] for p in parsed], pa.int16())
    starts = pa.array([p[2] for p in parsed], pa.date32())
    return {
        "freq": pc.take(freqs, index).combine_chunks(),
        "year": pc.take(years, index).combine_chunks(),
        "period_start": pc.take(starts, index).combine_chunks(),
    }
