"""The tidy Parquet store: one schema for every dataset, stored as immutable versions with their provenance.

Every connector (file, SDMX) ends by calling :func:`write_dataset`; every reader above the
connector layer goes through :func:`load` / :func:`scan` / :func:`read_dataset`. Keeping both ends
here is what lets a new source appear in the dashboard without touching anything but its connector.

Layout under ``data_cache/`` (or an ``s3://bucket/prefix``; see :mod:`connectors.store_versions`)::

    snapshot/<source>/<dataset>.parquet            committed, attributed default
    snapshot/<source>/<dataset>.provenance.json
    snapshot/MANIFEST.json                         sha256 and size of every snapshot file
    refreshed/<source>/<dataset>@<sha256>.parquet  a refreshed version (git-ignored), with its
    refreshed/<source>/<dataset>@<sha256>.provenance.json   provenance; the current one, named by
    refreshed/<source>/<dataset>.manifest.json     this manifest, shadows the snapshot dataset

Writers hold the store's lock; readers never need it: a reader follows a manifest to files that
never change. A file whose bytes differ from its manifest is refused with
:class:`DatasetUnavailable` (naming the dataset and the fix), never read as if it were good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from connectors import store_versions as versions
from connectors.store_files import (
    DatasetUnavailable,
    Location,
    StoreConflict,
    StoreError,
    StoreLocked,
    is_object_store,
    locate,
)
from connectors.store_versions import REFRESHED_DIR, SNAPSHOT_DIR, Problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_CONFIGURED = os.environ.get("BEYOND_GDP_DATA_CACHE", "")
#: The store root: a folder (default ``data_cache/``) or an ``s3://bucket/prefix`` URL.
DATA_CACHE: Path | str = (
    _CONFIGURED.rstrip("/") if is_object_store(_CONFIGURED) else Path(_CONFIGURED or PROJECT_ROOT / "data_cache")
)
#: How many versions of a refreshed dataset are kept (the current one always is).
KEEP_VERSIONS = int(os.environ.get("BEYOND_GDP_KEEP_VERSIONS", versions.KEEP_VERSIONS))

#: The one long table every dataset is stored as. ``time_period`` keeps the SDMX spelling
#: (``2020``, ``2020-Q1``, ``2020-01``); ``year`` and ``period_start`` are its typed forms,
#: ``year`` being what year-range filters push down on. ``series`` is the provider's series key
#: (or a file connector's series id); ``dimensions`` is a JSON object of the dimension codes as
#: published (for SDMX, every dimension of the series key, the area included; ``ref_area`` holds
#: the harmonised area code) and ``attributes`` a JSON object of every other attribute.
#: An observation without a time period (SDMX allows them: cross-sections with no time dimension,
#: deletions) has ``time_period`` "" and ``year`` / ``freq`` / ``period_start`` null.
SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("series", pa.string(), nullable=False),
        pa.field("ref_area", pa.string(), nullable=False),
        pa.field("time_period", pa.string(), nullable=False),
        pa.field("freq", pa.string()),
        pa.field("year", pa.int16()),  # null only when time_period is "" (no time period)
        pa.field("period_start", pa.date32()),
        pa.field("value", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("unit_mult", pa.int8()),
        pa.field("obs_status", pa.string()),
        pa.field("dimensions", pa.string()),
        pa.field("attributes", pa.string()),
    ]
)
COLUMNS = SCHEMA.names
#: How files whose every row has a year are written: ``year`` marked required, exactly as before
#: time-less observations were allowed, so rebuilding such a dataset gives the same bytes.
DATED_SCHEMA = pa.schema([f.with_nullable(False) if f.name == "year" else f for f in SCHEMA])
SORT_KEYS = [("series", "ascending"), ("ref_area", "ascending"), ("year", "ascending"), ("time_period", "ascending")]
ROW_GROUP_SIZE = 50_000


@dataclass
class Provenance:
    """Where a dataset came from, so every number the app shows can be traced and cited."""

    source: str
    dataset: str
    publisher: str
    licence: str
    citation: str
    original_source: str
    title: str = ""
    query: str = ""
    retrieved_or_built: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # input file/URL -> sha256
    row_count: int = 0
    code_version: str = ""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # codelist id -> code -> label
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> Provenance:
        return cls.from_json(Path(path).read_bytes())

    @classmethod
    def from_json(cls, text: str | bytes) -> Provenance:
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_version() -> str:
    """The git commit of the code that built a dataset (or 'unknown' outside a checkout)."""
    head = PROJECT_ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref_path = PROJECT_ROOT / ".git" / ref[5:]
            if ref_path.exists():
                return ref_path.read_text().strip()
            packed = PROJECT_ROOT / ".git" / "packed-refs"
            for line in packed.read_text().splitlines() if packed.exists() else []:
                if line.endswith(ref[5:]):
                    return line.split()[0]
            return "uncommitted"
        return ref
    except OSError:
        return "unknown"


def conform(table: pa.Table) -> pa.Table:
    """Cast a connector's table to :data:`SCHEMA`, adding missing optional columns as nulls.

    Raises :class:`StoreError` naming the missing required column, so a connector bug is
    caught before anything is written.
    """
    columns = []
    for fld in SCHEMA:
        if fld.name in table.column_names:
            column = table[fld.name]
            if not column.type.equals(fld.type):
                try:
                    column = column.cast(fld.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise StoreError(f"column {fld.name!r} cannot be stored as {fld.type}: {exc}") from exc
        elif fld.nullable:
            column = pa.nulls(table.num_rows, fld.type)
        else:
            raise StoreError(f"required column {fld.name!r} is missing (have {table.column_names})")
        if not fld.nullable and column.null_count:
            raise StoreError(f"column {fld.name!r} has {column.null_count} empty values; it must always be set")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _location(root) -> Location:
    return locate(root if root is not None else DATA_CACHE)


def dataset_path(source: str, dataset: str, root: Path | None = None, area: str = SNAPSHOT_DIR) -> Path:
    """Where a reader finds ``source/dataset`` in ``area``: the snapshot file, or the current refreshed version.

    For a refreshed dataset never written, the path a flat file would have (it does not exist).
    """
    loc = _location(root)
    if area == REFRESHED_DIR:
        entry = _current(loc).get((source, dataset))
        if entry is not None and entry.area == REFRESHED_DIR:
            return loc.public(entry.rel)
        return loc.public(f"{REFRESHED_DIR}/{source}/{dataset}{versions.PARQUET}")
    return loc.public(f"{area}/{source}/{dataset}{versions.PARQUET}")


def provenance_path(parquet_path: Path) -> Path:
    """The provenance file written with a Parquet file (a snapshot file or one refreshed version)."""
    if isinstance(parquet_path, str):
        return versions.provenance_rel(parquet_path)
    return parquet_path.with_suffix(".provenance.json")


def store_name(root: Path | str | None = None) -> str:
    """How messages name the store: its folder's name (never an absolute server path) or its URL."""
    return _location(root).name


