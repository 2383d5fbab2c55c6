"""Parser hardening: hostile containers and documents give one clear line, every shape the SDMX-JSON 2.0
schema allows is read, the dataflow is checked in every format, and no mutation of a real recorded
message ever produces a traceback (a property test with hypothesis)."""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.sdmx import SDMXParseError, parse_message, sniff

SDMX = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdmx"
needs_data = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")
CSV = b"DATAFLOW,FREQ,GEO,TIME_PERIOD,OBS_VALUE\nESTAT:X(1.0),A,AT,2020,1.5\nESTAT:X(1.0),A,AT,2021,2\n"
SS_HEAD = b"""<?xml version="1.0"?>
<m:StructureSpecificData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">
"""


def recorded(relative: str) -> bytes:
    path = SDMX / relative
    if not path.exists():
        pytest.skip(f"recorded message not available: {path}")
    return path.read_bytes()


def _one_line_error(body: bytes, match: str, **kwargs) -> str:
    with pytest.raises(SDMXParseError, match=match) as caught:
        parse_message(body, **kwargs)
    text = str(caught.value)
    assert "\n" not in text and len(text) < 600
    return text


# --- DOCTYPE and entities anywhere -------------------------------------------------------------------


def test_entity_declaration_behind_a_long_comment_is_refused():
    """The old check looked at the first 64 KB only; a DOCTYPE after 100 KB of comment must be refused too."""
    body = (
        b'<?xml version="1.0"?>\n<!--' + b"x" * 100_000 + b'-->\n<!DOCTYPE d [<!ENTITY e "1234">]>\n'
        + SS_HEAD.split(b"\n", 1)[1] + b'<DataSet><Obs TIME_PERIOD="2020" OBS_VALUE="&e;"/></DataSet></m:StructureSpecificData>'
    )  # fmt: skip
    text = _one_line_error(body, "DOCTYPE or entity declaration at byte 100,")
    assert "XXE" in text


def test_doctype_in_utf16_is_refused():
    body = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY e "1">]><a>&e;</a>'.encode("utf-16")
    _one_line_error(body, "DOCTYPE")


def test_expat_itself_refuses_an_entity_declaration():
    """Second line of defence: even if the sniffing were bypassed, the streaming reader refuses the DTD."""
    from connectors.sdmx import xml_data

    body = b'<!DOCTYPE d [<!ENTITY e "9">]>' + SS_HEAD.split(b"\n", 1)[1] + b'<DataSet><Obs OBS_VALUE="&e;"/></DataSet></m:StructureSpecificData>'  # fmt: skip
    with pytest.raises(SDMXParseError, match="DOCTYPE or entity"):
        xml_data.stream_structure_specific(sniff.Body(body, "<test>"), "StructureSpecificData")


# --- zip and gzip bombs, broken containers ------------------------------------------------------------


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_ratio_while_unpacking():
    bomb = _zip("data.csv", CSV + b"\n" * (64 << 20))  # 64 MiB of line breaks pack to ~64 KB (1000x)
    assert len(bomb) < 200_000
    _one_line_error(bomb, r"unpack to over .* \(more than 200x\); refusing \(a zip/gzip bomb\?\)")


def test_zip_larger_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(sniff, "MAX_UNPACKED", 1 << 20)
    big = _zip("data.csv", bytes(range(256)) * 8192)  # 2 MiB that barely compress
    _one_line_error(big, "unpacks to more than 1 MiB")


def test_zip_with_a_bad_crc_is_one_line():
    good = _zip("data.csv", CSV)
    crc = zipfile.ZipFile(io.BytesIO(good)).infolist()[0].CRC.to_bytes(4, "little")
    bad = good.replace(crc, bytes(b ^ 0xFF for b in crc))
    _one_line_error(bad, r"broken zip")


