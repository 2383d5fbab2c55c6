"""Share, embed and export for the Maps and Your index pages: the ``map`` and ``your_index`` view kinds
build from a link alone, their CSV is exactly the rows drawn (never the map geometry), they export to
offline HTML and images, and each page shows the share panel and, with ``?embed=true``, only the chart."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import export, share
from dashboard.pages.maps import charts as map_charts
from dashboard.pages.maps import data as maps
from dashboard.pages.your_index import data as index_views
from indicators import index_query as iq
from indicators import query
from tests.dashboard.support import open_share_panels, page_file

ROOT = Path(__file__).resolve().parents[2]
MAPS_PAGE = page_file("maps")
INDEX_PAGE = page_file("your_index")
PANEL = "Share, embed or download this chart"
BASE = "https://beyondgdp.example.org"


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv(share.PUBLIC_URL_ENV, raising=False)


def _csv(shared: share.SharedView) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(export.to_csv(shared)), keep_default_na=False, na_values=[""])


# --- the map kind ------------------------------------------------------------------------------


def test_a_map_link_builds_the_choropleth_and_its_ranked_rows():
    shared = share.share_link("maps?level=nuts2&year=2012", base_url=BASE)
    assert shared.kind.kind == "map" and shared.view.level == "nuts2" and not shared.notices
    expected = maps.ranking(maps.map_data("nuts2_arope_rate", "nuts2", 2012).shown, higher_is_better=False)
    pd.testing.assert_frame_equal(shared.data, expected)
    assert shared.meta.permalink == f"{BASE}/maps?level=nuts2&year=2012&v={query.data_version()}"
    assert shared.stem == "nuts2_arope_rate_nuts2_2012_map"
    assert any("no shape in the map" in note and "IE01" in note for note in shared.meta.notes)
    assert "Eurostat" in shared.meta.source_line


def test_map_csv_holds_the_data_rows_not_the_geometry():
    shared = share.share_link("maps?ind=life_expectancy&level=country", base_url=BASE)
    rows = _csv(shared)
    assert list(rows.columns) == [*share.CSV_METADATA, "rank", "ref_area", "name", "year", "value", "estimated"]
    assert len(rows) == len(shared.data) > 100 and rows["year"].nunique() == 1
    assert rows["ref_area"].tolist() == shared.data["ref_area"].tolist()
    text = export.to_csv(shared).decode()
    assert "coordinates" not in text and "arcs" not in text
    # The drawn values are exactly the shared rows: every value in the chart's lookup table is in the CSV.
    spec = shared.chart.to_dict()
    lookup = json.loads(spec["layer"][0]["transform"][0]["from"]["data"]["values"])
    drawn = {r["name"]: r["value"] for r in lookup if r["value"] is not None}
    assert drawn and all(name in set(rows["name"]) for name in drawn)


def test_map_exports_to_offline_html_and_to_images():
    shared = share.share_link("maps?level=gdl_region&country=IND", base_url=BASE)
    assert shared.view.country == "IND" and len(shared.data) > 20
    page = export.to_html(shared)
    assert "default-src 'none'" in page and "<script src=" not in page
    assert shared.meta.citation.split(". ")[0] in page
    svg = export.to_svg(shared)
    assert svg.startswith("<svg") and "India - Kerala" not in svg[:200]
    assert export.to_png(shared, scale=1)[:8] == b"\x89PNG\r\n\x1a\n"
    # The chart keeps its own 'no data' colour config: it is lifted onto the image, not dropped.
    assert export.image_spec(shared)["config"]["scale"]["invalid"]["color"]["value"] == map_charts.NO_DATA_COLOUR
    assert "config" in shared.chart.to_dict()


def test_a_bad_map_link_gets_notices_and_the_default_map():
    shared = share.share_link("maps?level=moon&ind=<b>&year=9999", base_url=BASE)
    assert shared.view.level == "country" and shared.view.indicator == "life_expectancy"
    assert len(shared.notices) == 3 and "<b>" not in shared.meta.permalink + shared.meta.title


# --- the your_index kind -----------------------------------------------------------------------


def test_a_your_index_link_builds_the_ranking_at_its_weights():
    link = "your-index?index=beyond_gdp_index&w=inclusive:2,circular:1,climate:1&iw=gini_index:0"
    shared = share.share_link(link, base_url=BASE)
    assert shared.kind.kind == "your_index" and not shared.notices
    weights = (("inclusive", 2.0), ("circular", 1.0), ("climate", 1.0))
    table = iq.ranked_table("beyond_gdp_index", "all", weights, (("gini_index", 0.0),), None)
    assert len(table) > index_views.TOP_ROWS
    assert shared.data["ref_area"].tolist() == list(table.index[: index_views.TOP_ROWS])
    assert shared.data["rank"].tolist() == table["rank"].head(index_views.TOP_ROWS).tolist()
    assert shared.meta.permalink == f"{BASE}/your-index?{link.split('?')[1]}&v={query.data_version()}"


def test_your_index_csv_is_exactly_the_rows_the_chart_draws():
    shared = share.share_link("your-index?index=better_life_index&all=1", base_url=BASE)
    (drawn,) = shared.chart.to_dict()["datasets"].values()
    rows = _csv(shared)
    assert rows["name"].tolist() == [r["name"] for r in drawn]
    assert rows["rank"].tolist() == [r["rank"] for r in drawn]
    assert rows["income_group"].tolist() == [r["income_group"] for r in drawn]
    assert len(rows) == len(iq.ranked_table("better_life_index")) > index_views.TOP_ROWS
    assert "all=1" in shared.meta.permalink


def test_your_index_exports_and_bad_values_fall_back_with_notices():
    shared = share.share_link("your-index?index=beyond_gdp_index&all=maybe&w=zz:9", base_url=BASE)
    assert len(shared.data) == index_views.TOP_ROWS and len(shared.notices) == 2
    page = export.to_html(shared)
    assert "default-src 'none'" in page and "Beyond GDP index at your weights" in page
    assert export.to_svg(shared).startswith("<svg")


def test_the_cli_exports_a_map_and_a_your_index_link(tmp_path):
    from dashboard.__main__ import main

    out = tmp_path / "x.html"
    assert main(["export", "maps?ind=life_expectancy&level=country", "--out", str(out)]) in (0, None)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    csv = tmp_path / "mine.csv"
    assert main(["export", "your-index?index=beyond_gdp_index&w=inclusive:3", "--out", str(csv)]) in (0, None)
    assert pd.read_csv(csv)["rank"].tolist() == list(range(1, index_views.TOP_ROWS + 1))


# --- the pages -------------------------------------------------------------------------------------


def _page(path: str, params: dict[str, str], *, embedded: bool = False, url: str = "") -> AppTest:
    app = AppTest.from_file(path, default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.context = {"is_embedded": embedded, "url": url} if url else {"is_embedded": embedded}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _permalink(app: AppTest) -> str:
    return open_share_panels(app).code[0].value


def test_the_maps_page_has_the_share_panel_with_the_views_permalink():
    app = _page(MAPS_PAGE, {"level": "nuts2", "year": "2012"}, url=f"{BASE}/maps")
    assert [e.label for e in app.expander].count(PANEL) == 1
    assert _permalink(app) == f"{BASE}/maps?level=nuts2&year=2012&v={query.data_version()}"
    labels = [b.proto.label for b in app.get("download_button")]
    assert {"PNG", "SVG", "CSV", "HTML"} <= set(labels)
    assert "IE01" in " ".join(c.value for c in app.caption)


def test_the_your_index_page_shares_its_weights_in_the_panel():
    app = _page(
        INDEX_PAGE, {"index": "beyond_gdp_index", "w": "inclusive:2,circular:1,climate:1"}, url=f"{BASE}/your-index"
    )
    # One panel under the ranking (first) and one under the moves-versus-equal-weights chart.
    assert [e.label for e in app.expander].count(PANEL) == 2
    assert _permalink(app).startswith(f"{BASE}/your-index?index=beyond_gdp_index&w=inclusive:2,circular:1,climate:1&v=")
    assert "Share your index" not in " ".join(m.value for m in app.markdown)


def test_drawing_all_countries_on_your_index_goes_into_the_link():
    app = _page(INDEX_PAGE, {"all": "1"})
    assert app.toggle(key="yi_all").value is True
    assert "all=1" in _permalink(app)
    assert app.query_params.get("all") in ("1", ["1"])


@pytest.mark.parametrize(
    ("path", "params", "kind_text"),
    [
        (MAPS_PAGE, {"level": "nuts2", "year": "2012"}, "darker = better"),
        (INDEX_PAGE, {"w": "inclusive:2"}, "at your weights"),
    ],
)
def test_embed_mode_shows_only_the_chart(path, params, kind_text):
    app = _page(path, params, embedded=True, url=f"{BASE}/page")
    assert not app.title and not app.expander
    for widgets in (app.selectbox, app.radio, app.slider, app.toggle, app.get("download_button")):
        assert len(widgets) == 0
    charts = app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    assert len(charts) == 1 and kind_text in charts[0].proto.spec
    (link,) = app.get("link_button")
    assert link.proto.label == "Open in Beyond GDP" and "embed" not in link.proto.url
