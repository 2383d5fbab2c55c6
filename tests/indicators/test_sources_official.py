"""Official datasets first, the snapshot as fallback: an indicator reads the first of its sources that is stored
and has observations, and its source line and provenance name that one.

The messages served here are SYNTHETIC (labelled so in every value's provenance: they are built in this file from
the documented structure of each dataflow — dimension ids and order from the catalogue's evidence, codes from the
indicator's selection — with made-up values). They go through the real refresh path: the HTTP transport is faked
with ``responses``, the SDMX parser, area harmonisation and store writer are the real ones. No real data for these
dataflows is recorded in ../shared/data; where one is (sdg_08_10), tests/indicators/test_sources.py replays it.
"""

from __future__ import annotations

import pytest
import responses

from connectors import store
from connectors.http import Fetcher
from connectors.providers import build_url, default_catalogue
from indicators import query, sources
from indicators.catalog import catalog
from indicators.schema import Definition

SNAPSHOT = store.DATA_CACHE / store.SNAPSHOT_DIR
CSV2 = "application/vnd.sdmx.data+csv;version=2.0.0"


def sdmx_csv2(structure_id: str, dimensions: list[str], rows: list[tuple]) -> bytes:
    """An SDMX-CSV 2.0 data message (header STRUCTURE,STRUCTURE_ID,ACTION,<dims>,TIME_PERIOD,OBS_VALUE)."""
    header = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *dimensions, "TIME_PERIOD", "OBS_VALUE"]
    lines = [",".join(header)]
    lines += [",".join(["dataflow", structure_id, "I", *map(str, row)]) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def store_root(tmp_path, monkeypatch):
    """A store whose snapshot is the committed one and whose refreshed area starts empty; the query layer reads it."""
    (tmp_path / store.SNAPSHOT_DIR).symlink_to(SNAPSHOT, target_is_directory=True)
    monkeypatch.setattr(store, "DATA_CACHE", tmp_path)
    sources.forget_cached_data()
    yield tmp_path
    monkeypatch.undo()
    sources.forget_cached_data()


def _refresh(name: str, body: bytes, root) -> None:
    entry = default_catalogue()[name]
    responses.get(build_url(entry)[0], body=body, content_type=CSV2)
    report = sources.refresh([name], fetcher=Fetcher(sleep=lambda s: None), root=root)[0]
    assert report.status == "updated", report.line


# SYNTHETIC ilc_li41: freq.unit.geo; FR21 is the NUTS 2013 code of Champagne-Ardenne, FRF2 its NUTS 2021 code.
ILC_LI41 = sdmx_csv2(
    "ESTAT:ILC_LI41(1.0)",
    ["freq", "unit", "geo"],
    [
        ("A", "PC", "SE11", 2023, 14.5),
        ("A", "PC", "SE11", 2024, 15.0),
        ("A", "PC", "FR21", 2023, 99.0),  # published under the old code as well: the NUTS 2021 value wins
        ("A", "PC", "FRF2", 2023, 16.2),
        ("A", "PC", "FR21", 2022, 17.1),  # only under the old code: recoded to FRF2
        ("A", "THS_PER", "SE11", 2024, 330.0),  # another unit the indicator does not select
    ],
)


@responses.activate
def test_a_refreshed_official_dataset_replaces_the_snapshot_series_and_is_named(store_root):
    ident = "nuts2_at_risk_of_poverty_rate"
    before = query.source_line([ident])
    assert query.source_used(ident) == query.definition(ident).series, "nothing refreshed yet: the snapshot"
    assert "2017 extraction" in before

    _refresh("ilc_li41", ILC_LI41, store_root)
    sources.forget_cached_data()

    used = query.source_used(ident)
    assert (used.source, used.dataset) == ("estat", "ilc_li41")
    got = {(a, int(y)): v for a, y, v in query.panel(ident)[["ref_area", "year", "value"]].itertuples(index=False)}
    assert got == {("SE11", 2023): 14.5, ("SE11", 2024): 15.0, ("FRF2", 2023): 16.2, ("FRF2", 2022): 17.1}
    line = query.source_line([ident])
    assert "Eurostat, ilc_li41" in line and "2017 extraction" not in line
    provenance = query.provenance_for(ident)
    assert provenance.dataset == "ilc_li41" and provenance.extra["catalogue_entry"] == "ilc_li41"
    assert query.source_credit(ident)[0] == "Eurostat, ilc_li41"
    # The CSV download of a chart names the source actually used too, row by row.
    from dashboard import share

    rows = share.csv_rows(share.share_link(f"maps?ind={ident}&level=nuts2&year=2024"))
    assert len(rows) and set(rows["source"]) == {"Eurostat, ilc_li41"}


@responses.activate
def test_an_official_dataset_without_the_selected_codes_leaves_the_snapshot_in_use(store_root):
    """A unit code the provider renamed: the indicator keeps its fallback, and says so by naming it."""
    renamed = ILC_LI41.replace(b",PC,", b",PC_POP_NEW,")
    _refresh("ilc_li41", renamed, store_root)
    sources.forget_cached_data()
    ident = "nuts2_at_risk_of_poverty_rate"
    assert query.source_used(ident) == query.definition(ident).series
    assert "2017 extraction" in query.source_line([ident])
    assert len(query.panel(ident)) > 1000  # the 2017 snapshot series, all regions
    # ... and the Data & sources page says so next to the entry, as `python -m connectors status` does
    [entry] = [e for e in sources.catalogue_entries() if e.name == "ilc_li41"]
    assert entry.state.startswith("fetched (stored as estat/ilc_li41), but nuts2_at_risk_of_poverty_rate matches")
    assert "PC_POP_NEW" in entry.state and entry.state.endswith("use their snapshot fallback")


# SYNTHETIC OECD Income Distribution Database: REF_AREA.FREQ.MEASURE.STATISTICAL_OPERATION.UNIT_MEASURE.AGE.
# METHODOLOGY.DEFINITION.POVERTY_LINE, as the 9-position keys in the catalogue's evidence spell it.
IDD_DIMENSIONS = [
    "REF_AREA",
    "FREQ",
    "MEASURE",
    "STATISTICAL_OPERATION",
    "UNIT_MEASURE",
    "AGE",
    "METHODOLOGY",
    "DEFINITION",
    "POVERTY_LINE",
]
OECD_IDD = sdmx_csv2(
    "OECD.WISE.INE:DSD_WISE_IDD@DF_IDD(1.0)",
    IDD_DIMENSIONS,
    [
        ("SWE", "A", "INC_DISP_GINI", "_Z", "0_TO_1", "_T", "METH2012", "D_CUR", "_Z", 2021, 0.276),
        ("SWE", "A", "INC_DISP_GINI", "_Z", "0_TO_1", "_T", "METH2012", "D_CUR", "_Z", 2022, 0.281),
        ("DEU", "A", "INC_DISP_GINI", "_Z", "0_TO_1", "_T", "METH2012", "D_CUR", "_Z", 2021, 0.303),
        ("SWE", "A", "PR_INC_DISP", "_Z", "PT_POP", "_T", "METH2012", "D_CUR", "PL_50", 2021, 9.1),
    ],
)


@responses.activate
def test_oecd_income_distribution_feeds_the_oecd_gini(store_root):
    _refresh("oecd_income_distribution", OECD_IDD, store_root)
    sources.forget_cached_data()
    ident = "gini_disposable_income_oecd"
    assert query.source_used(ident).dataset == "oecd_income_distribution"
    got = query.panel(ident)
    assert sorted(zip(got.ref_area, got.year.astype(int), got.value, strict=True)) == [
        ("DEU", 2021, 0.303),
        ("SWE", 2021, 0.276),
        ("SWE", 2022, 0.281),
    ]
    assert "via Our World in Data" not in query.source_line([ident])


def test_without_refreshed_data_every_indicator_reads_its_snapshot_series(store_root):
    wired = {ident: item for ident, item in catalog().items() if item.official_series}
    assert len(wired) >= 5
    for ident, item in wired.items():
        assert query.source_used(ident) == item.series, ident
        assert not query.panel(ident).empty, ident


def test_naming_the_source_reads_no_data_unless_an_official_dataset_is_stored(store_root, monkeypatch):
    """A page's source lines name dozens of indicators: without a refreshed official dataset the answer is the
    snapshot's series, the same one the full rule (which reads the data) picks — without reading any data."""
    raw = [ident for ident, item in catalog().items() if item.series is not None]
    waiting = query.awaiting_refresh()
    picked = {ident: query._chosen_series(ident)[0] for ident in raw if ident not in waiting}
    query.forget_cached_answers()
    reads = []
    monkeypatch.setattr(query, "_dataset_frame", lambda *key: reads.append(key))
    for ident, series in picked.items():
        assert query.source_used(ident) == series, ident
    assert reads == []
    for ident in waiting:  # an official-only indicator with nothing stored says which refresh brings it in
        with pytest.raises(query.NotFetched, match="not fetched yet"):
            query.source_used(ident)


def _definition(**changes) -> dict:
    base = {
        "id": "x",
        "title": "A test indicator",
        "theme": "economy",
        "unit": "%",
        "direction": "higher_is_better",
        "description": "A test definition for the schema.",
        "series": {"source": "eurostat", "dataset": "regional_nuts2_2017", "code": "at_risk_of_poverty_rate"},
        "source": {"publisher": "Eurostat", "licence": "CC BY 4.0"},
    }
    base.update(changes)
    return base


def test_official_series_need_a_fallback_and_distinct_datasets():
    official = {"source": "estat", "dataset": "ilc_li41", "match": {"unit": "PC"}}
    assert Definition(**_definition(official_series=[official])).series_in_preference[0].dataset == "ilc_li41"
    with pytest.raises(ValueError, match="needs 'series' as the fallback"):
        Definition(**_definition(series=None, formula="a + b", official_series=[official]))
    with pytest.raises(ValueError, match="same dataset twice"):
        Definition(**_definition(official_series=[official, official]))
    with pytest.raises(ValueError, match="same dataset as 'series'"):
        same = {"source": "eurostat", "dataset": "regional_nuts2_2017", "match": {"unit": "PC"}}
        Definition(**_definition(official_series=[same]))
