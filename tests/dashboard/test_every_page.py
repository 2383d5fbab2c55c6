"""Every page through the shared frame: pins kept and explained, hostile links survived, errors shown
as a short message (never a traceback), and the caches following the data version.

Each test runs a page folder's Streamlit file with AppTest, the way a browser would reach it.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from connectors import store
from dashboard import data_version, frame
from indicators import query
from tests.dashboard.support import open_page

#: Each page folder, with the parameters its links carry (besides v, embed and chart).
PAGE_PARAMS = {
    "overview": ("area", "peers", "since", "n", "with", "theme", "group"),
    "trajectories": ("ind", "areas", "from", "to", "scale", "base", "context", "gdp"),
    "compare": ("ind", "area", "peers", "n", "with", "year", "form", "view", "level", "within"),
    "your_index": ("index", "peers", "w", "iw", "year", "all"),
    "maps": ("level", "ind", "year", "country"),
    "catalogue": ("q", "theme", "level", "ind"),
    "data_sources": ("dataset",),
    "decoupling": ("y", "x", "areas", "from", "to", "log", "context"),
    "limits": ("area",),
    "futures": ("area", "ind", "rate", "by", "gdp"),
}
HOSTILE = {
    "markup": "<script>alert(1)</script>[x](javascript:alert(1)) :red[boo]",
    "oversized": "9" * 5_000,
    "unicode": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ \u202egnp.exe\u200b日本語",
}
UNKNOWN_PIN = "deadbeef0000"


def _value(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _no_error_box(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(PAGE_PARAMS))
def test_every_page_keeps_an_unknown_pin_and_says_the_data_differs(page):
    at = open_page(page, v=UNKNOWN_PIN)
    _no_error_box(at)
    notices = " ".join(i.value for i in at.info)
    assert f"pinned to data snapshot {UNKNOWN_PIN}" in notices
    assert query.data_version() in notices, "the notice names the snapshot actually shown"
    assert _value(at, "v") == UNKNOWN_PIN, "the pin stays in the address"


@pytest.mark.parametrize("page", ["trajectories", "catalogue"])
def test_a_pin_to_the_running_data_is_kept_without_a_notice(page):
    at = open_page(page, v=query.data_version())
    assert not any("pinned to data snapshot" in i.value for i in at.info)
    assert _value(at, "v") == query.data_version()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("page", sorted(PAGE_PARAMS))
def test_hostile_links_never_produce_an_error_box(page, kind):
    value = HOSTILE[kind]
    params = dict.fromkeys(PAGE_PARAMS[page], value) | {"v": value, value[:50]: value}
    at = open_page(page, **params)
    _no_error_box(at)
    notices = " ".join(i.value for i in at.info)
    assert "were not understood" in notices
    assert "<script>" not in notices and "](javascript" not in notices, "link text is shown, never rendered"
    assert _value(at, "v") is None, "a malformed pin is dropped, not kept"


def test_an_unexpected_error_shows_an_id_and_logs_the_traceback(monkeypatch, caplog):
    from dashboard.pages.catalogue import data

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(data, "matches", broken)
    at = open_page("catalogue")
    assert not at.exception, "the frame catches it"
    (box,) = at.error
    assert "error id" in box.value and "/srv/secret" not in box.value and "Traceback" not in box.value
    error_id = box.value.split("error id ")[1].split(")")[0]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info, "the traceback is in the server log under the same id"


def test_a_damaged_dataset_gets_a_notice_and_the_other_charts_still_draw(monkeypatch):
    """GDP alongside life expectancy: GDP's dataset is damaged, life expectancy still draws."""
    real = query.trajectory

    def damaged_gdp(indicator, *args, **kwargs):
        if indicator == "gdp_per_capita_ppp":
            raise store.StoreError("worldbank/wdi_gdp: the stored file is damaged; restore it with rollback")
        return real(indicator, *args, **kwargs)

    monkeypatch.setattr(query, "trajectory", damaged_gdp)
    frame.drawn_view.cache_clear()
    frame.drawn_chart.cache_clear()
    try:
        at = open_page("trajectories", ind="life_expectancy", areas="SWE,USA", gdp="1")
    finally:
        frame.drawn_view.cache_clear()
        frame.drawn_chart.cache_clear()
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "worldbank/wdi\\_gdp" in warnings and "rollback" in warnings
    assert len(at.get("vega_lite_chart")) == 2, "life expectancy and its ranking still draw"


