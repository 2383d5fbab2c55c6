"""The Compare and Overview charts as shareable views: built from a link alone, CSV equal to the rows
drawn, exported to HTML and CSV, a share panel under each chart on the page, and embed mode."""

from __future__ import annotations

import html
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import export, share
from indicators import assess, query
from tests.dashboard.support import open_page, open_share_panels, page_file

ROOT = Path(__file__).resolve().parents[2]
COMPARE = "compare?ind=life_expectancy&peers=oecd"
OVERVIEW = "overview?area=DEU&peers=oecd&theme=inclusive"
SHARE_EXPANDER = "Share, embed or download this chart"


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv(share.PUBLIC_URL_ENV, raising=False)


def test_compare_link_builds_the_ranked_chart_of_the_oecd():
    shared = share.share_link(COMPARE)
    assert shared.kind.kind == "compare" and shared.notices == ()
    oecd = assess.peer_group("oecd", "SWE")
    rows, _ = assess.compare_table(("life_expectancy",), oecd.members, None)
    assert list(shared.data["ref_area"]) == list(rows["ref_area"])  # exactly the rows drawn, best first
    assert list(shared.data["rank"]) == sorted(shared.data["rank"])
    assert set(shared.data["indicator"]) == {"life_expectancy"}
    assert shared.data["unit"].iloc[0] == query.definition("life_expectancy").unit
    assert shared.meta.title.startswith("Life expectancy") and "OECD" in shared.meta.title
    assert shared.meta.permalink.endswith(f"/compare?ind=life_expectancy&v={query.data_version()}")
    again = share.share_link(shared.meta.permalink)
    assert again.view == shared.view and again.data.equals(shared.data)


def test_compare_link_with_several_indicators_draws_the_first_in_the_chosen_form():
    shared = share.share_link("compare?ind=co2_per_capita,gini_index&form=total&area=DEU")
    total = assess.other_form("co2_per_capita", "total")
    assert shared.meta.source_line == query.source_line([total])
    assert set(shared.data["indicator"]) == {total}
    assert "DEU" in set(shared.data["ref_area"])


def test_scorecard_link_builds_one_themes_standing_chart():
    shared = share.share_link(OVERVIEW)
    assert shared.kind.kind == "scorecard" and shared.notices == ()
    members = assess.peer_group("oecd", "DEU").members
    rows = assess.scorecard_theme("DEU", members, 2010, "inclusive")
    ranked = rows[rows["percentile"].notna()]
    assert list(shared.data["indicator"]) == list(ranked["indicator"])  # only ranked rows are drawn as dots
    assert set(shared.data["theme"]) == {"inclusive"} and "sparkline" not in shared.data
    spec = shared.chart.to_dict()
    drawn = next(iter(spec["datasets"].values()))
    assert [row["indicator"] for row in drawn] == list(shared.data["indicator"])
    assert "theme=inclusive" in shared.meta.permalink and "area=DEU" in shared.meta.permalink
    assert share.share_link(shared.meta.permalink).data.equals(shared.data)


def test_a_framework_chart_link_draws_the_components_indicators():
    shared = share.share_link("overview?area=DEU&peers=oecd&group=framework&theme=transboundary")
    assert shared.notices == () and "group=framework" in shared.meta.permalink
    definitions = query.definitions()
    assert len(shared.data) > 0 and {definitions[i].framework for i in shared.data["indicator"]} == {"transboundary"}
    assert "transboundary indicators against" in shared.meta.title


def test_scorecard_bad_theme_falls_back_with_a_notice():
    shared = share.share_link("overview?theme=<b>x</b>")
    assert shared.view.theme == "inclusive", "the first theme on the page is a wellbeing theme, GDP beside it"
    assert any("'theme' must be one of" in n for n in shared.notices)


def test_csv_export_equals_the_rows_drawn():
    for link in (COMPARE, OVERVIEW):
        shared = share.share_link(link)
        text = export.to_csv(shared)
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        read = pd.read_csv(io.StringIO("\n".join(lines)))
        assert list(read.columns) == list(share.csv_rows(shared).columns)
        assert set(read["snapshot"].astype(str)) == {shared.meta.data_version}
        assert list(read["indicator"]) == list(shared.data["indicator"])
        assert read["value"].round(6).tolist() == shared.data["value"].astype(float).round(6).tolist()


