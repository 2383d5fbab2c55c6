"""Overview page: a scorecard for one place — is it getting better beyond GDP?

GDP per capita sits next to the inclusive, circular and climate indicators, grouped by theme;
each shows its latest value and year, rank among a chosen peer group, a trend arrow that
appears only when the trend's confidence interval excludes zero, the target status where the
indicator has a target, and a sparkline. The view (place, peers, start year) lives in the URL.
"""

from __future__ import annotations

import streamlit as st

from dashboard import scorecard, ui
from dashboard.view_state import PEER_KINDS, SHARE_PARAMS, SIMILAR_RANGE, OverviewView, parse_overview
from indicators import assess, query

THEME_TITLES = {
    "economy": "Economy",
    "inclusive": "Inclusive: people and fairness",
    "circular": "Circular: materials and waste",
    "climate": "Climate: emissions and energy",
}
#: Title, subtitle, axis and legend around a chart's plotting area: Streamlit 1.67 does not size a layered
#: chart from its spec, so the element height is given explicitly.
CHART_FURNITURE_PX = 110
ROW_PX = 35
SINCE_CHOICES = (2000, 2005, 2010, 2015)
SIGNAL_TITLES = {
    "new_record": "New record",
    "trend_break": "Change in trend",
    "peer_divergence": "Moving away from peers",
    "against_gdp": "Worse while GDP grows",
}


@st.cache_data(show_spinner=False, max_entries=512)
def _standing_spec(area: str, members: tuple[str, ...], since: int, theme: str, title: str, peer_label: str) -> dict:
    """The chart as a Vega-Lite dict, built once per input: Altair's build + to_dict costs ~100 ms a chart."""
    rows = assess.scorecard_theme(area, members, since, theme)
    rows = rows[rows["percentile"].notna()]
    return scorecard.standing_chart(rows, title=title, peer_label=peer_label).to_dict()


@st.cache_data(show_spinner=False, max_entries=256)
def _source_line(indicator_ids: tuple[str, ...]) -> str:
    return query.source_line(list(indicator_ids))


def _area_options() -> list[str]:
    table = query.areas()
    levels = {"aggregate", *assess.levels_with_data()}
    table = table[table["level"].isin(levels)]
    return list(table.sort_values(["is_aggregate", "level", "name"])["ref_area"])


def _initialise_widgets(view: OverviewView) -> None:
    """Copy the URL's view into the widgets once per session; afterwards the widgets lead."""
    if st.session_state.get("ov_initialised"):
        return
    st.session_state.update(
        ov_area=view.area,
        ov_peers=view.peers,
        ov_since=view.since,
        ov_similar=view.similar,
        ov_custom=list(view.custom),
        ov_initialised=True,
    )


