"""Floors-and-ceilings page: does this place meet basic needs within planetary limits? (thin Streamlit file)

One place against every sourced social floor and per-person planetary boundary, beside every country
placed by thresholds achieved and boundaries transgressed. The view lives in the URL (``limits?area=…``).
"""

from __future__ import annotations

import streamlit as st

from dashboard import embed, ui
from dashboard.pages.block import chart_block
from dashboard.pages.limits import state
from dashboard.pages.limits.kinds import PAGE
from dashboard.share_panel import pinned_version
from dashboard.view_state import SHARE_PARAMS
from indicators import limits, query


def render() -> None:
    if embed.embed_requested():
        embed.render_embed(PAGE)
        return
    params = st.query_params.to_dict()
    view = state.parse(params, extra_allowed=SHARE_PARAMS)
    ui.seed_widgets("lim", lambda: {"lim_area": view.area})
    st.title("Floors and ceilings")
    st.caption(
        "Are basic needs met (social floors) without overshooting a fair per-person share of planetary "
        "boundaries (ecological ceilings)? After O'Neill et al. (2018), 'A good life for all within planetary "
        "boundaries', and Fanning et al. (2022). GDP per person is shown beside the answer, not inside it."
    )
    ui.show_notices(view.notices)
    version = pinned_version(params)
    area = st.selectbox("Place", state.area_options(), key="lim_area", format_func=query.area_name)
    current = state.LimitsView(area=area)
    wanted = current.to_query() | ({"v": version} if version else {})
    if wanted != params:
        st.query_params.from_dict(wanted)

    left, right = st.columns([1, 1])
    with left:
        chart_block("limits", current, "lim_place")
        st.markdown(
            "**How to read it**: each bar runs from the threshold (1) to the place's value divided by the "
            "threshold. A floor below 1 is a **shortfall**; a ceiling above 1 is an **overshoot** (e.g. 2.0× = "
            "twice the per-person share of the boundary). Rates where less is better are turned round first, as "
            "in the paper: unemployment 4% counts as 96% employed against a floor of 94%."
        )
    with right:
        chart_block("limits_world", current, "lim_world")
    with st.expander("Every threshold, its source and year"):
        rows = [
            {
                "indicator": t.indicator,
                "kind": t.kind,
                "dimension": t.dimension,
                "threshold": t.value,
                "applied to": "100 − value" if t.transform == "complement_100" else "value",
                "source": t.citation,
                "published": t.year,
                "checked against the source": "yes" if t.verified else "no (as reported)",
                "note": t.note,
            }
            for t in limits.thresholds().values()
        ]
        st.dataframe(rows, hide_index=True, width="stretch")


render()
