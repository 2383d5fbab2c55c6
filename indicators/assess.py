"""Assessments the Overview and Compare pages ask for: peer groups, ranks among peers, recent trends
with their uncertainty, distance to targets, named signals, and the headline sentence.

The arithmetic lives in :mod:`indicators.methods` (Theil-Sen trends, target status, signals);
this module only decides *which* numbers to feed them for one place or one peer group, and
caches each answer by its inputs so that a dashboard rerun after a widget change costs a
dictionary lookup. Returned frames are shared between callers: treat them as read-only.

Honesty rules kept here, not in the pages: a trend is "up" or "down" only when its confidence
interval excludes zero; a value older than :data:`RECENT_YEARS` before the place's newest value
is flagged as not recent; areas left out of a ranking are named in notes, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.catalog import catalog
from indicators.methods import signals as signal_methods
from indicators.methods.targets import SOURCES as TARGET_SOURCES
from indicators.methods.targets import Target as MethodTarget
from indicators.methods.targets import assess as assess_target
from indicators.methods.trend import recent_trend, theil_sen
from indicators.schema import Definition, Direction

GDP = "gdp_per_capita_ppp"
THEME_ORDER = {"economy": 0, "inclusive": 1, "circular": 2, "climate": 3}
WELLBEING_THEMES = ("inclusive", "circular", "climate")

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
DEFAULT_SIMILAR = 15
#: A value more than this many years older than the newest one it is shown beside is "not recent".
RECENT_YEARS = 5
#: Fewer than this many observations in the trend window: no trend is claimed.
MIN_TREND_POINTS = 3
CONFIDENCE = 0.90

#: Indicators that have both a per-capita and an absolute (total) form: per-capita id -> total id.
#: A pair is offered only when both definitions exist (see :func:`per_capita_pairs`); no schema change.
PER_CAPITA_PAIRS = {
    "co2_per_capita": "co2_territorial_total",
    "co2_consumption_per_capita": "co2_consumption_total",
    "ghg_per_capita": "ghg_total",
    "material_footprint_per_capita": "material_footprint_total",
    "domestic_material_consumption_per_capita": "domestic_material_consumption_total",
    "ewaste_per_capita": "ewaste_total",
    "gdp_per_capita_usd": "gdp_total_usd",
}

TREND_VERDICTS = ("improving", "worsening", "no clear change", "too few points")


@dataclass(frozen=True)
class PeerGroup:
    """Who a place is compared with: the member codes, a label for people, and what was substituted."""

    kind: str
    members: tuple[str, ...]
    label: str
    notes: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    return dict(zip(query.areas()["ref_area"], query.areas()["name"], strict=True))


def area_name(ref_area: str) -> str:
    """The area's name (a cached dictionary lookup; ``query.area_name`` indexes the table each call)."""
    return _area_names().get(ref_area, ref_area)


@lru_cache(maxsize=512)
def _by_area(indicator_id: str) -> pd.DataFrame:
    """One indicator's panel indexed by a sorted ref_area, so a place's rows are a binary-search slice."""
    frame = query.panel(indicator_id)
    return frame.set_index(frame["ref_area"].rename(None)).sort_index(kind="stable")


def area_panel(indicator_id: str, ref_area: str) -> pd.DataFrame:
    """``indicator, ref_area, year, value`` of one area, sorted by year (empty when it has no data)."""
    return _by_area(indicator_id).loc[ref_area:ref_area].reset_index(drop=True)


def per_capita_pairs() -> dict[str, str]:
    """The per-capita -> total pairs whose both definitions exist now."""
    known = catalog()
    return {pc: total for pc, total in PER_CAPITA_PAIRS.items() if pc in known and total in known}


def other_form(indicator_id: str, form: str) -> str:
    """The indicator to show for ``form`` ('per_capita' or 'total'); itself when it has no pair."""
    pairs = per_capita_pairs()
    if form == "total":
        return pairs.get(indicator_id, indicator_id)
    reverse = {total: pc for pc, total in pairs.items()}
    return reverse.get(indicator_id, indicator_id)


