"""Every real SDMX message in ../shared/data/sdmx through the parser, held to sdmx1 or to hand-checked values.

Data messages sdmx1 reads are compared row by row with the sdmx1 engine (same observation count,
same rows after sorting). Formats sdmx1 cannot read (SDMX-CSV 1.0, SDMX-CSV 2.0 without a DSD,
SDMX-JSON 2.0, Eurostat TSV) are held to counts and values read off the files by hand. A data
message in the folder that is in neither list fails the walk test, so nothing goes unchecked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from connectors import store
from connectors.sdmx import SDMXParseError, parse_message

ROOT = Path(__file__).resolve().parents[2]
SDMX = ROOT.parent / "shared" / "data" / "sdmx"
pytestmark = pytest.mark.skipif(not SDMX.is_dir(), reason=f"real SDMX messages not found at {SDMX}")

# data message -> structure message with its DSD (None: the message is readable on its own)
ORACLE = {
    **{f"ECB_EXR/{p}-{v}.xml": f"ECB_EXR/{p}-structure-full.xml" for p in ("ng", "rg", "sg") for v in ("ts", "xs")},
    **{f"ECB_EXR/{p}-{v}-ss.xml": f"ECB_EXR/{p}-structure-full.xml" for p in ("ng", "rg", "sg") for v in ("ts", "xs")},
    "ECB_EXR/ng-ts-gf.xml": "ECB_EXR/ng-structure-full.xml",
    "ECB_EXR/ng-ts-gf-ss.xml": "ECB_EXR/ng-structure-full.xml",
    "ECB_EXR/sg-ts-gf.xml": "ECB_EXR/sg-structure-full.xml",
    "ECB_EXR/sg-ts-gf-ss.xml": "ECB_EXR/sg-structure-full.xml",
    "ECB_EXR/sg-ts-gf-flat-ss.xml": "ECB_EXR/sg-structure-full.xml",
    "ECB_EXR/rg-flat.xml": "ECB_EXR/rg-structure-full.xml",
    "ECB_EXR/rg-flat-ss.xml": "ECB_EXR/rg-structure-full.xml",
    "ECB_EXR/sg-flat.xml": "ECB_EXR/sg-structure-full.xml",
    "ECB_EXR/1/M.USD.EUR.SP00.A.xml": "ECB_EXR/1/structure-full.xml",
    "ESTAT/demography-xs.xml": "ESTAT/demography-structure.xml",
    "v21/xml/demography/demography_xs.xml": "v21/xml/demography/demography.xml",
    "v3/xml/ECB_EXR0.xml": "v3/xml/ECB_EXR1.xml",
    "INSEE/CNA-2010-CONSO-SI-A17.xml": "INSEE/CNA-2010-CONSO-SI-A17-structure.xml",
    "INSEE/bug-series-freq-data.xml": None,
    "WB/gh-78.xml": None,
    "ESTAT/NAMA_10_GDP-ss.xml": None,  # no DSD in the folder; series attributes are all dimensions here
    "ECB_EXR/ts.json": None,
    "ECB_EXR/xs.json": None,
    "ECB_EXR/action-delete.json": None,
    "OECD/data-PART2-all-all.json": None,  # no time dimension: 7 observations without a period
}
# SDMX-JSON 1.0 through sdmx1 2.28: it keys series in listing order (dataSet, series, observation
# level) instead of keyPosition, and drops series-level attributes (TITLE). We compare those
# messages on everything else and on the set of codes in each key.
SDMX1_JSON_QUIRKS = {"ECB_EXR/ts.json", "ECB_EXR/xs.json", "ECB_EXR/action-delete.json"}

# Hand-checked: (observations, dimensions, {(series, time_period): (value, obs_status)}).
# How: counts with `wc -l` minus the header (the OECD file ends without a newline, so its 571
# newline count is 571 rows), TSV counts with awk counting cells that are not ':' (398, 4092);
# values read with grep on the row (e.g. `grep '^A,PC,AT' ... | awk -F'\t' '{print $NF}'` -> `14.3 i`).
GOLDEN = {
    "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv1-labels.csv": (
        1791,
        ["freq", "unit", "na_item", "geo"],  # "LAST UPDATE" is housekeeping, not a dimension
        {
            (
                "Annual.Chain linked volumes (2020), euro per capita.Gross domestic product at market prices.Albania",
                "2019",
            ): (4850.0, "b")
        },
    ),
    "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv": (
        1896,
        ["freq", "unit", "na_item", "geo"],
        {("A.CLV20_EUR_HAB.B1GQ.AL", "2000"): (2120.0, None)},
    ),
    "ESTAT/beyond_gdp/estat_cei_srm030_circular-material-use-rate.tsv": (
        398,
        ["freq", "unit", "geo"],
        {("A.PC.AT", "2023"): (14.3, "i"), ("A.PC.AT", "2010"): (6.8, None)},
    ),
    "ESTAT/beyond_gdp/estat_sdg_13_10_ghg-emissions-index.tsv": (
        4092,
        ["freq", "airpol", "src_crf", "unit", "geo"],
        {("A.GHG.TOTX4_MEMONIA.I90.AT", "1990"): (100.0, None), ("A.GHG.TOTX4_MEMONIA.I90.AT", "1991"): (104.7, None)},
    ),
    "OECD/beyond_gdp/OECD.ELS.SAE,DSD_LFS@DF_LFS_COMP,1.1_sample-12-areas_sdmx-csv2-labels.csv": (
        571,
        ["REF_AREA", "MEASURE", "UNIT_MEASURE", "SEX", "AGE", "LABOUR_FORCE_STATUS"],
        {("ISL.POP.PT_POP_SUB.F.Y65T69.UNE", "1991"): (1.13146551724138, "A")},
    ),
    "OECD/other/OECD.ELS.IMD,DSD_MIG_INT@DF_MIG_INT_PER,1.0+ITA.A_sdmx-csv2-labels.csv": (36, None, {}),
    "v3/json/data/exr-time-series.json": (
        4,
        ["FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"],
        {("D.NZD.EUR.SP00.A", "2013-01-18"): (1.5931, "A"), ("D.RUB.EUR.SP00.A", "2013-01-21"): (40.3, "A")},
    ),
    "v3/json/data/exr-flat.json": (4, None, {("D.NZD.EUR.SP00.A", "2013-01-21"): (1.5925, "A")}),
    "v3/json/data/exr-action-delete.json": (3, None, {}),
    "v3/json/data/constructed-sample-full.json": (20, None, {}),  # 5 data sets x the same 4 observations
    "v3/csv/example-01.csv": (2, ["DIM_1", "DIM_2"], {("A.B", "2014-01"): (12.4, None)}),
    "v3/csv/example-04.csv": (2, ["DIM_1", "DIM_2"], {("A.B", "2014-01"): (12.4, None)}),  # ';' and 12,4
    "v3/csv/example-05.csv": (2, ["DIM_1", "DIM_2"], {("A.B", "2014-01-01"): (12.4, None)}),
    "v3/csv/example-06.csv": (2, ["DIM_1", "DIM_2"], {("A.B", "2014-01"): (12.4, None)}),
    "v3/csv/example-15.csv": (2, ["DIM_1", "DIM_2"], {("A.B", "2014-02"): (10.8, None)}),
}
# Spec edge cases without a DSD: what they must give. None = parses with that many observations.
SPEC_EDGE = {
    **{f"v3/csv/example-{n}.csv": None for n in ("02", "03", "07", "08", "09A", "10", "11", "12", "13", "16")},
    "v3/csv/example-19A.csv": None,  # deletes a whole DSD: 0 observations
    # no time column: observations without a period (held to sdmx1 in test_sdmx_timeless.py)
    **{f"v3/csv/example-{n}.csv": None for n in ("09B", "17", "18", "19B")},
    "v3/json/data/generated-sample.json": "does not exist",  # schema-generated noise: positions point nowhere
    "ESTAT/footer.xml": None,  # footer code 413, 0 observations (see test_footer_message)
}


def present(names) -> list[str]:
    """Only the messages in this checkout's data folder (the held-out set may add or lack some)."""
    return sorted(n for n in names if (SDMX / n).is_file())


