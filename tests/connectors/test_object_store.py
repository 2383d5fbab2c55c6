"""The store on S3-compatible object storage, against a real S3 API server on 127.0.0.1 (moto, server mode).

Publish the committed snapshot (plus a refreshed dataset) to a bucket, read it back through the
same functions the app uses, and write new versions there: values equal those read from disk,
the manifest object is written last, and the data version follows every change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest

from connectors import store, store_files
from connectors.__main__ import main
from connectors.periods import period_columns

pytest.importorskip("moto.server", reason="moto (a test dependency) runs the local S3 server")


def _table(values: list[float], dataset: str = "demo") -> pa.Table:
    periods = [str(2000 + i) for i in range(len(values))]
    return pa.table(
        {"source": ["test"] * len(values), "dataset": [dataset] * len(values), "series": ["s"] * len(values),
         "ref_area": ["SWE"] * len(values), "time_period": periods, **period_columns(periods), "value": values}
    )  # fmt: skip


def _provenance(label: str, dataset: str = "demo") -> store.Provenance:
    return store.Provenance("test", dataset, "Test", "CC BY 4.0", "c", "synthetic", retrieved_or_built=label)


@pytest.fixture
def disk_store(tmp_path):
    """A copy of the committed snapshot with one refreshed dataset (two versions) beside it."""
    shutil.copytree(store.PROJECT_ROOT / "data_cache" / store.SNAPSHOT_DIR, tmp_path / store.SNAPSHOT_DIR)
    store.write_dataset(_table([1.0]), _provenance("one"), root=tmp_path, area=store.REFRESHED_DIR)
    store.write_dataset(_table([2.0, 3.0]), _provenance("two"), root=tmp_path, area=store.REFRESHED_DIR)
    return tmp_path


def test_published_store_reads_back_with_the_values_read_from_disk(disk_store, s3):
    assert main(["publish", "--store", str(disk_store), "--to", s3]) == 0
    assert store.verify(s3) == []
    assert store.data_version(s3) == store.data_version(disk_store)
    assert set(store.dataset_files(s3)) == set(store.dataset_files(disk_store))
    for source, dataset in store.dataset_files(disk_store):
        on_disk = store.read_dataset(source, dataset, store.COLUMNS, root=disk_store)
        assert store.read_dataset(source, dataset, store.COLUMNS, root=s3).equals(on_disk), f"{source}/{dataset}"
        assert store.read_provenance(source, dataset, root=s3) == store.read_provenance(source, dataset, disk_store)
    wanted = {"areas": ["SWE", "DEU"], "years": (2000, 2010), "datasets": ["sdg_08_10", "fasttrack"]}
    assert store.scan(root=s3, **wanted).equals(store.scan(root=disk_store, **wanted))
    assert store.load_areas(s3).equals(store.load_areas(disk_store))
    assert [v["sha256"] for v in store.history("test", "demo", root=s3)] == [
        v["sha256"] for v in store.history("test", "demo", root=disk_store)
    ]


def test_a_write_on_s3_is_a_new_version_with_the_manifest_written_last(disk_store, s3, monkeypatch):
    """Every PUT of a write, with its condition: the version objects create-only (If-None-Match: *), then
    the manifest as a compare-and-swap on the ETag it had when the write started (If-Match)."""
    from connectors.store_publish import publish

    publish(disk_store, s3)
    before = store.data_version(s3)
    manifest = "refreshed/test/demo.manifest.json"
    etag_before = store_files.locate(s3).read_tagged(manifest)[1]
    puts = []
    original = store_files.ObjectStore._put

    def recording(self, rel, data, **conditions):
        if rel != store_files.LOCK_FILE:
            puts.append((rel, conditions))
        return original(self, rel, data, **conditions)

    monkeypatch.setattr(store_files.ObjectStore, "_put", recording)
    path = store.write_dataset(_table([4.0, 5.0, 6.0]), _provenance("three"), root=s3, area=store.REFRESHED_DIR)
    assert path.startswith(f"{s3}/refreshed/test/demo@")
    version = path[len(s3) + 1 :]
    assert puts == [
        (version, {"IfNoneMatch": "*"}),
        (store.provenance_path(version), {"IfNoneMatch": "*"}),
        (manifest, {"IfMatch": etag_before}),
    ]
    assert etag_before.startswith('"') and len(etag_before) > 10
    assert store.data_version(s3) != before
    values = store.read_dataset("test", "demo", ["value"], root=s3)["value"].to_pylist()
    assert values == [4.0, 5.0, 6.0]
    assert [v["current"] for v in store.history("test", "demo", root=s3)] == [True, False, False]
    store.rollback("test", "demo", root=s3)
    assert store.data_version(s3) == before
    assert store.read_dataset("test", "demo", ["value"], root=s3)["value"].to_pylist() == [2.0, 3.0]


def test_a_damaged_object_is_refused_and_named(disk_store, s3):
    from connectors.store_publish import publish

    publish(disk_store, s3)
    url = store.dataset_files(s3)[("test", "demo")]
    loc = store_files.locate(s3)
    rel = url[len(s3) + 1 :]
    data = bytearray(loc.read_bytes(rel))
    data[len(data) // 2] ^= 0xFF
    loc.write_bytes(rel, bytes(data))
    store._verdicts.clear()
    with pytest.raises(store.DatasetUnavailable, match="test/demo is unavailable: .* damaged"):
        store.read_dataset("test", "demo", ["value"], root=s3)
    assert [p.file for p in store.verify(s3)] == [rel]
    assert main(["publish", "--store", s3, "--to", str(disk_store.parent / "copy")]) == 2  # never spread damage


def test_the_configured_store_can_be_an_s3_url(disk_store, s3):
    """BEYOND_GDP_DATA_CACHE=s3://... serves the command line, and an indicator reads the same values."""
    from connectors.store_publish import publish

    publish(disk_store, s3)
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT))

    def run(*args, store_url):
        env["BEYOND_GDP_DATA_CACHE"] = store_url
        return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, timeout=120)

    verify = run("connectors", "verify", store_url=s3)
    assert verify.returncode == 0, verify.stderr
    history = run("connectors", "history", "test/demo", store_url=s3)
    assert history.returncode == 0 and "2 version(s) kept" in history.stdout
    on_s3 = run("indicators", "values", "life_expectancy", "--areas", "SWE,DEU", "--format", "csv", store_url=s3)
    on_disk = run(
        "indicators", "values", "life_expectancy", "--areas", "SWE,DEU", "--format", "csv", store_url=str(disk_store)
    )
    assert on_s3.returncode == 0, on_s3.stderr
    assert on_s3.stdout == on_disk.stdout and on_s3.stdout.count("\n") > 10


def test_status_lists_an_s3_store_as_it_lists_the_same_store_on_disk(disk_store, s3, capsys):
    from connectors.refresh import status_rows
    from connectors.store_publish import publish

    publish(disk_store, s3)
    on_s3 = status_rows(s3)
    assert on_s3 == status_rows(disk_store)
    refreshed = [r for r in on_s3 if (r["source"], r["dataset"]) == ("test", "demo")]
    assert [(r["area"], r["rows"], r["date"]) for r in refreshed] == [(store.REFRESHED_DIR, 2, "two")]
    assert main(["status", "--store", s3]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if row.split()[:3] == ["test", "demo", "refreshed"])
    assert line.split()[3] == "2"  # the command line's table: rows of the current version
