"""Decoupling page: is growth decoupling from emissions and material use? (thin Streamlit file)

The view lives in the URL (``decoupling?y=…&x=…&areas=…&from=…&to=…``); the charts are drawn by
:mod:`dashboard.pages.decoupling.views`, exactly as the export CLI and the embed view draw them; the
frame (:mod:`dashboard.frame`) does the chores every page shares.
"""

from __future__ import annotations

import streamlit as st

from dashboard import frame
from dashboard.pages.decoupling import data, state
from dashboard.pages.decoupling.views import PAGE
from dashboard.url_state import SHARE_PARAMS
from indicators import decoupling, query

LEVEL_NAMES = {"country": "Countries", "nuts2": "NUTS2 regions (EU)", "gdl_region": "Regions (Global Data Lab)"}


def body(link: frame.Link) -> None:
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    frame.seed_widgets(
        "dec",
        lambda: {
            "dec_y": view.y,
            "dec_x": view.x,
            "dec_areas": list(view.areas),
            "dec_log": view.log,
            "dec_context": view.context,
        },
    )
    frame.show_link_notices(link, view.notices)

    top = st.columns([3, 2, 4])
    y = top[0].selectbox(
        "Measure (y axis)",
        state.y_options(),
        key="dec_y",
        format_func=lambda i: f"{LEVEL_NAMES[state.level_of(i)]} · {query.definition(i).label}",
    )
    level = state.level_of(y)
    xs = state.x_options(level)
    if st.session_state.get("dec_x") not in xs:
        st.session_state["dec_x"] = xs[0]
    x = top[1].selectbox("GDP measure (x axis)", xs, key="dec_x", format_func=lambda i: query.definition(i).label)
    places = state.area_options(level)
    chosen = [a for a in st.session_state.get("dec_areas", []) if a in places]
    if chosen != st.session_state.get("dec_areas"):
        st.session_state["dec_areas"] = chosen or list(state.DEFAULT_AREAS[level])
    areas = top[2].multiselect(
        LEVEL_NAMES[level],
        places,
        key="dec_areas",
        format_func=frame.place_label,
        max_selections=state.MAX_AREAS,
        **frame.MULTI_PLACE_PICKER,
        placeholder=f"Choose up to {state.MAX_AREAS}",
    )
    probe = state.DecouplingView(y=y, x=x, areas=tuple(areas) or state.DEFAULT_AREAS[level])
    first, last = data.year_span(probe)
    default_years = data.years_shown(probe if view.y != y or view.x != x else view)
    if "dec_years" not in st.session_state or not _within(st.session_state["dec_years"], first, last):
        st.session_state["dec_years"] = (max(first, default_years[0]), min(last, default_years[1]))
    options = st.columns([4, 2, 2])
    start, end = (
        options[0].slider("Period judged", first, last, key="dec_years", step=1) if first < last else (first, last)
    )
    log = options[1].toggle("Log scale for GDP", key="dec_log")
    context = options[2].toggle("Grey lines for other places", key="dec_context")

    current = state.DecouplingView(
        y=y,
        x=x,
        areas=tuple(areas) or state.DEFAULT_AREAS[level],
        start=start,
        end=end,
        log=log,
        context=context,
    )
    frame.sync_url(current.to_query())
    if not areas:
        st.warning("Choose at least one place to draw its trail.")
        return

    left, right = st.columns([3, 2])
    with left:
        frame.chart_block("decoupling", current, key="dec_scatter")
    with right:
        _verdicts(current)
    note = data.VERDICT_SOURCE + "." if data.is_pressure(y) else ""
    frame.chart_block("decoupling_rates", current, key="dec_rates", note=note)
    if y in (data.TERRITORIAL, data.CONSUMPTION):
        st.subheader("Produced here or consumed here? Emissions embodied in trade")
        frame.chart_block("decoupling_outsourcing", current, key="dec_outsourcing")


def _verdicts(view: state.DecouplingView) -> None:
    """The answer beside the scatter, in words: one line per place and measure, then what each verdict means."""
    start, end = data.years_shown(view)
    table, notes = data.verdicts(view)
    pressure = data.is_pressure(view.y)
    label = query.definition(view.y).label
    st.markdown(f"**{'Verdicts' if pressure else 'Average change per year'}, {start}–{end}: {label}**")
    if table.empty:
        st.info("No place has both series in both years; " + "; ".join(notes))
        return
    several_drivers = table["driver_label"].nunique() > 1
    rows = [
        {
            "Place": r.name,
            **({"Measure": r.pressure_label} if table["pressure"].nunique() > 1 else {}),
            **({"Verdict": data.short_verdict(r.verdict)} if pressure else {}),
            "Measure, per year": f"{r.pressure_rate:+.1%}",
            ("GDP, per year" if several_drivers else f"{r.driver_label}, per year"): f"{r.gdp_rate:+.1%}",
        }
        for r in table.itertuples(index=False)
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    for note in notes:
        st.caption(f"Note: {note}.")
    if pressure:
        st.markdown("\n".join(f"- {text}" for key, text in decoupling.VERDICTS.items() if key != "insufficient_data"))
        st.caption(
            "For countries, CO2 and material footprint are judged as national totals against total GDP, so "
            "absolute decoupling means the national total fell; other measures per person against GDP per "
            "person. The decoupling factor in the data (1 − intensity at the end / intensity at the start) is "
            "positive when each unit of GDP came with less of the measure."
        )
    else:
        st.caption(
            "No decoupling verdict: verdicts are for environmental pressures (emissions, materials, energy). "
            "Changes are relative: +5% a year means the value grew by 5% of itself each year."
        )


def _within(years, first: int, last: int) -> bool:
    return isinstance(years, tuple | list) and len(years) == 2 and first <= years[0] <= years[1] <= last


frame.run(
    PAGE,
    body,
    title="Decoupling",
    caption="Is growth decoupling from emissions and material use? Each line is one place moving year by year: "
    "right is richer, down is less of the measure. Wellbeing measures (life expectancy, life satisfaction) "
    "can be drawn the same way.",
)
