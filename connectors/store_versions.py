"""Dataset versions and manifests: immutable files named by their hash, one manifest switch per change.

Layout under a store root (a folder, or an ``s3://`` prefix)::

    snapshot/<source>/<dataset>.parquet              the committed snapshot (flat, versioned by git)
    snapshot/<source>/<dataset>.provenance.json
    snapshot/MANIFEST.json                           sha256 and size of every committed snapshot file
    refreshed/<source>/<dataset>@<sha256>.parquet            one immutable version, named by the
    refreshed/<source>/<dataset>@<sha256>.provenance.json    sha256 of its Parquet bytes
    refreshed/<source>/<dataset>.manifest.json       the current version, its history (newest last)

A write puts the new version's Parquet and provenance files in place first, then replaces the
dataset's manifest with one atomic rename (one PUT on S3) — a compare-and-swap against the manifest
it started from: on S3 ``If-Match`` on its ETag (``If-None-Match: *`` for a first version), so a
manifest another writer switched meanwhile is never overwritten (:class:`StoreConflict`, nothing
switched). A reader that follows the manifest
therefore always sees a Parquet file and the provenance written with it; a crash before the switch
leaves only unreferenced files, which the next write deletes (:func:`clean_orphans`).

Every file a manifest names carries its sha256 and size, so :func:`verify` can prove the store
intact and :func:`check` can rule out the cheap failures (missing, truncated) without hashing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from connectors.store_files import TMP_SUFFIX, DatasetUnavailable, Location, StoreConflict, StoreError

SNAPSHOT_DIR = "snapshot"
REFRESHED_DIR = "refreshed"
SNAPSHOT_MANIFEST = f"{SNAPSHOT_DIR}/MANIFEST.json"
MANIFEST_FORMAT = "beyond-gdp-store-manifest/1"
KEEP_VERSIONS = 5
PARQUET = ".parquet"
PROVENANCE = ".provenance.json"
MANIFEST = ".manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def provenance_rel(parquet_rel: str) -> str:
    return parquet_rel[: -len(PARQUET)] + PROVENANCE


def manifest_rel(source: str, dataset: str) -> str:
    return f"{REFRESHED_DIR}/{source}/{dataset}{MANIFEST}"


#: How many hex digits of the sha256 name a version file (64 bits: no two versions of a dataset
#: collide in practice; the manifest keeps the whole sha256, and every check uses it).
VERSION_ID_LENGTH = 16


def version_rel(source: str, dataset: str, sha256: str) -> str:
    return f"{REFRESHED_DIR}/{source}/{dataset}@{sha256[:VERSION_ID_LENGTH]}{PARQUET}"


def snapshot_rel(source: str, dataset: str) -> str:
    return f"{SNAPSHOT_DIR}/{source}/{dataset}{PARQUET}"


@dataclass(frozen=True)
class Entry:
    """The files a reader uses for one dataset now, with what its manifest says they must be."""

    source: str
    dataset: str
    area: str
    rel: str
    sha256: str | None  # None: a snapshot file no MANIFEST.json lists (a test store, a hand-made folder)
    size: int | None
    provenance_rel: str
    provenance_sha256: str | None = None
    provenance_size: int | None = None

    @property
    def name(self) -> str:
        return f"{self.source}/{self.dataset}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stored file: which dataset, which file, what, and how to restore it."""

    name: str
    file: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.name}: {self.file} {self.what}. To restore it: {self.fix}"


def restore_hint(loc: Location, area: str, source: str, dataset: str, rel: str) -> str:
    if area == SNAPSHOT_DIR:
        return (
            f"`git checkout {loc.name}/{rel}` (or rebuild the snapshot: "
            "`python -m connectors build-snapshot --from ../shared/data`)"
        )
    name = f"{source}/{dataset}"
    return (
        f"`python -m connectors rollback {name}` (the version before it; `python -m connectors history {name}` "
        "lists the others), or refresh the dataset again"
    )


# --- reading manifests --------------------------------------------------------------------------


def read_json(loc: Location, rel: str) -> dict | None:
    """A manifest as a dict; None if absent; :class:`StoreError` if it is there but unreadable."""
    try:
        return parse_json(rel, loc.read_bytes(rel))
    except FileNotFoundError:
        return None


def parse_json(rel: str, raw: bytes | None) -> dict | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{rel} is not a readable manifest ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise StoreError(f"{rel} is not a readable manifest (not a JSON object)")
    return data


