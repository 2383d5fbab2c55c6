"""Floors-and-ceilings page: does this place meet basic needs within planetary limits? (thin Streamlit file)

One place against every sourced social floor and per-person planetary boundary, beside every country
placed by thresholds achieved and boundaries transgressed. The view lives in the URL (``limits?area=…``).
"""

from __future__ import annotations

import streamlit as st

from dashboard import frame
from dashboard.pages.limits import state
from dashboard.pages.limits.views import PAGE
from dashboard.url_state import SHARE_PARAMS
from indicators import limits


def body(link: frame.Link) -> None:
    view = state.parse(link.params, extra_allowed=SHARE_PARAMS)
    frame.seed_widgets("lim", lambda: {"lim_area": view.area})
    frame.show_link_notices(link, view.notices)
    area = st.selectbox(
        "Place", state.area_options(), key="lim_area", format_func=frame.place_label, **frame.PLACE_PICKER
    )
    current = state.LimitsView(area=area)
    frame.sync_url(current.to_query())

    # Full width, one under the other: the bars carry long labels and the world view a colour scale.
    frame.chart_block("limits", current, key="lim_place")
    st.markdown(
        "**How to read it**: each bar runs from the threshold (1) to the place's value divided by the "
        "threshold. A floor below 1 is a **shortfall**; a ceiling above 1 is an **overshoot** (e.g. 2.0× = "
        "twice the per-person share of the boundary). Rates where less is better are turned round first, as "
        "in the paper: unemployment 4% counts as 96% employed against a floor of 94%."
    )
    frame.chart_block("limits_world", current, key="lim_world")
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


frame.run(
    PAGE,
    body,
    title="Floors and ceilings",
    caption="Are basic needs met (social floors) without overshooting a fair per-person share of planetary "
    "boundaries (ecological ceilings)? After O'Neill et al. (2018), 'A good life for all within planetary "
    "boundaries', and Fanning et al. (2022). GDP per person is shown beside the answer, not inside it.",
)
