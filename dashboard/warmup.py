"""Warm the server before its first visitor: the default view of every page.

A freshly started server would otherwise spend its first visitor's seconds importing pandas and
Altair, reading the snapshot and computing trends. ``serve.py`` (what ``make run`` starts) runs
:func:`warm_in_background` when the server starts listening; a browser needs about a second to
load the page and connect, and by then the libraries are imported and the Overview's first chart
(its rows precomputed, see ``dashboard/pages/overview/first_view.py``) is drawn into the same caches
the pages read. Then it holds back until a page has sent a chart (:func:`hold_back`): the rest of the
Overview and the other pages' default charts follow in the background.
Other places are not precomputed: a new place costs ~0.5 s (see ``assess.scorecard``), and
minutes of background work would slow the visitors the server is already answering.

Nothing here changes what a page shows: it calls exactly the cached functions the pages call,
with the views the pages build from an empty link.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator

LOG = logging.getLogger("beyond_gdp.warmup")
#: Pause between background steps, so the server's event loop (which shares the interpreter lock
#: with this thread) can answer visitors in between.
STEP_PAUSE_S = 0.005
#: The Overview's steps for an empty link: its open tab, then the headline and signals the same page draws
#: below it, then the other tabs (drawn only when clicked).
FIRST_VIEW_STEPS = (
    "overview inclusive",
    "overview headline",
    "overview signals",
    "overview circular",
    "overview climate",
    "overview economy",
)
#: The first-view steps that come after the warm-up holds back (see :func:`hold_back`).
HELD_STEPS = FIRST_VIEW_STEPS[1:]
#: While the warm-up computes, the interpreter passes its lock to a waiting thread after this long (Python's
#: default is 5 ms). The first visitor's browser is then loading the page's 60-odd script files from the
#: server's event loop, which needs the lock for each one; alternated runs of a fresh server drew the first
#: chart 0.05-0.12 s sooner with 1 ms (issue 15). The default comes back when the warm-up ends.
SWITCH_INTERVAL_S = 0.001
#: Steps a running warm-up has still to finish. A page that needs one waits for it rather than
#: computing the same thing at the same time: both threads share one interpreter lock, so doing it
#: twice makes both slower.
_PENDING: dict[str, threading.Event] = {}
_WARMED: dict[str, str] = {}
#: How long a page waits for a step at the most before computing it itself.
WAIT_LIMIT_S = 20.0
#: How long the warm-up holds back the rest of its work (headline, signals, other pages: seconds of CPU)
#: for the first visitor's first chart, when nobody arrives.
FIRST_CHART_WAIT_S = 15.0
#: Set when a page has sent a chart, or a page waits for a held step: from then on the warm-up runs freely.
_first_chart = threading.Event()


def wait_for(name: str, timeout: float = WAIT_LIMIT_S) -> None:
    """Return once the warm-up has finished step ``name`` (at once when no warm-up runs or it is done)."""
    event = _PENDING.get(name)
    if event is not None:
        if name in HELD_STEPS and not event.is_set():
            _first_chart.set()  # a visitor needs this step now: the warm-up must not hold it back
        event.wait(timeout)


def chart_sent() -> None:
    """A page has sent a chart to a browser (called by ``frame.chart_block``): the first visitor's first
    chart is on its way, so the warm-up may go on with the work the first screen does not show."""
    _first_chart.set()


def hold_back(stop: threading.Event | None = None, timeout: float = FIRST_CHART_WAIT_S) -> None:
    """Wait until a page has sent its first chart (or ``timeout`` passes, or ``stop`` is set).

    Server, browser and warm-up share two cores (and the warm-up shares the interpreter lock with the
    server): seconds of background work while the first visitor's browser loads the page and its first
    run draws the Overview's first chart would delay that chart. Once it is sent, the rest may run."""
    deadline = time.monotonic() + timeout
    while not _first_chart.is_set() and time.monotonic() < deadline and not (stop is not None and stop.is_set()):
        _first_chart.wait(0.05)


def _done(name: str) -> None:
    event = _PENDING.get(name)
    if event is not None:
        event.set()


def _remember_version() -> str:
    from dashboard import data_version

    _WARMED["version"] = data_version.current()
    return _WARMED["version"]


def warmed_version() -> str | None:
    """The data version the warm-up computed its views for (None before it started): a page waits for a
    warm-up step only when it would compute the same thing."""
    return _WARMED.get("version")