def snapshot_manifest(loc: Location) -> dict[str, dict]:
    """``{relative file: {"sha256", "size"}}`` for the committed snapshot; empty if it has no MANIFEST.json."""
    try:
        data = read_json(loc, SNAPSHOT_MANIFEST) or {}
    except StoreError:
        return {}
    files = data.get("files", {})
    return files if isinstance(files, dict) else {}


def _refreshed_manifests(loc: Location, stats: dict | None = None) -> list[tuple[str, str, str]]:
    """(source, dataset, manifest path) for every dataset manifest in the refreshed area."""
    found = []
    for rel in sorted(stats if stats is not None else loc.list_files(REFRESHED_DIR, recursive=True)):
        parts = rel.split("/")
        if len(parts) == 3 and parts[2].endswith(MANIFEST) and not parts[2].startswith("."):
            found.append((parts[1], parts[2][: -len(MANIFEST)], rel))
    return found


def current_version(manifest: dict) -> dict:
    for version in manifest.get("versions", []):
        if version.get("sha256") == manifest.get("current"):
            return version
    raise StoreError(f"manifest of {manifest.get('source')}/{manifest.get('dataset')} names no current version")


def current_entries(loc: Location) -> dict[tuple[str, str], Entry]:
    """Every dataset a reader sees now: refreshed versions (by their manifests) shadow snapshot files.

    A refreshed manifest that cannot be read leaves the snapshot copy in use; :func:`check` reports it.
    """
    found: dict[tuple[str, str], Entry] = {}
    listed = snapshot_manifest(loc)
    for rel in loc.list_files(SNAPSHOT_DIR, recursive=True):
        parts = rel.split("/")
        if len(parts) != 3 or not parts[2].endswith(PARQUET) or parts[2].startswith("."):
            continue
        source, dataset = parts[1], parts[2][: -len(PARQUET)]
        inner, prov = rel[len(SNAPSHOT_DIR) + 1 :], provenance_rel(rel)[len(SNAPSHOT_DIR) + 1 :]
        record, prov_record = listed.get(inner, {}), listed.get(prov, {})
        found[(source, dataset)] = Entry(
            source, dataset, SNAPSHOT_DIR, rel, record.get("sha256"), record.get("size"),
            provenance_rel(rel), prov_record.get("sha256"), prov_record.get("size"),
        )  # fmt: skip
    for source, dataset, rel in _refreshed_manifests(loc):
        try:
            manifest = read_json(loc, rel)
            version = current_version(manifest or {})
        except StoreError:
            continue
        found[(source, dataset)] = _entry(source, dataset, version)
    return found


def _entry(source: str, dataset: str, version: dict) -> Entry:
    folder = f"{REFRESHED_DIR}/{source}"
    return Entry(
        source, dataset, REFRESHED_DIR, f"{folder}/{version['file']}", version["sha256"], version["size"],
        f"{folder}/{version['provenance_file']}", version["provenance_sha256"], version["provenance_size"],
    )  # fmt: skip


def manifest_signature(loc: Location) -> tuple:
    """Size and modification time of every manifest: when it is unchanged, so is every current version."""
    stats = loc.list_stats(REFRESHED_DIR, recursive=True, suffix=MANIFEST)
    manifests = tuple((rel, stats[rel]) for _, _, rel in _refreshed_manifests(loc, stats))
    return ((SNAPSHOT_MANIFEST, loc.stat(SNAPSHOT_MANIFEST)), *manifests)


# --- writing ------------------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def manifest_tag(loc: Location, source: str, dataset: str) -> str:
    """The tag (ETag on S3) of a dataset's manifest now, :data:`connectors.store_files.ABSENT` if it has none: what a refresh
    records when it starts, so its switch can be refused if another writer switched in between."""
    return loc.read_tagged(manifest_rel(source, dataset))[1]


def changed_behind(loc: Location, what: str) -> str:
    return (
        f"another writer changed the store at {loc.name} since this {what} started ({{rel}} is no longer the "
        "manifest it began from); nothing was switched; rerun"
    )


