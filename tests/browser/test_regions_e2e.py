"""End-to-end in headless Chromium: regions on Trajectories, Compare and the Overview (issue 15, items 5
and 6). Typing "Stockholm" in Trajectories' "Find a region" and pressing Enter draws the region's line on
its own series beside Sweden's and writes it into the link; Compare lists Italy's 21 OECD TL2 regions; the
Overview of Stockholm heads with regional GDP per inhabitant. Screenshots: tests/artifacts/regions_*.png."""

from __future__ import annotations

TITLE = "[data-testid='stMainBlockContainer'] h1"


def _open(page, ui, app_url: str, link: str, charts: int) -> None:
    page.goto(f"{app_url}/{link}")
    page.wait_for_selector(TITLE, timeout=150_000)
    ui.wait_for_charts(page, charts, timeout=150_000)
    assert ui.exception_boxes(page) == 0


def test_typing_stockholm_in_trajectories_draws_the_region_line(app_url, page, ui):
    # GDP per capita, whose regional equivalent for Stockholm is GDP per inhabitant (PPS); one place: no ranking
    _open(page, ui, app_url, "trajectories?ind=gdp_per_capita_ppp&areas=SWE", 1)
    finder = page.get_by_role("textbox", name="Find a region")
    finder.fill("Stockholm")
    finder.press("Enter")
    page.wait_for_function("() => window.location.search.includes('SE11')", timeout=90_000)
    assert "areas=SWE%2CSE11" in page.url or "areas=SWE,SE11" in page.url, page.url
    page.get_by_text("Picked Stockholm — NUTS 2 region, Sweden").first.wait_for(timeout=60_000)
    page.get_by_text("Stockholm: Regional GDP per inhabitant (PPS)").first.wait_for(timeout=60_000)
    ui.wait_for_charts(page, 2, timeout=90_000)  # Sweden's line and Stockholm's (each alone: nothing to rank)
    assert page.get_by_text("Source: Eurostat").count() >= 1
    assert page.get_by_text("were not understood").count() == 0, "a widget change is not a link: no notice"
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "regions_trajectories_stockholm")


def test_compare_lists_italys_tl2_regions(app_url, page, ui):
    _open(page, ui, app_url, "compare?level=tl2&within=ITA", 1)
    page.get_by_text("21 areas in the peer group (all regions of Italy)").first.wait_for(timeout=60_000)
    assert page.get_by_text("were not understood").count() == 0
    ui.screenshot(page, "regions_compare_ita_tl2")


def test_overview_of_stockholm_heads_with_regional_gdp(app_url, page, ui):
    _open(page, ui, app_url, "?area=SE11", 1)
    page.get_by_text("Regional GDP per inhabitant (PPS) in Stockholm").first.wait_for(timeout=90_000)
    assert page.get_by_text("no GDP per capita series").count() == 0
    ui.screenshot(page, "regions_overview_stockholm")
