"""The snapshot's steps (connectors.snapshot_steps): every snapshot.yaml entry names a step and has what it
declares it needs, and a broken entry is refused before anything is built, naming the entry and the field."""

from __future__ import annotations

import copy

import pytest

from connectors import snapshot
from connectors.snapshot_steps import STEPS


def _first_entry_of_each_step() -> dict[str, dict]:
    entries = {}
    for entry in snapshot.load_spec()["sources"]:
        entries.setdefault(entry["reader"], entry)
    return entries


def test_every_step_is_used_by_the_spec_and_every_entry_passes_its_check(shared_data):
    entries = snapshot.load_spec()["sources"]
    assert {entry["reader"] for entry in entries} == set(STEPS)
    for entry in entries:
        assert snapshot.check_entry(entry, shared_data) is STEPS[entry["reader"]]


@pytest.mark.parametrize(
    ("reader", "field"),
    [(reader, field) for reader, step in sorted(STEPS.items()) for field in (*step.NEEDS, "licence", "path")],
)
def test_an_entry_without_a_field_its_step_needs_is_refused_by_name(shared_data, reader, field):
    entry = copy.deepcopy(_first_entry_of_each_step()[reader])
    del entry[field]
    with pytest.raises(snapshot.SnapshotError, match=f"{entry['source']}/{entry['dataset']}: .* lacks {field}"):
        snapshot.check_entry(entry, shared_data)


@pytest.mark.parametrize(("reader", "field"), [(r, f) for r, step in sorted(STEPS.items()) for f in step.SHARED])
def test_a_shared_file_that_is_not_there_is_refused_by_name(shared_data, reader, field):
    entry = copy.deepcopy(_first_entry_of_each_step()[reader])
    entry[field] = [*entry[field][:-1], "panel/no-such-file.csv"] if isinstance(entry[field], list) else "no/such"
    with pytest.raises(snapshot.SnapshotError, match=f"{field} .* is not in"):
        snapshot.check_entry(entry, shared_data)


def test_an_unknown_reader_is_refused_before_anything_is_built(shared_data, tmp_path):
    spec = snapshot.load_spec()
    spec["sources"] = [*spec["sources"], {**spec["sources"][-1], "reader": "spreadsheet"}]
    with pytest.raises(snapshot.SnapshotError, match="unknown reader 'spreadsheet'; use one of"):
        snapshot.build_snapshot(shared_data, tmp_path, spec=spec, log=lambda *_: None)
    assert not any(tmp_path.rglob("*.parquet"))