def rel(path: Path) -> str:
    return path.relative_to(SDMX).as_posix()


def all_messages() -> list[str]:
    return sorted(rel(p) for p in SDMX.rglob("*") if p.is_file()) if SDMX.is_dir() else []


def sorted_rows(parsed, drop=()) -> list[dict]:
    rows = parsed.table.drop_columns(list(drop)).to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


@pytest.mark.parametrize("name", all_messages())
def test_every_message_is_classified_and_covered(name):
    """Fast path on every file: data messages must be covered by the oracle, golden or edge lists."""
    expected_error = SPEC_EDGE.get(name)
    if isinstance(expected_error, str):
        with pytest.raises(SDMXParseError, match=expected_error):
            parse_message(SDMX / name, engine="fast")
        return
    parsed = parse_message(SDMX / name, engine="fast")
    if parsed.kind == "structure":
        assert name not in ORACLE and name not in GOLDEN, f"{name} is a data message but was read as structure"
        assert parsed.table is None and parsed.summary
        return
    assert parsed.kind == "data"
    assert name in ORACLE or name in GOLDEN or name in SPEC_EDGE, f"data message {name} has no check; add one"
    assert parsed.table.schema.equals(store.SCHEMA)
    assert parsed.observations == parsed.table.num_rows


@pytest.mark.parametrize("name", present(ORACLE))
def test_fast_path_matches_sdmx1(name):
    structure = SDMX / ORACLE[name] if ORACLE[name] else None
    fast = parse_message(SDMX / name, structure=structure, engine="fast")
    reference = parse_message(SDMX / name, structure=structure, engine="sdmx1")
    assert fast.observations == reference.observations > 0
    if name in SDMX1_JSON_QUIRKS:
        drop = ("series", "attributes")
        keys_fast = sorted(sorted(s.split(".")) for s in fast.table["series"].to_pylist())
        keys_ref = sorted(sorted(s.split(".")) for s in reference.table["series"].to_pylist())
        assert keys_fast == keys_ref
    else:
        drop = ()
    assert sorted_rows(fast, drop) == sorted_rows(reference, drop)


