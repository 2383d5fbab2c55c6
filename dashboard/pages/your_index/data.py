"""Your index page, view → data: the composites and their structure, the ranking at the visitor's weights,
and the countries whose rank moved most against equal weights (all from ``indicators.index_query``)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from indicators import index_query as iq

PAGE = "your-index"
#: Rows drawn in the ranking chart unless the link asks for all (the page's table always has every row).
TOP_ROWS = 40
#: Countries drawn in the moves-versus-equal-weights chart: the biggest moves first.
MOVERS = 15
MOVES_TITLE = "Biggest moves versus equal weights"
COMPOSITE_LABELS = {"beyond_gdp_index": "Beyond GDP index", "better_life_index": "Better Life-style index"}


def composites() -> dict[str, dict[str, list[str]]]:
    """Each composite's pillars and local indicator names, in order (what a link's weights may name)."""
    return {
        c: {"pillars": list(iq.structure(c).pillars), "indicators": iq.structure(c).indicators()} for c in iq.COMPOSITES
    }


def usable_weights(view):
    """The view itself if its weights can rank, else the same view at equal weights and the reason."""
    try:
        iq.ranking(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)
    except iq.IndexQueryError as error:
        return replace(view, pillar_weights=(), indicator_weights=()), f"{error}"
    return view, None


def ranked_table(view) -> pd.DataFrame:
    return iq.ranked_table(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)


def movers(view) -> pd.DataFrame:
    """The :data:`MOVERS` countries whose rank moved most versus equal weights (ties in ranking order), movers only;
    columns ``name, rank, equal_rank, delta`` indexed by area code. Empty when nothing moves."""
    changes = iq.rank_change(view.composite, view.peers, view.pillar_weights, view.indicator_weights, view.year)
    changes = changes.dropna(subset=["equal_rank"])
    biggest = changes.reindex(changes["delta"].abs().sort_values(ascending=False, kind="stable").index).head(MOVERS)
    return biggest[biggest["delta"] != 0]