def commit_version(
    loc: Location,
    source: str,
    dataset: str,
    data: bytes,
    provenance_json: str,
    summary: dict,
    keep: int = KEEP_VERSIONS,
    expected: str | None = None,
) -> str:
    """Store ``data`` as a new version of a refreshed dataset and make it current; return its path.

    Order: Parquet file, provenance file, then the manifest in one compare-and-swap against the
    manifest read first (or against ``expected``, the :func:`manifest_tag` the caller saw when its
    refresh started). If another writer switched the manifest meanwhile, :class:`StoreConflict` is
    raised, nothing is switched, and the new version's files are left unreferenced for the next
    write's :func:`clean_orphans`. Versions beyond the newest ``keep`` are dropped from the manifest
    first and their files deleted after the switch. The same bytes written again reuse their version
    (its provenance is replaced by the newer one). Call with the store's writer lock held.
    """
    if keep < 1:
        raise StoreError(f"keep must be at least 1 version (got {keep})")
    sha = sha256_bytes(data)
    rel = version_rel(source, dataset, sha)
    prov = provenance_json.encode("utf-8")
    mrel = manifest_rel(source, dataset)
    raw, tag = loc.read_tagged(mrel)
    if expected is not None and tag != expected:
        raise StoreConflict(changed_behind(loc, "refresh").format(rel=mrel))
    try:
        manifest = parse_json(mrel, raw)
    except StoreError:
        manifest = None
    loc.write_immutable(rel, data)
    old_prov, prov_tag = loc.read_tagged(provenance_rel(rel))
    prov_tag = loc.write_if(provenance_rel(rel), prov, prov_tag) if old_prov != prov else prov_tag
    if manifest is None:  # first write, or a deleted or damaged manifest: keep the versions still on disk
        manifest = _rebuilt_manifest(loc, source, dataset)
    versions = [v for v in manifest.get("versions", []) if v.get("sha256") != sha]
    versions.append(
        {
            "version": sha[:VERSION_ID_LENGTH],
            "sha256": sha,
            "file": rel.rsplit("/", 1)[1],
            "size": len(data),
            "rows": summary.get("rows"),
            "written_at": _now(),
            "provenance_file": provenance_rel(rel).rsplit("/", 1)[1],
            "provenance_sha256": sha256_bytes(prov),
            "provenance_size": len(prov),
            "provenance": summary,
        }
    )
    dropped = versions[:-keep]
    manifest = {
        "format": MANIFEST_FORMAT,
        "source": source,
        "dataset": dataset,
        "current": sha,
        "versions": versions[-keep:],
    }
    try:
        loc.write_if(mrel, _dump(manifest), tag)  # the one switch, if nobody switched since we read it
    except StoreConflict:
        if old_prov is not None and old_prov != prov:  # a reused version: its provenance as it was
            with contextlib.suppress(StoreError):
                loc.write_if(provenance_rel(rel), old_prov, prov_tag)
        raise StoreConflict(changed_behind(loc, "refresh").format(rel=mrel)) from None
    for old in dropped:
        _delete_version(loc, source, old)
    return rel


