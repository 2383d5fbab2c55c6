"""Ranks among peers: who is first on one measure, and where one place stands in its group.

Rank 1 is best in the measure's own direction. Values more than ``max_age`` years older than the
newest in the group are not ranked beside fresh ones; the notes name those areas and the ones
without any data, so nothing is dropped silently.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.constants import RECENT_YEARS
from indicators.measures import unrankable_note
from indicators.schema import Definition, Direction

RANKING_COLUMNS = ["ref_area", "name", "year", "value", "rank"]


def rank_among(
    indicator_id: str, members: tuple[str, ...] | list[str], year: int | None = None, max_age: int = RECENT_YEARS
) -> tuple[pd.DataFrame, list[str]]:
    """Latest value (up to ``year``) of each member, ranked 1 = best among those recent enough.

    A size measure (``measure: size``) is listed largest first with no rank, and a note says why.
    """
    item = query.definition(indicator_id)
    latest = query.latest_by_area(indicator_id, year)
    present = latest[latest.index.isin(list(members))]
    notes = []
    missing = [m for m in members if m not in present.index]
    if missing:
        notes.append(f"no data for {names_of(missing)}")
    if present.empty:
        return _empty_ranking(), notes
    newest = int(present["year"].max())
    stale = present[present["year"] < newest - max_age]
    if len(stale):
        notes.append(
            f"latest value more than {max_age} years before {newest}, not ranked: {names_of(list(stale.index))}"
        )
    fresh = present[present["year"] >= newest - max_age]
    names = [query.area_name(a) for a in fresh.index]
    if not item.rankable:  # a size measure: the values, largest first, with no rank
        notes.append(unrankable_note(item))
        shown = fresh.assign(rank=pd.array([pd.NA] * len(fresh), dtype="Int64"), name=names)
        shown = shown.rename_axis("ref_area").reset_index().sort_values(["value", "name"], ascending=[False, True])
        return shown.reset_index(drop=True)[RANKING_COLUMNS], notes
    ascending = item.direction == Direction.lower_is_better
    ranked = fresh.assign(rank=fresh["value"].rank(ascending=ascending, method="min").astype("Int64"), name=names)
    ranked = ranked.rename_axis("ref_area").reset_index()
    ranked = ranked.sort_values(["rank", "name"]).reset_index(drop=True)
    return ranked[RANKING_COLUMNS], notes


def _empty_ranking() -> pd.DataFrame:
    dtypes = {"ref_area": str, "name": str, "year": "int64", "value": float, "rank": "Int64"}
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})


def names_of(codes: list[str], limit: int = 8) -> str:
    """'Sweden, Norway and 3 more': area names for a note, at most ``limit`` spelled out."""
    shown = ", ".join(query.area_name(c) for c in codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


@lru_cache(maxsize=64)
def compare_table(
    indicator_ids: tuple[str, ...], members: tuple[str, ...], year: int | None = None, max_age: int = RECENT_YEARS
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Long table for the Compare page: one row per indicator and ranked member, with the group median.

    Columns ``indicator, ref_area, name, year, value, rank, n_ranked, median``; notes are
    prefixed with the indicator's label.
    """
    frames, notes = [], []
    for ident in indicator_ids:
        ranked, found = rank_among(ident, members, year, max_age)
        label = query.definition(ident).label
        notes.extend(f"{label}: {n}" for n in found)
        if ranked.empty:
            continue
        frames.append(ranked.assign(indicator=ident, n_ranked=len(ranked), median=float(ranked["value"].median())))
    columns = ["indicator", "ref_area", "name", "year", "value", "rank", "n_ranked", "median"]
    if not frames:
        return pd.DataFrame(columns=columns), tuple(notes)
    return pd.concat(frames, ignore_index=True)[columns], tuple(notes)


@lru_cache(maxsize=512)
def _peer_latest(indicator_id: str, members: tuple[str, ...]) -> pd.DataFrame:
    latest = query.latest_by_area(indicator_id, None)
    return latest[latest.index.isin(list(members))]


def peer_position(item: Definition, ref_area: str, year: int, value: float, members: tuple[str, ...]) -> dict:
    """Rank 1 = best among the peers' recent-enough latest values plus the place itself.

    Returns ``rank, n_ranked, percentile, peer_median`` (empty when the place's own value is too old, or
    the measure is a size measure, which is never ranked).
    """
    if not item.rankable:
        return {}
    peers = _peer_latest(item.id, members)
    peers = peers[peers.index != ref_area]
    newest = max(int(peers["year"].max()) if len(peers) else year, year)
    if year < newest - RECENT_YEARS:
        return {}
    fresh = peers.loc[peers["year"] >= newest - RECENT_YEARS, "value"].to_numpy(dtype=float)
    better = fresh > value if item.direction == Direction.higher_is_better else fresh < value
    rank = 1 + int(better.sum())
    n_ranked = len(fresh) + 1
    median_pool = np.append(fresh, value) if ref_area in members else fresh
    return {
        "rank": rank,
        "n_ranked": n_ranked,
        "percentile": 100.0 if n_ranked == 1 else 100.0 * (n_ranked - rank) / (n_ranked - 1),
        "peer_median": float(np.median(median_pool)) if len(median_pool) else None,
    }
