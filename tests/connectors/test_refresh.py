"""Refresh and status, end to end and offline: real recorded SDMX responses replayed through the real code path.

Only the transport is mocked (``responses``): URL building, HTTP handling, the SDMX parser and the
store all run for real, and the written Parquet is read back. Every failure mode must leave the
last good files byte-for-byte as they were.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyarrow.parquet as pq
import pytest
import requests
import responses

from connectors import store
from connectors.__main__ import main
from connectors.http import Fetcher
from connectors.providers import CatalogueEntry, build_url, default_catalogue
from connectors.refresh import refresh, refresh_one, status_rows, summary

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdmx"
ESTAT_CSV2 = "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv"
OECD_CSV2 = "OECD/beyond_gdp/OECD.ELS.SAE,DSD_LFS@DF_LFS_COMP,1.1_sample-12-areas_sdmx-csv2-labels.csv"
ECB_SS = "ECB_EXR/ng-ts-ss.xml"
ECB_GENERIC = "ECB_EXR/1/M.USD.EUR.SP00.A.xml"
INSEE_GENERIC = "INSEE/CNA-2010-CONSO-SI-A17.xml"


def recorded(relative: str) -> bytes:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"recorded SDMX message not available: {path} (tests read ../shared/data)")
    return path.read_bytes()


def _entry(
    name: str, provider: str, agency: str, flow: str, version: str = "", key: str = "", structure: str = ""
) -> CatalogueEntry:
    return CatalogueEntry(
        name=name,
        title=f"test entry for {flow}",
        provider=provider,
        dataflow={"agency": agency, "id": flow, "version": version, "structure": structure},
        key=key,
        measures=["test measure"],
        documented_at="recorded response in ../shared/data/sdmx",
        verified="yes",
    )


# Catalogue entries matching the recorded messages (the real sdg_08_10 entry matches its recording).
ENTRIES = {
    "estat": default_catalogue()["sdg_08_10"],
    "oecd": _entry("oecd_lfs_comp", "OECD", "OECD.ELS.SAE", "DSD_LFS@DF_LFS_COMP", "1.1", "ISL+AUS.POP..."),
    # ECB's messages name the data structure of the flow, not the flow (the recordings use two DSDs).
    "ecb": _entry("ecb_exr_chf", "ECB", "ECB", "EXR", key="M.CHF.EUR.SP00.E", structure="ECB_EXR_NG"),
    "ecb_generic": _entry("ecb_exr_usd", "ECB", "ECB", "EXR", key="M.USD.EUR.SP00.A", structure="ECB_EXR1"),
    "insee": _entry("insee_cna", "INSEE", "FR1", "CNA-2010-CONSO-SI-A17"),
}
CONTENT_TYPES = {
    "estat": "application/vnd.sdmx.data+csv;version=1.0.0",
    "oecd": "application/vnd.sdmx.data+csv; charset=utf-8",
    "ecb": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "ecb_generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "insee": "application/xml",
}
BODIES = {
    "estat": ESTAT_CSV2,
    "oecd": OECD_CSV2,
    "ecb": ECB_SS,
    "ecb_generic": ECB_GENERIC,
    "insee": INSEE_GENERIC,
}


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fetcher():
    fake = FakeTime()
    return Fetcher(clock=fake.clock, sleep=fake.sleep, max_retries=2)


def _csv_rows(relative: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(recorded(relative).decode("utf-8-sig"))))


def _serve(which: str, *, headers: dict | None = None, url: str | None = None) -> str:
    url = url or build_url(ENTRIES[which])[0]
    body = recorded(BODIES[which])
    # As a real server frames it: the OECD recording ends without a line break, which is only accepted
    # when the transport says where the body ends (a close-delimited CSV must end its last line).
    framing = {"Content-Length": str(len(body))}
    responses.get(url, body=body, content_type=CONTENT_TYPES[which], headers=framing | (headers or {}))
    return url


def _files(entry: CatalogueEntry, root: Path) -> dict[str, bytes]:
    path = store.dataset_path(entry.store_source, entry.store_dataset, root, store.REFRESHED_DIR)
    return {"data": path.read_bytes(), "provenance": store.provenance_path(path).read_bytes()}


def _read(entry: CatalogueEntry, root: Path):
    path = store.dataset_path(entry.store_source, entry.store_dataset, root, store.REFRESHED_DIR)
    return pq.read_table(path).to_pylist(), store.Provenance.from_file(store.provenance_path(path))


# --- replaying real responses -----------------------------------------------------------------------


def _value(rows, **match) -> float:
    found = [r["value"] for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, match
    return found[0]


@responses.activate
def test_eurostat_sdmx_csv_replay(fetcher, tmp_path):
    entry = ENTRIES["estat"]
    url = _serve("estat", headers={"ETag": '"e1"', "Last-Modified": "Thu, 20 Feb 2025 22:00:00 GMT"})
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path)
    assert outcome.status == "updated", outcome.message
    assert responses.calls[0].request.url == url  # the exact URL the catalogue promises

    raw = _csv_rows(ESTAT_CSV2)
    rows, provenance = _read(entry, tmp_path)
    assert len(rows) == outcome.rows == len(raw) == 1896
    assert {r["ref_area"] for r in rows} == {r["geo"] for r in raw}
    assert _value(rows, ref_area="AL", time_period="2000", unit="CLV20_EUR_HAB") == 2120.0
    for line in raw[::97]:  # every 97th observation, checked against the file read by the csv module
        got = _value(rows, ref_area=line["geo"], time_period=line["TIME_PERIOD"], unit=line["unit"])
        assert got == float(line["OBS_VALUE"])
    assert {(r["source"], r["dataset"]) for r in rows} == {("estat", "sdg_08_10")}

    body = recorded(ESTAT_CSV2)
    assert provenance.publisher == "Eurostat" and provenance.licence == "CC BY 4.0"
    assert provenance.original_source == url and provenance.inputs == {url: hashlib.sha256(body).hexdigest()}
    assert provenance.extra["sha256"] == hashlib.sha256(body).hexdigest()
    assert provenance.extra["etag"] == '"e1"' and provenance.extra["bytes"] == len(body)
    assert provenance.row_count == 1896 and provenance.extra["indicators"] == ["real_gdp_per_capita_eur"]
    assert provenance.extra["measures"] == ["real GDP per capita", "its growth rate"]
    assert provenance.labels["geo"]["AL"] == "Albania"
    assert provenance.citation.startswith("Eurostat (") and url in provenance.citation
    assert provenance.retrieved_or_built == provenance.extra["retrieved_at"]


@responses.activate
def test_oecd_sdmx_csv_replay(fetcher, tmp_path):
    entry = ENTRIES["oecd"]
    url = _serve("oecd")
    assert refresh_one(entry, fetcher=fetcher, root=tmp_path).status == "updated"
    assert dict(parse_qsl(urlsplit(url).query)) == {
        "dimensionAtObservation": "AllDimensions",
        "format": "csvfilewithlabels",
    }
    raw = _csv_rows(OECD_CSV2)
    rows, provenance = _read(entry, tmp_path)
    assert len(rows) == len(raw) == 571
    assert {r["ref_area"] for r in rows} == {r["REF_AREA"] for r in raw}
    first = raw[0]
    assert (first["REF_AREA"], first["TIME_PERIOD"], first["OBS_VALUE"]) == ("ISL", "1991", "1.13146551724138")
    match = [
        r
        for r in rows
        if r["ref_area"] == "ISL" and r["time_period"] == "1991" and '"AGE":"Y65T69"' in r["dimensions"]
        and '"SEX":"F"' in r["dimensions"] and '"LABOUR_FORCE_STATUS":"UNE"' in r["dimensions"]
    ]  # fmt: skip
    assert [r["value"] for r in match] == [1.13146551724138]
    assert provenance.publisher.startswith("Organisation for Economic")


@pytest.mark.parametrize(
    ("which", "count", "match", "value"),
    [
        ("ecb", 12, {"series": "M.CHF.EUR.SP00.E", "time_period": "2010-08"}, 1.3413),
        ("ecb_generic", 252, {"series": "M.USD.EUR.SP00.A", "time_period": "1999-01"}, 1.16078),
        ("insee", 2, {"series": "S13.P3.A10-BE.IPCH", "time_period": "2014"}, 89.9),
    ],
)
@responses.activate
def test_sdmx_ml_replay(fetcher, tmp_path, which, count, match, value):
    entry = ENTRIES[which]
    _serve(which)
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path)
    assert outcome.status == "updated", outcome.message
    rows, _ = _read(entry, tmp_path)
    assert len(rows) == count
    assert _value(rows, **match) == value
    body = recorded(BODIES[which])
    assert body.count(b"<generic:Obs>") + body.count(b"<Obs ") == count  # the count, straight from the bytes
    accept = responses.calls[0].request.headers["Accept"]
    wanted = {"ecb": "structurespecificdata", "ecb_generic": "structurespecificdata", "insee": "genericdata"}[which]
    assert wanted in accept


# --- cheap re-runs ----------------------------------------------------------------------------------


@responses.activate
def test_second_run_sends_validators_and_304_keeps_the_file(fetcher, tmp_path):
    entry = ENTRIES["estat"]
    url = _serve("estat", headers={"ETag": '"e1"', "Last-Modified": "Thu, 20 Feb 2025 22:00:00 GMT"})
    refresh_one(entry, fetcher=fetcher, root=tmp_path)
    before = _files(entry, tmp_path)
    responses.replace(responses.GET, url, status=304)
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path)
    assert outcome.status == "unchanged" and "304" in outcome.message
    sent = responses.calls[1].request.headers
    assert sent["If-None-Match"] == '"e1"' and sent["If-Modified-Since"] == "Thu, 20 Feb 2025 22:00:00 GMT"
    assert _files(entry, tmp_path) == before
    # --force ignores the validators
    responses.replace(responses.GET, url, body=recorded(ESTAT_CSV2), content_type="text/csv")
    assert refresh_one(entry, fetcher=fetcher, root=tmp_path, force=True).status == "updated"
    assert "If-None-Match" not in responses.calls[2].request.headers


@responses.activate
def test_updated_after_probe_without_changes_keeps_data(fetcher, tmp_path):
    entry = ENTRIES["oecd"]
    _serve("oecd")
    refresh_one(entry, fetcher=fetcher, root=tmp_path)
    before = _files(entry, tmp_path)
    stamp = json.loads(before["provenance"])["extra"]["retrieved_at"]
    probe = build_url(entry, updated_after=stamp)[0]
    responses.get(probe, status=404, body="NoResultsFound")
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path)
    assert outcome.status == "unchanged" and stamp in outcome.message
    assert dict(parse_qsl(urlsplit(responses.calls[1].request.url).query))["updatedAfter"] == stamp
    assert _files(entry, tmp_path) == before


@responses.activate
def test_updated_after_probe_with_changes_downloads_everything(fetcher, tmp_path):
    """The probe's answer is a delta: it triggers a full download and is never stored as the dataset."""
    entry = ENTRIES["oecd"]
    full = _serve("oecd")
    refresh_one(entry, fetcher=fetcher, root=tmp_path, force=True)
    lines = recorded(OECD_CSV2).splitlines(keepends=True)
    delta = b"".join(lines[:3])  # header + two changed observations
    responses.get(build_url(entry, updated_after="2025-01-01T00:00:00Z")[0], body=delta, content_type="text/csv")
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path, since="2025-01-01T00:00:00Z")
    assert outcome.status == "updated" and outcome.rows == 571
    assert [c.request.url for c in responses.calls[1:]] == [
        build_url(entry, updated_after="2025-01-01T00:00:00Z")[0],
        full,
    ]


