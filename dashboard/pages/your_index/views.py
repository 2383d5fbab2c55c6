"""The Your index page's shareable chart — the ranking with Monte Carlo rank intervals — as pure parse and build.

Registered with :mod:`dashboard.share` as the ``your_index`` view kind, so the page, its share panel,
the embed view, the export CLI and the bake all draw the ranking from nothing but the link: the
composite, the peer group, the visitor's weights (``w=``, ``iw=``), the year, and ``all=1`` when every
ranked country is drawn rather than the top :data:`TOP_ROWS`. The ``index_moves`` kind draws, from the same
link, the countries whose rank moved most when the link's weights replaced equal weights (a dumbbell chart).
"""

from __future__ import annotations

from dashboard.pages.your_index import charts as index_charts
from dashboard.pages.your_index.data import (
    COMPOSITE_LABELS,
    MOVES_TITLE,
    PAGE,
    TOP_ROWS,
    movers,
    ranked_table,
    usable_weights,
)
from dashboard.pages.your_index.state import IndexRankingView, parse
from dashboard.view_kind import Drawn, ViewKind
from indicators import index_query as iq
from indicators import query


def ranking_title(composite: str, peers: str) -> str:
    """The ranking's title names what is ranked and among whom, e.g. "Beyond GDP index at your weights —
    ranking among all countries"."""
    among = iq.peer_options().get(peers, peers)
    if among.endswith(" countries"):  # "All countries", "High income countries" read in lower case mid-title
        among = among[0].lower() + among[1:]
    return f"{COMPOSITE_LABELS[composite]} at your weights — ranking among {among}"


def build_ranking(view: IndexRankingView) -> Drawn:
    """The ranking with 5–95% rank intervals, top :data:`TOP_ROWS` (or all), and exactly its rows."""
    index, problem = usable_weights(view.index)
    table = ranked_table(index)
    if table.empty:
        raise query.QueryError("no country has enough data at these weights; give weight to a theme with more data")
    shown = table if view.show_all else table.head(TOP_ROWS)
    title = ranking_title(index.composite, index.peers)
    rows = index_charts.interval_rows(shown)
    notes = [f"these weights cannot be used ({problem}); showing equal weights"] if problem else []
    if len(shown) < len(table):
        notes.append(f"showing ranks 1–{len(shown)} of {len(table)} ranked countries")
    year = f"_{index.year}" if index.year is not None else ""
    return Drawn(
        chart=index_charts.interval_chart(shown, title=title),
        data=rows.reset_index(),
        title=title,
        indicators=(*iq.structure(index.composite).ids.values(), iq.GDP),
        stem=f"{index.composite}_{index.peers}{year}_your_index",
        description=index_charts.describe_intervals(shown, title),
        notes=tuple(notes),
    )


def build_moves(view: IndexRankingView) -> Drawn:
    """The dumbbell of rank at equal weights versus rank at the link's weights, and exactly its rows."""
    index, problem = usable_weights(view.index)
    moved = movers(index)
    if moved.empty:
        raise query.QueryError("nothing moves at these weights: they rank exactly as equal weights do")
    among = iq.peer_options().get(index.peers, index.peers)
    title = f"{COMPOSITE_LABELS[index.composite]}: {MOVES_TITLE.lower()} among {among}"
    chart = index_charts.rank_change_chart(moved, title=title)
    year = f"_{index.year}" if index.year is not None else ""
    notes = [f"these weights cannot be used ({problem}); showing equal weights"] if problem else []
    return Drawn(
        chart=chart,
        data=moved.reset_index()[["ref_area", *index_charts.CHANGE_COLUMNS]].astype(
            {"rank": int, "equal_rank": int, "delta": int}
        ),
        title=title,
        indicators=(*iq.structure(index.composite).ids.values(), iq.GDP),
        stem=f"{index.composite}_{index.peers}{year}_index_moves",
        description=index_charts.describe_changes(moved),
        notes=tuple(notes),
    )


KINDS = (
    ViewKind("your_index", page=PAGE, label="Your index ranking", parse=parse, build=build_ranking),
    ViewKind("index_moves", page=PAGE, label="Moves versus equal weights", parse=parse, build=build_moves),
)