def writer_lock(root: Path | None = None, timeout: float | None = None, break_stale: bool = False):
    """The store's one writer lock, re-entrant in a process: hold it around a whole refresh if you like.

    A second writer waits up to ``timeout`` seconds (default ``BEYOND_GDP_LOCK_TIMEOUT``, 60) and
    then raises :class:`StoreLocked` naming the holder's pid, start time and command (on an object
    store also its user, host and when its lease runs out). ``break_stale`` (``--break-lock``) takes
    over an object-store lock whose lease has run out; a live lock is never broken.
    """
    return _location(root).lock(timeout, break_stale)


def manifest_tag(source: str, dataset: str, root: Path | str | None = None) -> str:
    """The manifest's tag (ETag on S3) now: pass it to :func:`write_dataset` as ``expected_manifest``
    so the switch is refused (:class:`StoreConflict`) if another writer switched in between."""
    return versions.manifest_tag(_location(root), source, dataset)


SNAPSHOT_ON_OBJECT_STORE = (
    "the snapshot is not written to an object store ({url}): it is built on disk and committed to git. "
    "Build it into a folder (`python -m connectors build-snapshot --out data_cache`), then copy the store "
    "there with `python -m connectors publish --to {url}`"
)


def parquet_bytes(table: pa.Table) -> bytes:
    """The table as the store writes it: zstd, sorted row groups with statistics, dictionary-encoded."""
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=9,
        row_group_size=ROW_GROUP_SIZE,
        use_dictionary=True,
        write_statistics=True,
    )
    return sink.getvalue().to_pybytes()


