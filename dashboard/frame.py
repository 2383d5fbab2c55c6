"""The picture frame every page is drawn in: the chores each page needs, written once.

A page's Streamlit file (``dashboard/pages/<page>/page.py``) is a body function handed to
:func:`run`. Around it the frame does, in this order and for every page alike:

1. **data version** — read once per run (:mod:`dashboard.data_version`); if the store changed
   since the last run every cache is dropped, so a refresh or rollback from the command line
   shows on the next interaction and the snapshot id under every chart changes with it;
2. **embed mode** — ``?embed=true`` draws only the chart the link names (:func:`render_embed`);
3. **title, caption and the version pin** — a link's ``v=`` is kept in the address by
   :func:`sync_url` and, when it differs from the running data, a notice says so;
4. **the body**, wrapped once: a damaged or missing dataset becomes a notice naming it and the
   fix, anything unexpected a short message with an error id whose traceback goes to the
   server log — a visitor never sees a traceback.

Inside the body, :func:`chart_block` draws one shareable chart with the one height rule, its
notes, source and vintage line, data-table toggle, CSV and share panel; :func:`show_notices`,
:func:`seed_widgets` and :func:`data_table` are the other shared pieces. Only this module and
the page files import Streamlit.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from dashboard import data_version, export, share, warmup
from dashboard.registry import registry
from dashboard.url_state import ShareOptions, parse_share
from dashboard.view_kind import Drawn
from indicators import areas, query
from indicators.query import QueryError

LOG = logging.getLogger("beyond_gdp.pages")
#: A constant: hides Streamlit's header, toolbar, sidebar and footer, and trims the page padding.
EMBED_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
footer, #MainMenu { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.5rem 0.75rem 0.5rem 0.75rem !important;
  max-width: 100% !important; }
</style>"""
EMBED_LEGEND_COLUMNS = 2
#: The one height rule. Streamlit 1.67 draws a layered chart at its own default height, squeezing a
#: tall ranking into a strip: give it the chart's plotting height plus room for the title, subtitle,
#: x axis and a few legend rows (so a legend is never clipped).
CHART_FURNITURE_PX = 150
IFRAME_HEIGHT = 560
#: A share panel's open/closed state lives in the session under its key plus this suffix.
OPEN_SUFFIX = "_open"
_MARKDOWN_SIGNS = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~:$&\"'=]")


#: Session keys: the page being drawn, and the address the frame last wrote for it (see :attr:`Link.opened`).
PAGE_KEY = "_frame_page"
WRITTEN_KEY = "_frame_written"


@dataclass(frozen=True)
class Link:
    """What the frame hands a page body: the link's parameters, its share options and the running data.

    ``opened`` is False when the address is the one the page itself wrote on the previous run (the
    visitor only changed widgets): its notices were shown when the link was opened, and a value the
    widgets made (a level switch that left the highlighted area behind) is not the visitor's link."""

    params: dict[str, Any]
    options: ShareOptions
    version: str
    opened: bool = True

    @property
    def pin_differs(self) -> bool:
        return bool(self.options.version) and self.options.version != self.version


# -- the frame ---------------------------------------------------------------------------------


def run(
    page: str,
    body: Callable[[Link], None],
    *,
    title: str,
    caption: str,
    embed_chart: Callable[[dict], str | None] | None = None,
) -> None:
    """Draw ``page``: data version, embed mode, title, pin notice, then ``body`` — never a traceback."""
    try:
        version = data_version.current()
        params = st.query_params.to_dict()
        if bool(st.context.is_embedded):
            render_embed(page, embed_chart(params) if embed_chart else None)
            return
        options = parse_share(params, charts=[k.kind for k in share.kinds_for_page(page)] or ["none"])
        opened = st.session_state.get(WRITTEN_KEY) != (page, params)
        st.session_state[PAGE_KEY] = page
        link = Link(params=params, options=options, version=version, opened=opened)
        st.title(title)
        st.caption(caption)
        show_link_notices(link, options.notices)
        if link.pin_differs:
            st.info(pin_notice(options.version, version), icon=":material/history:")
        body(link)
    except ScriptControlException:
        raise  # st.rerun() and st.stop() are how Streamlit steers a run, not errors
    except Exception as error:  # noqa: BLE001 — the one place a page's unexpected error is caught
        show_error(error, page)


def pin_notice(pinned: str, running: str) -> str:
    return (
        f"This link is pinned to data snapshot {pinned}, which this dashboard does not serve; it shows the "
        f"current snapshot {running}, so the numbers may differ from what was shared."
    )


