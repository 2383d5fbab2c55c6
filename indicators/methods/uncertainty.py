"""How much a composite ranking depends on its modelling choices: Monte Carlo rank intervals.

Each draw re-runs the composite with perturbed weights and with a normalisation and an
aggregation method drawn from the candidates; the spread of each unit's rank over the draws
says how far its place is a fact about the data rather than about the choices. Two units
whose 5-95% rank intervals overlap are not reliably ordered by the index.

What varies per draw:

* weights: ``dirichlet`` draws ``Dirichlet(concentration * k * w)``, centred on the chosen
  weights ``w`` (k indicators; higher concentration = tighter), or ``uniform`` multiplies
  each weight by ``U(1 - spread, 1 + spread)`` and renormalises;
* normalisation and aggregation: drawn uniformly among the valid pairs of the candidates.
  ``zscore`` with ``geometric`` is not a valid pair (z-scores are negative) and is skipped.

Missing data follows :mod:`indicators.methods.aggregate`: present indicators are reweighted,
and units below ``min_coverage`` at the chosen weights are left out of the ranking (NaN).

Everything is vectorised: normalised matrices are computed once per method, and every
draw's scores for one combination of methods are one matrix product per level.

This is the one Monte Carlo engine of the project: :func:`simulate_scores` re-runs a (possibly
nested: indicators -> pillars -> index) composite through the registered aggregation methods of
:mod:`indicators.methods.aggregate` (looked up by name, as the main run does), and both
:func:`rank_uncertainty` (flat; what ``bench/bench_uncertainty.py`` times) and the "Your index"
page (:func:`indicators.index_query.uncertainty`, nested by theme) call it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.methods.aggregate import AGGREGATORS, aggregate
from indicators.methods.normalise import NORMALISERS, normalise
from indicators.methods.registry import lookup

INVALID_PAIRS = {("zscore", "geometric")}


@dataclass(frozen=True)
class RankUncertainty:
    """Per unit: the rank under the chosen method and the 5/50/95% ranks over the draws.

    ``table`` columns: ``rank`` (chosen method), ``median_rank``, ``rank_p05``, ``rank_p95``,
    ``group`` (units of one group are statistically indistinguishable from its leader, the
    best-placed member: their intervals overlap the leader's). Rank 1 is best.
    """

    table: pd.DataFrame
    record: dict = field(default_factory=dict)

    def indistinguishable(self, a: str, b: str) -> bool:
        """True when the 5-95% rank intervals of ``a`` and ``b`` overlap."""
        t = self.table
        return bool(t.at[a, "rank_p05"] <= t.at[b, "rank_p95"] and t.at[b, "rank_p05"] <= t.at[a, "rank_p95"])

    def overlapping_pairs(self) -> pd.DataFrame:
        """Every pair (a, b), a ranked above b by median, whose intervals overlap."""
        t = self.table.dropna(subset=["median_rank"]).sort_values("median_rank")
        low, high = t["rank_p05"].to_numpy(), t["rank_p95"].to_numpy()
        overlap = (low[:, None] <= high[None, :]) & (low[None, :] <= high[:, None])
        i, j = np.nonzero(np.triu(overlap, k=1))
        return pd.DataFrame({"a": t.index[i], "b": t.index[j]})


def _weight_draws(
    weights: np.ndarray, draws: int, rng: np.random.Generator, noise: str, concentration: float, spread: float
) -> np.ndarray:
    """``draws`` weight vectors around ``weights``; a single weight is always 1 (and draws nothing)."""
    if weights.size == 1:
        return np.ones((draws, 1))
    if noise == "dirichlet":
        alpha = np.maximum(concentration * weights.size * weights, 1e-3)
        drawn = rng.dirichlet(alpha, size=draws)
        return np.where(weights > 0, drawn, 0.0)  # a switched-off indicator stays off
    if noise == "uniform":
        if not 0 <= spread < 1:
            raise ValueError(f"uniform weight spread must be in [0, 1); got {spread}")
        drawn = weights * rng.uniform(1 - spread, 1 + spread, size=(draws, weights.size))
        return drawn / drawn.sum(axis=1, keepdims=True)
    raise ValueError(f"weight_noise must be 'dirichlet' or 'uniform'; got {noise!r}")


@dataclass(frozen=True)
class Choice:
    """One combination of methods a draw may use: the normalised matrix (by its name), how indicators
    are combined into a pillar, and how pillars are combined into the index."""

    normalisation: str
    indicators_to_pillar: str = "arithmetic"
    pillars_to_index: str = "arithmetic"


def simulate_scores(
    matrices: Mapping[str, np.ndarray],
    pillars: Sequence[Sequence[int]],
    inner_weights: Sequence[np.ndarray],
    outer_weights: np.ndarray,
    choices: Sequence[Choice],
    *,
    draws: int,
    rng: np.random.Generator,
    weight_noise: str = "dirichlet",
    concentration: float = 20.0,
    spread: float = 0.25,
    floor: float | None = None,
) -> np.ndarray:
    """Scores (units x draws) of a composite re-run ``draws`` times with perturbed weights and methods.

    ``matrices`` maps a normalisation name to its normalised units x indicators matrix; ``pillars``
    lists the column positions of each pillar (a flat composite is one pillar holding every column);
    ``inner_weights[p]`` are the weights inside pillar ``p`` and ``outer_weights`` the pillar weights
    (each summing to 1). Each draw perturbs every weight vector (see :func:`_weight_draws`) and picks one
    of ``choices`` uniformly; the aggregation methods are the registered ones, looked up by name.
    A unit with no present value in a pillar has no pillar score, and pillars are reweighted over the
    present ones, as in :func:`indicators.methods.aggregate.aggregate`.
    """
    outer_draws = _weight_draws(np.asarray(outer_weights, float), draws, rng, weight_noise, concentration, spread)
    inner_draws = [
        _weight_draws(np.asarray(w, float), draws, rng, weight_noise, concentration, spread) for w in inner_weights
    ]
    picked = rng.integers(0, len(choices), size=draws)
    units = next(iter(matrices.values())).shape[0]
    scores = np.full((units, draws), np.nan)
    for index, choice in enumerate(choices):
        chosen = np.flatnonzero(picked == index)
        if chosen.size == 0:
            continue
        matrix = matrices[choice.normalisation]
        inner = lookup(AGGREGATORS, choice.indicators_to_pillar, "aggregation")
        outer = lookup(AGGREGATORS, choice.pillars_to_index, "aggregation")
        pillar_scores = np.stack(
            [
                _each_draw(inner, matrix[:, list(columns)], inner_draws[p][chosen], floor)
                for p, columns in enumerate(pillars)
            ]
        )  # pillars x units x chosen draws
        if len(pillars) == 1:
            scores[:, chosen] = pillar_scores[0]
            continue
        # each draw has its own pillar scores and weights: units x draws x pillars against draws x pillars
        scores[:, chosen] = outer(np.moveaxis(pillar_scores, 0, -1), outer_draws[chosen], **_options(outer, floor))
    return scores


def _options(method, floor: float | None) -> dict:
    """The geometric floor is passed only to the method that takes it."""
    return {"floor": floor} if floor is not None and method.name == "geometric" else {}


def _each_draw(method, values: np.ndarray, weight_sets: np.ndarray, floor: float | None) -> np.ndarray:
    """``method`` over every weight set at once (one matrix product)."""
    return method.over_weight_sets(values, weight_sets, **_options(method, floor))


#: Scores are compared to this many decimals: the matrix products behind them may differ in the last bits
#: between BLAS kernels, and equal scores must tie (and keep their order) on every machine.
SCORE_DECIMALS = 12


def ranks_from_scores(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score, per column; equal scores (to :data:`SCORE_DECIMALS`) share the best rank of
    their tie, as in the main ranking (``method="min"``); NaN scores rank last (and are masked by the caller)."""
    keyed = -np.nan_to_num(np.round(scores, SCORE_DECIMALS), nan=-np.inf)
    order = np.argsort(keyed, axis=0, kind="stable")
    ordered = np.take_along_axis(keyed, order, axis=0)
    positions = np.arange(1, scores.shape[0] + 1)[:, None] * np.ones((1, scores.shape[1]), dtype=int)
    starts = np.vstack([np.ones((1, scores.shape[1]), dtype=bool), ordered[1:] != ordered[:-1]])
    tied = np.maximum.accumulate(np.where(starts, positions, 0), axis=0)  # each row takes its tie's first position
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, tied, axis=0)
    return ranks


