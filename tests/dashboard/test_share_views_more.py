"""The last charts made shareable: Compare's small multiples (``compare_multiples``, also what the Table view
shares) and Your index's moves versus equal weights (``index_moves``). Each builds from a link alone, its CSV is
exactly the rows drawn, it exports to offline HTML and images, its page shows a share panel under it, and an
embed link shows only that chart."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import export, share
from dashboard.pages.titles import years_of
from dashboard.pages.your_index import data as index_views
from indicators import assess, query
from indicators import index_query as iq
from tests.dashboard.support import open_share_panels, page_file

ROOT = Path(__file__).resolve().parents[2]
COMPARE_PAGE = page_file("compare")
INDEX_PAGE = page_file("your_index")
PANEL = "Share, embed or download this chart"
BASE = "https://beyondgdp.example.org"
MULTIPLES = "compare?ind=gini_index,life_expectancy,co2_per_capita&area=DEU&view=multiples&chart=compare_multiples"
IDS = ("gini_index", "life_expectancy", "co2_per_capita")
MOVES = "your-index?index=beyond_gdp_index&w=inclusive:2,circular:1,climate:1&chart=index_moves"
WEIGHTS = (("inclusive", 2.0), ("circular", 1.0), ("climate", 1.0))


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv(share.PUBLIC_URL_ENV, raising=False)


def _csv(shared: share.SharedView) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(export.to_csv(shared)), keep_default_na=False, na_values=[""])


# --- compare_multiples -----------------------------------------------------------------------------


def test_a_multiples_link_draws_one_strip_per_indicator_of_the_peer_group():
    shared = share.share_link(MULTIPLES, base_url=BASE)
    assert shared.kind.kind == "compare_multiples" and not shared.notices
    members = assess.peer_group("oecd", "DEU").members
    rows, _ = assess.compare_table(IDS, members, None)
    assert shared.data["ref_area"].tolist() == rows["ref_area"].tolist()
    assert list(dict.fromkeys(shared.data["indicator"])) == list(IDS)
    spec = shared.chart.to_dict()
    # Each strip names its indicator and the year(s) of its values (issue 15: never a bare "latest").
    expected = [
        f"{query.definition(i).label} ({years_of(shared.data.loc[shared.data['indicator'] == i, 'year'])})" for i in IDS
    ]
    assert [part["title"]["text"] for part in spec["vconcat"]] == expected
    assert shared.meta.source_line == query.source_line(list(IDS))
    assert shared.meta.permalink == f"{BASE}/{MULTIPLES}&v={query.data_version()}"
    assert share.share_link(shared.meta.permalink).data.equals(shared.data)


def test_multiples_csv_is_exactly_the_rows_each_strip_draws():
    shared = share.share_link(MULTIPLES, base_url=BASE)
    rows = _csv(shared)
    assert list(rows.columns) == [
        *share.CSV_METADATA,
        "rank",
        "ref_area",
        "name",
        "year",
        "value",
        "estimated",
        "median",
    ]
    spec = shared.chart.to_dict()
    for part, ident in zip(spec["vconcat"], dict.fromkeys(rows["indicator"]), strict=True):
        dots, median = (spec["datasets"][layer["data"]["name"]] for layer in part["layer"][:2])
        mine = rows[rows["indicator"] == ident]
        assert [r["ref_area"] for r in dots] == mine["ref_area"].tolist()
        assert [round(r["value"], 6) for r in dots] == mine["value"].round(6).tolist()
        assert median[0]["value"] == pytest.approx(mine["median"].iloc[0])


def test_multiples_exports_html_and_images_and_follows_the_form():
    shared = share.share_link(MULTIPLES, base_url=BASE)
    page = export.to_html(shared)
    assert "default-src 'none'" in page and "<script src=" not in page
    assert export.to_svg(shared).startswith("<svg")
    assert export.to_png(shared, scale=1)[:8] == b"\x89PNG\r\n\x1a\n"
    total = assess.other_form("co2_per_capita", "total")
    other = share.share_link("compare?ind=co2_per_capita&form=total&chart=compare_multiples", base_url=BASE)
    assert set(other.data["indicator"]) == {total} and other.meta.source_line == query.source_line([total])


# --- index_moves -------------------------------------------------------------------------------------


def test_a_moves_link_draws_the_biggest_moves_versus_equal_weights():
    shared = share.share_link(MOVES, base_url=BASE)
    assert shared.kind.kind == "index_moves" and not shared.notices
    change = iq.rank_change("beyond_gdp_index", "all", WEIGHTS).dropna(subset=["equal_rank"])
    assert 0 < len(shared.data) <= index_views.MOVERS
    biggest = change["delta"].abs().max()
    assert shared.data["delta"].abs().tolist() == sorted(shared.data["delta"].abs(), reverse=True)
    assert shared.data["delta"].abs().iloc[0] == biggest and (shared.data["delta"] != 0).all()
    expected = change.loc[shared.data["ref_area"]]
    assert shared.data["rank"].tolist() == expected["rank"].astype(int).tolist()
    assert shared.data["equal_rank"].tolist() == expected["equal_rank"].astype(int).tolist()
    assert shared.meta.permalink == f"{BASE}/{MOVES}&v={query.data_version()}"


def test_moves_csv_is_exactly_the_rows_the_dumbbell_draws():
    shared = share.share_link(MOVES, base_url=BASE)
    (drawn,) = shared.chart.to_dict()["datasets"].values()
    rows = _csv(shared)
    assert list(rows.columns) == [*share.CSV_METADATA, "ref_area", "name", "rank", "equal_rank", "delta"]
    assert rows["name"].tolist() == [r["name"] for r in drawn]
    assert rows["rank"].tolist() == [r["rank"] for r in drawn]
    assert rows["equal_rank"].tolist() == [r["equal_rank"] for r in drawn]


def test_equal_weights_have_no_moves_to_share():
    with pytest.raises(query.QueryError, match="nothing moves"):
        share.share_link("your-index?chart=index_moves")


@pytest.mark.parametrize(
    ("link", "kind"), [(MULTIPLES, "compare_multiples"), (MOVES, "index_moves")], ids=["multiples", "moves"]
)
def test_the_cli_exports_both_kinds_to_html(tmp_path, link, kind):
    out = tmp_path / "x.html"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", link, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and query.data_version() in text
    assert f"chart={kind}" in text


# --- the pages -----------------------------------------------------------------------------------------


def _page(path: str, params: dict[str, str], *, embedded: bool = False) -> AppTest:
    app = AppTest.from_file(path, default_timeout=180)
    for key, value in params.items():
        app.query_params[key] = value
    app.context = {"is_embedded": embedded, "url": f"{BASE}/page"}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _codes(app: AppTest) -> str:
    return " ".join(c.value for c in open_share_panels(app).code)


@pytest.mark.slow
def test_the_small_multiples_view_has_its_strips_and_one_share_panel():
    app = _page(COMPARE_PAGE, {"ind": "life_expectancy,co2_per_capita,gini_index", "view": "multiples"})
    assert len(app.get("vega_lite_chart")) == 3
    assert [e.label for e in app.expander].count(PANEL) == 1
    assert "view=multiples&chart=compare_multiples" in _codes(app)


@pytest.mark.slow
def test_the_table_view_shares_its_rows():
    app = _page(COMPARE_PAGE, {"ind": "life_expectancy,gini_index", "view": "table"})
    assert [e.label for e in app.expander].count(PANEL) == 1
    assert "view=table&chart=compare_multiples" in _codes(app)
    shared = share.share_link("compare?ind=life_expectancy,gini_index&view=table&chart=compare_multiples")
    members = assess.peer_group("oecd", "SWE").members
    rows, _ = assess.compare_table(("life_expectancy", "gini_index"), members, None)
    assert shared.data["ref_area"].tolist() == rows["ref_area"].tolist()


@pytest.mark.slow
def test_the_your_index_page_has_a_share_panel_under_the_moves_chart():
    app = _page(INDEX_PAGE, {"index": "beyond_gdp_index", "w": "inclusive:2,circular:1,climate:1"})
    assert len(app.get("vega_lite_chart")) == 2
    assert [e.label for e in app.expander].count(PANEL) == 2
    assert "chart=index_moves" in _codes(app)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "params", "title"),
    [
        (COMPARE_PAGE, {"ind": "life_expectancy,gini_index", "view": "multiples"}, "among OECD on 2 indicators"),
        (INDEX_PAGE, {"index": "beyond_gdp_index", "w": "inclusive:2", "chart": "index_moves"}, "biggest moves"),
    ],
    ids=["multiples", "moves"],
)
def test_embed_shows_only_that_chart(path, params, title):
    app = _page(path, params, embedded=True)
    assert not app.title and not app.expander
    for widgets in (app.selectbox, app.multiselect, app.radio, app.slider, app.toggle, app.get("download_button")):
        assert len(widgets) == 0
    charts = app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    assert len(charts) == 1 and title in charts[0].proto.spec
    (link,) = app.get("link_button")
    assert "embed" not in link.proto.url
