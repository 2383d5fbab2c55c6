"""Writers on an S3-compatible object store: the lock object, the manifest's compare-and-swap, boto3 as an extra.

Against a real S3 API server on 127.0.0.1 (moto in server mode), through the real code path: the
``python -m connectors`` processes and the store functions send real HTTP requests with the real
conditional headers, and moto answers 412 Precondition Failed when a condition does not hold. Nothing
here mocks the transport. What these tests cannot show: that AWS S3, MinIO or Ceph answer exactly
as moto does (only moto was available here, with no network).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pyarrow as pa
import pytest

from connectors import store, store_files, store_versions
from connectors.periods import period_columns
from connectors.store_publish import publish
from tests.connectors.fake_provider import CSV_TYPE, shifted_answer

pytest.importorskip("moto.server", reason="moto (a test dependency) runs the local S3 server")

DATASET = ("estat", "sdg_08_10")  # what the fake provider's catalogue entry sdg_08_10 writes
MANIFEST = store_versions.manifest_rel(*DATASET)


def _table(values: list[float]) -> pa.Table:
    periods = [str(2000 + i) for i in range(len(values))]
    n = len(values)
    return pa.table(
        {"source": ["test"] * n, "dataset": ["demo"] * n, "series": ["s"] * n, "ref_area": ["SWE"] * n,
         "time_period": periods, **period_columns(periods), "value": values}
    )  # fmt: skip


def _provenance(label: str) -> store.Provenance:
    return store.Provenance("test", "demo", "Test", "CC BY 4.0", "c", "synthetic", retrieved_or_built=label)


@pytest.fixture
def published(s3, tmp_path):
    """The committed snapshot published to a fresh prefix of the bucket (what a refresh there starts from)."""
    shutil.copytree(store.PROJECT_ROOT / "data_cache" / store.SNAPSHOT_DIR, tmp_path / "disk" / store.SNAPSHOT_DIR)
    publish(tmp_path / "disk", s3)
    return s3


@pytest.fixture
def patient_registry(registry, tmp_path):
    """The fake provider's registry with a generous deadline, so an answer can be held back while a second
    process tries the store."""
    folder = tmp_path / "registry"
    folder.mkdir()
    text = (registry / "providers.yaml").read_text(encoding="utf-8")
    text = text.replace("timeout_seconds: 3", "timeout_seconds: 90").replace("stall_seconds: 1", "stall_seconds: 90")
    (folder / "providers.yaml").write_text(text, encoding="utf-8")
    shutil.copy(registry / "catalogue.yaml", folder / "catalogue.yaml")
    return folder


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT), **extra)


def _refresh(registry, s3: str, *more: str, lock_timeout: float = 0) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "connectors", "refresh", "sdg_08_10", "--store", s3,
        "--providers", str(registry / "providers.yaml"), "--catalogue", str(registry / "catalogue.yaml"), *more,
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=_env(BEYOND_GDP_LOCK_TIMEOUT=str(lock_timeout)), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=store.PROJECT_ROOT,
    )  # fmt: skip


def _finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def _connectors(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "connectors", *args], capture_output=True, text=True, env=_env(**env), timeout=120,
        cwd=store.PROJECT_ROOT,
    )  # fmt: skip


class HeldAnswer:
    """Answers the first request only when released (the refresh holding the store's lock meanwhile);
    counts every request, so a refresh that was refused the lock is seen to have asked nothing."""

    def __init__(self, body: bytes, on_request=None):
        self.body, self.on_request = body, on_request
        self.asked, self.release = threading.Event(), threading.Event()
        self.requests = 0

    def __call__(self, handler) -> None:
        self.requests += 1
        self.asked.set()
        if self.on_request is not None:
            self.on_request()
        self.release.wait(timeout=90)
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)
        handler.wfile.flush()


class Reader(threading.Thread):
    """Reads the dataset over and over, as an app replica would, while writers run: every read whose data
    version did not change during it must have data, provenance and manifest agreeing."""

    def __init__(self, s3: str):
        super().__init__(daemon=True)
        self.s3, self.stop, self.seen, self.errors, self.reads = s3, threading.Event(), set(), [], 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                before = store.data_version(self.s3)
                table = store.read_dataset(*DATASET, ["value"], root=self.s3)
                provenance = store.read_provenance(*DATASET, root=self.s3)
                after = store.data_version(self.s3)
            except Exception as exc:  # any failure of a reader is a finding
                self.errors.append(repr(exc))
                continue
            if before == after:
                self.reads += 1
                self.seen.add(before)
                if table.num_rows != provenance.row_count:
                    self.errors.append(f"{before}: {table.num_rows} rows read, provenance says {provenance.row_count}")
            time.sleep(0.05)


# --- the writer lock --------------------------------------------------------------------------------


def test_two_refreshes_at_once_on_one_bucket_one_wins_the_other_gets_the_lock_error(
    published, provider, patient_registry
):
    """The first refresh holds the lock object while its answer is held back; the second, started then, is
    refused at once naming the holder and asks the provider nothing; the first then writes its version.
    A reader running throughout sees only the version before and the version after, each consistent."""
    s3 = published
    before = store.data_version(s3)
    body, changed_value = shifted_answer(0.5)  # the recorded answer, one value changed (labelled synthetic)
    held = HeldAnswer(body)
    provider.answer = held
    reader = Reader(s3)
    reader.start()
    first = _refresh(patient_registry, s3)
    try:
        assert held.asked.wait(timeout=90), "the first refresh never reached the provider"
        lock = json.loads(store_files.locate(s3).read_tagged(store_files.LOCK_FILE)[0])
        assert lock["pid"] == first.pid and lock["expires_at"] > lock["started_at"]
        code, output = _finish(_refresh(patient_registry, s3))
        assert code == 1, output
        assert f"the store {s3} is locked by " in output and f"pid {first.pid} " in output, output
        assert f"since {lock['started_at']}" in output and f"Retry after {lock['expires_at']}" in output, output
        assert "Traceback" not in output and held.requests == 1  # the loser asked the provider nothing
    finally:
        held.release.set()
    code, output = _finish(first)
    reader.stop.set()
    reader.join(timeout=30)
    assert code == 0 and "refresh: 1 updated" in output, output

    assert store_files.locate(s3).read_tagged(store_files.LOCK_FILE)[1] == store_files.ABSENT  # released
    verified = _connectors("verify", "--store", s3)
    assert verified.returncode == 0, verified.stderr
    after = store.data_version(s3)
    assert after != before
    assert changed_value in store.read_dataset(*DATASET, ["value"], root=s3)["value"].to_pylist()
    assert [v["current"] for v in store.history(*DATASET, root=s3)] == [True]
    assert not reader.errors, reader.errors[:3]
    assert reader.reads > 0 and reader.seen <= {before, after}


def test_of_several_processes_racing_for_the_lock_object_exactly_one_gets_it(s3):
    """Four processes ask for the lock at the same instant: the If-None-Match: * create lets exactly one in."""
    start_at = time.time() + 6  # every process imports first, then all try at this moment
    script = (
        "import sys, time; from connectors import store\n"
        f"time.sleep(max(0, {start_at} - time.time()))\n"
        "try:\n"
        f"    with store.writer_lock({s3!r}, timeout=0):\n"
        "        print('got', flush=True); time.sleep(6)\n"
        "except store.StoreLocked as exc:\n"
        "    print('locked:', exc)\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script], env=_env(), stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert sorted(o.split(maxsplit=1)[0] for o in outputs) == ["got", "locked:", "locked:", "locked:"], outputs
    assert time.time() > start_at


def test_a_stale_lock_is_broken_only_with_break_lock_and_a_live_one_never(s3, tmp_path):
    """A lock whose lease ran out (its writer died) stops writers with a message saying so; --break-lock takes it
    over. A lock still within its lease is never broken, even with --break-lock."""
    shutil.copytree(store.PROJECT_ROOT / "data_cache" / store.SNAPSHOT_DIR, tmp_path / store.SNAPSHOT_DIR)
    loc = store_files.locate(s3)
    ghost = {"owner": "ghost", "host": "elsewhere", "pid": 999, "command": "python -m connectors refresh --all",
             "started_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T00:05:00Z", "token": "x"}  # fmt: skip
    loc.write_bytes(store_files.LOCK_FILE, json.dumps(ghost).encode())

    refused = _connectors("publish", "--store", str(tmp_path), "--to", s3, BEYOND_GDP_LOCK_TIMEOUT="0")
    assert refused.returncode == 2
    assert f"the store {s3} is locked by ghost@elsewhere pid 999 " in refused.stderr
    assert "since 2026-01-01T00:00:00Z; its lease ran out at 2026-01-01T00:05:00Z" in refused.stderr
    assert "--break-lock" in refused.stderr and "Traceback" not in refused.stderr
    assert store.dataset_files(s3) == {}  # nothing was published

    broken = _connectors("publish", "--store", str(tmp_path), "--to", s3, "--break-lock", BEYOND_GDP_LOCK_TIMEOUT="0")
    assert broken.returncode == 0, broken.stderr
    assert loc.read_tagged(store_files.LOCK_FILE)[1] == store_files.ABSENT
    assert store.verify(s3) == [] and len(store.dataset_files(s3)) > 10

    live = dict(ghost, expires_at=store_files._utc(time.time() + 600))
    loc.write_bytes(store_files.LOCK_FILE, json.dumps(live).encode())
    kept = _connectors("rollback", "test/demo", "--store", s3, "--break-lock", BEYOND_GDP_LOCK_TIMEOUT="0")
    assert kept.returncode == 2
    assert f"Retry after {live['expires_at']}" in kept.stderr, kept.stderr
    assert json.loads(loc.read_bytes(store_files.LOCK_FILE)) == live  # untouched


def test_the_holder_renews_its_lease_so_a_long_write_is_never_stale(s3, monkeypatch):
    monkeypatch.setattr(store_files, "LOCK_LEASE_SECONDS", 1.5)
    loc = store_files.locate(s3)
    with store.writer_lock(s3):
        first, first_tag = store_files._read_holder(loc)
        time.sleep(2.5)  # longer than the lease: renewed every 0.5 s meanwhile
        later, later_tag = store_files._read_holder(loc)
        assert later_tag != first_tag and later["token"] == first["token"]
        assert later["expires_at"] > first["expires_at"] and later["started_at"] == first["started_at"]
        other = subprocess.run(
            [sys.executable, "-c", f"from connectors import store\nwith store.writer_lock({s3!r}, 0, True): pass"],
            env=_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other.returncode == 1 and "Retry after" in other.stderr  # not stale: --break-lock refused
    assert loc.read_tagged(store_files.LOCK_FILE)[1] == store_files.ABSENT


# --- the manifest's compare-and-swap ----------------------------------------------------------------


def _other_writer(s3: str, value: float) -> str:
    """A writer that does not take the lock (an older version of this code, or one that broke the lock):
    it switches estat/sdg_08_10's manifest to a version of its own. Returns that version's sha256."""
    table = store.read_dataset(*DATASET, store.COLUMNS, root=s3)
    values = table["value"].to_pylist()
    values[0] = value  # labelled synthetic: only to tell its version apart
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values, pa.float64()))
    data = store.parquet_bytes(table)
    provenance = store.Provenance("estat", "sdg_08_10", "Other writer", "test", "c", "synthetic", row_count=len(values))
    loc = store_files.locate(s3)
    store_versions.commit_version(loc, *DATASET, data, provenance.to_json(), {"rows": len(values)})
    return store_versions.sha256_bytes(data)


def test_a_refresh_whose_manifest_another_writer_switched_meanwhile_switches_nothing(
    published, provider, patient_registry
):
    """While the refresh fetches (holding the lock), a writer that ignores the lock switches the manifest.
    At the end the refresh's switch is refused: it fails with one line saying so, the other writer's
    version stays current, the store verifies, and readers see that version."""
    s3 = published
    other = {}
    held = HeldAnswer(shifted_answer(0.5)[0], on_request=lambda: other.setdefault("sha", _other_writer(s3, -1.0)))
    held.release.set()
    provider.answer = held
    code, output = _finish(_refresh(patient_registry, s3))
    assert code == 1, output
    assert f"another writer changed the store at {s3} since this refresh started" in output, output
    assert "nothing was switched; rerun" in output and "Traceback" not in output
    manifest = json.loads(store_files.locate(s3).read_bytes(MANIFEST))
    assert manifest["current"] == other["sha"] and len(manifest["versions"]) == 1
    assert store.verify(s3) == []
    assert store.read_dataset(*DATASET, ["value"], root=s3)["value"].to_pylist()[0] == -1.0


def test_the_server_refuses_the_switch_with_412_when_the_manifest_changed_after_it_was_read(s3, monkeypatch):
    """The other writer switches the manifest in the instant between this write's read and its switch (after
    the version object is written): the If-Match PUT gets 412 from the server, nothing is switched, the new
    version's objects are left unreferenced and the next write deletes them."""
    store.write_dataset(_table([1.0]), _provenance("one"), root=s3, area=store.REFRESHED_DIR)
    loc = store_files.locate(s3)
    refused, interrupted = [], []
    original_immutable, original_put = store_files.ObjectStore.write_immutable, store_files.ObjectStore._put

    def then_another_writer(self, rel, data):
        original_immutable(self, rel, data)
        if rel.endswith(".parquet") and not interrupted:
            interrupted.append(rel)
            store_versions.commit_version(loc, "test", "demo", store.parquet_bytes(store.conform(_table([7.0]))),
                                          _provenance("other").to_json(), {"rows": 1})  # fmt: skip

    def recording(self, rel, data, **conditions):
        try:
            return original_put(self, rel, data, **conditions)
        except store.StoreConflict as exc:
            refused.append((rel, conditions, str(exc)))
            raise

    monkeypatch.setattr(store_files.ObjectStore, "write_immutable", then_another_writer)
    monkeypatch.setattr(store_files.ObjectStore, "_put", recording)
    with pytest.raises(store.StoreConflict, match=f"another writer changed the store at {s3} .* nothing was switched"):
        store.write_dataset(_table([2.0, 3.0]), _provenance("two"), root=s3, area=store.REFRESHED_DIR)
    assert [(rel, set(conditions)) for rel, conditions, _ in refused] == [
        ("refreshed/test/demo.manifest.json", {"IfMatch"})
    ]
    assert "PreconditionFailed" in refused[0][2]  # moto's 412, not a check of ours
    assert store.read_dataset("test", "demo", ["value"], root=s3)["value"].to_pylist() == [7.0]
    assert store.verify(s3) == []
    orphans = [rel for rel in loc.list_files("refreshed/test") if "@" in rel]
    assert len(orphans) == 2 * 3  # three versions' data and provenance: one, the other writer's, the refused one
    monkeypatch.setattr(store_files.ObjectStore, "write_immutable", original_immutable)  # the next write, unhooked
    monkeypatch.setattr(store_files.ObjectStore, "_put", original_put)
    store.write_dataset(_table([4.0]), _provenance("four"), root=s3, area=store.REFRESHED_DIR)
    referenced = {v["file"] for v in store_versions.read_json(loc, "refreshed/test/demo.manifest.json")["versions"]}
    parquet_left = {rel.rsplit("/", 1)[1] for rel in loc.list_files("refreshed/test") if rel.endswith(".parquet")}
    assert parquet_left == referenced and len(referenced) == 3  # the refused version's objects are gone


