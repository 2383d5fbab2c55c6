"""Futures page: its shareable charts (``KINDS``, gathered by :mod:`dashboard.registry`).

``futures`` draws the outlook (observed, projection band, target, the link's pathway); ``futures_rates``
the change per year achieved against the change required. A pathway is part of the link (``rate=`` or
``by=``), so a scenario is exported, embedded and baked like any other view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from dashboard.pages.futures import charts, data
from dashboard.pages.futures.state import FuturesView, parse
from dashboard.pages.titles import published
from dashboard.view_kind import Drawn, ViewKind
from indicators import query
from indicators.methods.signals import readable

PAGE = "futures"


def percent(rate: float | None) -> str:
    """A change per year for a sentence: '−3.9%/yr' ('n/a' where a compound rate does not exist)."""
    return "n/a" if rate is None or math.isnan(rate) else f"{rate * 100:+.1f}%/yr".replace("-", "−")


def with_unit(value: float, unit: str) -> str:
    """'2 %', '1.5 t': a target or threshold with the indicator's unit."""
    return f"{published(value)} {unit}".strip()


def aim_text(look: data.Outlook, unit: str) -> str:
    """Which point the required pace, the target line and "year reached" aim at, when it is not the target
    itself: 'green threshold 2 % (SDSN, Sustainable Development Report 2025, indicator codebook), target 0 %'.
    '' when they aim at the target (no sourced bands)."""
    if not look.aims_at_green:
        return ""
    t = look.target
    return f"green threshold {with_unit(look.aim, unit)} ({t.bands.document}), target {with_unit(t.value, unit)}"


def target_text(look: data.Outlook, unit: str = "") -> str:
    if look.target is None:
        return "no target is declared for this indicator"
    t = look.target
    bound = "at least" if t.kind == "at_least" else "at most"
    text = f"{t.label} ({t.source}): {bound} {with_unit(t.value, unit)} by {t.year}"
    if look.aims_at_green:
        text += (
            f"; the status counts it as met at the source's green threshold, so the required pace, the target "
            f"line and the year reached aim at the {aim_text(look, unit)}"
        )
    return text


def pathway_text(view: FuturesView, look: data.Outlook) -> str:
    """The pathway in one sentence, with the year it meets the target (or that it never does)."""
    rate = data.pathway_rate(view, look)
    if rate is None:
        return ""
    text = f"Your pathway: {percent(rate)} from {look.latest_year}"
    if look.target is not None:
        reached = data.year_reached(look, rate)
        met = "reaches the green threshold" if look.aims_at_green else "meets the target"
        text += f", {met} in {reached}" if reached else f", never {met}"
    if look.boundary is not None:
        inside = data.year_boundary_reached(look, rate)
        what = "floor" if look.boundary.kind == "floor" else "per-person boundary"
        text += f", reaches the {what} in {inside}" if inside else f", never reaches the {what}"
    return text


def boundary_text(look: data.Outlook) -> str:
    """'Per-person boundary: at most 1.61 (O'Neill et al. 2018 …)' or '' when none applies."""
    b = look.boundary
    if b is None:
        return ""
    what = "Social floor: at least" if b.kind == "floor" else "Per-person boundary: at most"
    return f"{what} {published(b.value)} ({b.citation})"


def _csv(frame: pd.DataFrame, view: FuturesView) -> pd.DataFrame:
    """The rows drawn, naming the place (:func:`dashboard.share.csv_rows` adds the indicator's facts)."""
    return frame.assign(ref_area=view.area, name=query.area_name(view.area))


