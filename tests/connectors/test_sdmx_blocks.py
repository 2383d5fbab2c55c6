"""Large messages are read in blocks and mapped on several threads: the result must not depend on it.

The real messages here are small enough to fit one block, so the block sizes are shrunk until each
message spans dozens of blocks (CSV: bytes per block; SDMX-ML: rows per mapped batch), and the
result is compared with a one-block, one-thread parse of the same file. Also: an SDMX-CSV file is
streamed from disk, never read into memory whole.
"""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest

from connectors.sdmx import SDMXParseError, csv_data, parse_message, tidy, xml_data

ROOT = Path(__file__).resolve().parents[2]
SDMX = ROOT.parent / "shared" / "data" / "sdmx"
pytestmark = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")

CSV_MESSAGES = [
    "OECD/beyond_gdp/OECD.ELS.SAE,DSD_LFS@DF_LFS_COMP,1.1_sample-12-areas_sdmx-csv2-labels.csv",
    "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv1-labels.csv",
    "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv",
]
XML_MESSAGES = {
    "ECB_EXR/1/M.USD.EUR.SP00.A.xml": "ECB_EXR/1/structure-full.xml",  # generic, 252 observations
    "INSEE/bug-series-freq-data.xml": None,  # generic, 756 observations in many series
    "ECB_EXR/rg-ts-ss.xml": "ECB_EXR/rg-structure-full.xml",  # structure-specific with groups, 12
    "ECB_EXR/rg-xs-ss.xml": "ECB_EXR/rg-structure-full.xml",  # structure-specific cross-section
    "ECB_EXR/rg-flat-ss.xml": "ECB_EXR/rg-structure-full.xml",  # structure-specific, no Series at all
    "ECB_EXR/sg-ts-gf-ss.xml": "ECB_EXR/sg-structure-full.xml",  # structure-specific, groups and series
}


def _one_block(monkeypatch, message: Path, structure: Path | None = None):
    with monkeypatch.context() as patch:
        patch.setattr(csv_data, "BLOCK_SIZE", 64 << 20)
        patch.setattr(tidy, "BATCH_ROWS", 10_000_000)
        patch.setattr(tidy, "MAP_THREADS", 1)
        patch.setattr(xml_data, "CHUNK", 10_000_000)
        return parse_message(message, structure=structure, engine="fast")


def _same(small, whole) -> None:
    assert small.observations == whole.observations > 0
    assert small.table.equals(whole.table)  # same rows in the same order, not merely the same set
    assert small.series_count == whole.series_count
    assert small.labels == whole.labels
    assert small.summary == whole.summary


@pytest.mark.parametrize("name", CSV_MESSAGES)
def test_csv_in_many_blocks_equals_one_block(monkeypatch, name):
    message = SDMX / name
    whole = _one_block(monkeypatch, message)
    monkeypatch.setattr(csv_data, "BLOCK_SIZE", 4096)  # dozens of blocks, mapped two at a time
    small = parse_message(message, engine="fast")
    assert message.stat().st_size > 20 * 4096
    _same(small, whole)


@pytest.mark.parametrize("name", sorted(XML_MESSAGES))
def test_xml_in_many_batches_equals_one_batch(monkeypatch, name):
    message = SDMX / name
    structure = SDMX / XML_MESSAGES[name] if XML_MESSAGES[name] else None
    whole = _one_block(monkeypatch, message, structure)
    monkeypatch.setattr(tidy, "BATCH_ROWS", 5)  # an odd size: batches end mid-series
    monkeypatch.setattr(xml_data, "CHUNK", 3)  # the reader's own chunks too (series runs cross them)
    small = parse_message(message, structure=structure, engine="fast")
    assert whole.observations > 2 * 5
    _same(small, whole)


def test_an_error_in_a_late_block_is_raised_and_names_the_file(monkeypatch, tmp_path):
    good = (SDMX / CSV_MESSAGES[0]).read_text(encoding="utf-8")
    broken = tmp_path / "late-error.csv"
    header, *rows = good.rstrip("\n").split("\n")
    rows[-5] = rows[-5].replace(",", ",extra,", 1)  # one row near the end gets a column too many
    broken.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    monkeypatch.setattr(csv_data, "BLOCK_SIZE", 4096)
    with pytest.raises(SDMXParseError, match=r"late-error\.csv: malformed CSV rows"):
        parse_message(broken, engine="fast")


def test_an_sdmx_csv_file_is_streamed_not_read_whole(monkeypatch):
    message = SDMX / CSV_MESSAGES[0]
    expected = parse_message(message, engine="fast")

    def refuse(self):
        raise AssertionError(f"{self} was read whole")

    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    streamed = parse_message(message, engine="fast")
    assert streamed.table.equals(expected.table)


def test_a_missing_file_is_refused_at_once(tmp_path):
    with pytest.raises(SDMXParseError, match=r"cannot read message .*nowhere\.csv"):
        parse_message(tmp_path / "nowhere.csv", engine="fast")


def test_observations_without_attributes_keep_their_series():
    message = (
        b'<?xml version="1.0"?><m:StructureSpecificData '
        b'xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"><m:Header><m:ID>x</m:ID></m:Header>'
        b'<m:DataSet><Series REF_AREA="SE"><Obs/><Obs/></Series><Series REF_AREA="NO"/>'
        b'<Series REF_AREA="FI"><Obs TIME_PERIOD="2020" OBS_VALUE="1.5"/></Series></m:DataSet></m:StructureSpecificData>'
    )
    rows = parse_message(message, engine="fast").table.select(["series", "time_period", "value"]).to_pylist()
    assert rows == [
        {"series": "SE", "time_period": "", "value": None},
        {"series": "SE", "time_period": "", "value": None},
        {"series": "FI", "time_period": "2020", "value": 1.5},
    ]
