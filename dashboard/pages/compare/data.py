"""Compare page, view → data: the levels, indicators and areas it offers, the peer group, the rows drawn."""

from __future__ import annotations

import pandas as pd

from indicators import assess, query

PAGE = "compare"
#: The years a ``year=`` parameter may name (the page's year choices lie within).
YEARS = (1960, 2100)


def levels() -> tuple[str, ...]:
    return assess.levels_with_data() or ("country",)


def options(level: str) -> tuple[list[str], list[str]]:
    """(indicator ids, area codes) available at a level; countries also list aggregates to focus on."""
    indicators = [d.id for d in assess.definitions_at(level)]
    table = query.areas()
    kinds = {level} | ({"aggregate"} if level == "country" else set())
    table = table[table["level"].isin(kinds)]
    return indicators, list(table.sort_values(["is_aggregate", "name"])["ref_area"])


def parents() -> list[str]:
    """Countries that have regions of some level (for the 'regions within one country' filter)."""
    table = query.areas()
    regional = table[table["level"] != "country"]["country"].dropna()
    return sorted(set(regional) & set(table.index))


def peer_group(view) -> assess.PeerGroup:
    return assess.peer_group(
        view.peers, view.area, level=view.level, n_similar=view.similar, custom=view.custom, within=view.within
    )


def shown_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Exactly the rows drawn, with units and the publisher's estimate flag, for the table toggle and the CSV."""
    units = {ident: query.definition(ident).unit for ident in rows["indicator"].unique()}
    rows = rows if "estimated" in rows else query.with_estimated(rows)
    return rows.assign(unit=rows["indicator"].map(units))[
        ["indicator", "rank", "ref_area", "name", "year", "value", "estimated", "unit", "median"]
    ].reset_index(drop=True)
