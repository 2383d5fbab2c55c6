"""Warm the server before its first visitor: the default view of every page.

A freshly started server would otherwise spend its first visitor's seconds importing pandas and
Altair, reading the snapshot and computing trends. ``serve.py`` (what ``make run`` starts) runs
:func:`warm_in_background` when the server starts listening; a browser needs about a second to
load the page and connect, and by then the Overview a visitor lands on is computed and drawn
into the same caches the pages read. The other pages' default charts follow in the background.
Other places are not precomputed: a new place costs ~0.5 s (see ``assess.scorecard``), and
minutes of background work would slow the visitors the server is already answering.

Nothing here changes what a page shows: it calls exactly the cached functions the pages call,
with the views the pages build from an empty link.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

LOG = logging.getLogger("beyond_gdp.warmup")
#: Pause between background steps, so the server's event loop (which shares the interpreter lock
#: with this thread) can answer visitors in between.
STEP_PAUSE_S = 0.005


def first_view_steps() -> Iterator[tuple[str, Callable[[], object]]]:
    """What the default page (Overview, an empty link) computes, in the order it draws it."""
    from dashboard import overview_views
    from dashboard.share_panel import drawn_chart
    from indicators import assess

    view = overview_views.parse_page({})  # equal (and hashed alike) to the view the page builds from its widgets
    group = overview_views.peer_group(view)
    for theme in overview_views.THEME_TITLES:

        def theme_block(theme: str = theme) -> None:
            rows = assess.scorecard_theme(view.area, group.members, view.since, theme)
            if rows["percentile"].notna().any():
                drawn_chart("scorecard", overview_views.StandingView(view, theme))
            overview_views.theme_table(view.area, group.members, view.since, theme)

        yield f"overview {theme}", theme_block
    yield "overview headline", lambda: assess.place_headline(view.area, group.members, view.since)
    yield "overview signals", lambda: assess.place_signals(view.area, group.members, view.since)


def other_page_steps() -> Iterator[tuple[str, Callable[[], object]]]:
    """The chart of an empty link on every other page (each view kind's default)."""
    from dashboard import share
    from dashboard.overview_views import PAGE as OVERVIEW
    from dashboard.share_panel import drawn_chart

    for kind in share.registry().values():
        if kind.page == OVERVIEW:
            continue
        yield f"{kind.page} {kind.kind}", lambda kind=kind: drawn_chart(kind.kind, kind.parse({}))


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
        time.sleep(pause)
    return failed


def warm_everything(stop: threading.Event | None = None) -> list[str]:
    started = time.perf_counter()
    failed = warm(first_view_steps(), pause=0, stop=stop)
    LOG.info("first view warm in %.2f s", time.perf_counter() - started)
    failed += warm(other_page_steps(), stop=stop)
    LOG.info("warm-up finished in %.1f s (%d steps failed)", time.perf_counter() - started, len(failed))
    return failed


def warm_in_background() -> tuple[threading.Thread, threading.Event]:
    """Start :func:`warm_everything` in a daemon thread; set the returned event to stop it early."""
    stop = threading.Event()
    thread = threading.Thread(target=warm_everything, args=(stop,), name="beyond-gdp-warmup", daemon=True)
    thread.start()
    return thread, stop
