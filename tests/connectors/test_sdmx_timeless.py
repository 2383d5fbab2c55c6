"""Observations without a time period, held to sdmx1: they are kept (time_period "", year null), never refused.

SDMX allows them: OECD.Stat's cross-sectional SDMX-JSON (``OECD/data-PART2-all-all.json``, no time
dimension at all) and the SDMX-CSV 2.0 spec's deletions and multi-structure examples (09B, 17, 18,
19B, no time column). sdmx1 reads the JSON on its own; it reads SDMX-CSV 2.0 only with a DSD, and
the spec examples ship without one, so :func:`spec_structure` writes a minimal DSD for each example
with sdmx1 itself (``DIM_*`` dimensions, the first ``OBS_VALUE*``/``MEAS*`` column as measure,
``ATTR_*`` attributes; a ``DIM_*`` column is the time dimension only when every value is a period).
Both engines then read the example with that DSD and must give the same rows.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors import store
from connectors.periods import PeriodError, parse_period
from connectors.sdmx import parse_message

ROOT = Path(__file__).resolve().parents[2]
SDMX = ROOT.parent / "shared" / "data" / "sdmx"
pytestmark = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")

PART2 = "OECD/data-PART2-all-all.json"
TIMELESS_CSV = ("09B", "17", "18", "19B")
# Spec examples where sdmx1 itself reads the file differently, so rows cannot be compared:
SDMX1_DIFFERS = {
    "04": "sdmx1 keeps 'code: label' text as the code (labels in values) and rejects '2014-01: 2014-01' as time",
    "05": "sdmx1 keeps 'code: label' text as the code (labels in values)",
    "08": "sdmx1 drops the multilingual column ATTR_1[en;fr] (its header pattern does not match)",
    "09A": "sdmx1 drops the multilingual column ATTR_1[en;fr] (its header pattern does not match)",
    "15": "sdmx1 splits lines before CSV parsing, losing the line break inside a quoted value",
}


def sorted_rows(parsed) -> list[dict]:
    return sorted(parsed.table.to_pylist(), key=lambda r: json.dumps(r, sort_keys=True, default=str))


def _is_period(value: str) -> bool:
    try:
        parse_period(value.split(": ", 1)[0])
    except PeriodError:
        return False
    return True


def spec_structure(example: Path, folder: Path) -> Path:
    """A minimal SDMX-ML 2.1 DSD for one SDMX-CSV spec example, written by sdmx1."""
    import sdmx
    from sdmx.message import StructureMessage
    from sdmx.model import common, v21

    lines = example.read_text(encoding="utf-8").splitlines()
    delimiter = re.match(r"STRUCTURE(\[.\])?(.)", lines[0]).group(2)
    header, *rows = list(csv.reader(lines, delimiter=delimiter))
    dsd = v21.DataStructureDefinition(id="DSD_SPEC", maintainer=common.Agency(id="TEST"), version="1.0")
    for position, name in enumerate(header):
        cid = re.sub(r"\[[^\]]*\]$", "", name.split(": ", 1)[0])
        values = [r[position] for r in rows if len(r) > position]
        if cid.startswith("DIM_"):
            timed = bool(values) and all(v and _is_period(v) for v in values)
            kind = v21.TimeDimension if timed else v21.Dimension
            dsd.dimensions.append(kind(id=cid, order=len(dsd.dimensions.components)))
        elif cid.startswith(("OBS_VALUE", "MEAS")) and not dsd.measures.components:
            dsd.measures.append(v21.PrimaryMeasure(id=cid))
        elif cid.startswith("ATTR_"):
            dsd.attributes.append(v21.DataAttribute(id=cid))
    message = StructureMessage()
    message.add(dsd)
    path = folder / f"{example.stem}-structure.xml"
    path.write_bytes(sdmx.to_xml(message))
    return path


def sdmx1_observation_count(example: Path, structure: Path) -> int:
    """Observations in sdmx1's own data message (``read_sdmx``, before any conversion)."""
    import sdmx

    dsd = next(iter(sdmx.read_sdmx(structure).structure.values()))
    delimiter = re.match(r"STRUCTURE(\[.\])?(.)", example.read_text(encoding="utf-8")).group(2)
    message = sdmx.read_sdmx(example, structure=dsd, delimiter=delimiter)
    return sum(len(dataset.obs) for dataset in message.data)


def spec_examples() -> list[str]:
    folder = SDMX / "v3" / "csv"
    return sorted(p.stem.removeprefix("example-") for p in folder.glob("example-*.csv")) if folder.is_dir() else []