def areas_at_level(level: str) -> pd.DataFrame:
    """Non-aggregate areas of one level ('country', 'nuts2', 'tl2', 'gdl_region')."""
    table = query.areas()
    return table[(table["level"] == level) & ~table["is_aggregate"].fillna(False).astype(bool)]


def levels_with_data() -> tuple[str, ...]:
    """Levels that have both areas and at least one definition, country first."""
    present = set(query.areas()["level"])
    defined = {d.level for d in catalog().values()}
    order = ("country", "nuts2", "tl2", "gdl_region")
    return tuple(level for level in order if level in present and level in defined)


def scorecard_definitions(level: str) -> list[Definition]:
    """What a place's scorecard shows: every definition of the level except totals (ranking a country's
    total emissions mostly ranks its size; the per-capita form is on the card) and re-based indices
    (``index(x, base_year=...)`` moves exactly like ``x``)."""
    totals = set(PER_CAPITA_PAIRS.values())
    return [
        d
        for d in definitions_at(level)
        if d.id not in totals and not (d.formula or "").replace(" ", "").startswith("index(")
    ]


def definitions_at(level: str) -> list[Definition]:
    """Definitions of one level in theme order, then by label."""
    found = [d for d in catalog().values() if d.level == level]
    return sorted(found, key=lambda d: (THEME_ORDER[d.theme], d.label))


@lru_cache(maxsize=512)
def _latest_all(indicator_id: str, max_year: int | None) -> pd.DataFrame:
    """Last observation per area up to ``max_year`` (all areas): ``ref_area, year, value``."""
    frame = query.panel(indicator_id, years=(None, max_year))
    last = frame.sort_values("year").groupby("ref_area", as_index=False).tail(1)
    return last.set_index("ref_area")[["year", "value"]]


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
            members = pool[pool[kind] == group]
            label = f"{REGION_LABELS.get(group, group)}{' countries' if kind == 'income_group' else ''}"
            return PeerGroup(kind, tuple(sorted(members.index)), label, tuple(notes))
    if kind in ("oecd", "eu27"):
        members = pool[pool[kind].fillna(False).astype(bool)]
        return PeerGroup(kind, tuple(sorted(members.index)), "OECD" if kind == "oecd" else "EU27", tuple(notes))
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
    gdp = _latest_all(GDP, None)
    gdp = gdp[gdp["value"] > 0]
    if focus not in gdp.index:
        notes.append(f"no GDP per capita for {query.area_name(focus)}; compared with all countries")
        return PeerGroup("all", tuple(sorted(pool.index)), "all countries", tuple(notes))
    candidates = gdp[gdp.index.isin(pool.index) | (gdp.index == focus)]
    distance = (np.log(candidates["value"]) - np.log(gdp.at[focus, "value"])).abs()
    nearest = distance.sort_values(kind="stable").index[: max(2, n)]
    members = tuple(sorted(set(nearest) | {focus}))
    return PeerGroup("similar_gdp", members, f"the {len(members)} countries nearest in GDP per capita", tuple(notes))


def rank_among(
    indicator_id: str, members: tuple[str, ...] | list[str], year: int | None = None, max_age: int = RECENT_YEARS
) -> tuple[pd.DataFrame, list[str]]:
    """Latest value (up to ``year``) of each member, ranked 1 = best among those recent enough.

    Values more than ``max_age`` years older than the newest in the group are not ranked;
    the notes name those areas and the ones without any data.
    """
    item = query.definition(indicator_id)
    latest = _latest_all(indicator_id, year)
    present = latest[latest.index.isin(list(members))]
    notes = []
    missing = [m for m in members if m not in present.index]
    if missing:
        notes.append(f"no data for {_names(missing)}")
    if present.empty:
        return _empty_ranking(), notes
    newest = int(present["year"].max())
    stale = present[present["year"] < newest - max_age]
    if len(stale):
        notes.append(f"latest value more than {max_age} years before {newest}, not ranked: {_names(list(stale.index))}")
    fresh = present[present["year"] >= newest - max_age]
    ascending = item.direction == Direction.lower_is_better
    ranked = fresh.assign(
        rank=fresh["value"].rank(ascending=ascending, method="min").astype("Int64"),
        name=[area_name(a) for a in fresh.index],
    )
    ranked = ranked.rename_axis("ref_area").reset_index()
    ranked = ranked.sort_values(["rank", "name"]).reset_index(drop=True)
    return ranked[["ref_area", "name", "year", "value", "rank"]], notes


