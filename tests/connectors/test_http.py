"""Fetching: rate limits, retries, conditional requests and one specific error per failure mode.

The transport is mocked with ``responses``; the clock and sleep are fakes, so nothing waits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses

from connectors import http
from connectors.providers import default_providers

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdmx"
URL = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/sdg_08_10/A..B1GQ.?format=SDMX-CSV"
CSV = b"DATAFLOW,freq,geo,TIME_PERIOD,OBS_VALUE\nESTAT:SDG_08_10(1.0),A,AT,2020,1\n"


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def fetcher(fake_time):
    return http.Fetcher(clock=fake_time.clock, sleep=fake_time.sleep, max_retries=3, backoff=2.0)


@pytest.fixture
def estat():
    return default_providers()["ESTAT"]


def _fetch(fetcher, provider, url=URL, **kwargs):
    return fetcher.fetch(url, {"User-Agent": "t"}, provider=provider, dataset="sdg_08_10", **kwargs)


# --- rate limiting ----------------------------------------------------------------------------------


def test_token_bucket_spaces_requests(fake_time):
    limiter = http.RateLimiter(20, 60, clock=fake_time.clock, sleep=fake_time.sleep)
    waits = [limiter.wait() for _ in range(4)]
    assert waits == [0.0, 3.0, 3.0, 3.0]  # 20 per minute = one every 3 s
    fake_time.now += 10  # idle time refills at most one token (burst 1)
    assert limiter.wait() == 0.0
    assert limiter.wait() == pytest.approx(3.0)


@responses.activate
def test_rate_limit_is_per_provider(fetcher, fake_time, estat):
    oecd = default_providers()["OECD"]
    responses.get(URL, body=CSV, content_type="text/csv")
    responses.get("https://sdmx.oecd.org/public/rest/data/x/all", body=CSV, content_type="text/csv")
    _fetch(fetcher, estat)
    _fetch(fetcher, oecd, url="https://sdmx.oecd.org/public/rest/data/x/all")
    assert fake_time.sleeps == []  # different providers do not wait for each other
    _fetch(fetcher, oecd, url="https://sdmx.oecd.org/public/rest/data/x/all")
    assert fake_time.sleeps == [3.0]


@responses.activate
def test_providers_on_one_host_share_its_rate_limit(fetcher, fake_time):
    oecd, archive = default_providers()["OECD"], default_providers()["OECD_ARCHIVE"]
    assert oecd.base_url.split("/")[2] == archive.base_url.split("/")[2] == "sdmx.oecd.org"
    current = "https://sdmx.oecd.org/public/rest/data/x/all"
    frozen = "https://sdmx.oecd.org/archive/rest/data/OECD,DF_BLI,/all"
    responses.get(current, body=CSV, content_type="text/csv")
    responses.get(frozen, body=CSV, content_type="text/csv")
    _fetch(fetcher, oecd, url=current)
    _fetch(fetcher, archive, url=frozen)
    assert fake_time.sleeps == [3.0]  # OECD counts both against one client's 20 queries a minute


# --- success, retries and backoff -------------------------------------------------------------------


@responses.activate
def test_ok_returns_body_and_validators(fetcher, estat):
    responses.get(URL, body=CSV, content_type="application/vnd.sdmx.data+csv;version=1.0.0", headers={"ETag": '"v1"'})
    result = _fetch(fetcher, estat)
    assert (result.status, result.body, result.etag, result.attempts) == ("ok", CSV, '"v1"', 1)


@responses.activate
def test_5xx_is_retried_with_exponential_backoff(fetcher, fake_time, estat):
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    responses.get(URL, body=CSV, content_type="text/csv")
    result = _fetch(fetcher, estat)
    assert result.status == "ok" and result.attempts == 3
    assert fetcher.slept == [2.0, 4.0]


@responses.activate
def test_retry_after_is_honoured(fetcher, estat):
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, body=CSV, content_type="text/csv")
    assert _fetch(fetcher, estat).status == "ok"
    assert fetcher.slept == [7.0]


@responses.activate
def test_429_after_retries_is_rate_limited(fetcher, estat):
    responses.get(URL, status=429, body="Too Many Requests")
    with pytest.raises(http.RateLimited) as caught:
        _fetch(fetcher, estat)
    message = str(caught.value)
    assert "sdg_08_10" in message and URL in message and "HTTP 429 after 4 attempts" in message
    assert "wait a few minutes" in message and "\n" not in message
    assert len(responses.calls) == 4


@responses.activate
def test_retry_after_too_long_gives_up_at_once(fetcher, estat):
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(http.RateLimited, match="asks us to wait 3600 s"):
        _fetch(fetcher, estat)
    assert len(responses.calls) == 1 and fetcher.slept == []


@responses.activate
def test_500_after_retries_is_server_error(fetcher, estat):
    responses.get(URL, status=500, body="<html><body>Internal Server Error</body></html>")
    with pytest.raises(http.ServerError, match=r"HTTP 500 after 4 attempts \(Internal Server Error\)"):
        _fetch(fetcher, estat)


# --- conditional requests ---------------------------------------------------------------------------


@responses.activate
def test_conditional_request_and_304(fetcher, estat):
    responses.get(URL, status=304)
    result = _fetch(fetcher, estat, etag='"v1"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    sent = responses.calls[0].request.headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert result.status == "unchanged" and "304" in result.reason


@responses.activate
def test_no_results_after_updated_after_means_unchanged(fetcher, estat):
    responses.get(URL, status=404, body="NoResultsFound")
    assert _fetch(fetcher, estat, updated_after=True).status == "unchanged"
    responses.get(URL + "&x=1", body=b"", content_type="text/csv")
    assert _fetch(fetcher, estat, url=URL + "&x=1", updated_after=True).status == "unchanged"


# --- one specific error per failure mode --------------------------------------------------------------


@pytest.mark.parametrize(
    ("mock", "error", "words"),
    [
        (dict(status=404, body="NoRecordsFound: no data for key"), http.NoResults, "check the dataflow id"),
        (dict(status=413), http.TooLarge, "narrow the key"),
        (dict(status=406), http.WrongContentType, "request_format"),
        (dict(status=400, body="Semantic error: bad key"), http.RequestRefused, "Semantic error"),
        (dict(body=b"", content_type="text/csv"), http.EmptyBody, "sent nothing"),
        (dict(body=b"  \n", content_type="text/csv"), http.EmptyBody, "no content"),
        (
            dict(body=b"<!DOCTYPE html><html><head><title>Maintenance</title></head></html>", content_type="text/html"),
            http.NotSDMX,
            "'Maintenance'",
        ),
        (dict(body=b"\n<html><body>down</body></html>", content_type="text/plain"), http.NotSDMX, "moved API"),
        (dict(body=b'{"data": {}}', content_type="application/json"), http.WrongContentType, "asked for CSV"),
        (dict(body=b"%PDF-1.4", content_type="application/pdf"), http.WrongContentType, "application/pdf"),
        (dict(body=CSV, content_type="text/csv", headers={"Content-Length": "9999"}), http.TruncatedBody, "mid-body"),
    ],
)
@responses.activate
def test_failure_modes_raise_specific_one_line_errors(fetcher, estat, mock, error, words):
    responses.get(URL, **mock)
    with pytest.raises(error) as caught:
        _fetch(fetcher, estat)
    message = str(caught.value)
    assert words in message and "sdg_08_10" in message and URL in message
    assert "\n" not in message


@responses.activate
def test_eurostat_async_footer_413_is_too_large(fetcher, estat):
    """Eurostat answers huge queries with a data message whose footer says 413 (real recorded message)."""
    path = SHARED / "ESTAT" / "footer.xml"
    if not path.exists():
        pytest.skip(f"recorded message not available: {path} (needs ../shared/data)")
    generic = estat.model_copy(update={"request_format": "sdmx-ml-generic"})
    responses.get(URL, body=path.read_bytes(), content_type="application/xml")
    with pytest.raises(http.TooLarge, match="asynchronously"):
        _fetch(fetcher, generic)


@responses.activate
def test_no_network_is_offline_after_one_retry(fetcher, estat):
    responses.get(URL, body=requests.exceptions.ConnectionError("Name or service not known"))
    with pytest.raises(http.Offline, match="no network: could not reach ec.europa.eu"):
        _fetch(fetcher, estat)
    assert len(responses.calls) == 2
    with pytest.raises(http.Offline, match="earlier in this run"):  # the next dataset does not wait again
        _fetch(fetcher, estat, url=URL + "&x=2")
    assert len(responses.calls) == 2


@responses.activate
def test_timeouts_are_retried_then_reported(fetcher, estat):
    responses.get(URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(http.TimedOut, match="after 4 attempts"):
        _fetch(fetcher, estat)
    assert fetcher.slept == [2.0, 4.0, 8.0]


@responses.activate
def test_connection_dropped_mid_body_is_truncated(fetcher, estat):
    responses.get(URL, body=requests.exceptions.ChunkedEncodingError("IncompleteRead(10 bytes read)"))
    with pytest.raises(http.TruncatedBody, match="closed mid-body"):
        _fetch(fetcher, estat)


# --- several rate windows, shared per host, remembered across runs ---------------------------------


def _windows(*pairs):
    from connectors.providers import RateLimit

    return [RateLimit(requests=r, per_seconds=s) for r, s in pairs]


def test_request_log_keeps_every_window(fake_time):
    """OECD: 20 a minute AND 60 an hour. 60 requests fit in 3 minutes; the 61st waits for the hour."""
    log = http.RequestLog(clock=fake_time.clock, sleep=fake_time.sleep)
    windows = _windows((20, 60), (60, 3600))
    start = fake_time.now
    for _ in range(60):
        log.wait("sdmx.oecd.org", windows)
    assert fake_time.now - start == pytest.approx(120)  # requests 21 and 41 waited for the minute window
    log.wait("sdmx.oecd.org", windows)
    assert fake_time.now - start == pytest.approx(3600)  # the 61st: one hour after the first


def test_request_log_is_remembered_across_runs_and_planned(tmp_path, fake_time):
    path = tmp_path / "state" / "requests.json"
    windows = _windows((2, 60))
    first_run = http.RequestLog(path, clock=fake_time.clock, sleep=fake_time.sleep)
    first_run.wait("sdmx.oecd.org", windows)
    first_run.wait("sdmx.oecd.org", windows)
    second_run = http.RequestLog(path, clock=fake_time.clock, sleep=fake_time.sleep)  # a new process, same file
    assert second_run.plan("sdmx.oecd.org", windows, 1) == pytest.approx(60)
    assert second_run.plan("ec.europa.eu", windows, 3) == pytest.approx(60)  # another host has its own log
    waited = second_run.wait("sdmx.oecd.org", windows)
    assert waited == pytest.approx(60)


def test_request_log_survives_a_damaged_file(tmp_path, fake_time):
    path = tmp_path / "requests.json"
    path.write_text("{not json")
    log = http.RequestLog(path, clock=fake_time.clock, sleep=fake_time.sleep)
    assert log.wait("h", _windows((1, 60))) == 0
    assert log.plan("h", _windows((1, 60)), 1) == pytest.approx(60)


# --- size limit while streaming ---------------------------------------------------------------------


@responses.activate
def test_answer_over_the_size_limit_is_refused_while_reading(fetcher, estat):
    small = estat.model_copy(update={"max_response_mib": 0.25})
    body = b"DATAFLOW,freq,geo,TIME_PERIOD,OBS_VALUE\n" + b"ESTAT:SDG_08_10(1.0),A,AT,2020,1\n" * 20_000
    responses.get(URL, body=body, content_type="text/csv")  # no Content-Length: only reading finds out
    with pytest.raises(http.ResponseTooLarge, match=r"over 0.25 MiB arrived"):
        _fetch(fetcher, small)


@responses.activate
def test_announced_size_over_the_limit_is_refused_before_reading(fetcher, estat):
    small = estat.model_copy(update={"max_response_mib": 1})
    responses.get(URL, body=CSV, content_type="text/csv", headers={"Content-Length": str(2 << 30)})
    with pytest.raises(http.ResponseTooLarge, match=r"announces 2,147,483,648 bytes"):
        _fetch(fetcher, small)


@responses.activate
def test_close_delimited_csv_must_end_its_last_line(fetcher, estat):
    responses.get(URL, body=CSV[:-3], content_type="text/csv")  # no length: only the close marked the end
    with pytest.raises(http.TruncatedBody, match="last line has no line break"):
        _fetch(fetcher, estat)


def _send_four(path: str, out: str) -> None:
    import json
    import time

    from connectors.providers import RateLimit

    log = http.RequestLog(Path(path))
    sent = []
    for _ in range(4):
        log.wait("sdmx.oecd.org", [RateLimit(requests=4, per_seconds=1.0)])
        sent.append(time.time())
    Path(out).write_text(json.dumps(sent))


def test_two_processes_share_the_windows_through_the_locked_log(tmp_path):
    """A scheduled job and an operator refreshing at once: 8 requests, at most 4 in any second."""
    import json
    import multiprocessing

    path = tmp_path / "requests.json"
    context = multiprocessing.get_context("spawn")
    outs = [tmp_path / f"sent{i}.json" for i in range(2)]
    workers = [context.Process(target=_send_four, args=(str(path), str(out))) for out in outs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    sent = sorted(t for out in outs for t in json.loads(out.read_text()))
    assert len(sent) == 8
    # the 5th request went at least a second after the 1st (scheduling may delay a send, never advance it)
    assert all(later - earlier >= 0.9 for earlier, later in zip(sent, sent[4:], strict=False)), sent
