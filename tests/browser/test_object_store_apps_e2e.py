"""Two app processes, one object store (issue 16.5): both pick up a refresh without a restart.

A real S3 API (moto) on 127.0.0.1 gets the committed snapshot through ``python -m connectors publish``;
two ``streamlit run serve.py`` processes on two ports read it (``BEYOND_GDP_DATA_CACHE=s3://…``). Then ONE
refresh through the real refresh path (``python -m connectors refresh --store s3://…``, the fake SDMX
provider on 127.0.0.1 serving the real recorded Eurostat answer with one value changed, since the
unchanged answer is byte for byte the snapshot's data and would not change the version) writes a new version of
estat/sdg_08_10 to the bucket. On the next page load each app shows the new data version under
the chart ("Snapshot <id>"), with no restart.
"""

# ruff: noqa: F811 — the test takes as arguments the fixtures imported below by name
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from connectors import store
from tests.browser.app_server import running_app
from tests.connectors.fake_provider import provider, registry, send, shifted_answer  # noqa: F401 (fixtures)
from tests.connectors.s3_server import aws_environment, s3, s3_endpoint  # noqa: F401 (fixtures)

PAGE = "trajectories?ind=real_gdp_per_capita_eur&areas=DEU,FRA,ITA,SWE"  # reads estat/sdg_08_10
SNAPSHOT = re.compile(r"Snapshot ([0-9a-f]{12})")


def _python(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, env=env, timeout=timeout,
        cwd=store.PROJECT_ROOT,
    )  # fmt: skip


def _shown_version(page, url: str, ui) -> str:
    """Load the page afresh (a new session, as a visitor's next visit) and read the id under its chart."""
    page.goto(f"{url}/{PAGE}", wait_until="domcontentloaded")
    ui.wait_for_charts(page, timeout=90_000)
    page.wait_for_function("() => /Snapshot [0-9a-f]{12}/.test(document.body.innerText)", timeout=30_000)
    assert ui.exception_boxes(page) == 0
    found = set(SNAPSHOT.findall(page.inner_text("body")))
    assert len(found) == 1, found  # every chart on the page names the same version
    return found.pop()


def test_two_app_processes_show_a_refresh_of_the_shared_s3_store(
    page,
    ui,
    provider,
    registry,
    s3,
    s3_endpoint,
    tmp_path,
):
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT), HOME=str(tmp_path), **aws_environment(s3_endpoint))
    published = _python("connectors", "publish", "--to", s3, env=env)
    assert published.returncode == 0, published.stderr
    before = store.data_version(s3)
    assert before == store.data_version(store.PROJECT_ROOT / "data_cache")

    app_env = {"BEYOND_GDP_DATA_CACHE": s3, **aws_environment(s3_endpoint)}
    started = time.monotonic()
    with (
        running_app(app_env, log_name="streamlit-s3-a.log") as first,
        running_app(app_env, log_name="streamlit-s3-b.log") as second,
    ):
        assert _shown_version(page, first, ui) == before
        assert _shown_version(page, second, ui) == before

        provider.answer = send(shifted_answer(0.5)[0])  # the real answer, one value changed (synthetic)
        refreshed = _python(
            "connectors", "refresh", "sdg_08_10", "--store", s3, "--providers", str(registry / "providers.yaml"),
            "--catalogue", str(registry / "catalogue.yaml"), env=env,
        )  # fmt: skip
        assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
        after = store.data_version(s3)
        assert after != before
        assert [v["current"] for v in store.history("estat", "sdg_08_10", root=s3)] == [True]

        assert _shown_version(page, first, ui) == after  # no restart: the next page load shows it
        assert _shown_version(page, second, ui) == after

        # Data & sources reads the bucket too: the refreshed version's object, its rows, no traceback.
        page.goto(f"{second}/data-sources?dataset=estat/sdg_08_10", wait_until="domcontentloaded")
        page.get_by_text(f"{s3}/refreshed/estat/sdg_08_10@").first.wait_for(timeout=60_000)
        assert ui.exception_boxes(page) == 0
    assert time.monotonic() - started < 300
    assert store.verify(s3) == []
