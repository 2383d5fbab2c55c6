"""End-to-end: the real app in headless Chromium — pages open, charts draw, links and clicks work."""

from __future__ import annotations

import time


def test_trajectories_link_draws_both_charts(app_url, page, ui):
    start = time.perf_counter()
    page.goto(f"{app_url}/trajectories?ind=co2_per_capita&areas=SWE,USA,CHN,IND&from=1990&to=2020")
    ui.wait_for_charts(page, 2)
    elapsed = time.perf_counter() - start
    assert ui.exception_boxes(page) == 0
    assert page.get_by_text("Source:").first.is_visible()
    ui.screenshot(page, f"trajectories_co2_{elapsed:.1f}s")


def test_bad_link_shows_a_notice_not_a_traceback(app_url, page, ui):
    page.goto(f"{app_url}/trajectories?ind=%3Cscript%3Ealert(1)%3C/script%3E&areas=ZZZ&from=x")
    ui.wait_for_charts(page, 2)
    assert ui.exception_boxes(page) == 0
    assert page.get_by_text("were not understood").is_visible()
    ui.screenshot(page, "trajectories_bad_link")


def test_the_empty_link_opens_on_life_expectancy_next_to_gdp(app_url, page, ui):
    """Issue 15: the caption says "next to GDP, not instead of it", and the default view shows exactly that."""
    page.goto(f"{app_url}/trajectories")
    ui.wait_for_charts(page, 3)  # life expectancy, GDP per capita alongside, ranking
    assert page.get_by_text("Life expectancy —").first.is_visible()  # titles wrap, never cut
    assert page.get_by_text("Sweden, USA and 4 more").first.is_visible()
    assert page.get_by_text("GDP per capita (PPP) —").first.is_visible()  # the title wraps after the dash
    assert page.get_by_role("switch", name="GDP per capita alongside").is_checked()
    assert "?" not in page.url, f"the default link stays empty: {page.url}"
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "trajectories_default")


def test_clicking_a_toggle_adds_the_gdp_chart(app_url, page, ui):
    page.goto(f"{app_url}/trajectories?ind=co2_per_capita&areas=SWE,IND&gdp=0")
    ui.wait_for_charts(page, 2)
    assert not page.get_by_role("switch", name="GDP per capita alongside").is_checked()
    page.get_by_role("switch", name="GDP per capita alongside").click(force=True)
    ui.wait_for_charts(page, 3)
    page.wait_for_function("() => !window.location.search.includes('gdp=')", timeout=60_000)
    assert ui.exception_boxes(page) == 0
    ui.screenshot(page, "trajectories_with_gdp")


def test_readable_on_a_phone(app_url, browser, ui):
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{app_url}/trajectories?ind=gini_index&areas=SWE,BRA,ZAF")
    ui.wait_for_charts(page, 2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways on a 360 px phone ({width} px wide)"
    ui.screenshot(page, "trajectories_phone")
    context.close()
