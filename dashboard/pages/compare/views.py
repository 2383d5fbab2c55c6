"""The Compare page's shareable chart — one indicator's ranked dot plot across a peer group — as pure
parse and build functions.

Registered with :mod:`dashboard.share`, so the page, its share panel, the embed view, the export
CLI and the bake all draw the ranked chart from nothing but the link.
A link naming several indicators draws the first one (in the chosen per-capita or total form); the
page gives each chart its own one-indicator link. The ``compare_multiples`` kind draws every indicator of
the link as one strip each (the page's "Small multiples"), and its rows are also what the "Table" view lists.
"""

from __future__ import annotations

import altair as alt

from dashboard import estimate_marks
from dashboard.pages.compare import charts as compare_charts
from dashboard.pages.compare.data import PAGE, peer_group, shown_rows
from dashboard.pages.compare.state import CompareView, parse
from dashboard.pages.titles import years_of
from dashboard.theme import heading
from dashboard.view_kind import Drawn, ViewKind
from indicators import assess, query
from indicators.schema import Direction

MEDIAN_LABEL = "peer-group median"
#: Width of each strip in the shared small-multiples chart (a concat cannot fill its container).
MULTIPLE_WIDTH = 560


def build_ranked(view: CompareView) -> Drawn:
    ident = assess.other_form(view.indicators[0], view.form)
    item = query.definition(ident)
    group = peer_group(view)
    rows, notes = assess.compare_table((ident,), group.members, view.year)
    rows = query.with_estimated(rows)
    if rows.empty:
        raise query.QueryError(f"none of the {len(group.members)} areas in {group.label} has a value of {item.label}")
    median = float(rows["median"].iloc[0])
    when = years_of(rows["year"], view.year)
    title = f"{item.label} — {query.area_name(view.area)} among {group.label} ({when})"
    chart = compare_charts.ranked_dots(
        rows,
        title=title,
        unit=item.unit,
        higher_is_better=item.direction == Direction.higher_is_better,
        highlight=[view.area],
        median=median,
        median_label=MEDIAN_LABEL,
    )
    return Drawn(
        chart=chart,
        data=shown_rows(rows),
        title=title,
        indicators=(ident,),
        stem=f"{ident}_compare",
        description=compare_charts.describe_ranked(rows, title=item.label, unit=item.unit, median=median),
        notes=tuple(group.notes) + tuple(notes),
    )


def shown_indicators(view: CompareView) -> tuple[str, ...]:
    """The link's indicators in the chosen per-capita or total form, each once, in the link's order."""
    return tuple(dict.fromkeys(assess.other_form(i, view.form) for i in view.indicators))


def build_multiples(view: CompareView) -> Drawn:
    """Every indicator of the link as one strip of the peer group (better always to the right), stacked."""
    group = peer_group(view)
    shown = shown_indicators(view)
    table, notes = assess.compare_table(shown, group.members, view.year)
    table = query.with_estimated(table)
    panels, drawn, described = [], [], []
    for ident in shown:
        rows = table[table["indicator"] == ident]
        if rows.empty:
            continue
        item = query.definition(ident)
        median = float(rows["median"].iloc[0])
        strip = compare_charts.strip_panel(
            rows,
            title=f"{item.label} ({years_of(rows['year'], view.year)})",
            unit=item.unit,
            higher_is_better=item.direction == Direction.higher_is_better,
            highlight=[view.area],
            median=median,
        )
        panels.append(strip.properties(width=MULTIPLE_WIDTH))
        drawn.append(ident)
        described.append(
            compare_charts.describe_strip(rows, title=item.label, unit=item.unit, highlight=[view.area], median=median)
        )
    if not panels:
        raise query.QueryError(
            f"none of the {len(group.members)} areas in {group.label} has a value of these indicators"
        )
    when = years_of(table.loc[table["indicator"].isin(drawn), "year"], view.year)
    count = f"{len(drawn)} indicator{'s' if len(drawn) > 1 else ''}"
    title = f"{query.area_name(view.area)} among {group.label} on {count} ({when})"
    chart = (
        alt.vconcat(*panels)
        .resolve_scale(x="independent")
        .properties(
            title=heading(
                title,
                estimate_marks.subtitle(
                    "Better is always to the right; dashed line: the peer-group median",
                    estimate_marks.LETTER_LINE,
                    table[table["indicator"].isin(drawn)],
                ),
            )
        )
    )
    return Drawn(
        chart=chart,
        data=shown_rows(table[table["indicator"].isin(drawn)]),
        title=title,
        indicators=tuple(drawn),
        stem=f"{drawn[0]}_{len(drawn)}_compare_multiples",
        description=" ".join(described),
        notes=tuple(group.notes) + tuple(notes),
    )


def embed_kind(view: CompareView) -> str | None:
    """The kind an embed link draws when it names none: the small multiples for ``view=multiples``."""
    return "compare_multiples" if view.chart == "multiples" else None


KINDS = (
    ViewKind("compare", page=PAGE, label="Ranked comparison", parse=parse, build=build_ranked),
    ViewKind("compare_multiples", page=PAGE, label="Small multiples", parse=parse, build=build_multiples),
)
