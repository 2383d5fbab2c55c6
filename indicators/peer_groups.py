"""Peer groups: who a place is compared with, in one module for every page.

Two ways to ask, one set of rules:

* relative to a place (:func:`peer_group`): "countries of Sweden's income group", "the 15 countries
  nearest to Sweden in GDP per capita", "all regions of Italy" — what Overview and Compare use;
* by name (:func:`named_groups`, :func:`named_members`): "OECD members", "High income countries",
  "South Asia" — the fixed list a ranking (Your index) is made among.

Members are always areas of one level that are not aggregates (World, EU27 as a unit and income
groups are never members), and a group that does not apply falls back to all areas of the level
with a note saying so, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.areas import areas_at_level
from indicators.constants import GDP_PER_CAPITA

#: Ways to choose the areas a place is compared with.
PEER_KINDS = ("income_group", "world_region", "oecd", "eu27", "all", "similar_gdp", "custom")
PEER_KIND_LABELS = {
    "income_group": "Same income group",
    "world_region": "Same world region",
    "oecd": "OECD members",
    "eu27": "EU27 members",
    "all": "All countries",
    "similar_gdp": "Similar GDP per capita",
    "custom": "Areas I pick",
}
REGION_LABELS = {
    "europe_central_asia": "Europe & Central Asia",
    "america": "Americas",
    "sub_saharan_africa": "Sub-Saharan Africa",
    "east_asia_pacific": "East Asia & Pacific",
    "middle_east_north_africa": "Middle East & North Africa",
    "south_asia": "South Asia",
}
INCOME_ORDER = ("High income", "Upper middle income", "Lower middle income", "Low income")
DEFAULT_SIMILAR = 15
#: Membership flags of the areas table that define a group on their own.
FLAG_GROUPS = {"oecd": "OECD", "eu27": "EU27"}


class PeerGroupError(ValueError):
    """A named peer group that does not exist; the message lists the ones that do."""


@dataclass(frozen=True)
class PeerGroup:
    """Who a place is compared with: the member codes, a label for people, and what was substituted."""

    kind: str
    members: tuple[str, ...]
    label: str
    notes: tuple[str, ...] = ()


def _members(pool: pd.DataFrame, column: str, value) -> tuple[str, ...]:
    """Codes of the pool whose ``column`` equals ``value`` (a flag column when ``value`` is True)."""
    chosen = pool[pool[column].fillna(False).astype(bool)] if value is True else pool[pool[column] == value]
    return tuple(sorted(chosen.index))


def group_label(column: str, value) -> str:
    """'OECD', 'High income countries', 'South Asia' …: how people name a group."""
    if column in FLAG_GROUPS:
        return FLAG_GROUPS[column]
    if column == "income_group":
        return f"{value} countries"
    return REGION_LABELS.get(value, str(value).replace("_", " ").title())


def peer_group(
    kind: str,
    focus: str,
    *,
    level: str = "country",
    n_similar: int = DEFAULT_SIMILAR,
    custom: tuple[str, ...] = (),
    within: str | None = None,
) -> PeerGroup:
    """Resolve a peer-group choice for ``focus`` into member codes (the focus included when it is a member).

    Groups that do not apply (an aggregate has no income group; regions have no OECD flag)
    fall back to all areas of the level, with a note saying so.
    """
    table = query.areas()
    pool = areas_at_level(level)
    if within:
        pool = pool[pool["country"] == within]
    notes: list[str] = []
    focus_row = table.loc[focus] if focus in table.index else None
    name = query.area_name(focus)
    if level != "country" and kind not in ("all", "custom"):
        parent = focus_row["country"] if focus_row is not None and "country" in focus_row else None
        if not within and isinstance(parent, str) and parent:
            within = parent
            pool = pool[pool["country"] == within]
        where = f" of {query.area_name(within)}" if within else ""
        notes.append(f"'{PEER_KIND_LABELS.get(kind, kind)}' applies to countries; compared with all regions{where}")
        kind = "all"
    if kind in ("income_group", "world_region"):
        group = None if focus_row is None else focus_row[kind]
        if group is None or pd.isna(group):
            notes.append(f"{name} has no {kind.replace('_', ' ')}; compared with all countries")
            kind = "all"
        else:
            label = group_label(kind, group)
            return PeerGroup(kind, _members(pool, kind, group), label, tuple(notes))
    if kind in FLAG_GROUPS:
        return PeerGroup(kind, _members(pool, kind, True), group_label(kind, True), tuple(notes))
    if kind == "similar_gdp":
        return _similar_gdp(focus, pool, n_similar, notes)
    if kind == "custom":
        members = tuple(code for code in dict.fromkeys(custom) if code in table.index)
        if members:
            return PeerGroup("custom", members, "chosen areas", tuple(notes))
        notes.append("no areas picked; compared with all countries")
    if kind not in PEER_KINDS:
        notes.append(f"unknown peer group {kind!r}; compared with all countries")
    label = "all regions" if level != "country" else "all countries"
    if within:
        label = f"all regions of {query.area_name(within)}"
    return PeerGroup("all", tuple(sorted(pool.index)), label, tuple(notes))


def _similar_gdp(focus: str, pool: pd.DataFrame, n: int, notes: list[str]) -> PeerGroup:
    """The ``n`` areas nearest to ``focus`` in latest GDP per capita (PPP), on a log scale."""
    gdp = query.latest_by_area(GDP_PER_CAPITA, None)
    gdp = gdp[gdp["value"] > 0]
    if focus not in gdp.index:
        notes.append(f"no GDP per capita for {query.area_name(focus)}; compared with all countries")
        return PeerGroup("all", tuple(sorted(pool.index)), "all countries", tuple(notes))
    candidates = gdp[gdp.index.isin(pool.index) | (gdp.index == focus)]
    distance = (np.log(candidates["value"]) - np.log(gdp.at[focus, "value"])).abs()
    nearest = distance.sort_values(kind="stable").index[: max(2, n)]
    members = tuple(sorted(set(nearest) | {focus}))
    return PeerGroup("similar_gdp", members, f"the {len(members)} countries nearest in GDP per capita", tuple(notes))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")


@lru_cache(maxsize=1)
def _named() -> dict[str, tuple[str, str | None, object]]:
    """slug -> (label, column of the areas table or None for every country, value in that column)."""
    countries = areas_at_level("country")
    out: dict[str, tuple[str, str | None, object]] = {"all": ("All countries", None, None)}
    out.update({column: (f"{label} members", column, True) for column, label in FLAG_GROUPS.items()})
    groups = set(countries["income_group"].dropna())
    for group in [g for g in INCOME_ORDER if g in groups] + sorted(groups - set(INCOME_ORDER)):
        out[_slug(group)] = (group_label("income_group", group), "income_group", group)
    for region in sorted(set(countries["world_region"].dropna())):
        out[_slug(region)] = (group_label("world_region", region), "world_region", region)
    return out


def named_groups() -> dict[str, str]:
    """Peer groups a ranking can be made among: slug -> label (``all`` first)."""
    return {slug: label for slug, (label, _, _) in _named().items()}


def named_members(slug: str) -> list[str]:
    """Country codes of a named peer group; aggregates are never members."""
    try:
        _, column, value = _named()[slug]
    except KeyError:
        raise PeerGroupError(f"unknown peer group {slug!r}; choose one of {', '.join(named_groups())}") from None
    countries = areas_at_level("country")
    return sorted(countries.index) if column is None else list(_members(countries, column, value))