def write_dataset(
    table: pa.Table,
    provenance: Provenance,
    root: Path | None = None,
    area: str = SNAPSHOT_DIR,
    keep: int | None = None,
    expected_manifest: str | None = None,
) -> Path:
    """Conform, sort and store one dataset with its provenance; return the path of its Parquet file.

    In ``refreshed`` this is a new immutable version named by the sha256 of its bytes, made
    current by one atomic switch of the dataset's manifest; the newest ``keep`` versions (default
    :data:`KEEP_VERSIONS`) are kept for `rollback`. In ``snapshot`` the flat committed files are
    replaced and recorded in ``snapshot/MANIFEST.json``. Either way the store's writer lock is held
    and files left by an interrupted write are cleaned first. ``expected_manifest`` (from
    :func:`manifest_tag` when a refresh started): the switch happens only if the manifest is still
    that one, else :class:`StoreConflict` and nothing is switched.

    The snapshot is built on disk and committed to git; it is never written to an object store
    directly (``publish`` copies it there).

    Sorting by series, area and year makes row-group statistics selective, which is what lets
    :func:`load` skip most of a file. An empty table is refused: a refresh that returns nothing
    must not replace good data.
    """
    if area not in (SNAPSHOT_DIR, REFRESHED_DIR):
        raise StoreError(f"unknown store area {area!r}; use {SNAPSHOT_DIR!r} or {REFRESHED_DIR!r}")
    table = conform(table)
    if table.num_rows == 0:
        raise StoreError(f"refusing to write {provenance.source}/{provenance.dataset}: no observations")
    table = table.sort_by(SORT_KEYS).replace_schema_metadata(None)
    if table["year"].null_count == 0:
        table = table.cast(DATED_SCHEMA)
    provenance.row_count = table.num_rows
    provenance.code_version = provenance.code_version or code_version()
    loc = _location(root)
    if area == SNAPSHOT_DIR and is_object_store(loc.public("")):
        raise StoreError(SNAPSHOT_ON_OBJECT_STORE.format(url=loc.name))
    data = parquet_bytes(table)
    with loc.lock():
        versions.clean_orphans(loc)
        if area == SNAPSHOT_DIR:
            rel = versions.commit_snapshot(loc, provenance.source, provenance.dataset, data, provenance.to_json())
        else:
            summary = versions.summary_of(asdict(provenance))
            rel = versions.commit_version(
                loc, provenance.source, provenance.dataset, data, provenance.to_json(), summary,
                keep=KEEP_VERSIONS if keep is None else keep, expected=expected_manifest,
            )  # fmt: skip
    return loc.public(rel)


def write_snapshot_manifest(root: Path | None = None) -> int:
    """Record the sha256 of every snapshot file in ``snapshot/MANIFEST.json``; return how many."""
    loc = _location(root)
    if is_object_store(loc.public("")):
        raise StoreError(SNAPSHOT_ON_OBJECT_STORE.format(url=loc.name))
    with loc.lock():
        return versions.write_snapshot_manifest(loc)


def dataset_files(root: Path | None = None) -> dict[tuple[str, str], Path]:
    """Every stored dataset's current Parquet file, refreshed versions shadowing snapshot files."""
    loc = _location(root)
    return {key: loc.public(entry.rel) for key, entry in sorted(_current(loc).items())}


# --- reading, with the bytes checked against the manifest -----------------------------------------

_verdicts: dict[tuple, bool] = {}  # (file, mtime, size, sha256) -> True once its hash matched
_verdicts_guard = threading.Lock()


def _verified(loc: Location, entry: versions.Entry) -> bytes | None:
    """Refuse a current file that is missing, truncated or whose bytes differ from its manifest.

    Presence and size are checked on every read (one stat); the sha256 once per process and file
    version, cached by (path, mtime, size): the bytes flipped inside a Parquet page that pyarrow
    would read without complaint are caught the first time the file is used. Returns the bytes
    when it had to read them (so an object store is not asked twice), else None.
    """
    versions.check_entry(loc, entry)
    if entry.sha256 is None:
        return None
    stat = loc.stat(entry.rel)
    key = (str(loc.public(entry.rel)), stat.mtime_ns, stat.size, entry.sha256)
    if key in _verdicts:
        return None
    data = loc.read_bytes(entry.rel)
    if versions.sha256_bytes(data) != entry.sha256:
        raise DatasetUnavailable(
            entry.source, entry.dataset,
            f"{entry.rel} is damaged (its sha256 differs from the one in its manifest)",
            versions.restore_hint(loc, entry.area, entry.source, entry.dataset, entry.rel),
        )  # fmt: skip
    with _verdicts_guard:
        _verdicts[key] = True
    return data


