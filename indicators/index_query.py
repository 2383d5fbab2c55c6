"""The "Your index" questions: a composite re-scored with a visitor's weights, its rank uncertainty, and
how far the ranking moved from equal weights — fast enough to answer on every slider move.

The expensive part of a composite (reading the panel, taking the cross-section at the reference year,
normalising) does not depend on the weights, so it is done once per (composite, peer group, year) by the
real runner, :func:`indicators.composite.run_composite`, and cached. A change of weights then only
re-aggregates the cached normalised matrix with the same :func:`indicators.methods.aggregate.aggregate`
the runner uses (a test holds the two equal), and draws a modest number of seeded Monte Carlo runs. Every
answer is cached by its weights, so going back to an earlier setting costs a dictionary look-up.

Two rules are added on top of the composite file, stated in :data:`PILLAR_FLOORS` and in every record:
the Beyond GDP index ranks a country only if it has at least four of the five inclusive indicators,
because with per-capita footprints a country known mostly by its small footprint would otherwise rank
near the top on the strength of being poor. Nothing is imputed; a unit below a rule is listed with its
reason, not ranked.

Returned frames are shared between callers and must be treated as read-only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from indicators import query
from indicators.composite import CompositeResult, directions_from, load_composite, run_composite
from indicators.constants import GDP_PER_CAPITA as GDP
from indicators.methods.aggregate import AGGREGATORS, GEOMETRIC_FLOOR
from indicators.methods.normalise import normalise
from indicators.methods.uncertainty import Choice, ranks_from_scores, simulate_scores
from indicators.peer_groups import PeerGroupError, named_groups, named_members

#: Composites the page offers, in menu order. The page opens on the first, :data:`DEFAULT_COMPOSITE`: the
#: UNDP's published HDI, a ranking readers know and can check, with what it rewards stated beside it. The
#: UNDP-method composite ``hdi`` is not offered: its expected-years-of-schooling input exists only for GDL
#: regions, not at country level.
COMPOSITES = ("hdi_published", "beyond_gdp_index", "better_life_index")
DEFAULT_COMPOSITE = COMPOSITES[0]
#: Minimum share of a pillar's weight that must have data for a unit to be ranked (on top of the file's rule).
PILLAR_FLOORS: dict[str, dict[str, float]] = {"beyond_gdp_index": {"inclusive": 0.8}}
#: Monte Carlo settings: a modest number of draws keeps a slider move fast; the seed makes it repeatable.
DRAWS = 500
SEED = 20261101
CONCENTRATION = 20.0
MC_NORMALISATIONS = ("minmax", "rank")
MC_AGGREGATIONS = ("arithmetic", "geometric")
MAX_WEIGHT = 5

Weights = tuple[tuple[str, float], ...]


class IndexQueryError(ValueError):
    """A question about a composite that cannot be answered; the message says which part and why."""


# --- peer groups (named groups live in indicators.peer_groups) ------------------------------------


#: Peer groups a ranking can be made among: slug -> label (``all`` first).
peer_options = named_groups


def peer_members(peers: str) -> list[str]:
    """Country codes of a named peer group, or :class:`IndexQueryError` naming the valid ones."""
    try:
        return named_members(peers)
    except PeerGroupError as error:
        raise IndexQueryError(str(error)) from None


# --- composite structure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """What the weight sliders need: pillars in order, their titles and local indicator names."""

    composite: str
    title: str
    pillars: dict[str, tuple[str, ...]]
    pillar_titles: dict[str, str]
    default_pillar_weights: dict[str, float]
    ids: dict[str, str]
    labels: dict[str, str]
    rewards: str = ""  # what a high score means, in words, for the page to show beside the ranking
    method_note: str = ""

    def indicators(self) -> list[str]:
        return [m for members in self.pillars.values() for m in members]


@lru_cache(maxsize=8)
def structure(composite: str) -> Structure:
    if composite not in COMPOSITES:
        raise IndexQueryError(f"unknown composite {composite!r}; choose one of {', '.join(COMPOSITES)}")
    spec = load_composite(composite)
    definitions = query.definitions()
    ids = dict(spec["indicators"])
    unknown = sorted(i for i in ids.values() if i not in definitions)
    if unknown:
        raise IndexQueryError(
            f"composite {composite!r} names indicator id(s) {unknown} that are not in the catalogue; "
            f"fix indicators/composites/{composite}.yaml (see `python -m indicators list`)"
        )
    sizes = sorted(i for i in ids.values() if not definitions[i].rankable)
    if sizes:
        raise IndexQueryError(
            f"composite {composite!r} uses size measure(s) {sizes} (counts or totals rank places by size); "
            f"use their per-person form in indicators/composites/{composite}.yaml"
        )
    pillars = {name: tuple(p["indicators"]) for name, p in spec["pillars"].items()}
    return Structure(
        composite=composite,
        title=spec["title"],
        rewards=" ".join(str(spec.get("rewards", "")).split()),
        method_note=" ".join(str(spec.get("method_note", "")).split()),
        pillars=pillars,
        pillar_titles={name: p.get("title", name.title()) for name, p in spec["pillars"].items()},
        default_pillar_weights={name: float(p.get("weight", 1)) for name, p in spec["pillars"].items()},
        ids=ids,
        labels={local: definitions[ids[local]].short_title or definitions[ids[local]].title for local in ids},
    )


# --- the cached, weight-free part ------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One run of the composite for a peer group and year; everything a re-weighting needs, as plain arrays
    (pandas' Arrow-backed string indexes cost milliseconds per look-up, too much for every slider move)."""

    structure: Structure
    peers: str
    result: CompositeResult
    units: pd.Index  # ref_area codes, object dtype
    columns: tuple[str, ...]  # local indicator names, in pillar order
    normalised: np.ndarray  # units x columns, the composite's own normalisation
    rank_normalised: np.ndarray  # units x columns, fractional ranks (Monte Carlo alternative)
    years: np.ndarray  # units x columns, the year each value comes from
    base: pd.DataFrame  # name, gdp_per_capita, income_group per unit
    estimated: np.ndarray | None = None  # units x columns, True where the publisher estimated the value used

    def positions(self, members: tuple[str, ...]) -> list[int]:
        return [self.columns.index(m) for m in members]