@pytest.mark.parametrize(
    ("link", "name"), [(COMPARE, "compare.html"), (OVERVIEW, "overview.html"), (COMPARE, "compare.csv")]
)
def test_export_cli_writes_html_and_csv(tmp_path, link, name):
    out = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", link, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    if name.endswith(".html"):
        assert "<html" in text.lower() and query.data_version() in text
        assert html.escape(share.share_link(link).meta.title) in text
    else:
        assert "life_expectancy" in text


def _expanders(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


@pytest.mark.slow
def test_compare_page_has_a_share_panel_under_each_ranked_chart():
    at = open_page("compare", ind="life_expectancy,co2_per_capita", peers="oecd")
    assert len(at.get("vega_lite_chart")) == 2
    assert _expanders(at).count(SHARE_EXPANDER) == 2
    assert not at.code, "a closed share panel sends nothing"
    codes = [c.value for c in open_share_panels(at).code]
    assert any("/compare?ind=life_expectancy&" in c for c in codes)
    assert any("/compare?ind=co2_per_capita&" in c for c in codes)


@pytest.mark.slow
def test_overview_page_has_a_share_panel_under_each_theme_chart():
    """One tab per theme, only the open one drawn: each tab's chart has its share panel, linking that theme."""
    for theme, label in (
        ("inclusive", "Inclusive"),
        ("circular", "Circular"),
        ("climate", "Climate"),
        ("economy", "Economy"),
    ):
        at = open_page("overview", area="DEU", peers="oecd", theme=theme)
        assert at.session_state["ov_tab"] == label
        assert len(at.get("vega_lite_chart")) == 1
        assert _expanders(at).count(SHARE_EXPANDER) == 1
        codes = " ".join(c.value for c in open_share_panels(at).code)
        assert f"theme={theme}" in codes


def _embedded(page: str, params: dict[str, str]) -> AppTest:
    app = AppTest.from_file(page_file(page), default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.context = {"is_embedded": True, "url": f"https://beyondgdp.example.org/{page}"}
    return app.run()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "params"),
    [("compare", {"ind": "life_expectancy", "peers": "oecd"}), ("overview", {"area": "DEU", "theme": "inclusive"})],
)
def test_embed_mode_shows_only_the_chart(page, params):
    app = _embedded(page, params)
    assert not app.exception, [e.value for e in app.exception]
    assert len(app.get("vega_lite_chart")) == 1
    for widgets in (app.selectbox, app.multiselect, app.slider, app.radio, app.toggle, app.get("download_button")):
        assert len(widgets) == 0
    assert not app.title and not app.expander
    shared = share.share_link(f"{page}?" + "&".join(f"{k}={v}" for k, v in params.items()))
    (link,) = app.get("link_button")
    path = "" if page == share.HOME_PAGE else page  # the home page lives at "/"
    assert link.proto.url.startswith(f"https://beyondgdp.example.org/{path}?")
    assert "embed" not in link.proto.url and f"v={query.data_version()}" in link.proto.url
    assert shared.meta.source_line in [c.value for c in app.caption]


def _pages_of_app() -> list[tuple[str, dict]]:
    """(page file, keywords) of every st.Page in app.py, read from its source."""
    import ast

    found = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            found.append((ast.unparse(node.args[0]), keywords))
    return found


def test_overview_permalinks_use_the_apps_home_address_where_streamlit_serves_it():
    pages = _pages_of_app()
    (home,) = [file for file, keywords in pages if keywords.get("default") is True]
    (alias,) = [file for file, keywords in pages if keywords.get("url_path") == share.HOME_PAGE == "overview"]
    assert "overview/page.py" in home and alias == home, "/ and /overview both open the Overview"
    shared = share.share_link(OVERVIEW, base_url="https://beyondgdp.example.org")
    assert shared.meta.permalink.startswith("https://beyondgdp.example.org/?area=DEU&peers=oecd&theme=inclusive")
    assert shared.meta.embed_url.startswith("https://beyondgdp.example.org/?") and "embed=true" in shared.meta.embed_url
    assert share.split_link(shared.meta.permalink)[0] == "overview"
    assert share.split_link("/?area=DEU")[0] == "overview"
    for bare in ("ind=co2_per_capita", "?ind=co2_per_capita"):  # a bare query names no page: chart= decides
        assert share.split_link(bare)[0] is None
    other = share.share_link(COMPARE, base_url="https://beyondgdp.example.org")
    assert other.meta.permalink.startswith("https://beyondgdp.example.org/compare?")
