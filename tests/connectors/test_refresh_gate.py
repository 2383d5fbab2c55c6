"""The validation gate on its own: each check refuses what it must, with its evidence, and lets through
what the standards allow. (tests/connectors/test_faults.py drives the same checks through a real
HTTP exchange.)"""

from __future__ import annotations

import pyarrow as pa
import pytest

from connectors import gate, store
from connectors.providers import default_catalogue, default_providers
from connectors.refresh import plan


def _table(rows: list[tuple[str, str, str, float | None]]) -> pa.Table:
    """(series, ref_area, year, value) rows as a store table; the series key's first code is the unit."""
    return store.conform(
        pa.table(
            {
                "source": ["t"] * len(rows),
                "dataset": ["d"] * len(rows),
                "series": [r[0] for r in rows],
                "ref_area": [r[1] for r in rows],
                "time_period": [r[2] for r in rows],
                "freq": ["A" if r[2] else None for r in rows],
                "year": pa.array([int(r[2]) if r[2] else None for r in rows], pa.int16()),
                "period_start": pa.array(
                    [pa.scalar(f"{r[2]}-01-01").cast(pa.date32()).as_py() if r[2] else None for r in rows], pa.date32()
                ),
                "value": [r[3] for r in rows],
                "dimensions": [f'{{"geo":"{r[1]}","unit":"{r[0].split(".")[0]}"}}' for r in rows],
            }
        )
    )


AREAS = [f"A{i:02d}" for i in range(20)]
GOOD = _table([(f"PC.{a}", a, str(y), 1.0 + y) for a in AREAS for y in (2020, 2021)])


def _check(table, previous=GOOD, summary=None, fmt="sdmx-csv-2.0", **kwargs):
    return gate.check(table, summary or {}, dataset="d", fmt=fmt, previous=previous, **kwargs)


def _refused(check: str, table, **kwargs) -> gate.GateRefusal:
    with pytest.raises(gate.GateRefusal) as caught:
        _check(table, **kwargs)
    assert caught.value.check == check
    assert str(caught.value).startswith(f"d: refused by the gate (check '{check}'): ")
    return caught.value


def test_a_good_answer_passes_unchanged():
    verdict = _check(GOOD)
    assert verdict.table.equals(GOOD) and verdict.notes == []


def test_fewer_areas_beyond_the_threshold_are_refused_and_the_override_accepts_them():
    shrunk = _table(
        [(f"PC.{a}", a, "2021", 1.0) for a in AREAS[:17]] + [(f"PC.X{i}", "A00", "2021", 1.0) for i in range(3)]
    )
    refusal = _refused("coverage", shrunk)
    assert "17 areas now, 20 in the last good version (-15%, limit -10%)" in str(refusal)
    assert "gone: A17, A18, A19" in str(refusal) and refusal.overridable and "--allow-shrink" in str(refusal)
    assert _check(shrunk, allow_shrink=True).table.num_rows == 20  # same series count: only areas shrank


def test_within_the_threshold_passes():
    nine_tenths = _table([(f"PC.{a}", a, str(y), 1.0) for a in AREAS[:18] for y in (2020, 2021)])
    assert _check(nine_tenths).table.num_rows == 36


def test_an_earlier_latest_period_is_refused():
    older = _table([(f"PC.{a}", a, "2020", 1.0) for a in AREAS])
    assert "latest period now starts 2020-01-01, the last good version reached 2021-01-01" in str(
        _refused("coverage", older)
    )


def test_needs_refuses_a_selection_that_lost_its_values():
    renamed = _table([(f"EUR.{a}", a, str(y), 1.0) for a in AREAS for y in (2020, 2021)])
    refusal = _refused("needs", renamed, needs=[{"unit": ["PC"]}])
    assert "the indicators read unit=PC: 40 values in the last good version, none in the answer" in str(refusal)
    assert _check(renamed, needs=[{"unit": ["EUR"]}]).table.num_rows == 40  # a selection that had nothing before


def test_missing_values_and_periods():
    assert "all 40 observations are missing values" in str(
        _refused("values", _table([(f"PC.{a}", a, str(y), None) for a in AREAS for y in (2020, 2021)]))
    )
    assert "no OBS_VALUE column" in str(_refused("values", GOOD, summary={"measure_missing": 40}))
    timeless = _table([(f"PC.{a}", a, "", 1.0) for a in AREAS])
    assert "20 of 20 observations have no TIME_PERIOD" in str(_refused("periods", timeless))
    assert _check(timeless, previous=timeless).table.num_rows == 20  # a cross-section stays one


def test_missing_markers_are_accepted_only_where_the_format_defines_them():
    with_nan = {"missing_markers": {"NaN": 2}}
    assert _check(GOOD, summary=with_nan, fmt="sdmx-ml-2.1-generic").notes == [
        "2 observations published as missing ('NaN')"
    ]
    assert "':'" in _check(GOOD, summary={"missing_markers": {":": 1}}, fmt="estat-tsv").notes[0]
    refusal = _refused("numbers", GOOD, summary={"missing_markers": {"n/a": 3}}, fmt="sdmx-ml-2.1-generic")
    assert "'n/a' ×3" in str(refusal) and "NaN" in str(refusal) and not refusal.overridable


def test_duplicates_conflicting_are_refused_identical_collapse():
    twin = _table([("PC.A00", "A00", "2020", 2021.0)])  # same value as the good row: an exact repeat
    verdict = _check(pa.concat_tables([GOOD, twin]))
    assert verdict.table.num_rows == 40 and verdict.notes == ["1 identical duplicate observations collapsed"]
    other = _table([("PC.A00", "A00", "2020", 5.0)])
    refusal = _refused("duplicates", pa.concat_tables([GOOD, other]))
    assert "PC.A00 2020: [5.0, 2021.0]" in str(refusal)


def test_the_first_version_is_checked_without_coverage():
    assert _check(_table([("PC.A00", "A00", "2020", 1.0)]), previous=None).table.num_rows == 1


def test_refresh_plan_alternates_hosts_and_says_how_long(tmp_path):
    from connectors.http import RequestLog

    now = [1000.0]
    log = RequestLog(tmp_path / "requests.json", clock=lambda: now[0], sleep=lambda s: None)
    catalogue = default_catalogue()
    oecd = [n for n, e in catalogue.items() if e.provider == "OECD" and e.enabled]
    estat = [n for n, e in catalogue.items() if e.provider == "ESTAT" and e.enabled]
    for _ in range(60):  # an earlier run used up the OECD hour
        log.wait("sdmx.oecd.org", default_providers()["OECD"].rate_limits)
    order, line = plan([*oecd[:2], *estat[:2]], catalogue, default_providers(), log)
    assert order == [oecd[0], estat[0], oecd[1], estat[1]]
    assert "the rate windows make it take at least 1.0 h" in line
    assert "sdmx.oecd.org: 2 request(s), limit 20/60 s and 60/3600 s" in line
