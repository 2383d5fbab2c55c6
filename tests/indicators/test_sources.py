"""indicators.sources: the listing matches the store, every source is creditable, downloads are the stored
rows, and a refresh through it reports offline in one line while leaving every stored byte as it was."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import requests
import responses

from connectors import store, store_files
from connectors.http import Fetcher
from connectors.providers import build_url, default_catalogue
from indicators import query, sources
from indicators.catalog import catalog

ROOT = Path(__file__).resolve().parents[2]
SHARED_SDMX = ROOT.parent / "shared" / "data" / "sdmx"
ESTAT_RECORDING = "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv"
ANY_URL = re.compile(r"https?://.*")


def _fetcher() -> Fetcher:
    return Fetcher(sleep=lambda seconds: None)  # the offline backoff must not make tests wait


def _written(root: Path) -> list[Path]:
    """Every file a refresh left in ``root`` except the writer lock it held (a lock file, not data)."""
    return [p for p in root.rglob("*") if p.is_file() and p.name != store_files.LOCK_FILE]


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(_written(root))}


# --- listing ------------------------------------------------------------------------------------


def test_listing_matches_the_store_files_and_row_counts():
    files = store.dataset_files()
    listed = {d.key: d for d in sources.datasets()}
    assert set(listed) == {f"{s}/{d}" for s, d in files}
    for (source, dataset), path in files.items():
        item = listed[f"{source}/{dataset}"]
        assert item.rows == pq.ParquetFile(path).metadata.num_rows, item.key
        assert item.file.endswith(f"{source}/{dataset}.parquet")
        assert item.area == path.parent.parent.name


def test_every_dataset_has_publisher_licence_citation_and_upstream():
    for item in sources.datasets():
        assert item.publisher.strip() and item.licence.strip() and item.citation.strip(), item.key
        assert item.vintage.strip(), item.key
        # the committed snapshot records the repository and commit its files were copied from
        if item.area == store.SNAPSHOT_DIR:
            assert item.upstream, item.key
            assert all(re.fullmatch(r"[0-9a-f]{40}", u.commit) for u in item.upstream), item.key
            assert all(u.url.startswith("https://github.com/") for u in item.upstream)


def test_catalogue_names_exactly_the_definitions_that_read_each_refreshed_dataset():
    """`indicators:` in catalogue.yaml is a claim about indicators/definitions: held to it both ways, with the
    same dimension codes, whether a definition reads the dataset as its `series` or as an `official_series`."""
    readers: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for ident, item in catalog().items():
        for ref in item.series_in_preference:
            readers.setdefault((ref.source, ref.dataset), {})[ident] = dict(ref.match or {})
    fed = 0
    for entry in default_catalogue().values():
        expected = readers.get((entry.store_source, entry.store_dataset), {})
        assert dict(entry.indicators) == expected, (entry.name, expected)
        assert entry.measures, entry.name
        fed += bool(entry.indicators)
    assert fed >= 8  # 3 Eurostat datasets shadowing the snapshot, 5 official datasets preferred to it


def test_each_series_backed_indicator_is_listed_under_the_dataset_it_reads():
    listed = {d.key: set(d.indicators) for d in sources.datasets()}
    definitions = catalog()
    fetchable = {(e.store_source, e.store_dataset) for e in default_catalogue().values() if e.enabled}
    waiting = query.awaiting_refresh()
    for ident, item in definitions.items():
        if item.series is None:
            continue
        key = f"{item.series.source}/{item.series.dataset}"
        if key in listed:
            assert ident in listed[key], ident
        else:  # official data only, not stored yet: an enabled entry fetches it and the indicator says so
            assert (item.series.source, item.series.dataset) in fetchable, ident
            assert ident in waiting and "python -m connectors refresh" in waiting[ident], ident
    derived = [i for i, d in definitions.items() if d.formula]
    if not derived:
        pytest.skip("no derived indicator defined")
    ident = derived[0]
    assert any(ident in names for names in listed.values()), f"derived {ident} is credited to its inputs' datasets"


def test_catalogue_entries_list_every_query_with_its_url_and_state():
    catalogue = default_catalogue()
    entries = {e.name: e for e in sources.catalogue_entries()}
    assert set(entries) == set(catalogue)
    for name, entry in entries.items():
        if catalogue[name].enabled:
            assert entry.url == build_url(catalogue[name])[0]
            expected = "available to refresh: not fetched yet" if entry.stored_key is None else "fetched"
            assert entry.state.startswith(expected)
        else:
            assert entry.state.startswith("disabled: ")
        assert entry.publisher and entry.licence


def test_attributions_cover_datasets_areas_and_map_geometry():
    found = sources.attributions()
    assert all(a.publisher.strip() and a.licence.strip() for a in found)
    whats = [a.what for a in found]
    assert {d.title for d in sources.datasets()} <= set(whats)
    assert "Area names, codes and groups" in whats
    text = " ".join(f"{a.publisher} {a.licence}" for a in found)
    for credit in ("© EuroGeographics for the administrative boundaries", "Natural Earth", "Global Data Lab"):
        assert credit in text


def test_map_geometry_credits_every_input_the_map_assets_were_built_from():
    manifest = ROOT / "dashboard" / "assets" / "manifest.json"
    if not manifest.exists():
        pytest.skip("dashboard/assets/manifest.json not built")
    boundary_inputs = [
        name for name in json.loads(manifest.read_text(encoding="utf-8"))["inputs"] if not name.endswith(".csv")
    ]
    assert boundary_inputs
    for name in boundary_inputs:
        assert any(name.startswith(prefix) for prefix in sources.MAP_GEOMETRY_INPUTS), f"{name} has no attribution"


# --- downloads ----------------------------------------------------------------------------------


def test_parquet_download_is_the_stored_file():
    item = min(sources.datasets(), key=lambda d: d.rows)
    path = store.dataset_files()[(item.source, item.dataset)]
    assert sources.parquet_bytes(item.key) == path.read_bytes()


def test_csv_download_has_exactly_the_stored_rows():
    item = min(sources.datasets(), key=lambda d: d.rows)
    table = pacsv.read_csv(io.BytesIO(sources.csv_bytes(item.key)))
    stored = pq.read_table(store.dataset_files()[(item.source, item.dataset)])
    assert table.column_names == store.COLUMNS
    assert table.num_rows == stored.num_rows == item.rows
    assert table["value"].to_pylist() == pytest.approx(stored["value"].to_pylist(), nan_ok=True)
    assert table["ref_area"].to_pylist() == stored["ref_area"].to_pylist()


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(KeyError, match="known: .*owid/co2_data"):
        sources.dataset("nope/nothing")


# --- refresh ------------------------------------------------------------------------------------


@responses.activate
def test_offline_refresh_of_a_never_fetched_entry_says_so_in_one_line(tmp_path):
    responses.get(ANY_URL, body=requests.exceptions.ConnectionError("no route to host"))
    progress = []
    reports = sources.refresh(
        ["sdg_08_10", "oecd_income_distribution", "oecd_regional_life_expectancy", "no_such_entry"],
        fetcher=_fetcher(),
        root=tmp_path,
        on_progress=lambda done, total, name: progress.append((done, total, name)),
    )
    assert [r.status for r in reports] == ["offline", "offline", "offline", "failed"]
    assert reports[0].line == "Offline: could not reach ec.europa.eu; sdg_08_10 was never fetched, nothing changed"
    assert reports[1].line.startswith("Offline: could not reach sdmx.oecd.org;")
    assert reports[2].line.startswith("Offline: could not reach sdmx.oecd.org;")
    assert all("\n" not in r.line for r in reports)
    assert progress[0] == (0, 4, "sdg_08_10") and progress[-1] == (4, 4, "")
    assert not _written(tmp_path), "a failed refresh must not write anything"


@responses.activate
def test_failed_refresh_keeps_stored_data_byte_for_byte(tmp_path):
    recording = SHARED_SDMX / ESTAT_RECORDING
    if not recording.exists():
        pytest.skip(f"recorded SDMX message not available: {recording} (tests read ../shared/data)")
    entry = default_catalogue()["sdg_08_10"]
    url = build_url(entry)[0]
    responses.get(url, body=recording.read_bytes(), content_type="application/vnd.sdmx.data+csv;version=1.0.0")
    first = sources.refresh(["sdg_08_10"], fetcher=_fetcher(), root=tmp_path)
    assert first[0].status == "updated", first[0].line
    listed = {d.key: d for d in sources.datasets(tmp_path)}
    assert listed["estat/sdg_08_10"].area == store.REFRESHED_DIR
    assert listed["estat/sdg_08_10"].refreshed_at.startswith("20")
    assert listed["estat/sdg_08_10"].catalogue_entry == "sdg_08_10"
    before = _all_bytes(tmp_path)

    responses.replace(responses.GET, url, body=requests.exceptions.ConnectionError("network down"))
    again = sources.refresh(["sdg_08_10"], fetcher=_fetcher(), root=tmp_path)

    assert again[0].status == "offline"
    assert again[0].line.startswith("Offline: could not reach ec.europa.eu; still using the data ")
    assert "refreshed/estat/sdg_08_10@" in again[0].line and ".parquet (refreshed 20" in again[0].line
    assert _all_bytes(tmp_path) == before
    assert {d.key: d for d in sources.datasets(tmp_path)} == listed


@responses.activate
def test_a_refreshed_catalogue_dataset_feeds_the_indicators_it_names(tmp_path, monkeypatch):
    """sdg_08_10 replayed through the refresh lands where real_gdp_per_capita_eur reads, with its values."""
    import csv

    from indicators import query

    recording = SHARED_SDMX / ESTAT_RECORDING
    if not recording.exists():
        pytest.skip(f"recorded SDMX message not available: {recording} (tests read ../shared/data)")
    entry = default_catalogue()["sdg_08_10"]
    responses.get(build_url(entry)[0], body=recording.read_bytes(), content_type="text/csv")
    (tmp_path / store.SNAPSHOT_DIR).mkdir()
    for name in ("areas.parquet", "areas.provenance.json"):  # the area table the refresh harmonises codes with
        shutil.copy(store.DATA_CACHE / store.SNAPSHOT_DIR / name, tmp_path / store.SNAPSHOT_DIR / name)
    assert sources.refresh(["sdg_08_10"], fetcher=_fetcher(), root=tmp_path)[0].status == "updated"

    monkeypatch.setattr(store, "DATA_CACHE", tmp_path)  # the query layer now sees only the refreshed file
    sources.forget_cached_data()
    try:
        rows = list(csv.DictReader(recording.open(encoding="utf-8")))
        wanted = {
            (r["geo"], int(r["TIME_PERIOD"])): float(r["OBS_VALUE"])
            for r in rows
            if r["unit"] == "CLV20_EUR_HAB" and r["geo"] in ("SE", "DE") and r["OBS_VALUE"]
        }
        assert len(wanted) > 30
        for indicator in entry.indicators:
            panel = query.panel(indicator)
            assert not panel.empty, indicator
        got = query.panel("real_gdp_per_capita_eur", ref_areas=["SWE", "DEU"])
        published = {"SWE": "SE", "DEU": "DE"}
        got = {(published[a], int(y)): v for a, y, v in zip(got.ref_area, got.year, got.value, strict=True)}
        assert got == wanted
    finally:
        monkeypatch.undo()
        sources.forget_cached_data()


@responses.activate
def test_provider_error_is_one_line_and_keeps_data(tmp_path):
    responses.get(ANY_URL, status=500, body="Internal error")
    fetcher = Fetcher(sleep=lambda seconds: None, max_retries=1)
    report = sources.refresh(["sdg_08_10"], fetcher=fetcher, root=tmp_path)[0]
    assert report.status == "failed"
    assert report.line.startswith("sdg_08_10: provider server error: HTTP 500")
    assert report.line.endswith("the stored data is unchanged") and "\n" not in report.line
    assert not _written(tmp_path)