def _entry(loc: Location, source: str, dataset: str) -> versions.Entry:
    entry = _current(loc).get((source, dataset))
    if entry is None:
        raise StoreError(f"no dataset {source}/{dataset} in the store {loc.name}")
    return entry


def _unreadable(loc: Location, entry: versions.Entry, exc: Exception) -> DatasetUnavailable:
    """pyarrow's own message names absolute paths; the visitor gets the dataset, the kind of failure, the fix."""
    return DatasetUnavailable(
        entry.source, entry.dataset,
        f"{entry.rel} cannot be read as Parquet ({exc.__class__.__name__})",
        versions.restore_hint(loc, entry.area, entry.source, entry.dataset, entry.rel),
    )  # fmt: skip


def _in(column: str, values: Iterable[str] | None) -> ds.Expression | None:
    if values is None:
        return None
    return pc.field(column).isin(sorted(set(values)))


def build_filter(
    series: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    datasets: Iterable[str] | None = None,
) -> ds.Expression | None:
    parts = [e for e in (_in("series", series), _in("ref_area", areas), _in("dataset", datasets)) if e is not None]
    if years is not None:
        low, high = years
        if low is not None:
            parts.append(pc.field("year") >= low)
        if high is not None:
            parts.append(pc.field("year") <= high)
    if not parts:
        return None
    expression = parts[0]
    for part in parts[1:]:
        expression = expression & part
    return expression


def scan(
    series: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    sources: Iterable[str] | None = None,
    datasets: Iterable[str] | None = None,
    columns: list[str] | None = None,
    root: Path | None = None,
) -> pa.Table:
    """Read observations with every filter pushed into the Parquet scan.

    Files are chosen by ``sources`` and ``datasets`` before opening anything; within files, row
    groups whose statistics cannot match the filter are never decoded. Raises
    :class:`DatasetUnavailable` if one of the chosen datasets is missing or damaged.
    """
    wanted_sources = None if sources is None else set(sources)
    wanted_datasets = None if datasets is None else set(datasets)
    loc = _location(root)
    chosen = [
        entry
        for (source, dataset), entry in sorted(_current(loc).items())
        if (wanted_sources is None or source in wanted_sources)
        and (wanted_datasets is None or dataset in wanted_datasets)
    ]
    if not chosen:
        return SCHEMA.empty_table().select(columns or COLUMNS)
    for entry in chosen:
        _verified(loc, entry)
    filesystem = loc.arrow(chosen[0].rel)[0]
    paths = [loc.arrow(entry.rel)[1] for entry in chosen]
    try:
        dataset = ds.dataset(paths, schema=SCHEMA, format="parquet", filesystem=filesystem)
        return dataset.to_table(columns=columns or COLUMNS, filter=build_filter(series, areas, years, datasets))
    except (OSError, pa.ArrowException) as exc:
        for entry in chosen:  # name the dataset that failed, if one file alone does
            try:
                pq.read_metadata(loc.arrow(entry.rel)[1], filesystem=filesystem)
            except (OSError, pa.ArrowException) as single:
                raise _unreadable(loc, entry, single) from None
        raise StoreError(f"the store {loc.name} could not be scanned ({exc.__class__.__name__})") from None


def load(*args, **kwargs):
    """:func:`scan` as a pandas DataFrame (strings stay strings, years stay integers)."""
    return scan(*args, **kwargs).to_pandas()


def read_provenance(source: str, dataset: str, root: Path | None = None) -> Provenance:
    """The provenance written with the current version of ``source/dataset``."""
    loc = _location(root)
    entry = _entry(loc, source, dataset)
    versions.check_entry(loc, entry)
    try:
        return Provenance.from_json(loc.read_bytes(entry.provenance_rel))
    except (OSError, ValueError, TypeError) as exc:
        raise DatasetUnavailable(
            source, dataset, f"{entry.provenance_rel} cannot be read ({exc.__class__.__name__})",
            versions.restore_hint(loc, entry.area, source, dataset, entry.provenance_rel),
        ) from None  # fmt: skip


def all_provenance(root: Path | None = None) -> dict[tuple[str, str], Provenance]:
    return {key: read_provenance(*key, root=root) for key in dataset_files(root)}


