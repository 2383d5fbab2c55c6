"""Every page in headless Chromium: a pinned link keeps its pin and says the data differs, /overview
opens the Overview, and an axe-core check finds no serious or critical accessibility violation.

axe-core comes from the npm registry (pinned below) into the git-ignored ``tests/.axe/`` the first
time the check runs, and is injected into each page with Playwright; a screenshot of every checked
page lands in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "tests" / ".axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
#: Violations of these impacts fail the check (axe's own scale: minor, moderate, serious, critical).
FAILING_IMPACTS = ("serious", "critical")
TITLE = "[data-testid='stMainBlockContainer'] h1"
UNKNOWN_PIN = "deadbeef0000"

#: (url path, page title, charts that draw at least)
PAGES = [
    ("", "Overview", 1),
    ("overview", "Overview", 1),
    ("trajectories", "Trajectories", 2),
    ("compare", "Compare", 1),
    ("your-index", "Your index", 1),
    ("catalogue", "Indicators", 0),
    ("maps", "Maps", 1),
    ("decoupling", "Decoupling", 3),
    ("limits", "Floors and ceilings", 2),
    ("futures", "Futures", 2),
    ("data-sources", "Data & sources", 0),
]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js, installed once from the npm registry into tests/.axe/ (git-ignored)."""
    if AXE_SCRIPT.is_file() and json.loads((AXE_SCRIPT.parent / "package.json").read_text())["version"] == AXE_VERSION:
        return AXE_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the accessibility check, but npm is missing (apt-get install npm)")
        pytest.skip("npm is not installed: cannot fetch axe-core for the accessibility check")
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), f"axe-core@{AXE_VERSION}"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return AXE_SCRIPT


def _open(page, ui, app_url: str, path: str, charts: int, query: str = "") -> None:
    page.goto(f"{app_url}/{path}{query}")
    page.wait_for_selector(TITLE, timeout=60_000)
    if charts:
        ui.wait_for_charts(page, charts, timeout=90_000)
    else:
        page.wait_for_selector("[data-testid='stDataFrame']", timeout=60_000)
    assert ui.exception_boxes(page) == 0
    assert page.get_by_text("Page not found").count() == 0, f"/{path} is not a page Streamlit serves"


@pytest.mark.parametrize(("path", "title", "charts"), PAGES, ids=[p[0] or "home" for p in PAGES])
def test_a_pinned_link_keeps_its_pin_and_says_the_data_differs(app_url, page, ui, path, title, charts):
    _open(page, ui, app_url, path, charts, query=f"?v={UNKNOWN_PIN}")
    assert page.locator(TITLE).first.inner_text().strip() == title
    page.get_by_text(f"pinned to data snapshot {UNKNOWN_PIN}").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # the page writes its view into the address after drawing
    assert f"v={UNKNOWN_PIN}" in page.url, f"the pin was dropped from {page.url}"


def _serious_violations(page, axe_script: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


@pytest.mark.parametrize(("path", "title", "charts"), [p for p in PAGES if p[0] != "overview"], ids=lambda p: p)
def test_no_serious_accessibility_violations(app_url, page, ui, axe_script, path, title, charts):
    _open(page, ui, app_url, path, charts)
    page.wait_for_timeout(1_000)  # let the last elements settle before auditing
    ui.screenshot(page, f"axe_{(path or 'overview').replace('-', '_')}")
    violations = _serious_violations(page, axe_script)
    assert not violations, json.dumps(violations, indent=1)
