"""Overview page (thin Streamlit file): a scorecard for one place — is it getting better beyond GDP?

GDP per capita sits next to the inclusive, circular and climate indicators, grouped by theme (or, with
``group=framework``, by How's Life framework component: now, inequality, later, elsewhere);
each shows its latest value and year, rank among a chosen peer group, a trend arrow and (where the
indicator has a target) a four-level status, both from the one rule of :mod:`indicators.status`,
and a sparkline. The view (place, peers, start year, grouping) lives in the URL.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data_version, frame, warmup
from dashboard.pages.overview import charts, data, state
from dashboard.pages.overview.data import PAGE
from dashboard.pages.overview.state import OverviewView, StandingView
from dashboard.url_state import PEER_KINDS, SHARE_PARAMS, SIMILAR_RANGE
from indicators import areas as places
from indicators import assess, query, status

ROW_PX = 35
SINCE_CHOICES = (2000, 2005, 2010, 2015)
SIGNAL_MARKS = {True: ":green[▲ better]", False: ":orange[▼ worse]"}
SIGNAL_TITLES = {
    "new_record": "New record",
    "trend_break": "Change in trend",
    "peer_divergence": "Moving away from peers",
    "against_gdp": "Worse while GDP grows",
}


def _initialise_widgets(view: OverviewView, tab: str) -> None:
    frame.seed_widgets(
        "ov",
        lambda: {
            "ov_tab": data.TAB_LABELS[view.group][tab],
            "ov_area": view.area,
            "ov_peers": view.peers,
            "ov_since": view.since,
            "ov_similar": view.similar,
            "ov_custom": list(view.custom),
            "ov_group": view.group,
        },
    )


def _found_region(code: str) -> None:
    st.session_state["ov_area"] = code


def body(link: frame.Link) -> None:
    # ``theme`` names one chart of a shared link (see views.py): the tab the page opens on.
    view = state.parse_page(link.params, extra_allowed=(*SHARE_PARAMS, "theme"))
    tab, tab_notices = state.parse_tab(link.params, view.group)
    _initialise_widgets(view, tab)
    frame.show_link_notices(link, view.notices + tab_notices)

    listed = data.place_options()
    chosen_now = st.session_state.get("ov_area", view.area)
    # Regions are not listed (there are thousands): one opened by a link or "Find a region" joins the list.
    area_codes = listed if chosen_now in set(listed) else [*listed, chosen_now]
    controls = st.columns([3, 3, 2])
    area = controls[0].selectbox(
        "Place (country, group or region)",
        area_codes,
        key="ov_area",
        format_func=frame.place_label,
        **frame.PLACE_PICKER,
    )
    frame.region_finder("ov_find", _found_region, container=controls[0])
    region = places.level_of(area) != "country"
    kinds = ("income_group", *data.REGION_PEERS) if region else PEER_KINDS
    if st.session_state.get("ov_peers") not in kinds:
        st.session_state["ov_peers"] = "income_group"
    labels = assess.PEER_KIND_LABELS | (data.REGION_PEER_LABELS if region else {})
    peers = controls[1].selectbox("Compare with", kinds, key="ov_peers", format_func=labels.get)
    choices = sorted({*SINCE_CHOICES, view.since})
    since = controls[2].selectbox("Trend since", choices, key="ov_since")
    similar, custom = view.similar, tuple(view.custom)
    if peers == "similar_gdp":
        similar = st.slider("How many countries nearest in GDP per capita", *SIMILAR_RANGE, key="ov_similar")
    elif peers == "custom":
        # A region is compared with regions of its level; a country or group with countries and groups.
        pool = data.peer_options(area) if region else area_codes
        choices = [a for a in pool if a != area]
        if any(code not in set(choices) for code in st.session_state.get("ov_custom", [])):
            st.session_state["ov_custom"] = [c for c in st.session_state["ov_custom"] if c in set(choices)]
        custom = tuple(
            st.multiselect(
                "Peers to compare with",
                choices,
                key="ov_custom",
                format_func=frame.place_label,
                max_selections=60,
                **frame.MULTI_PLACE_PICKER,
                placeholder="Choose regions" if region else "Choose countries",
            )
        )
    grouping = st.radio(
        "Group the indicators by",
        list(data.GROUP_TITLES),
        key="ov_group",
        format_func=data.GROUP_LABELS.get,
        horizontal=True,
    )
    current = OverviewView(area=area, peers=peers, since=since, similar=similar, custom=custom, group=grouping)
    labels = data.TAB_LABELS[current.group]
    if st.session_state.get("ov_tab") not in labels.values():  # the grouping changed: its first chart
        st.session_state["ov_tab"] = next(iter(labels.values()))
    selected = next(key for key, label in labels.items() if label == st.session_state["ov_tab"])
    first = next(iter(labels))
    frame.sync_url(current.to_query() | ({"theme": selected} if selected != first else {}))

    group = data.peer_group(current.area, current.peers, current.similar, current.custom)
    for note in group.notes:
        st.caption(f"Note: {note}.")
    # The headline needs every theme; its slot comes first on the page but is filled last, so the chart
    # appears as soon as its theme is computed (a cold first view shows it within a second).
    headline_slot = st.container()
    # One tab per theme (or framework component), and only the open one is drawn: four charts and tables
    # at once made the page 11,000 px tall, and the browser drew three of them below the fold.
    # ``theme=`` in the link opens a tab; the address follows the tab clicked.
    tabs = st.tabs(list(labels.values()), key="ov_tab", on_change="rerun")
    # An empty link's view is what the server-start warm-up computes: wait for its step rather than
    # compute the same numbers at the same time (a no-op once it is done, or without a warm-up).
    warmed = current == OverviewView() and data_version.current() == warmup.warmed_version()
    for (key, title), tab_container in zip(data.GROUP_TITLES[current.group].items(), tabs, strict=True):
        if key != selected:
            continue
        with tab_container:
            if warmed:
                warmup.wait_for(f"overview {key}")
            rows = data.group_rows(area, group.members, since, current.group, key)
            if rows.empty:
                st.info(f"No indicator of this group has data for {query.area_name(area)}.")
                continue
            _theme_block(rows, title, StandingView(current, key), group, since)
    if warmed:
        warmup.wait_for("overview headline")
    card = data.place_card(area, group.members, since)
    with headline_slot:
        _headline_block(card, area, since, group)
        with st.expander("How status and arrows are decided"):
            st.markdown(status.RULE_TEXT)
    if card["year"].notna().any():
        if warmed:
            warmup.wait_for("overview signals")
        _signals_block(area, group.members, since)


def _headline_block(card, area: str, since: int, group: assess.PeerGroup) -> None:
    if card["year"].isna().all():
        st.warning(f"There is no data for {query.area_name(area)} yet.")
        return
    sentence, coverage = data.place_headline(area, group.members, since)
    st.markdown(f"##### {sentence}")
    if coverage:
        wellbeing = card[card["theme"].isin(assess.WELLBEING_THEMES)]
        stale = int((wellbeing["year"].notna() & ~wellbeing["recent"].astype(bool)).sum())
        missing = int(wellbeing["year"].isna().sum())
        few = int((wellbeing["year"].notna() & (wellbeing["verdict"] == "too few points")).sum())
        # name every gap the note lists ("0 of 21 have no recent value" above a list of 21 without a trend hid it)
        gaps = [
            f"{stale} have no recent value" if stale else "",
            f"{few} too few values for a trend" if few else "",
            f"{missing} no data" if missing else "",
        ]
        with st.expander(f"Coverage of the {len(wellbeing)} wellbeing indicators: " + "; ".join(g for g in gaps if g)):
            st.caption(coverage)
    st.caption(
        f"Ranks are among {group.label} ({len(group.members)} areas; only values at most {assess.RECENT_YEARS} years "
        f"older than the group's newest are ranked). Trend: Theil-Sen slope since {since} with a "
        f"{assess.CONFIDENCE:.0%} confidence interval; the arrow and the coloured status follow the one rule "
        "under “How status and arrows are decided”."
    )


def _theme_block(rows, title: str, view: StandingView, group: assess.PeerGroup, since: int) -> None:
    """The theme's (or framework component's) scorecard table and, when something is ranked, its
    standing chart in the frame's chart block (source line, rows as CSV, share panel)."""
    theme = view.theme
    st.subheader(title, divider="gray")
    ranked = bool(rows["percentile"].notna().any())
    if ranked:
        frame.chart_block("scorecard", view, key=f"ov_{theme}")
    table = data.group_table(view.overview.area, group.members, since, view.overview.group, theme)
    st.dataframe(
        data.styled_group_table(view.overview.area, group.members, since, view.overview.group, theme),
        hide_index=True,
        width="stretch",
        height=ROW_PX * (len(table) + 1) + 3,  # every row visible: no scrolling hides an indicator
        column_config={
            "Since": st.column_config.LineChartColumn(f"Since {since}", width="small"),
            "Year": st.column_config.NumberColumn(format="%d"),
        },
    )
    if not ranked:
        st.caption(query.source_line(tuple(rows["indicator"])))
        frame.data_table(charts.scorecard_csv(rows), file_name=f"scorecard_{theme}.csv", key=f"ov_{theme}")


def _signals_block(area: str, members: tuple[str, ...], since: int) -> None:
    found = assess.place_signals(area, members, since)
    st.subheader("Signals worth a look", divider="gray")
    if found.empty:
        st.caption("No signal passed its test for this place.")
        return
    st.caption(
        "Statistical prompts, not verdicts: a record, a change in trend (Chow test), drifting from the peer "
        "median (robust z > 3), or getting worse while GDP grows (both trends' 90% intervals exclude zero)."
    )
    for kind, title in SIGNAL_TITLES.items():
        items = found[found["kind"] == kind]
        if items.empty:
            continue
        # One element per kind (not per signal): a place can have dozens, and each element costs the browser.
        lines = [
            f"- {SIGNAL_MARKS.get(good, '●')} {sentence}"
            for good, sentence in zip(items["good"], items["sentence"], strict=True)
        ]
        st.markdown(f"**{title}**\n\n" + "\n".join(lines))
    frame.data_table(found, file_name=f"signals_{area}.csv", key="ov_signals")


frame.run(
    PAGE,
    body,
    title="Overview",
    caption="Is this place getting better beyond GDP? Latest values, ranks among peers, recent trends and targets.",
)
