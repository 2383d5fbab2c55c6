"""Data & sources page (thin Streamlit file): what every number is made of, who to credit, and how to fetch newer data.

It lists every stored dataset with its provenance (publisher, query, rows, vintage, licence,
citation, upstream repository, the indicators that read it), offers the stored rows as CSV and
Parquet, shows the state of every catalogue entry — and, only where the operator has enabled it and
typed the refresh secret (see ``data.py``), refreshes them from their SDMX providers — and ends with the attribution list and how to cite the
dashboard. The chosen dataset lives in the URL (``?dataset=source/dataset``).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict

import pandas as pd
import streamlit as st

from dashboard import frame
from dashboard.pages.data_sources import data
from dashboard.pages.data_sources.data import PAGE
from dashboard.pages.data_sources.state import parse_params
from dashboard.share import PROJECT_NAME
from indicators import query, sources

REPORT_KEY = "src_refresh_reports"
STATUS_ICONS = {
    "updated": ":material/check_circle:",
    "unchanged": ":material/check:",
    "offline": ":material/cloud_off:",
    "skipped": ":material/block:",
    "failed": ":material/error:",
}
TABLE_ROW_PX = 35
MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$"


def _md(text: object) -> str:
    """Provenance text shown in Markdown literally (no accidental emphasis, links or HTML)."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in str(text))


def _linked(text: str) -> str:
    """A leading web address becomes a link; the rest is shown literally."""
    address, _, rest = text.partition(" ")
    if re.fullmatch(r"https?://[^\s<>()\[\]]+", address):
        return f"[{_md(address)}]({address})" + (f" {_md(rest)}" if rest else "")
    return _md(text)


def _overview_table(items: tuple[sources.DatasetSource, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Dataset": [d.key for d in items],
            "Title": [d.title for d in items],
            "Rows": [d.rows for d in items],
            "Licence": [d.licence for d in items],
            "Vintage": [d.vintage for d in items],
            "Last refresh / build": [d.updated for d in items],
            "Indicators": [len(d.indicators) for d in items],
            "Publisher": [d.publisher for d in items],
        }
    )


def _details(item: sources.DatasetSource) -> None:
    facts = [
        f"**Publisher:** {_md(item.publisher)}",
        f"**Licence:** {_md(item.licence)}",
        f"**Query:** `{item.query}`" if item.query else "",
        # where the stored file was fetched (often a copy such as a GitHub repository), not the publisher: the
        # "Cite as" line below names the publisher
        f"**Retrieved from:** {_linked(item.original_source)}" if item.original_source else "",
        f"**Rows stored:** {item.rows:,} in `{item.file}`",
        f"**Vintage:** {_md(item.vintage)}",
        f"**Last refresh / build:** {_md(item.updated)}",
        f"**Built by:** `{item.builder}`" if item.builder else "",
    ]
    if item.catalogue_entry:
        facts.append(f"**Refreshable as:** `{item.catalogue_entry}`")
    if item.upstream:
        links = ", ".join(f"[{_md(u.repository)} @ {u.commit[:7] or 'latest'}]({u.url})" for u in item.upstream)
        facts.append(f"**Copied from:** {links}")
    st.markdown("\n".join(f"- {fact}" for fact in facts if fact))
    st.caption("Cite as")
    st.code(item.citation, language=None, wrap_lines=True)
    if item.indicators:
        links = " · ".join(f"[{_md(query.definition(i).label)}](catalogue?ind={i})" for i in item.indicators)
        st.markdown(f"**Read by {len(item.indicators)} indicator{'s' * (len(item.indicators) != 1)}:** {links}")
    else:
        st.caption("No indicator definition reads this dataset yet.")


def _downloads(item: sources.DatasetSource) -> None:
    """The stored rows, built only when a button is clicked (a large CSV takes a moment)."""
    st.caption(
        f"Exactly the {item.rows:,} rows stored, in the store's tidy schema "
        "(source, dataset, series, ref_area, time_period, …, value, unit, dimensions, attributes)."
    )
    columns = st.columns(2)
    stem = item.key.replace("/", "__")
    columns[0].download_button(
        "Download CSV",
        lambda: sources.csv_bytes(item.key),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="src_download_csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
        help="Built when you click; a few seconds for the largest datasets" if item.rows > 100_000 else None,
    )
    columns[1].download_button(
        "Download Parquet",
        lambda: sources.parquet_bytes(item.key),
        file_name=f"{stem}.parquet",
        mime="application/vnd.apache.parquet",
        key="src_download_parquet",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )


def _refresh(names: list[str]) -> None:
    bar = st.progress(0.0, text="Starting the refresh…")

    def step(done: int, total: int, name: str) -> None:
        text = f"Refreshing {name} ({done + 1} of {total})…" if name else "Refresh finished"
        bar.progress(done / total if total else 1.0, text=text)

    try:
        reports = sources.refresh(names, on_progress=step)
    except Exception as error:  # the connectors report data and network problems; this is anything else
        reports = [sources.RefreshReport("refresh", "failed", f"The refresh stopped: {error}", str(error))]
    bar.empty()
    st.session_state[REPORT_KEY] = [asdict(r) for r in reports]
    if any(r.status == "updated" for r in reports):
        st.rerun()  # redraw the listing from the new files


def _show_reports() -> None:
    reports = st.session_state.get(REPORT_KEY) or []
    for report in reports:
        icon = STATUS_ICONS.get(report["status"], ":material/info:")
        if report["status"] == "updated":
            st.success(report["line"], icon=icon)
        elif report["status"] in ("offline", "skipped"):
            st.warning(report["line"], icon=icon)
        elif report["status"] == "failed":
            st.error(report["line"], icon=icon)
        else:
            st.info(report["line"], icon=icon)


def _feeds(entry: sources.CatalogueSource) -> str:
    """What a catalogue query holds, and which indicators read it once fetched (say so when none does yet)."""
    measures = ", ".join(entry.measures)
    if not entry.indicators:
        return f"{measures} · no indicator reads it yet"
    labels = ", ".join(query.definition(i).label for i in entry.indicators)
    return f"{measures} · read by {labels}"


def _secrets() -> dict:
    """Streamlit's secrets, or none when the deployment has no secrets file."""
    try:
        return dict(st.secrets)
    except Exception:  # noqa: BLE001 — no secrets.toml is the normal case for a visitor-only deployment
        return {}


def _operator_may_refresh() -> bool:
    """Refresh buttons only for an operator: switched on by the deployment and unlocked with its secret."""
    gate = data.refresh_gate(os.environ, _secrets())
    if not gate.enabled:
        st.caption(
            f"Status only: {gate.reason}. The operator refreshes on the server with `{data.CLI_HINT}`; "
            "the dashboard shows new data on the next visit."
        )
        return False
    typed = st.text_input("Operator refresh secret", type="password", key="src_operator_secret")
    if data.operator_unlocked(gate, typed):
        return True
    if typed:
        st.warning("That is not the refresh secret.", icon=":material/lock:")
    return False


def _refresh_section(entries: tuple[sources.CatalogueSource, ...]) -> None:
    st.header("Refresh from the providers", divider="gray")
    operator = _operator_may_refresh()
    enabled = [e.name for e in entries if e.enabled] if operator else []
    waiting = sum(1 for e in entries if e.enabled and not e.stored_key)
    st.caption(
        f"{len(entries)} SDMX queries are in the catalogue (connectors/catalogue.yaml); {waiting} are available "
        "to refresh but not fetched yet. A refresh writes to data_cache/refreshed/, which shadows the snapshot; "
        "if it fails — no network, a provider error, a bad answer — the data stays exactly as it was."
    )
    refresh_all = operator and st.button(f"Refresh all ({len(enabled)})", key="src_refresh_all", icon=":material/sync:")
    report_area = st.container()  # progress and results appear here, next to "Refresh all", whichever button ran
    chosen = enabled if refresh_all else None
    with st.expander("Catalogue entries", expanded=False, icon=":material/list:"):
        for entry in entries:
            row = st.columns([5, 2, 1], vertical_alignment="center")
            row[0].markdown(
                f"**{_md(entry.title)}** · `{entry.name}` · {_md(entry.provider)}  \n"
                f":small[{_md(entry.state)} · licence {_md(entry.licence)} · verified: {entry.verified}]"
            )
            row[1].caption(_md(_feeds(entry)))
            if operator and row[2].button(
                "Refresh", key=f"src_refresh_{entry.name}", disabled=not entry.enabled, icon=":material/sync:"
            ):
                chosen = [entry.name]
    with report_area:
        if chosen and operator:
            _refresh(chosen)
        _show_reports()