# --- boto3 as an extra, and what is refused -----------------------------------------------------------

WITHOUT_BOTO3 = (
    "import sys; sys.modules['boto3'] = None; from connectors.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def test_without_boto3_reading_works_and_writing_names_the_extra(published, provider, patient_registry, tmp_path):
    shutil.copytree(store.PROJECT_ROOT / "data_cache" / store.SNAPSHOT_DIR, tmp_path / "copy" / store.SNAPSHOT_DIR)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_BOTO3, *args], capture_output=True, text=True, env=_env(), timeout=120,
            cwd=store.PROJECT_ROOT,
        )  # fmt: skip

    s3 = published
    assert run("verify", "--store", s3).returncode == 0  # reading needs only pyarrow
    held = HeldAnswer(shifted_answer(0.5)[0])
    held.release.set()
    provider.answer = held
    for args in (
        ("refresh", "sdg_08_10", "--store", s3, "--providers", str(patient_registry / "providers.yaml"),
         "--catalogue", str(patient_registry / "catalogue.yaml")),
        ("publish", "--store", str(tmp_path / "copy"), "--to", s3),
    ):  # fmt: skip
        result = run(*args)
        assert result.returncode in (1, 2), result.stdout + result.stderr
        assert f"writing to the object store {s3} needs boto3" in result.stderr, result.stderr
        assert "pip install 'beyond-gdp[s3]'" in result.stderr and "Traceback" not in result.stderr
    assert held.requests == 0  # the refresh stopped before asking the provider anything