def first_view_steps(
    stop: threading.Event | None = None, hold: float = FIRST_CHART_WAIT_S
) -> Iterator[tuple[str, Callable[[], object]]]:
    """What the default page (Overview, an empty link) computes, in the order of :data:`FIRST_VIEW_STEPS`;
    after its first chart it holds back (up to ``hold`` seconds, see :func:`hold_back`) until a page has sent
    a chart."""
    from dashboard.frame import place_label, sent_spec
    from dashboard.pages.overview import data, state
    from indicators import assess

    version = _remember_version()
    view = state.parse_page({})  # equal (and hashed alike) to the view the page builds from its widgets
    group = data.peer_group(view.area, view.peers, view.similar, view.custom)

    def theme_block(theme: str, first: bool = False) -> None:
        if first:  # the place picker above the first chart names every place it offers
            for code in data.area_options():
                place_label(code)
        rows = data.group_rows(view.area, group.members, view.since, "theme", theme)
        if rows["percentile"].notna().any():  # the spec as the page sends it (rows already in Arrow bytes)
            sent_spec("scorecard", state.StandingView(view, theme), version)
        data.theme_table(view.area, group.members, view.since, theme)

    first, *others = data.THEME_TITLES
    yield f"overview {first}", lambda: theme_block(first, first=True)
    # The first tab's chart (rows precomputed for this view, see overview/first_view.py) is what a fresh
    # server must show first; the rest waits until it is sent.
    hold_back(stop, hold)
    yield "overview headline", lambda: data.place_headline(view.area, group.members, view.since)
    yield "overview signals", lambda: assess.place_signals(view.area, group.members, view.since)
    for theme in others:
        yield f"overview {theme}", lambda theme=theme: theme_block(theme)


def other_page_steps() -> Iterator[tuple[str, Callable[[], object]]]:
    """The chart of an empty link on every other page (each view kind's default)."""
    from dashboard.frame import sent_spec
    from dashboard.pages.overview.data import PAGE as OVERVIEW
    from dashboard.registry import registry
    from indicators import query

    version = _remember_version()
    for kind in registry().values():
        if kind.page == OVERVIEW:
            continue

        def default_chart(kind=kind) -> None:
            # A default view may have nothing to draw (Your index's moves at equal weights): nothing to warm.
            with contextlib.suppress(query.QueryError):
                sent_spec(kind.kind, kind.parse({}), version)

        yield f"{kind.page} {kind.kind}", default_chart


def warm(
    steps: Iterator[tuple[str, Callable[[], object]]], pause: float = STEP_PAUSE_S, stop: threading.Event | None = None
) -> list[str]:
    """Run the steps in order; a step that fails is logged and skipped (the page will show the error
    to the visitor who asks for it, with its notice). Returns the names of the failed steps."""
    failed = []
    for name, step in steps:
        if stop is not None and stop.is_set():
            break
        try:
            step()
        except Exception:  # noqa: BLE001 — a warm-up must never take the server down
            LOG.warning("warm-up step %r failed; the page will compute it on demand", name, exc_info=True)
            failed.append(name)
        finally:
            _done(name)
        time.sleep(pause)
    return failed


def warm_everything(stop: threading.Event | None = None) -> list[str]:
    started = time.perf_counter()
    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        try:
            failed = warm(first_view_steps(stop), pause=0, stop=stop)
        finally:
            for name in FIRST_VIEW_STEPS:  # stopped or broken early: nobody may wait for a step that never runs
                _done(name)
        LOG.info("first view ready in %.2f s", time.perf_counter() - started)
        failed += warm(other_page_steps(), stop=stop)
    finally:
        sys.setswitchinterval(default_interval)
    LOG.info("warm-up finished in %.1f s (%d steps failed)", time.perf_counter() - started, len(failed))
    return failed


def warm_in_background() -> tuple[threading.Thread, threading.Event]:
    """Start :func:`warm_everything` in a daemon thread; set the returned event to stop it early."""
    stop = threading.Event()
    for name in FIRST_VIEW_STEPS:  # pending from now: a visitor arriving before the thread gets to them waits
        _PENDING.setdefault(name, threading.Event())
    thread = threading.Thread(target=warm_everything, args=(stop,), name="beyond-gdp-warmup", daemon=True)
    thread.start()
    return thread, stop
