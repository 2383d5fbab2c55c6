"""What the dashboard's numbers are made of: every stored dataset with its provenance, the catalogue
entries that could be fetched, the attribution owed to each publisher, and the refresh the page may start.

The "Data & sources" page calls only this module, so the dashboard never reaches into ``connectors``
itself. The listing is cached (provenance sidecars are read once per data version); a refresh that
changes the store clears every cached answer of the indicators layer, because they were computed from
the old files. A refresh never raises for a data or network problem: each catalogue entry gets one
:class:`RefreshReport` line, and the connectors guarantee that a failure leaves the stored files as
they were.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from connectors import feeds, store
from connectors.http import Fetcher, Offline
from connectors.providers import CatalogueEntry, RegistryError, build_url, default_catalogue, default_providers
from connectors.refresh import Outcome, refresh_one
from indicators import query
from indicators.catalog import catalog

#: Above this many rows a CSV is built only when the visitor asks for it (it takes about 1 s per 10^6 rows).
LARGE_DATASET_ROWS = 100_000
GITHUB = "https://github.com"


@dataclass(frozen=True)
class Upstream:
    """A public repository (and commit) a stored dataset's input files were copied from."""

    repository: str
    commit: str

    @property
    def url(self) -> str:
        return f"{GITHUB}/{self.repository}/tree/{self.commit}" if self.commit else f"{GITHUB}/{self.repository}"


@dataclass(frozen=True)
class DatasetSource:
    """One stored dataset as the app reads it (a refreshed copy shadows the snapshot of the same name)."""

    key: str  # "source/dataset", as in the URL
    source: str
    dataset: str
    area: str  # "snapshot" or "refreshed"
    file: str  # path shown to the visitor, relative to the project
    title: str
    publisher: str
    licence: str
    citation: str
    query: str
    original_source: str
    rows: int
    vintage: str
    refreshed_at: str  # ISO time of the download for refreshed data; "" for the committed snapshot
    builder: str
    upstream: tuple[Upstream, ...]
    indicators: tuple[str, ...]
    catalogue_entry: str

    @property
    def updated(self) -> str:
        """When the data was last refreshed or built, in the user's words."""
        if self.refreshed_at:
            return f"refreshed {self.refreshed_at}"
        return "committed snapshot"


@dataclass(frozen=True)
class CatalogueSource:
    """A dataset the refresh can fetch from an SDMX provider, and whether it is stored yet."""

    name: str
    title: str
    provider: str
    publisher: str
    url: str
    licence: str
    indicators: tuple[str, ...]  # ids of the definitions that read the stored dataset
    measures: tuple[str, ...]  # what the query returns, in plain words
    verified: str
    enabled: bool
    note: str
    stored_key: str | None  # "source/dataset" once fetched
    unmatched: tuple[str, ...] = ()  # "indicator: what is wrong" for selections the stored data cannot serve

    @property
    def state(self) -> str:
        if not self.enabled:
            return f"disabled: {self.note}"
        if self.stored_key and self.unmatched:
            return (
                f"fetched (stored as {self.stored_key}), but {'; '.join(self.unmatched)} — "
                "these indicators use their snapshot fallback"
            )
        if self.stored_key:
            return f"fetched (stored as {self.stored_key})"
        return "available to refresh: not fetched yet"


@dataclass(frozen=True)
class Attribution:
    """Who must be credited for something the app shows, under which licence, and where it came from."""

    what: str
    publisher: str
    licence: str
    repositories: tuple[str, ...]


@dataclass(frozen=True)
class RefreshReport:
    """The result of refreshing one catalogue entry: ``status`` and one line for the visitor."""

    name: str
    status: str  # updated | unchanged | offline | failed | skipped
    line: str
    detail: str