def prepare(composite: str, peers: str = "all", year: int | None = None) -> Prepared:
    """Run the composite once (panel, cross-section, normalisation) for ``peers`` at ``year`` (None = latest)."""
    return _prepare(composite, peers, None if year is None else int(year))


@lru_cache(maxsize=32)
def _prepare(composite: str, peers: str, year: int | None) -> Prepared:
    shape = structure(composite)
    members = peer_members(peers)
    if len(members) < 3:
        raise IndexQueryError(f"peer group {peers!r} has {len(members)} countries; a ranking needs at least 3")
    ids = list(dict.fromkeys([*shape.ids.values(), GDP]))
    panel = query.panel(ids, members)
    definitions = query.definitions()
    override = {"reference_year": int(year)} if year is not None else None
    result = run_composite(
        load_composite(composite),
        panel,
        directions_from({i: definitions[i] for i in ids}),
        params_override=override,
        data_version=query.data_version(),
    )
    columns = tuple(shape.indicators())
    local_directions = {m: result.record["directions"][shape.ids[m]] for m in columns}
    rank_normalised = normalise(result.values[list(columns)], "rank", local_directions)
    gdp_local = next((local for local, ident in shape.ids.items() if ident == GDP), None)
    if gdp_local is not None and gdp_local in result.beside:
        gdp = result.beside[gdp_local]
    elif gdp_local is not None:
        gdp = result.values[gdp_local]
    else:
        gdp = pd.Series(np.nan, index=result.values.index)
    units = pd.Index(np.asarray(result.values.index, dtype=object), dtype=object, name="ref_area")
    base = pd.DataFrame(
        {
            "name": [query.area_name(a) for a in units],
            "gdp_per_capita": gdp.to_numpy(dtype=float),
            "income_group": query.areas()["income_group"].reindex(result.values.index).to_numpy(dtype=object),
        },
        index=units,
    )
    return Prepared(
        structure=shape,
        peers=peers,
        result=result,
        units=units,
        columns=columns,
        normalised=result.normalised[list(columns)].to_numpy(dtype=float),
        rank_normalised=rank_normalised.to_numpy(dtype=float),
        years=result.years[list(columns)].to_numpy(dtype=float),
        base=base,
        estimated=_estimated_inputs(shape, units, result.years[list(columns)]),
    )


def _estimated_inputs(shape: Structure, units: pd.Index, years: pd.DataFrame) -> np.ndarray:
    """Units x columns: True where the value a unit's score uses is one the publisher estimated."""
    areas = pd.Series(units)
    flags = [query.estimated_at([shape.ids[m]], areas, years[m].reset_index(drop=True)) for m in years.columns]
    return np.column_stack([f.to_numpy(dtype=bool) for f in flags]) if flags else np.zeros((len(units), 0), bool)