# --- failures never lose data ------------------------------------------------------------------------

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
    b"&xxe;</message:GenericData>"
)
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
    b'<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
    b"&lol3;</message:GenericData>"
)


def _failure(kind: str) -> tuple[str, dict, str]:
    """(which entry, how the server answers, words the one-line message must contain)."""
    return {
        "404": ("estat", dict(status=404, body="NoRecordsFound"), "no data (HTTP 404"),
        "413": ("estat", dict(status=413), "narrow the key"),
        "429": ("estat", dict(status=429), "rate limited"),
        "500": ("estat", dict(status=500), "server error"),
        "html": ("estat", dict(body=b"<html><title>Service unavailable</title></html>", content_type="text/html"), "HTML page"),
        "empty": ("estat", dict(body=b"", content_type="text/csv"), "empty response"),
        "truncated": ("estat", dict(body=requests.exceptions.ChunkedEncodingError("IncompleteRead")), "truncated"),
        "content_type": ("estat", dict(body=b"{}", content_type="application/json"), "wrong content type"),
        "offline": ("estat", dict(body=requests.exceptions.ConnectionError("unreachable")), "no network"),
        "other_dataflow": ("estat", dict(body=recorded(OECD_CSV2) + b"\n", content_type="text/csv"), "DSD_LFS@DF_LFS_COMP"),
        "structure_not_data": ("ecb", dict(body=recorded("ECB_EXR/1/structure.xml"), content_type="application/xml"), "no observations"),
        "xxe": ("ecb", dict(body=XXE, content_type="application/xml"), "refusing XML"),
        "billion_laughs": ("ecb", dict(body=LAUGHS, content_type="application/xml"), "refusing XML"),
        "csv_garbage": ("estat", dict(body=b"\x00\x01\x02 not sdmx at all", content_type="text/csv"), "sdg_08_10"),
    }[kind]  # fmt: skip


