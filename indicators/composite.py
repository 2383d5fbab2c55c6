"""Composite indices as data: load a YAML definition, run it on a panel, record how.

A composite file (``indicators/composites/<id>.yaml``) names its indicators once, at the top,
as ``local name: catalogue id`` (renaming an indicator is a one-line change), groups them into
pillars, and chooses normalisation, weighting, aggregation (indicator -> pillar and pillar ->
index), minimum coverage and the reference year. :func:`run_composite` turns a long panel into
scores, pillar scores, coverage and ranks, plus a ``record`` of every parameter and the data
version, so that any published number can be regenerated: ``run_composite(result.record
["definition"], panel, directions)`` gives the same result on the same data.

Steps, each a registered method from :mod:`indicators.methods`:

1. per ref_area and indicator, take the value at the reference year, or the latest one within
   ``latest_within`` years before it (the year used is kept in ``result.years``). A reference
   year of ``latest`` means the last year that every scored indicator has reached (the earliest
   of their last years), so one slow-to-update indicator cannot fall wholly out of the window;
   faster ones then use their value of that year, not a newer one;
2. normalise each indicator across ref_areas (direction-aware, higher = better);
3. aggregate indicators into pillars, then pillars into the index, each with its own method
   and minimum coverage; a ref_area below coverage gets NaN and a reason, never an imputed value.

Indicators listed under ``shown_beside`` (GDP in the Beyond GDP index) are reported next to the
score, untouched, and do not enter it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from connectors import yaml_loader
from indicators.methods.aggregate import AGGREGATORS, GEOMETRIC_FLOOR, aggregate
from indicators.methods.normalise import NORMALISERS, normalise
from indicators.methods.registry import DIRECTIONS, lookup
from indicators.methods.weights import WEIGHTINGS, make_weights

COMPOSITES_DIR = Path(__file__).resolve().parent / "composites"
ENGINE_VERSION = "composite-engine/1"
TOP_LEVEL_KEYS = {
    "id",
    "title",
    "description",
    "method_note",
    "rewards",
    "indicators",
    "pillars",
    "shown_beside",
    "normalisation",
    "weighting",
    "aggregation",
    "min_coverage",
    "reference_year",
    "latest_within",
}


class CompositeError(ValueError):
    """A composite definition that cannot be run; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class CompositeResult:
    """Everything a composite run produced, indexed by ref_area.

    ``scores``/``ranks``/``coverage``/``reasons`` are Series; ``pillar_scores`` and
    ``pillar_coverage`` have one column per pillar; ``normalised``, ``values`` and ``years`` one
    column per local indicator name; ``beside`` holds the shown-beside indicators.
    """

    scores: pd.Series
    ranks: pd.Series
    coverage: pd.Series
    reasons: pd.Series
    pillar_scores: pd.DataFrame
    pillar_coverage: pd.DataFrame
    normalised: pd.DataFrame
    values: pd.DataFrame
    years: pd.DataFrame
    beside: pd.DataFrame
    record: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per ref_area: score, rank, coverage, reason, pillar scores, shown-beside values."""
        frame = pd.DataFrame(
            {"score": self.scores, "rank": self.ranks, "coverage": self.coverage, "reason": self.reasons}
        )
        frame = frame.join(self.pillar_scores.add_prefix("pillar_")).join(self.beside)
        return frame.sort_values(["rank", "score"], na_position="last")


# --- loading and validation ------------------------------------------------------------------


def available_composites(root: Path = COMPOSITES_DIR) -> list[str]:
    return sorted(p.stem for p in root.glob("*.yaml"))


def load_composite(name_or_path: str | Path, root: Path = COMPOSITES_DIR) -> dict:
    """Read and validate a composite definition by id (``hdi``) or path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = root / f"{name_or_path}.yaml"
    if not path.is_file():
        raise CompositeError(f"no composite definition at {path}; available: {', '.join(available_composites(root))}")
    try:
        definition = yaml_loader.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CompositeError(f"{path}: not valid YAML: {exc}") from None
    validate(definition, where=str(path))
    if definition["id"] != path.stem:
        raise CompositeError(f"{path}: field 'id' is {definition['id']!r} but must equal the file name {path.stem!r}")
    return definition


def _fail(where: str, field_name: str, problem: str) -> CompositeError:
    return CompositeError(f"{where}: field {field_name!r}: {problem}")