def test_gzip_bomb_and_cut_gzip_are_one_line():
    _one_line_error(gzip.compress(CSV + b" " * (64 << 20)), "more than 200x")
    whole = gzip.compress(CSV * 50)
    _one_line_error(whole[: len(whole) // 2], "broken gzip data")
    assert parse_message(gzip.compress(CSV)).observations == 2


def test_json_nested_100000_deep_is_one_line():
    _one_line_error(b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not an SDMX")
    _one_line_error(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply")


# --- values -------------------------------------------------------------------------------------------


def test_comma_and_infinite_values_are_named_not_misread():
    body = CSV + b'ESTAT:X(1.0),A,AT,2022,"1,234"\nESTAT:X(1.0),A,AT,2023,1e999\nESTAT:X(1.0),A,AT,2024,-INF\n'
    parsed = parse_message(body)
    assert parsed.summary["value_problems"] == 3
    assert parsed.summary["value_problem_examples"][0] == "'1,234' in column OBS_VALUE of series A.AT at 2022"
    values = dict(zip(parsed.table["time_period"].to_pylist(), parsed.table["value"].to_pylist(), strict=True))
    assert values["2022"] is None and values["2023"] is None and values["2020"] == 1.5  # never 1.234 or inf


def test_decimal_comma_only_where_the_delimiter_is_not_a_comma():
    parsed = parse_message(b"DATAFLOW;FREQ;GEO;TIME_PERIOD;OBS_VALUE\nESTAT:X(1.0);A;AT;2020;12,4\n")
    assert parsed.table["value"].to_pylist() == [12.4] and "value_problems" not in parsed.summary


# --- SDMX-JSON 2.0 shapes -----------------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize("shape", ["roles_list", "role_string", "roles_string", "structure_object"])
def test_sdmx_json_2_shapes_the_schema_allows(shape):
    document = json.loads(recorded("v3/json/data/exr-time-series.json"))
    reference = parse_message(json.dumps(document).encode())
    data = document["data"]
    for level in data["structures"][0]["dimensions"].values():
        for dim in level:
            role = dim.pop("role", None) or dim.pop("roles", None)
            if dim["id"] == "TIME_PERIOD":
                role = "TIME_PERIOD"
            if role and shape == "roles_list":
                dim["roles"] = [role] if isinstance(role, str) else role
            elif role and shape == "roles_string":
                dim["roles"] = role if isinstance(role, str) else role[0]
            elif role:
                dim["role"] = role
    if shape == "structure_object":
        data["structure"] = data.pop("structures")[0]
    parsed = parse_message(json.dumps(document).encode())
    assert parsed.table.equals(reference.table)
    assert set(parsed.table["time_period"].to_pylist()) == set(reference.table["time_period"].to_pylist())


@needs_data
def test_sdmx_json_2_nulls_and_dimension_group_attributes():
    document = json.loads(recorded("v3/json/data/exr-time-series.json"))
    data = document["data"]
    structure = data["structures"][0]
    structure["attributes"]["dimensionGroup"] = [
        {"id": "SOURCE_NOTE", "relationship": {"dimensions": ["CURRENCY"]}, "values": [None, {"id": "N1"}]}
    ]
    currency = next(d for d in structure["dimensions"]["series"] if d["id"] == "CURRENCY")
    positions = {d["keyPosition"] for level in structure["dimensions"].values() for d in level}
    key = [""] * len(positions)
    key[currency["keyPosition"]] = "0"
    dataset = data["dataSets"][0]
    dataset["dimensionGroupAttributes"] = {":".join(key): [1]}
    first_series = next(iter(dataset["series"].values()))
    first_obs = next(iter(first_series["observations"]))
    first_series["observations"][first_obs] = [None, None]  # a value and an attribute index may be null
    parsed = parse_message(json.dumps(document).encode())
    code = currency["values"][0]["id"]
    rows = parsed.table.to_pylist()
    with_code = [r for r in rows if json.loads(r["dimensions"]).get("CURRENCY") == code]
    assert with_code and all('"SOURCE_NOTE":"N1"' in (r["attributes"] or "") for r in with_code)
    assert all("SOURCE_NOTE" not in (r["attributes"] or "") for r in rows if r not in with_code)
    assert pc.sum(pc.is_null(parsed.table["value"])).as_py() >= 1


# --- the dataflow in every format ---------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize(
    ("relative", "flow", "structure"),
    [
        ("ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv1-labels.csv", "sdg_08_10", None),
        ("ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv", "sdg_08_10", None),
        ("INSEE/CNA-2010-CONSO-SI-A17.xml", "CNA-2010-CONSO-SI-A17", None),  # SDMX-ML generic, names the flow
        ("ECB_EXR/1/M.USD.EUR.SP00.A.xml", "EXR", "ECB_EXR1"),  # generic, names the DSD by URN
        ("ECB_EXR/ng-ts-ss.xml", "EXR", "ECB_EXR_NG"),  # structure-specific, names the DSD
        ("ECB_EXR/ts.json", "EXR", None),  # SDMX-JSON 1.0
        ("v3/json/data/exr-time-series.json", "EXR", None),  # SDMX-JSON 2.0
    ],
)
def test_dataflow_is_checked_in_every_format(relative, flow, structure):
    body = recorded(relative)
    assert parse_message(body, expect_dataflow=flow, expect_structure=structure).observations > 0
    text = _one_line_error(body, "not the expected|not known as the structure", expect_dataflow="NAMA_10_GDP")
    assert "NAMA_10_GDP" in text


@needs_data
def test_message_naming_a_dsd_needs_the_catalogue_to_say_it_is_the_flows():
    body = recorded("ECB_EXR/1/M.USD.EUR.SP00.A.xml")
    _one_line_error(body, r"add `structure: ECB_EXR1` to the dataflow", expect_dataflow="EXR")


def test_csv_2_naming_a_data_structure_and_a_message_naming_nothing():
    body = b"STRUCTURE,STRUCTURE_ID,ACTION,GEO,TIME_PERIOD,OBS_VALUE\ndatastructure,OECD:DSD_LFS(1.0),I,AT,2020,1\n"
    assert parse_message(body, expect_dataflow="DSD_LFS@DF_LFS_COMP").observations == 1  # OECD: DSD_X@DF_Y
    _one_line_error(body, "not known as the structure", expect_dataflow="DF_OTHER")
    flat = SS_HEAD + b'<m:DataSet><Obs TIME_PERIOD="2020" OBS_VALUE="1"/></m:DataSet></m:StructureSpecificData>'
    _one_line_error(flat, "does not say which dataflow", expect_dataflow="sdg_08_10")


# --- no message may ever produce a traceback -----------------------------------------------------------

FUZZ_MESSAGES = [
    "ECB_EXR/ng-ts-ss.xml",
    "ECB_EXR/ng-ts.xml",
    "ECB_EXR/1/M.USD.EUR.SP00.A.xml",
    "INSEE/CNA-2010-CONSO-SI-A17.xml",
    "ESTAT/footer.xml",
    "ECB_EXR/ts.json",
    "v3/json/data/exr-flat.json",
    "v3/csv/example-01.csv",
    "v3/csv/example-04.csv",
    "ESTAT/beyond_gdp/estat_cei_srm030_circular-material-use-rate.tsv",
]
ELEMENT = re.compile(rb"<(\w+:)?\w+[^<>]*?(/>|>[^<]*</[^<>]+>)")


def _mutate(data: bytes, how: str, where: float, byte: int) -> bytes:
    at = int(where * len(data))
    if how == "truncate":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ (byte or 1)]) + data[at + 1 :] if data else data
    if how == "insert":
        return data[:at] + bytes([byte]) + data[at:]
    if how == "delete_element":
        found = list(ELEMENT.finditer(data))
        if not found:
            return data[:at]
        match = found[int(where * (len(found) - 1))]
        return data[: match.start()] + data[match.end() :]
    lines = data.split(b"\n")  # delete_line
    del lines[int(where * (len(lines) - 1))]
    return b"\n".join(lines)


@needs_data
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(FUZZ_MESSAGES),
    how=st.sampled_from(["truncate", "flip", "insert", "delete_element", "delete_line"]),
    where=st.floats(0, 1, allow_nan=False, exclude_max=True),
    byte=st.integers(0, 255),
    engine=st.sampled_from(["fast", "auto"]),  # auto: what the refresh uses (sdmx1 behind the fast path)
)
def test_a_mutated_real_message_parses_or_fails_with_one_clear_line(name, how, where, byte, engine):
    body = _mutate(recorded(name), how, where, byte)
    try:
        parse_message(copy.copy(body), engine=engine)
    except SDMXParseError as exc:
        text = str(exc)
        assert text and "\n" not in text and "Traceback" not in text


