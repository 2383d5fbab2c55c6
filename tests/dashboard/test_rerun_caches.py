"""What a rerun no longer recomputes (see ``bench/bench_app.py`` part (a)) still follows the data: every
answer cached for speed is keyed by the data version or dropped when it changes, so a refresh never shows
stale numbers; and the cached forms send the browser exactly what the uncached ones did."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.Dataframe_pb2 import Dataframe

from connectors import store
from dashboard import data_version, frame
from dashboard.pages.decoupling import data as decoupling_data
from dashboard.pages.decoupling.state import DecouplingView
from dashboard.pages.futures import data as futures_data
from dashboard.pages.futures.state import FuturesView
from dashboard.pages.overview import charts as overview_charts
from dashboard.pages.overview import data as overview_data
from dashboard.pages.overview.state import OverviewView
from indicators import areas, decoupling, query


def _refresh_without(root, year: int) -> None:
    """What `python -m connectors refresh` could write from another process: Gapminder's fast-track
    dataset without ``year`` and the years after it, and with every value doubled."""
    path = store.dataset_files(root)[("gapminder", "fasttrack")]
    table = pq.read_table(path)
    table = table.filter(pc.less(table["year"], year))
    table = table.set_column(table.schema.get_field_index("value"), "value", pc.multiply(table["value"], 2.0))
    store.write_dataset(table, store.read_provenance("gapminder", "fasttrack", root), root=root)


def test_a_new_data_version_drops_the_answers_cached_for_reruns(copied_store):
    version = data_version.current()
    _, last = query.year_range("life_expectancy")
    swe = decoupling._series("life_expectancy", ["SWE"])
    look = futures_data.outlook(FuturesView(area="SWE", indicator="life_expectancy"))
    places = overview_data.place_options()
    dropped = min(last, query.year_range("gdp_per_capita_ppp")[1])
    judged = DecouplingView(y="life_expectancy", start=2000, end=dropped)
    assert last >= look.latest_year and not swe.empty and not decoupling_data.verdicts(judged)[0].empty

    _refresh_without(copied_store, dropped)
    assert data_version.current() != version  # the next run sees the new version and drops the caches

    assert query.year_range("life_expectancy")[1] < dropped
    after = decoupling._series("life_expectancy", ["SWE"])
    kept = swe[swe.index.get_level_values("year") < dropped]
    assert after.tolist() == pytest.approx((2.0 * kept).tolist()), "the new numbers, not the cached ones"
    new_look = futures_data.outlook(FuturesView(area="SWE", indicator="life_expectancy"))
    assert new_look.latest_year < dropped
    assert new_look.latest == pytest.approx(2.0 * float(swe.loc[("SWE", new_look.latest_year)]))
    table, notes = decoupling_data.verdicts(judged)
    assert table.empty and any(str(dropped) in note for note in notes), "no verdict on a year that is gone"
    assert overview_data.place_options() == places  # the areas did not change


def test_find_a_region_searches_what_the_areas_say_after_the_caches_are_dropped(monkeypatch):
    assert areas.find_regions("Greater Testholm").empty
    real = areas.english_names()
    monkeypatch.setattr(areas, "english_names", lambda: real | {"SE11": "Greater Testholm"})
    data_version.forget_computed()
    try:
        found = areas.find_regions("Greater Testholm")
        assert found["ref_area"].tolist() == ["SE11"] and "Greater Testholm" in found["label"].iloc[0]
        assert areas.best_match("greater testholm") == "SE11"  # the English name, any case
    finally:
        monkeypatch.undo()
        data_version.forget_computed()
    assert areas.find_regions("Greater Testholm").empty


def test_find_a_region_with_no_match_finds_nothing():
    assert areas.find_regions("zzzz-no-such-place").empty


def test_a_sent_spec_carries_the_same_rows_as_the_drawn_spec():
    version = data_version.current()
    view = DecouplingView()
    _, spec = frame.drawn_chart("decoupling", view, version)
    sent = frame.sent_spec("decoupling", view, version)
    assert {k: v for k, v in sent.items() if k != "datasets"} == {k: v for k, v in spec.items() if k != "datasets"}
    assert set(sent["datasets"]) == set(spec["datasets"])
    for name, rows in spec["datasets"].items():
        decoded = pa.ipc.open_stream(sent["datasets"][name]).read_all().to_pylist()
        assert [{k: r[k] for k in row} for r, row in zip(decoded, rows, strict=True)] == rows
    assert all(isinstance(rows, list) for rows in spec["datasets"].values()), "the shared spec itself is untouched"
    rows = frame.drawn_rows("decoupling", view, "http://localhost:8501/", version)
    shared, _ = frame.drawn_view("decoupling", view, "http://localhost:8501/", version)
    assert rows.equals(frame.share.csv_rows(shared))


def _sent(styler: Styler) -> tuple[str, pa.Table]:
    proto = Dataframe().arrow_data
    marshall_styler(proto, styler, "default")
    css = proto.styler.styles.replace(str(proto.styler.uuid), "UUID")
    return css, pa.ipc.open_stream(proto.styler.display_values).read_all()


def test_the_overview_table_sends_what_a_plain_styler_sends():
    """Only the coloured Status cells carry ids (``cell_ids=False``): the same CSS and cell texts reach the
    browser as from a plain Styler with the same style function."""
    view = OverviewView()
    group = overview_data.peer_group(view.area, view.peers, view.similar, tuple(view.custom))
    for theme in overview_data.THEME_TITLES:
        table = overview_data.group_table(view.area, group.members, view.since, view.group, theme)
        styled = overview_data.styled_group_table(view.area, group.members, view.since, view.group, theme)
        sent = _sent(styled)
        assert sent == _sent(table.style.map(overview_charts.status_style, subset=["Status"]))
        assert any(table["Status"] != "") == ("background-color" in sent[0])
