"""Which measures a page shows, in which form, and the catalogue table that describes them.

A place's scorecard leaves out size measures (``measure: size`` in the definition: ranking a country's
total emissions or a region's employed thousands mostly ranks its size; the per-capita form is on the card) and re-based indices (``index(x, base_year=...)`` moves exactly
like ``x``); a measure with a per-capita and a total form can be switched between them.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from indicators import query
from indicators.catalog import catalog
from indicators.constants import THEME_ORDER
from indicators.schema import Definition, Direction

#: Indicators that have both a per-capita and an absolute (total) form: per-capita id -> total id.
#: A pair is offered only when both definitions exist (see :func:`per_capita_pairs`).
PER_CAPITA_PAIRS = {
    "co2_per_capita": "co2_territorial_total",
    "co2_consumption_per_capita": "co2_consumption_total",
    "ghg_per_capita": "ghg_total",
    "material_footprint_per_capita": "material_footprint_total",
    "domestic_material_consumption_per_capita": "domestic_material_consumption_total",
    "ewaste_per_capita": "ewaste_total",
    "gdp_per_capita_usd": "gdp_total_usd",
}


def per_capita_pairs() -> dict[str, str]:
    """The per-capita -> total pairs whose both definitions exist now."""
    known = query.definitions()
    return {pc: total for pc, total in PER_CAPITA_PAIRS.items() if pc in known and total in known}


def other_form(indicator_id: str, form: str) -> str:
    """The indicator to show for ``form`` ('per_capita' or 'total'); itself when it has no pair."""
    pairs = per_capita_pairs()
    if form == "total":
        return pairs.get(indicator_id, indicator_id)
    reverse = {total: pc for pc, total in pairs.items()}
    return reverse.get(indicator_id, indicator_id)


@lru_cache(maxsize=1)
def hidden_duplicates() -> dict[str, str]:
    """Definitions not shown as a measure of their own because their series duplicates another's: id -> reason.

    From the snapshot's data-quality check (:mod:`connectors.quality`): when two definitions of one level
    read series that are identical in every value they share, the first (by id) is shown and the other is
    hidden with this reason, so a page never presents one upstream number as two measures.
    """
    definitions = query.definitions()
    by_series = {
        (d.series.source, d.series.dataset, d.series.code): d
        for d in sorted(definitions.values(), key=lambda d: d.id)
        if d.series is not None and d.series.code is not None
    }
    hidden: dict[str, str] = {}
    for pair in query.quality_findings().get("duplicates", []):
        found = [by_series.get((p["source"], p["dataset"], p["series"])) for p in (pair["a"], pair["b"])]
        if None in found or found[0].level != found[1].level:
            continue
        kept, dropped = sorted(found, key=lambda d: d.id)
        hidden[dropped.id] = (
            f"identical to '{kept.label}' in all {pair['shared_rows']:,} values the two upstream series share "
            f"({dropped.series.label} = {kept.series.label}); shown once until the publisher corrects it"
        )
    return hidden


def definitions_at(level: str) -> list[Definition]:
    """Definitions of one level in theme order, then by label (hidden duplicates left out)."""
    hidden = hidden_duplicates()
    found = [d for d in query.definitions().values() if d.level == level and d.id not in hidden]
    return sorted(found, key=lambda d: (THEME_ORDER[d.theme], d.label))


def scorecard_definitions(level: str) -> list[Definition]:
    """What a place's scorecard shows (and ranks among peers): every definition of the level except size
    measures (``measure: size`` — counts and totals rank places by size) and re-based indices."""
    return [
        d for d in definitions_at(level) if d.rankable and not (d.formula or "").replace(" ", "").startswith("index(")
    ]


def unrankable_note(definition: Definition) -> str:
    """Why a size measure has no rank, for a page to show where a rank would be."""
    return (
        f"{definition.label} is a size measure (a count or total, {definition.unit}): it mostly measures how big a "
        "place is, so it is shown but not ranked"
    )


@lru_cache(maxsize=1)
def catalogue_table() -> pd.DataFrame:
    """One row per definition with its coverage, for the Indicators catalogue page.

    Definitions that wait for a refresh are listed too (the catalogue says what exists), with no coverage and
    ``awaiting_refresh`` saying which refresh brings their data in.
    """
    rows = []
    awaiting = query.awaiting_refresh()
    listed = [*query.definitions().values(), *(catalog()[ident] for ident in awaiting if ident in catalog())]
    for item in sorted(listed, key=lambda d: (THEME_ORDER[d.theme], d.label)):
        try:
            if item.id in awaiting:
                raise query.NotFetched(awaiting[item.id])
            cover = query.coverage(item.id)
        except query.QueryError:
            cover = dict.fromkeys(("areas", "first_year", "last_year", "observations", "not_computed"))
            cover["not_computed_reasons"] = ""
        rows.append(
            {
                "id": item.id,
                "title": item.title,
                "theme": item.theme,
                "level": item.level,
                "unit": item.unit,
                # a count or total is listed, never ranked: "higher is better" beside "Employed persons
                # (thousands)" would read as "more people is better"
                "direction": (
                    "size measure, not ranked"
                    if not item.rankable
                    else "higher is better"
                    if item.direction == Direction.higher_is_better
                    else "lower is better"
                ),
                "areas": cover["areas"],
                "first_year": cover["first_year"],
                "last_year": cover["last_year"],
                "observations": cover["observations"],
                "not_computed": cover["not_computed"],
                "not_computed_reasons": cover["not_computed_reasons"],
                "publisher": item.source.publisher,
                "licence": item.source.licence,
                "targets": "; ".join(t.label for t in item.targets),
                "formula": item.formula or "",
                "measure": item.measure,
                "tags": ", ".join(item.tags),
                "source_line": query.source_line([item.id]) if cover["observations"] else "",
                "hidden_because": hidden_duplicates().get(item.id, ""),
                "awaiting_refresh": awaiting.get(item.id, ""),
            }
        )
    return pd.DataFrame(rows)