# --- weights ---------------------------------------------------------------------------------------


def as_key(weights: Mapping[str, float] | None) -> Weights:
    """A weights mapping as a hashable, order-free cache key."""
    return tuple(sorted((str(k), float(v)) for k, v in (weights or {}).items()))


def _resolved(shape: Structure, pillar_weights: Weights, indicator_weights: Weights) -> tuple[dict, dict]:
    """Pillar weights (defaults filled in) and, per pillar, its indicator weights (default 1)."""
    given_pillars, given_inner = dict(pillar_weights), dict(indicator_weights)
    unknown = sorted(set(given_pillars) - set(shape.pillars)) + sorted(set(given_inner) - set(shape.indicators()))
    if unknown:
        raise IndexQueryError(f"unknown pillar or indicator name(s) {unknown} for {shape.composite}")
    pillars = {p: float(given_pillars.get(p, shape.default_pillar_weights[p])) for p in shape.pillars}
    inner = {p: {m: float(given_inner.get(m, 1.0)) for m in members} for p, members in shape.pillars.items()}
    for p, members in inner.items():
        if sum(members.values()) == 0:  # every indicator of a pillar switched off = the pillar switched off
            pillars[p] = 0.0
            inner[p] = dict.fromkeys(members, 1.0)
    bad = {k: v for k, v in [*pillars.items(), *given_inner.items()] if not np.isfinite(v) or v < 0}
    if bad:
        raise IndexQueryError(f"weights must be finite numbers >= 0; got {bad}")
    if sum(pillars.values()) <= 0:
        raise IndexQueryError("every pillar weight is zero; at least one pillar must count")
    return pillars, inner


def params_override(composite: str, pillar_weights: Weights = (), indicator_weights: Weights = ()) -> dict:
    """The ``params_override`` that makes :func:`run_composite` use these weights (what the record keeps)."""
    shape = structure(composite)
    pillars, inner = _resolved(shape, pillar_weights, indicator_weights)
    return {
        "weighting": {"pillars": "given", "indicators": "given"},
        "pillars": {p: {"weight": pillars[p], "indicator_weights": inner[p]} for p in shape.pillars},
    }


# --- re-weighting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    """Scores at the chosen weights: ``table`` indexed by ref_area (ranked units first), and the record."""

    table: pd.DataFrame
    record: dict


def _share(values: Mapping[str, float], order) -> np.ndarray:
    w = np.array([float(values[k]) for k in order])
    return w / w.sum()


def _aggregate(values: np.ndarray, weights: np.ndarray, method: str, min_coverage: float, floor: float):
    """Scores and coverage by the rules of :func:`indicators.methods.aggregate.aggregate` (same registered
    method, present indicators reweighted, a zero weight neither covers nor counts), on bare arrays."""
    present = ~np.isnan(values)
    coverage = present.astype(float) @ weights
    enough = coverage >= min_coverage - 1e-12
    score = np.full(len(values), np.nan)
    if enough.any():
        options = {"floor": floor} if method == "geometric" else {}
        masked = np.where(weights > 0, values[enough], np.nan)
        score[enough] = AGGREGATORS[method](masked, np.broadcast_to(weights, masked.shape), **options)
    return score, coverage, present


def _missing(names, present_row, weights) -> str:
    return ", ".join(n for n, has, w in zip(names, present_row, weights, strict=True) if not has and w > 0)


def ranking(
    composite: str,
    peers: str = "all",
    pillar_weights: Weights = (),
    indicator_weights: Weights = (),
    year: int | None = None,
) -> Ranking:
    """The composite re-aggregated with these weights; columns ``name, score, rank, coverage, reason,
    oldest_year, gdp_per_capita, income_group`` and ``pillar_<name>`` / ``coverage_<name>`` per pillar."""
    return _ranking(composite, peers, as_key(dict(pillar_weights)), as_key(dict(indicator_weights)), year)


