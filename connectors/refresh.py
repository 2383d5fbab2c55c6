"""The ``refresh`` and ``status`` commands: fetch catalogue datasets into the store, and show what is there.

A refresh is fetch (:mod:`connectors.http`) -> parse (:func:`connectors.sdmx.parse_message`) ->
:func:`connectors.store.write_dataset` into ``data_cache/refreshed/``. The rule it keeps above all:
a failure never replaces good data. Every error is caught per dataset, reported on one line saying
which data stays in use, and the last good Parquet file is left exactly as it was.

Cheap re-runs: the ETag / Last-Modified of the last response are kept in the provenance sidecar and
sent back, so an unchanged dataset costs one 304; where the provider supports ``updatedAfter``, a
probe asks "anything new since the last refresh?" and only a yes triggers the full download (the
probe's answer is a delta, which is never written as if it were the whole dataset).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from connectors import areas as area_codes
from connectors import store
from connectors.http import Fetcher, FetchError, Offline
from connectors.providers import (
    CatalogueEntry,
    Provider,
    RegistryError,
    build_url,
    citation_for,
    default_catalogue,
    default_providers,
    licence_for,
)


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


def _current(entry: CatalogueEntry, root: Path | None) -> tuple[Path, store.Provenance] | None:
    """The data a reader sees now for this entry (refreshed shadows snapshot), if any."""
    path = store.dataset_files(root).get((entry.store_source, entry.store_dataset))
    if path is None:
        return None
    try:
        return path, store.Provenance.from_file(store.provenance_path(path))
    except (OSError, ValueError, TypeError):
        return path, store.Provenance(entry.store_source, entry.store_dataset, "", "", "", "")


def _still_in_use(current: tuple[Path, store.Provenance] | None, root: Path | None) -> str:
    if current is None:
        return "nothing stored yet for it"
    path, provenance = current
    base = Path(root or store.DATA_CACHE)
    try:
        shown = path.relative_to(base.parent)
    except ValueError:
        shown = path
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
        )
    except SDMXParseError as exc:
        reason = str(exc).removeprefix("<message bytes>: ")
        raise SDMXParseError(f"unusable response from {url}: {reason}") from exc


def refresh_one(
    entry: CatalogueEntry,
    *,
    fetcher: Fetcher,
    providers: dict[str, Provider] | None = None,
    root: Path | None = None,
    since: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> Outcome:
    """Refresh one catalogue entry; never raises for a data problem, returns an :class:`Outcome`."""
    from connectors.sdmx import SDMXParseError

    providers = providers if providers is not None else default_providers()
    current = _current(entry, root)
    if not entry.enabled:
        return Outcome(entry.name, "skipped", f"{entry.name}: disabled in catalogue.yaml ({entry.note})")
    try:
        return _refresh(entry, providers[entry.provider], fetcher, providers, root, since, force, now, current)
    except Offline as exc:
        return Outcome(entry.name, "failed", f"{exc}; {_still_in_use(current, root)}")
    except (FetchError, SDMXParseError, store.StoreError, RegistryError) as exc:
        return Outcome(entry.name, "failed", f"{_one_line(exc, entry)}; {_still_in_use(current, root)}")


def _one_line(exc: Exception, entry: CatalogueEntry) -> str:
    text = " ".join(str(exc).split())
    return text if text.startswith(entry.name) else f"{entry.name}: {text}"


def _refresh(entry, provider, fetcher, providers, root, since, force, now, current) -> Outcome:
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
    path = store.write_dataset(table, provenance, root=root, area=store.REFRESHED_DIR)
    return Outcome(label, "updated", f"{label}: {table.num_rows} observations written", table.num_rows, str(path))


def harmonise_areas(table, root: Path | None):
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
    root: Path | None = None,
    since: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> list[Outcome]:
    """Refresh the named entries in order, with a progress bar; one :class:`Outcome` each."""
    from tqdm import tqdm

    catalogue = catalogue if catalogue is not None else default_catalogue()
    providers = providers if providers is not None else default_providers()
    fetcher = fetcher or Fetcher()
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
            catalogue[name], fetcher=fetcher, providers=providers, root=root, since=since, force=force
        )
        outcomes.append(outcome)
        bar.write(f"  {outcome.status:<9} {outcome.message}", file=sys.stderr)
    bar.close()
    return outcomes


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
    root: Path | None = None, catalogue: dict[str, CatalogueEntry] | None = None
) -> list[dict[str, object]]:
    """One row per stored file (snapshot and refreshed) and per catalogue entry not stored yet."""
    catalogue = catalogue if catalogue is not None else default_catalogue()
    by_store = {(e.store_source, e.store_dataset): e for e in catalogue.values()}
    base = Path(root or store.DATA_CACHE)
    shown = store.dataset_files(root)
    rows, seen = [], set()
    for area in (store.SNAPSHOT_DIR, store.REFRESHED_DIR):
        for path in sorted((base / area).glob("*/*.parquet")):
            key = (path.parent.name, path.stem)
            seen.add(key)
            try:
                provenance = store.Provenance.from_file(store.provenance_path(path))
                rows_count, when, publisher = provenance.row_count, provenance.retrieved_or_built, provenance.publisher
            except (OSError, ValueError, TypeError):
                rows_count, when, publisher = None, "", "(provenance missing)"
            entry = by_store.get(key)
            rows.append(
                {
                    "source": key[0],
                    "dataset": key[1],
                    "area": area,
                    "in_use": shown.get(key) == path,
                    "rows": rows_count,
                    "date": when,
                    "publisher": publisher,
                    "catalogue": entry.name if entry else "",
                    "state": "in use" if shown.get(key) == path else "shadowed by refreshed",
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
        catalogue = default_catalogue()
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
    outcomes = refresh(names, catalogue=catalogue, root=args.root, since=args.since, force=args.force)
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
    parser.add_argument("--root", type=Path, default=None, help="store root (default: data_cache/)")
    parser.set_defaults(handler=_run_refresh)

    status = subparsers.add_parser("status", help="list stored datasets and catalogue entries")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument("--root", type=Path, default=None, help="store root (default: data_cache/)")
    status.set_defaults(handler=_run_status)


__all__ = ["Outcome", "refresh", "refresh_one", "register", "status_rows", "summary"]
