"""The precomputed default Overview (``dashboard/pages/overview/first_view.py``): the committed file holds
exactly what the code computes from the committed snapshot, and it is shown only for the data version and
code it was computed under — a refreshed store, changed code or another view recompute."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from connectors import store
from dashboard import data_version
from dashboard.pages.overview import data, first_view
from indicators import assess, query
from tests.dashboard.support import open_page

REGENERATE = "stale precomputed first view: run `python -m dashboard first-view` (or `make snapshot`) and commit it"


@pytest.fixture(autouse=True)
def _fresh_caches():
    data_version.forget_computed()
    yield
    data_version.forget_computed()


@pytest.fixture(scope="module")
def computed():
    """The default view computed now (not read from the committed file), so that only the first test depends
    on the committed file being current."""
    data_version.forget_computed()
    return first_view.compute()


def _stored_copy(tmp_path, computed, meta_changes: dict, marker: bool = True):
    """The default view written to a temporary folder with its key changed by ``meta_changes``; with
    ``marker`` every stored percentile is 0 (a TEST marker, never shown as data), which tells apart "the page
    used the file" from "it computed"."""
    rows, meta = computed
    path = tmp_path / "overview"
    path.mkdir()
    for theme, frame in rows.items():
        frame = frame.assign(percentile=0.0) if marker else frame
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path / f"{theme}.parquet")
    (path / "key.json").write_text(json.dumps(meta | meta_changes))
    return path


def test_the_committed_file_is_what_the_code_computes_from_the_committed_snapshot():
    stored = first_view.read()
    assert stored is not None, REGENERATE
    themes, meta = stored
    current = (query.data_version(), first_view.code_fingerprint(), first_view.areas_hash())
    assert first_view.stale_reason(meta, *current) is None, REGENERATE
    rows, computed = first_view.compute()
    assert meta == computed, REGENERATE
    assert list(themes) == list(rows) == list(data.THEME_TITLES)
    for theme, frame in rows.items():
        pd.testing.assert_frame_equal(themes[theme], frame, check_exact=True)
    area, _, members, since, names = first_view.default_view()
    for theme in names:  # what the page reads for an empty link is the stored frame, equal to assess's
        got = data.group_rows(area, members, since, "theme", theme)
        assert got is first_view.rows(area, members, since, theme), "the page must read the stored rows"
        pd.testing.assert_frame_equal(got, assess.scorecard_theme(area, members, since, theme), check_exact=True)
    assert data.since_years() == (data.FIRST_SINCE, query.year_range(assess.GDP)[1] - 2)
    assert data.place_options() == list(data.computed_place_options())


def test_stored_rows_are_used_for_the_data_version_and_code_they_were_computed_for(tmp_path, monkeypatch, computed):
    path = _stored_copy(tmp_path, computed, {})
    monkeypatch.setattr(first_view, "PATH", path)
    area, _, members, since, _ = first_view.default_view()
    assert (data.group_rows(area, members, since, "theme", "climate")["percentile"] == 0).all(), "file not used"


def test_a_refreshed_store_never_shows_the_rows_of_another_data_version(tmp_path, monkeypatch, computed, caplog):
    path = _stored_copy(tmp_path, computed, {"data_version": "0123456789ab"})
    monkeypatch.setattr(first_view, "PATH", path)
    area, _, members, since, names = first_view.default_view()
    with caplog.at_level("INFO", logger="beyond_gdp.first_view"):
        for theme in names:
            got = data.group_rows(area, members, since, "theme", theme)
            pd.testing.assert_frame_equal(got, assess.scorecard_theme(area, members, since, theme), check_exact=True)
    assert "computed for data version 0123456789ab" in caplog.text
    assert first_view.gdp_last_year() is None


def test_the_store_moving_to_another_version_drops_the_stored_rows(tmp_path, monkeypatch, computed):
    """The same file, valid a moment ago, is ignored once the store reports another data version (a refresh
    from the Data & sources page or the command line) — no restart needed."""
    path = _stored_copy(tmp_path, computed, {})
    monkeypatch.setattr(first_view, "PATH", path)
    area, _, members, since, _ = first_view.default_view()
    assert first_view.rows(area, members, since, "inclusive") is not None
    monkeypatch.setattr(query, "data_version", lambda: "fedcba987654")
    assert first_view.rows(area, members, since, "inclusive") is None


def test_rows_stored_for_another_areas_table_are_not_used(tmp_path, monkeypatch, computed):
    """The areas table (names, levels, groups) is not part of the data version: it has its own key."""
    path = _stored_copy(tmp_path, computed, {"areas": "0000000000000000"})
    monkeypatch.setattr(first_view, "PATH", path)
    area, _, members, since, _ = first_view.default_view()
    assert first_view.rows(area, members, since, "economy") is None
    assert first_view.area_options() is None