def dumps_mapping(mapping: Mapping[str, object] | None) -> str | None:
    """Serialise dimension/attribute maps deterministically (sorted keys) for the JSON columns."""
    if not mapping:
        return None
    return json.dumps({k: mapping[k] for k in sorted(mapping)}, ensure_ascii=False, separators=(",", ":"))


def today() -> str:
    return dt.date.today().isoformat()


def load_areas(root: Path | None = None):
    """The canonical area table (codes, names, level, aggregate flag, groups) as a DataFrame."""
    loc = _location(root)
    rel = f"{SNAPSHOT_DIR}/areas.parquet"
    if loc.stat(rel) is None:
        raise StoreError(
            f"no area table at {loc.name}/{rel}; rebuild the snapshot with "
            "`python -m connectors build-snapshot --from ../shared/data`"
        )
    record = versions.snapshot_manifest(loc).get("areas.parquet", {})
    entry = versions.Entry(
        "snapshot", "areas", SNAPSHOT_DIR, rel, record.get("sha256"), record.get("size"),
        f"{SNAPSHOT_DIR}/areas.provenance.json",
    )  # fmt: skip
    _verified(loc, entry)
    filesystem, path = loc.arrow(rel)
    try:
        return pq.read_table(path, filesystem=filesystem).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(loc, entry, exc) from None


def areas_provenance(root: Path | str | None = None) -> dict:
    """What the area table was built from (publisher, licence, inputs), on disk or S3; raises
    ``OSError`` / ``ValueError`` when it is missing or unreadable."""
    return json.loads(_location(root).read_bytes(f"{SNAPSHOT_DIR}/areas.provenance.json"))


_current_seen: dict[str, tuple[tuple, dict, str]] = {}  # root -> (manifest signature, entries, data version)
_file_hashes: dict[tuple, str] = {}  # (file, mtime, size) -> sha256, for snapshot files no manifest lists


def _current(loc: Location) -> dict[tuple[str, str], versions.Entry]:
    """:func:`connectors.store_versions.current_entries`, read again only when a manifest changed."""
    return _current_and_version(loc)[0]


def _current_and_version(loc: Location) -> tuple[dict[tuple[str, str], versions.Entry], str]:
    signature = versions.manifest_signature(loc)
    key = str(loc.public(""))
    seen = _current_seen.get(key)
    if seen is not None and seen[0] == signature and signature[0][1] is not None and not _recent(signature):
        return seen[1], seen[2]
    entries = versions.current_entries(loc)
    digest = hashlib.sha256()
    for (source, dataset), entry in sorted(entries.items()):
        digest.update(f"{source}/{dataset}:{entry.sha256 or _file_sha256(loc, entry.rel)}\n".encode())
    version = digest.hexdigest()[:12]
    if all(entry.sha256 for entry in entries.values()):  # else a file may change with no manifest to tell
        _current_seen[key] = (signature, entries, version)
    return entries, version


def data_version(root: Path | None = None) -> str:
    """A short hash of every current dataset's sha256: cite it to pin the numbers shown.

    Cheap enough to call on every interaction: the sha256 values come from the manifests (a
    listing of them, read again only when one changed), never from hashing Parquet files —
    except for snapshot files no ``MANIFEST.json`` lists, hashed once per file version. Changes
    with every refresh and rollback; equal for equal data on any machine.
    """
    return _current_and_version(_location(root))[1]


def _recent(signature: tuple, seconds: float = 2.0) -> bool:
    """Whether a manifest changed so recently that another change in the same clock tick (an object
    store keeps whole seconds) could hide behind an equal size and time: then the manifests are read."""
    now = time.time_ns()
    return any(stat is not None and now - stat.mtime_ns < seconds * 1e9 for _, stat in signature)


def _file_sha256(loc: Location, rel: str) -> str:
    stat = loc.stat(rel)
    key = (str(loc.public(rel)), stat.mtime_ns if stat else 0, stat.size if stat else -1)
    if key not in _file_hashes:
        _file_hashes[key] = versions.sha256_bytes(loc.read_bytes(rel)) if stat else "missing"
    return _file_hashes[key]


def read_dataset(source: str, dataset: str, columns: list[str], root: Path | None = None) -> pa.Table:
    """One whole dataset (chosen columns), read straight from its current file.

    For callers that will ask for many series of the same dataset: one sequential read is
    much cheaper than a filtered scan per series. Raises :class:`StoreError` if it is absent and
    :class:`DatasetUnavailable` if it is missing, truncated or damaged.
    """
    loc = _location(root)
    entry = _entry(loc, source, dataset)
    data = _verified(loc, entry)
    filesystem, path = loc.arrow(entry.rel)
    try:
        if data is not None:
            return pq.read_table(pa.BufferReader(data), columns=columns)
        return pq.read_table(path, columns=columns, filesystem=filesystem)
    except (OSError, pa.ArrowException) as exc:
        raise _unreadable(loc, entry, exc) from None


