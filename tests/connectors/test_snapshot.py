"""The committed snapshot: rebuilt from the real shared files it equals what is committed,
covers the themes and countries the dashboard promises, and carries complete provenance."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from connectors import snapshot, store
from connectors.snapshot import SNAPSHOT_DIR

COMMITTED = store.PROJECT_ROOT / "data_cache"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, shared_data):
    out = tmp_path_factory.mktemp("snapshot")
    snapshot.build_snapshot(shared_data, out, log=lambda *_: None)
    return out


def test_rebuild_gives_byte_identical_files(rebuilt):
    committed = sorted(p.relative_to(COMMITTED) for p in (COMMITTED / SNAPSHOT_DIR).rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(rebuilt) for p in (rebuilt / SNAPSHOT_DIR).rglob("*") if p.is_file())
    assert fresh == committed, "the committed snapshot is stale: run `make snapshot` and commit data_cache/"
    for relative in committed:
        assert (rebuilt / relative).read_bytes() == (COMMITTED / relative).read_bytes(), relative


def test_snapshot_is_compact():
    total = sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file())
    assert total < 30e6


def test_at_least_150_countries_with_iso3_codes():
    areas = store.load_areas()
    countries = areas[(areas["level"] == "country") & ~areas["is_aggregate"]]
    assert countries["ref_area"].str.fullmatch(r"[A-Z]{3}").all()
    observed = set(store.scan(columns=["ref_area"])["ref_area"].unique().to_pylist())
    assert len(observed & set(countries["ref_area"])) >= 150


def test_aggregates_are_kept_and_flagged():
    areas = store.load_areas().set_index("ref_area")
    for code in ("WLD", "OECD", "EU27", "HIC"):
        assert bool(areas.at[code, "is_aggregate"]), code
    world = store.load(areas=["WLD"], columns=["series"])
    assert len(world) > 0


def test_no_projections_beyond_the_cutoff():
    cutoff = snapshot.load_spec()["observed_until"]
    years = store.scan(columns=["year"])["year"]
    assert max(years.to_pylist()) <= cutoff


def test_at_least_40_series_spread_over_themes():
    table = store.scan(columns=["source", "dataset", "series"]).group_by(["source", "dataset", "series"]).aggregate([])
    assert table.num_rows >= 40


def test_every_dataset_has_complete_provenance(shared_data):
    for (source, dataset), path in store.dataset_files().items():
        sidecar = json.loads(store.provenance_path(path).read_text())
        for field in ("publisher", "licence", "citation", "original_source", "retrieved_or_built", "code_version"):
            assert sidecar[field], f"{source}/{dataset}: empty {field}"
        assert sidecar["row_count"] == pq.ParquetFile(path).metadata.num_rows
        assert sidecar["inputs"], f"{source}/{dataset}: no inputs"
        for relative, digest in sidecar["inputs"].items():
            assert store.sha256_file(shared_data / relative) == digest, relative
        assert all(v.get("repository") for v in sidecar["extra"]["upstream"].values())


def test_eurostat_tables_come_through_our_sdmx_connector():
    """Values checked by hand in the shared TSV: cei_srm030, row 'A,PC,SE', column 2019 = '6.4 '.

    The store keeps the provider's series keys (as a refresh would) with area codes harmonised."""
    frame = store.load(sources=["estat"], datasets=["cei_srm030"], areas=["SWE", "GRC", "EU27"], years=(2019, 2019))
    values = dict(zip(frame["ref_area"], frame["value"], strict=True))
    assert values["SWE"] == 6.4
    assert {"GRC", "EU27"} <= set(values)  # Eurostat's EL and EU27_2020 mapped to our codes
    assert set(frame["series"]) == {"A.PC.SE", "A.PC.EL", "A.PC.EU27_2020"}
    sidecar = json.loads(store.provenance_path(store.dataset_files()[("estat", "cei_srm030")]).read_text())
    assert sidecar["extra"]["reports"][0]["format"] == "estat-tsv"


def test_every_dataset_is_credited_in_the_data_cache_readme():
    readme = (COMMITTED / "README.md").read_text()
    missing = [f"{s}/{d}" for s, d in store.dataset_files() if f"snapshot/{s}/{d}" not in readme]
    assert not missing, f"credit these datasets in data_cache/README.md: {missing}"
