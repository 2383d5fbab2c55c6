"""Embed mode (?embed=true): the chart, its title, source line and a link back — no controls, no navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import frame
from indicators import query
from tests.dashboard.support import page_file

ROOT = Path(__file__).resolve().parents[2]
PAGE = page_file("trajectories")


def _embedded(params: dict[str, str], url: str = "https://beyondgdp.example.org/trajectories") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.context = {"is_embedded": True, "url": url}
    return app.run()


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv("BEYOND_GDP_PUBLIC_URL", raising=False)


def test_embed_shows_only_the_chart_source_and_a_link_back():
    app = _embedded({"ind": "co2_per_capita", "areas": "USA,CHN", "from": "1990"})
    assert not app.exception
    assert len(app.get("vega_lite_chart")) == 1
    for widgets in (app.selectbox, app.multiselect, app.slider, app.radio, app.toggle, app.get("download_button")):
        assert len(widgets) == 0
    assert not app.title and not app.sidebar.children
    assert [c.value for c in app.caption] == [query.source_line(["co2_per_capita"])]
    (link,) = app.get("link_button")
    assert link.proto.label == "Open in Beyond GDP"
    assert link.proto.url.startswith("https://beyondgdp.example.org/trajectories?ind=co2_per_capita&areas=USA,CHN")
    assert "embed" not in link.proto.url and f"v={query.data_version()}" in link.proto.url


def test_embed_draws_the_ranking_when_the_link_names_it():
    app = _embedded({"ind": "life_satisfaction", "areas": "FIN,USA", "chart": "ranking"})
    chart = app.get("vega_lite_chart")[0]
    assert "latest" in chart.proto.spec
    assert "chart=ranking" in app.get("link_button")[0].proto.url


def test_embed_with_hostile_parameters_falls_back_and_says_so():
    script = "<script>alert(1)</script>"
    app = _embedded({"ind": script, "areas": script + ",USA", "chart": script, "v": script, "x" * 600: "1"})
    assert not app.exception
    assert len(app.get("vega_lite_chart")) == 1
    notices = " ".join(i.value for i in app.info)
    assert "unknown indicator" in notices and "chart\\' must be" in notices
    assert "<script>" not in notices  # quoted, shortened, upper-cased or cut: never the raw tag
    assert not app.markdown or all("<script" not in m.value for m in app.markdown)


def test_embed_says_when_the_pinned_data_differs():
    app = _embedded({"ind": "gini_index", "areas": "USA", "v": "0123456789ab"})
    assert any("0123456789ab" in i.value and query.data_version() in i.value for i in app.info)


def test_the_app_hides_navigation_in_embed_mode():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.context = {"is_embedded": True}
    app.run()
    assert not app.exception
    css = [m for m in app.markdown if m.value == frame.EMBED_CSS]
    assert len(css) == 1 and css[0].proto.allow_html
    assert not app.sidebar.children


def test_the_embed_css_is_a_fixed_constant():
    assert "{" in frame.EMBED_CSS and "url(" not in frame.EMBED_CSS and "<script" not in frame.EMBED_CSS


def test_link_text_is_shown_as_itself_not_as_markdown():
    shown = frame.markdown_text("'[click](https://evil.example)' :red[x] <b>")
    assert "[click](" not in shown and ":red[" not in shown and "<b>" not in shown
    assert shown.replace("\\", "") == "'[click](https://evil.example)' :red[x] <b>"
