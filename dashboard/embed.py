"""Embed mode (``?embed=true``): only the chart, its title, source line and a link to the full dashboard.

For iframes on other sites. ``app.py`` hides the navigation and Streamlit's chrome with the
fixed :data:`EMBED_CSS` (never anything from the URL); a page then calls :func:`render_embed`
instead of drawing its controls. The view comes from the link, parsed against the schema.
"""

from __future__ import annotations

import streamlit as st

from dashboard import share, ui
from dashboard.share_panel import base_url
from indicators.query import QueryError

#: A constant: hides Streamlit's header, toolbar, sidebar and footer, and trims the page padding.
EMBED_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
footer, #MainMenu { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.5rem 0.75rem 0.5rem 0.75rem !important;
  max-width: 100% !important; }
</style>"""

EMBED_LEGEND_COLUMNS = 2
#: Title, subtitle, x axis and a few legend rows around a chart's plotting area, in pixels.
CHART_FURNITURE_PX = 150


def element_height(chart) -> int | str:
    """Streamlit 1.67 draws a layered chart at its own default height, squeezing a tall ranking into a
    strip; give it the chart's height plus room for the title, axis and legend instead."""
    height = getattr(chart, "height", None)
    return height + CHART_FURNITURE_PX if isinstance(height, int) else "content"


def embed_requested() -> bool:
    """True when the link carries ``embed=true``.

    Streamlit reserves ``embed`` (its own iframe mode, which also drops the toolbar and footer) and
    hides it from ``st.query_params``; the browser reports it as ``st.context.is_embedded``.
    """
    return bool(st.context.is_embedded)


def render_embed(page: str, default_chart: str | None = None) -> None:
    """Draw only the chart the link names on ``page``, with its source and an "Open in Beyond GDP" link.

    ``default_chart`` is the kind drawn when the link has no ``chart=`` (a page whose own view parameter
    already says which chart, such as Compare's ``view=multiples``); otherwise the page's first kind."""
    params = st.query_params.to_dict()
    if default_chart and "chart" not in params:
        params["chart"] = default_chart
    try:
        kind, view, options = share.resolve(params, page)
        shared = share.build(kind, view, options, base_url=base_url(page))
    except (share.ShareError, QueryError) as error:
        st.warning(f"This embedded chart cannot be drawn: {error}")
        return
    if shared.notices:
        st.info(
            "Some link settings were not understood and defaults were used: "
            + "; ".join(ui.markdown_text(n) for n in shared.notices)
            + ".",
            icon=":material/link_off:",
        )
    # An iframe may be a phone's width: two legend columns fit from 320 px up, and still read at 1200 px.
    chart = shared.chart.configure_legend(columns=EMBED_LEGEND_COLUMNS, labelLimit=140)
    st.altair_chart(chart, width="stretch", height=element_height(chart), alt=shared.meta.description or None)
    if shared.meta.version_notice:
        st.info(shared.meta.version_notice, icon=":material/history:")
    for note in shared.meta.notes:
        st.caption(f"Note: {note}.")
    ui.source_caption(shared.meta.source_line)
    st.link_button("Open in Beyond GDP", shared.meta.permalink, icon=":material/open_in_new:")
