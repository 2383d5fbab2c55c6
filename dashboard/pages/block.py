"""The block every chart of the Decoupling, Floors-and-ceilings and Futures pages sits in.

One call draws a registered view kind exactly as the share registry draws it (built once per view
and cached): the chart, its notes, the source line with vintage and snapshot, the rows drawn as a
table toggle and CSV, and the share panel. A view that cannot be drawn gets a short warning saying
what is missing, never a traceback.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import embed, share, ui
from dashboard.share_panel import base_url, drawn_view, share_panel
from indicators import query


def chart_block(kind: str, view: Any, key: str, note: str = "") -> share.SharedView | None:
    page = share.registry()[kind].page
    try:
        shared, spec = drawn_view(kind, view, base_url(page))
    except query.QueryError as error:
        st.warning(f"Nothing to draw: {error}.")
        return None
    height = spec.get("height")
    st.vega_lite_chart(
        spec,
        width="stretch",
        height=height + embed.CHART_FURNITURE_PX if isinstance(height, int) else "content",
        alt=shared.meta.description,
    )
    for line in shared.meta.notes:
        st.caption(f"Note: {line}.")
    ui.source_caption(f"{note} {shared.meta.source_line}".strip())
    ui.data_table(shared.data, file_name=shared.file_name("csv"), key=key)
    share_panel(kind, view, key=f"share_{key}")
    return shared
