"""The server-start warm-up: it fills the caches the pages read, never fails the server, and stops on request."""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from dashboard import data_version, warmup
from dashboard.frame import drawn_chart, sent_spec
from dashboard.pages.overview import data as overview_data
from dashboard.pages.overview import state as overview_state
from dashboard.pages.overview import views as overview_views
from dashboard.pages.overview.state import OverviewView, StandingView
from dashboard.theme import title_lines
from indicators import assess

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_view_steps_fill_the_caches_the_overview_page_reads():
    computed_themes = assess.scorecard_theme.cache_info().misses
    failed = warmup.warm(warmup.first_view_steps(hold=0), pause=0)
    assert failed == []
    page = overview_state.parse_page({})
    view = OverviewView(area=page.area, peers=page.peers, since=page.since)
    group = overview_views.peer_group(view)
    hits = overview_data.group_rows.cache_info().hits
    rows = overview_data.group_rows(view.area, group.members, view.since, "theme", "economy")
    assert overview_data.group_rows.cache_info().hits == hits + 1, "the page's scorecard rows must be a cache hit"
    assert rows["percentile"].notna().any()
    hits = overview_data.place_headline.cache_info().hits
    overview_data.place_headline(view.area, group.members, view.since)
    assert overview_data.place_headline.cache_info().hits == hits + 1, "the page's headline must be a cache hit"
    # built from the precomputed rows: no theme's scorecard was computed again (1.6 s on a fresh server)
    assert assess.scorecard_theme.cache_info().misses == computed_themes
    hits = drawn_chart.cache_info().hits
    drawn, spec = drawn_chart("scorecard", StandingView(view, "economy"), data_version.current())
    assert drawn_chart.cache_info().hits == hits + 1, "the page's chart must be a cache hit"
    hits = sent_spec.cache_info().hits
    sent_spec("scorecard", StandingView(view, "inclusive"), data_version.current())
    assert sent_spec.cache_info().hits == hits + 1, "the spec as sent (rows in Arrow bytes) must be a cache hit"
    title = overview_views.chart_title("economy", assess.area_name(view.area), group.label)
    assert spec["title"]["text"] == title_lines(title)
    hits = assess.place_signals.cache_info().hits
    assess.place_signals(view.area, group.members, view.since)
    assert assess.place_signals.cache_info().hits == hits + 1


def test_every_other_page_has_a_default_view_step():
    names = [name for name, _ in warmup.other_page_steps()]
    pages = {name.split()[0] for name in names}
    assert {"trajectories", "compare", "maps", "your-index"} <= pages
    assert not any(name.startswith(overview_views.PAGE + " ") for name in names)


def test_a_failing_step_is_logged_and_the_rest_still_run(caplog):
    ran = []

    def broken():
        raise RuntimeError("snapshot missing")

    steps = iter([("first", lambda: ran.append("first")), ("broken", broken), ("last", lambda: ran.append("last"))])
    with caplog.at_level(logging.WARNING, logger="beyond_gdp.warmup"):
        failed = warmup.warm(steps, pause=0)
    assert failed == ["broken"]
    assert ran == ["first", "last"]
    assert "warm-up step 'broken' failed" in caplog.text


def test_a_stop_request_ends_the_warm_up_before_the_next_step():
    stop = threading.Event()
    ran = []

    def first():
        ran.append("first")
        stop.set()

    warmup.warm(iter([("first", first), ("second", lambda: ran.append("second"))]), pause=0, stop=stop)
    assert ran == ["first"]


def test_serve_py_is_an_st_app_that_streamlit_run_recognises_and_serves_app_py():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "serve.py")
    assert found.is_asgi_app and found.app_name == "app"
    source = (ROOT / "serve.py").read_text()
    assert 'st.App("app.py", lifespan=' in source
    assert "streamlit run serve.py" in (ROOT / "Makefile").read_text()


def test_the_first_view_steps_are_the_ones_a_page_may_wait_for_and_match_an_empty_link():
    assert tuple(name for name, _ in warmup.first_view_steps(hold=0)) == warmup.FIRST_VIEW_STEPS
    assert overview_state.parse_page({}) == OverviewView(), "the page waits only when its view is the warmed one"


