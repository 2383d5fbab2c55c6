"""The provider registry and catalogue: they load, agree with sdmx1, and build exactly the URLs we expect."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from connectors import providers as registry
from connectors.providers import (
    USER_AGENT,
    CatalogueEntry,
    RegistryError,
    build_url,
    default_catalogue,
    default_providers,
    load_catalogue,
    load_providers,
)

REQUIRED_PROVIDERS = {"OECD", "ESTAT", "ISTAT", "INSEE", "ABS", "ECB", "IMF", "WB_WDI", "ILO", "UNSD"}


def _sdmx1_sources() -> dict[str, dict]:
    import sdmx

    path = Path(sdmx.__file__).parent / "sources.json"
    return {s["id"]: s for s in json.loads(path.read_text())}


def test_registry_has_every_required_provider():
    assert set(default_providers()) >= REQUIRED_PROVIDERS


def test_base_urls_are_sdmx1s_own():
    sources = _sdmx1_sources()
    for provider in default_providers().values():
        if provider.sdmx1_id is None:  # an endpoint sdmx1 does not list: the notes must say so and why
            assert "Not an sdmx1 source" in provider.notes, provider.id
            continue
        assert provider.sdmx1_id in sources, f"{provider.id}: sdmx1 has no source {provider.sdmx1_id!r}"
        assert provider.base_url == sources[provider.sdmx1_id]["url"], provider.id
    assert sum(p.sdmx1_id is None for p in default_providers().values()) <= 1  # only the OECD.Stat archive


def test_documented_facts_are_recorded():
    providers = default_providers()
    oecd, estat = providers["OECD"], providers["ESTAT"]
    assert oecd.base_url == "https://sdmx.oecd.org/public/rest"
    # OECD's 2024 API guidance: 20 queries per minute AND 60 downloads per hour, both kept.
    assert [(w.requests, w.per_seconds) for w in oecd.rate_limits] == [(20, 60), (60, 3600)]
    assert oecd.supports_updated_after and not estat.supports_updated_after
    assert oecd.requested.family == estat.requested.family == "csv"  # SDMX-CSV where offered
    assert estat.requested.params == {"format": "SDMX-CSV"}
    for provider in providers.values():
        assert provider.documentation.startswith("http")
        assert provider.licence and provider.citation


def test_catalogue_covers_the_beyond_gdp_flows():
    catalogue = default_catalogue()
    flows = {(e.dataflow.agency, e.dataflow.id) for e in catalogue.values() if e.dataflow}
    for wanted in [
        ("OECD.WISE.WDP", "DSD_HSL@DF_HSL_CWB"),
        ("OECD", "DF_BLI"),  # Better Life Index, from the OECD.Stat archive
        ("OECD.WISE.INE", "DSD_WISE_IDD@DF_IDD"),
        ("OECD.ENV.EPI", "DSD_GG@DF_GREEN_GROWTH"),
        ("OECD.ENV.EPI", "DSD_AIR_GHG@DF_AIR_GHG"),
        ("IT1", "DF_BES_TERRIT_4"),
    ]:
        assert wanted in flows
    ids = {e.dataflow.id for e in catalogue.values() if e.dataflow}
    for table in ["sdg_08_10", "sdg_13_10", "sdg_10_41", "cei_srm030", "cei_pc020", "env_air_gge", "ilc_di12"]:
        assert table in ids
    for table in ["nama_10_pc", "nama_10r_2gdp", "nama_10r_2hhinc", "lfst_r_lfe2emp", "ilc_li41"]:
        assert table in ids
    assert any(e.dataflow and e.dataflow.id.startswith("DSD_REG_") for e in catalogue.values())
    for entry in catalogue.values():
        assert entry.documented_at.strip() and entry.measures, entry.name


GOLDEN = {
    "oecd_hsl_current_wellbeing": (
        "https://sdmx.oecd.org/public/rest/data/OECD.WISE.WDP,DSD_HSL@DF_HSL_CWB,1.1/all"
        "?startPeriod=2004&dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
    ),
    "oecd_air_ghg": (
        "https://sdmx.oecd.org/public/rest/data/OECD.ENV.EPI,DSD_AIR_GHG@DF_AIR_GHG,1.0/.A.GHG._T.KG_CO2E_PS"
        "?startPeriod=1990&dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
    ),
    "env_air_gge": (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/env_air_gge/A..GHG.."
        "?startPeriod=1990&format=SDMX-CSV"
    ),
    "ilc_di12": (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/ilc_di12/A.TOTAL.GINI_HND."
        "?startPeriod=1995&format=SDMX-CSV"
    ),
    "oecd_income_distribution": (
        "https://sdmx.oecd.org/public/rest/data/OECD.WISE.INE,DSD_WISE_IDD@DF_IDD,1.0/"
        ".A.INC_DISP_GINI+PR_INC_DISP..._T.METH2012.D_CUR."
        "?startPeriod=1990&dimensionAtObservation=AllDimensions&format=csvfilewithlabels"
    ),
    "sdg_08_10": (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/sdg_08_10/A..B1GQ."
        "?startPeriod=2000&format=SDMX-CSV"
    ),
    "ilc_li41": "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/ilc_li41?startPeriod=2003&format=SDMX-CSV",
    # exactly the request seen working in public download code
    "oecd_better_life_index": (
        "https://sdmx.oecd.org/archive/rest/data/OECD,DF_BLI,/all?dimensionAtObservation=AllDimensions"
        "&format=csvfilewithlabels"
    ),
}


def _as_enabled(name: str) -> CatalogueEntry:
    """A catalogue entry as it would be fetched once enabled (entries no indicator reads yet are disabled, but
    their URLs stay checked so enabling one is a one-line change)."""
    return default_catalogue()[name].model_copy(update={"enabled": True})


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_urls(name):
    url, headers = build_url(_as_enabled(name))
    assert url == GOLDEN[name]
    assert headers == {"User-Agent": USER_AGENT}  # OECD and Eurostat take the format as a query parameter


def test_golden_istat_bes_url_and_accept_header():
    url, headers = build_url(_as_enabled("istat_bes"))
    # IstatData flow reference agency,id,version; key FREQ.REF_AREA.DOMAIN.DATA_TYPE.SEX.EDITION
    assert url == "https://esploradati.istat.it/SDMXWS/rest/data/IT1,DF_BES_TERRIT_4,1.0/A..BES_04..."
    assert headers["Accept"] == "application/vnd.sdmx.genericdata+xml;version=2.1"


def _entry(provider: str, **fields) -> CatalogueEntry:
    base = dict(name="t", title="t", provider=provider, documented_at="test", verified="no", measures=["x"])
    base.update(fields)
    return CatalogueEntry(**base)


def test_accept_header_styles_and_quirks():
    flow = {"agency": "IT1", "id": "22_315_DF_DCIS_POPORESBIL1_12", "version": "1.0"}
    url, headers = build_url(_entry("ISTAT", dataflow=flow, key="A..", params={"startPeriod": 2020}))
    assert (
        url
        == "https://esploradati.istat.it/SDMXWS/rest/data/IT1,22_315_DF_DCIS_POPORESBIL1_12,1.0/A..?startPeriod=2020"
    )
    assert headers["Accept"] == "application/vnd.sdmx.genericdata+xml;version=2.1"

    url, headers = build_url(_entry("ECB", dataflow={"agency": "ECB", "id": "EXR"}, key="M.USD.EUR.SP00.A"))
    assert url == "https://data-api.ecb.europa.eu/service/data/EXR/M.USD.EUR.SP00.A"
    assert headers["Accept"] == "application/vnd.sdmx.structurespecificdata+xml;version=2.1"

    # World Bank needs a trailing slash after the key (sdmx1 quirk), with or without a key
    url, _ = build_url(_entry("WB_WDI", dataflow={"id": "WDI"}, key="A.SP_POP_TOTL.AFG"))
    assert url == "https://api.worldbank.org/v2/sdmx/rest/data/WDI/A.SP_POP_TOTL.AFG/"
    url, _ = build_url(_entry("WB_WDI", dataflow={"id": "WDI"}))
    assert url == "https://api.worldbank.org/v2/sdmx/rest/data/WDI/all/"


def test_updated_after_only_where_supported():
    oecd = _as_enabled("oecd_air_ghg")
    url, _ = build_url(oecd, updated_after="2025-01-31T00:00:00Z")
    assert dict(parse_qsl(urlsplit(url).query))["updatedAfter"] == "2025-01-31T00:00:00Z"
    estat = default_catalogue()["sdg_08_10"]
    url, _ = build_url(estat, updated_after="2025-01-31T00:00:00Z")
    assert "updatedAfter" not in url


def test_updated_after_with_timezone_is_encoded():
    url, _ = build_url(_as_enabled("oecd_air_ghg"), updated_after="2025-01-31T00:00:00+01:00")
    assert "%2B01:00" in url  # a raw '+' would arrive as a space


# Each provider style: base/data/<flow ref in that style>/<key or the provider's empty key>[/]?<params>
def _pattern(provider, entry) -> re.Pattern:
    flow = re.escape(entry.dataflow.ref(provider.flow_ref))
    key = re.escape(entry.key) if entry.key else re.escape(provider.empty_key)
    path = provider.data_path.replace("{flow_ref}", flow).replace("{key}", key)
    path = path.replace("//", "/") if not (entry.key or provider.empty_key) else path
    if not (entry.key or provider.empty_key) and not provider.data_path.endswith("/"):
        path = path.rstrip("/")
    return re.compile("^" + re.escape(provider.base_url) + "/" + path + r"(\?.*)?$")


@pytest.mark.parametrize("name", sorted(n for n, e in default_catalogue().items() if e.enabled))
def test_every_catalogue_entry_follows_its_provider_pattern(name):
    entry = default_catalogue()[name]
    provider = default_providers()[entry.provider]
    url, headers = build_url(entry)
    assert _pattern(provider, entry).match(url), url
    query = dict(parse_qsl(urlsplit(url).query))
    for param, value in {**entry.params, **provider.requested.params}.items():
        assert query[param] == value
    assert headers.get("Accept") == provider.requested.accept
    assert headers["User-Agent"] == USER_AGENT
    if provider.id == "OECD":
        assert entry.dataflow.agency.startswith("OECD.") and query["dimensionAtObservation"] == "AllDimensions"


def test_disabled_entry_refuses_to_build():
    entry = default_catalogue()["oecd_better_life_index"].model_copy(update={"enabled": False, "note": "test"})
    with pytest.raises(RegistryError, match="oecd_better_life_index.*disabled"):
        build_url(entry)


# --- what the catalogue claims about its own evidence --------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n, e in default_catalogue().items() if e.enabled and e.key))
def test_every_narrowed_key_has_its_recorded_number_of_dimensions(name):
    entry = default_catalogue()[name]
    assert entry.key_dimensions is not None, f"{name}: a non-empty key needs key_dimensions (seen where?)"
    assert len(entry.key.split(".")) == entry.key_dimensions


def test_verified_yes_means_the_key_order_was_recorded_or_not_needed():
    for entry in default_catalogue().values():
        if entry.verified == "yes":
            assert entry.dataflow is not None, entry.name
            # Eurostat serves one version per table; the frozen OECD.Stat archive is asked as the working URLs ask it
            latest_is_fine = entry.provider in ("ESTAT", "OECD_ARCHIVE")
            assert entry.dataflow.version or latest_is_fine, f"{entry.name}: OECD/ISTAT pin a version"
            assert not entry.key or entry.key_dimensions, entry.name
        # A verified request may still be disabled: entries no indicator reads are not fetched
        # (tests/connectors/test_catalogue_feeds.py holds that rule).


def test_recorded_responses_confirm_the_eurostat_key_order():
    root = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdmx" / "ESTAT" / "beyond_gdp"
    if not root.is_dir():
        pytest.skip(f"recorded Eurostat messages not available: {root} (tests read ../shared/data)")
    catalogue = default_catalogue()
    header = (root / "ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv").read_text().splitlines()[0]
    dims = [c for c in header.split(",") if c in {"freq", "unit", "na_item", "geo"}]
    assert dims == ["freq", "unit", "na_item", "geo"] and catalogue["sdg_08_10"].key_dimensions == len(dims)
    for name, recording in [
        ("sdg_13_10", "estat_sdg_13_10_ghg-emissions-index.tsv"),
        ("cei_srm030", "estat_cei_srm030_circular-material-use-rate.tsv"),
    ]:
        first = (root / recording).read_text().splitlines()[0].split("\t")[0]  # e.g. freq,unit,geo\TIME_PERIOD
        dims = first.split("\\")[0].split(",")
        entry = catalogue[name]
        assert entry.key_dimensions == len(dims), name
        rows = [line.split("\t")[0].split(",") for line in (root / recording).read_text().splitlines()[1:]]
        for position, code in enumerate(entry.key.split(".")):
            for alternative in filter(None, code.split("+")):
                assert any(row[position] == alternative for row in rows), f"{name}: {alternative} not at {position}"


def test_key_with_wrong_number_of_positions_is_refused(tmp_path):
    body = dict(
        title="t",
        provider="ESTAT",
        dataflow={"agency": "ESTAT", "id": "x"},
        key="A.PC",
        key_dimensions=3,
        documented_at="here",
        verified="no",
        measures=["x"],
    )
    path = _write(tmp_path, "catalogue.yaml", {"datasets": {"my_data": body}})
    with pytest.raises(RegistryError, match=r"dataset 'my_data'.*'A.PC' has 2 dimension positions.*says 3"):
        load_catalogue(path, default_providers())
    body["key"] = "A.PC."
    assert load_catalogue(_write(tmp_path, "catalogue.yaml", {"datasets": {"my_data": body}}), default_providers())


# --- clear errors for bad files -------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _provider_body(**overrides) -> dict:
    raw = yaml.safe_load(registry.PROVIDERS_FILE.read_text())["providers"]["ESTAT"]
    raw.update(overrides)
    return raw


@pytest.mark.parametrize(
    ("overrides", "field", "hint"),
    [
        ({"rate_limit": {"requests": 0, "per_seconds": 60}}, "rate_limit.0.requests", "greater than 0"),
        ({"request_format": "parquet"}, "(entry)", "not one of formats"),
        ({"base_url": "ec.europa.eu/x"}, "base_url", "http"),
        ({"citation": "{who} says"}, "citation", "unknown placeholder"),
        ({"colour": "blue"}, "colour", "Extra inputs"),
    ],
)
def test_bad_provider_names_file_entry_and_field(tmp_path, overrides, field, hint):
    path = _write(tmp_path, "providers.yaml", {"providers": {"ESTAT": _provider_body(**overrides)}})
    with pytest.raises(RegistryError) as caught:
        load_providers(path)
    message = str(caught.value)
    assert str(path) in message and "provider 'ESTAT'" in message
    assert f"field '{field}'" in message and hint in message


@pytest.mark.parametrize(
    ("body", "field", "hint"),
    [
        ({"provider": "NOPE"}, "provider", "unknown provider"),
        ({"key": "A B"}, "key", "SDMX key"),
        ({"params": {"format": "csv"}}, "params", "set by the provider"),
        ({"enabled": False, "note": ""}, "(entry)", "needs a note"),
        ({"dataflow": None}, "(entry)", "needs a dataflow"),
        ({"verified": "maybe"}, "verified", "yes"),
    ],
)
def test_bad_catalogue_names_file_entry_and_field(tmp_path, body, field, hint):
    good = dict(
        title="t",
        provider="ESTAT",
        dataflow={"agency": "ESTAT", "id": "x"},
        documented_at="here",
        verified="no",
        measures=["x"],
    )
    good.update(body)
    path = _write(tmp_path, "catalogue.yaml", {"datasets": {"my_data": good}})
    with pytest.raises(RegistryError) as caught:
        load_catalogue(path, default_providers())
    message = str(caught.value)
    assert str(path) in message and "dataset 'my_data'" in message
    assert f"field '{field}'" in message and hint in message


def test_unreadable_yaml_is_named(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text("datasets: [unclosed", encoding="utf-8")
    with pytest.raises(RegistryError, match="catalogue.yaml: not valid YAML"):
        load_catalogue(path, default_providers())
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="top-level mapping 'datasets:'"):
        load_catalogue(path, default_providers())
