"""Fetching one SDMX data query politely, and telling apart every way it can go wrong.

Statistical APIs fail in many mundane ways — rate limits, maintenance pages served with HTTP 200,
half-sent bodies, "no results" as a 404. A refresh must never mistake any of those for data, so each
gets its own exception with a one-line message (what happened, which dataset and URL, how to fix).

Politeness lives here too: a per-host token bucket spaces requests evenly, a :class:`RequestLog`
holds every rate window a provider documents (OECD: 20 per minute and 60 per hour), shared by the
providers on one host and remembered across runs in a small locked JSON file, 429/5xx answers are
retried with exponential backoff honouring ``Retry-After``, and conditional requests
(``If-None-Match`` / ``If-Modified-Since``) let an unchanged dataset cost one cheap 304.

Limits: an answer is read in pieces as it arrives, so one larger than the provider's
``max_response_mib`` is refused at that size (never buffered whole to find out), one that trickles
in fails at the request's overall deadline (``timeout_seconds``), and one that stops arriving is
reported as stalled after ``stall_seconds`` — not as "no network".
The clock and sleep are injectable so tests never wait for real.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import fcntl
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import urllib3.exceptions

from connectors.providers import Provider, RateLimit

RETRY_STATUSES = {429, 500, 502, 503, 504}
CONNECT_TIMEOUT = 15.0
SNIFF_BYTES = 65536
READ_PIECE = 1 << 16  # bytes asked of the socket at a time; the deadline is checked between pieces
ERROR_TEXT_BYTES = 1 << 16  # how much of an error page is read to quote it

FAMILY_TYPES = {
    "csv": ("text/csv", "application/vnd.sdmx.data+csv", "application/csv"),
    "xml": ("application/xml", "text/xml", "application/vnd.sdmx.genericdata+xml",
            "application/vnd.sdmx.structurespecificdata+xml", "application/vnd.sdmx.data+xml"),
    "json": ("application/json", "application/vnd.sdmx.data+json", "text/json"),
}  # fmt: skip
# Types that say nothing about the payload: leave the decision to the parser.
NEUTRAL_TYPES = ("text/plain", "application/octet-stream", "binary/octet-stream", "")
FOOTER_413 = re.compile(rb"<(?:\w+:)?Message[^>]*\bcode=[\"']413[\"']", re.IGNORECASE)


class FetchError(Exception):
    """A data query did not produce a usable SDMX message; ``str()`` is one line for the user."""

    what = "fetch failed"

    def __init__(self, detail: str, *, dataset: str = "", url: str = "", fix: str = ""):
        self.detail, self.dataset, self.url, self.fix = detail, dataset, url, fix
        parts = [f"{dataset}: {self.what}: {detail}" if dataset else f"{self.what}: {detail}"]
        if url:
            parts.append(f"URL {url}")
        if fix:
            parts.append(fix)
        super().__init__(" — ".join(parts))


class Offline(FetchError):
    what = "no network"


class TimedOut(FetchError):
    what = "timed out"


class NoResults(FetchError):
    what = "no data (HTTP 404 / NoResults)"


class TooLarge(FetchError):
    what = "query too large (413)"


class RateLimited(FetchError):
    what = "rate limited (429)"


class ServerError(FetchError):
    what = "provider server error"


class RequestRefused(FetchError):
    what = "request refused"


class NotSDMX(FetchError):
    what = "got an HTML page instead of SDMX"


class EmptyBody(FetchError):
    what = "empty response"


class TruncatedBody(FetchError):
    what = "truncated response"


class ResponseTooLarge(FetchError):
    what = "response too large"


class Stalled(FetchError):
    what = "stalled"


class WrongContentType(FetchError):
    what = "wrong content type"


@dataclass
class FetchResult:
    """What came back: ``status`` is ``"ok"`` (a body to parse) or ``"unchanged"`` (keep what we have)."""

    status: str
    url: str
    body: bytes = b""
    http_status: int = 0
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """Token bucket: at most ``requests`` per ``per_seconds``, with bursts of ``burst`` requests."""

    def __init__(
        self,
        requests_: int,
        per_seconds: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = requests_ / per_seconds
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock, self.sleep = clock, sleep
        self.last = clock()

    def wait(self) -> float:
        """Block until a request may go out; return the seconds waited."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        waited = 0.0
        if self.tokens < 1:
            waited = (1 - self.tokens) / self.rate
            self.sleep(waited)
            self.last = self.clock()
            self.tokens = 1.0
        self.tokens -= 1
        return waited