FAILURES = [
    "404", "413", "429", "500", "html", "empty", "truncated", "content_type", "offline",
    "other_dataflow", "structure_not_data", "xxe", "billion_laughs", "csv_garbage",
]  # fmt: skip


@pytest.mark.parametrize("kind", FAILURES)
@responses.activate
def test_failure_keeps_last_good_data_byte_for_byte(fetcher, tmp_path, kind):
    which, answer, words = _failure(kind)
    entry = ENTRIES[which]
    url = _serve(which)
    assert refresh_one(entry, fetcher=fetcher, root=tmp_path).status == "updated"
    before = _files(entry, tmp_path)
    leftovers = sorted(p.name for p in tmp_path.rglob("*"))

    responses.replace(responses.GET, url, **answer)
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path, force=True)

    assert outcome.status == "failed"
    assert words in outcome.message, outcome.message
    assert outcome.message.startswith(entry.name) and "\n" not in outcome.message
    in_use = f"still using {tmp_path.name}/refreshed/{entry.store_source}/{entry.store_dataset}@"  # its version
    assert in_use in outcome.message
    assert "http" in outcome.message  # every failure names the URL
    assert _files(entry, tmp_path) == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == leftovers  # no temp files left behind


@responses.activate
def test_offline_names_the_snapshot_still_in_use(fetcher, tmp_path):
    entry = ENTRIES["estat"]
    _serve("estat")
    refresh_one(entry, fetcher=fetcher, root=tmp_path)
    refreshed = store.dataset_path("estat", "sdg_08_10", tmp_path, store.REFRESHED_DIR)
    snapshot = store.dataset_path("estat", "sdg_08_10", tmp_path, store.SNAPSHOT_DIR)
    snapshot.parent.mkdir(parents=True)
    for src, dst in [(refreshed, snapshot), (store.provenance_path(refreshed), store.provenance_path(snapshot))]:
        dst.write_bytes(src.read_bytes())
    shutil.rmtree(tmp_path / store.REFRESHED_DIR)  # the refreshed versions and their manifest
    responses.replace(responses.GET, build_url(entry)[0], body=requests.exceptions.ConnectionError("down"))
    outcome = refresh_one(entry, fetcher=fetcher, root=tmp_path)
    assert outcome.status == "failed"
    assert "no network: could not reach ec.europa.eu" in outcome.message
    assert f"still using {tmp_path.name}/snapshot/estat/sdg_08_10.parquet (20" in outcome.message