def dataset_bytes(source: str, dataset: str, root: Path | None = None) -> bytes:
    """The current Parquet file of a dataset, checked against its manifest (for downloads; works on S3)."""
    loc = _location(root)
    entry = _entry(loc, source, dataset)
    data = _verified(loc, entry)
    return data if data is not None else loc.read_bytes(entry.rel)


@dataclass(frozen=True)
class StoredFile:
    """One stored copy of a dataset: the snapshot file, or the current refreshed version."""

    source: str
    dataset: str
    area: str  # SNAPSHOT_DIR or REFRESHED_DIR
    path: Path | str  # a Path on disk, an s3:// URL on an object store
    in_use: bool  # False for a snapshot file a refreshed version shadows
    rel: str = ""  # the file's path inside the store ('snapshot/estat/x.parquet'): the same on disk and S3


def stored_files(root: Path | None = None) -> list[StoredFile]:
    """Every dataset copy in the store, snapshot and refreshed (one row each), for `status` listings.

    Older refreshed versions are not listed here (see :func:`history`); globbing ``*/*.parquet``
    would list each of them as if it were a dataset of its own.
    """
    loc = _location(root)
    current = _current(loc)
    found = []
    for rel in loc.list_files(SNAPSHOT_DIR, recursive=True):
        parts = rel.split("/")
        if len(parts) == 3 and parts[2].endswith(versions.PARQUET) and not parts[2].startswith("."):
            key = (parts[1], parts[2][: -len(versions.PARQUET)])
            found.append(StoredFile(*key, SNAPSHOT_DIR, loc.public(rel), current[key].area == SNAPSHOT_DIR, rel))
    for key, entry in sorted(current.items()):
        if entry.area == REFRESHED_DIR:
            found.append(StoredFile(*key, REFRESHED_DIR, loc.public(entry.rel), True, entry.rel))
    return found


def stored_provenance(item: StoredFile, root: Path | None = None) -> Provenance:
    """The provenance written with one stored copy (a shadowed snapshot file included), on disk or S3.

    For listings only: unlike :func:`read_provenance` nothing is checked against a manifest, so
    raises ``OSError`` / ``ValueError`` for a missing or unreadable sidecar and the caller says so.
    """
    return Provenance.from_json(_location(root).read_bytes(versions.provenance_rel(item.rel)))


# --- integrity, history, rollback -----------------------------------------------------------------


def check(root: Path | None = None) -> list[Problem]:
    """Cheap problems (a missing file or manifest, a size that differs): for the app at start and on a new version."""
    return versions.inspect(_location(root), deep=False)


def verify(root: Path | None = None) -> list[Problem]:
    """Every problem, with every stored file hashed against its manifest (`python -m connectors verify`)."""
    return versions.inspect(_location(root), deep=True)


def history(source: str, dataset: str, root: Path | None = None) -> list[dict]:
    """The refreshed versions of a dataset, newest first, with ``current`` marking the one in use."""
    return versions.history(_location(root), source, dataset)[1]


def rollback(
    source: str, dataset: str, version: str | None = None, root: Path | None = None, break_lock: bool = False
) -> dict:
    """Make an older version current (default: the one before the current); return it."""
    loc = _location(root)
    with loc.lock(break_stale=break_lock):
        return versions.rollback(loc, source, dataset, version)


__all__ = [
    "COLUMNS", "DATA_CACHE", "REFRESHED_DIR", "SCHEMA", "SNAPSHOT_DIR", "DatasetUnavailable", "Problem", "areas_provenance",
    "Provenance", "StoreConflict", "StoreError", "StoreLocked", "all_provenance", "build_filter", "check", "conform",
    "data_version", "dataset_bytes", "dataset_files", "dataset_path", "history", "is_object_store", "load", "load_areas", "manifest_tag", "provenance_path",
    "read_dataset", "read_provenance", "rollback", "scan", "store_name", "stored_files", "stored_provenance", "StoredFile", "verify", "write_dataset", "writer_lock",
]  # fmt: skip
