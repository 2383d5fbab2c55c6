"""Data-quality checks: duplicated series and publisher estimates, on hand-made tables (synthetic, labelled)
and on the committed snapshot, whose check must name the two identical Gapminder poverty series."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from connectors import quality, store


def _rows(series: str, values: dict[tuple[str, int], float], source="test", dataset="d") -> list[dict]:
    return [
        {"source": source, "dataset": dataset, "series": series, "ref_area": a, "year": y, "value": v}
        for (a, y), v in values.items()
    ]


def test_identical_series_are_found_and_near_identical_ones_are_not():
    keys = [(area, year) for area in ("AAA", "BBB", "CCC") for year in range(2000, 2015)]  # 45 shared rows
    base = {k: float(i) for i, k in enumerate(keys)}
    nearly = dict(base) | {("CCC", 2014): base[("CCC", 2014)] + 0.01}  # one value differs
    shorter = {k: v for k, v in base.items() if k[0] == "AAA"}  # 15 rows: too few to call a copy
    frame = pd.DataFrame(
        _rows("copy_b", base) + _rows("copy_a", base) + _rows("nearly", nearly) + _rows("short", {**shorter})
    )
    found = quality.duplicate_series(frame)
    assert [(d["a"]["series"], d["b"]["series"], d["shared_rows"]) for d in found] == [("copy_a", "copy_b", 45)]


def test_a_copy_that_covers_fewer_rows_is_still_a_copy_where_they_overlap():
    values = {("AAA", y): float(y) for y in range(1970, 2020)}
    part = {k: v for k, v in values.items() if k[1] >= 1985}
    frame = pd.DataFrame(_rows("long", values) + _rows("part", part))
    assert quality.duplicate_series(frame)[0]["shared_rows"] == 35


@pytest.mark.parametrize(
    ("source", "codes", "expected"),
    [
        ("estat", ["e", "p", "bep", "b", "u", None], [True, True, True, False, False, False]),
        ("unsd", ["e", "m", "ca", "c", "notspec", None], [True, True, False, False, False, False]),
        ("gapminder", ["e", None], [False, False]),  # no stated rule: nothing is marked
    ],
)
def test_estimate_codes_follow_each_publishers_stated_rule(source, codes, expected):
    assert quality.estimated(source, pd.Series(codes, dtype=object)).tolist() == expected


def test_check_tables_reports_duplicates_and_estimates():
    values = {("AAA", y): float(y) for y in range(1980, 2020)}
    rows = _rows("x", values, "estat", "d1") + _rows("y", values, "estat", "d1")
    table = pa.Table.from_pandas(pd.DataFrame(rows).assign(obs_status=["e"] * 3 + [None] * (len(rows) - 3)))
    findings = quality.check_tables([table])
    assert len(findings["duplicates"]) == 1
    assert findings["estimates"] == [
        {"source": "estat", "dataset": "d1", "estimated_values": 3, "rule": quality.ESTIMATE_CODES["estat"][2]}
    ]


def test_the_snapshot_check_names_the_identical_poverty_series():
    findings = quality.read_findings(store.DATA_CACHE / store.SNAPSHOT_DIR)
    if not findings["duplicates"] and not (store.DATA_CACHE / store.SNAPSHOT_DIR / quality.QUALITY_FILE).exists():
        pytest.skip("no quality.json beside the snapshot")
    pairs = {(d["a"]["series"], d["b"]["series"]): d["shared_rows"] for d in findings["duplicates"]}
    assert pairs == {("gm_365pov_rate", "gm_685pov_rate"): 42_823}
    assert {e["source"] for e in findings["estimates"]} == {"estat", "eurostat", "unsd"}
