"""Shareable views: a registry of every chart a link can name, and the facts that make it citable.

A *view kind* is one chart a page can show (the Trajectories page has two: ``trajectory`` and
``ranking``). Each kind registers a pure ``parse`` (URL parameters -> view object, with a
notice for every bad value) and a pure ``build`` (view -> :class:`Drawn`: the Altair chart, the
exact rows it draws, its title and the indicators it shows). From that one entry this module
derives everything sharing needs — the permalink (pinned to the data version), the iframe URL,
the source line, licence, vintage and a suggested citation — and ``dashboard.export`` turns it
into HTML, PNG, SVG, CSV or Vega-Lite JSON, ``dashboard.bake`` into a static site, and
``dashboard.share_panel`` into the buttons under a chart. No Streamlit here, so the CLI, the
bake and the tests call exactly what the app calls.

How a page registers its views
------------------------------
In the page folder's ``views.py`` (no streamlit), write ``parse(params) -> view`` — the view has
``.notices`` and ``.to_query()`` like :class:`dashboard.pages.trajectories.state.TrajectoryView` —
and ``build(view) -> Drawn``, and list them in ``KINDS = (ViewKind("compare", page="compare",
label="Comparison chart", parse=parse, build=build),)``; then add the folder to
:data:`dashboard.registry.PAGE_VIEWS`. That is all: ``python -m dashboard export "compare?..."``
works, the page's chart block shows it with its share panel, and a ``views.yaml`` entry with
``chart=compare`` bakes it.

Parameters every link may carry besides the view's own (see :func:`dashboard.url_state.parse_share`):
``chart`` (which kind, when a page has several), ``v`` (the data version the link was made with)
and ``embed`` (``true`` for the bare iframe view).
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import altair as alt
import pandas as pd

from dashboard.registry import registry
from dashboard.url_state import SHARE_PARAMS, ShareOptions, parse_share
from dashboard.view_kind import Drawn, ViewKind
from indicators import query

#: The page ``app.py`` marks ``default=True``: Streamlit serves it at ``/`` (its own path would show
#: "Page not found"), so its permalinks have no path and a link without a path opens it.
HOME_PAGE = "overview"
#: Where permalinks point when the app cannot tell (CLI, bake) — set it for a public deployment.
PUBLIC_URL_ENV = "BEYOND_GDP_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
#: A link longer than this is not a view someone shared; refuse it rather than parse it.
MAX_LINK_LENGTH = 100_000
MAX_LINK_FIELDS = 50
PROJECT_NAME = "Beyond GDP dashboard"


class ShareError(ValueError):
    """A link or view that cannot be shared or exported; the message says what and how to fix it."""


@dataclass(frozen=True)
class ViewMeta:
    """Everything a reader needs to trust, reuse and cite a chart."""

    title: str
    description: str
    source_line: str
    publishers: tuple[str, ...]
    licences: tuple[str, ...]
    source_urls: tuple[str, ...]
    vintage: str
    data_version: str
    pinned_version: str | None
    permalink: str
    embed_url: str
    citation: str
    notes: tuple[str, ...] = ()

    @property
    def version_notice(self) -> str | None:
        """Set when the link was made with other data than the app now runs."""
        if self.pinned_version and self.pinned_version != self.data_version:
            return (
                f"This link was made with data snapshot {self.pinned_version}; this dashboard now runs snapshot "
                f"{self.data_version}, so the numbers may differ from what was shared."
            )
        return None


@dataclass(frozen=True)
class SharedView:
    """A view resolved from a link and drawn: the chart, its rows and its metadata."""

    kind: ViewKind
    view: Any
    options: ShareOptions
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    meta: ViewMeta
    stem: str
    notices: tuple[str, ...] = field(default=())
    indicators: tuple[str, ...] = ()

    def file_name(self, extension: str) -> str:
        return f"{self.stem}_{self.meta.data_version}.{extension}"


def kinds_for_page(page: str) -> list[ViewKind]:
    return [k for k in registry().values() if k.page == page]


def pages() -> list[str]:
    return list(dict.fromkeys(k.page for k in registry().values()))


# -- links -------------------------------------------------------------------------------------


def public_url(browser_url: str | None = None, page: str | None = None) -> str:
    """The dashboard's address for permalinks: ``$BEYOND_GDP_PUBLIC_URL``, else the browser's, else localhost.

    The environment variable wins because a deployment behind a proxy knows its public name
    better than the address a browser reports; ``browser_url`` (``st.context.url``) includes the
    current page's path, which is trimmed off.
    """
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    for candidate in (configured, browser_url or ""):
        if candidate:
            clean = _checked_base(candidate, from_env=candidate == configured)
            if clean is None:
                continue
            if page and clean.endswith("/" + page):
                clean = clean[: -len(page) - 1]
            return clean
    return DEFAULT_PUBLIC_URL


def _checked_base(url: str, *, from_env: bool) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch in url for ch in "<>\"' \\\n\r\t"):
        if from_env:
            raise ShareError(
                f"{PUBLIC_URL_ENV}={url!r} is not an http(s) address such as https://beyondgdp.example.org"
            )
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def split_link(link: str) -> tuple[str | None, dict[str, list[str]]]:
    """A shared link, a path with a query or a bare query string -> (page or None, parameters)."""
    if len(link) > MAX_LINK_LENGTH:
        raise ShareError(f"the link is {len(link):,} characters long; a view link is at most {MAX_LINK_LENGTH:,}")
    text = link.strip()
    if "://" in text:
        parts = urlsplit(text)
        path, query_string = parts.path, parts.query
    elif "?" in text:
        path, query_string = text.split("?", 1)
    elif "=" in text or not text:
        path, query_string = "", text
    else:
        path, query_string = text, ""
    page = path.strip("/").rsplit("/", 1)[-1] or None
    if page is None and ("://" in text or text.startswith("/")):
        page = HOME_PAGE  # the app's address itself: its home page
    try:
        params = parse_qs(query_string, keep_blank_values=True, max_num_fields=MAX_LINK_FIELDS)
    except ValueError:
        raise ShareError(f"the link has more than {MAX_LINK_FIELDS} parameters; a view needs a handful") from None
    return page, params


def resolve(params: Mapping[str, object], page: str | None = None) -> tuple[ViewKind, Any, ShareOptions]:
    """Which kind of view the parameters ask for, the parsed view and the share options."""
    known = registry()
    if page is not None and page not in pages():
        raise ShareError(f"no shareable views on page {page!r}; pages with views: {', '.join(pages())}")
    candidates = kinds_for_page(page) if page else list(known.values())
    options = parse_share(params, charts=[k.kind for k in candidates])
    kind = known[options.chart] if options.chart else candidates[0]
    view = kind.parse({k: v for k, v in params.items() if k not in SHARE_PARAMS})
    return kind, view, options


def permalink(kind: ViewKind, view: Any, *, base_url: str, version: str | None, embed: bool = False) -> str:
    """The link that reopens exactly this view (pinned to ``version`` when given)."""
    params = dict(view.to_query())
    if kind.kind != kinds_for_page(kind.page)[0].kind:
        params["chart"] = kind.kind
    if version:
        params["v"] = version
    if embed:
        params["embed"] = "true"
    query_string = urlencode(params, safe=",:")  # "w=inclusive:2" stays readable
    path = "" if kind.page == HOME_PAGE else kind.page
    return f"{base_url.rstrip('/')}/{path}" + (f"?{query_string}" if query_string else "")


def citation(title: str, publishers: tuple[str, ...], version: str, link: str, year: int | None = None) -> str:
    year = year or date.today().year
    return f"{PROJECT_NAME} ({year}). {title}. Data: {'; '.join(publishers)}. Snapshot {version}. {link}"


# -- building ----------------------------------------------------------------------------------


def build(
    kind: ViewKind,
    view: Any,
    options: ShareOptions | None = None,
    *,
    base_url: str | None = None,
    drawn: Drawn | None = None,
) -> SharedView:
    """Draw a parsed view and gather its metadata; the permalink pins the running data version.

    ``drawn`` is ``kind.build(view)`` when the caller already has it: the drawing does not depend on
    the address, so the app draws a view once however many addresses it is opened under.
    """
    options = options or ShareOptions()
    drawn = drawn or kind.build(view)
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,120}", drawn.stem):
        raise ShareError(f"view kind {kind.kind!r} returned an unsafe file stem {drawn.stem!r}")
    base = base_url or public_url()
    version = query.data_version()
    link = permalink(kind, view, base_url=base, version=version)
    definitions = [query.definition(i) for i in drawn.indicators]
    credits = [query.source_credit(i) for i in drawn.indicators]  # the official dataset when one is used
    publishers = tuple(dict.fromkeys(publisher for publisher, _ in credits))
    meta = ViewMeta(
        title=drawn.title,
        description=drawn.description,
        source_line=query.source_line(list(drawn.indicators)),
        publishers=publishers,
        licences=tuple(dict.fromkeys(licence for _, licence in credits)),
        source_urls=tuple(dict.fromkeys(d.source.url for d in definitions if d.source.url)),
        vintage=_vintage(drawn.indicators),
        data_version=version,
        pinned_version=options.version,
        permalink=link,
        embed_url=permalink(kind, view, base_url=base, version=version, embed=True),
        citation=citation(drawn.title, publishers, version, link),
        notes=drawn.notes,
    )
    return SharedView(
        kind=kind,
        view=view,
        options=options,
        chart=drawn.chart,
        data=drawn.data,
        meta=meta,
        stem=drawn.stem,
        notices=tuple(view.notices) + tuple(options.notices),
        indicators=tuple(drawn.indicators),
    )


def share_link(link: str, *, base_url: str | None = None) -> SharedView:
    """Parse a link (URL, ``page?query`` or bare query string) and build the view it names."""
    page, params = split_link(link)
    kind, view, options = resolve(params, page)
    return build(kind, view, options, base_url=base_url)


def _vintage(indicator_ids: tuple[str, ...]) -> str:
    vintages = []
    for ident in indicator_ids:
        try:
            vintages.append(query.provenance_for(ident).retrieved_or_built)
        except (query.QueryError, OSError, ValueError):
            continue
    return "; ".join(sorted({v for v in vintages if v})) or "not recorded"


#: Columns every exported CSV row carries, so a row copied out of the file still says what it is.
CSV_METADATA = ("indicator", "indicator_title", "unit", "source", "licence", "snapshot")


def with_estimate_column(data: pd.DataFrame, indicators: tuple[str, ...]) -> pd.DataFrame:
    """``data`` with the publisher's ``estimated`` flag on every row that names a place and a year.

    A flag the view already set is kept; rows without one are looked up: by the row's own ``indicator``
    when there is that column, else True when any of the view's ``indicators`` is estimated there (an
    estimate in, an estimate out). Rows with no year (a target line, a boundary) are not estimates. A
    table without place and year columns (a composite index's ranking) is returned unchanged."""
    if not {"ref_area", "year"} <= set(data.columns):
        return data
    known = set(query.definitions())
    looked_up = pd.Series(False, index=data.index)
    if "indicator" in data.columns:
        for ident, part in data.groupby("indicator", sort=False):
            if ident in known:
                looked_up[part.index] = query.estimated_at([str(ident)], part["ref_area"], part["year"])
    else:
        looked_up = query.estimated_at([i for i in indicators if i in known], data["ref_area"], data["year"])
    given = data["estimated"].astype("boolean") if "estimated" in data.columns else pd.Series(pd.NA, index=data.index)
    return data.assign(estimated=given.fillna(looked_up).astype(bool))


def csv_rows(shared: SharedView) -> pd.DataFrame:
    """Exactly the rows the chart draws, each with its indicator id, title, unit, source, licence, the
    data snapshot and (where the rows name a place and a year) whether the publisher estimated the value. Rows of several indicators (an ``indicator`` column) each get their own; a chart of
    many indicators at once (a composite index) lists them all, separated by "; "."""

    def facts(idents) -> dict[str, str]:
        items = [query.definition(i) for i in dict.fromkeys(idents)]
        # The source actually used: an official dataset when one is refreshed, else the snapshot series.
        credits = [query.source_credit(i.id) for i in items]
        return {
            "indicator": "; ".join(i.id for i in items),
            "indicator_title": "; ".join(i.label for i in items),
            "unit": "; ".join(dict.fromkeys(i.unit for i in items)),
            "source": "; ".join(dict.fromkeys(publisher for publisher, _ in credits)),
            "licence": "; ".join(dict.fromkeys(licence for _, licence in credits)),
        }

    data = with_estimate_column(shared.data, shared.indicators)
    if "indicator" in data.columns:
        extra = pd.DataFrame([facts([str(i)]) for i in data["indicator"]], index=data.index)
    else:
        extra = pd.DataFrame([facts(shared.indicators)] * len(data), index=data.index)
    data = pd.concat([data.drop(columns=["unit"], errors="ignore"), extra.drop(columns="indicator")], axis=1)
    data = data.assign(indicator=extra["indicator"], snapshot=shared.meta.data_version)
    return data[list(CSV_METADATA) + [c for c in data.columns if c not in CSV_METADATA]].reset_index(drop=True)


def footer_lines(meta: ViewMeta, width: int = 110) -> list[str]:
    """Source, licence, version and citation wrapped for the bottom of a static image."""
    lines = [meta.source_line, f"Licence: {'; '.join(meta.licences)}", f"Cite as: {meta.citation}"]
    if meta.version_notice:
        lines.insert(0, meta.version_notice)
    return [piece for line in lines for piece in textwrap.wrap(line, width, break_on_hyphens=False)]