@lru_cache(maxsize=512)
def _ranking(composite: str, peers: str, pillar_weights: Weights, indicator_weights: Weights, year) -> Ranking:
    prepared = prepare(composite, peers, year)
    shape, result = prepared.structure, prepared.result
    pillars, inner = _resolved(shape, pillar_weights, indicator_weights)
    spec = result.record["definition"]
    aggregation = spec["aggregation"]
    rules = spec.get("min_coverage") or {}
    floor = float(aggregation.get("geometric_floor", GEOMETRIC_FLOOR))
    pillar_min, index_min = float(rules.get("pillar", 1.0)), float(rules.get("index", 1.0))
    names = list(shape.pillars)

    pillar_scores, pillar_coverage, pillar_reasons = {}, {}, {}
    for name in names:
        members = shape.pillars[name]
        w = _share(inner[name], members)
        values = prepared.normalised[:, prepared.positions(members)]
        score, coverage, present = _aggregate(values, w, aggregation["indicators_to_pillar"], pillar_min, floor)
        pillar_scores[name], pillar_coverage[name] = score, coverage
        pillar_reasons[name] = {
            i: f"coverage {coverage[i]:.2f} below minimum {pillar_min:.2f}; missing: {_missing(members, present[i], w)}"
            for i in np.flatnonzero(np.isnan(score))
        }
    stacked = np.column_stack([pillar_scores[p] for p in names])
    outer = _share(pillars, names)
    score, coverage, present = _aggregate(stacked, outer, aggregation["pillars_to_index"], index_min, floor)
    reason = np.full(len(score), None, dtype=object)
    for i in np.flatnonzero(np.isnan(score)):
        detail = [
            f"{p}: {pillar_reasons[p][i]}"
            for p, w in zip(names, outer, strict=True)
            if i in pillar_reasons[p] and w > 0
        ]
        head = f"coverage {coverage[i]:.2f} below minimum {index_min:.2f}; missing pillars: {_missing(names, present[i], outer)}"
        reason[i] = "; ".join([head, *detail])
    floors = {p: f for p, f in PILLAR_FLOORS.get(composite, {}).items() if pillars.get(p, 0) > 0}
    for name, least in floors.items():
        short = ~np.isnan(score) & (pillar_coverage[name] < least - 1e-12)
        size = len(shape.pillars[name])
        for i in np.flatnonzero(short):
            reason[i] = (
                f"{shape.pillar_titles[name].lower()} pillar coverage {pillar_coverage[name][i]:.2f} below the "
                f"{least:.2f} this page requires ({round(pillar_coverage[name][i] * size)} of {size} indicators)"
            )
        score[short] = np.nan

    active = [prepared.columns.index(m) for p in names if pillars[p] > 0 for m in shape.pillars[p] if inner[p][m] > 0]
    years = prepared.years[:, active]
    table = prepared.base.copy()
    table.insert(1, "score", score)
    table.insert(2, "rank", pd.Series(score).rank(ascending=False, method="min").to_numpy())
    table.insert(3, "coverage", coverage)
    table.insert(4, "reason", reason)
    table.insert(
        5,
        "oldest_year",
        np.where(np.isnan(years).all(axis=1), np.nan, np.nanmin(np.nan_to_num(years, nan=np.inf), axis=1)),
    )
    if prepared.estimated is not None:
        # How many of the values a score uses the publisher estimated (shown in the tooltip and the CSV).
        table.insert(6, "estimated_inputs", prepared.estimated[:, active].sum(axis=1))
    for name in names:
        table[f"pillar_{name}"] = pillar_scores[name]
        table[f"coverage_{name}"] = pillar_coverage[name]
    table = table.sort_values(["rank", "name"], na_position="last")
    record = copy.deepcopy({k: v for k, v in result.record.items() if k != "params_override"})
    record.update(
        params_override=params_override(composite, pillar_weights, indicator_weights),
        peer_group=peers,
        pillar_weights=dict(zip(names, outer.tolist(), strict=True)),
        effective_weights={
            shape.ids[m]: float(o * inner[p][m] / sum(inner[p].values()))
            for p, o in zip(names, outer, strict=True)
            for m in shape.pillars[p]
        },
        page_rules={"pillar_min_coverage": floors},
        units_scored=int((~np.isnan(score)).sum()),
    )
    return Ranking(table=table, record=record)


def equal_weights_ranking(composite: str, peers: str = "all", year: int | None = None) -> Ranking:
    """The ranking with every pillar and indicator weighing the same."""
    shape = structure(composite)
    return ranking(composite, peers, tuple((p, 1.0) for p in sorted(shape.pillars)), (), year)


def rank_change(
    composite: str, peers: str = "all", pillar_weights: Weights = (), indicator_weights: Weights = (), year=None
) -> pd.DataFrame:
    """Per ranked unit: rank at equal weights, rank at these weights, and ``delta`` (> 0 = moved up)."""
    yours = ranking(composite, peers, pillar_weights, indicator_weights, year).table
    equal = equal_weights_ranking(composite, peers, year).table["rank"].reindex(yours.index)
    frame = pd.DataFrame({"name": yours["name"], "rank": yours["rank"], "equal_rank": equal})
    frame = frame[frame["rank"].notna()]
    return frame.assign(delta=frame["equal_rank"] - frame["rank"])


