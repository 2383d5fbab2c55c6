"""The ``refresh`` and ``status`` commands: fetch catalogue datasets into the store, and show what is there.

A refresh is fetch (:mod:`connectors.http`) -> parse (:func:`connectors.sdmx.parse_message`) ->
the validation gate (:mod:`connectors.gate`) -> :func:`connectors.store.write_dataset` into
``data_cache/refreshed/``. The rule it keeps above all: a failure never replaces good data. Every
error is caught per dataset, reported on one line saying which data stays in use, and the last good
data is left exactly as it was. A well-formed answer that is still wrong for us (cut, empty of values,
duplicated, shrunk) is stopped by the gate, which compares it with the last good version.

Cheap re-runs: the ETag / Last-Modified of the last response are kept in the provenance sidecar and
sent back, so an unchanged dataset costs one 304; where the provider supports ``updatedAfter``, a
probe asks "anything new since the last refresh?" and only a yes triggers the full download (the
probe's answer is a delta, which is never written as if it were the whole dataset).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from connectors import areas as area_codes
from connectors import gate, store
from connectors.http import Fetcher, FetchError, Offline, RequestLog, host_of
from connectors.providers import (
    CatalogueEntry,
    Provider,
    RegistryError,
    build_url,
    citation_for,
    default_catalogue,
    default_providers,
    licence_for,
    load_catalogue,
    load_providers,
)
from connectors.store_commands import BREAK_LOCK_HELP, STORE_HELP, store_root


@dataclass
class Outcome:
    """What happened to one catalogue entry: updated, unchanged, failed or skipped."""

    name: str
    status: str
    message: str
    rows: int = 0
    path: str = ""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _current(entry: CatalogueEntry, root: Path | str | None) -> tuple[str, store.Provenance] | None:
    """The data a reader sees now for this entry (refreshed shadows snapshot), if any: its file named
    as messages show it ('data_cache/refreshed/estat/x@….parquet', or the s3:// URL) and its provenance."""
    key = (entry.store_source, entry.store_dataset)
    item = next((f for f in store.stored_files(root) if (f.source, f.dataset) == key and f.in_use), None)
    if item is None:
        return None
    shown = item.path if store.is_object_store(item.path) else f"{store.store_name(root)}/{item.rel}"
    try:
        return shown, store.read_provenance(entry.store_source, entry.store_dataset, root)
    except (OSError, ValueError, TypeError, store.StoreError):
        return shown, store.Provenance(entry.store_source, entry.store_dataset, "", "", "", "")


def _still_in_use(current: tuple[str, store.Provenance] | None) -> str:
    if current is None:
        return "nothing stored yet for it"
    shown, provenance = current
    when = provenance.retrieved_or_built or "unknown date"
    return f"still using {shown} ({when})"


def _parse(body: bytes, entry: CatalogueEntry, url: str):
    """Parse a response, naming the URL in any error (the parser only sees bytes)."""
    from connectors.sdmx import SDMXParseError, parse_message

    try:
        return parse_message(
            body,
            source=entry.store_source,
            dataset=entry.store_dataset,
            expect_dataflow=entry.dataflow.id if entry.dataflow else None,
            expect_structure=(entry.dataflow.structure or None) if entry.dataflow else None,
        )
    except SDMXParseError as exc:
        reason = str(exc).removeprefix("<message bytes>: ")
        raise SDMXParseError(f"unusable response from {url}: {reason}") from exc


def refresh_one(
    entry: CatalogueEntry,
    *,
    fetcher: Fetcher,
    providers: dict[str, Provider] | None = None,
    root: Path | str | None = None,
    since: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    allow_shrink: bool = False,
) -> Outcome:
    """Refresh one catalogue entry; never raises for a data problem, returns an :class:`Outcome`.

    ``allow_shrink`` is the operator's override of the gate's coverage and ``needs`` checks, for a
    provider that really dropped series or areas. Holds the store's writer lock (already held, and
    re-entered, inside :func:`refresh`), so the last good version the gate compares with is still
    the current one when the answer replaces it; a store locked too long is a failed outcome."""
    providers = providers if providers is not None else default_providers()
    if not entry.enabled:
        return Outcome(entry.name, "skipped", f"{entry.name}: disabled in catalogue.yaml ({entry.note})")
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(store.writer_lock(root))
        except store.StoreError as exc:  # locked by another writer, or an object store without boto3 here
            return Outcome(entry.name, "failed", f"{entry.name}: {exc}")
        return _locked_refresh_one(entry, fetcher, providers, root, since, force, now, allow_shrink)


def _locked_refresh_one(entry, fetcher, providers, root, since, force, now, allow_shrink) -> Outcome:
    from connectors.sdmx import SDMXParseError

    try:
        # the manifest as this refresh found it: the switch at the end is a compare-and-swap against it
        base = store.manifest_tag(entry.store_source, entry.store_dataset, root)
        current = _current(entry, root)
    except store.StoreError as exc:
        return Outcome(entry.name, "failed", _one_line(exc, entry))
    try:
        return _refresh(
            entry, providers[entry.provider], fetcher, providers, root, since, force, now, current, allow_shrink,
            base=base,
        )  # fmt: skip
    except Offline as exc:
        return Outcome(entry.name, "failed", f"{exc}; {_still_in_use(current)}")
    except (FetchError, SDMXParseError, store.StoreError, RegistryError, gate.GateRefusal) as exc:
        return Outcome(entry.name, "failed", f"{_one_line(exc, entry)}; {_still_in_use(current)}")


def _one_line(exc: Exception, entry: CatalogueEntry) -> str:
    text = " ".join(str(exc).split())
    return text if text.startswith(entry.name) else f"{entry.name}: {text}"


def _refresh(entry, provider, fetcher, providers, root, since, force, now, current, allow_shrink, base=None) -> Outcome:
    url, headers = build_url(entry, providers)
    previous = current[1].extra if current and current[1].extra.get("url") == url else {}
    etag = None if force else previous.get("etag")
    last_modified = None if force else previous.get("last_modified")
    after = since or (None if force else previous.get("retrieved_at"))
    label = entry.name

    if after and provider.supports_updated_after and current is not None:
        probe_url, probe_headers = build_url(entry, providers, updated_after=after)
        probe = fetcher.fetch(
            probe_url, probe_headers, provider=provider, dataset=label, etag=etag, last_modified=last_modified,
            updated_after=True,
        )  # fmt: skip
        if probe.status == "unchanged":
            return Outcome(label, "unchanged", f"{label}: unchanged since {after} ({probe.reason})")
        delta = _parse(probe.body, entry, probe_url)
        if delta.observations == 0 or delta.table is None or delta.table.num_rows == 0:
            return Outcome(label, "unchanged", f"{label}: unchanged since {after} (no observations in the delta)")
        result = fetcher.fetch(url, headers, provider=provider, dataset=label)
    else:
        result = fetcher.fetch(url, headers, provider=provider, dataset=label, etag=etag, last_modified=last_modified)
        if result.status == "unchanged":
            return Outcome(label, "unchanged", f"{label}: unchanged ({result.reason})")

    parsed = _parse(result.body, entry, url)
    if parsed.kind != "data" or parsed.table is None or parsed.table.num_rows == 0:
        raise store.StoreError(
            f"the message from {url} holds no observations ({parsed.kind} message, format "
            f"{parsed.format or 'unknown'}); check the dataflow and key in catalogue.yaml"
        )
    retrieved = now or _utc_now()
    provenance = _provenance(entry, provider, url, result, parsed, retrieved)
    table, unknown_areas = harmonise_areas(parsed.table, root)
    provenance.extra["areas_kept_as_published"] = unknown_areas
    verdict = gate.check(
        table,
        parsed.summary,
        dataset=label,
        fmt=parsed.format,
        previous=_last_good(entry, root) if current is not None else None,
        needs=entry.needs,
        allow_shrink=allow_shrink,
    )
    provenance.extra["gate"] = {"passed": True, "allow_shrink": allow_shrink, "notes": verdict.notes}
    path = store.write_dataset(verdict.table, provenance, root=root, area=store.REFRESHED_DIR, expected_manifest=base)
    rows = verdict.table.num_rows
    noted = f" ({'; '.join(verdict.notes)})" if verdict.notes else ""
    return Outcome(label, "updated", f"{label}: {rows} observations written{noted}", rows, str(path))


def _last_good(entry: CatalogueEntry, root: Path | str | None):
    """The version readers see now (refreshed, else snapshot), as the gate compares it: the table
    ``store.scan`` returns. An unreadable one is reported, not compared against."""
    try:
        return store.scan(sources=[entry.store_source], datasets=[entry.store_dataset], root=root)
    except store.StoreError:
        return None


def harmonise_areas(table, root: Path | str | None):
    """Provider country codes (SE, EL, EU27_2020 ...) to the store's canonical codes, exactly as the
    snapshot builder does, so a refreshed dataset shadows the snapshot one without breaking the
    indicators that read it. Without an area table in the store, codes stay as published."""
    try:
        known = store.load_areas(root)
    except store.StoreError:
        return table, sorted(set(table["ref_area"].to_pylist()))
    countries = known[(known["level"] == "country") & known["iso2"].notna()]
    codes = area_codes.provider_country_codes(dict(zip(countries["iso2"], countries["ref_area"], strict=True)))
    return area_codes.harmonise(table, codes)


def _provenance(entry, provider, url, result, parsed, retrieved: dt.datetime) -> store.Provenance:
    digest = hashlib.sha256(result.body).hexdigest()
    stamp = _iso(retrieved)
    query = f"{entry.dataflow} key={entry.key or provider.empty_key or '(all)'}"
    if entry.params:
        query += " " + " ".join(f"{k}={v}" for k, v in entry.params.items())
    return store.Provenance(
        source=entry.store_source,
        dataset=entry.store_dataset,
        publisher=provider.name,
        licence=licence_for(entry, provider),
        citation=citation_for(entry, provider, url, stamp[:10]),
        original_source=url,
        title=entry.title,
        query=query,
        retrieved_or_built=stamp,
        inputs={url: digest},
        labels=parsed.labels,
        extra={
            "url": url,
            "retrieved_at": stamp,
            "sha256": digest,
            "bytes": len(result.body),
            "etag": result.etag,
            "last_modified": result.last_modified,
            "http_status": result.http_status,
            "content_type": result.content_type,
            "format": parsed.format,
            "provider": provider.id,
            "catalogue_entry": entry.name,
            "dataflow": str(entry.dataflow),
            "indicators": list(entry.indicators),
            "measures": list(entry.measures),
            "verified": entry.verified,
            "series_count": parsed.series_count,
            "documentation": provider.documentation,
        },
    )


def refresh(
    names: list[str],
    *,
    catalogue: dict[str, CatalogueEntry] | None = None,
    providers: dict[str, Provider] | None = None,
    fetcher: Fetcher | None = None,
    root: Path | str | None = None,
    since: str | None = None,
    force: bool = False,
    progress: bool = True,
    allow_shrink: bool = False,
    break_lock: bool = False,
) -> list[Outcome]:
    """Refresh the named entries in order, with a progress bar; one :class:`Outcome` each.

    The whole run holds the store's writer lock (re-entrant, so each ``write_dataset`` inside takes
    it again for free): a second refresh of the same store waits for this one to finish (up to
    ``BEYOND_GDP_LOCK_TIMEOUT`` seconds, then :class:`store.StoreLocked` naming this process) instead
    of interleaving with it, so the gate always compares an answer with the version it replaces.
    On an object store the lock is a lock object with a lease (docs/store.md); ``break_lock`` takes
    over one whose lease has run out (its writer died), never a live one.
    """
    catalogue = catalogue if catalogue is not None else default_catalogue()
    providers = providers if providers is not None else default_providers()
    fetcher = fetcher or Fetcher(request_log=RequestLog(request_log_path(root)))
    with store.writer_lock(root, break_stale=break_lock):  # one refresh at a time: see the docstring
        return _refresh_all(names, catalogue, providers, fetcher, root, since, force, progress, allow_shrink)


def _refresh_all(names, catalogue, providers, fetcher, root, since, force, progress, allow_shrink) -> list[Outcome]:
    from tqdm import tqdm

    if len(names) > 1:
        names, line = plan(names, catalogue, providers, fetcher.request_log)
        if progress:
            print(line, file=sys.stderr)
    outcomes = []
    bar = tqdm(names, desc="refresh", unit="dataset", disable=not progress, file=sys.stderr)
    for name in bar:
        bar.set_postfix_str(name)
        if name not in catalogue:
            close = difflib.get_close_matches(name, list(catalogue), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            outcomes.append(Outcome(name, "failed", f"{name}: not in catalogue.yaml{hint}"))
            continue
        outcome = refresh_one(
            catalogue[name],
            fetcher=fetcher,
            providers=providers,
            root=root,
            since=since,
            force=force,
            allow_shrink=allow_shrink,
        )
        outcomes.append(outcome)
        bar.write(f"  {outcome.status:<9} {outcome.message}", file=sys.stderr)
    bar.close()
    return outcomes


def request_log_path(root: Path | str | None) -> Path:
    """Where the requests sent are remembered, so a scheduled job keeps the rate windows of the runs
    before it: beside the store when it is a local folder, else in the user's cache folder."""
    base = root or store.DATA_CACHE
    if "://" in str(base):
        return Path.home() / ".cache" / "beyond-gdp" / "requests.json"
    return Path(base) / store.REFRESHED_DIR / ".state" / "requests.json"  # git-ignored with the refreshed data


def plan(
    names: list[str], catalogue: dict[str, CatalogueEntry], providers: dict[str, Provider], log: RequestLog
) -> tuple[list[str], str]:
    """The order to refresh ``names`` in (hosts taken in turn, so one host's windows are waited out while
    another is asked) and a line saying how long the rate windows make it take at least."""
    by_host: dict[str, list[str]] = {}
    windows = {}
    for name in names:
        entry = catalogue.get(name)
        provider = providers.get(entry.provider) if entry else None
        host = host_of(provider.base_url) if provider and entry.enabled else ""
        by_host.setdefault(host, []).append(name)
        if provider and host:
            windows.setdefault(host, provider.rate_limits)
    order = []
    queues = [list(names) for names in by_host.values()]
    while any(queues):
        order += [queue.pop(0) for queue in queues if queue]
    waits = {host: log.plan(host, windows[host], len(by_host[host])) for host in windows}
    parts = [
        f"{host}: {len(by_host[host])} request(s), limit "
        + " and ".join(f"{w.requests}/{w.per_seconds:g} s" for w in windows[host])
        for host in sorted(windows)
    ]
    longest = max(waits.values(), default=0.0)
    line = f"refresh: {len(names)} dataset(s); the rate windows make it take at least {_duration(longest)}" + (
        f" ({'; '.join(parts)})" if parts else ""
    )
    return order, line


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def summary(outcomes: list[Outcome]) -> str:
    counts = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    order = ("updated", "unchanged", "skipped", "failed")
    line = ", ".join(f"{counts[s]} {s}" for s in order if s in counts) or "nothing to do"
    failures = [f"  FAILED {o.message}" for o in outcomes if o.status == "failed"]
    return "\n".join([f"refresh: {line}", *failures])


# --- status -------------------------------------------------------------------------------------


def status_rows(
    root: Path | str | None = None, catalogue: dict[str, CatalogueEntry] | None = None
) -> list[dict[str, object]]:
    """One row per stored file (snapshot and refreshed) and per catalogue entry not stored yet."""
    catalogue = catalogue if catalogue is not None else default_catalogue()
    by_store = {(e.store_source, e.store_dataset): e for e in catalogue.values()}
    rows, seen = [], set()
    for item in store.stored_files(root):  # one row per copy; older refreshed versions are in `history`
        key = (item.source, item.dataset)
        seen.add(key)
        try:
            provenance = store.stored_provenance(item, root)
            rows_count, when, publisher = provenance.row_count, provenance.retrieved_or_built, provenance.publisher
        except (OSError, ValueError, TypeError):
            rows_count, when, publisher = None, "", "(provenance missing)"
        entry = by_store.get(key)
        rows.append(
            {
                "source": key[0],
                "dataset": key[1],
                "area": item.area,
                "in_use": item.in_use,
                "rows": rows_count,
                "date": when,
                "publisher": publisher,
                "catalogue": entry.name if entry else "",
                "state": "in use" if item.in_use else "shadowed by refreshed",
            }
        )
    for entry in catalogue.values():
        key = (entry.store_source, entry.store_dataset)
        if key in seen:
            continue
        rows.append(
            {
                "source": key[0],
                "dataset": key[1],
                "area": "",
                "in_use": False,
                "rows": None,
                "date": "",
                "publisher": "",
                "catalogue": entry.name,
                "state": "not fetched yet" if entry.enabled else "disabled",
            }
        )
    return rows


def format_table(rows: list[dict[str, object]]) -> str:
    columns = ["source", "dataset", "area", "rows", "date", "state", "catalogue"]
    cells = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------------------


def _since(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--since expects a date or date-time like 2025-01-31, got {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return _iso(moment)


def _run_refresh(args: argparse.Namespace) -> int:
    try:
        providers = load_providers(args.providers) if args.providers else default_providers()
        catalogue = load_catalogue(args.catalogue, providers) if args.catalogue else default_catalogue()
    except RegistryError as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 2
    if args.all:
        names = list(catalogue)
    elif args.names:
        names = args.names
    else:
        print("refresh: name one or more datasets or pass --all; known: " + ", ".join(catalogue), file=sys.stderr)
        return 2
    try:
        outcomes = refresh(
            names,
            catalogue=catalogue,
            providers=providers,
            root=args.root,
            since=args.since,
            force=args.force,
            allow_shrink=args.allow_shrink,
            break_lock=args.break_lock,
        )
    except store.StoreError as exc:  # locked by another writer, or an object store it cannot write (no boto3)
        print(f"refresh: {exc}", file=sys.stderr)
        return 1
    print(summary(outcomes))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _run_status(args: argparse.Namespace) -> int:
    from connectors import feeds

    try:
        rows = status_rows(args.root)
        checked = feeds.check_catalogue(default_catalogue(), args.root)
    except RegistryError as exc:
        print(f"status: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report = {"datasets": rows, "feeds": {n: [vars(f) for f in fs] for n, fs in checked.items()}}
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_table(rows))
        print(feeds.format_feeds(checked))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``refresh`` and ``status`` to ``python -m connectors``."""
    parser = subparsers.add_parser(
        "refresh",
        help="download catalogue datasets from their SDMX providers into data_cache/refreshed",
        description="Fetch, parse and store catalogue datasets. A failure keeps the last good data.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="catalogue entries (see connectors/catalogue.yaml)")
    parser.add_argument("--all", action="store_true", help="every enabled catalogue entry")
    parser.add_argument(
        "--since",
        type=_since,
        help="only download if the provider reports changes after this date (updatedAfter, where supported)",
    )
    parser.add_argument("--force", action="store_true", help="ignore ETag/Last-Modified and download again")
    parser.add_argument(
        gate.OVERRIDE,
        dest="allow_shrink",
        action="store_true",
        help=f"accept an answer with fewer series or areas (more than {gate.MAX_DROP:.0%} fewer), an earlier latest "
        "period, or no values for a selection an indicator reads (the gate refuses these by default)",
    )
    parser.add_argument("--root", "--store", type=store_root, default=None, help=STORE_HELP)
    parser.add_argument("--break-lock", action="store_true", help=BREAK_LOCK_HELP)
    parser.add_argument(
        "--catalogue", type=Path, default=None, help="another catalogue file (default: connectors/catalogue.yaml)"
    )
    parser.add_argument(
        "--providers", type=Path, default=None, help="another provider registry (default: connectors/providers.yaml)"
    )
    parser.set_defaults(handler=_run_refresh)

    status = subparsers.add_parser("status", help="list stored datasets and catalogue entries")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument("--root", "--store", type=store_root, default=None, help=STORE_HELP)
    status.set_defaults(handler=_run_status)


__all__ = ["Outcome", "refresh", "refresh_one", "register", "status_rows", "summary"]
