"""The entries enabled with official-only definitions (ilc_di11, ilc_di12, oecd_regional_gdp_tl2, env_air_gge) feed those
definitions through the REAL refresh path: ``python -m connectors refresh`` talks over a socket to the fake
provider on 127.0.0.1 (tests/connectors/fake_provider.py), parses, harmonises and stores the answer, and the
indicator then reads exactly the values served; ``python -m connectors status`` says the entry FEEDS it.

Every message here is SYNTHETIC: built in this file from the documented structure of each flow (dimension names
and codes as cited in the entry's ``documented_at`` in connectors/catalogue.yaml, the layout of the provider's
CSV as in the recordings under ../shared/data/sdmx), with made-up values. Nothing here reaches the snapshot.
Each message also carries rows the selection must NOT pick (another age, unit, sector or price basis), so a
wrong selection fails the test instead of passing by accident.
"""

from __future__ import annotations

import pytest
import yaml

from connectors import store
from connectors.__main__ import main
from connectors.providers import CATALOGUE_FILE, PROVIDERS_FILE
from indicators import query, sources
from tests.connectors.fake_provider import NEUTRAL, send

SNAPSHOT = store.DATA_CACHE / store.SNAPSHOT_DIR

#: SYNTHETIC Eurostat SDMX-CSV 1.0 (what format=SDMX-CSV answers: DATAFLOW, LAST UPDATE, the flow's dimensions
#: in key order, TIME_PERIOD, OBS_VALUE, OBS_FLAG). ilc_di12: freq.age.statinfo.geo.
SYNTHETIC_ILC_DI12 = [
    "DATAFLOW,LAST UPDATE,freq,age,statinfo,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
    "ESTAT:ILC_DI12(1.0),01/01/26 23:00:00,A,TOTAL,GINI_HND,SE,2022,27.6,",
    "ESTAT:ILC_DI12(1.0),01/01/26 23:00:00,A,TOTAL,GINI_HND,SE,2023,28.1,",
    "ESTAT:ILC_DI12(1.0),01/01/26 23:00:00,A,TOTAL,GINI_HND,DE,2023,29.4,b",
    "ESTAT:ILC_DI12(1.0),01/01/26 23:00:00,A,Y_LT18,GINI_HND,SE,2023,99.0,",  # another age: never picked
]
#: ilc_di11: freq.age.sex.unit.geo (the order of the recorded JSON-stat answer cited in the entry; the entry
#: asks for the whole table, so the order is not relied on).
SYNTHETIC_ILC_DI11 = [
    "DATAFLOW,LAST UPDATE,freq,age,sex,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
    "ESTAT:ILC_DI11(1.0),01/01/26 23:00:00,A,TOTAL,T,RAT,SE,2023,4.15,",
    "ESTAT:ILC_DI11(1.0),01/01/26 23:00:00,A,TOTAL,T,RAT,IT,2023,5.5,",
    "ESTAT:ILC_DI11(1.0),01/01/26 23:00:00,A,TOTAL,F,RAT,SE,2023,4.01,",  # women only: never picked
    "ESTAT:ILC_DI11(1.0),01/01/26 23:00:00,A,Y_LT18,T,RAT,SE,2023,9.9,",  # children only: never picked
]
#: env_air_gge: freq.unit.airpol.src_crf.geo (airpol GHG only, as the entry's key asks).
SYNTHETIC_ENV_AIR_GGE = [
    "DATAFLOW,LAST UPDATE,freq,unit,airpol,src_crf,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
    "ESTAT:ENV_AIR_GGE(1.0),01/01/26 23:00:00,A,MIO_T,GHG,CRF1A3,SE,2022,15.25,",
    "ESTAT:ENV_AIR_GGE(1.0),01/01/26 23:00:00,A,MIO_T,GHG,CRF1A3,FR,2022,125.5,",
    "ESTAT:ENV_AIR_GGE(1.0),01/01/26 23:00:00,A,THS_T,GHG,CRF1A3,SE,2022,15250,",  # another unit
    "ESTAT:ENV_AIR_GGE(1.0),01/01/26 23:00:00,A,MIO_T,GHG,CRF1A3B,SE,2022,14.0,",  # road only: a sub-sector
]
#: SYNTHETIC OECD csvfilewithlabels (STRUCTURE, STRUCTURE_ID, STRUCTURE_NAME, ACTION, then each dimension's code
#: and label in key order, as the recorded OECD DSD_LFS file). DSD_REG_ECO@DF_GDP:
#: FREQ.TERRITORIAL_LEVEL.REF_AREA.TERRITORIAL_TYPE.MEASURE.ACTIVITY.PRICES.UNIT_MEASURE.
_REG_ECO_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,FREQ,Frequency,TERRITORIAL_LEVEL,Territorial level,REF_AREA,"
    "Reference area,TERRITORIAL_TYPE,Territorial type,MEASURE,Measure,ACTIVITY,Economic activity,PRICES,"
    "Price base,UNIT_MEASURE,Unit of measure,TIME_PERIOD,Time period,OBS_VALUE,Observation value"
)


