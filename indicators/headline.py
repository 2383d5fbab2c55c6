"""The Overview's headline sentence: how GDP moved beside how the wellbeing measures moved.

The sentence never hides what it could not count: its note names the measures whose latest value
is not recent, those with too few values for a trend and those without data.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from indicators import query
from indicators.areas import headline_gdp
from indicators.constants import GDP_PER_CAPITA, MIN_TREND_POINTS, RECENT_YEARS, WELLBEING_THEMES
from indicators.scorecard import scorecard


@lru_cache(maxsize=128)
def place_headline(ref_area: str, members: tuple[str, ...], since: int = 2010) -> tuple[str, str]:
    """:func:`headline` of the place's :func:`~indicators.scorecard.scorecard`, computed once per view."""
    return headline(scorecard(ref_area, members, since), ref_area, since)


def _mid_sentence(label: str) -> str:
    """A label inside a sentence: "regional GDP per inhabitant", while "GDP" or "HDI" keep their capitals."""
    first = label.split(" ", 1)[0]
    return label[0].lower() + label[1:] if first[:1].isupper() and first[1:].islower() else label


def _no_change(ident: str, what: str, ref_area: str, name: str, since: int) -> str:
    """Why the headline has no change in GDP (or its level's equivalent), saying what is true: no series at
    all, a single year (OECD TL2 tables for many regions hold only 2016), a series that ends before ``since``,
    or too few values since ``since`` for a trend."""
    years = sorted({int(y) for y in query.area_panel(ident, ref_area)["year"].dropna()})
    if not years:
        return f"There is no {what} series for {name}"
    if len(years) == 1:
        return f"{what} for {name} is available for {years[0]} only; no change can be computed"
    recent = [y for y in years if y >= since]
    if not recent:
        return f"{what} for {name} ends in {years[-1]}, before {since}; no change since {since} can be computed"
    listed = ", ".join(str(y) for y in recent)
    return (
        f"{what} for {name} has {len(recent)} value{'s' if len(recent) > 1 else ''} since {since} ({listed}), "
        f"fewer than the {MIN_TREND_POINTS} a trend needs; no change can be computed"
    )


def headline(card: pd.DataFrame, ref_area: str, since: int) -> tuple[str, str]:
    """('Since 2010, GDP per capita in Sweden rose 18% (to 2025); of 20 wellbeing indicators …', coverage note).

    A region is headed by its level's equivalent (regional GDP per inhabitant for NUTS2, see
    :data:`indicators.areas.HEADLINE_GDP`). Counts only indicators with a trend since ``since``.
    """
    name = query.area_name(ref_area)
    parts = []
    ident = headline_gdp(ref_area) or GDP_PER_CAPITA
    what = "GDP per capita" if ident == GDP_PER_CAPITA else query.definition(ident).label
    gdp = card[card["indicator"] == ident]
    if len(gdp) and pd.notna(gdp["change_pct"].iloc[0]):
        row = gdp.iloc[0]
        change = float(row["change_pct"])
        verb = "rose" if change > 0 else "fell"
        parts.append(
            f"Since {int(row['trend_from'])}, {_mid_sentence(what)} in {name} {verb} {abs(change):.0f}% "
            f"(to {int(row['trend_to'])})"
        )
    else:
        parts.append(_no_change(ident, what, ref_area, name, since))
    wellbeing = card[card["theme"].isin(WELLBEING_THEMES)]
    counted = wellbeing[wellbeing["verdict"] != "too few points"]
    counts = counted["verdict"].value_counts()
    if len(counted):
        parts.append(
            f"of {len(counted)} wellbeing indicators with a trend since {since}, "
            f"{counts.get('improving', 0) + counts.get('improving too slowly', 0)} improved, "
            f"{counts.get('worsening', 0)} worsened and {counts.get('no clear change', 0)} show no clear change"
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
