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


def test_the_page_sends_the_charts_code_and_the_browser_uses_it_once(app_url, page, ui):
    """dashboard/preload.py: the page's answer names the chart's code, the browser fetches it while it loads the
    page (before the app has even drawn its frame, so before any chart was sent) and never a second time."""
    import urllib.request

    with urllib.request.urlopen(f"{app_url}/") as answer:
        link = answer.headers["Link"]
    assert link, "the page's answer has no Link header naming the chart's code"
    files = [part.split(">")[0].lstrip(" <") for part in link.split(",")]
    embed = next(name for name in files if name.rsplit("/", 1)[-1].startswith("embed."))
    for name in files:
        with urllib.request.urlopen(f"{app_url}{name}") as answer:
            assert answer.status == 200, name
    page.add_init_script(
        "new MutationObserver((_, o) => { if (document.querySelector('[data-testid=stApp]')) {"
        " window.__appAt = performance.now(); o.disconnect(); } }).observe(document, {subtree: true, childList: true});"
    )
    page.goto(f"{app_url}/")
    ui.wait_for_charts(page, 1)
    fetched = page.evaluate(
        "name => performance.getEntriesByType('resource').filter(e => e.name.endsWith(name)).map(e => e.startTime)",
        embed,
    )
    assert len(fetched) == 1, f"{embed} fetched {len(fetched)} times"
    assert fetched[0] < page.evaluate("window.__appAt"), "the chart's code is asked for with the page, not after"
    assert ui.exception_boxes(page) == 0
