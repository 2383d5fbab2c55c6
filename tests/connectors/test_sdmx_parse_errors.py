"""What the parser refuses, and the ``parse`` command's contract (one JSON line, exit 0 / 2, no traceback)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from connectors import store
from connectors.sdmx import SDMXParseError, parse_message

ROOT = Path(__file__).resolve().parents[2]
SDMX = ROOT.parent / "shared" / "data" / "sdmx"
needs_data = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">&xxe;</message:GenericData>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<message:StructureSpecificData xmlns:message="x"><DataSet><Series A="&lol3;"/></DataSet></message:StructureSpecificData>
"""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (XXE, "DOCTYPE"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (b"", "empty body"),
        (b"   \n\t ", "empty body"),
        (b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>", "HTML page"),
        (b"<html><head></head><body>Error</body></html>", "HTML page"),
        (b'{"hello": "world"}', "not an SDMX-JSON data message"),
        (b"[1, 2, 3]", "not an SDMX-JSON message"),
        (b"{not json", "invalid JSON"),
        (b"just some text", "not an SDMX message"),
        # a carriage return inside the SDMX-CSV header (found by the fuzz test in test_sdmx_hardening.py)
        (b"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME\rPERIOD,OBS_VALUE\n", "unexpected content"),
    ],
)
def test_refused_bodies_say_why(body, reason):
    with pytest.raises(SDMXParseError, match=reason) as caught:
        parse_message(body)
    assert "\n" not in str(caught.value)


