"""kill -9 at random moments of a process that writes and rolls back datasets: the store survives each.

A child process writes new versions of two refreshed datasets (synthetic rows) and rolls one back
now and then, as fast as it can; it is killed with SIGKILL after a random delay, 30 times. After
every kill the store must be readable, each manifest must agree with the files it names (verify
passes, rows and provenance match), and the next write must clean whatever the kill left behind.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors import store, store_files

KILLS = 30
DATASETS = ("alpha", "beta")

#: A long-lived process that imports everything once and forks a fresh writer on each request, so
#: a kill costs a fork (milliseconds) instead of a Python start with pyarrow (a second here).
WRITERS = r"""
import itertools, os, signal, sys
import pyarrow as pa
import pyarrow.compute
from connectors import store
from connectors.periods import period_columns

root = sys.argv[1]
periods = [str(1900 + i % 120) for i in range(20_000)]
columns = period_columns(periods)


base = pa.table({
    "source": ["test"] * 20_000, "dataset": ["alpha"] * 20_000,
    "series": [f"s{j // 120}" for j in range(20_000)], "ref_area": ["SWE"] * 20_000,
    "time_period": periods, **columns, "value": [float(j) for j in range(20_000)],
})


def write_forever(first):
    for i in itertools.count(first):
        name = ("alpha", "beta")[i % 2]
        table = base.set_column(1, "dataset", pa.array([name] * 20_000)).set_column(
            base.schema.get_field_index("value"), "value", pa.compute.add(base["value"], float(i * 100_000))
        )
        provenance = store.Provenance("test", name, "Test", "CC BY 4.0", "c", "synthetic", retrieved_or_built=str(i))
        store.write_dataset(table, provenance, root=root, area=store.REFRESHED_DIR, keep=3)
        if i % 5 == 4:
            store.rollback("test", name, root=root)


signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed writers are reaped by the kernel
print("ready", flush=True)
for round_number, _ in enumerate(sys.stdin):
    pid = os.fork()
    if pid == 0:
        write_forever(round_number * 1000)
        os._exit(0)
    print(pid, flush=True)
"""


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def _leftovers(root: Path) -> list[str]:
    """Temporary files, and version files no manifest names: what a kill can leave behind."""
    named = set()
    for dataset in DATASETS:
        for version in store.history("test", dataset, root=root):
            named |= {version["file"], version["provenance_file"]}
    return sorted(
        p.name
        for p in root.rglob("*")
        if p.is_file() and (p.name.endswith(".tmp") or ("@" in p.name and p.name not in named))
    )


def _assert_consistent(root: Path) -> None:
    assert store.verify(root) == [], "a manifest disagrees with its files"
    for dataset in DATASETS:
        versions = store.history("test", dataset, root=root)
        current = [v for v in versions if v["current"]]
        assert len(current) == 1
        table = store.read_dataset("test", dataset, ["dataset", "value"], root=root)
        provenance = store.read_provenance("test", dataset, root=root)
        assert table.num_rows == current[0]["rows"] == provenance.row_count
        assert set(table["dataset"].to_pylist()) == {dataset}
        assert provenance.retrieved_or_built == current[0]["provenance"]["retrieved_or_built"]


def _seed(root: Path) -> None:
    """One version of each dataset before the kills: a store always starts from a first write."""
    import pyarrow as pa

    from connectors.periods import period_columns

    for dataset in DATASETS:
        table = pa.table(
            {"source": ["test"], "dataset": [dataset], "series": ["s"], "ref_area": ["SWE"], "time_period": ["2000"],
             **period_columns(["2000"]), "value": [0.0]}
        )  # fmt: skip
        store.write_dataset(
            table, store.Provenance("test", dataset, "Test", "CC BY 4.0", "c", "synthetic", retrieved_or_built="seed"),
            root=root, area=store.REFRESHED_DIR,
        )  # fmt: skip


def test_thirty_kills_at_random_moments_never_leave_an_inconsistent_store(tmp_path):
    _seed(tmp_path)
    rng = random.Random(13)
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT))
    spawner = subprocess.Popen(
        [sys.executable, "-c", WRITERS, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        assert spawner.stdout.readline().strip() == b"ready"
        began = time.monotonic()
        left_behind = 0
        for _ in range(KILLS):
            spawner.stdin.write(b"go\n")
            spawner.stdin.flush()
            pid = int(spawner.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(pid, signal.SIGKILL)
            assert _gone(pid), "the killed writer did not go away"
            _assert_consistent(tmp_path)
            left_behind += bool(_leftovers(tmp_path))
            _seed(tmp_path)  # the next write ...
            assert _leftovers(tmp_path) == []  # ... cleans what the kill left
            _assert_consistent(tmp_path)
            assert time.monotonic() - began < 45, "the kill loop is bounded to well under a minute"
    finally:
        spawner.kill()
        spawner.wait()
    print(f"{KILLS} kills in {time.monotonic() - began:.1f} s; {left_behind} left files behind")
    # ~9 of 30 kills land inside a write here; none at all would mean the loop never tested one
    assert left_behind >= 1, "no kill landed inside a write"


def test_a_crash_between_the_version_and_the_manifest_switch_changes_nothing_a_reader_sees(tmp_path, monkeypatch):
    _seed(tmp_path)
    before = {d: store.read_dataset("test", d, ["value"], root=tmp_path) for d in DATASETS}
    version_before = store.data_version(tmp_path)
    original = store_files.Disk.write_bytes

    def die_at_the_manifest(self, rel, data):
        if rel.endswith(".manifest.json"):
            raise SystemExit("killed")  # as abrupt as kill -9 for the store: no cleanup runs in the writer
        original(self, rel, data)

    monkeypatch.setattr(store_files.Disk, "write_bytes", die_at_the_manifest)
    import pyarrow as pa

    from connectors.periods import period_columns

    table = pa.table({"source": ["test"], "dataset": ["alpha"], "series": ["s"], "ref_area": ["SWE"],
                      "time_period": ["2001"], **period_columns(["2001"]), "value": [9.0]})  # fmt: skip
    with pytest.raises(SystemExit):
        store.write_dataset(table, store.Provenance("test", "alpha", "T", "L", "c", "o"), root=tmp_path,
                            area=store.REFRESHED_DIR)  # fmt: skip
    monkeypatch.undo()
    assert len(_leftovers(tmp_path)) == 2  # the new version's Parquet and provenance, named by no manifest
    assert {d: store.read_dataset("test", d, ["value"], root=tmp_path) for d in DATASETS} == before
    assert store.data_version(tmp_path) == version_before
    _assert_consistent(tmp_path)
    _seed(tmp_path)
    assert _leftovers(tmp_path) == []