def ranked_table(
    composite: str, peers: str = "all", pillar_weights: Weights = (), indicator_weights: Weights = (), year=None
) -> pd.DataFrame:
    """Ranked units only, best first: the :func:`ranking` columns plus ``rank_p05, median_rank, rank_p95``
    (:func:`uncertainty`) and ``delta`` (:func:`rank_change`)."""
    keys = as_key(dict(pillar_weights)), as_key(dict(indicator_weights))
    return _ranked_table(composite, peers, *keys, year)


@lru_cache(maxsize=512)
def _ranked_table(composite: str, peers: str, pillar_weights: Weights, indicator_weights: Weights, year):
    table = ranking(composite, peers, pillar_weights, indicator_weights, year).table
    table = table[table["rank"].notna()]
    bands = uncertainty(composite, peers, pillar_weights, indicator_weights, year)
    change = rank_change(composite, peers, pillar_weights, indicator_weights, year)
    return table.join(bands[["rank_p05", "median_rank", "rank_p95"]]).assign(delta=change["delta"])


# --- Monte Carlo rank uncertainty ------------------------------------------------------------------


def uncertainty(
    composite: str,
    peers: str = "all",
    pillar_weights: Weights = (),
    indicator_weights: Weights = (),
    year: int | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """5%, 50% and 95% ranks over ``draws`` seeded runs that vary the modelling choices around yours.

    Each draw perturbs the indicator weights within each pillar and the pillar weights (Dirichlet
    centred on the chosen weights, concentration :data:`CONCENTRATION`; a zero weight stays zero),
    normalises by min-max or by rank, and combines pillars arithmetically or geometrically
    (indicators within a pillar are always averaged, as in the composite). Only units ranked at the
    chosen weights take part. Columns: ``rank``, ``rank_p05``, ``median_rank``, ``rank_p95``.
    """
    keys = as_key(dict(pillar_weights)), as_key(dict(indicator_weights))
    return _uncertainty(composite, peers, *keys, year, int(draws), int(seed))


@lru_cache(maxsize=512)
def _uncertainty(
    composite: str, peers: str, pillar_weights: Weights, indicator_weights: Weights, year, draws: int, seed: int
) -> pd.DataFrame:
    prepared = prepare(composite, peers, year)
    shape = prepared.structure
    pillars, inner = _resolved(shape, pillar_weights, indicator_weights)
    base = ranking(composite, peers, pillar_weights, indicator_weights, year).table
    base = base[base["rank"].notna()]
    out = pd.DataFrame({"rank": base["rank"]})
    if out.empty:
        return out.assign(rank_p05=np.nan, median_rank=np.nan, rank_p95=np.nan)
    rows = prepared.units.get_indexer(base.index)
    names = list(shape.pillars)
    scores = simulate_scores(
        {"minmax": prepared.normalised[rows], "rank": prepared.rank_normalised[rows]},
        [prepared.positions(shape.pillars[p]) for p in names],
        [_share(inner[p], shape.pillars[p]) for p in names],
        _share(pillars, names),
        [Choice(n, "arithmetic", a) for n in MC_NORMALISATIONS for a in MC_AGGREGATIONS],
        draws=draws,
        rng=np.random.default_rng(seed),
        concentration=CONCENTRATION,
    )
    low, middle, high = np.percentile(ranks_from_scores(scores), [5, 50, 95], axis=1)
    return out.assign(rank_p05=low, median_rank=middle, rank_p95=high)


def uncertainty_record(draws: int = DRAWS, seed: int = SEED) -> dict:
    """The Monte Carlo settings, for the method note and the CSV."""
    return {
        "draws": draws,
        "seed": seed,
        "weight_noise": "dirichlet",
        "concentration": CONCENTRATION,
        "normalisations": list(MC_NORMALISATIONS),
        "pillar_aggregations": list(MC_AGGREGATIONS),
        "interval": [5, 95],
    }


def years_available(composite: str, peers: str = "all", span: int = 10) -> list[int]:
    """Reference years a visitor may pick: the composite's latest year and up to ``span`` years before it."""
    latest = int(prepare(composite, peers).result.record["reference_year"])
    return list(range(latest, latest - span - 1, -1))