def build_outlook(view: FuturesView) -> Drawn:
    item = query.definition(view.indicator)
    place = query.area_name(view.area)
    look = data.outlook(view)
    history = data.history(view)
    history = history.assign(
        estimated=query.estimated_at([view.indicator], pd.Series(view.area, index=history.index), history["year"])
    )
    projection, method = data.projection(view, look)
    path = data.pathway(view, look)
    goal = None
    if look.target is not None:
        # Drawn inside the plot, so short: a long label ("Per-capita share of the climate boundary: 1.61 t CO2
        # a year (no deadline …)") made a phone's plot a thin strip. The summary above names the source.
        words = "at least" if look.target.kind == "at_least" else "at most"
        short = f"Target: {words} {with_unit(look.target.value, item.unit)} by {look.target.year}"
        if look.aims_at_green:  # the line is drawn where the status counts the target as met
            # Short, as it is drawn inside the plot; the summary above and the rates chart name the source.
            short = (
                f"Aimed at: green threshold {with_unit(look.aim, item.unit)}, "
                f"target {with_unit(look.target.value, item.unit)}"
            )
        goal = {"value": look.aim, "year": look.target.year, "label": look.target.label, "short": short}
    bound = None
    if look.boundary is not None:
        what = "Floor" if look.boundary.kind == "floor" else "Per-person boundary"
        bound = {
            "value": look.boundary.value,
            "label": f"{what} {published(look.boundary.value)} ({look.boundary.source})",
        }
    title = f"{item.label} in {place}: observed, projected to {data.projection_year(look)}" + (
        f" and the target for {look.target.year}" if look.target else ""
    )
    subtitle = [f"Status: {look.status.sentence}" if look.status else "", f"Projection: {method}", boundary_text(look)]
    if not path.empty:
        subtitle.append(pathway_text(view, look))
    rows = pd.concat(
        [
            history.assign(series="observed"),
            projection.rename(columns={"forecast": "value"}).assign(series="projection"),
            path.assign(series="pathway"),
        ],
        ignore_index=True,
    )
    if bound:
        rows = pd.concat([rows, pd.DataFrame([{"value": bound["value"], "series": "boundary"}])], ignore_index=True)
    if goal:
        goals = [{"year": goal["year"], "value": look.target.value, "series": "target"}]
        if look.aims_at_green:
            goals.insert(0, {"year": goal["year"], "value": goal["value"], "series": "green threshold (aimed at)"})
        rows = pd.concat([rows, pd.DataFrame(goals)], ignore_index=True)
    description = (
        f"{item.label} ({item.unit}) in {place}: {readable(look.latest)} in {look.latest_year}; "
        f"{target_text(look, item.unit)}. "
        f"Status: {look.status.sentence}. Projection: {method}."
        + (f" {pathway_text(view, look)}." if not path.empty else "")
    )
    return Drawn(
        chart=charts.outlook_chart(
            history,
            projection,
            path,
            title=title,
            subtitle=[s for s in subtitle if s],
            unit=item.unit,
            target=goal,
            boundary=bound,
        ),
        data=_csv(rows, view),
        title=title,
        indicators=(view.indicator,),
        stem=f"{view.indicator}_{view.area}_futures",
        description=description,
    )


def change_unit(unit: str) -> str:
    """The unit of a change: a rate in % changes by percentage points, never by '%' (which a reader would
    take for a relative change)."""
    return "percentage points" if unit.strip().startswith("%") else unit


def rates_frame(view: FuturesView, look: data.Outlook) -> pd.DataFrame:
    """Rows of the rates chart; each label gives the change in the indicator's unit and, in brackets, the
    same change relative to the value (compound % a year), named as such."""
    unit = change_unit(query.definition(view.indicator).unit)
    start = look.latest_year - data.TREND_WINDOW
    achieved_pct = look.achieved.rate if look.achieved else None
    rows = [
        {
            "what": f"Achieved, {start}–{look.latest_year} (trend)",
            "kind": "achieved",
            "per_year": look.slope,
            "label": f"{readable(look.slope)} {unit} a year ({percent(achieved_pct)} relative)",
        }
    ]
    if look.required is not None:
        rows.append(
            {
                "what": f"Required, {look.latest_year}–{look.target.year}"
                + (
                    f" (to the green threshold {with_unit(look.aim, query.definition(view.indicator).unit)})"
                    if look.aims_at_green
                    else ""
                ),
                "kind": "required",
                "per_year": look.required.change,
                "label": f"{readable(look.required.change)} {unit} a year ({percent(look.required.rate)} relative)",
            }
        )
    rate = data.pathway_rate(view, look)
    if rate is not None:
        first_step = look.latest * rate
        rows.append(
            {
                "what": "Your pathway (first year)",
                "kind": "pathway",
                "per_year": first_step,
                "label": f"{readable(first_step)} {unit} in the first year ({percent(rate)} relative)",
            }
        )
    return pd.DataFrame(rows, columns=["what", "kind", "per_year", "label"])


def build_rates(view: FuturesView) -> Drawn:
    item = query.definition(view.indicator)
    place = query.area_name(view.area)
    look = data.outlook(view)
    rates = rates_frame(view, look)
    title = f"{item.label} in {place}: change per year achieved" + (" vs required" if look.target else "")
    if look.target is None:
        subtitle = "No target is declared for this indicator, so no rate is required"
    elif look.latest_year >= look.target.year:
        subtitle = f"The target year {look.target.year} has passed; {target_text(look, item.unit)}"
    else:
        subtitle = f"To reach {target_text(look, item.unit)}"
    return Drawn(
        chart=charts.rates_chart(rates, title=title, subtitle=subtitle, unit=change_unit(item.unit)),
        data=_csv(rates, view),
        title=title,
        indicators=(view.indicator,),
        stem=f"{view.indicator}_{view.area}_rates",
        description=f"{title}: " + "; ".join(f"{r.what}: {r.label}" for r in rates.itertuples(index=False)),
    )


def parse_link(params: Mapping[str, object]) -> FuturesView:
    return parse(params)


#: The page's shareable charts, gathered by :mod:`dashboard.registry` (the first is the page's default).
KINDS = (
    ViewKind("futures", page=PAGE, label="Outlook and pathway", parse=parse_link, build=build_outlook),
    ViewKind("futures_rates", page=PAGE, label="Change achieved vs required", parse=parse_link, build=build_rates),
)