def _reg_eco(area: str, prices: str, year: int, value: float) -> str:
    return (
        f"DATAFLOW,OECD.CFE.EDS:DSD_REG_ECO@DF_GDP(2.4),Gross domestic product - regions,I,A,Annual,TL2,Large "
        f"regions,{area},{area},_Z,Not applicable,GDP,Gross domestic product,_T,Total,{prices},{prices},"
        f"USD_PPP_PS,US dollars per person PPP converted,{year},,{value},"
    )


SYNTHETIC_REG_ECO = [
    _REG_ECO_HEADER,
    _reg_eco("AU1", "Q", 2021, 61000.5),
    _reg_eco("AU1", "Q", 2022, 62000.25),
    _reg_eco("AU2", "Q", 2022, 58000.0),
    _reg_eco("AU1", "V", 2022, 70000.0),  # current prices: never picked
]

#: entry -> (SYNTHETIC message, the indicator it feeds, {(ref_area as stored, year): value it must read})
CASES = {
    "ilc_di11": (SYNTHETIC_ILC_DI11, "income_quintile_share_ratio_eu", {("SWE", 2023): 4.15, ("ITA", 2023): 5.5}),
    "ilc_di12": (
        SYNTHETIC_ILC_DI12,
        "gini_equivalised_income_eu",
        {("SWE", 2022): 27.6, ("SWE", 2023): 28.1, ("DEU", 2023): 29.4},
    ),
    "env_air_gge": (SYNTHETIC_ENV_AIR_GGE, "ghg_transport_eu", {("SWE", 2022): 15.25, ("FRA", 2022): 125.5}),
    "oecd_regional_gdp_tl2": (
        SYNTHETIC_REG_ECO,
        "tl2_gdp_per_capita_ppp",
        {("AU1", 2021): 61000.5, ("AU1", 2022): 62000.25, ("AU2", 2022): 58000.0},
    ),
}


@pytest.fixture(scope="module")
def real_catalogue_on_fake_provider(provider, tmp_path_factory):
    """The REAL catalogue entries (keys, key_dimensions, indicator selections, format parameters) with the
    Eurostat and OECD base URLs pointed at the fake provider; rate limits widened so the test does not wait."""
    folder = tmp_path_factory.mktemp("synthetic_registry")
    base = f"http://127.0.0.1:{provider.server_address[1]}"
    providers = yaml.safe_load(PROVIDERS_FILE.read_text(encoding="utf-8"))
    for name in ("ESTAT", "OECD"):
        providers["providers"][name]["base_url"] = f"{base}/{name.lower()}"
        providers["providers"][name]["rate_limit"] = [{"requests": 1000, "per_seconds": 1}]
    catalogue = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    catalogue["datasets"] = {name: catalogue["datasets"][name] for name in CASES}
    (folder / "providers.yaml").write_text(yaml.safe_dump(providers), encoding="utf-8")
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    return folder


@pytest.fixture
def root(tmp_path):
    (tmp_path / store.SNAPSHOT_DIR).symlink_to(SNAPSHOT, target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("entry", sorted(CASES))
def test_synthetic_answer_refreshed_through_the_real_path_feeds_its_official_only_indicator(
    entry, provider, real_catalogue_on_fake_provider, root, capsys, monkeypatch
):
    """SYNTHETIC message -> refresh over a socket -> store -> the indicator reads exactly the served values."""
    lines, indicator, expected = CASES[entry]
    registry = real_catalogue_on_fake_provider
    args = ["--root", str(root), "--providers", str(registry / "providers.yaml")]
    args += ["--catalogue", str(registry / "catalogue.yaml")]

    # before: the indicator has no data and says which refresh brings it (no zeros, no traceback)
    monkeypatch.setattr(store, "DATA_CACHE", root)
    sources.forget_cached_data()
    try:
        assert indicator not in query.definitions()
        with pytest.raises(query.NotFetched, match=f"run `python -m connectors refresh {entry}`"):
            query.panel(indicator)
    finally:
        sources.forget_cached_data()

    provider.answer = send(("\n".join(lines) + "\n").encode(), content_type=NEUTRAL)
    assert main(["refresh", entry, *args]) == 0, capsys.readouterr()
    capsys.readouterr()

    assert main(["status", "--root", str(root)]) == 0  # the shipped catalogue's entries over the test store
    block = capsys.readouterr().out
    block = block[block.index("FEEDS") :]
    areas = len({area for area, _ in expected})
    assert f"\n  {entry}\n    {indicator}: {len(expected)} observations, {areas} areas (" in block
    assert "MATCHES NOTHING" not in block and "AMBIGUOUS" not in block

    sources.forget_cached_data()  # DATA_CACHE is still the test root: the query layer sees the refreshed file
    try:
        assert indicator in query.definitions()
        panel = query.panel(indicator)
        got = {(a, int(y)): v for a, y, v in zip(panel.ref_area, panel.year, panel.value, strict=True)}
        assert got == expected
        used = query.source_used(indicator)
        assert (used.source, used.dataset) == (
            default_pair := (query.definition(indicator).series.source, query.definition(indicator).series.dataset)
        )
        assert default_pair[1] == entry
    finally:
        monkeypatch.undo()
        sources.forget_cached_data()
