"""Two ``python -m connectors refresh`` processes on one store at once, through the REAL refresh path
against the fake provider on 127.0.0.1 (tests/connectors/fake_provider.py).

A whole refresh holds the store's writer lock, so the second process waits for the first instead of
interleaving with it: the provider sees their requests one after the other, never overlapping, and
afterwards the store verifies, the dataset's manifest, data and provenance agree, and the current
data is the answer served last. With a short lock timeout the second stops with one line naming the
holder and writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from connectors import store, store_versions
from tests.connectors.fake_provider import CSV_TYPE, shifted_answer

pytestmark = pytest.mark.slow

ROUNDS = 3  # each about 6 s on this 2-core machine: two process starts, two answers of ANSWER_SECONDS
ANSWER_SECONDS = 1.5  # how long the provider takes per answer: two unlocked refreshes would overlap in it
PAUSE = 0.25  # between pieces of an answer, well within the fake provider's stall_seconds
DATASET = ("estat", "sdg_08_10")


class TimedProvider:
    """Serves answers in turn, slowly, and records when each request was being answered: from its
    arrival to just before its last piece is sent, a window no other locked refresh can fetch in."""

    def __init__(self, answers: list[bytes], seconds: float = ANSWER_SECONDS):
        self.answers = answers
        self.pieces = max(1, round(seconds / PAUSE))
        self.windows: list[tuple[float, float, int]] = []  # (start, end, answer index)
        self.guard = threading.Lock()

    def __call__(self, handler) -> None:
        started = time.monotonic()
        with self.guard:
            index = len(self.windows) % len(self.answers)
            self.windows.append((started, float("inf"), index))
            slot = len(self.windows) - 1
        body = self.answers[index]
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        step = len(body) // self.pieces + 1
        pieces = [body[start : start + step] for start in range(0, len(body), step)]
        for piece in pieces[:-1]:
            handler.wfile.write(piece)
            handler.wfile.flush()
            time.sleep(PAUSE)
        with self.guard:  # the end is stamped BEFORE the last piece leaves: no client has the whole answer yet
            self.windows[slot] = (started, time.monotonic(), index)
        handler.wfile.write(pieces[-1])
        handler.wfile.flush()


def _start_refresh(registry: Path, root: Path, lock_timeout: float) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT), BEYOND_GDP_LOCK_TIMEOUT=str(lock_timeout))
    command = [
        sys.executable, "-m", "connectors", "refresh", "sdg_08_10", "--root", str(root),
        "--providers", str(registry / "providers.yaml"), "--catalogue", str(registry / "catalogue.yaml"),
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=90)
    return process.returncode, out + err


def _connectors(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "connectors", *args], capture_output=True, text=True, env=env, timeout=90
    )


def test_two_refreshes_at_once_take_turns_and_leave_a_consistent_store(provider, registry, tmp_path):
    answers = [shifted_answer(shift) for shift in (0.0, 1000.0)]
    timed = TimedProvider([body for body, _ in answers])
    provider.answer = timed
    root = tmp_path / "store"
    started = time.monotonic()
    for _ in range(ROUNDS):
        first, second = _start_refresh(registry, root, 60), _start_refresh(registry, root, 60)
        for code, output in (_finish(first), _finish(second)):
            assert code == 0, output
            assert "refresh: 1 updated" in output, output
    assert time.monotonic() - started < ROUNDS * 30

    windows = sorted(timed.windows)
    assert len(windows) == 2 * ROUNDS
    for (_, previous_end, _), (start, _, _) in zip(windows, windows[1:], strict=False):
        assert start >= previous_end, f"two refreshes were fetching at once: {windows}"

    verified = _connectors("verify", "--store", str(root))
    assert verified.returncode == 0, verified.stderr
    manifest = json.loads((root / store_versions.manifest_rel(*DATASET)).read_text(encoding="utf-8"))
    current = store_versions.current_version(manifest)
    table = store.read_dataset(*DATASET, store.COLUMNS, root=root)
    provenance = store.read_provenance(*DATASET, root=root)
    assert current["rows"] == table.num_rows == provenance.row_count
    assert provenance.extra["sha256"] == store_versions.sha256_bytes(answers[windows[-1][2]][0])
    values = table["value"].to_pylist()
    served_last, other = answers[windows[-1][2]][1], answers[1 - windows[-1][2]][1]
    assert served_last in values and other not in values  # readers see the answer written last
    assert {v["sha256"] for v in store.history(*DATASET, root=root)} == {
        v["sha256"] for v in manifest["versions"]
    }  # the two answers, each written as one version (same bytes reuse theirs)
    assert len(manifest["versions"]) == 2

    status = _connectors("status", "--root", str(root), "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    rows = report["datasets"] if isinstance(report, dict) else report  # a dict once status also lists feeds
    refreshed = [r for r in rows if (r["source"], r["dataset"]) == DATASET and r["area"] == store.REFRESHED_DIR]
    assert [r["rows"] for r in refreshed] == [table.num_rows]


def test_a_refresh_stops_with_one_line_naming_the_holder_after_its_timeout(provider, registry, tmp_path):
    """Another writer (here this test process, holding the lock as a refresh would) keeps the store
    longer than the refresh will wait: it exits 1 with one line naming the holder, asks the provider
    nothing and writes nothing."""
    timed = TimedProvider([shifted_answer(0.0)[0]])
    provider.answer = timed
    root = tmp_path / "store"
    with store.writer_lock(root):
        code, output = _finish(_start_refresh(registry, root, 0.5))
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in output, output
    assert lines[0].startswith("refresh: the store store is being written by another process (pid ")
    assert f"pid {os.getpid()}, started 20" in lines[0] and "BEYOND_GDP_LOCK_TIMEOUT" in lines[0]
    assert timed.windows == []  # the stopped refresh asked the provider nothing
    assert store.stored_files(root) == []
    code, output = _finish(_start_refresh(registry, root, 0.5))  # the lock released: it runs
    assert code == 0, output
    assert store.verify(root) == [] and len(store.history(*DATASET, root=root)) == 1