def test_rows_computed_by_other_code_are_not_used(tmp_path, monkeypatch, computed):
    path = _stored_copy(tmp_path, computed, {"code": "0000000000000000"})
    monkeypatch.setattr(first_view, "PATH", path)
    area, _, members, since, _ = first_view.default_view()
    assert first_view.rows(area, members, since, "economy") is None
    assert (data.group_rows(area, members, since, "theme", "economy")["percentile"] > 0).any()


def test_the_code_fingerprint_follows_the_indicator_code(tmp_path):
    for folder in ("indicators", "connectors"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rule.py").write_text("LIMIT = 1\n")
    before = first_view.code_fingerprint(tmp_path)
    (tmp_path / "indicators" / "rule.py").write_text("LIMIT = 2\n")
    assert first_view.code_fingerprint(tmp_path) != before
    (tmp_path / "indicators" / "rule.py").write_text("LIMIT = 1\n")
    assert first_view.code_fingerprint(tmp_path) == before


def test_another_view_or_a_missing_file_is_computed(tmp_path, monkeypatch):
    area, _, members, since, _ = first_view.default_view()
    assert first_view.rows("NOR", members, since, "inclusive") is None
    assert first_view.rows(area, members, since + 1, "inclusive") is None
    assert first_view.rows(area, members[:-1], since, "inclusive") is None
    assert first_view.rows(area, members, since, "current_wellbeing") is None
    monkeypatch.setattr(first_view, "PATH", tmp_path / "missing")
    data_version.forget_computed()
    assert first_view.rows(area, members, since, "inclusive") is None
    assert not data.group_rows(area, members, since, "theme", "inclusive").empty


def _first_chart_percentiles(at) -> set[float]:
    """The percentiles the page's first chart draws (Streamlit ships a chart's rows as Arrow datasets)."""
    found = set()
    for dataset in at.get("vega_lite_chart")[0].proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if "percentile" in table.column_names:
            found |= {v for v in table.column("percentile").to_pylist() if v is not None}
    return found


@pytest.mark.parametrize("same_version", [True, False])
def test_the_overview_page_draws_the_stored_rows_only_for_their_data_version(
    tmp_path, monkeypatch, computed, same_version
):
    """AppTest of the real page: a stored file keyed to the running data is drawn (its TEST marker, every
    percentile 0, reaches the chart); the same file keyed to another data version is ignored."""
    path = _stored_copy(tmp_path, computed, {} if same_version else {"data_version": "0123456789ab"})
    monkeypatch.setattr(first_view, "PATH", path)
    at = open_page("overview")
    percentiles = _first_chart_percentiles(at) - {50.0}  # 50 is the chart's middle line
    if same_version:
        assert percentiles == {0.0}, "the stored rows were not drawn"
    else:
        assert percentiles - {0.0}, "the stored rows of another data version reached the chart"


def _first_chart_values(at) -> dict[str, float]:
    values = {}
    for dataset in at.get("vega_lite_chart")[0].proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if {"indicator", "value"} <= set(table.column_names):
            values |= dict(zip(table.column("indicator").to_pylist(), table.column("value").to_pylist(), strict=True))
    return values


def test_a_real_refresh_while_the_server_runs_replaces_the_stored_default_view(
    copied_store, computed, tmp_path, monkeypatch
):
    """The store copied, the Overview opened on an empty link (the stored rows are used: same data version),
    then one dataset refreshed as ``python -m connectors refresh`` would write it (every value doubled): the
    next run draws the newly computed numbers, never the stored ones."""
    monkeypatch.setattr(first_view, "PATH", _stored_copy(tmp_path, computed, {}, marker=False))
    at = open_page("overview")
    area, _, members, since, _ = first_view.default_view()
    stored = first_view.read()[0]["inclusive"]
    stored = stored[stored["percentile"].notna()]  # the chart draws the ranked rows
    before = _first_chart_values(at)
    assert before == dict(zip(stored["indicator"], stored["value"], strict=True))
    assert first_view.rows(area, members, since, "inclusive") is not None, "same data: the stored rows are used"

    path = store.dataset_files(copied_store)[("gapminder", "fasttrack")]
    table = pq.read_table(path)
    table = table.set_column(table.schema.get_field_index("value"), "value", pc.multiply(table["value"], 2.0))
    store.write_dataset(table, store.read_provenance("gapminder", "fasttrack", copied_store), root=copied_store)

    at.run()
    assert not at.exception
    assert first_view.rows(area, members, since, "inclusive") is None, "a new data version: not the stored rows"
    after = _first_chart_values(at)
    computed = assess.scorecard_theme(area, members, since, "inclusive")
    ranked = computed[computed["percentile"].notna()]
    assert after == dict(zip(ranked["indicator"], ranked["value"], strict=True))
    changed = [k for k in after if after[k] != before.get(k)]
    assert changed and all(after[k] == pytest.approx(2 * before[k]) for k in changed), "the refreshed numbers"