@responses.activate
def test_nothing_stored_and_offline_says_so(fetcher, tmp_path):
    responses.get(build_url(ENTRIES["estat"])[0], body=requests.exceptions.ConnectionError("down"))
    outcome = refresh_one(ENTRIES["estat"], fetcher=fetcher, root=tmp_path)
    assert outcome.status == "failed" and outcome.message.endswith("nothing stored yet for it")
    assert not (tmp_path / "refreshed").exists()


# --- several datasets, summary, command line ---------------------------------------------------------


@responses.activate
def test_refresh_many_reports_each_and_summarises(fetcher, tmp_path):
    disabled = default_catalogue()["oecd_better_life_index"].model_copy(update={"enabled": False, "note": "test"})
    catalogue = {e.name: e for e in ENTRIES.values()} | {disabled.name: disabled}
    _serve("estat")
    _serve("insee")
    responses.get(build_url(ENTRIES["oecd"])[0], status=413)
    outcomes = refresh(
        ["sdg_08_10", "insee_cna", "oecd_lfs_comp", "oecd_better_life_index", "sdg_0810"],
        catalogue=catalogue,
        fetcher=fetcher,
        root=tmp_path,
        progress=False,
    )
    assert [o.status for o in outcomes] == ["updated", "updated", "failed", "skipped", "failed"]
    text = summary(outcomes)
    assert text.splitlines()[0] == "refresh: 2 updated, 1 skipped, 2 failed"
    assert "FAILED sdg_0810: not in catalogue.yaml (did you mean sdg_08_10" in text
    assert "FAILED oecd_lfs_comp: query too large (413)" in text