def _dump(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _delete_version(loc: Location, source: str, version: dict) -> None:
    for name in (version.get("file"), version.get("provenance_file")):
        if name:
            loc.delete(f"{REFRESHED_DIR}/{source}/{name}")


def commit_snapshot(loc: Location, source: str, dataset: str, data: bytes, provenance_json: str) -> str:
    """Write one snapshot dataset (flat files, as committed) and record both files in MANIFEST.json."""
    rel = snapshot_rel(source, dataset)
    prov = provenance_json.encode("utf-8")
    loc.write_bytes(rel, data)
    loc.write_bytes(provenance_rel(rel), prov)
    files = dict(snapshot_manifest(loc))
    for path, content in ((rel, data), (provenance_rel(rel), prov)):
        files[path[len(SNAPSHOT_DIR) + 1 :]] = {"sha256": sha256_bytes(content), "size": len(content)}
    _write_snapshot_manifest(loc, files)
    return rel


def write_snapshot_manifest(loc: Location) -> int:
    """Hash every file of the snapshot into MANIFEST.json (what `build-snapshot` ends with); return the count."""
    files = {}
    for rel in loc.list_files(SNAPSHOT_DIR, recursive=True):
        if rel == SNAPSHOT_MANIFEST or rel.rsplit("/", 1)[-1].startswith("."):
            continue
        data = loc.read_bytes(rel)
        files[rel[len(SNAPSHOT_DIR) + 1 :]] = {"sha256": sha256_bytes(data), "size": len(data)}
    _write_snapshot_manifest(loc, files)
    return len(files)


def _write_snapshot_manifest(loc: Location, files: dict) -> None:
    body = {
        "format": MANIFEST_FORMAT,
        "about": "sha256 and size of every committed snapshot file; `python -m connectors verify` checks them",
        "files": dict(sorted(files.items())),
    }
    loc.write_bytes(SNAPSHOT_MANIFEST, _dump(body))


def clean_orphans(loc: Location) -> list[str]:
    """Delete what an interrupted write left: temporary files, and version files no manifest names.

    Call with the writer lock held: then no other writer is alive, so every temporary file is an
    orphan. Version files of a dataset whose manifest is missing or unreadable are kept — they
    are what `rollback` rebuilds a manifest from.
    """
    removed = []
    manifests = {rel for _, _, rel in _refreshed_manifests(loc)}
    referenced: set[str] = set()
    unreadable: set[tuple[str, str]] = set()
    for source, dataset, rel in _refreshed_manifests(loc):
        try:
            manifest = read_json(loc, rel) or {}
        except StoreError:
            unreadable.add((source, dataset))
            continue
        for version in manifest.get("versions", []):
            for name in (version.get("file"), version.get("provenance_file")):
                referenced.add(f"{REFRESHED_DIR}/{source}/{name}")
    for rel in loc.list_files("", recursive=True):
        if rel.endswith(TMP_SUFFIX) and rel.rsplit("/", 1)[-1].startswith("."):
            loc.delete(rel)
            removed.append(rel)
    for rel in loc.list_files(REFRESHED_DIR, recursive=True):
        parts = rel.split("/")
        if len(parts) != 3 or "@" not in parts[2] or rel in referenced:
            continue
        source, dataset = parts[1], parts[2].split("@", 1)[0]
        if manifest_rel(source, dataset) in manifests and (source, dataset) not in unreadable:
            loc.delete(rel)
            removed.append(rel)
    return removed


# --- history and rollback -----------------------------------------------------------------------


def history(loc: Location, source: str, dataset: str) -> tuple[dict, list[dict]]:
    """The manifest and its versions, newest first, each with ``current`` set."""
    manifest = read_json(loc, manifest_rel(source, dataset))
    if manifest is None:
        raise StoreError(_no_manifest(loc, source, dataset))
    current = manifest.get("current")
    versions = [dict(v, current=v.get("sha256") == current) for v in reversed(manifest.get("versions", []))]
    return manifest, versions


def _version_ids_on_disk(loc: Location, source: str, dataset: str) -> list[str]:
    prefix = f"{dataset}@"
    return [
        rel.rsplit("/", 1)[1][len(prefix) : -len(PARQUET)]
        for rel in loc.list_files(f"{REFRESHED_DIR}/{source}")
        if rel.rsplit("/", 1)[1].startswith(prefix) and rel.endswith(PARQUET)
    ]


def _no_manifest(loc: Location, source: str, dataset: str) -> str:
    on_disk = _version_ids_on_disk(loc, source, dataset)
    if on_disk:
        shown = ", ".join(on_disk)
        return (
            f"{source}/{dataset} has version files ({shown}) but no manifest; "
            f"`python -m connectors rollback {source}/{dataset} VERSION` makes one of them current again"
        )
    return f"no refreshed versions of {source}/{dataset} (only a refresh creates versions; the snapshot is in git)"


def rollback(loc: Location, source: str, dataset: str, version: str | None = None) -> dict:
    """Make an older version current by switching the manifest; return the version now current.

    ``version`` is a version id or any unique prefix of it (at least 4 characters); default: the
    version written before the current one. The target's files are verified first: rolling back
    to a damaged version is refused. Without a manifest (deleted or damaged), one is rebuilt from
    the version files on disk. Call with the writer lock held.
    """
    mrel = manifest_rel(source, dataset)
    raw, tag = loc.read_tagged(mrel)
    try:
        manifest = parse_json(mrel, raw)
    except StoreError:
        manifest = None
    if manifest is None:
        manifest = _rebuilt_manifest(loc, source, dataset)
        if version is None:
            raise StoreError(_no_manifest(loc, source, dataset))
    versions = manifest.get("versions", [])
    if version is None:
        position = [v["sha256"] for v in versions].index(manifest["current"])
        if position == 0:
            raise StoreError(
                f"{source}/{dataset} has no version older than the current one ({manifest['current'][:VERSION_ID_LENGTH]})"
            )
        target = versions[position - 1]
    else:
        if len(version) < 4:
            raise StoreError(f"version {version!r} is too short: give at least 4 characters of its id")
        matches = [v for v in versions if v["sha256"].startswith(version.lower())]
        if len(matches) != 1:
            known = ", ".join(v["sha256"][:VERSION_ID_LENGTH] for v in versions) or "none"
            what = "matches several versions" if matches else "is not a version"
            raise StoreError(f"{version!r} {what} of {source}/{dataset}; known versions: {known}")
        target = matches[0]
    problems = _verify_version(loc, source, dataset, target)
    if problems:
        raise StoreError(f"refusing to roll back to a damaged version: {problems[0]}")
    manifest = dict(manifest, current=target["sha256"])
    try:
        loc.write_if(mrel, _dump(manifest), tag)
    except StoreConflict:
        raise StoreConflict(changed_behind(loc, "rollback").format(rel=mrel)) from None
    return target


def _rebuilt_manifest(loc: Location, source: str, dataset: str) -> dict:
    """A manifest listing the version files on disk (oldest first by provenance date), for rollback."""
    versions = []
    for version_id in _version_ids_on_disk(loc, source, dataset):
        rel = version_rel(source, dataset, version_id)
        try:
            data, prov = loc.read_bytes(rel), loc.read_bytes(provenance_rel(rel))
            details = json.loads(prov)
        except (OSError, ValueError):
            continue
        sha = sha256_bytes(data)
        if not sha.startswith(version_id):
            continue  # damaged: never offered for rollback
        versions.append(
            {
                "version": sha[:VERSION_ID_LENGTH], "sha256": sha, "file": rel.rsplit("/", 1)[1], "size": len(data),
                "rows": details.get("row_count"), "written_at": details.get("retrieved_or_built", ""),
                "provenance_file": provenance_rel(rel).rsplit("/", 1)[1], "provenance_sha256": sha256_bytes(prov),
                "provenance_size": len(prov), "provenance": summary_of(details),
            }
        )  # fmt: skip
    versions.sort(key=lambda v: v["written_at"] or "")
    return {"format": MANIFEST_FORMAT, "source": source, "dataset": dataset, "current": None, "versions": versions}


def summary_of(provenance: dict) -> dict:
    """The few provenance fields `history` shows: publisher, date, query, rows."""
    return {
        "publisher": provenance.get("publisher", ""),
        "retrieved_or_built": provenance.get("retrieved_or_built", ""),
        "query": provenance.get("query", ""),
        "rows": provenance.get("row_count"),
    }


# --- integrity ----------------------------------------------------------------------------------


def _check_file(loc, name, area, source, dataset, rel, sha, size, deep: bool) -> list[Problem]:
    fix = restore_hint(loc, area, source, dataset, rel)
    stat = loc.stat(rel)
    if stat is None:
        return [Problem(name, rel, "is missing", fix)]
    if size is not None and stat.size != size:
        return [
            Problem(name, rel, f"has {stat.size} bytes where its manifest says {size} (truncated or replaced)", fix)
        ]
    if deep and sha is not None and sha256_bytes(loc.read_bytes(rel)) != sha:
        return [Problem(name, rel, "is damaged: its sha256 differs from the one in its manifest", fix)]
    return []


def _verify_version(loc: Location, source: str, dataset: str, version: dict, current: bool = True) -> list[Problem]:
    folder, name = f"{REFRESHED_DIR}/{source}", f"{source}/{dataset}"
    problems = _check_file(
        loc, name, REFRESHED_DIR, source, dataset, f"{folder}/{version['file']}", version["sha256"], version["size"], True
    ) + _check_file(
        loc, name, REFRESHED_DIR, source, dataset, f"{folder}/{version['provenance_file']}",
        version["provenance_sha256"], version["provenance_size"], True,
    )  # fmt: skip
    if current:
        return problems
    fix = (
        "nothing to do for the data shown — nothing reads this older version, `rollback` refuses it, "
        "and it is deleted once newer versions push it out of the ones kept"
    )
    return [Problem(p.name, p.file, p.what, fix) for p in problems]


def _verify_versions(loc: Location, source: str, dataset: str, manifest: dict) -> list[Problem]:
    """Hash every version kept; if the current one is bad, the fix names the newest good one."""
    problems, good = [], []
    for version in manifest.get("versions", []):
        current = version.get("sha256") == manifest.get("current")
        found = _verify_version(loc, source, dataset, version, current)
        problems += found
        if not found and not current:
            good.append(version)
    if good:
        best = good[-1]
        fix = (
            f"`python -m connectors rollback {source}/{dataset} {best['version']}` (the newest good version, "
            f"written {best.get('written_at', '?')}), or refresh the dataset again"
        )
        current_files = {
            f"{REFRESHED_DIR}/{source}/{v[key]}"
            for v in manifest.get("versions", [])
            if v.get("sha256") == manifest.get("current")
            for key in ("file", "provenance_file")
        }
        problems = [Problem(p.name, p.file, p.what, fix) if p.file in current_files else p for p in problems]
    return problems


def inspect(loc: Location, deep: bool) -> list[Problem]:
    """Every problem of the store. ``deep``: hash every file (`verify`); else sizes and presence (`check`)."""
    problems: list[Problem] = []
    try:
        listed = (read_json(loc, SNAPSHOT_MANIFEST) or {}).get("files")
    except StoreError as exc:
        listed = None
        problems.append(Problem("snapshot", SNAPSHOT_MANIFEST, str(exc).split(" ", 1)[1], _snapshot_manifest_fix(loc)))
    snapshot_files = [
        rel for rel in loc.list_files(SNAPSHOT_DIR, recursive=True)
        if rel != SNAPSHOT_MANIFEST and not rel.rsplit("/", 1)[-1].startswith(".")
    ]  # fmt: skip
    if listed is None and snapshot_files and not problems:
        problems.append(Problem("snapshot", SNAPSHOT_MANIFEST, "is missing", _snapshot_manifest_fix(loc)))
    for inner, record in sorted((listed or {}).items()):
        rel = f"{SNAPSHOT_DIR}/{inner}"
        source, _, dataset = inner.rpartition("/")
        dataset = dataset.split(".", 1)[0]
        problems += _check_file(
            loc, f"{source}/{dataset}" if source else dataset, SNAPSHOT_DIR, source, dataset, rel,
            record.get("sha256"), record.get("size"), deep,
        )  # fmt: skip
    for rel in snapshot_files:
        if listed is not None and rel[len(SNAPSHOT_DIR) + 1 :] not in listed:
            problems.append(
                Problem("snapshot", rel, "is not listed in snapshot/MANIFEST.json", _snapshot_manifest_fix(loc))
            )
    with_manifest = set()
    for source, dataset, rel in _refreshed_manifests(loc):
        with_manifest.add((source, dataset))
        name = f"{source}/{dataset}"
        try:
            manifest = read_json(loc, rel) or {}
            current_version(manifest)
        except StoreError as exc:
            problems.append(Problem(name, rel, f"cannot be used ({exc}); the snapshot copy is shown meanwhile",
                                    _no_manifest(loc, source, dataset).split("; ", 1)[-1]))  # fmt: skip
            continue
        if deep:
            problems += _verify_versions(loc, source, dataset, manifest)
            continue
        entry = _entry(source, dataset, current_version(manifest))
        for file, size in ((entry.rel, entry.size), (entry.provenance_rel, entry.provenance_size)):
            problems += _check_file(loc, name, REFRESHED_DIR, source, dataset, file, None, size, False)
    for rel in loc.list_files(REFRESHED_DIR, recursive=True):
        parts = rel.split("/")
        if len(parts) == 3 and "@" in parts[2] and rel.endswith(PARQUET):
            source, dataset = parts[1], parts[2].split("@", 1)[0]
            if (source, dataset) not in with_manifest:
                with_manifest.add((source, dataset))
                problems.append(
                    Problem(
                        f"{source}/{dataset}", manifest_rel(source, dataset),
                        "is missing although version files exist; the snapshot copy is shown meanwhile",
                        _no_manifest(loc, source, dataset).split("; ", 1)[-1],
                    )
                )  # fmt: skip
    return problems


def _snapshot_manifest_fix(loc: Location) -> str:
    return (
        f"`git checkout {loc.name}/{SNAPSHOT_MANIFEST}`, or regenerate it with "
        "`python -m connectors build-snapshot --from ../shared/data`"
    )


def check_entry(loc: Location, entry: Entry) -> None:
    """Raise :class:`DatasetUnavailable` if a current file is missing or has the wrong size (no hashing)."""
    for rel, size in ((entry.rel, entry.size), (entry.provenance_rel, entry.provenance_size)):
        for problem in _check_file(
            loc, entry.name, entry.area, entry.source, entry.dataset, rel, None, size, False
        ):  # fmt: skip
            raise DatasetUnavailable(entry.source, entry.dataset, f"{problem.file} {problem.what}", problem.fix)
