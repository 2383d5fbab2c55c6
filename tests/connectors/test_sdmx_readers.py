"""The fast path's reader list (connectors.sdmx.dispatch.READERS): each real message has exactly one reader
that says it handles it, and the XML root is read once per message however the message is routed."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.sdmx import SDMXParseError, dispatch, parse_message, sniff
from connectors.sdmx.sniff import Sniffed, load_body

ROOT = Path(__file__).resolve().parents[2]
SDMX = ROOT.parent / "shared" / "data" / "sdmx"
needs_data = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")

ERROR = b"""<?xml version="1.0"?><mes:Error xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><mes:ErrorMessage code="100">
<com:Text>No Results Found</com:Text></mes:ErrorMessage></mes:Error>"""
COMPACT_2_0 = b'<?xml version="1.0"?><CompactData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message"/>'


@needs_data
@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("ECB_EXR/1/M.USD.EUR.SP00.A.xml", dispatch.XmlDataReader),
        ("ECB_EXR/rg-ts.xml", dispatch.XmlDataReader),  # generic
        ("ECB_EXR/1/structure-full.xml", dispatch.XmlStructureReader),
        ("v21/xml/query/query_cl_all.xml", dispatch.XmlStructureReader),  # a query: ends with "Query"
        ("ECB_EXR/ts.json", dispatch.JsonReader),
        ("ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv", dispatch.CsvReader),
        ("ESTAT/beyond_gdp/estat_cei_srm030_circular-material-use-rate.tsv", dispatch.EstatTsvReader),
    ],
)
def test_each_real_message_has_exactly_one_reader(name, reader):
    message = Sniffed(load_body(SDMX / name))
    takers = [type(r) for r in dispatch.READERS if r.handles(message)]
    assert takers == [reader]


def test_an_error_message_goes_to_the_error_reader_and_an_unknown_root_to_none():
    assert [type(r) for r in dispatch.READERS if r.handles(Sniffed(load_body(ERROR)))] == [dispatch.XmlErrorReader]
    assert not [r for r in dispatch.READERS if r.handles(Sniffed(load_body(COMPACT_2_0)))]


def _count_root_reads(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = sniff.xml_root

    def counting(body):
        seen.append(body.name)
        return real(body)

    monkeypatch.setattr(sniff, "xml_root", counting)
    return seen


@needs_data
@pytest.mark.parametrize("engine", ["auto", "fast", "sdmx1"])
def test_the_xml_root_is_read_once_per_message(monkeypatch, engine):
    seen = _count_root_reads(monkeypatch)
    parsed = parse_message(SDMX / "ECB_EXR/1/M.USD.EUR.SP00.A.xml", engine=engine)
    assert parsed.observations > 0
    assert len(seen) == 1


def test_a_message_handed_from_the_fast_path_to_sdmx1_is_not_sniffed_again(monkeypatch):
    seen = _count_root_reads(monkeypatch)
    with pytest.raises(SDMXParseError, match="sdmx1 cannot read"):
        parse_message(COMPACT_2_0, engine="auto")
    assert len(seen) == 1


def test_non_xml_messages_never_parse_xml(monkeypatch):
    seen = _count_root_reads(monkeypatch)
    parse_message(b"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,OBS_VALUE\ndataflow,T:DF(1.0),I,FRA,2020,1.5\n")
    assert seen == []