def test_oecd_cross_section_without_time_dimension_matches_sdmx1():
    fast = parse_message(SDMX / PART2, engine="fast")
    reference = parse_message(SDMX / PART2, engine="sdmx1")
    assert fast.observations == reference.observations == 7
    assert sorted_rows(fast) == sorted_rows(reference)
    assert fast.dimensions == ["LOCATION", "IND", "PER", "GRD", "FLD", "MSR"]
    rows = {r["series"]: r for r in fast.table.to_pylist()}
    assert {r["time_period"] for r in rows.values()} == {""}
    assert {(r["year"], r["freq"], r["period_start"]) for r in rows.values()} == {(None, None, None)}
    # values and OBS_STATUS positions as in the file: [value, position] with TIME_FORMAT listing no values
    assert rows["AUS.5CLAT.INI.FOG.MAT.MN"]["value"] == 11.963615756565
    assert rows["AUS.5CLAT.INI.FOG.MAT.MN"]["obs_status"] is None
    assert (rows["HUN.5CLAT.CHG.FOG.MAT.MN"]["value"], rows["HUN.5CLAT.CHG.FOG.MAT.MN"]["obs_status"]) == (
        -2.13889095389401,
        "x",
    )
    assert rows["NZL.5CLAT.CHG.FOG.MAT.MN"]["obs_status"] == "w"
    assert rows["NOR.5CLAT.CHG.FOG.MAT.MN"]["obs_status"] == "y"
    assert rows["OME.17CCL.CHJ.ZZZ.ZZZ.IND"]["ref_area"] == "OME"
    assert fast.summary["observations_without_time_period"] == 7
    assert fast.summary["attributes_without_values_ignored"] == ["TIME_FORMAT"]
    assert (fast.summary["agency"], fast.summary["dataflow"]) == ("OECD", "PART2")  # legacy dataflow/{id}/all


@pytest.mark.parametrize("example", spec_examples())
def test_sdmx_csv_spec_examples_match_sdmx1_given_a_structure(example, tmp_path):
    path = SDMX / "v3" / "csv" / f"example-{example}.csv"
    structure = spec_structure(path, tmp_path)
    fast = parse_message(path, structure=structure, engine="fast")
    if example == "19A":  # STRUCTURE,STRUCTURE_ID,ACTION only: one "delete everything" row without a key
        assert sdmx1_observation_count(path, structure) == 1
        assert fast.observations == parse_message(path, structure=structure, engine="sdmx1").observations == 0
        return
    assert fast.observations == sdmx1_observation_count(path, structure)
    if example in SDMX1_DIFFERS:
        pytest.skip(SDMX1_DIFFERS[example])
    reference = parse_message(path, structure=structure, engine="sdmx1")
    assert sorted_rows(fast) == sorted_rows(reference)


@pytest.mark.parametrize("example", TIMELESS_CSV)
def test_sdmx_csv_without_time_column_is_read_without_structure(example, tmp_path):
    """`connectors parse` on the bare file: every row kept, no period, the same count sdmx1 reads with a DSD."""
    path = SDMX / "v3" / "csv" / f"example-{example}.csv"
    parsed = parse_message(path, engine="fast")
    assert parsed.observations == sdmx1_observation_count(path, spec_structure(path, tmp_path))
    assert set(parsed.table["time_period"].to_pylist()) == {""}
    assert parsed.table["year"].null_count == parsed.observations
    assert parsed.table.schema.equals(store.SCHEMA)


def test_deletion_rows_keep_their_keys_and_markers():
    """example-17: two deletions; the '-' in OBS_VALUE is a missing marker, the one in ATTR_3 an attribute."""
    parsed = parse_message(SDMX / "v3/csv/example-17.csv")
    rows = {r["series"]: r for r in parsed.table.to_pylist()}
    assert set(rows) == {".A.", ".B."}
    assert (rows[".A."]["value"], rows[".A."]["obs_status"], rows[".A."]["attributes"]) == (None, "-", None)
    assert (rows[".B."]["value"], rows[".B."]["obs_status"]) == (None, None)
    assert json.loads(rows[".B."]["attributes"]) == {"ATTR_3": "-"}
    assert json.loads(rows[".A."]["dimensions"]) == {"DIM_2": "A"}
    assert parsed.summary["actions"] == ["D"]


def test_timeless_observations_round_trip_through_the_store(tmp_path):
    parsed = parse_message(SDMX / PART2, source="oecd", dataset="part2")
    path = store.write_dataset(
        parsed.table,
        store.Provenance(
            source="oecd",
            dataset="part2",
            publisher="OECD",
            licence="test",
            citation="test",
            original_source=str(SDMX / PART2),
        ),
        root=tmp_path,
    )
    assert pq.read_schema(path).field("year").nullable
    back = store.scan(root=tmp_path)
    assert back.num_rows == 7 and back["year"].null_count == 7
    assert sorted(back["value"].to_pylist()) == sorted(parsed.table["value"].to_pylist())
    assert store.scan(years=(2000, 2030), root=tmp_path).num_rows == 0  # a year filter never matches "no year"


def test_dated_files_are_written_exactly_as_before(tmp_path):
    """Datasets whose rows all have a year keep ``year`` required in Parquet: snapshot rebuilds stay byte-identical."""
    parsed = parse_message(SDMX / "ECB_EXR/rg-ts-ss.xml", source="ecb", dataset="exr")
    provenance = store.Provenance(
        source="ecb", dataset="exr", publisher="ECB", licence="test", citation="test", original_source="test"
    )
    path = store.write_dataset(parsed.table, provenance, root=tmp_path)
    assert not pq.read_schema(path).field("year").nullable
    assert store.scan(root=tmp_path).schema.equals(store.SCHEMA)
