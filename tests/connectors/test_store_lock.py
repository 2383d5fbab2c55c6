"""The writer lock, orphan cleaning and file modes of the store (synthetic test rows).

Concurrent writers are real processes (multiprocessing, spawn), so the lock is tested as the
kernel enforces it between processes, not only between threads.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import time

import pyarrow as pa
import pytest

from connectors import store, store_files, store_versions
from connectors.periods import period_columns

SPAWN = multiprocessing.get_context("spawn")


def _table(values: list[float]) -> pa.Table:
    periods = [str(2000 + i) for i in range(len(values))]
    return pa.table(
        {
            "source": ["test"] * len(values),
            "dataset": ["demo"] * len(values),
            "series": ["s"] * len(values),
            "ref_area": ["SWE"] * len(values),
            "time_period": periods,
            **period_columns(periods),
            "value": values,
        }
    )


def _provenance(label: str) -> store.Provenance:
    return store.Provenance("test", "demo", "Test publisher", "CC BY 4.0", "c", "synthetic", retrieved_or_built=label)


# --- workers run in child processes ----------------------------------------------------------------


def _slow_writer(root: str, label: str, base: float, count: int, log: str, start) -> None:
    """Write ``count`` versions, each holding the lock 0.2 s, and log when each critical section ran."""
    original = store_versions.commit_version

    def slow_commit(*args, **kwargs):
        began = time.monotonic()
        time.sleep(0.2)
        result = original(*args, **kwargs)
        with open(log, "a") as handle:
            written = json.loads(args[4])[
                "retrieved_or_built"
            ]  # commit_version(loc, source, dataset, data, provenance)
            handle.write(json.dumps([written, began, time.monotonic()]) + "\n")
        return result

    store_versions.commit_version = slow_commit
    start.wait(10)
    for i in range(count):
        store.write_dataset(
            _table([base + i]), _provenance(f"{label}{i}"), root=root, area=store.REFRESHED_DIR, keep=10
        )


def _hold_lock(root: str, ready, seconds: float) -> None:
    with store.writer_lock(root):
        ready.set()
        time.sleep(seconds)


# --- tests ---------------------------------------------------------------------------------------


def test_two_concurrent_writers_take_turns_and_leave_a_consistent_store(tmp_path):
    log = tmp_path / "sections.jsonl"
    start = SPAWN.Event()
    writers = [
        SPAWN.Process(target=_slow_writer, args=(str(tmp_path), label, base, 3, str(log), start))
        for label, base in (("a", 10.0), ("b", 20.0))
    ]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    sections = sorted(entry[1:] for entry in logged)
    assert len(sections) == 6
    for (_, end), (begin, _) in zip(sections, sections[1:], strict=False):
        assert begin >= end, "two writers were inside the store at once"
    history = store.history("test", "demo", root=tmp_path)
    assert [v["provenance"]["retrieved_or_built"] for v in history] == [e[0] for e in reversed(logged)]
    assert store.verify(tmp_path) == []
    last = max(logged, key=lambda entry: entry[2])[0]  # the writer whose section ended last is current
    assert history[0]["current"] and history[0]["provenance"]["retrieved_or_built"] == last
    value = store.read_dataset("test", "demo", ["value"], root=tmp_path)["value"].to_pylist()
    assert value == [{"a": 10.0, "b": 20.0}[last[0]] + int(last[1])]


def test_a_second_writer_stops_with_a_message_naming_the_holder(tmp_path, monkeypatch):
    store.write_dataset(_table([1.0]), _provenance("first"), root=tmp_path, area=store.REFRESHED_DIR)
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=_hold_lock, args=(str(tmp_path), ready, 5.0))
    holder.start()
    try:
        assert ready.wait(30)
        monkeypatch.setattr(store_files, "LOCK_TIMEOUT_SECONDS", 0.3)
        began = time.monotonic()
        with pytest.raises(store.StoreLocked) as caught:
            store.write_dataset(_table([2.0]), _provenance("second"), root=tmp_path, area=store.REFRESHED_DIR)
        assert time.monotonic() - began < 3
        message = str(caught.value)
        assert f"pid {holder.pid}" in message and "started 20" in message and "BEYOND_GDP_LOCK_TIMEOUT" in message
        assert str(tmp_path.parent) not in message
    finally:
        holder.kill()
        holder.join()
    # the holder was killed with SIGKILL: the kernel released its lock, the next write goes through
    assert holder.exitcode == -signal.SIGKILL
    store.write_dataset(_table([3.0]), _provenance("third"), root=tmp_path, area=store.REFRESHED_DIR)
    assert store.read_provenance("test", "demo", root=tmp_path).retrieved_or_built == "third"


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    with store.writer_lock(tmp_path, timeout=0.1):
        store.write_dataset(_table([1.0]), _provenance("inside"), root=tmp_path, area=store.REFRESHED_DIR)
    assert store.read_provenance("test", "demo", root=tmp_path).retrieved_or_built == "inside"


def test_orphans_of_an_interrupted_write_are_cleaned_by_the_next_write(tmp_path):
    store.write_dataset(_table([1.0]), _provenance("first"), root=tmp_path, area=store.REFRESHED_DIR)
    folder = tmp_path / "refreshed" / "test"
    orphans = [
        folder / ".demo@0123456789abcdef.parquet.1a2b3c.tmp",  # killed while writing a version
        folder / "demo@0123456789abcdef.parquet",  # killed after the version, before the manifest
        folder / "demo@0123456789abcdef.provenance.json",
        tmp_path / "snapshot" / "test" / ".demo.parquet.4d5e6f.tmp",
    ]
    keep = [folder / "other@fedcba9876543210.parquet"]  # a dataset without manifest: kept for rollback
    for path in orphans + keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left over")
    store.write_dataset(_table([2.0]), _provenance("second"), root=tmp_path, area=store.REFRESHED_DIR)
    assert [p for p in orphans if p.exists()] == []
    assert all(p.exists() for p in keep)
    assert len(store.history("test", "demo", root=tmp_path)) == 2


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o027, 0o640)])
def test_written_files_get_the_mode_of_a_normal_file(tmp_path, umask, expected):
    previous = os.umask(umask)
    try:
        store.write_dataset(_table([1.0]), _provenance("snap"), root=tmp_path)
        store.write_dataset(_table([2.0]), _provenance("ref"), root=tmp_path, area=store.REFRESHED_DIR)
    finally:
        os.umask(previous)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".store.lock"]
    assert len(written) == 6  # snapshot parquet, sidecar, MANIFEST.json; version, its provenance, manifest
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: expected for p in written}
