"""An exported HTML file opened from disk, with the network cut off, still draws its chart in a real browser."""

from __future__ import annotations

from pathlib import Path

from dashboard import bake, export, share


def _open_offline(browser, path: Path) -> tuple[list[str], str, int]:
    """Open a file:// page with every non-file request aborted; return those requests, the text and mark count.

    Uses the session's browser (tests/browser/conftest.py): it skips with a reason where
    Chromium is missing, and one Playwright instance serves every browser test."""
    blocked: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    context = browser.new_context(viewport={"width": 900, "height": 900})
    try:
        context.route("**/*", only_files)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("#vis svg.marks, #vis canvas", timeout=30_000)
        marks = page.locator("#vis svg.marks path, #vis svg.marks line, #vis svg.marks circle").count()
        assert not errors, errors
        return blocked, page.inner_text("body"), marks
    finally:
        context.close()


def test_exported_html_draws_offline(browser, tmp_path):
    shared = share.share_link("trajectories?ind=co2_per_capita&areas=USA,CHN,IND&from=1990")
    path = export.write(shared, "html", tmp_path / "co2.html")
    blocked, text, marks = _open_offline(browser, path)
    assert blocked == []
    assert marks > 3
    assert shared.meta.data_version in text and "Cite as" in text and "Data vintage" in text


def test_baked_page_draws_offline_with_its_shared_bundle(browser, tmp_path):
    entry = bake.BakeEntry("ls", "trajectories?chart=ranking&ind=life_satisfaction&areas=FIN,USA,IND")
    bake.bake(tmp_path, [entry], images=False)
    blocked, text, marks = _open_offline(browser, tmp_path / "ls.html")
    assert blocked == [] and marks >= 3 and "All views" in text
