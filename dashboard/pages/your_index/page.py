"""Your index page (thin Streamlit file): weigh the themes (and, if you like, single indicators) yourself, as in the OECD Better
Life Index, and see the ranking, how sure each place in it is, and what your weights changed.

The weights live in the URL (``w=inclusive:2,circular:1,climate:1``, ``iw=gini_index:0``), so "my index"
is a link. Moving a slider only re-aggregates a cached normalised matrix and reruns a modest, seeded
Monte Carlo (see :mod:`indicators.index_query`); chart specs are cached by the weights as well.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import yaml

from dashboard import data_version, frame
from dashboard.pages.your_index import data as index_views
from dashboard.pages.your_index import state
from dashboard.pages.your_index.data import COMPOSITE_LABELS, PAGE, TOP_ROWS
from dashboard.pages.your_index.state import WEIGHT_RANGE, IndexRankingView, YourIndexView
from dashboard.url_state import SHARE_PARAMS
from indicators import index_query as iq


def _weight_key(composite: str, kind: str, name: str) -> str:
    return f"yi_{kind}_{composite}_{name}"


def _initialise_widgets(link: IndexRankingView) -> None:
    frame.seed_widgets("yi", lambda: _widget_values(link))


def _widget_values(link: IndexRankingView) -> dict[str, object]:
    """The widget keys a link sets: index, peers, year, all rows and every weight slider."""
    view = link.index
    shape = iq.structure(view.composite)
    pillars, inner = dict(view.pillar_weights), dict(view.indicator_weights)
    state: dict[str, object] = {
        "yi_index": view.composite,
        "yi_peers": view.peers,
        "yi_year": "latest" if view.year is None else str(view.year),
        "yi_all": link.show_all,
    }
    for pillar in shape.pillars:
        state[_weight_key(view.composite, "w", pillar)] = int(round(pillars.get(pillar, 1)))
    for member in shape.indicators():
        state[_weight_key(view.composite, "iw", member)] = int(round(inner.get(member, 1)))
    return state


def _reset_weights(composite: str) -> None:
    shape = iq.structure(composite)
    for pillar in shape.pillars:
        st.session_state[_weight_key(composite, "w", pillar)] = 1
    for member in shape.indicators():
        st.session_state[_weight_key(composite, "iw", member)] = 1


def _weight_sliders(composite: str) -> tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]:
    shape = iq.structure(composite)
    low, high = WEIGHT_RANGE
    st.markdown("**How much does each theme count?** 0 leaves it out; weights are relative (2 counts twice 1).")
    per_row = 3
    names = list(shape.pillars)
    pillar_weights = []
    for start in range(0, len(names), per_row):
        columns = st.columns(per_row)
        for column, pillar in zip(columns, names[start : start + per_row], strict=False):
            key = _weight_key(composite, "w", pillar)
            st.session_state.setdefault(key, 1)
            value = column.slider(shape.pillar_titles[pillar], low, high, step=1, key=key)
            pillar_weights.append((pillar, float(value)))
    indicator_weights = []
    with st.expander("Weights of single indicators (within their theme)", icon=":material/tune:"):
        for pillar in names:
            members = shape.pillars[pillar]
            st.caption(shape.pillar_titles[pillar])
            columns = st.columns(min(3, len(members)))
            for i, member in enumerate(members):
                key = _weight_key(composite, "iw", member)
                st.session_state.setdefault(key, 1)
                value = columns[i % len(columns)].slider(shape.labels[member], low, high, step=1, key=key)
                if value != 1:
                    indicator_weights.append((member, float(value)))
        st.button("Reset to equal weights", on_click=_reset_weights, args=(composite,), key="yi_reset")
    return tuple(pillar_weights), tuple(indicator_weights)


@st.cache_data(show_spinner=False, max_entries=256)
def _record_text(composite, peers, pillar_weights, indicator_weights, year, version: str) -> str:
    """The run record as YAML, once per view and data version."""
    record = iq.ranking(composite, peers, pillar_weights, indicator_weights, year).record
    return yaml.safe_dump(record | {"uncertainty": iq.uncertainty_record()}, sort_keys=False, allow_unicode=True)


def _display_table(table: pd.DataFrame, composite: str) -> pd.DataFrame:
    shape = iq.structure(composite)
    columns = {
        "rank": "Rank",
        "name": "Country",
        "score": "Score (0–1)",
        "rank_p05": "Rank 5%",
        "rank_p95": "Rank 95%",
        "delta": "Δ rank vs equal weights",
        "coverage": "Weight with data",
    }
    for pillar in shape.pillars:
        columns[f"pillar_{pillar}"] = f"{shape.pillar_titles[pillar]} (0–1)"
        columns[f"coverage_{pillar}"] = f"{shape.pillar_titles[pillar]} coverage"
    columns |= {"oldest_year": "Oldest value", "gdp_per_capita": "GDP per capita (PPP $)", "income_group": "Income"}
    if "estimated_inputs" in table:
        columns["estimated_inputs"] = "Values estimated by the publisher"
    frame = table.reset_index()[["ref_area", *columns]].rename(columns=columns | {"ref_area": "Code"})
    return frame.round(3)


def _method_note(ranking: iq.Ranking, composite: str, weights: tuple) -> None:
    record = ranking.record
    spec = record["definition"]
    with st.expander("How this index is built (normalisation, aggregation, compensability)", icon=":material/info:"):
        st.markdown(spec.get("method_note", ""))
        aggregation, coverage = spec["aggregation"], spec.get("min_coverage") or {}
        st.markdown(
            f"- **Normalisation:** {spec['normalisation']['method']} across the {record['units']} countries of "
            "the peer group (so scores are relative to the group: change the group and they change).\n"
            f"- **Aggregation:** {aggregation['indicators_to_pillar']} mean within a theme (fully "
            f"compensatory), {aggregation['pillars_to_index']} mean across themes"
            + (
                f" (partly compensatory: a weak theme drags the score down; floor {record['geometric_floor']})"
                if aggregation["pillars_to_index"] == "geometric"
                else " (fully compensatory: a strong theme can make up for a weak one)"
            )
            + ".\n"
            f"- **Coverage:** a theme needs {coverage.get('pillar', 1.0):.0%} of its weight in data, the index "
            f"{coverage.get('index', 1.0):.0%} of the theme weights; nothing is imputed."
            + "".join(
                f" This page also requires {share:.0%} of the {pillar} theme."
                for pillar, share in record["page_rules"]["pillar_min_coverage"].items()
            )
            + "\n"
            f"- **Reference year:** {record['reference_year']} (values up to {record['latest_within']} years older "
            "are used; the table shows each country's oldest value).\n"
            f"- **Uncertainty:** {iq.DRAWS} seeded Monte Carlo draws (seed {iq.SEED}) vary the weights "
            f"(Dirichlet around yours), the normalisation ({', '.join(iq.MC_NORMALISATIONS)}) and the "
            f"aggregation across themes ({', '.join(iq.MC_AGGREGATIONS)}).\n"
            f"- **Data version:** snapshot {record['data_version']}; engine {record['engine']}."
        )
        st.caption("The full record of this run (regenerate it with indicators.composite.run_composite):")
        st.code(_record_text(composite, *weights, data_version.current()), language="yaml")


def body(page_link: frame.Link) -> None:
    composites = index_views.composites()
    peer_labels = iq.peer_options()
    link = state.parse(page_link.params, extra_allowed=SHARE_PARAMS)
    _initialise_widgets(link)

    frame.show_link_notices(page_link, link.notices)

    controls = st.columns([3, 3, 2])
    composite = controls[0].selectbox("Index", list(composites), key="yi_index", format_func=COMPOSITE_LABELS.get)
    peers = controls[1].selectbox("Rank among", list(peer_labels), key="yi_peers", format_func=peer_labels.get)
    try:
        years = iq.years_available(composite, peers)
    except iq.IndexQueryError as error:
        st.warning(f"This peer group cannot be ranked: {error}. Choose another group.")
        return
    choices = ["latest", *map(str, years[1:])]
    if st.session_state.get("yi_year") not in choices:
        if st.session_state.get("yi_year") is not None:
            st.info(f"Reference year {st.session_state['yi_year']} is not available here; showing the latest.")
        st.session_state["yi_year"] = "latest"
    chosen_year = controls[2].selectbox(
        "Reference year",
        choices,
        key="yi_year",
        format_func=lambda y: f"Latest ({years[0]})" if y == "latest" else y,
    )
    year = None if chosen_year == "latest" else int(chosen_year)
    pillar_weights, indicator_weights = _weight_sliders(composite)

    wanted = YourIndexView(composite, peers, pillar_weights, indicator_weights, year)
    current, problem = index_views.usable_weights(wanted)
    if problem:
        st.info(f"These weights cannot be used ({problem}); showing equal weights.", icon=":material/link_off:")
        pillar_weights, indicator_weights = (), ()
    ranking = iq.ranking(composite, peers, pillar_weights, indicator_weights, year)
    table = index_views.ranked_table(current)
    show_all = len(table) > TOP_ROWS and st.session_state.get("yi_all", False)
    frame.sync_url(IndexRankingView(wanted, show_all).to_query())

    not_ranked = ranking.table[ranking.table["rank"].isna()]
    record = ranking.record
    summary = st.columns(4)
    summary[0].metric("Countries ranked", f"{len(table)} of {len(ranking.table)}")
    summary[1].metric("Reference year", record["reference_year"])
    summary[2].metric("Moved vs equal weights", int((table["delta"].fillna(0) != 0).sum()))
    summary[3].metric("Data snapshot", record["data_version"])
    if table.empty:
        st.warning("No country has enough data at these weights; give weight to a theme with more data.")
        return

    if len(table) > TOP_ROWS:
        st.toggle(f"Draw all {len(table)} ranked countries", key="yi_all")
    view = IndexRankingView(current, show_all)
    left, right = st.columns([3, 2])
    with left:
        drawn = min(len(table), len(table) if view.show_all else TOP_ROWS)
        frame.chart_block(
            "your_index",
            view,
            key="yi_chart",
            note=f"Showing ranks 1–{drawn} of {len(table)}"
            + ("" if drawn == len(table) else " (the table has all)")
            + ". Bars are 5–95% rank intervals from the Monte Carlo analysis: ranks whose intervals overlap "
            "cannot be told apart. Dot colour is the World Bank income group.",
        )
    with right:
        # What a high score rewards, beside the ranking it explains: a reader should not have to open a
        # box at the bottom to learn that (say) the HDI ignores emissions, or that footprints favour the poor.
        st.markdown(f"**What a high score rewards.** {iq.structure(composite).rewards}")
        if index_views.movers(current).empty:
            st.info("At these weights nothing moves: they rank exactly as equal weights do.", icon=":material/balance:")
        else:
            frame.chart_block(
                "index_moves",
                view,
                key="yi_moves",
                note="Countries whose rank moved most when your weights replaced equal weights.",
            )

    frame.data_table(
        _display_table(table, composite),
        file_name=f"{composite}_{peers}_your_index.csv",
        key="yi_rank",
        label=f"Show the full ranking ({len(table)} countries, scores and rank intervals)",
        download_label="Download the full ranking (CSV)",
    )
    if not not_ranked.empty:
        with st.expander(f"Not ranked: {len(not_ranked)} countries without enough data, and why"):
            st.dataframe(
                not_ranked.reset_index()[["ref_area", "name", "coverage", "reason"]].rename(
                    columns={"ref_area": "Code", "name": "Country", "coverage": "Weight with data", "reason": "Why"}
                ),
                hide_index=True,
                width="stretch",
            )
    _method_note(ranking, composite, (peers, pillar_weights, indicator_weights, year))


frame.run(
    PAGE,
    body,
    title="Your index",
    caption=(
        "Decide how much each theme of wellbeing counts, and see the ranking your weights give — with how sure "
        "each place in it is, and what your choice changed compared with equal weights."
    ),
)
