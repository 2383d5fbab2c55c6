"""The store's own commands: ``history``, ``rollback``, ``verify`` and ``publish``.

``python -m connectors history estat/sdg_08_10``      the versions kept, newest first, * = current
``python -m connectors rollback estat/sdg_08_10 [ID]`` make an older version current (default: previous)
``python -m connectors verify``                       hash every stored file against its manifest
``python -m connectors publish --to s3://bucket/pre`` copy a store (snapshot, versions, manifests)

Every command takes ``--store PATH`` (a folder or ``s3://bucket/prefix``; default ``data_cache/``
or ``BEYOND_GDP_DATA_CACHE``). Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from connectors import store

STORE_HELP = "store root: a folder or s3://bucket/prefix (default: data_cache/ or BEYOND_GDP_DATA_CACHE)"
BREAK_LOCK_HELP = (
    "object stores: take over the writer lock if its lease has run out (its writer died); a live lock is never "
    "broken, and a lock on disk needs no breaking (it dies with its holder)"
)


def store_root(text: str):
    """argparse type for a store root: an ``s3://`` URL stays a string, anything else is a Path."""
    from pathlib import Path

    return text.rstrip("/") if text.startswith("s3://") else Path(text)


def _name(text: str) -> tuple[str, str]:
    source, slash, dataset = text.strip().strip("/").partition("/")
    if not slash or not source or not dataset or "/" in dataset:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a dataset name; write it as source/dataset, e.g. estat/sdg_08_10"
        )
    return source, dataset


def _known(root) -> str:
    return ", ".join(f"{s}/{d}" for s, d in sorted(store.dataset_files(root))) or "none"


def _run_history(args: argparse.Namespace) -> int:
    source, dataset = args.name
    try:
        versions = store.history(source, dataset, root=args.store)
    except store.StoreError as exc:
        if (source, dataset) not in store.dataset_files(args.store):
            print(f"history: no dataset {source}/{dataset} in the store; known: {_known(args.store)}", file=sys.stderr)
        else:
            print(f"history: {exc}", file=sys.stderr)
        return 2
    print(f"{source}/{dataset}: {len(versions)} version(s) kept, newest first (* = current)")
    for version in versions:
        summary = version.get("provenance") or {}
        about = " · ".join(
            str(part) for part in (summary.get("publisher"), summary.get("retrieved_or_built")) if part
        )  # fmt: skip
        print(
            f"{'*' if version['current'] else ' '} {version['version']}  written {version['written_at']}  "
            f"{version['rows'] if version['rows'] is not None else '?':>9} rows  {about}"
        )
    return 0


def _run_rollback(args: argparse.Namespace) -> int:
    source, dataset = args.name
    try:
        target = store.rollback(source, dataset, args.version, root=args.store, break_lock=args.break_lock)
    except store.StoreError as exc:
        print(f"rollback: {exc}", file=sys.stderr)
        return 2
    print(
        f"{source}/{dataset}: version {target['version']} (written {target['written_at']}, "
        f"{target['rows']} rows) is current again; data version {store.data_version(args.store)}"
    )
    return 0


def _run_verify(args: argparse.Namespace) -> int:
    if not store.dataset_files(args.store):
        where = args.store if args.store is not None else store.DATA_CACHE
        print(f"verify: no datasets in the store {where}; check --store or BEYOND_GDP_DATA_CACHE", file=sys.stderr)
        return 2
    problems = store.verify(args.store)
    if not problems:
        print(f"verify: every stored file matches its manifest (data version {store.data_version(args.store)})")
        return 0
    for problem in problems:
        print(f"verify: {problem}", file=sys.stderr)
    print(f"verify: {len(problems)} problem(s)", file=sys.stderr)
    return 1


def _run_publish(args: argparse.Namespace) -> int:
    from connectors import store_publish

    try:
        copied = store_publish.publish(args.store, args.to, break_lock=args.break_lock)
    except (store.StoreError, OSError) as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 2
    print(f"publish: {copied} file(s) copied to {args.to}; data version there {store.data_version(args.to)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``history``, ``rollback``, ``verify`` and ``publish`` to ``python -m connectors``."""

    def add(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        def reported(args: argparse.Namespace) -> int:
            try:
                return handler(args)
            except OSError as exc:  # an unreachable object store, a folder we may not read
                print(f"{name}: the store cannot be reached or read: {exc.__class__.__name__}: {exc}", file=sys.stderr)
                return 2

        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        parser.add_argument(
            "--store",
            type=store_root,
            default=None,
            help=STORE_HELP,
        )
        parser.set_defaults(handler=reported)
        return parser

    history = add("history", "list the kept versions of a refreshed dataset, newest first", _run_history)
    history.add_argument("name", type=_name, metavar="SOURCE/DATASET")
    rollback = add("rollback", "make an older version of a dataset current again", _run_rollback)
    rollback.add_argument("name", type=_name, metavar="SOURCE/DATASET")
    rollback.add_argument("version", nargs="?", help="version id or a unique prefix (default: the previous one)")
    rollback.add_argument("--break-lock", action="store_true", help=BREAK_LOCK_HELP)
    add("verify", "check every stored file against the sha256 in its manifest", _run_verify)
    publish = add(
        "publish", "copy a store (snapshot, versions, manifests) to a folder or s3://bucket/prefix", _run_publish
    )
    publish.add_argument("--to", type=store_root, required=True, help="destination: a folder or s3://bucket/prefix")
    publish.add_argument("--break-lock", action="store_true", help=BREAK_LOCK_HELP)