#: The boundary files behind the maps (built by ``python -m connectors build-geometry`` from ../shared/data).
#: Kept here with the other attributions; a test checks every input in dashboard/assets/manifest.json is listed.
MAP_GEOMETRY = (
    Attribution(
        what="World country boundaries (maps)",
        publisher="Gapminder, derived from Natural Earth 1:50m",
        licence="Natural Earth: public domain; Gapminder: CC BY 4.0",
        repositories=("open-numbers/ddf--gapminder--systema_globalis@c63631abeb62af6db3910f68be7c2b443beca50b",),
    ),
    Attribution(
        what="NUTS 2021 regions of Europe (maps)",
        publisher="Eurostat GISCO — © EuroGeographics for the administrative boundaries",
        licence="GISCO terms: free reuse with the attribution “© EuroGeographics for the administrative boundaries”",
        repositories=("BIAKuustom/NUTSMaps@ba432545b5420274d63ca16ce3e70d8bfef5aa69",),
    ),
    Attribution(
        what="Subnational (GDL) region boundaries (maps)",
        publisher="Global Data Lab, Radboud University",
        licence="CC BY 4.0; GDL asks for citation (Smits & Permanyer 2019)",
        repositories=("open-numbers/ddf--gdl--shdi@044b3e07d16d0e68f9515df89c67018c75e7d7ed",),
    ),
)
#: Which shared-data inputs each geometry entry covers (paths as in dashboard/assets/manifest.json).
MAP_GEOMETRY_INPUTS = {
    "panel/gapminder_systema_globalis/": MAP_GEOMETRY[0],
    "regions/boundaries/nuts2021_60m_4326/": MAP_GEOMETRY[1],
    "regions/gdl_subnational_hdi/": MAP_GEOMETRY[2],
}
#: Repositories of the inputs of the area table (names, codes, groups), by shared-data folder.
AREA_TABLE_REPOSITORIES = {
    "panel/gapminder_systema_globalis/": "open-numbers/ddf--gapminder--systema_globalis",
    "panel/un_sdg_indicators/": "open-numbers/ddf--unstats--sdg_indicators",
    "regions/boundaries/nuts2021_60m_4326/": "BIAKuustom/NUTSMaps",
}


# --- listing ------------------------------------------------------------------------------------


