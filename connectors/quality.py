"""Data-quality checks on stored datasets: series that duplicate another, and values the publisher
marks as estimated, modelled or provisional.

Run at snapshot build (:func:`connectors.snapshot.build_snapshot` writes ``quality.json`` beside the
snapshot) and usable at refresh (:func:`check_tables` takes any tidy tables). The findings are data, not
judgement: the indicators layer decides what to do with them (it shows a duplicated measure once, with
the reason, and marks estimated values).

* **Duplicates**: two series whose values are identical in every (ref_area, year) they share, over at
  least :data:`MIN_SHARED_ROWS` rows. In Gapminder's Fast Track 2025, "poverty at $3.65 a day" and
  "at $6.85 a day" are identical in all 42,823 rows: an upstream copy, not two measures.
* **Estimates**: the observation status codes that mean "not observed" differ by publisher; they are
  stated in :data:`ESTIMATE_CODES` with their source, and a value is estimated when its code is one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

#: Two series must share at least this many (ref_area, year) rows before identical values mean a copy.
MIN_SHARED_ROWS = 30
QUALITY_FILE = "quality.json"

#: Observation status codes that mark a value as estimated, by store source. How codes are read:
#: "letters" = each letter is a flag (Eurostat combines them: "bep"); "code" = the whole code.
ESTIMATE_CODES: dict[str, tuple[str, frozenset[str], str]] = {
    "estat": ("letters", frozenset("ep"), "Eurostat flags: e = estimated, p = provisional"),
    "eurostat": ("letters", frozenset("ep"), "Eurostat flags: e = estimated, p = provisional"),
    "unsd": ("code", frozenset({"e", "m"}), "UN SDG 'Nature' codes: E = estimated, M = modelled"),
}


def estimated(source: str, obs_status: pd.Series) -> pd.Series:
    """True where ``obs_status`` marks the value as estimated under the source's rule (False elsewhere)."""
    rule = ESTIMATE_CODES.get(source)
    status = obs_status.astype("string").str.lower()
    if rule is None:
        return pd.Series(False, index=obs_status.index)
    how, codes, _ = rule
    if how == "letters":
        marked = status.map(lambda s: bool(set(s) & codes) if isinstance(s, str) else False, na_action="ignore")
    else:
        marked = status.isin(codes)
    return marked.fillna(False).astype(bool)


def _series_key(frame: pd.DataFrame) -> pd.Series:
    dims = frame["dimensions"].fillna("") if "dimensions" in frame else ""
    return frame["source"] + "/" + frame["dataset"] + "/" + frame["series"] + "|" + dims


def duplicate_series(frame: pd.DataFrame, min_shared: int = MIN_SHARED_ROWS) -> list[dict]:
    """Pairs of series identical in every (ref_area, year) they share (at least ``min_shared`` rows).

    ``frame`` has ``source, dataset, series, ref_area, year, value`` (and ``dimensions`` when a dataset
    holds several dimension combinations per series code). Each pair is reported once, the pair's first
    series sorted first, with the number of shared rows.
    """
    rows = frame.dropna(subset=["value", "year"]).assign(key=_series_key(frame))[["key", "ref_area", "year", "value"]]
    rows = rows.drop_duplicates(["key", "ref_area", "year"])
    # Candidates first: pairs that share at least min_shared identical (area, year, value) rows.
    same = rows.merge(rows, on=["ref_area", "year", "value"], suffixes=("_a", "_b"))
    same = same[same["key_a"] < same["key_b"]]
    matches = same.groupby(["key_a", "key_b"]).size()
    candidates = matches[matches >= min_shared]
    found = []
    by_key = {key: part.set_index(["ref_area", "year"])["value"] for key, part in rows.groupby("key")}
    for (a, b), n_same in candidates.items():
        left, right = by_key[a].align(by_key[b], join="inner")
        if len(left) == n_same:  # every shared row identical
            found.append({"a": _describe(a), "b": _describe(b), "shared_rows": int(n_same)})
    return found


def _describe(key: str) -> dict:
    path, _, dims = key.partition("|")
    source, dataset, series = path.split("/", 2)
    out = {"source": source, "dataset": dataset, "series": series}
    if dims:
        out["dimensions"] = json.loads(dims)
    return out


def estimate_counts(frame: pd.DataFrame) -> list[dict]:
    """Per dataset: how many values are marked estimated, and by which rule."""
    out = []
    for (source, dataset), part in frame.groupby(["source", "dataset"], sort=True):
        marked = int(estimated(source, part["obs_status"]).sum()) if "obs_status" in part else 0
        if marked:
            out.append(
                {"source": source, "dataset": dataset, "estimated_values": marked, "rule": ESTIMATE_CODES[source][2]}
            )
    return out


def check_tables(tables: Iterable[pa.Table]) -> dict:
    """Quality findings over tidy tables (the store contract's columns): duplicates and estimate counts."""
    columns = ["source", "dataset", "series", "ref_area", "year", "value", "obs_status", "dimensions"]
    frames = [t.select([c for c in columns if c in t.column_names]).to_pandas() for t in tables]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return {
        "min_shared_rows": MIN_SHARED_ROWS,
        "duplicates": duplicate_series(frame),
        "estimates": estimate_counts(frame),
        "estimate_rules": {source: rule[2] for source, rule in sorted(ESTIMATE_CODES.items())},
    }


def write_findings(findings: Mapping, folder: Path) -> Path:
    """Write ``quality.json`` (sorted, so the same data gives the same bytes)."""
    path = Path(folder) / QUALITY_FILE
    path.write_text(json.dumps(findings, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_findings(folder: Path) -> dict:
    """The findings written beside a snapshot, or empty findings when there are none (a store built
    before this check, or by hand)."""
    path = Path(folder) / QUALITY_FILE
    if not path.exists():
        return {"duplicates": [], "estimates": [], "estimate_rules": {}}
    return json.loads(path.read_text(encoding="utf-8"))