@responses.activate
def test_command_line_refresh_and_status(tmp_path, capsys):
    _serve("estat")
    assert main(["refresh", "sdg_08_10", "--root", str(tmp_path)]) == 0
    assert "refresh: 1 updated" in capsys.readouterr().out

    responses.replace(responses.GET, build_url(ENTRIES["estat"])[0], status=404)
    assert main(["refresh", "sdg_08_10", "--root", str(tmp_path)]) == 1
    assert "FAILED sdg_08_10: no data (HTTP 404" in capsys.readouterr().out
    assert main(["refresh", "--root", str(tmp_path)]) == 2

    assert main(["status", "--json", "--root", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)["datasets"]
    stored = [r for r in rows if r["dataset"] == "sdg_08_10"]
    assert stored == [
        {
            "source": "estat",
            "dataset": "sdg_08_10",
            "area": "refreshed",
            "in_use": True,
            "rows": 1896,
            "date": stored[0]["date"],
            "publisher": "Eurostat",
            "catalogue": "sdg_08_10",
            "state": "in use",
        }
    ]
    assert stored[0]["date"].endswith("Z")
    names = {r["catalogue"] for r in rows}
    assert set(default_catalogue()) <= names  # every catalogue entry is listed, fetched or not
    assert {r["state"] for r in rows if r["catalogue"] == "oecd_income_distribution"} == {"not fetched yet"}
    assert {r["state"] for r in rows if r["catalogue"] == "oecd_better_life_index"} == {"disabled"}

    assert main(["status", "--root", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["SOURCE", "DATASET", "AREA", "ROWS", "DATE", "STATE", "CATALOGUE"]
    assert any(line.split()[:4] == ["estat", "sdg_08_10", "refreshed", "1896"] for line in table)


def test_status_shows_shadowed_snapshot(tmp_path):
    import pyarrow as pa

    table = pa.table(
        {"source": ["estat"], "dataset": ["sdg_08_10"], "series": ["s"], "ref_area": ["AT"], "time_period": ["2020"],
         "year": pa.array([2020], pa.int16()), "value": [1.0]}
    )  # fmt: skip
    for area in (store.SNAPSHOT_DIR, store.REFRESHED_DIR):
        prov = store.Provenance("estat", "sdg_08_10", "Eurostat", "CC BY 4.0", "c", "u", retrieved_or_built=area)
        store.write_dataset(table, prov, root=tmp_path, area=area)
    rows = [r for r in status_rows(tmp_path) if r["dataset"] == "sdg_08_10"]
    assert [(r["area"], r["state"], r["rows"]) for r in rows] == [
        ("snapshot", "shadowed by refreshed", 1),
        ("refreshed", "in use", 1),
    ]


@pytest.mark.network
def test_live_eurostat_refresh(tmp_path):
    """Talks to Eurostat for real; skipped unless run with -m network."""
    outcome = refresh_one(default_catalogue()["cei_srm030"], fetcher=Fetcher(), root=tmp_path)
    assert outcome.status == "updated", outcome.message
    assert outcome.rows > 100


def test_refreshed_eurostat_data_uses_the_snapshot_area_codes(tmp_path):
    """A refresh harmonises provider codes (SE, EL, EU27_2020) exactly like the snapshot builder,
    so the refreshed copy of estat/cei_srm030 feeds the same indicator."""
    import pyarrow as pa

    from connectors import store as real_store
    from connectors.refresh import harmonise_areas

    table = pa.table({"ref_area": ["SE", "EL", "EU27_2020", "EA20", "DE11"]})
    mapped, kept = harmonise_areas(table, real_store.DATA_CACHE)
    assert mapped["ref_area"].to_pylist() == ["SWE", "GRC", "EU27", "EA20", "DE11"]
    assert kept == ["DE11", "EA20"]
    unchanged, _ = harmonise_areas(table, tmp_path)  # no area table in an empty store: kept as published
    assert unchanged["ref_area"].to_pylist() == table["ref_area"].to_pylist()
