"""Compare page (thin Streamlit file): one or more indicators across a peer group, as ranked dot plots with the group
median, as small multiples (one strip per indicator), or as a table.

Peer groups are relative to a chosen place (its income group, world region, the countries nearest
in GDP per capita) or fixed (OECD, EU27, all, a list). Levels other than countries (NUTS2, TL2,
GDL regions) are offered as soon as areas and definitions of that level exist. The view lives in
the URL.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import data_version, frame
from dashboard.pages.compare import charts, data, state, views
from dashboard.pages.compare.data import PAGE, shown_rows
from dashboard.pages.compare.state import COMPARE_CHARTS, FORMS, MAX_INDICATORS, CompareView
from dashboard.pages.titles import years_of
from dashboard.url_state import PEER_KINDS, SHARE_PARAMS, SIMILAR_RANGE
from indicators import areas, assess, query

LEVEL_LABELS = {
    "country": "Countries",
    "nuts2": "NUTS 2 regions",
    "tl2": "OECD TL2 regions",
    "gdl_region": "GDL regions",
}
CHART_LABELS = {"ranked": "Ranked", "multiples": "Small multiples", "table": "Table"}
REGION_PEER_KINDS = ("all", "custom")
#: A strip of the small multiples has no title of its own above it: less room than a whole chart.
STRIP_FURNITURE_PX = 70


def _initialise_widgets(view: CompareView) -> None:
    frame.seed_widgets(
        "cmp",
        lambda: {
            "cmp_indicators": list(view.indicators),
            "cmp_area": view.area,
            "cmp_peers": view.peers,
            "cmp_similar": view.similar,
            "cmp_custom": list(view.custom),
            "cmp_year": view.year or "latest",
            "cmp_form": view.form,
            "cmp_chart": view.chart,
            "cmp_level": view.level,
            "cmp_within": view.within or "",
        },
    )


def _found_region(code: str) -> None:
    """ "Find a region" picked ``code``: show its level, within its country, with it highlighted."""
    level = areas.level_of(code)
    if level not in data.levels():
        return
    st.session_state["cmp_level"] = level
    st.session_state["cmp_within"] = str(areas.classified().at[code, "parent"] or "")
    st.session_state["cmp_area"] = code


def body(link: frame.Link) -> None:
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    levels = data.levels()
    _initialise_widgets(view)
    frame.show_link_notices(link, view.notices)

    level = view.level
    indicator_ids, area_codes = data.options(level)
    within = None
    if len(levels) > 1:
        top = st.columns([3, 3])
        level = top[0].radio("Level", levels, key="cmp_level", horizontal=True, format_func=LEVEL_LABELS.get)
        frame.region_finder("cmp_find", _found_region, container=top[1])
        indicator_ids, area_codes = data.options(level)
        if any(i not in indicator_ids for i in st.session_state.get("cmp_indicators", [])):
            within_now = st.session_state.get("cmp_within") or (view.within if level == view.level else None)
            _keep_valid("cmp_indicators", indicator_ids, data.default_indicators(level, within_now))
        if level != "country":
            parents = ["", *data.parents(level)]
            _keep_valid("cmp_within", parents, "")
            # A country highlighted before the switch to a regional level opens on its own regions.
            if not st.session_state.get("cmp_within") and st.session_state.get("cmp_area") in parents:
                st.session_state["cmp_within"] = st.session_state["cmp_area"]
            within = (
                st.selectbox(
                    "Regions within one country",
                    parents,
                    key="cmp_within",
                    format_func=lambda c: "All countries" if c == "" else query.area_name(c),
                )
                or None
            )
            area_codes = data.regions_within(within, level, area_codes)
        _keep_valid("cmp_area", area_codes, area_codes[0] if area_codes else "")
    definitions = {d.id: d for d in assess.definitions_at(level)}

    chosen = st.multiselect(
        "Indicators",
        indicator_ids,
        key="cmp_indicators",
        format_func=lambda i: f"{definitions[i].theme.title()} · {definitions[i].label}",
        max_selections=MAX_INDICATORS,
        placeholder="Choose one or more",
    )
    controls = st.columns([3, 3, 2])
    area = controls[0].selectbox(
        "Highlight",
        area_codes,
        key="cmp_area",
        format_func=lambda code: areas.place_label(code, None if level == "country" else level),
        **frame.PLACE_PICKER,
    )
    kinds = PEER_KINDS if level == "country" else REGION_PEER_KINDS
    _keep_valid("cmp_peers", kinds, "all")
    peer_labels = assess.PEER_KIND_LABELS | ({} if level == "country" else {"all": "All regions"})
    peers = controls[1].selectbox("Peer group", kinds, key="cmp_peers", format_func=peer_labels.get)
    years = _year_choices(chosen)
    _keep_valid("cmp_year", years, "latest")
    year = controls[2].selectbox(
        "Year", years, key="cmp_year", format_func=lambda y: "Latest" if y == "latest" else str(y)
    )

    similar, custom = view.similar, tuple(view.custom)
    if peers == "similar_gdp":
        similar = st.slider("How many countries nearest in GDP per capita", *SIMILAR_RANGE, key="cmp_similar")
    elif peers == "custom":
        _keep_valid("cmp_custom", area_codes, [])
        custom = tuple(
            st.multiselect(
                "Areas to compare",
                area_codes,
                key="cmp_custom",
                format_func=lambda code: areas.place_label(code, None if level == "country" else level),
                max_selections=60,
                **frame.MULTI_PLACE_PICKER,
                placeholder="Choose areas",
            )
        )

    options = st.columns([3, 3])
    pairs = assess.per_capita_pairs()
    has_pair = any(i in pairs or i in pairs.values() for i in chosen)
    form = view.form
    if has_pair:
        form = options[0].radio(
            "Form",
            FORMS,
            key="cmp_form",
            horizontal=True,
            format_func={"per_capita": "Per capita", "total": "Total"}.get,
        )
    chart = options[1].radio("Show as", COMPARE_CHARTS, key="cmp_chart", horizontal=True, format_func=CHART_LABELS.get)

    current = CompareView(
        indicators=tuple(chosen) or view.indicators,
        area=area,
        peers=peers,
        similar=similar,
        custom=custom,
        year=None if year == "latest" else int(year),
        form=form,
        chart=chart,
        level=level,
        within=within,
    )
    frame.sync_url(current.to_query())
    if not chosen:
        st.warning("Choose at least one indicator.")
        return

    shown = tuple(dict.fromkeys(assess.other_form(i, form) for i in chosen))
    group = assess.peer_group(peers, area, level=level, n_similar=similar, custom=custom, within=within)
    for note in group.notes:
        st.caption(f"Note: {note}.")
    table, notes = assess.compare_table(shown, group.members, current.year)
    st.caption(
        f"{len(group.members)} areas in the peer group ({group.label}); "
        f"{'latest value' if current.year is None else f'latest value up to {current.year}'} of each, "
        f"ranked only when at most {assess.RECENT_YEARS} years older than the group's newest."
    )
    if table.empty:
        st.warning("None of these areas has data for the chosen indicators.")
        return
    if chart == "ranked":
        _ranked(table, shown, current)
    elif chart == "multiples":
        _multiples(current)
    else:
        _table(table, shown, current)
    for note in notes:
        st.caption(f"Note: {note}.")


def _keep_valid(key: str, options, fallback) -> None:
    """Reset a widget's stored value when it is no longer among its options (e.g. after a level change)."""
    value = st.session_state.get(key)
    if isinstance(value, list):
        kept = [v for v in value if v in options]
        if kept != value:
            st.session_state[key] = kept or list(fallback)
    elif value is not None and value not in options:
        st.session_state[key] = fallback


