"""Maps page, data → chart: the choropleth and its text alternative (pure Altair, no data access).

Colour: one sequential, colour-blind-safe scheme (viridis), oriented so that **darker is
always better** — reversed for indicators where higher is better. Shapes without data stay on
the map in light grey with their own legend entry.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import estimate_marks
from dashboard.pages.maps.data import Geometry
from dashboard.theme import NUMBER_FORMAT, check_rows, heading
from indicators.numbers import readable

NO_DATA_COLOUR = "#E4E4E4"
NO_DATA_LABEL = "No data"
SCHEME = "viridis"
BORDER_COLOUR = "#FFFFFF"


def colour_scale(higher_is_better: bool) -> alt.Scale:
    """Viridis, dark = better: reversed when higher values are better."""
    return alt.Scale(scheme=SCHEME, reverse=higher_is_better, zero=False)


def choropleth(
    lookup: pd.DataFrame,
    geo: Geometry,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    year: int | None,
    height: int = 480,
    width: int | str = "container",
) -> alt.LayerChart:
    """Shapes coloured by value; shapes without a value light grey with a 'No data' legend entry.

    ``lookup`` has one row per shape: ``shape_id, name, value, year`` (value empty = no data) and optionally
    ``estimated``; a map cannot mark a shape's value, so the tooltip says "Estimated by publisher: yes" and a
    caption line counts them.
    """
    check_rows(len(lookup), title)
    data = lookup.assign(value=lookup["value"].astype(float), year=lookup["year"].astype("Int64"))
    data, estimate_tip = estimate_marks.prepared(data)
    tooltip = [
        alt.Tooltip("name:N", title="Area"),
        alt.Tooltip("value:Q", title=unit, format=NUMBER_FORMAT),
        alt.Tooltip("year:Q", title="Year", format="d"),
        *estimate_tip,
    ]
    better = "higher" if higher_is_better else "lower"
    shapes = (
        alt.Chart(alt.Data(values=geo.text, format=geo.format))
        .mark_geoshape(stroke=BORDER_COLOUR, strokeWidth=0.4, invalid="show")
        .transform_lookup(
            lookup="properties.id",
            # Inline JSON text, like the shapes: Altair does not walk or validate it row by row.
            from_=alt.LookupData(
                data=alt.Data(values=data.to_json(orient="records"), format={"type": "json"}),
                key="shape_id",
                fields=["name", "value", "year", *(["estimated_text"] if estimate_tip else [])],
            ),
        )
        .encode(
            color=alt.Color(
                "value:Q",
                title=unit,
                scale=colour_scale(higher_is_better),
                legend=alt.Legend(orient="right", direction="vertical", gradientLength=220, format=NUMBER_FORMAT),
            ),
            tooltip=tooltip,
        )
    )
    legend_for_missing = (
        alt.Chart(pd.DataFrame({"label": [NO_DATA_LABEL]}))
        .mark_square(size=0, opacity=0)
        .encode(
            color=alt.Color(
                "label:N",
                title=None,
                scale=alt.Scale(domain=[NO_DATA_LABEL], range=[NO_DATA_COLOUR]),
                legend=alt.Legend(orient="right", symbolOpacity=1, symbolType="square", symbolSize=150),
            )
        )
    )
    subtitle = f"{year if year is not None else ''} · darker = better ({better} is better)"
    if estimate_tip:
        count = int(data["estimated"].sum())
        subtitle = [subtitle, f"{count} value{'s' if count > 1 else ''} estimated by the publisher (see the tooltip)"]
    return (
        alt.layer(shapes, legend_for_missing)
        .resolve_scale(color="independent")
        .project(**geo.projection)
        .properties(title=heading(title, subtitle), height=height, width=width)
        # Shapes without a value keep their place, drawn in the 'No data' grey (Vega-Lite 5.19+).
        .configure_scale(invalid={"color": {"value": NO_DATA_COLOUR}})
    )


def describe_map(shown: pd.DataFrame, *, title: str, unit: str, year: int | None, shapes: int) -> str:
    """A text alternative: how many areas have a value, and the highest and lowest ones."""
    if shown.empty:
        return f"Map of {title} ({unit}): no data for {year}."
    ordered = shown.sort_values("value")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    return (
        f"Map of {title} ({unit}) in {year}: {len(shown)} areas with a value out of {shapes} shapes. "
        f"Highest: {high['name']} {readable(high['value'])}; lowest: {low['name']} {readable(low['value'])}."
    )