@needs_data
def test_truncated_xml_is_an_error_not_partial_data():
    whole = (SDMX / "ECB_EXR/1/M.USD.EUR.SP00.A.xml").read_bytes()
    with pytest.raises(SDMXParseError, match="truncated"):
        parse_message(whole[: len(whole) // 2])


def test_sdmx_error_message_quotes_the_provider():
    body = b"""<?xml version="1.0"?><mes:Error xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
    xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><mes:ErrorMessage code="100">
    <com:Text>No Results Found</com:Text></mes:ErrorMessage></mes:Error>"""
    with pytest.raises(SDMXParseError, match=r"code 100\): No Results Found"):
        parse_message(body)


@needs_data
def test_other_dataflow_than_expected_is_refused():
    message = SDMX / "v3/xml/ECB_EXR0.xml"  # header: StructureUsage Dataflow=ECB:EXR(1.0)
    assert parse_message(message, expect_dataflow="ECB:EXR").observations == 116
    with pytest.raises(SDMXParseError, match="belongs to dataflow 'EXR', not the expected 'NAMA_10_GDP'"):
        parse_message(message, expect_dataflow="NAMA_10_GDP")
    csv_message = SDMX / "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv"
    assert parse_message(csv_message, expect_dataflow="sdg_08_10").observations == 1896
    with pytest.raises(SDMXParseError, match="not the expected"):
        parse_message(csv_message, expect_dataflow="ESTAT:NAMA_10_GDP")


@needs_data
def test_zipped_message_is_unzipped_and_multi_member_zip_refused():
    raw = (SDMX / "ECB_EXR/rg-ts.xml").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rg-ts.xml", raw)
    assert parse_message(buffer.getvalue()).table.equals(parse_message(raw).table)
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.xml", raw)
        archive.writestr("b.xml", raw)
    with pytest.raises(SDMXParseError, match="one SDMX message inside, found 2"):
        parse_message(two.getvalue())


def test_missing_file_names_it(tmp_path):
    with pytest.raises(SDMXParseError, match="nothing-here.xml"):
        parse_message(tmp_path / "nothing-here.xml")


def test_missing_markers_become_null_values_with_the_marker_kept():
    body = b"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,OBS_VALUE\n" + b"".join(
        f"dataflow,X:Y(1.0),I,A{i},2020,{v}\n".encode() for i, v in enumerate(["1.5", "NaN", ":", "", "..", "NA", "-"])
    )
    table = parse_message(body).table.sort_by("ref_area")
    assert table["value"].to_pylist() == [1.5, None, None, None, None, None, None]
    assert table["obs_status"].to_pylist() == [None, "NaN", ":", None, "..", "NA", "-"]
    assert table["ref_area"].to_pylist()[0] == "A0"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "connectors", "parse", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@needs_data
def test_cli_prints_one_json_line_and_writes_parquet(tmp_path):
    out = tmp_path / "exr.parquet"
    done = run_cli(
        str(SDMX / "ECB_EXR/rg-xs-ss.xml"),
        "--structure",
        str(SDMX / "ECB_EXR/rg-structure-full.xml"),
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["kind"] == "data" and summary["observations"] == 12 and summary["series"] == 4
    assert summary["format"] == "sdmx-ml-2.1-structurespecific"
    assert summary["dimensions"][:2] == ["FREQ", "CURRENCY"]
    table = pq.read_table(out)
    assert table.schema.equals(store.SCHEMA) and table.num_rows == 12


def test_cli_unreadable_message_exits_2_with_one_line(tmp_path):
    page = tmp_path / "error.xml"
    page.write_bytes(b"<html><body>Bad gateway</body></html>")
    done = run_cli(str(page))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "error.xml" in done.stderr and "HTML page" in done.stderr and "Traceback" not in done.stderr


def test_json_columns_match_store_dumps_mapping():
    """The vectorised JSON builder writes exactly what store.dumps_mapping writes, escapes included."""
    import pyarrow as pa

    from connectors.sdmx.tidy import _json_objects

    rows = [
        {"B": 'say "hi"', "A": "back\\slash"},
        {"B": None, "A": "line\nbreak\ttab"},
        {"B": "Zürich – €", "A": None},
        {"B": None, "A": None},
        {"B": "bell\x07", "A": "x"},
    ]
    columns = {k: pa.chunked_array([pa.array([r[k] for r in rows], pa.string())]) for k in ("B", "A")}
    got = _json_objects(columns, len(rows)).to_pylist()
    assert got == [store.dumps_mapping({k: v for k, v in r.items() if v is not None}) for r in rows]
    assert got[:4] == _json_objects({k: c.slice(0, 4) for k, c in columns.items()}, 4).to_pylist()


def test_fast_engine_refuses_what_it_does_not_cover_and_auto_hands_it_to_sdmx1():
    """SDMX-ML 2.0 CompactData is not on the fast path: "fast" says so, "auto" tries sdmx1 (which also cannot)."""
    body = b'<?xml version="1.0"?><CompactData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message"/>'
    with pytest.raises(SDMXParseError, match="fast reader does not handle <CompactData>"):
        parse_message(body, engine="fast")
    with pytest.raises(SDMXParseError, match="sdmx1 cannot read"):
        parse_message(body, engine="auto")


# --- SDMX-CSV streamed block by block (synthetic rows, labelled so) ---------------------------------

CSV_HEAD = b"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,OBS_VALUE\n"
CSV_ROW = b"dataflow,TEST:DF_SYNTHETIC(1.0),I,FRA,2020,1.5\n"  # synthetic; 300,000 of them span several blocks


def _read_ahead_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name == "sdmx-csv-read-ahead"]


@pytest.mark.parametrize("where", ["bytes", "file"])
def test_csv_malformed_row_after_many_blocks_is_refused_and_the_reader_stops(where, tmp_path):
    body = CSV_HEAD + CSV_ROW * 300_000 + b"dataflow,TEST:DF_SYNTHETIC(1.0),I,FRA\n" + CSV_ROW * 300_000
    message = body
    if where == "file":
        message = tmp_path / "broken.csv"
        message.write_bytes(body)
    with pytest.raises(SDMXParseError, match="malformed CSV rows .*Expected 6 columns, got 4"):
        parse_message(message)
    assert _read_ahead_threads() == []


def test_csv_bad_period_in_a_later_block_is_refused_and_the_reader_stops():
    body = CSV_HEAD + CSV_ROW * 300_000 + b"dataflow,TEST:DF_SYNTHETIC(1.0),I,FRA,2020-Q7,1\n" + CSV_ROW * 300_000
    with pytest.raises(SDMXParseError, match="not an SDMX time period: '2020-Q7'"):
        parse_message(body)
    assert _read_ahead_threads() == []


def test_csv_streamed_over_many_blocks_keeps_every_row_and_the_summary():
    second = b"dataflow,TEST:DF_OTHER(1.0),A,DEU,2021,2.5\n"
    body = CSV_HEAD + CSV_ROW * 200_000 + second + CSV_ROW * 200_000
    parsed = parse_message(body)
    assert parsed.observations == 400_001
    assert parsed.summary["structure_ids"] == ["TEST:DF_SYNTHETIC(1.0)", "TEST:DF_OTHER(1.0)"]
    assert parsed.summary["actions"] == ["A", "I"]
    assert (parsed.table["source"][0].as_py(), parsed.table["dataset"][0].as_py()) == ("TEST", "DF_SYNTHETIC")
    assert parsed.table.filter(pc.equal(parsed.table["ref_area"], "DEU"))["value"].to_pylist() == [2.5]
    with pytest.raises(SDMXParseError, match="belongs to dataflow"):
        parse_message(CSV_HEAD + CSV_ROW * 200_000, expect_dataflow="DF_ELSEWHERE")


def test_csv_header_only_is_data_with_no_observations():
    parsed = parse_message(CSV_HEAD)
    assert parsed.kind == "data" and parsed.observations == 0 and parsed.table.num_rows == 0


@pytest.mark.parametrize("flavour", ["structurespecific", "generic"])
def test_dataset_action_is_reported_in_the_summary_for_sdmx_ml(flavour):
    """A DataSet action="Delete" says its observations are to be removed: kept, and said in the summary."""
    ns = 'xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"'
    if flavour == "generic":
        ns += ' xmlns:g="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"'
        series = (
            '<g:Series><g:SeriesKey><g:Value id="REF_AREA" value="SE"/></g:SeriesKey>'
            '<g:Obs><g:ObsDimension value="2020"/><g:ObsValue value="1.5"/></g:Obs></g:Series>'
        )
        root = "GenericData"
    else:
        series = '<Series REF_AREA="SE"><Obs TIME_PERIOD="2020" OBS_VALUE="1.5"/></Series>'
        root = "StructureSpecificData"
    message = (
        f'<?xml version="1.0"?><m:{root} {ns}><m:Header><m:ID>x</m:ID></m:Header>'
        f'<m:DataSet action="Delete">{series}</m:DataSet></m:{root}>'
    ).encode()
    parsed = parse_message(message, engine="fast")
    assert parsed.observations == 1 and parsed.summary["actions"] == ["Delete"]


def test_dataset_actions_are_reported_in_the_summary_for_sdmx_json():
    message = SDMX / "ECB_EXR/action-delete.json"
    if not message.exists():
        pytest.skip(f"recorded message not available: {message}")
    parsed = parse_message(message, engine="fast")
    assert parsed.observations == 3 and parsed.summary["actions"] == ["Delete", "Replace"]