def validate(definition: object, where: str = "composite definition") -> None:
    """Check a definition's shape and every method name; raise :class:`CompositeError` if wrong."""
    if not isinstance(definition, dict):
        raise CompositeError(f"{where}: a composite definition must be a mapping of fields")
    unknown = sorted(set(definition) - TOP_LEVEL_KEYS)
    if unknown:
        raise _fail(where, unknown[0], f"unknown field; allowed fields: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    for key in ("id", "title", "indicators", "pillars", "normalisation", "aggregation"):
        if key not in definition:
            raise _fail(where, key, "is required")
    indicators = definition["indicators"]
    if not isinstance(indicators, dict) or not indicators:
        raise _fail(where, "indicators", "must map local names to catalogue ids, e.g. {co2: co2_per_capita}")
    pillars = definition["pillars"]
    if not isinstance(pillars, dict) or not pillars:
        raise _fail(where, "pillars", "must map pillar names to {indicators: [...], weight: ...}")
    seen: set[str] = set()
    for name, pillar in pillars.items():
        members = pillar.get("indicators") if isinstance(pillar, dict) else None
        if not members:
            raise _fail(where, f"pillars.{name}.indicators", "must list at least one local indicator name")
        for member in members:
            if member not in indicators:
                raise _fail(where, f"pillars.{name}.indicators", f"{member!r} is not declared under 'indicators'")
            if member in seen:
                raise _fail(where, f"pillars.{name}.indicators", f"{member!r} is already in another pillar")
            seen.add(member)
        weight = pillar.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise _fail(where, f"pillars.{name}.weight", f"must be a number >= 0; got {weight!r}")
    for member in definition.get("shown_beside", []) or []:
        if member not in indicators:
            raise _fail(where, "shown_beside", f"{member!r} is not declared under 'indicators'")
        if member in seen:
            raise _fail(where, "shown_beside", f"{member!r} is inside a pillar; shown-beside indicators stay outside")
    norm = definition["normalisation"]
    _check_method(where, "normalisation.method", norm.get("method") if isinstance(norm, dict) else None, NORMALISERS)
    for member in norm.get("params") or {}:
        if member not in indicators:
            raise _fail(where, f"normalisation.params.{member}", "is not declared under 'indicators'")
    weighting = definition.get("weighting") or {}
    for level in ("indicators", "pillars"):
        method = weighting.get(level, "equal")
        if method not in ("equal", "given"):
            raise _fail(where, f"weighting.{level}", f"must be 'equal' or 'given'; got {method!r}")
        lookup(WEIGHTINGS, method, "weighting")
    aggregation = definition["aggregation"]
    for level in ("indicators_to_pillar", "pillars_to_index"):
        _check_method(
            where,
            f"aggregation.{level}",
            aggregation.get(level) if isinstance(aggregation, dict) else None,
            AGGREGATORS,
        )
    for level, value in (definition.get("min_coverage") or {}).items():
        if level not in ("pillar", "index") or not isinstance(value, int | float) or not 0 < value <= 1:
            raise _fail(where, f"min_coverage.{level}", "levels are 'pillar' and 'index', values in (0, 1]")
    ref = definition.get("reference_year", "latest")
    if ref != "latest" and not isinstance(ref, int):
        raise _fail(where, "reference_year", f"must be 'latest' or a year; got {ref!r}")
    within = definition.get("latest_within", 0)
    if not isinstance(within, int) or within < 0:
        raise _fail(where, "latest_within", f"must be a whole number of years >= 0; got {within!r}")


def _check_method(where: str, field_name: str, name: object, registry: Mapping) -> None:
    if name not in registry:
        raise _fail(where, field_name, f"unknown method {name!r}; valid: {', '.join(sorted(registry))}")


def merge(base: Mapping, override: Mapping | None) -> dict:
    """``base`` with ``override`` merged in recursively (mappings merge, anything else replaces)."""
    out = copy.deepcopy(dict(base))
    for key, value in (override or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --- running ------------------------------------------------------------------------------------


def _cross_section(
    panel: pd.DataFrame, ids: Mapping[str, str], reference_year: int, within: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and the years they come from: per (ref_area, local name) the latest value in
    ``[reference_year - within, reference_year]``."""
    local_of = {catalogue_id: local for local, catalogue_id in ids.items()}
    rows = panel[panel["indicator"].isin(local_of) & panel["year"].between(reference_year - within, reference_year)]
    rows = rows.dropna(subset=["value"]).sort_values("year").drop_duplicates(["indicator", "ref_area"], keep="last")
    rows = rows.assign(local=rows["indicator"].map(local_of))
    values = rows.pivot(index="ref_area", columns="local", values="value").reindex(columns=list(ids))
    years = rows.pivot(index="ref_area", columns="local", values="year").reindex(columns=list(ids))
    values.columns.name = years.columns.name = None
    values.index.name = years.index.name = "ref_area"
    return values.astype(float), years


def run_composite(
    definition: Mapping | str | Path,
    panel: pd.DataFrame,
    directions: Mapping[str, str],
    params_override: Mapping | None = None,
    data_version: str = "unversioned",
) -> CompositeResult:
    """Run a composite on a long panel (``indicator, ref_area, year, value``; indicator = catalogue id).

    ``directions`` maps catalogue ids to ``higher_is_better``/``lower_is_better``.
    ``params_override`` is merged into the definition (e.g. ``{"pillars": {"health": {"weight": 3}}}``)
    and the merged definition is what the record keeps. The panel should hold only the ref_areas
    to compare (drop aggregates such as World or EU27 first): normalisation is relative to them.
    """
    if not isinstance(definition, Mapping):
        definition = load_composite(definition)
    spec = merge(definition, params_override)
    validate(spec, where=f"composite {spec.get('id', '?')!r} (after overrides)")
    ids: dict[str, str] = dict(spec["indicators"])
    pillars: dict[str, dict] = spec["pillars"]
    scored = [m for p in pillars.values() for m in p["indicators"]]
    beside = list(spec.get("shown_beside") or [])
    missing_direction = [ids[m] for m in scored if ids[m] not in directions]
    if missing_direction:
        raise CompositeError(
            f"composite {spec['id']!r}: no direction for {missing_direction}; pass directions={{id: ...}}"
        )
    bad = {ids[m]: str(directions[ids[m]]) for m in scored if str(directions[ids[m]]) not in DIRECTIONS}
    if bad:
        raise CompositeError(f"composite {spec['id']!r}: directions must be one of {DIRECTIONS}; got {bad}")

    within = int(spec.get("latest_within", 0))
    wanted = panel[panel["indicator"].isin([ids[m] for m in scored]) & panel["value"].notna()]
    if wanted.empty:
        raise CompositeError(f"composite {spec['id']!r}: the panel has no values for any of {[ids[m] for m in scored]}")
    ref = spec.get("reference_year", "latest")
    # "latest": the last year every scored indicator has reached, so no indicator is wholly out of the window
    reference_year = int(wanted.groupby("indicator")["year"].max().min()) if ref == "latest" else int(ref)

    values, years = _cross_section(panel, {m: ids[m] for m in scored + beside}, reference_year, within)
    score_values = values[scored]
    local_directions = {m: str(directions[ids[m]]) for m in scored}
    norm = spec["normalisation"]
    normalised = normalise(score_values, norm["method"], local_directions, params=norm.get("params") or {})

    weighting = spec.get("weighting") or {}
    aggregation = spec["aggregation"]
    coverage_rules = spec.get("min_coverage") or {}
    floor = float(aggregation.get("geometric_floor", GEOMETRIC_FLOOR))
    pillar_min, index_min = float(coverage_rules.get("pillar", 1.0)), float(coverage_rules.get("index", 1.0))

    def options(method: str) -> dict:
        return {"floor": floor} if method == "geometric" else {}

    pillar_scores, pillar_coverage, pillar_reasons, effective = {}, {}, {}, {}
    pillar_weights = _weights(
        weighting.get("pillars", "equal"), list(pillars), {p: float(v.get("weight", 1)) for p, v in pillars.items()}
    )
    for name, pillar in pillars.items():
        members = list(pillar["indicators"])
        inner = _weights(
            weighting.get("indicators", "equal"),
            members,
            {m: float((pillar.get("indicator_weights") or {}).get(m, 1)) for m in members},
        )
        method = aggregation["indicators_to_pillar"]
        result = aggregate(normalised[members], inner, method, min_coverage=pillar_min, **options(method))
        pillar_scores[name], pillar_coverage[name], pillar_reasons[name] = result.score, result.coverage, result.reason
        effective.update({ids[m]: float(pillar_weights[name] * inner[m]) for m in members})
    pillar_frame = pd.DataFrame(pillar_scores, index=values.index)
    method = aggregation["pillars_to_index"]
    index_result = aggregate(pillar_frame, pillar_weights, method, min_coverage=index_min, **options(method))
    reasons = index_result.reason.copy()
    for unit in reasons.index[reasons.notna()]:
        detail = [f"{p}: {pillar_reasons[p][unit]}" for p in pillars if pillar_reasons[p][unit]]
        reasons[unit] = "; ".join([reasons[unit].replace("missing:", "missing pillars:"), *detail])
    scores = index_result.score
    record = {
        "engine": ENGINE_VERSION,
        "composite": spec["id"],
        "title": spec["title"],
        "data_version": data_version,
        "reference_year": reference_year,
        "latest_within": within,
        "definition": spec,
        "params_override": copy.deepcopy(dict(params_override or {})),
        "directions": {ids[m]: local_directions[m] for m in scored},
        "pillar_weights": {k: float(v) for k, v in pillar_weights.items()},
        "effective_weights": effective,
        "geometric_floor": floor,
        "units": int(len(values)),
        "units_scored": int(scores.notna().sum()),
    }
    return CompositeResult(
        scores=scores.rename("score"),
        ranks=scores.rank(ascending=False, method="min").rename("rank"),
        coverage=index_result.coverage.rename("coverage"),
        reasons=reasons.rename("reason"),
        pillar_scores=pillar_frame,
        pillar_coverage=pd.DataFrame(pillar_coverage, index=values.index),
        normalised=normalised,
        values=score_values,
        years=years,
        beside=values[beside],
        record=record,
    )


def _weights(method: str, names: list[str], given: dict[str, float]) -> pd.Series:
    if method == "equal":
        return make_weights("equal", names)
    return make_weights("given", names, weights=given)


def directions_from(definitions: Mapping[str, object]) -> dict[str, str]:
    """``{id: direction}`` from catalogue definitions (anything with a ``direction`` attribute)."""
    return {key: str(getattr(d.direction, "value", d.direction)) for key, d in definitions.items()}