def test_the_snapshot_is_never_built_on_an_object_store(s3, tmp_path):
    refused = _connectors("build-snapshot", "--out", s3, "--quiet")
    assert refused.returncode == 2
    assert f"--out {s3} is an object store" in refused.stderr and f"publish --to {s3}" in refused.stderr
    by_default = _connectors("build-snapshot", "--quiet", BEYOND_GDP_DATA_CACHE=s3)  # the configured store is S3
    assert by_default.returncode == 2 and "is an object store" in by_default.stderr
    with pytest.raises(store.StoreError, match="the snapshot is not written to an object store"):
        store.write_dataset(_table([1.0]), _provenance("x"), root=s3)
    assert store_files.locate(s3).list_files("", recursive=True) == []


def test_a_refresh_from_the_app_without_boto3_is_that_datasets_failure_not_a_traceback(
    s3, monkeypatch, provider, patient_registry
):
    """The Data & sources page refreshes through refresh_one: on an app replica without boto3 each dataset
    fails with the message naming the extra, and the provider is not asked."""
    from connectors import refresh

    providers = refresh.load_providers(patient_registry / "providers.yaml")
    entry = refresh.load_catalogue(patient_registry / "catalogue.yaml", providers)["sdg_08_10"]
    held = HeldAnswer(shifted_answer(0.5)[0])
    held.release.set()
    provider.answer = held
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now raises ImportError
    monkeypatch.setattr(store_files, "_clients", {})
    outcome = refresh.refresh_one(entry, fetcher=refresh.Fetcher(), providers=providers, root=s3)
    assert outcome.status == "failed"
    assert outcome.message.startswith("sdg_08_10: writing to the object store") and "beyond-gdp[s3]" in outcome.message
    assert held.requests == 0
