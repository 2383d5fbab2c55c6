"""Every enabled catalogue entry feeds indicators, and `python -m connectors status` says which — or that the
stored data matches nothing an indicator asks for (then the indicator falls back to the snapshot, never silently).

The nama_10r_2gdp answer replayed here is REAL: Eurostat's own 2017 TSV of that table (../shared/data/regions/
eurostat_nuts2_2017, NUTS 2013 codes, units PPS_HAB / EUR_HAB ...), served through the real refresh path with a
faked transport. It is exactly the case the report exists for: a dataset whose codes changed since (today's
PPS_EU27_2020_HAB). The lfst_r_lfe2emp message is SYNTHETIC (built here, made-up values).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import responses

from connectors import areas, feeds, store
from connectors.__main__ import main
from connectors.http import Fetcher
from connectors.providers import build_url, default_catalogue
from connectors.refresh import refresh_one

SNAPSHOT = store.DATA_CACHE / store.SNAPSHOT_DIR
REGIONS_2017 = store.PROJECT_ROOT.parent / "shared" / "data" / "regions" / "eurostat_nuts2_2017"
#: The recorded bytes are Eurostat TSV; the fake transport labels them with the CSV type the request asks for,
#: and the parser recognises the format from the bytes themselves.
TSV_AS_CSV = "text/csv"


@pytest.fixture
def root(tmp_path):
    (tmp_path / store.SNAPSHOT_DIR).symlink_to(SNAPSHOT, target_is_directory=True)
    return tmp_path


def _serve_and_refresh(name: str, body: bytes, root, content_type: str) -> None:
    entry = default_catalogue()[name]
    responses.get(build_url(entry)[0], body=body, content_type=content_type)
    outcome = refresh_one(entry, fetcher=Fetcher(sleep=lambda s: None), root=root)
    assert outcome.status == "updated", outcome.message


def test_every_enabled_entry_feeds_an_indicator_and_every_other_says_why_not():
    catalogue = default_catalogue()
    enabled = [e for e in catalogue.values() if e.enabled]
    assert len(enabled) >= 8
    for entry in enabled:
        assert entry.indicators, f"{entry.name}: enabled but feeds no indicator; disable it with its reason"
        assert all(entry.indicators.values()), f"{entry.name}: give each indicator the codes it selects"
    for entry in catalogue.values():
        if not entry.enabled:
            assert not entry.indicators and entry.note.startswith("No indicator reads it yet"), entry.name


def test_status_lists_what_each_enabled_entry_feeds(root, capsys):
    assert main(["status", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    block = out[out.index("FEEDS") :]
    for entry in default_catalogue().values():
        if entry.enabled:
            assert f"\n  {entry.name}\n" in block
            for indicator in entry.indicators:
                assert f"    {indicator}: " in block
        else:
            assert f"\n  {entry.name}\n" not in block
    # the snapshot's Eurostat datasets (shadowed by a refresh) feed from the start; official ones wait for one
    assert "real_gdp_per_capita_eur: 938 observations, 38 areas" in block
    assert (
        "nuts2_at_risk_of_poverty_rate: not fetched yet — run `python -m connectors refresh ilc_li41`; until then "
        "the indicator reads its snapshot fallback" in block
    )
    assert "gini_equivalised_income_eu: not fetched yet — run `python -m connectors refresh ilc_di12`" in block
    assert "MATCHES NOTHING" not in block


@responses.activate
def test_a_refreshed_table_whose_codes_changed_is_reported_as_matching_nothing(root, capsys):
    recorded = REGIONS_2017 / "nama_10r_2gdp.tsv"
    if not recorded.exists():
        pytest.skip(f"recorded Eurostat table not available: {recorded} (tests read ../shared/data)")
    _serve_and_refresh("nama_10r_2gdp", recorded.read_bytes(), root, TSV_AS_CSV)

    [feed] = feeds.check_entry(default_catalogue()["nama_10r_2gdp"], root)
    assert feed.state == feeds.MATCHES_NOTHING and feed.indicator == "nuts2_gdp_per_inhabitant_pps"
    assert "PPS_HAB" in feed.detail and "EUR_HAB" in feed.detail  # the codes the data does hold
    assert main(["status", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "nuts2_gdp_per_inhabitant_pps: MATCHES NOTHING — unit=PPS_EU27_2020_HAB; the dataset holds unit:" in out
    assert "1 indicator selection(s) find nothing usable in the stored data" in out


@responses.activate
def test_refreshed_nuts_2013_codes_are_recoded_to_nuts_2021_as_in_the_snapshot(root):
    recorded = REGIONS_2017 / "nama_10r_2gdp.tsv"
    if not recorded.exists():
        pytest.skip(f"recorded Eurostat table not available: {recorded} (tests read ../shared/data)")
    _serve_and_refresh("nama_10r_2gdp", recorded.read_bytes(), root, TSV_AS_CSV)
    path = store.dataset_path("estat", "nama_10r_2gdp", root, store.REFRESHED_DIR)
    stored = pq.read_table(path, columns=["ref_area", "year", "dimensions", "value"]).to_pandas()
    codes = set(stored["ref_area"])
    assert {"FRF2", "FRE2", "FRD2"} <= codes  # Champagne-Ardenne, Picardie, Haute-Normandie in NUTS 2021
    assert not {"FR21", "FR22", "FR23"} & codes
    # the snapshot built from the same file has the same regions under the same codes
    snapshot = pq.read_table(SNAPSHOT / "eurostat" / "regional_nuts2_2017.parquet", columns=["ref_area"])
    assert {"FRF2", "FRE2"} <= set(snapshot["ref_area"].to_pylist())
    euro = stored[stored.dimensions.str.contains('"unit":"EUR_HAB"', regex=False)]
    row = euro[(euro.ref_area == "FRF2") & (euro.year == 2014)]
    assert row["value"].tolist() == [28300.0]  # "EUR_HAB,FR21<TAB>28300 ..." (2014 column) in the recorded TSV


@responses.activate
def test_a_selection_that_picks_several_values_per_area_and_year_is_reported_ambiguous(root):
    # SYNTHETIC lfst_r_lfe2emp with an extra dimension the selection does not fix (citizen)
    lines = ["STRUCTURE,STRUCTURE_ID,ACTION,freq,citizen,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE"]
    for citizen, value in (("TOTAL", 512.0), ("NAT", 470.0)):
        lines.append(f"dataflow,ESTAT:LFST_R_LFE2EMP(1.0),I,A,{citizen},THS,T,Y_GE15,SE11,2024,{value}")
    body = ("\n".join(lines) + "\n").encode()
    _serve_and_refresh("lfst_r_lfe2emp", body, root, "application/vnd.sdmx.data+csv;version=2.0.0")
    [feed] = feeds.check_entry(default_catalogue()["lfst_r_lfe2emp"], root)
    assert feed.state == feeds.AMBIGUOUS
    assert "add one of ['citizen']" in feed.detail


def test_country_codes_are_never_taken_for_old_nuts_codes_of_the_same_spelling():
    """FR -> FRA (ISO3) must stay France; FRA as published is NUTS 2013 overseas France -> FRY (NUTS 2021)."""
    table = pa.table(
        {
            "ref_area": ["FR", "FR21", "FRA", "SE11"],
            "time_period": ["2024"] * 4,
            "dimensions": [json.dumps({"geo": c, "unit": "PC"}) for c in ("FR", "FR21", "FRA", "SE11")],
        }
    )
    harmonised, kept = areas.harmonise(table, {"FR": "FRA"})
    assert harmonised["ref_area"].to_pylist() == ["FRA", "FRF2", "FRY", "SE11"]
    assert kept == ["SE11"]  # published codes neither mapped nor recoded, reported as before