def _repository_link(reference: str) -> str:
    """'owner/name@commit' as a link to that commit's tree; any other reference shown as text."""
    repository, _, commit = reference.partition("@")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
        return _linked(reference)
    return f"[{_md(repository)}]({sources.Upstream(repository, commit).url})"


def _about_section(version: str) -> None:
    st.header("About the data", divider="gray")
    st.markdown(
        "Every figure, table and map in this dashboard uses the sources below. Credit them when you reuse "
        "anything from it; where a compiler (Our World in Data, Gapminder) licenses its compilation under "
        "CC BY 4.0, the original producer's terms apply as well. Map boundaries: "
        "**© EuroGeographics for the administrative boundaries** (NUTS regions, Eurostat GISCO); "
        "Natural Earth via Gapminder (countries); Global Data Lab (subnational regions)."
    )
    rows = []
    for item in sources.attributions():
        repositories = ", ".join(_repository_link(r) for r in item.repositories)
        rows.append(
            f"- **{_md(item.what)}** — {_md(item.publisher)}. Licence: {_md(item.licence)}."
            + (f" Source: {repositories}." if repositories else "")
        )
    st.markdown("\n".join(rows))
    st.subheader("Data snapshot and citation")
    st.markdown(
        f"The numbers shown come from data snapshot **`{version}`** (a content hash of every stored file; "
        "a shared link pins it, and says so when the data has changed since)."
    )
    year = pd.Timestamp.today().year
    st.caption("Cite the dashboard as")
    st.code(
        f"{PROJECT_NAME} ({year}). Wellbeing indicators beside GDP, data snapshot {version}. "
        "Data from the publishers listed under 'About the data' on its Data & sources page.",
        language=None,
        wrap_lines=True,
    )
    st.caption("and cite the datasets you used with the citation shown for each above.")


def body(link: frame.Link) -> None:
    items = sources.datasets()
    keys = [d.key for d in items]
    wanted, notices = parse_params(link.params, keys)

    frame.show_link_notices(link, notices)
    version = link.version
    entries = sources.catalogue_entries()

    metrics = st.columns(4)
    metrics[0].metric("Datasets stored", len(items))
    metrics[1].metric("Observations", f"{sum(d.rows for d in items):,}")
    metrics[2].metric("Not fetched yet", sum(1 for e in entries if e.enabled and not e.stored_key))
    metrics[3].metric("Data snapshot", version)

    st.header("Datasets in use", divider="gray")
    st.dataframe(
        _overview_table(items),
        hide_index=True,
        width="stretch",
        height=TABLE_ROW_PX * (len(items) + 1) + 3,  # every dataset visible without scrolling the table
        column_config={
            "Title": st.column_config.TextColumn(width="large"),
            "Rows": st.column_config.NumberColumn(format="localized", width="small"),
            "Licence": st.column_config.TextColumn(width="medium"),
            "Indicators": st.column_config.NumberColumn(width="small", help="Indicator definitions that read it"),
        },
    )

    if not keys:
        st.warning("No datasets are stored. Build the snapshot with `python -m connectors build-snapshot`.")
        return
    if "src_dataset" not in st.session_state or (wanted and not st.session_state.get("src_initialised")):
        st.session_state["src_dataset"] = wanted or keys[0]
    st.session_state["src_initialised"] = True
    if st.session_state["src_dataset"] not in keys:
        st.session_state["src_dataset"] = keys[0]
    titles = {d.key: d.title for d in items}
    selected = st.selectbox("Dataset", keys, key="src_dataset", format_func=lambda k: f"{k} — {titles[k]}")
    frame.sync_url({"dataset": selected})
    item = sources.dataset(selected)
    left, right = st.columns([3, 2])
    with left:
        _details(item)
    with right:
        _downloads(item)

    _refresh_section(entries)
    _about_section(version)


frame.run(
    PAGE,
    body,
    title="Data & sources",
    caption=(
        "Where every number comes from: the stored datasets with their provenance, downloads of the exact rows, "
        "the state of each SDMX query, and who to credit."
    ),
)