@pytest.mark.parametrize("name", present(GOLDEN))
def test_formats_sdmx1_cannot_read_match_hand_checked_values(name):
    observations, dimensions, values = GOLDEN[name]
    parsed = parse_message(SDMX / name, engine="auto")
    assert parsed.observations == observations
    if dimensions is not None:
        assert parsed.dimensions == dimensions
    table = parsed.table
    for (series, period), (value, status) in values.items():
        mask = pc.and_(pc.equal(table["series"], series), pc.equal(table["time_period"], period))
        row = table.filter(mask).to_pylist()
        assert len(row) == 1, f"{series} {period}: {len(row)} rows"
        assert row[0]["value"] == pytest.approx(value)
        assert row[0]["obs_status"] == status


def test_fast_and_auto_agree_on_every_data_message():
    for name in present(ORACLE) + present(GOLDEN):
        structure = SDMX / ORACLE[name] if ORACLE.get(name) else None
        fast = parse_message(SDMX / name, structure=structure, engine="fast")
        auto = parse_message(SDMX / name, structure=structure, engine="auto")
        assert fast.table.equals(auto.table), name


def test_json_layouts_and_versions_give_the_same_rows():
    """The same ECB observations as SDMX-JSON 2.0 time series, 2.0 flat and 1.0 time series."""
    series_view = parse_message(SDMX / "v3/json/data/exr-time-series.json")
    flat_view = parse_message(SDMX / "v3/json/data/exr-flat.json")
    v1 = parse_message(SDMX / "ECB_EXR/ts.json")
    keep = ["series", "ref_area", "time_period", "value", "obs_status", "dimensions"]
    rows = [sorted(map(str, p.table.select(keep).to_pylist())) for p in (series_view, flat_view, v1)]
    assert rows[0] == rows[1] == rows[2]


def test_tidy_mapping_details():
    parsed = parse_message(
        SDMX / "ECB_EXR/rg-xs-ss.xml", structure=SDMX / "ECB_EXR/rg-structure-full.xml", engine="fast"
    )
    assert parsed.dimensions == ["FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR"]
    row = parsed.table.filter(pc.equal(parsed.table["series"], "M.CHF.EUR.SP00.E")).to_pylist()[0]
    assert row["ref_area"] == "_Z"  # EXR has no area dimension
    assert (row["unit"], row["unit_mult"], row["obs_status"]) == ("CHF", 0, "A")  # unit from a group attribute
    assert json.loads(row["dimensions"]) == {
        "CURRENCY": "CHF",
        "CURRENCY_DENOM": "EUR",
        "EXR_TYPE": "SP00",
        "EXR_VAR": "E",
        "FREQ": "M",
    }
    attributes = json.loads(row["attributes"])
    assert attributes["TITLE"] == "ECB reference exchange rate, Swiss franc/Euro"
    assert "OBS_STATUS" not in attributes and "UNIT_MULT" not in attributes
    assert (row["source"], row["dataset"]) == ("ECB", "ECB_EXR_RG")  # defaults: agency and structure id
    assert row["freq"] == "M" and row["year"] == 2010


def test_area_dimension_and_labels_from_sdmx_csv_labels():
    parsed = parse_message(
        SDMX / "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv", dataset="sdg_08_10"
    )
    assert parsed.labels["geo"]["AL"] == "Albania"
    assert set(parsed.table["ref_area"].to_pylist()) >= {"AL", "DE", "EU27_2020"}
    assert set(parsed.table["source"].to_pylist()) == {"ESTAT"}
    assert set(parsed.table["dataset"].to_pylist()) == {"sdg_08_10"}


def test_structure_specific_without_dsd_infers_dimensions_and_with_dsd_uses_its_order():
    alone = parse_message(SDMX / "ESTAT/demography-xs.xml")
    paired = parse_message(SDMX / "ESTAT/demography-xs.xml", structure=SDMX / "ESTAT/demography-structure.xml")
    assert alone.observations == paired.observations == 60
    assert paired.dimensions == ["FREQ", "COUNTRY", "SEX", "DEMO"]  # DEMO: explicit measure via xsi:type
    assert paired.labels["COUNTRY"]  # codelist labels come with the DSD


def test_structure_messages_report_what_they_define():
    parsed = parse_message(SDMX / "ECB_EXR/1/structure-full.xml")
    assert parsed.kind == "structure" and parsed.table is None
    assert parsed.summary["artefacts"]["Codelists"] > 0
    assert parsed.summary["data_structures"][0]["dimensions"][:2] == ["FREQ", "CURRENCY"]
    assert parsed.labels["CL_CURRENCY"]["USD"]


def test_footer_message():
    """Eurostat 413 'file will be ready later': data with 0 observations and the footer in the summary."""
    parsed = parse_message(SDMX / "ESTAT/footer.xml")
    assert parsed.kind == "data" and parsed.observations == 0
    assert parsed.summary["footer"][0]["code"] == "413"