def is_store_error(error: BaseException) -> bool:
    """A damaged or missing dataset: the indicators layer's ``DataUnavailable``, or a
    ``connectors.store.StoreError`` (or subclass) that reached the page directly, told apart by name
    because the dashboard does not import the connectors layer."""
    return isinstance(error, query.DataUnavailable) or any(cls.__name__ == "StoreError" for cls in type(error).__mro__)


def show_error(error: BaseException, page: str) -> None:
    """A short message instead of a traceback; the traceback goes to the server log under an error id."""
    if is_store_error(error):
        st.warning(
            f"Some data cannot be read: {markdown_text(str(error))}. The operator can restore it with "
            "`python -m connectors verify` and `python -m connectors rollback`; other pages keep working.",
            icon=":material/database:",
        )
        LOG.warning("page %s: stored data unreadable: %s", page, error)
        return
    error_id = uuid.uuid4().hex[:10]
    LOG.error("page %s: error %s", page, error_id, exc_info=error)
    st.error(
        f"Something went wrong while drawing this page (error id {error_id}). Try another view or reload; "
        "if it persists, tell the operator this id.",
        icon=":material/error:",
    )


def sync_url(query: Mapping[str, str]) -> None:
    """Put the view's own parameters in the address, keeping the link's valid ``v=`` pin."""
    current = st.query_params.to_dict()
    pinned = parse_share({"v": current["v"]}, charts=()).version if "v" in current else None
    wanted = dict(query) | ({"v": pinned} if pinned else {})
    st.session_state[WRITTEN_KEY] = (st.session_state.get(PAGE_KEY), {k: str(v) for k, v in wanted.items()})
    if wanted != current:
        st.query_params.from_dict(wanted)


# -- small shared pieces -------------------------------------------------------------------------


def markdown_text(text: str) -> str:
    """Text from a link shown as itself: every Markdown (and Streamlit ``:icon:``/``:color[]``) sign escaped,
    so a crafted link cannot make a notice show a clickable link, an image or styled text."""
    return _MARKDOWN_SIGNS.sub(r"\\\g<0>", text)


def show_notices(notices: tuple[str, ...] | list[str]) -> None:
    """Problems with the link the visitor opened, in one short box (never a traceback)."""
    if notices:
        text = "; ".join(markdown_text(n) for n in notices)
        st.info(f"Some link settings were not understood and defaults were used: {text}.", icon=":material/link_off:")


def show_link_notices(link: Link, notices: tuple[str, ...] | list[str]) -> None:
    """:func:`show_notices` for a link the visitor opened; nothing when the address is the one the page wrote
    itself (only widgets changed), so a widget change never produces a notice about "the link"."""
    if link.opened:
        show_notices(notices)


def seed_widgets(prefix: str, values: Callable[[], Mapping[str, object]]) -> None:
    """Copy a link's view into a page's widget keys once per session; afterwards the widgets lead.

    ``values`` is called only on the first run of the session, so pages can compute it lazily."""
    flag = f"{prefix}_initialised"
    if st.session_state.get(flag):
        return
    st.session_state.update(values())
    st.session_state[flag] = True


def data_table(
    frame: pd.DataFrame,
    *,
    file_name: str,
    key: str,
    label: str = "Show the data",
    download_label: str = "Download CSV",
) -> None:
    """A toggle that reveals exactly the rows drawn, plus a CSV download of the same rows; a page with a second
    table beside a chart's own names both (two identical "Show the data" / "Download CSV" pairs mislead)."""
    if st.toggle(label, key=f"{key}_table"):
        st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        download_label,
        # Written when clicked, not on every rerun: a page with five tables would otherwise encode five
        # CSV files per widget change and every browser would fetch them before drawing the charts.
        lambda: export.csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )


#: How every place picker behaves: typed text matches anywhere in a name ("Korea" finds "South Korea"),
#: and Enter picks the first match — never Streamlit's "Select all N matches" ("Fra" + Enter is France).
MULTI_PLACE_PICKER = {"filter_mode": "contains", "select_all": False}
PLACE_PICKER = {"filter_mode": "contains"}


@lru_cache(maxsize=8192)
def place_label(code: str) -> str:
    """A place as a picker lists it: its name; for an aggregate (World, an income group, EU27) the word
    "group", so aggregates read as their own labelled group after the countries; for a region its level and
    country ("Stockholm — NUTS 2 region, Sweden"). See :func:`indicators.areas.place_label`. Cached (a picker
    asks for every one of ~2,700 places on every run; the cache is dropped with the data version)."""
    return areas.place_label(code)