def test_a_page_waits_for_a_pending_step_instead_of_computing_it_twice(monkeypatch):
    monkeypatch.setattr(warmup, "_PENDING", {"slow": threading.Event()})
    started, finished = threading.Event(), []

    def slow():
        started.set()
        time.sleep(0.3)
        finished.append("slow")

    worker = threading.Thread(target=warmup.warm, args=(iter([("slow", slow)]),), kwargs={"pause": 0})
    worker.start()
    started.wait(5)
    warmup.wait_for("slow", timeout=10)
    assert finished == ["slow"], "wait_for returned before the step was done"
    worker.join()
    begin = time.perf_counter()
    warmup.wait_for("not a warm-up step")  # nothing pending: no wait at all
    warmup.wait_for("slow")  # done: no wait
    assert time.perf_counter() - begin < 0.1


def test_a_stopped_warm_up_releases_every_page_waiting_for_the_first_view(monkeypatch):
    monkeypatch.setattr(warmup, "_PENDING", {name: threading.Event() for name in warmup.FIRST_VIEW_STEPS})
    stop = threading.Event()
    stop.set()
    warmup.warm_everything(stop)
    assert all(event.is_set() for event in warmup._PENDING.values())


def test_the_warm_up_hands_the_interpreter_lock_on_sooner_while_it_runs_and_restores_the_default(monkeypatch):
    seen = []
    monkeypatch.setattr(
        warmup, "first_view_steps", lambda stop: iter([("a", lambda: seen.append(sys.getswitchinterval()))])
    )
    monkeypatch.setattr(warmup, "other_page_steps", lambda: iter([("b", lambda: 1 / 0)]))  # a failing step
    before = sys.getswitchinterval()
    assert warmup.warm_everything() == ["b"]
    assert seen == [warmup.SWITCH_INTERVAL_S] and before > warmup.SWITCH_INTERVAL_S
    assert sys.getswitchinterval() == before


def test_after_the_first_screen_the_warm_up_holds_back_until_a_page_has_sent_a_chart(monkeypatch):
    """The headline, signals and other pages (seconds of CPU) must not compete with the first visitor's
    first chart: the warm-up waits for ``chart_sent`` (or a page waiting for a step), at most its timeout."""
    monkeypatch.setattr(warmup, "_first_chart", threading.Event())
    monkeypatch.setattr(warmup, "_PENDING", {"overview headline": threading.Event()})  # a held step
    begin = time.perf_counter()
    warmup.hold_back(timeout=0.2)  # nobody came: it goes on after the timeout
    assert 0.2 <= time.perf_counter() - begin < 2
    released = threading.Thread(target=warmup.hold_back, kwargs={"timeout": 30})
    released.start()
    time.sleep(0.1)
    assert released.is_alive(), "held back until a chart is sent"
    warmup.chart_sent()
    released.join(5)
    assert not released.is_alive()
    monkeypatch.setattr(warmup, "_first_chart", threading.Event())
    waiting = threading.Thread(target=warmup.hold_back, kwargs={"timeout": 30})
    waiting.start()
    # A page that waits for a step the warm-up has not done yet releases it (no page waits on a held warm-up).
    threading.Timer(0.1, warmup._done, args=("overview headline",)).start()
    warmup.wait_for("overview headline", timeout=5)
    waiting.join(5)
    assert not waiting.is_alive()


def test_waiting_for_the_first_charts_own_step_does_not_release_the_hold(monkeypatch):
    monkeypatch.setattr(warmup, "_first_chart", threading.Event())
    monkeypatch.setattr(warmup, "_PENDING", {name: threading.Event() for name in warmup.FIRST_VIEW_STEPS})
    warmup.wait_for(warmup.FIRST_VIEW_STEPS[0], timeout=0.05)
    assert not warmup._first_chart.is_set(), "the step before the hold does not need the hold released"
    warmup.wait_for(warmup.FIRST_VIEW_STEPS[1], timeout=0.05)
    assert warmup._first_chart.is_set()