def _chart_values(at: AppTest, area: str) -> list[float]:
    """The values drawn for ``area`` in every chart of the page (Streamlit ships chart data as Arrow)."""
    values = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
            values += [r["value"] for r in rows if r.get("ref_area") == area and "value" in r]
    return values


def test_the_running_app_follows_a_new_data_version_without_a_restart(copied_store):
    at = open_page("trajectories", ind="life_expectancy", areas="SWE", **{"from": "2000", "to": "2010"})
    before_values = _chart_values(at, "SWE")
    before_version = data_version.current()
    assert before_values and any(f"Snapshot {before_version}" in c.value for c in at.caption)

    # What `python -m connectors refresh` does from another process: a new version of one dataset.
    path = store.dataset_files(copied_store)[("gapminder", "fasttrack")]
    table = pq.read_table(path)
    table = table.set_column(table.schema.get_field_index("value"), "value", pc.multiply(table["value"], 2.0))
    store.write_dataset(table, store.read_provenance("gapminder", "fasttrack", copied_store), root=copied_store)

    at.run()  # the visitor's next interaction
    assert not at.exception
    after_version = data_version.current()
    assert after_version != before_version
    after_values = _chart_values(at, "SWE")
    assert after_values == [2.0 * v for v in before_values], "the new numbers are drawn"
    captions = " ".join(c.value for c in at.caption)
    assert f"Snapshot {after_version}" in captions and f"Snapshot {before_version}" not in captions


def test_a_damaged_file_on_disk_gives_a_notice_naming_the_dataset_not_an_error_id(copied_store):
    """The real path: 64 flipped bytes in a stored Parquet file, read through the indicators layer."""
    path = store.dataset_files(copied_store)[("estat", "sdg_08_10")]
    damaged = bytearray(path.read_bytes())
    damaged[5000:5064] = bytes(b ^ 0xFF for b in damaged[5000:5064])
    path.write_bytes(bytes(damaged))
    frame.drawn_view.cache_clear()
    frame.drawn_chart.cache_clear()
    try:
        at = open_page("compare", ind="real_gdp_per_capita_eur")
    finally:
        frame.drawn_view.cache_clear()
        frame.drawn_chart.cache_clear()
    assert not at.exception and not at.error, "a damaged file is a notice, not an error id"
    warnings = " ".join(w.value for w in at.warning)
    assert "estat/sdg\\_08\\_10" in warnings and "git checkout" in warnings


def test_the_served_app_hides_error_details_and_listens_on_this_machine_only():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"  # one of Streamlit 1.67's full/stacktrace/type/none
    assert config["server"]["address"] == "127.0.0.1"


def test_place_pickers_mark_aggregates_as_groups_and_never_offer_select_all():
    areas = query.areas()
    aggregate = str(areas[areas["is_aggregate"].astype(bool)].index[0])
    assert frame.place_label(aggregate).endswith(" (group)")
    assert frame.place_label("SWE") == query.area_name("SWE")
    assert frame.MULTI_PLACE_PICKER["select_all"] is False, "'Fra' + Enter must pick France, not 39 matches"
    at = open_page("trajectories", areas="SWE,WLD" if "WLD" in areas.index else "SWE")
    options = at.multiselect(key="traj_areas").options
    groups = [i for i, label in enumerate(options) if label.endswith(" (group)")]
    assert groups and min(groups) > max(i for i, label in enumerate(options) if not label.endswith(" (group)"))