def render() -> None:
    area_codes = _area_options()
    params = st.query_params.to_dict()
    last_year = query.year_range(assess.GDP)[1]
    view = parse_overview(params, areas=area_codes, years=(1990, last_year - 2), extra_allowed=SHARE_PARAMS)
    _initialise_widgets(view)

    st.title("Overview")
    st.caption("Is this place getting better beyond GDP? Latest values, ranks among peers, recent trends and targets.")
    ui.show_notices(view.notices)

    controls = st.columns([3, 3, 2])
    area = controls[0].selectbox("Country or aggregate", area_codes, key="ov_area", format_func=assess.area_name)
    peers = controls[1].selectbox("Compare with", PEER_KINDS, key="ov_peers", format_func=assess.PEER_KIND_LABELS.get)
    choices = sorted({*SINCE_CHOICES, view.since})
    since = controls[2].selectbox("Trend since", choices, key="ov_since")
    similar, custom = view.similar, tuple(view.custom)
    if peers == "similar_gdp":
        similar = st.slider("How many countries nearest in GDP per capita", *SIMILAR_RANGE, key="ov_similar")
    elif peers == "custom":
        custom = tuple(
            st.multiselect(
                "Peers to compare with",
                [a for a in area_codes if a != area],
                key="ov_custom",
                format_func=assess.area_name,
                max_selections=60,
                placeholder="Choose countries",
            )
        )
    current = OverviewView(area=area, peers=peers, since=since, similar=similar, custom=custom)
    if current.to_query() != params:
        st.query_params.from_dict(current.to_query())

    level = str(query.areas().at[area, "level"])
    level = "country" if level == "aggregate" else level
    group = assess.peer_group(peers, area, level=level, n_similar=similar, custom=custom)
    for note in group.notes:
        st.caption(f"Note: {note}.")
    # The headline needs every theme; its slot comes first on the page but is filled last, so each
    # theme appears as soon as it is computed (a cold first view shows charts within a second).
    headline_slot = st.container()
    for theme, title in THEME_TITLES.items():
        rows = assess.scorecard_theme(area, group.members, since, theme)
        if rows.empty:
            continue
        _theme_block(rows, title, theme, group, area, since)
    card = assess.scorecard(area, group.members, since)
    with headline_slot:
        _headline_block(card, area, since, group)
    if card["year"].notna().any():
        _signals_block(area, group.members, since)


def _headline_block(card, area: str, since: int, group: assess.PeerGroup) -> None:
    if card["year"].isna().all():
        st.warning(f"There is no data for {query.area_name(area)} yet.")
        return
    sentence, coverage = assess.headline(card, area, since)
    st.markdown(f"##### {sentence}")
    if coverage:
        wellbeing = card[card["theme"].isin(assess.WELLBEING_THEMES)]
        stale = int((wellbeing["year"].notna() & ~wellbeing["recent"].astype(bool)).sum())
        missing = int(wellbeing["year"].isna().sum())
        with st.expander(
            f"Coverage: {stale} of {len(wellbeing)} wellbeing indicators have no recent value"
            + (f", {missing} have no data" if missing else "")
        ):
            st.caption(coverage)
    st.caption(
        f"Ranks are among {group.label} ({len(group.members)} areas; only values at most {assess.RECENT_YEARS} years "
        f"older than the group's newest are ranked). Trend: Theil-Sen slope since {since} with a "
        f"{assess.CONFIDENCE:.0%} confidence interval; ↑/↓ only when the interval excludes zero, "
        "green when that is good for the indicator, vermillion when it is bad."
    )


def _theme_block(rows, title: str, theme: str, group: assess.PeerGroup, area: str, since: int) -> None:
    st.subheader(title, divider="gray")
    ranked = rows[rows["percentile"].notna()]
    if len(ranked):
        chart_title = f"{title.split(':')[0]}: standing among peers"
        spec = _standing_spec(area, group.members, since, theme, chart_title, group.label)
        alt_text = scorecard.describe_standing(ranked, title=chart_title, peer_label=group.label)
        st.vega_lite_chart(spec, width="stretch", height=spec["height"] + CHART_FURNITURE_PX, alt=alt_text)
    table = scorecard.scorecard_table(rows)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=ROW_PX * (len(table) + 1) + 3,  # every row visible: no scrolling hides an indicator
        column_config={
            "Since": st.column_config.LineChartColumn(f"Since {since}", width="small"),
            "Year": st.column_config.NumberColumn(format="%d"),
        },
    )
    ui.source_caption(_source_line(tuple(rows["indicator"])))
    ui.data_table(scorecard.scorecard_csv(rows), file_name=f"scorecard_{theme}.csv", key=f"ov_{theme}")


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
        st.markdown(f"**{title}**")
        for _, row in items.iterrows():
            mark = {True: ":green[▲ better]", False: ":orange[▼ worse]"}.get(row["good"], "●")
            st.markdown(f"- {mark} {row['sentence']}")
    ui.data_table(found, file_name=f"signals_{area}.csv", key="ov_signals")


render()
