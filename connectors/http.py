"""Fetching one SDMX data query politely, and telling apart every way it can go wrong.

Statistical APIs fail in many mundane ways — rate limits, maintenance pages served with HTTP 200,
half-sent bodies, "no results" as a 404. A refresh must never mistake any of those for data, so each
gets its own exception with a one-line message (what happened, which dataset and URL, how to fix).

Politeness lives here too: a per-provider token bucket keeps us under the documented rate limit,
429/5xx answers are retried with exponential backoff honouring ``Retry-After``, and conditional
requests (``If-None-Match`` / ``If-Modified-Since``) let an unchanged dataset cost one cheap 304.
The clock and sleep are injectable so tests never wait for real.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from connectors.providers import Provider

RETRY_STATUSES = {429, 500, 502, 503, 504}
CONNECT_TIMEOUT = 15.0
SNIFF_BYTES = 65536

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


def _host(url: str) -> str:
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
    ):
        self.session = session or requests.Session()
        self.clock, self.sleep, self.wall_clock = clock, sleep, wall_clock
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.max_retry_after = max_retry_after
        self.connection_retries = connection_retries
        self.limiters: dict[str, RateLimiter] = {}
        self.slept: list[float] = []  # every backoff pause, for the summary and for tests
        self.unreachable: set[str] = set()  # hosts that failed to connect during this run

    def limiter(self, provider: Provider) -> RateLimiter:
        """One token bucket per host: a provider's limit is per client, so two registry entries on the same
        host (OECD and its OECD.Stat archive) share it. The first provider seen on a host sets the rate."""
        host = _host(provider.base_url)
        if host not in self.limiters:
            self.limiters[host] = RateLimiter(
                provider.rate_limit.requests, provider.rate_limit.per_seconds, clock=self.clock, sleep=self.sleep
            )
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
        host = _host(url)
        if host in self.unreachable:  # one offline wait per host and run, not one per dataset
            raise Offline(f"could not reach {host} (earlier in this run)", dataset=dataset, url=url,
                          fix="check the network connection")  # fmt: skip
        limiter = self.limiter(provider)
        family = provider.requested.family
        attempt, connection_failures = 0, 0
        while True:
            attempt += 1
            limiter.wait()
            try:
                response = self.session.get(url, headers=headers, timeout=(CONNECT_TIMEOUT, provider.timeout_seconds))
            except requests.exceptions.Timeout as exc:
                if attempt > self.max_retries:
                    raise TimedOut(
                        f"no answer within {provider.timeout_seconds:g} s after {attempt} attempts",
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
                wait = self._retry_after(response)
                if wait is not None and wait > self.max_retry_after:
                    raise self._status_error(response, dataset, url, attempt, f"asks us to wait {wait:.0f} s")
                if attempt > self.max_retries:
                    raise self._status_error(response, dataset, url, attempt)
                self._pause(min(wait, self.max_retry_after) if wait is not None else self._backoff(attempt))
                continue
            return self._result(response, url, dataset, family, attempt, updated_after)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _status_error(
        self, response: requests.Response, dataset: str, url: str, attempt: int, extra: str = ""
    ) -> FetchError:
        status = response.status_code
        said = _first_line(response.text or "")
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
            return FetchResult("unchanged", reason="304 Not Modified", **meta)
        if status == 404:
            if updated_after:
                return FetchResult("unchanged", reason="no changes since updatedAfter (404 NoResults)", **meta)
            raise NoResults(
                _first_line(response.text or "") or "the provider has no observations for this query",
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
                f"HTTP {status} ({_first_line(response.text or '') or response.reason})",
                dataset=dataset,
                url=url,
                fix="check the dataflow, key and parameters in catalogue.yaml",
            )
        body = response.content
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
        return FetchResult("ok", body=body, **meta)
