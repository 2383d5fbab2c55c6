"""Sub-national readers on the real shared files: counts, hand-checked values, NUTS recodings, unjoined-code reports."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from connectors.files import regions

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EUROSTAT = SHARED / "regions" / "eurostat_nuts2_2017"
NUTS = SHARED / "regions" / "boundaries" / "nuts2021_60m_4326"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data folder {SHARED} is absent")


@pytest.fixture(scope="module")
def shapes():
    return regions.read_nuts_shapes(sorted(NUTS.glob("NUTS_RG_60M_2021_4326_LEVL_*.geojson")))


@pytest.fixture(scope="module")
def history():
    return regions.read_nuts_history()


def _value(table, series, area, year):
    rows = [
        r
        for r in table.select(["series", "ref_area", "year", "value"]).to_pylist()
        if (r["series"], r["ref_area"], r["year"]) == (series, area, year)
    ]
    assert len(rows) == 1, rows
    return rows[0]["value"]


def test_nuts_shapes_cover_the_three_levels(shapes):
    levels = [s["level"] for s in shapes.values()]
    assert (levels.count("nuts0"), levels.count("nuts1"), levels.count("nuts2")) == (37, 125, 334)
    assert shapes["FRB0"]["name"] == "Centre — Val de Loire"


def test_every_recoding_points_at_a_nuts_2021_shape_of_the_same_region(history, shapes):
    def words(name: str) -> set[str]:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
        return {w for w in re.split(r"[^a-z]+", plain) if len(w) >= 4}

    recoded = {code: row for code, row in history.items() if row["nuts_2021"]}
    assert len(recoded) >= 40
    for code, row in recoded.items():
        target = row["nuts_2021"]
        assert target in shapes, f"{code} -> {target}: no such NUTS 2021 region"
        assert code not in shapes, f"{code} still exists in NUTS 2021; it must not be recoded"
        if len(target) == 4:
            assert words(row["name"]) & words(shapes[target]["name"]), (code, row["name"], shapes[target]["name"])
    for code, row in history.items():
        assert row["note"], f"{code}: every mapping line must say why"


def test_eurostat_gdp_values_recodings_and_report(history, shapes):
    table, report = regions.read_eurostat_tsv(
        EUROSTAT / "nama_10r_2gdp.tsv",
        series=[{"id": "gdp_pps", "unit": "PPS/inhabitant", "filter": {"unit": "PPS_HAB"}}],
        history=history,
        shapes=shapes,
        source="eurostat",
        dataset="test",
    )
    # Checked by hand in the TSV: PPS_HAB row, first (2014) column.
    assert _value(table, "gdp_pps", "AT13", 2014) == 43500
    assert _value(table, "gdp_pps", "FRB0", 2014) == 24300  # published as FR24 (Centre), recoded
    assert _value(table, "gdp_pps", "IE01", 2014) == 24300  # no NUTS 2021 successor: kept, reported
    assert "FR24" not in set(table["ref_area"].to_pylist())
    assert report["recoded"]["FR24"] == "FRB0"
    assert report["aggregates_left_out"] == ["EU28"]
    without = report["codes_without_shape"]
    assert "IE01" in without and "new boundaries" in without["IE01"]
    assert set(table["unit"].to_pylist()) == {"PPS/inhabitant"}


def test_eurostat_collisions_keep_the_newer_code(history, shapes):
    table, report = regions.read_eurostat_tsv(
        EUROSTAT / "nama_10r_2hhinc.tsv",
        series=[{"id": "hhinc", "unit": "PPCS/inhabitant", "filter": {"unit": "PPCS_HAB", "na_item": "B6N"}}],
        history=history,
        shapes=shapes,
        source="eurostat",
        dataset="test",
    )
    dropped = report["duplicates_dropped"]
    assert dropped["count"] > 0 and "EL11" in dropped["codes"]
    keys = list(zip(table["ref_area"].to_pylist(), table["year"].to_pylist(), strict=True))
    assert len(keys) == len(set(keys)), "one value per region and year after harmonising"


def test_eurostat_filters_on_unknown_dimensions_are_refused(history, shapes):
    with pytest.raises(regions.RegionFileError, match="unknown dimension"):
        regions.read_eurostat_tsv(
            EUROSTAT / "ilc_peps11.tsv",
            series=[{"id": "x", "unit": "%", "filter": {"sex": "T"}}],
            history=history,
            shapes=shapes,
            source="eurostat",
            dataset="test",
        )


def test_oecd_wellbeing_counts_values_and_missing_markers():
    path = SHARED / "regions" / "oecd_regional_wellbeing_2016" / "oecd_regional_wellbeing_2016.csv"
    columns = {
        "income_capita": {"id": "income", "unit": "USD"},
        "PM25)": {"id": "pm25", "unit": "ug/m3"},
        "Education": {"id": "edu", "unit": "score"},
    }
    table, report, found = regions.read_oecd_wellbeing(
        path, columns=columns, year=2016, source="oecd", dataset="test", note="edition 2016"
    )
    assert (report["rows_read"], report["regions"], report["country_rows"]) == (429, 395, 34)
    assert _value(table, "income", "AU1", 2016) == 27742
    assert _value(table, "pm25", "AU1", 2016) == 2.3
    assert _value(table, "income", "AUS", 2016) > 0  # whole-country rows keep their ISO3 code
    edu_areas = {
        r for r, s in zip(table["ref_area"].to_pylist(), table["series"].to_pylist(), strict=True) if s == "edu"
    }
    assert "CA60" not in edu_areas  # '..' in the file: not available, not zero
    by_code = {r["code"]: r for r in found}
    assert by_code["KR01"]["country"] == "KOR" and by_code["EE001"]["level"] == "tl3"


def test_tl2_codes_translate_to_nuts_2021_shapes(history, shapes):
    assert regions.tl2_to_nuts_2021("GR11", history) == "EL51"
    assert regions.tl2_to_nuts_2021("FR21", history) == "FRF2"
    assert regions.tl2_to_nuts_2021("DE1", history) == "DE1" and "DE1" in shapes
    assert regions.tl2_to_nuts_2021("US06", history) not in shapes


def test_gdl_regions_and_shape_keys():
    folder = SHARED / "regions" / "gdl_subnational_hdi"
    found = regions.read_gdl_regions(folder)
    assert len(found) == 1783
    assert found["afgr101"] == {
        "gdlcode": "AFGr101",
        "name": "Afghanistan - Central (Kabul Wardak Kapisa Logar Parwan Panjsher)",
        "iso3": "AFG",
    }
    keys = regions.topojson_keys(
        folder / "assets" / "shdi2022_world_large_simpl_0.21pct.json", "shdi2022_World_large", "gdlcode"
    )
    assert len(keys) == 1774 and "AFGr101" in keys
    with pytest.raises(regions.RegionFileError, match="no TopoJSON object"):
        regions.topojson_keys(folder / "assets" / "shdi2022_world_large_simpl_0.21pct.json", "nope", "gdlcode")


def test_snapshot_has_regions_with_reports():
    from connectors import store

    areas = store.load_areas().set_index("ref_area")
    assert areas.at["FRB0", "level"] == "nuts2" and areas.at["FRB0", "country"] == "FRA"
    assert areas.at["EL51", "country"] == "GRC" and areas.at["UKI3", "country"] == "GBR"
    assert areas.at["AU1", "level"] == "tl2" and areas.at["AU1", "country"] == "AUS"
    assert areas.at["AFGr101", "level"] == "gdl_region" and areas.at["AFGr101", "country"] == "AFG"
    assert areas.at["FRA", "level"] == "country", "a NUTS code must never overwrite a country row"
    eurostat = store.read_provenance("eurostat", "regional_nuts2_2017").extra
    assert "PL12" in eurostat["codes_without_shape"] and "split" in eurostat["codes_without_shape"]["PL12"]
    assert eurostat["codes_without_shape"]["BEZZ"].startswith("extra-regio")
    gdl = store.read_provenance("gdl", "shdi_subnational").extra
    assert "ARGr107" in gdl["codes_without_shape"]
    frame = store.load(series=["shdi"], datasets=["shdi_subnational"], areas=["AFGr101", "INDr120"], years=(2019, 2019))
    assert dict(zip(frame["ref_area"], frame["value"], strict=True)) == {"AFGr101": 0.591, "INDr120": 0.717}


def test_history_file_is_well_formed():
    with open(regions.HISTORY_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [k for k in rows[0]] == ["code", "name", "version", "nuts_2021", "note"]
    assert len({r["code"] for r in rows}) == len(rows)