def region_finder(
    key: str,
    on_found: Callable[[str], None],
    *,
    levels: tuple[str, ...] | None = None,
    label: str = "Find a region",
    container: Any = None,
) -> None:
    """ "Find my region": a search box where typing a region's name (local or English: "Stockholm",
    "Lombardia", "Bavaria") and pressing Enter hands the best match to ``on_found`` (a callback that sets
    the page's widget keys, so the pickers show it on this run). Other matches are listed with their level
    and country under the box. ``levels`` limits the search (default: every level with data)."""
    place = container if container is not None else st

    def found() -> None:
        text = str(st.session_state.get(key) or "").strip()
        hits = areas.find_regions(text, levels) if text else None
        st.session_state[f"{key}_hits"] = (
            None if hits is None else list(zip(hits["ref_area"], hits["label"], strict=True))
        )
        if hits is not None and not hits.empty:
            on_found(str(hits["ref_area"].iloc[0]))

    place.text_input(
        label,
        key=key,
        on_change=found,
        placeholder="e.g. Stockholm or Bavaria, then Enter",
        help="Finds NUTS 2, OECD TL2 and Global Data Lab regions by name (local or English) or code.",
    )
    hits = st.session_state.get(f"{key}_hits")
    if hits is None:
        return
    if not hits:
        place.caption(f"No region matches {markdown_text(repr(str(st.session_state.get(key) or '')))}.")
        return
    others = "; ".join(markdown_text(text) for _, text in hits[1:5])
    place.caption(f"Picked {markdown_text(hits[0][1])}." + (f" Other matches: {others}." if others else ""))


#: :data:`CHART_FURNITURE_PX` holds two title and two subtitle lines; each further line adds this much (the
#: 16 px title and 12 px subtitle with their line spacing). Titles are wrapped, never cut, so a long place
#: name makes more lines, and without room for them the plot itself was pushed out of the chart's box.
TITLE_LINE_PX = 20
SUBTITLE_LINE_PX = 15


def _lines(text: object) -> int:
    return len(text) if isinstance(text, list) else (1 if text else 0)


def chart_height(spec: dict) -> int | str:
    """The one height rule (see :data:`CHART_FURNITURE_PX`, plus room for title lines beyond two); a chart
    without a fixed height sizes itself."""
    height = spec.get("height")
    if not isinstance(height, int):
        return "content"
    title = spec.get("title")
    title = title if isinstance(title, dict) else {"text": title}
    extra = TITLE_LINE_PX * max(0, _lines(title.get("text")) - 2)
    extra += SUBTITLE_LINE_PX * max(0, _lines(title.get("subtitle")) - 2)
    return height + CHART_FURNITURE_PX + extra


# -- charts ------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def drawn_chart(view_kind: str, view: Any, version: str) -> tuple[Drawn, dict]:
    """A view drawn once per data version, with its Vega-Lite spec, whatever address it is opened under
    (the server's warm-up fills this before the first visitor arrives). Shared between sessions: read-only."""
    drawn = registry()[view_kind].build(view)
    # Schema validation of a chart costs ~0.3 s; the builders are validated by their own tests
    # (golden and JSON round-trip specs), so a page view skips it.
    return drawn, drawn.chart.to_dict(validate=False)


def _is_table(rows: Any) -> bool:
    """A named dataset of records (a chart's rows), not GeoJSON/TopoJSON geometry (which Vega-Lite itself
    must read from the spec)."""
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return False
    return not (rows[0].get("type") == "Feature" and "geometry" in rows[0])


@lru_cache(maxsize=256)
def sent_spec(view_kind: str, view: Any, version: str) -> dict:
    """:func:`drawn_chart`'s spec as ``st.vega_lite_chart`` sends it: each named table of rows already in
    Arrow IPC bytes (Streamlit's own conversion, which it skips for bytes), converted once per view and
    data version instead of on every rerun. The spec itself is unchanged (exports and tests read that
    one). Shared between sessions: read-only."""
    _, spec = drawn_chart(view_kind, view, version)
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not any(_is_table(rows) for rows in datasets.values()):
        return spec
    sent = {name: convert_anything_to_arrow_bytes(rows) if _is_table(rows) else rows for name, rows in datasets.items()}
    return {**spec, "datasets": sent}


@lru_cache(maxsize=256)
def drawn_view(view_kind: str, view: Any, base: str, version: str) -> tuple[share.SharedView, dict]:
    """A view built once per (kind, view, address, data version) with its spec: the page draws the chart
    and the share panel offers it from this one build. Shared between sessions: read-only."""
    drawn, spec = drawn_chart(view_kind, view, version)
    return share.build(registry()[view_kind], view, base_url=base, drawn=drawn), spec


