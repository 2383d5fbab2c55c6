"""The validation gate: the checks a refreshed answer must pass before it may replace stored data.

A provider's answer can be well-formed SDMX and still be wrong for us: half a table, another
dataset, values that do not read as numbers, the same observation twice with two values, or a
table that has quietly lost most of its countries. Any of those, stored, changes the numbers a
minister sees. So :func:`check` looks at the parsed, area-harmonised table next to the last good
version (what :func:`connectors.store.load` returns now) and raises :class:`GateRefusal` — one
line naming the dataset, the check, the evidence and the override — before anything is written.

The checks, in order (docs/reliability.md has the table):

``values``       the answer has an ``OBS_VALUE`` column and at least one value
``numbers``      every value is a finite number or a missing marker its format allows (:data:`STANDARD_MISSING`)
``periods``      every observation has a time period (unless the last good version had none either)
``duplicates``   no series + period twice with different values (identical repeats are collapsed)
``coverage``     at most :data:`MAX_DROP` fewer series or areas than the last good version, and no earlier
                 latest period — the only checks ``--allow-shrink`` overrides, together with
``needs``        every selection the catalogue says indicators read (the codes under ``indicators:``) that had values still has some

The dataflow check sits in the parser (:mod:`connectors.sdmx.dispatch`), because only the parser
sees which structure a message names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Largest tolerated drop in the number of series or of areas against the last good version.
MAX_DROP = 0.10
#: Missing-value markers each format's standard defines. SDMX-ML 2.1/3.0 and SDMX-CSV write "NaN" for
#: an observation whose value is missing (blank also counts as not given); SDMX-JSON uses null (or
#: "NaN"); Eurostat's TSV writes ":". Any other marker ("n/a", "..", "-") is a value we cannot read.
STANDARD_MISSING = {"sdmx-ml": {"NaN"}, "sdmx-csv": {"NaN"}, "sdmx-json": {"NaN"}, "estat-tsv": {":"}, "sdmx1": {"NaN"}}
OVERRIDE = "--allow-shrink"


class GateRefusal(Exception):
    """The answer failed a check; ``str()`` is one line: dataset, check, evidence, what to do."""

    def __init__(self, dataset: str, check: str, evidence: str, *, overridable: bool = False):
        self.dataset, self.check, self.evidence, self.overridable = dataset, check, evidence, overridable
        if overridable:
            action = f"if the provider really dropped them, accept it with `python -m connectors refresh {dataset} {OVERRIDE}`"
        else:
            action = "no override: the answer is wrong, retry later or report it to the provider"
        super().__init__(f"{dataset}: refused by the gate (check '{check}'): {evidence}; {action}")


@dataclass
class Verdict:
    """What passed the gate: the table to store (exact duplicates collapsed) and notes for the outcome."""

    table: pa.Table
    notes: list[str]


def _format_family(fmt: str) -> str:
    for family in STANDARD_MISSING:
        if fmt.startswith(family):
            return family
    return "sdmx1"


def _examples(items, limit: int = 3) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def _values(table: pa.Table, summary: dict, dataset: str) -> None:
    if summary.get("measure_missing"):
        raise GateRefusal(dataset, "values", f"the answer has no OBS_VALUE column ({table.num_rows} observations)")
    if table["value"].null_count == table.num_rows and not summary.get("actions"):
        raise GateRefusal(dataset, "values", f"all {table.num_rows} observations are missing values")


def _numbers(summary: dict, fmt: str, dataset: str) -> list[str]:
    if summary.get("value_problems"):
        raise GateRefusal(
            dataset,
            "numbers",
            f"{summary['value_problems']} values are not finite numbers, e.g. "
            + _examples(summary.get("value_problem_examples", [])),
        )
    markers = summary.get("missing_markers") or {}
    allowed = STANDARD_MISSING[_format_family(fmt)]
    odd = {m: c for m, c in markers.items() if m not in allowed}
    if odd:
        raise GateRefusal(
            dataset,
            "numbers",
            f"values {_examples(f'{m!r} ×{c}' for m, c in odd.items())} are neither numbers nor the "
            f"missing marker {fmt or 'this format'} allows ({' or '.join(sorted(allowed))})",
        )
    return [f"{c} observations published as missing ({m!r})" for m, c in markers.items()]


def _periods(table: pa.Table, previous: pa.Table | None, dataset: str) -> None:
    without = pc.sum(pc.equal(table["time_period"], "")).as_py() or 0
    if not without:
        return
    if previous is not None and previous.num_rows and pc.all(pc.equal(previous["time_period"], "")).as_py():
        return  # a cross-section before, a cross-section now
    raise GateRefusal(
        dataset,
        "periods",
        f"{without} of {table.num_rows} observations have no TIME_PERIOD (the flow is a time series)",
    )


def _has_repeats(table: pa.Table) -> bool:
    """Whether any series + period occurs twice: each column coded once, the pairs counted with numpy
    (a bitmap when the combinations are few, else a sort) instead of hashing a million strings."""
    series = pc.dictionary_encode(table["series"].combine_chunks())
    periods = pc.dictionary_encode(table["time_period"].combine_chunks())
    width = max(len(periods.dictionary), 1)
    pairs = series.indices.to_numpy().astype(np.int64) * width + periods.indices.to_numpy()
    combinations = max(len(series.dictionary), 1) * width
    if combinations <= 8 * len(pairs):
        return bool(len(pairs)) and int(np.bincount(pairs, minlength=combinations).max()) > 1
    return len(np.unique(pairs)) < len(pairs)


def _duplicates(table: pa.Table, dataset: str) -> tuple[pa.Table, list[str]]:
    """Refuse conflicting duplicates; collapse identical ones (same series, period and value)."""
    keys = ["series", "time_period"]
    if not _has_repeats(table):  # the usual case, decided on integer codes (0.2 s at a million rows)
        return table, []
    counted = table.group_by(keys, use_threads=False).aggregate(
        [("value", "count", pc.CountOptions(mode="all")), ("value", "count_distinct", pc.CountOptions(mode="all"))]
    )
    repeated = counted.filter(pc.greater(counted["value_count"], 1))
    if not repeated.num_rows:
        return table, []
    conflicts = repeated.filter(pc.greater(repeated["value_count_distinct"], 1))
    if conflicts.num_rows:
        examples = []
        for row in conflicts.slice(0, 3).to_pylist():
            mask = pc.and_(pc.equal(table["series"], row["series"]), pc.equal(table["time_period"], row["time_period"]))
            values = sorted({v for v in table.filter(mask)["value"].to_pylist()}, key=lambda v: (v is None, v))
            examples.append(f"{row['series']} {row['time_period']}: {values}")
        raise GateRefusal(
            dataset,
            "duplicates",
            f"{conflicts.num_rows} series/periods are published twice with different values, e.g. "
            + "; ".join(examples),
        )
    indexed = table.append_column("\x00row", pa.arange(0, table.num_rows))
    first = indexed.group_by(keys, use_threads=False).aggregate([("\x00row", "min")])["\x00row_min"]
    collapsed = table.take(pc.sort_indices(first))
    dropped = table.num_rows - collapsed.num_rows
    return collapsed, [f"{dropped} identical duplicate observations collapsed"]


@dataclass
class Coverage:
    """What a version covers, compared by :func:`_coverage`."""

    series: set[str]
    areas: set[str]
    latest: str  # ISO date of the latest period start, "" when no period

    @classmethod
    def of(cls, table: pa.Table) -> Coverage:
        columns = table.select(["series", "ref_area", "period_start", "value"])
        with_values = columns.filter(pc.is_valid(columns["value"]))
        starts = with_values["period_start"].drop_null()
        latest = pc.max(starts).as_py() if len(starts) else None
        return cls(
            set(pc.unique(with_values["series"]).to_pylist()),
            set(pc.unique(with_values["ref_area"]).to_pylist()),
            latest.isoformat() if latest else "",
        )


def _drop(name: str, before: set[str], after: set[str]) -> str | None:
    if not before:
        return None
    lost = before - after
    if len(after) >= len(before) * (1 - MAX_DROP) or not lost:
        return None
    share = 1 - len(after) / len(before)
    return (
        f"{len(after)} {name} now, {len(before)} in the last good version (-{share:.0%}, limit "
        f"-{MAX_DROP:.0%}); gone: {_examples(sorted(lost))}"
    )


def _coverage(table: pa.Table, previous: pa.Table, dataset: str) -> None:
    new, old = Coverage.of(table), Coverage.of(previous)
    for problem in (_drop("series", old.series, new.series), _drop("areas", old.areas, new.areas)):
        if problem:
            raise GateRefusal(dataset, "coverage", problem, overridable=True)
    if old.latest and new.latest < old.latest:
        raise GateRefusal(
            dataset,
            "coverage",
            f"the latest period now starts {new.latest or 'nowhere'}, the last good version reached {old.latest}",
            overridable=True,
        )


def _values_per_key(table: pa.Table) -> dict[str, int]:
    """How many values each distinct ``dimensions`` text (one per series) holds."""
    keys = table["dimensions"].filter(pc.is_valid(table["value"]))
    return {item["values"]: item["counts"] for item in pc.value_counts(keys).to_pylist()}


def _matching(counts: dict[str, int], selection: dict[str, list[str]]) -> int:
    """Values of the series whose published dimension codes match every id of ``selection``."""
    total = 0
    for text, count in counts.items():
        codes = {k.lower(): v for k, v in json.loads(text).items()} if text else {}
        if all(codes.get(k.lower()) in v for k, v in selection.items()):
            total += count
    return total


def _needs(table: pa.Table, previous: pa.Table, needs: list[dict[str, list[str]]], dataset: str) -> None:
    if not needs:
        return
    before_counts, after_counts = _values_per_key(previous), _values_per_key(table)
    for selection in needs:
        before = _matching(before_counts, selection)
        if before and not _matching(after_counts, selection):
            shown = ", ".join(f"{k}={'+'.join(v)}" for k, v in selection.items())
            raise GateRefusal(
                dataset,
                "needs",
                f"the indicators read {shown}: {before} values in the last good version, none in the answer",
                overridable=True,
            )


def check(
    table: pa.Table,
    summary: dict,
    *,
    dataset: str,
    fmt: str,
    previous: pa.Table | None,
    needs: list[dict[str, list[str]]] = (),
    allow_shrink: bool = False,
) -> Verdict:
    """Run every check on ``table`` (store schema, areas harmonised) against ``previous`` (the last good
    version, None when nothing is stored); return the table to write, or raise :class:`GateRefusal`."""
    _values(table, summary, dataset)
    notes = _numbers(summary, fmt, dataset)
    _periods(table, previous, dataset)
    table, collapsed = _duplicates(table, dataset)
    notes += collapsed
    if previous is not None and previous.num_rows and not allow_shrink:
        _coverage(table, previous, dataset)
        _needs(table, previous, list(needs), dataset)
    return Verdict(table, notes)


__all__ = ["MAX_DROP", "OVERRIDE", "STANDARD_MISSING", "GateRefusal", "Verdict", "check"]