def _relative(path: Path | str) -> str:
    """A stored file as the page shows it: relative to the project on disk, the s3:// URL on an object store."""
    if store.is_object_store(path):
        return str(path)
    try:
        return path.relative_to(store.PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _upstream(extra: dict) -> tuple[Upstream, ...]:
    found: dict[tuple[str, str], None] = {}
    for item in (extra.get("upstream") or {}).values():
        if isinstance(item, dict) and item.get("repository"):
            found[(str(item["repository"]), str(item.get("commit", "")))] = None
    return tuple(Upstream(repo, commit) for repo, commit in found)


@lru_cache(maxsize=1)
def _readers() -> dict[tuple[str, str], tuple[str, ...]]:
    """(source, dataset) -> the indicators that read it, derived ones through the series they use."""
    readers: dict[tuple[str, str], list[str]] = {}
    for ident in sorted(catalog()):
        for raw in query.raw_inputs(ident):
            series = catalog()[raw].series
            if series is None:
                continue
            names = readers.setdefault((series.source, series.dataset), [])
            if ident not in names:
                names.append(ident)
    return {key: tuple(names) for key, names in readers.items()}


def _catalogue() -> dict[str, CatalogueEntry]:
    try:
        return default_catalogue()
    except RegistryError:
        return {}  # a broken catalogue file is reported by `python -m connectors status`; the listing still works


@lru_cache(maxsize=4)
def _datasets(root: str | None, version: str) -> tuple[DatasetSource, ...]:
    base = _root(root)
    by_store = {(e.store_source, e.store_dataset): e.name for e in _catalogue().values()}
    readers = _readers()
    found = []
    for item in store.stored_files(base):  # works on disk and on an s3:// store alike
        if not item.in_use:
            continue
        source, dataset = item.source, item.dataset
        provenance = store.stored_provenance(item, base)
        extra = provenance.extra or {}
        found.append(
            DatasetSource(
                key=f"{source}/{dataset}",
                source=source,
                dataset=dataset,
                area=item.area,
                file=_relative(item.path),
                title=provenance.title or dataset,
                publisher=provenance.publisher,
                licence=provenance.licence,
                citation=provenance.citation,
                query=provenance.query,
                original_source=provenance.original_source,
                rows=provenance.row_count,
                vintage=provenance.retrieved_or_built,
                refreshed_at=str(extra.get("retrieved_at", "")),
                builder=provenance.code_version,
                upstream=_upstream(extra),
                indicators=readers.get((source, dataset), ()),
                catalogue_entry=by_store.get((source, dataset), ""),
            )
        )
    return tuple(found)


def _root(root: str | None) -> Path | str | None:
    """The cache key (a string) back to a store root: an s3:// URL stays a URL, Path() would mangle it."""
    if not root:
        return None
    return root if store.is_object_store(root) else Path(root)


def datasets(root: Path | None = None) -> tuple[DatasetSource, ...]:
    """Every dataset the app reads, sorted by source and name; cached per data version."""
    return _datasets(str(root) if root else None, _version(root))


def _version(root: Path | None) -> str:
    return store.data_version(root) if root else query.data_version()


def dataset(key: str, root: Path | None = None) -> DatasetSource:
    """One dataset by its ``source/dataset`` key; :class:`KeyError` naming the known keys otherwise."""
    for item in datasets(root):
        if item.key == key:
            return item
    raise KeyError(f"no dataset {key!r}; known: {', '.join(d.key for d in datasets(root))}")


def catalogue_entries(root: Path | None = None) -> tuple[CatalogueSource, ...]:
    """Every entry of connectors/catalogue.yaml, with the exact URL a refresh would ask for."""
    stored = {(d.source, d.dataset) for d in datasets(root)}
    providers = default_providers() if _catalogue() else {}
    found = []
    for entry in _catalogue().values():
        provider = providers[entry.provider]
        key = (entry.store_source, entry.store_dataset)
        try:
            url = build_url(entry, providers)[0]
        except RegistryError:
            url = ""
        found.append(
            CatalogueSource(
                name=entry.name,
                title=entry.title,
                provider=entry.provider,
                publisher=provider.name,
                url=url,
                licence=entry.licence or provider.licence,
                indicators=tuple(entry.indicators),
                measures=tuple(entry.measures),
                verified=entry.verified,
                enabled=entry.enabled,
                note=entry.note,
                stored_key=f"{key[0]}/{key[1]}" if key in stored else None,
                unmatched=_unmatched(entry, root) if key in stored and entry.enabled else (),
            )
        )
    return tuple(found)


def _unmatched(entry: CatalogueEntry, root: Path | None) -> tuple[str, ...]:
    """The indicators whose selection the stored dataset cannot serve (the same check as `connectors status`)."""
    return tuple(
        f"{feed.indicator} {feed.state} ({feed.detail})"
        for feed in feeds.check_entry(entry, root)
        if feed.state in (feeds.MATCHES_NOTHING, feeds.AMBIGUOUS)
    )


def _areas_attribution(root: Path | None) -> Attribution | None:
    try:
        data = store.areas_provenance(root)
    except (OSError, ValueError):
        return None
    repositories = sorted(
        {
            repo
            for prefix, repo in AREA_TABLE_REPOSITORIES.items()
            for name in data.get("inputs", {})
            if name.startswith(prefix)
        }
    )
    return Attribution(
        what="Area names, codes and groups",
        publisher=str(data.get("publisher", "")),
        licence=str(data.get("licence", "")),
        repositories=tuple(repositories),
    )


def attributions(root: Path | None = None) -> tuple[Attribution, ...]:
    """Everything the app shows that needs crediting: each dataset, the area table and the map geometry."""
    found = [
        Attribution(
            what=item.title,
            publisher=item.publisher,
            licence=item.licence,
            repositories=tuple(f"{u.repository}@{u.commit}" if u.commit else u.repository for u in item.upstream)
            or ((item.original_source,) if item.original_source else ()),
        )
        for item in datasets(root)
    ]
    areas = _areas_attribution(root)
    return tuple(found + ([areas] if areas else []) + list(MAP_GEOMETRY))


# --- downloads ----------------------------------------------------------------------------------


def parquet_bytes(key: str, root: Path | None = None) -> bytes:
    """The stored Parquet file itself: exactly the rows the app reads, in the store's schema."""
    item = dataset(key, root)
    return store.dataset_bytes(item.source, item.dataset, root)  # checked against the manifest; works on S3


def csv_bytes(key: str, root: Path | None = None) -> bytes:
    """The same rows as CSV (UTF-8, header row, every column of the store's schema)."""
    import pyarrow.csv as pacsv  # ten times faster than pandas for the 600k-row datasets

    item = dataset(key, root)
    table = store.scan(sources=[item.source], datasets=[item.dataset], root=root)
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    return buffer.getvalue()


# --- refresh ------------------------------------------------------------------------------------

_OFFLINE = re.compile(re.escape(Offline.what) + r": could not reach ([^\s;(—]+)")


def _offline_line(name: str, host: str, root: Path | None) -> str:
    """'Offline: could not reach <host>; still using <what the app reads instead>'."""
    entry = _catalogue().get(name)
    if entry is None:
        return f"Offline: could not reach {host}; nothing changed"
    key = f"{entry.store_source}/{entry.store_dataset}"
    stored = [d for d in datasets(root) if d.key == key]
    if stored:
        item = stored[0]
        when = item.updated if item.refreshed_at else f"vintage {item.vintage}"
        kind = "the snapshot" if item.area == store.SNAPSHOT_DIR else "the data"
        return f"Offline: could not reach {host}; still using {kind} {item.file} ({when})"
    wanted = set(entry.indicators)
    fallback = [d.key for d in datasets(root) if wanted & set(d.indicators)]
    if fallback:
        return (
            f"Offline: could not reach {host}; {name} was never fetched, "
            f"so its indicators keep using the snapshot ({', '.join(fallback)})"
        )
    return f"Offline: could not reach {host}; {name} was never fetched, nothing changed"


def _report(outcome: Outcome, root: Path | None) -> RefreshReport:
    if outcome.status == "failed":
        offline = _OFFLINE.search(outcome.message)
        if offline:
            host = offline.group(1)
            return RefreshReport(outcome.name, "offline", _offline_line(outcome.name, host, root), outcome.message)
        reason = outcome.message.split(" — ")[0]
        return RefreshReport(outcome.name, "failed", f"{reason}; the stored data is unchanged", outcome.message)
    return RefreshReport(outcome.name, outcome.status, outcome.message, outcome.message)


def forget_cached_data() -> None:
    """Drop every cached answer computed from the store (after a refresh wrote new files)."""
    _datasets.cache_clear()
    _readers.cache_clear()
    query.forget_cached_answers()


def refresh(
    names: list[str],
    *,
    on_progress: Callable[[int, int, str], None] | None = None,
    fetcher: Fetcher | None = None,
    root: Path | None = None,
) -> list[RefreshReport]:
    """Refresh catalogue entries one by one through :func:`connectors.refresh.refresh_one`.

    ``on_progress(done, total, name)`` is called before each entry and once at the end. One fetcher
    serves the whole run, so an unreachable host costs one wait, not one per dataset.
    """
    entries = _catalogue()
    fetcher = fetcher or Fetcher()
    reports = []
    for done, name in enumerate(names):
        if on_progress:
            on_progress(done, len(names), name)
        if name not in entries:
            reports.append(RefreshReport(name, "failed", f"{name}: not in the catalogue", ""))
            continue
        outcome = refresh_one(entries[name], fetcher=fetcher, root=root)
        reports.append(_report(outcome, root))
    if on_progress:
        on_progress(len(names), len(names), "")
    if any(r.status == "updated" for r in reports):
        forget_cached_data()
    return reports