def _groups(table: pd.DataFrame) -> pd.Series:
    """Greedy grouping down the median ranking: a unit joins the current group while its 5%
    rank is within the group leader's 95% rank; otherwise it starts a new group."""
    ordered = table.dropna(subset=["median_rank"]).sort_values(["median_rank", "rank"])
    group, leader_high, labels = 0, -np.inf, {}
    for unit, low, high in zip(ordered.index, ordered["rank_p05"], ordered["rank_p95"], strict=True):
        if low > leader_high:
            group, leader_high = group + 1, high
        labels[unit] = group
    return pd.Series(labels, dtype="Int64").reindex(table.index)


def rank_uncertainty(
    matrix: pd.DataFrame,
    directions: Mapping[str, str],
    weights: pd.Series,
    *,
    draws: int = 1000,
    seed: int = 0,
    normalisations: Sequence[str] = ("minmax", "zscore", "rank"),
    aggregations: Sequence[str] = ("arithmetic", "geometric"),
    base: tuple[str, str] = ("minmax", "arithmetic"),
    weight_noise: str = "dirichlet",
    concentration: float = 20.0,
    spread: float = 0.25,
    min_coverage: float = 0.75,
) -> RankUncertainty:
    """Monte Carlo rank intervals for the composite of ``matrix`` (index ref_area, columns indicator).

    Reproducible: the same ``seed`` gives the same result (``numpy.random.Generator``).
    """
    for name in (*normalisations, base[0]):
        lookup(NORMALISERS, name, "normalisation")
        if name in ("distance_to_target", "goalposts"):
            raise ValueError(f"{name} needs per-indicator parameters; use minmax, zscore or rank in rank_uncertainty")
    pairs = [(n, a) for n in normalisations for a in aggregations if (n, a) not in INVALID_PAIRS]
    if not pairs:
        raise ValueError(f"no valid (normalisation, aggregation) pair among {normalisations} x {aggregations}")
    w = weights.reindex(matrix.columns).to_numpy(dtype=float)
    if np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must give a non-negative number for every column of the matrix, with a positive sum")
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    normalised = {n: normalise(matrix, n, directions).to_numpy(dtype=float) for n in {p[0] for p in pairs} | {base[0]}}
    base_result = aggregate(
        pd.DataFrame(normalised[base[0]], index=matrix.index, columns=matrix.columns),
        pd.Series(w, index=matrix.columns),
        base[1],
        min_coverage=min_coverage,
    )
    eligible = base_result.score.notna().to_numpy()
    scores = simulate_scores(
        {name: values[eligible] for name, values in normalised.items()},
        [range(matrix.shape[1])],
        [w],
        np.ones(1),
        [Choice(norm, agg) for norm, agg in pairs],
        draws=draws,
        rng=rng,
        weight_noise=weight_noise,
        concentration=concentration,
        spread=spread,
    )
    ranks = ranks_from_scores(scores)
    p05, p50, p95 = np.percentile(ranks, [5, 50, 95], axis=1)

    table = pd.DataFrame(index=matrix.index)
    table["rank"] = base_result.score.rank(ascending=False, method="min")
    for column, values in (("median_rank", p50), ("rank_p05", p05), ("rank_p95", p95)):
        table[column] = np.nan
        table.loc[eligible, column] = values
    table["group"] = _groups(table)
    table["coverage"] = base_result.coverage
    record = {
        "draws": draws,
        "seed": seed,
        "weight_noise": weight_noise,
        "concentration": concentration,
        "spread": spread,
        "pairs": [list(p) for p in pairs],
        "base": list(base),
        "weights": dict(zip(matrix.columns, w.tolist(), strict=True)),
        "min_coverage": min_coverage,
        "units_ranked": int(eligible.sum()),
        "units_excluded": int((~eligible).sum()),
    }
    return RankUncertainty(table=table, record=record)