def _empty_ranking() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ref_area": pd.Series(dtype=str),
            "name": pd.Series(dtype=str),
            "year": pd.Series(dtype="int64"),
            "value": pd.Series(dtype=float),
            "rank": pd.Series(dtype="Int64"),
        }
    )


def _names(codes: list[str], limit: int = 8) -> str:
    shown = ", ".join(area_name(c) for c in codes[:limit])
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


def _trend_verdict(slope_low: float, slope_high: float, n_points: int, direction: Direction) -> tuple[str, str]:
    """(arrow, verdict) from a slope CI: an arrow only when the CI excludes zero."""
    if n_points < MIN_TREND_POINTS or not np.isfinite(slope_low) or not np.isfinite(slope_high):
        return "", "too few points"
    if slope_low > 0:
        arrow = "↑"
    elif slope_high < 0:
        arrow = "↓"
    else:
        return "→", "no clear change"
    good = (arrow == "↑") == (direction == Direction.higher_is_better)
    return arrow, "improving" if good else "worsening"


def _method_target(definition: Definition) -> tuple[MethodTarget, str] | None:
    """The first target of a definition as the methods' Target, with its label."""
    if not definition.targets:
        return None
    goal = definition.targets[0]
    source = goal.source if goal.source in TARGET_SOURCES else "threshold"  # source is metadata; status ignores it
    return MethodTarget(value=goal.value, year=goal.year, source=source, kind=goal.kind, note=goal.label), goal.label


SCORECARD_COLUMNS = [
    "indicator",
    "theme",
    "label",
    "unit",
    "direction",
    "year",
    "value",
    "recent",
    "rank",
    "n_ranked",
    "peer_median",
    "percentile",
    "arrow",
    "verdict",
    "trend_from",
    "trend_to",
    "trend_points",
    "slope",
    "slope_low",
    "slope_high",
    "change_pct",
    "target",
    "target_value",
    "target_year",
    "distance",
    "status",
    "sparkline",
]


@lru_cache(maxsize=128)
def scorecard(ref_area: str, members: tuple[str, ...], since: int = 2010) -> pd.DataFrame:
    """One row per indicator of the place's level: latest value, rank among ``members``, trend since
    ``since`` (Theil-Sen, 90% CI), target distance and status, and the values since ``since`` for a sparkline.

    ``percentile`` is 100 for the best of the ranked peers and 0 for the worst. ``recent`` is False
    when the value is more than :data:`RECENT_YEARS` older than the place's newest value.
    """
    card = pd.concat([scorecard_theme(ref_area, members, since, theme) for theme in THEME_ORDER], ignore_index=True)
    with_data = card["year"].notna()
    if with_data.any():
        newest = card.loc[with_data, "year"].max()
        card["recent"] = with_data & (card["year"] >= newest - RECENT_YEARS)
    return card


@lru_cache(maxsize=512)
def scorecard_theme(ref_area: str, members: tuple[str, ...], since: int, theme: str) -> pd.DataFrame:
    """The scorecard rows of one theme (see :func:`scorecard`, without ``recent``), so a page can
    draw each theme as soon as it is computed instead of waiting for all of them."""
    table = query.areas()
    level = str(table.at[ref_area, "level"]) if ref_area in table.index else "country"
    if level == "aggregate":
        level = "country"
    rows = []
    for item in scorecard_definitions(level):
        if item.theme != theme:
            continue
        try:
            own = area_panel(item.id, ref_area)
        except query.QueryError:
            continue  # derived indicators are not in the panel yet
        if own.empty:
            rows.append(_row(item, sparkline=[]))
            continue
        rows.append(_scorecard_row(item, ref_area, own, members, since))
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def _row(item: Definition, **values) -> dict:
    row = dict.fromkeys(SCORECARD_COLUMNS)
    row.update(
        indicator=item.id,
        theme=item.theme,
        label=item.label,
        unit=item.unit,
        direction=item.direction.value,
        recent=False,
        verdict="too few points",
        arrow="",
    )
    row.update(values)
    return row


