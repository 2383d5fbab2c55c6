"""End-to-end over the whole app in headless Chromium: every page of the menu and a few permalinks open,
draw their charts (or their table) without an exception box, a widget click on each main page
reruns it, a share panel opens on click; a screenshot of each lands in tests/artifacts/."""

from __future__ import annotations

import re

import pytest

TITLE = "[data-testid='stMainBlockContainer'] h1"
TABLE = "[data-testid='stDataFrame']"

#: (url path, page title, charts that must draw at least)
PAGES = [
    ("", "Overview", 1),  # one tab per theme; only the open tab's chart is drawn
    ("trajectories", "Trajectories", 3),  # life expectancy, GDP per capita alongside, ranking
    ("compare", "Compare", 1),
    ("your-index", "Your index", 1),  # equal weights: nothing moves, so no moves chart
    ("catalogue", "Indicators", 0),
    ("maps", "Maps", 1),
    ("data-sources", "Data & sources", 0),
]

PERMALINKS = [
    (
        "?area=DEU&peers=oecd&since=2015&theme=climate",
        "Climate: emissions and energy",
        1,
    ),  # the Overview is the home page
    ("compare?ind=life_expectancy,co2_per_capita&peers=eu27&view=multiples", "Life expectancy", 2),
    ("maps?level=nuts2&year=2012", "NUTS", 1),
    ("your-index?index=beyond_gdp_index&w=inclusive:3,circular:1,climate:1", "inclusive", 2),
    ("catalogue?q=gini&ind=gini_index", "Why it matters", 0),
]


def _open(page, ui, app_url: str, path: str, charts: int) -> None:
    page.goto(f"{app_url}/{path}")
    page.wait_for_selector(TITLE, timeout=60_000)
    if charts:
        ui.wait_for_charts(page, charts, timeout=60_000)
    else:
        page.wait_for_selector(TABLE, timeout=60_000)
    assert ui.exception_boxes(page) == 0
    assert page.get_by_text("Page not found").count() == 0, f"{path} is not a page Streamlit serves"


@pytest.mark.parametrize(("path", "title", "charts"), PAGES, ids=[p[1] for p in PAGES])
def test_every_page_opens_and_draws(app_url, page, ui, path, title, charts):
    _open(page, ui, app_url, path, charts)
    assert page.locator(TITLE).first.inner_text().strip() == title
    if charts:
        assert page.get_by_text("Source:").first.is_visible()
    ui.screenshot(page, f"page_{title.lower().replace(' & ', '_').replace(' ', '_')}")


@pytest.mark.parametrize(
    ("link", "expected", "charts"), PERMALINKS, ids=[p[0].split("?")[0] or "overview" for p in PERMALINKS]
)
def test_permalinks_reopen_their_view(app_url, page, ui, link, expected, charts):
    _open(page, ui, app_url, link, charts)
    page.get_by_text(re.compile(re.escape(expected), re.IGNORECASE)).first.wait_for(timeout=60_000)
    ui.screenshot(page, f"link_{link.split('?')[0] or 'overview'}")


def test_choosing_another_place_on_the_overview_redraws_it_and_updates_the_link(app_url, page, ui):
    _open(page, ui, app_url, "", 1)
    page.get_by_role("combobox", name="Place (country, group or region)").click()
    page.keyboard.type("Japan")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('area=JPN')", timeout=60_000)
    page.get_by_text("GDP per capita in Japan").first.wait_for(timeout=60_000)
    ui.wait_for_charts(page, 1, timeout=60_000)
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "overview_japan")


def test_a_theme_tab_on_the_overview_draws_its_chart_and_goes_into_the_link(app_url, page, ui):
    _open(page, ui, app_url, "?area=SWE", 1)
    page.get_by_role("tab", name="Economy").click()
    page.wait_for_function("() => window.location.search.includes('theme=economy')", timeout=60_000)
    page.get_by_text("Economy: GDP and income, beside the rest").first.wait_for(timeout=60_000)
    page.get_by_text("Sweden — economy indicators against").first.wait_for(timeout=60_000)
    assert page.get_by_text("Inclusive: people and fairness").count() == 0, "only the open tab is drawn"
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "overview_economy_tab")


def test_a_share_panel_opens_with_the_permalink_of_its_chart(app_url, page, ui):
    _open(page, ui, app_url, "?area=SWE", 1)
    assert page.locator("[data-testid='stCode']").count() == 0, "closed panels send nothing"
    page.locator("summary").filter(has_text="Share, embed or download this chart").first.click()
    code = page.locator("[data-testid='stCode']").first
    code.wait_for(timeout=60_000)
    assert "/?theme=inclusive" in code.inner_text() or "/?area=SWE" in code.inner_text()
    assert "theme=inclusive" in code.inner_text() and "/overview?" not in code.inner_text()
    assert page.get_by_role("button", name=re.compile("PNG")).first.is_visible()
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "overview_share_panel")


def test_moving_a_weight_reranks_your_index_and_puts_the_weights_in_the_link(app_url, page, ui):
    _open(page, ui, app_url, "your-index?index=beyond_gdp_index", 1)  # the default HDI has one theme
    page.get_by_role("slider").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('w=')", timeout=60_000)
    ui.wait_for_charts(page, 2, timeout=60_000)
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "your_index_weight_moved")


def test_the_maps_year_slider_redraws_the_map(app_url, page, ui):
    _open(page, ui, app_url, "maps?level=nuts2&year=2012", 1)
    page.get_by_role("slider", name="Year").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('year=2013')", timeout=60_000)
    ui.wait_for_charts(page, 1, timeout=60_000)
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "maps_2013")


def test_typing_part_of_a_name_and_enter_picks_that_one_place(app_url, page, ui):
    _open(page, ui, app_url, "trajectories?areas=SWE", 2)  # one place: its line and GDP's, no "ranking" of one
    page.get_by_role("combobox", name="Places (countries, groups, regions)").click()
    page.keyboard.type("Fra")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('FRA')", timeout=60_000)
    assert "areas=SWE%2CFRA" in page.url or "areas=SWE,FRA" in page.url, (
        f"one place picked, not all matches: {page.url}"
    )
    ui.wait_for_charts(page, 3, timeout=60_000)
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "trajectories_fra_enter")
