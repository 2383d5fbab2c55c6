"""The Your index page's shareable chart — the ranking with Monte Carlo rank intervals — as pure parse and build.

Registered with :mod:`dashboard.share` as the ``your_index`` view kind, so the page, its share panel,
the embed view, the export CLI and the bake all draw the ranking from nothing but the link: the
composite, the peer group, the visitor's weights (``w=``, ``iw=``), the year, and ``all=1`` when every
ranked country is drawn rather than the top :data:`TOP_ROWS`. The ``index_moves`` kind draws, from the same
link, the countries whose rank moved most when the link's weights replaced equal weights (a dumbbell chart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from dashboard import index_charts
from dashboard.share import Drawn, ViewKind, register
from dashboard.view_state import YourIndexView, parse_your_index
from indicators import index_query as iq
from indicators import query

PAGE = "your-index"
#: Rows drawn in the ranking chart unless the link asks for all (the page's table always has every row).
TOP_ROWS = 40
#: Countries drawn in the moves-versus-equal-weights chart: the biggest moves first.
MOVERS = 15
MOVES_TITLE = "Biggest moves versus equal weights"
COMPOSITE_LABELS = {
    "hdi_published": "Human Development Index (UNDP)",
    "beyond_gdp_index": "Beyond GDP index",
    "better_life_index": "Better Life-style index",
}
_ALL_VALUES = {"1": True, "true": True, "0": False, "false": False, "": False}


@dataclass(frozen=True)
class IndexRankingView:
    """A Your index view plus how many rows the ranking chart draws (top :data:`TOP_ROWS`, or all)."""

    index: YourIndexView = YourIndexView()
    show_all: bool = False
    own_notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def notices(self) -> tuple[str, ...]:
        return tuple(self.index.notices) + self.own_notices

    def to_query(self) -> dict[str, str]:
        return self.index.to_query() | ({"all": "1"} if self.show_all else {})


def composites() -> dict[str, dict[str, list[str]]]:
    """Each composite's pillars and local indicator names, in order (what a link's weights may name)."""
    return {
        c: {"pillars": list(iq.structure(c).pillars), "indicators": iq.structure(c).indicators()} for c in iq.COMPOSITES
    }


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> IndexRankingView:
    """A Your index link -> view, with a notice for every value not understood."""
    index = parse_your_index(
        params, composites=composites(), peers=list(iq.peer_options()), extra_allowed=("all", *extra_allowed)
    )
    raw = params.get("all")
    raw = raw[-1] if isinstance(raw, list | tuple) and raw else raw
    text = str(raw).strip().lower() if raw is not None else ""
    notices = () if text in _ALL_VALUES else ("'all' takes 1 (draw every ranked country) or 0; ignored",)
    return IndexRankingView(index, _ALL_VALUES.get(text, False), notices)


def usable_weights(view: YourIndexView) -> tuple[YourIndexView, str | None]:
    """The view itself if its weights can rank, else the same view at equal weights and the reason."""
    try:
        iq.ranking(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)
    except iq.IndexQueryError as error:
        return replace(view, pillar_weights=(), indicator_weights=()), f"{error}"
    return view, None


def ranked_table(view: YourIndexView) -> pd.DataFrame:
    return iq.ranked_table(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)


def ranking_title(composite: str) -> str:
    return f"{COMPOSITE_LABELS[composite]} at your weights"


def build_ranking(view: IndexRankingView) -> Drawn:
    """The ranking with 5–95% rank intervals, top :data:`TOP_ROWS` (or all), and exactly its rows."""
    index, problem = usable_weights(view.index)
    table = ranked_table(index)
    if table.empty:
        raise query.QueryError("no country has enough data at these weights; give weight to a theme with more data")
    shown = table if view.show_all else table.head(TOP_ROWS)
    title = ranking_title(index.composite)
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


def movers(view: YourIndexView) -> pd.DataFrame:
    """The :data:`MOVERS` countries whose rank moved most versus equal weights (ties in ranking order), movers only;
    columns ``name, rank, equal_rank, delta`` indexed by area code. Empty when nothing moves."""
    changes = iq.rank_change(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)
    changes = changes.dropna(subset=["equal_rank"])
    biggest = changes.reindex(changes["delta"].abs().sort_values(ascending=False, kind="stable").index).head(MOVERS)
    return biggest[biggest["delta"] != 0]


def build_moves(view: IndexRankingView) -> Drawn:
    """The dumbbell of rank at equal weights versus rank at the link's weights, and exactly its rows."""
    index, problem = usable_weights(view.index)
    moved = movers(index)
    if moved.empty:
        raise query.QueryError("nothing moves at these weights: they rank exactly as equal weights do")
    title = f"{COMPOSITE_LABELS[index.composite]}: {MOVES_TITLE.lower()}"
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


register(ViewKind("your_index", page=PAGE, label="Your index ranking", parse=parse, build=build_ranking))
register(ViewKind("index_moves", page=PAGE, label="Moves versus equal weights", parse=parse, build=build_moves))