@lru_cache(maxsize=2048)
def trend_table(indicator_id: str, since: int, areas: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Theil-Sen trend since ``since`` for the given areas (default: every area), each up to its
    own latest year.

    Areas are grouped by their latest year, so each group is one vectorised call; with the
    indicator's target (if any), also the distance and status. Indexed by ref_area, read-only.
    The scorecard computes a place's trend from its own arrays and asks this only for the target
    status of the few indicators that have a target (one area, so a new place stays fast).
    """
    item = query.definition(indicator_id)
    frame = query.panel(indicator_id, areas, years=(since, None))
    if frame.empty:
        return pd.DataFrame()
    series = frame.set_index(["ref_area", "year"])["value"]
    last_year = frame.groupby("ref_area")["year"].max()
    first = frame.sort_values("year").groupby("ref_area").head(1).set_index("ref_area")
    goal = _method_target(item)
    parts = []
    for end, areas in last_year.groupby(last_year):
        window = int(end) - since + 1
        if window < MIN_TREND_POINTS:
            continue
        sub = series[series.index.get_level_values(0).isin(areas.index)]
        trend = recent_trend(sub, window=window, end_year=int(end), confidence=CONFIDENCE)
        if goal is not None:
            result = assess_target(sub, goal[0], window=window, end_year=int(end), confidence=CONFIDENCE)
            trend = trend.join(result[["distance", "status"]])
        parts.append(trend)
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts)
    table["first_value"] = first["value"].reindex(table.index)
    table["first_year"] = first["year"].reindex(table.index)
    return table


@lru_cache(maxsize=512)
def _peer_latest(indicator_id: str, members: tuple[str, ...]) -> pd.DataFrame:
    latest = _latest_all(indicator_id, None)
    return latest[latest.index.isin(list(members))]


def _peer_position(item: Definition, ref_area: str, year: int, value: float, members: tuple[str, ...]) -> dict:
    """Rank 1 = best among the peers' recent-enough latest values plus the place itself."""
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


def _scorecard_row(item: Definition, ref_area: str, own: pd.DataFrame, members: tuple[str, ...], since: int) -> dict:
    last = own.iloc[-1]
    year, value = int(last["year"]), float(last["value"])
    window = own[own["year"] >= since]
    values = {
        "year": year,
        "value": value,
        "sparkline": [float(v) for v in window["value"]],
        "trend_points": len(window),
        **_peer_position(item, ref_area, year, value, members),
    }
    if item.targets:
        goal = item.targets[0]
        values.update(target=goal.label, target_value=goal.value, target_year=goal.year)
    if len(window) >= MIN_TREND_POINTS:
        years = window["year"].to_numpy(dtype=int)
        slope, low, high, n_points = _window_trend(years, window["value"].to_numpy(dtype=float), year, year - since + 1)
        arrow, verdict = _trend_verdict(low, high, n_points, item.direction)
        first_value = float(window["value"].iloc[0])
        values.update(
            arrow=arrow,
            verdict=verdict,
            trend_from=int(years[0]),
            trend_to=year,
            slope=slope,
            slope_low=low,
            slope_high=high,
            change_pct=(value / first_value - 1) * 100 if first_value != 0 else None,
        )
        if item.targets:  # distance and status against the target (a handful of indicators)
            status = trend_table(item.id, since, (ref_area,))
            if ref_area in status.index and "status" in status.columns:
                values.update(
                    distance=float(status.at[ref_area, "distance"]), status=str(status.at[ref_area, "status"])
                )
    return _row(item, **values)


@lru_cache(maxsize=128)
def place_headline(ref_area: str, members: tuple[str, ...], since: int = 2010) -> tuple[str, str]:
    """:func:`headline` of the place's :func:`scorecard`, computed once per view."""
    return headline(scorecard(ref_area, members, since), ref_area, since)


def headline(card: pd.DataFrame, ref_area: str, since: int) -> tuple[str, str]:
    """('Since 2010, GDP per capita in Sweden rose 18% (to 2025); of 20 wellbeing indicators …', coverage note).

    Counts only indicators with a trend since ``since``; the note names those whose latest value is
    not recent and those without data, so the sentence never hides what it could not count.
    """
    name = area_name(ref_area)
    parts = []
    gdp = card[card["indicator"] == GDP]
    if len(gdp) and pd.notna(gdp["change_pct"].iloc[0]):
        row = gdp.iloc[0]
        change = float(row["change_pct"])
        verb = "rose" if change > 0 else "fell"
        parts.append(
            f"Since {int(row['trend_from'])}, GDP per capita in {name} {verb} {abs(change):.0f}% "
            f"(to {int(row['trend_to'])})"
        )
    else:
        parts.append(f"There is no GDP per capita series for {name} since {since}")
    wellbeing = card[card["theme"].isin(WELLBEING_THEMES)]
    counted = wellbeing[wellbeing["verdict"] != "too few points"]
    counts = counted["verdict"].value_counts()
    if len(counted):
        parts.append(
            f"of {len(counted)} wellbeing indicators with a trend since {since}, "
            f"{counts.get('improving', 0)} improved, {counts.get('worsening', 0)} worsened and "
            f"{counts.get('no clear change', 0)} show no clear change"
        )
    else:
        parts.append(f"no wellbeing indicator has enough data since {since} to show a trend")
    sentence = "; ".join(parts) + "."
    notes = []
    without = wellbeing[wellbeing["year"].isna()]
    stale = wellbeing[wellbeing["year"].notna() & ~wellbeing["recent"].astype(bool)]
    few = wellbeing[wellbeing["year"].notna() & (wellbeing["verdict"] == "too few points")]
    if len(stale):
        newest = int(card["year"].max())
        listed = ", ".join(f"{r['label']} ({int(r['year'])})" for _, r in stale.iterrows())
        notes.append(f"Latest value more than {RECENT_YEARS} years before {newest}: {listed}.")
    if len(few):
        notes.append(f"Fewer than {MIN_TREND_POINTS} values since {since}, so no trend: {', '.join(few['label'])}.")
    if len(without):
        notes.append(f"No data: {', '.join(without['label'])}.")
    return sentence, " ".join(notes)


@lru_cache(maxsize=64)
def place_signals(ref_area: str, members: tuple[str, ...], since: int = 2010) -> pd.DataFrame:
    """Named signals for one place (record, trend break, drifting from peers, worsening while GDP grows).

    Columns ``indicator, label, kind, sentence, good`` (good is True/False/None). Sentences use
    the indicator's label and the area's name. The same tests as the panel detectors of
    :mod:`indicators.methods.signals`, fed one place's arrays: a new place costs milliseconds per
    indicator, not a pandas round trip per test.
    """
    name = area_name(ref_area)
    gdp = area_panel(GDP, ref_area)
    gdp_years, gdp_values = gdp["year"].to_numpy(dtype=int), gdp["value"].to_numpy(dtype=float)
    peers = tuple(sorted(set(members) | {ref_area}))
    found = []
    for item in scorecard_definitions("country"):
        try:
            own = area_panel(item.id, ref_area)
        except query.QueryError:
            continue
        if own.empty:
            continue
        years, values = own["year"].to_numpy(dtype=int), own["value"].to_numpy(dtype=float)
        end = int(years.max())
        window = end - since + 1
        direction = item.direction.value
        history = years >= since - 10
        for signal in signal_methods.series_new_record(name, item.label, years[history], values[history], direction):
            good = ("high" in signal.test) == (direction == "higher_is_better")
            found.append((item.id, item.label, "new_record", signal.sentence, good))
        if window >= 8:
            recent = years >= since
            for signal in signal_methods.series_trend_break(
                name, item.label, years[recent].astype(float), values[recent]
            ):
                found.append((item.id, item.label, "trend_break", signal.sentence, None))
            if item.id != GDP and item.theme in WELLBEING_THEMES and len(gdp_years):
                ours = _window_trend(years, values, end, window)
                theirs = _window_trend(gdp_years, gdp_values, end, window)
                for signal in signal_methods.gdp_divergence_signal(
                    name, item.label, direction, (end - window + 1, end), ours[:3], theirs[:2], CONFIDENCE
                ):
                    found.append((item.id, item.label, "against_gdp", signal.sentence, False))
        if len(peers) >= 5 and window >= 2:
            for signal in _divergence_from_peers(item, ref_area, name, peers, (end - window + 1, end)):
                found.append((item.id, item.label, "peer_divergence", signal.sentence, None))
    return pd.DataFrame(found, columns=["indicator", "label", "kind", "sentence", "good"])


def _window_trend(years: np.ndarray, values: np.ndarray, end: int, window: int) -> tuple[float, float, float, int]:
    """(slope, low, high, points) of the Theil-Sen trend over the ``window`` years ending at ``end``: the
    numbers :func:`indicators.methods.trend.recent_trend` gives for one place, without a panel round trip."""
    grid = np.arange(end - window + 1, end + 1)
    row = np.full(window, np.nan)
    inside = (years >= grid[0]) & (years <= end)
    row[years[inside] - grid[0]] = values[inside]
    fit = theil_sen(grid, row[None, :], CONFIDENCE)
    return float(fit.slope[0]), float(fit.low[0]), float(fit.high[0]), int(fit.n_points[0])


@lru_cache(maxsize=512)
def _wide(indicator_id: str) -> tuple[dict[str, int], dict[int, int], np.ndarray]:
    """One indicator as an areas x years matrix: (row of each area, column of each year, values)."""
    frame = query.panel(indicator_id)
    matrix = frame.pivot(index="ref_area", columns="year", values="value")
    rows = {area: i for i, area in enumerate(matrix.index)}
    columns = {int(year): j for j, year in enumerate(matrix.columns)}
    return rows, columns, matrix.to_numpy(dtype=float)


def _divergence_from_peers(
    item: Definition, ref_area: str, name: str, peers: tuple[str, ...], years: tuple[int, int]
) -> list[signal_methods.Signal]:
    """Has the place drifted away from its peers' median between the window's first and last year?"""
    rows, columns, matrix = _wide(item.id)
    start, end = years
    if ref_area not in rows or start not in columns or end not in columns:
        return []
    present = [rows[p] for p in peers if p in rows]
    first, last = matrix[present, columns[start]], matrix[present, columns[end]]
    z_start, z_end = signal_methods.robust_z(first), signal_methods.robust_z(last)
    at = present.index(rows[ref_area])
    return signal_methods.divergence_signal(
        name, item.label, len(peers), years, (first[at], last[at]), (z_start[at], z_end[at]), 3.0
    )


@lru_cache(maxsize=1)
def catalogue_table() -> pd.DataFrame:
    """One row per definition with its coverage, for the Indicators catalogue page."""
    rows = []
    for item in sorted(catalog().values(), key=lambda d: (THEME_ORDER[d.theme], d.label)):
        try:
            cover = query.coverage(item.id)
        except query.QueryError:
            cover = {"areas": None, "aggregates": None, "first_year": None, "last_year": None, "observations": None}
        rows.append(
            {
                "id": item.id,
                "title": item.title,
                "theme": item.theme,
                "level": item.level,
                "unit": item.unit,
                "direction": "higher is better" if item.direction == Direction.higher_is_better else "lower is better",
                "areas": cover["areas"],
                "first_year": cover["first_year"],
                "last_year": cover["last_year"],
                "observations": cover["observations"],
                "publisher": item.source.publisher,
                "licence": item.source.licence,
                "targets": "; ".join(t.label for t in item.targets),
                "formula": item.formula or "",
                "tags": ", ".join(item.tags),
                "source_line": query.source_line([item.id]) if cover["observations"] else "",
            }
        )
    return pd.DataFrame(rows)