def _year_choices(indicator_ids: list[str]) -> list:
    last = 1960
    first = 2100
    for ident in indicator_ids:
        low, high = query.year_range(ident)
        first, last = min(first, low), max(last, high)
    if first > last:
        return ["latest"]
    return ["latest", *range(last, max(first, 1960) - 1, -1)]


def _grid(count: int) -> list:
    """Cells two to a row, in reading order (a phone stacks columns, so the chosen order is kept)."""
    if count == 1:
        return [st.container()]
    cells = []
    for _ in range(0, count, 2):
        cells.extend(st.columns(2))
    return cells[:count]


def _ranked(table: pd.DataFrame, shown: tuple[str, ...], current: CompareView) -> None:
    """Each indicator's chart as the share registry draws it from its own one-indicator link (built once
    per view and cached), with exactly its rows as a table and CSV, and its share panel."""
    cells = _grid(len(shown))
    for i, ident in enumerate(shown):
        if (table["indicator"] == ident).sum() == 0:
            continue
        view = replace(current, indicators=(ident,), chart="ranked", notices=())
        with cells[i]:
            frame.chart_block("compare", view, key=f"cmp_rank_{ident}")


def _multiples(current: CompareView) -> None:
    """The strips as the share registry draws them from the link (one stacked chart, built once per view and
    cached), laid out two to a row, with exactly their rows as a table and CSV, and one share panel."""
    view = replace(current, chart="multiples", notices=())
    base, version = frame.base_url(PAGE), data_version.current()
    try:
        shared, spec = frame.drawn_view("compare_multiples", view, base, version)
        rows_drawn = frame.drawn_rows("compare_multiples", view, base, version)
    except query.QueryError as error:
        st.warning(f"Nothing to draw: {frame.markdown_text(str(error))}.")
        return
    st.caption("One strip per indicator; better is always to the right. The dashed line is the peer-group median.")
    shared_parts = {key: spec[key] for key in ("$schema", "config", "datasets") if key in spec}
    drawn = list(dict.fromkeys(shared.data["indicator"]))
    for cell, ident, part in zip(_grid(len(drawn)), drawn, spec["vconcat"], strict=True):
        rows = shared.data[shared.data["indicator"] == ident]
        item = query.definition(ident)
        alt_text = charts.describe_strip(
            rows, title=item.label, unit=item.unit, highlight=[current.area], median=float(rows["median"].iloc[0])
        )
        with cell:
            st.vega_lite_chart(
                shared_parts | part | {"width": "container"},
                width="stretch",
                height=part["height"] + STRIP_FURNITURE_PX,
                alt=alt_text,
            )
    st.caption(shared.meta.source_line)
    frame.data_table(rows_drawn, file_name=shared.file_name("csv"), key="cmp_multiples")
    frame.share_panel("compare_multiples", view, key="share_cmp_multiples")


def _table(table: pd.DataFrame, shown: tuple[str, ...], current: CompareView) -> None:
    # Each column names the year(s) of its values, as the charts' titles do: "(latest)" says not of when.
    labels = {
        ident: f"{query.definition(ident).label} ({years_of(table.loc[table['indicator'] == ident, 'year'], current.year)})"
        for ident in shown
    }
    wide = table.pivot_table(index="name", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=[i for i in shown if i in wide.columns]).rename(columns=labels)
    st.dataframe(wide, width="stretch")
    st.caption(query.source_line(shown))
    frame.data_table(shown_rows(table), file_name="compare_table.csv", key="cmp_table", label="Show ranks and years")
    st.caption("A table has no picture: sharing it offers these rows as CSV and draws them as small multiples.")
    frame.share_panel("compare_multiples", replace(current, chart="table", notices=()), key="share_cmp_table")


def _embed_chart(params: dict) -> str | None:
    return views.embed_kind(state.parse(params, extra_allowed=SHARE_PARAMS))


frame.run(
    PAGE,
    body,
    title="Compare",
    caption="Where does a place stand among its peers — on several measures at once?",
    embed_chart=_embed_chart,
)
