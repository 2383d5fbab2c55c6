"""The "Share this view" panel under a chart: permalink, iframe snippet, citation and downloads.

One call per chart — ``share_panel("trajectory", view)`` — for any view kind registered in
:mod:`dashboard.share`. The images and the standalone HTML are produced only when their button
is clicked (Streamlit calls the function then), so the panel costs nothing on a rerun.
Everything shown comes from the parsed view and our own metadata, as plain text or code blocks,
never as HTML.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import streamlit as st

from dashboard import export, share
from dashboard.view_state import parse_share
from indicators.query import data_version

IFRAME_HEIGHT = 560
#: A panel's open/closed state lives in the session under its key plus this suffix.
OPEN_SUFFIX = "_open"


def base_url(page: str) -> str:
    """``$BEYOND_GDP_PUBLIC_URL`` if set, else the address in the visitor's browser, else localhost."""
    try:
        browser = st.context.url
    except Exception:  # outside a running app (bare script, some test runners) there is no browser URL
        browser = None
    return share.public_url(browser, page=page)


def iframe_snippet(shared: share.SharedView, height: int = IFRAME_HEIGHT) -> str:
    e = html.escape
    return (
        f'<iframe src="{e(shared.meta.embed_url)}" title="{e(shared.meta.title)}" width="100%" height="{height}" '
        'style="border:0" loading="lazy"></iframe>'
    )


@lru_cache(maxsize=256)
def drawn_chart(view_kind: str, view: Any) -> tuple[share.Drawn, dict]:
    """A view drawn once, with its Vega-Lite spec, whatever address it is opened under (the server's
    warm-up fills this before the first visitor arrives). Shared between sessions: read-only."""
    drawn = share.registry()[view_kind].build(view)
    # Schema validation of a chart costs ~0.3 s; the builders are validated by their own tests
    # (golden and JSON round-trip specs), so a page view skips it.
    return drawn, drawn.chart.to_dict(validate=False)


@lru_cache(maxsize=256)
def drawn_view(view_kind: str, view: Any, base: str) -> tuple[share.SharedView, dict]:
    """A view built once per (kind, view, address) and its Vega-Lite spec: the page draws the chart
    and the share panel offers it from this one build, and a rerun with the same view costs nothing.
    The result is shared between sessions and must be treated as read-only."""
    drawn, spec = drawn_chart(view_kind, view)
    return share.build(share.registry()[view_kind], view, base_url=base, drawn=drawn), spec


def share_panel(view_kind: str, view: Any, *, key: str | None = None) -> share.SharedView | None:
    """Draw the panel for ``view`` (an object the kind's ``parse`` returns); returns the shared view."""
    kind = share.registry()[view_kind]
    key = key or f"share_{view_kind}"
    try:
        shared, _ = drawn_view(view_kind, view, base_url(kind.page))
    except Exception as error:  # the chart above already told the visitor what is missing
        st.caption(f"Sharing is unavailable for this view: {error}")
        return None
    meta = shared.meta
    # The panel's contents (three code blocks, four downloads) are sent only once it is opened: a
    # page with four charts would otherwise make every visitor's browser lay out all of them first.
    panel = st.expander(
        "Share, embed or download this chart", icon=":material/share:", key=key + OPEN_SUFFIX, on_change="rerun"
    )
    if not panel.open:
        return shared
    with panel:
        st.caption(f"Link to this view (pinned to data snapshot {meta.data_version})")
        st.code(meta.permalink, language=None, wrap_lines=True)
        st.caption("Embed it in a web page")
        st.code(iframe_snippet(shared), language="html", wrap_lines=True)
        st.caption("Cite as")
        st.code(meta.citation, language=None, wrap_lines=True)
        columns = st.columns(4)
        downloads = (
            ("PNG", "png", lambda: export.to_png(shared)),
            ("SVG", "svg", lambda: export.to_svg(shared)),
            ("CSV", "csv", lambda: export.to_csv(shared)),
            ("HTML", "html", lambda: export.to_html(shared)),
        )
        for column, (label, fmt, make) in zip(columns, downloads, strict=True):
            column.download_button(
                label,
                make,
                file_name=shared.file_name(fmt),
                mime=export.MIME[fmt],
                key=f"{key}_{fmt}",
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
                help="Standalone page that works offline, with source and citation" if fmt == "html" else None,
            )
    return shared


def pinned_version(params: dict) -> str | None:
    """The data version a link pins (``v=``), with a notice when the running data differs; None if unpinned."""
    version = parse_share(params, charts=()).version
    running = data_version()
    if version and version != running:
        st.info(
            f"This link was made with data snapshot {version}; the dashboard now runs snapshot {running}, "
            "so the numbers may differ from what was shared.",
            icon=":material/history:",
        )
    return version