# --- SDMX-ML 3.0 structure-specific: URN references, <Atts>, <Comp> ------------------------------------

SDMX_ML_30 = b"""<?xml version="1.0" encoding="UTF-8"?>
<mes:StructureSpecificData xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
    xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific"
    xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mes:Header>
    <mes:ID>T</mes:ID><mes:Test>true</mes:Test><mes:Prepared>2026-01-01T00:00:00Z</mes:Prepared>
    <mes:Sender id="TEST"/>
    <mes:Structure structureID="S1" dimensionAtObservation="TIME_PERIOD">
      <com:StructureUsage>urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=ESTAT:SDG_08_10(1.0)</com:StructureUsage>
    </mes:Structure>
  </mes:Header>
  <mes:DataSet ss:structureRef="S1" action="Merge">
    <Atts><Comp id="TITLE"><Value xml:lang="fr">PIB</Value><Value xml:lang="en">GDP</Value></Comp></Atts>
    <Atts geo="AT" OBS_NOTE="partial key"/>
    <Series freq="A" geo="AT">
      <Comp id="SOURCE"><Value>NSI</Value><Value>Eurostat</Value></Comp>
      <Obs TIME_PERIOD="2020" OBS_VALUE="1.5"><Comp id="COMMENT_OBS"><Value>revised</Value></Comp></Obs>
      <Obs TIME_PERIOD="2021" OBS_VALUE="2.5"/>
    </Series>
    <Series freq="A" geo="BE">
      <Obs TIME_PERIOD="2020"><Comp id="OBS_VALUE"><Value>1</Value><Value>2</Value></Comp></Obs>
    </Series>
  </mes:DataSet>
</mes:StructureSpecificData>
"""


def test_sdmx_ml_30_comp_and_atts_are_read():
    parsed = parse_message(SDMX_ML_30, expect_dataflow="sdg_08_10")
    assert parsed.format == "sdmx-ml-3.0-structurespecific"
    rows = {(r["ref_area"], r["time_period"]): r for r in parsed.table.to_pylist()}
    first = json.loads(rows[("AT", "2020")]["attributes"])
    assert first["TITLE"] == "GDP"  # multilingual: the English text
    assert first["SOURCE"] == "NSI; Eurostat"  # repeated values, in order
    assert first["COMMENT_OBS"] == "revised" and first["OBS_NOTE"] == "partial key"
    assert "COMMENT_OBS" not in json.loads(rows[("AT", "2021")]["attributes"])
    assert "OBS_NOTE" not in json.loads(rows[("BE", "2020")]["attributes"])
    assert rows[("AT", "2020")]["value"] == 1.5
    # a measure with two values is not one number: reported, and refused by the refresh gate
    assert rows[("BE", "2020")]["value"] is None
    assert parsed.summary["value_problems"] == 1 and "'1; 2'" in parsed.summary["value_problem_examples"][0]