@lru_cache(maxsize=256)
def drawn_rows(view_kind: str, view: Any, base: str, version: str) -> pd.DataFrame:
    """Exactly the rows a view draws, as its table and CSV show them (:func:`dashboard.share.csv_rows`),
    built once per (kind, view, address, data version) rather than on every rerun of the page. Shared
    between sessions: read-only."""
    shared, _ = drawn_view(view_kind, view, base, version)
    return share.csv_rows(shared)


def base_url(page: str) -> str:
    """``$BEYOND_GDP_PUBLIC_URL`` if set, else the address in the visitor's browser, else localhost."""
    try:
        browser = st.context.url
    except Exception:  # noqa: BLE001 — outside a running app (bare script, some test runners) there is no URL
        browser = None
    return share.public_url(browser, page=page)


def _chart_failed(error: Exception, page: str) -> None:
    """A chart that cannot be drawn (or described): a one-line notice; anything but a query or store error
    is raised to the page frame (a short message with an error id)."""
    if isinstance(error, QueryError):
        st.warning(f"Nothing to draw: {markdown_text(str(error))}.", icon=":material/block:")
        return None
    if not is_store_error(error):
        raise error
    show_error(error, page)
    return None


def chart_block(
    kind: str, view: Any, *, key: str, note: str = "", spec_patch: Callable[[dict], dict] | None = None
) -> share.SharedView | None:
    """One shareable chart: the chart (one height rule), its notes, source and vintage line, exactly its
    rows as a table and CSV, and its share panel. A view with nothing to draw, or whose dataset is
    damaged, gets a one-line notice in its place; the page's other charts keep working."""
    page = registry()[kind].page
    version = data_version.current()
    try:
        drawn, _ = drawn_chart(kind, view, version)
        spec = sent_spec(kind, view, version)
    except Exception as error:  # noqa: BLE001 — one chart's failure must not take the page down
        return _chart_failed(error, page)
    if spec_patch is not None:  # sees the spec as sent: its tables of rows are Arrow bytes
        spec = spec_patch(spec)
    # The chart goes out before its source line, table and share panel: those read provenance and (on a
    # fresh server) whole datasets that the picture itself does not need, and the browser draws meanwhile.
    st.vega_lite_chart(spec, width="stretch", height=chart_height(spec), alt=drawn.description or None)
    warmup.chart_sent()  # a fresh server's warm-up holds back until its first visitor has a chart
    base = base_url(page)
    try:
        shared, _ = drawn_view(kind, view, base, version)
        rows = drawn_rows(kind, view, base, version)
    except Exception as error:  # noqa: BLE001
        return _chart_failed(error, page)
    for line in shared.meta.notes:
        st.caption(f"Note: {line}.")
    st.caption(f"{note} {shared.meta.source_line}".strip())
    data_table(rows, file_name=shared.file_name("csv"), key=key)
    share_panel(kind, view, key=f"share_{key}")
    return shared


def iframe_snippet(shared: share.SharedView, height: int = IFRAME_HEIGHT) -> str:
    e = html.escape
    return (
        f'<iframe src="{e(shared.meta.embed_url)}" title="{e(shared.meta.title)}" width="100%" height="{height}" '
        'style="border:0" loading="lazy"></iframe>'
    )


def share_panel(view_kind: str, view: Any, *, key: str | None = None) -> share.SharedView | None:
    """Draw the "Share, embed or download" panel for ``view``; returns the shared view."""
    kind = registry()[view_kind]
    key = key or f"share_{view_kind}"
    try:
        shared, _ = drawn_view(view_kind, view, base_url(kind.page), data_version.current())
    except Exception as error:  # noqa: BLE001 — the chart above already told the visitor what is missing
        st.caption(f"Sharing is unavailable for this view: {markdown_text(str(error))}")
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


# -- embed mode --------------------------------------------------------------------------------


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
        st.warning(f"This embedded chart cannot be drawn: {markdown_text(str(error))}")
        return
    show_notices(shared.notices)
    # An iframe may be a phone's width: two legend columns fit from 320 px up, and still read at 1200 px.
    chart = shared.chart.configure_legend(columns=EMBED_LEGEND_COLUMNS, labelLimit=140)
    spec = chart.to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch", height=chart_height(spec), alt=shared.meta.description or None)
    if shared.meta.version_notice:
        st.info(shared.meta.version_notice, icon=":material/history:")
    for note in shared.meta.notes:
        st.caption(f"Note: {note}.")
    st.caption(shared.meta.source_line)
    st.link_button("Open in Beyond GDP", shared.meta.permalink, icon=":material/open_in_new:")


data_version.on_change(st.cache_data.clear)
