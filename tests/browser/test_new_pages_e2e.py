"""End-to-end in headless Chromium for the Decoupling, Floors-and-ceilings and Futures pages: each opens
for Sweden, India and a NUTS2 region (Stockholm), draws its charts with their source lines and no
exception box, a widget changes the link, and the embed view draws the chart alone. Screenshots land
in tests/artifacts/new_*.png (looked at when the pages were written; see docs/new-pages.md)."""

from __future__ import annotations

import pytest

TITLE = "[data-testid='stMainBlockContainer'] h1"

#: (link, page title, charts that must draw, text that must appear, screenshot name)
VIEWS = [
    (
        "decoupling?areas=SWE,IND,USA,CHN&from=1990&to=2019",
        "Decoupling",
        3,
        "Absolute decoupling",
        "decoupling_swe_ind",
    ),
    ("decoupling?y=nuts2_unemployment_rate&areas=SE11,ITC4,ES30", "Decoupling", 2, "Stockholm", "decoupling_nuts2"),
    ("limits?area=SWE", "Floors and ceilings", 2, "Sweden: social floors", "limits_swe"),
    ("limits?area=IND", "Floors and ceilings", 2, "India: social floors", "limits_ind"),
    ("limits?area=SE11", "Floors and ceilings", 2, "national values are shown", "limits_se11"),
    ("futures?area=SWE&ind=co2_per_capita&rate=-8", "Futures", 2, "Your pathway", "futures_swe"),
    ("futures?area=IND&ind=under5_mortality&rate=-5", "Futures", 2, "meets the target in 2027", "futures_ind"),
    ("futures?area=SE11", "Futures", 2, "Stockholm", "futures_se11"),
]


def _open(page, ui, app_url: str, link: str, charts: int) -> None:
    page.goto(f"{app_url}/{link}")
    page.wait_for_selector(TITLE, timeout=150_000)
    ui.wait_for_charts(page, charts, timeout=150_000)
    assert ui.exception_boxes(page) == 0
    assert page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize(("link", "title", "charts", "text", "name"), VIEWS, ids=[v[4] for v in VIEWS])
def test_new_page_answers_for_the_place(app_url, page, ui, link, title, charts, text, name):
    _open(page, ui, app_url, link, charts)
    assert page.locator(TITLE).first.inner_text().strip() == title
    page.get_by_text(text).first.wait_for(timeout=120_000)
    assert page.get_by_text("Source:").count() >= charts
    ui.screenshot(page, f"new_{name}")


def test_choosing_a_place_on_floors_and_ceilings_updates_the_link(app_url, page, ui):
    _open(page, ui, app_url, "limits?area=SWE", 2)
    page.get_by_role("combobox", name="Place").click()
    page.keyboard.type("India")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('area=IND')", timeout=60_000)
    page.get_by_text("India: social floors").first.wait_for(timeout=60_000)
    assert ui.exception_boxes(page) == 0


def test_a_pathway_year_is_written_into_the_link(app_url, page, ui):
    _open(page, ui, app_url, "futures?area=IND&ind=under5_mortality", 2)
    page.get_by_text("Reach the target by a year").click()
    page.wait_for_function("() => window.location.search.includes('by=')", timeout=60_000)
    page.get_by_text("meets the target in").first.wait_for(timeout=60_000)
    assert ui.exception_boxes(page) == 0


@pytest.mark.parametrize(
    "link",
    [
        "decoupling?areas=SWE,IND&chart=decoupling_rates&embed=true",
        "limits?area=IND&embed=true",
        "futures?area=IND&ind=under5_mortality&rate=-5&embed=true",
    ],
)
def test_embed_view_draws_only_the_chart(app_url, page, ui, link):
    page.goto(f"{app_url}/{link}")
    ui.wait_for_charts(page, 1, timeout=90_000)
    assert page.locator(TITLE).count() == 0, "an embed has no page title or controls"
    assert page.get_by_text("Source:").first.is_visible()
    assert page.get_by_text("Open in Beyond GDP").count() == 1
    assert ui.exception_boxes(page) == 0
