"""The store contract: schema conformance, round trip, pushed-down filters, atomic writes."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from connectors import store
from connectors.periods import period_columns


def _table(series: list[str], areas: list[str], years: list[int]) -> pa.Table:
    rows = [(s, a, y) for s in series for a in areas for y in years]
    periods = [str(y) for _, _, y in rows]
    return pa.table(
        {
            "source": ["test"] * len(rows),
            "dataset": ["demo"] * len(rows),
            "series": [s for s, _, _ in rows],
            "ref_area": [a for _, a, _ in rows],
            "time_period": periods,
            **period_columns(periods),
            "value": [float(i) for i in range(len(rows))],
            "unit": ["t"] * len(rows),
        }
    )


def _provenance(dataset: str = "demo") -> store.Provenance:
    return store.Provenance(
        source="test",
        dataset=dataset,
        publisher="Test publisher",
        licence="CC BY 4.0",
        citation="Test (2026)",
        original_source="synthetic test rows",
    )


def test_round_trip_keeps_every_value_and_type(tmp_path):
    table = _table(["a", "b"], ["SWE", "USA"], [2000, 2001])
    path = store.write_dataset(table, _provenance(), root=tmp_path)
    assert path == tmp_path / "snapshot" / "test" / "demo.parquet"
    back = store.scan(root=tmp_path)
    assert back.schema == store.SCHEMA
    assert sorted(back["value"].to_pylist()) == sorted(table["value"].to_pylist())
    frame = store.load(series=["b"], areas=["USA"], root=tmp_path)
    assert list(frame["year"]) == [2000, 2001]
    assert frame["value"].tolist() == [6.0, 7.0]
    sidecar = json.loads(store.provenance_path(path).read_text())
    assert sidecar["row_count"] == 8
    assert sidecar["publisher"] == "Test publisher"


def test_filters_are_pushed_into_the_parquet_scan(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "ROW_GROUP_SIZE", 100)
    series = [f"s{i:02d}" for i in range(20)]
    table = _table(series, ["AAA", "BBB"], list(range(1990, 2015)))  # 20 x 2 x 25 = 1000 rows
    path = store.write_dataset(table, _provenance(), root=tmp_path)
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups == 10
    fragment = next(ds.dataset(path, format="parquet").get_fragments())
    wanted = store.build_filter(series=["s03"], years=(2000, 2005))
    groups = fragment.split_by_row_group(wanted)
    # The sorted layout lets statistics rule out all row groups but the one holding s03.
    assert len(list(groups)) == 1
    frame = store.load(series=["s03"], years=(2000, 2005), root=tmp_path)
    assert set(frame["series"]) == {"s03"} and frame["year"].between(2000, 2005).all() and len(frame) == 12


def test_conform_names_the_missing_column():
    table = _table(["a"], ["SWE"], [2000]).drop_columns(["ref_area"])
    with pytest.raises(store.StoreError, match="ref_area"):
        store.conform(table)


def test_empty_dataset_is_refused_and_the_old_file_survives(tmp_path):
    path = store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance(), root=tmp_path)
    before = path.read_bytes()
    with pytest.raises(store.StoreError, match="no observations"):
        store.write_dataset(_table(["a"], ["SWE"], [2000]).slice(0, 0), _provenance(), root=tmp_path)
    assert path.read_bytes() == before


def test_a_failed_write_leaves_the_last_good_file(tmp_path, monkeypatch):
    path = store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance(), root=tmp_path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.pq, "write_table", explode)
    with pytest.raises(OSError):
        store.write_dataset(_table(["a"], ["SWE"], [2000, 2001]), _provenance(), root=tmp_path)
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.tmp"))


def test_refreshed_data_shadows_the_snapshot(tmp_path):
    store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance(), root=tmp_path)
    newer = _table(["a"], ["SWE"], [2000, 2001])
    store.write_dataset(newer, _provenance(), root=tmp_path, area=store.REFRESHED_DIR)
    files = store.dataset_files(tmp_path)
    assert files[("test", "demo")].parent.parent.name == store.REFRESHED_DIR
    assert store.scan(root=tmp_path).num_rows == 2


def test_stored_files_lists_each_copy_once_and_which_is_in_use(tmp_path):
    store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance(), root=tmp_path)
    for years in ([2000], [2000, 2001], [2000, 2001, 2002]):  # three refreshed versions
        store.write_dataset(_table(["a"], ["SWE"], years), _provenance(), root=tmp_path, area=store.REFRESHED_DIR)
    store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance("other"), root=tmp_path)
    rows = [(f.dataset, f.area, f.in_use) for f in store.stored_files(tmp_path)]
    assert rows == [("demo", "snapshot", False), ("other", "snapshot", True), ("demo", "refreshed", True)]
    assert store.stored_files(tmp_path)[2].path == store.dataset_files(tmp_path)[("test", "demo")]


def test_dataset_bytes_is_the_checked_current_file(tmp_path):
    path = store.write_dataset(_table(["a"], ["SWE"], [2000]), _provenance(), root=tmp_path, area=store.REFRESHED_DIR)
    assert store.dataset_bytes("test", "demo", root=tmp_path) == path.read_bytes()
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    store._verdicts.clear()
    with pytest.raises(store.DatasetUnavailable, match="damaged"):
        store.dataset_bytes("test", "demo", root=tmp_path)