class RequestLog:
    """When requests went to each host, so every rate window holds, across providers and across runs.

    A sliding-window log (not a bucket): a request may go when, for every window, fewer than
    ``requests`` were sent in the last ``per_seconds``. With a ``path`` the log is a small JSON file
    read and written under an exclusive lock, and a request's slot is written *before* waiting for
    it, so two refreshes running at once (a scheduled job and an operator) share the windows too.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.path, self.clock, self.sleep = path, clock, sleep
        self.memory: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, list[float]]]:
        if self.path is None:
            yield self.memory
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                log = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
                if not isinstance(log, dict):
                    log = {}
            except (OSError, ValueError):
                log = {}  # an unreadable log is started afresh: the windows restart, nothing else is lost
            yield log
            fd, tmp = tempfile.mkstemp(prefix=".requests.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(log, handle)
            os.replace(tmp, self.path)

    @staticmethod
    def next_slot(sent: list[float], windows: list[RateLimit], now: float) -> float:
        """The earliest moment from ``now`` at which one more request keeps every window."""
        moment = now
        while True:
            moved = False
            for window in windows:
                inside = sorted(t for t in sent if t > moment - window.per_seconds)
                if len(inside) >= window.requests:
                    moment = inside[len(inside) - window.requests] + window.per_seconds
                    moved = True
            if not moved:
                return moment

    def wait(self, host: str, windows: list[RateLimit]) -> float:
        """Reserve the next slot for ``host``, sleep until it, return the seconds waited."""
        longest = max(w.per_seconds for w in windows)
        with self._locked() as log:
            now = self.clock()
            sent = [t for t in log.get(host, []) if isinstance(t, int | float) and t > now - longest]
            slot = self.next_slot(sent, windows, now)
            log[host] = [*sent, slot]
        if slot > now:
            self.sleep(slot - now)
        return slot - now

    def plan(self, host: str, windows: list[RateLimit], count: int) -> float:
        """Seconds from now until ``count`` more requests to ``host`` can all have been sent."""
        with self._locked() as log:
            now = self.clock()
            sent = [t for t in log.get(host, []) if isinstance(t, int | float)]
        last = now
        for _ in range(count):
            last = self.next_slot(sent, windows, now)
            sent.append(last)
        return last - now


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _looks_like_html(body: bytes, content_type: str) -> bool:
    if _media_type(content_type) in ("text/html", "application/xhtml+xml"):
        return True
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _family_of(content_type: str) -> str | None:
    media = _media_type(content_type)
    if media in NEUTRAL_TYPES:
        return None
    for family, types in FAMILY_TYPES.items():
        if media in types or media.endswith("+" + family):
            return family
    return "other"


def _first_line(text: str, limit: int = 160) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def host_of(url: str) -> str:
    """The host a URL talks to: rate windows are kept per host, shared by the providers on it."""
    return re.sub(r"^https?://([^/]+).*$", r"\1", url)


class Fetcher:
    """Sends data queries for the refresh command; one instance per run shares the rate limiters."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        max_retries: int = 4,
        backoff: float = 2.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        connection_retries: int = 1,
        request_log: RequestLog | None = None,
        timer: Callable[[], float] = time.monotonic,
    ):
        self.session = session or requests.Session()
        # The windows are kept in memory unless the caller (the refresh) names a file; in memory they
        # follow this fetcher's clock, so tests with a fake clock never wait for real.
        self.request_log = request_log or RequestLog(clock=clock, sleep=sleep)
        self.timer = timer  # real time for the per-request deadline (the socket does not know a fake clock)
        self.clock, self.sleep, self.wall_clock = clock, sleep, wall_clock
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.max_retry_after = max_retry_after
        self.connection_retries = connection_retries
        self.limiters: dict[str, RateLimiter] = {}
        self.slept: list[float] = []  # every backoff pause, for the summary and for tests
        self.unreachable: set[str] = set()  # hosts that failed to connect during this run

    def limiter(self, provider: Provider) -> RateLimiter:
        """One token bucket per host, spacing requests at its shortest window's pace: a provider's limit is
        per client, so two registry entries on the same host (OECD and its OECD.Stat archive) share it. The
        first provider seen on a host sets the rate; the other windows are kept by :class:`RequestLog`."""
        host = host_of(provider.base_url)
        if host not in self.limiters:
            window = min(provider.rate_limits, key=lambda w: w.per_seconds)
            self.limiters[host] = RateLimiter(window.requests, window.per_seconds, clock=self.clock, sleep=self.sleep)
        return self.limiters[host]

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - self.wall_clock()).total_seconds())

    def _pause(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.sleep(seconds)

    def fetch(
        self,
        url: str,
        headers: dict[str, str],
        *,
        provider: Provider,
        dataset: str,
        etag: str | None = None,
        last_modified: str | None = None,
        updated_after: bool = False,
    ) -> FetchResult:
        """GET ``url`` with retries; return the body, or ``unchanged``; raise a :class:`FetchError` otherwise.

        ``updated_after`` says the URL carries ``updatedAfter``: then a 404/NoResults or an empty body
        means "nothing changed since", not an error.
        """
        headers = dict(headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = host_of(url)
        if host in self.unreachable:  # one offline wait per host and run, not one per dataset
            raise Offline(f"could not reach {host} (earlier in this run)", dataset=dataset, url=url,
                          fix="check the network connection")  # fmt: skip
        limiter = self.limiter(provider)
        family = provider.requested.family
        attempt, connection_failures = 0, 0
        while True:
            attempt += 1
            limiter.wait()
            self.request_log.wait(host, provider.rate_limits)
            deadline = self.timer() + provider.timeout_seconds
            stall = min(provider.stall_seconds, provider.timeout_seconds)
            try:
                response = self.session.get(url, headers=headers, timeout=(CONNECT_TIMEOUT, stall), stream=True)
            except requests.exceptions.Timeout as exc:
                if attempt > self.max_retries:
                    raise TimedOut(
                        f"no answer within {stall:g} s after {attempt} attempts",
                        dataset=dataset,
                        url=url,
                        fix="the provider may be overloaded; try again later or narrow the key",
                    ) from exc
                self._pause(self._backoff(attempt))
                continue
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
                raise TruncatedBody(
                    f"the connection closed mid-body ({type(exc).__name__})",
                    dataset=dataset,
                    url=url,
                    fix="try again; if it persists, narrow the key",
                ) from exc
            except requests.exceptions.ConnectionError as exc:
                connection_failures += 1
                if connection_failures > self.connection_retries:
                    self.unreachable.add(host)
                    raise Offline(
                        f"could not reach {host}", dataset=dataset, url=url, fix="check the network connection"
                    ) from exc
                self._pause(self._backoff(attempt))
                continue

            status = response.status_code
            if status in RETRY_STATUSES:
                text = self._error_text(response)
                wait = self._retry_after(response)
                if wait is not None and wait > self.max_retry_after:
                    raise self._status_error(response, text, dataset, url, attempt, f"asks us to wait {wait:.0f} s")
                if attempt > self.max_retries:
                    raise self._status_error(response, text, dataset, url, attempt)
                self._pause(min(wait, self.max_retry_after) if wait is not None else self._backoff(attempt))
                continue
            return self._result(response, url, dataset, family, attempt, updated_after, provider, deadline)

    def _error_text(self, response: requests.Response) -> str:
        """The start of an error page, to quote it (never the whole body of a misbehaving server)."""
        try:
            data = response.raw.read(ERROR_TEXT_BYTES, decode_content=True) or b""
        except (urllib3.exceptions.HTTPError, OSError, ValueError):
            data = b""
        finally:
            response.close()
        return data.decode(response.encoding or "utf-8", "replace")

    def _read_body(self, response: requests.Response, provider: Provider, deadline: float, dataset: str, url: str):
        """The body, read piece by piece against the size limit, the deadline and the stall timeout."""
        limit = provider.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        too_large = dict(dataset=dataset, url=url, fix="narrow the key or add startPeriod in catalogue.yaml, or raise "
                         "max_response_mib for this provider in providers.yaml")  # fmt: skip
        if declared.isdigit() and not encoded and int(declared) > limit:
            response.close()
            raise ResponseTooLarge(f"the provider announces {int(declared):,} bytes, over the limit of "
                                   f"{provider.max_response_mib:g} MiB", **too_large)  # fmt: skip
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read
        pieces, size = [], 0
        try:
            while True:
                if self.timer() > deadline:
                    raise TimedOut(
                        f"the answer was still arriving after {provider.timeout_seconds:g} s ({size:,} bytes so far)",
                        dataset=dataset,
                        url=url,
                        fix="the provider is sending very slowly; retry later, narrow the key, or raise "
                        "timeout_seconds in providers.yaml",
                    )
                try:
                    piece = read(READ_PIECE, decode_content=True)
                except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
                    raise Stalled(
                        f"no data for {min(provider.stall_seconds, provider.timeout_seconds):g} s after "
                        f"{size:,} bytes{f' of {int(declared):,}' if declared.isdigit() else ''}",
                        dataset=dataset,
                        url=url,
                        fix="the connection works but the provider stopped sending; retry later",
                    ) from exc
                except (urllib3.exceptions.HTTPError, OSError) as exc:  # cut, bad chunking, bad gzip, TLS
                    raise TruncatedBody(
                        f"the connection closed mid-body after {size:,} bytes ({type(exc).__name__})",
                        dataset=dataset,
                        url=url,
                        fix="try again; if it persists, narrow the key",
                    ) from exc
                if not piece:
                    break
                size += len(piece)
                if size > limit:
                    raise ResponseTooLarge(
                        f"over {provider.max_response_mib:g} MiB arrived (reading stopped there)", **too_large
                    )
                pieces.append(piece)
        finally:
            response.close()
        return b"".join(pieces)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _status_error(
        self, response: requests.Response, text: str, dataset: str, url: str, attempt: int, extra: str = ""
    ) -> FetchError:
        status = response.status_code
        said = _first_line(text)
        detail = f"HTTP {status} after {attempt} attempt{'s' if attempt > 1 else ''}" + (f", {extra}" if extra else "")
        if said:
            detail += f" ({said})"
        if status == 429:
            return RateLimited(
                detail, dataset=dataset, url=url, fix="wait a few minutes (the provider's limit resets) and retry"
            )
        return ServerError(detail, dataset=dataset, url=url, fix="the provider is failing; retry later")

    def _result(
        self,
        response: requests.Response,
        url: str,
        dataset: str,
        family: str,
        attempt: int,
        updated_after: bool,
        provider: Provider,
        deadline: float,
    ) -> FetchResult:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        meta = dict(
            url=url,
            http_status=status,
            content_type=content_type,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            attempts=attempt,
            headers=dict(response.headers),
        )
        if status == 304:
            response.close()
            return FetchResult("unchanged", reason="304 Not Modified", **meta)
        text = self._error_text(response) if status >= 400 else ""
        if status == 404:
            if updated_after:
                return FetchResult("unchanged", reason="no changes since updatedAfter (404 NoResults)", **meta)
            raise NoResults(
                _first_line(text) or "the provider has no observations for this query",
                dataset=dataset,
                url=url,
                fix="check the dataflow id/version and that every key code exists (a wrong code gives 404)",
            )
        if status == 413:
            raise TooLarge(
                "the provider refuses to send that much at once",
                dataset=dataset,
                url=url,
                fix="narrow the key (fewer areas or measures) or add startPeriod in catalogue.yaml",
            )
        if status == 406:
            raise WrongContentType(
                f"the provider cannot send {response.request.headers.get('Accept') or 'the requested format'} (406)",
                dataset=dataset,
                url=url,
                fix="choose another request_format for this provider in providers.yaml",
            )
        if status >= 400:
            raise RequestRefused(
                f"HTTP {status} ({_first_line(text) or response.reason})",
                dataset=dataset,
                url=url,
                fix="check the dataflow, key and parameters in catalogue.yaml",
            )
        body = self._read_body(response, provider, deadline, dataset, url)
        return self._check_body(body, response, meta, dataset, url, family, updated_after)

    def _check_body(self, body, response, meta, dataset, url, family, updated_after) -> FetchResult:
        content_type = meta["content_type"]
        declared = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if declared and declared.isdigit() and not encoded and len(body) < int(declared):
            raise TruncatedBody(
                f"got {len(body)} of {declared} bytes",
                dataset=dataset,
                url=url,
                fix="the connection dropped; try again",
            )
        if not body.strip():
            if updated_after:
                return FetchResult("unchanged", body=body, reason="no changes since updatedAfter (empty body)", **meta)
            raise EmptyBody(
                f"HTTP {meta['http_status']} with no content",
                dataset=dataset,
                url=url,
                fix="the provider sent nothing; retry later or check the key",
            )
        if _looks_like_html(body, content_type):
            title = re.search(rb"<title[^>]*>(.*?)</title>", body[:SNIFF_BYTES], re.IGNORECASE | re.DOTALL)
            said = _first_line(title.group(1).decode("utf-8", "replace")) if title else "no title"
            raise NotSDMX(
                f"page titled {said!r} ({content_type or 'no content type'})",
                dataset=dataset,
                url=url,
                fix="probably maintenance or a moved API; check the provider's documentation URL in providers.yaml",
            )
        got = _family_of(content_type)
        if got is not None and got != family:
            raise WrongContentType(
                f"asked for {family.upper()} but got {_media_type(content_type)}",
                dataset=dataset,
                url=url,
                fix="check the provider's format parameters / Accept header in providers.yaml",
            )
        if FOOTER_413.search(body[:SNIFF_BYTES]) or FOOTER_413.search(body[-SNIFF_BYTES:]):
            raise TooLarge(
                "the provider will only deliver this query asynchronously (footer message 413)",
                dataset=dataset,
                url=url,
                fix="narrow the key (fewer areas or measures) or add startPeriod in catalogue.yaml",
            )
        framed = declared or "chunked" in response.headers.get("Transfer-Encoding", "").lower()
        if not framed and family == "csv" and body.strip() and not body.endswith(b"\n"):
            raise TruncatedBody(  # only the connection closing marked the end: a cut row would look complete
                f"got {len(body)} bytes without a length and the last line has no line break",
                dataset=dataset,
                url=url,
                fix="the connection dropped mid-row; try again",
            )
        return FetchResult("ok", body=body, **meta)
