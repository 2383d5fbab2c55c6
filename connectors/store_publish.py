"""``publish``: copy a whole store (snapshot, refreshed versions, manifests) to another root.

The usual destination is an object store (``s3://bucket/prefix``) that several app replicas
read; a folder works too. The source is verified first — a damaged store is never published —
and files are copied in the order that keeps the destination readable at every moment: data
and provenance files first, each manifest after the files it names.
"""

from __future__ import annotations

from connectors.store_files import Location, StoreError, locate
from connectors.store_versions import REFRESHED_DIR, SNAPSHOT_DIR, SNAPSHOT_MANIFEST, inspect


def _default_root():
    from connectors.store import DATA_CACHE  # the configured store, read when publish runs

    return DATA_CACHE


def publish(source_root, destination_root, break_lock: bool = False) -> int:
    """Copy every file of the store at ``source_root`` to ``destination_root``; return how many.

    Holds the destination's writer lock, so a publish never interleaves with a refresh there."""
    source = locate(source_root if source_root is not None else _default_root())
    destination = locate(destination_root)
    if source.public("") == destination.public(""):
        raise StoreError("publish: the destination is the store itself; name another folder or s3:// URL")
    problems = inspect(source, deep=True)
    if problems:
        raise StoreError(f"the store {source.name} is damaged, so it is not published: {problems[0]}")
    with destination.lock(break_stale=break_lock):
        return _copy(source, destination)


def _copy(source: Location, destination: Location) -> int:
    files = [
        rel
        for area in (SNAPSHOT_DIR, REFRESHED_DIR)
        for rel in source.list_files(area, recursive=True)
        if not rel.rsplit("/", 1)[-1].startswith(".")
    ]
    manifests = [rel for rel in files if rel == SNAPSHOT_MANIFEST or rel.endswith(".manifest.json")]
    ordered = [rel for rel in files if rel not in manifests] + manifests
    for rel in ordered:
        destination.write_bytes(rel, source.read_bytes(rel))
    return len(ordered)
