"""Fault injection: a fake SDMX provider on 127.0.0.1 serves every bad answer we know of, through the REAL
refresh path (the command line, requests talking to a socket, the parser, the gate, the store).

Nothing is mocked: the provider registry and the catalogue are YAML files pointing at a local
``http.server``. The baseline is the real recorded Eurostat answer for ``sdg_08_10``; each fault must
make ``python -m connectors refresh`` exit non-zero with a message naming the dataset and the reason, and
leave the table that ``store.scan`` returns for the dataset (what the indicators read) byte-identical.
docs/reliability.md lists the same faults and outcomes.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from connectors import store
from connectors.__main__ import main
from tests.connectors.fake_provider import (
    CSV_TYPE,
    GOOD,
    LIMIT_MIB,
    STALL,
    TIMEOUT,
    Answer,
    recorded,
    send,
)

NEUTRAL = "application/octet-stream"  # says nothing about the payload: the parser decides


def close_delimited(body: bytes, content_type: str = CSV_TYPE) -> Answer:
    """No length: the end of the body is only the connection closing (what a cut answer looks like)."""
    return send(body, content_type, headers={"Connection": "close"})


def chunked_cut(body: bytes) -> Answer:
    """Chunked transfer that stops mid-way: no terminating zero-length chunk, the connection just closes."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        half = body[: len(body) // 2]
        handler.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")
        handler.wfile.write(f"{len(body):x}\r\n".encode() + body[:100])  # announced, never finished
        handler.wfile.flush()
        handler.close_connection = True

    return answer


def trickle(body: bytes, every: float) -> Answer:
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for start in range(0, min(len(body), 40)):  # bounded: at most 40 bytes, ~8 s
            handler.wfile.write(body[start : start + 1])
            handler.wfile.flush()
            time.sleep(every)

    return answer


def stall(body: bytes, after: int, pause: float) -> Answer:
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[:after])
        handler.wfile.flush()
        time.sleep(pause)  # bounded; the client has given up by then
        handler.close_connection = True

    return answer


def endless_rows(header: bytes, row: bytes, total: int) -> Answer:
    """A huge close-delimited answer generated as it is sent (never built in memory), bounded at ``total``."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", CSV_TYPE)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(header)
        block = row * (65536 // len(row))
        for _ in range(total // len(block)):
            handler.wfile.write(block)
        handler.close_connection = True

    return answer


def _refresh(registry: Path, root: Path, *extra: str, capsys) -> tuple[int, str]:
    code = main(
        ["refresh", "sdg_08_10", "--root", str(root), "--providers", str(registry / "providers.yaml"),
         "--catalogue", str(registry / "catalogue.yaml"), *extra]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _what_indicators_read(root: Path) -> bytes:
    """The table ``store.scan`` returns for the dataset, serialised: compared byte for byte."""
    table = store.scan(sources=["estat"], datasets=["sdg_08_10"], root=root)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


@pytest.fixture(scope="module")
def good_store(provider, registry, tmp_path_factory):
    """A store holding the good answer, refreshed through the fake provider; copied for each test."""
    root = tmp_path_factory.mktemp("good")
    provider.answer = send(recorded(GOOD))
    code = main(
        ["refresh", "sdg_08_10", "--root", str(root), "--providers", str(registry / "providers.yaml"),
         "--catalogue", str(registry / "catalogue.yaml")]
    )  # fmt: skip
    assert code == 0
    return root


@pytest.fixture
def root(good_store, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(good_store, copy)
    return copy


# --- building bad answers from the good one -------------------------------------------------------


def _rows() -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(recorded(GOOD).decode("utf-8")))
    header = next(reader)
    return header, list(reader)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def _without(column: str) -> bytes:
    """The answer without ``column`` and its label column (this labelled SDMX-CSV pairs each code column
    with a label column right after it)."""
    header, rows = _rows()
    at = header.index(column)
    keep = [i for i in range(len(header)) if i not in (at, at + 1)]
    return _csv([header[i] for i in keep], [[row[i] for i in keep] for row in rows])


def _edited(value: str, at: int = 5) -> bytes:
    header, rows = _rows()
    column = next(i for i, name in enumerate(header) if name.startswith("OBS_VALUE"))
    rows[at][column] = value
    return _csv(header, rows)


def _conflicting_duplicate() -> bytes:
    header, rows = _rows()
    column = next(i for i, name in enumerate(header) if name.startswith("OBS_VALUE"))
    twin = list(rows[7])
    twin[column] = str(float(twin[column] or 0) + 1000)
    return _csv(header, [*rows, twin])


def _exact_duplicate() -> bytes:
    header, rows = _rows()
    return _csv(header, [*rows, rows[7]])


def _shrunk(keep_share: float) -> bytes:
    header, rows = _rows()
    geo = next(i for i, name in enumerate(header) if name.lower().startswith("geo"))
    areas = sorted({row[geo] for row in rows})
    kept = set(areas[: int(len(areas) * keep_share)])
    return _csv(header, [row for row in rows if row[geo] in kept])


def _other_dataflow_csv1() -> bytes:
    text = recorded("ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv1-labels.csv")
    return text.replace(b"ESTAT:SDG_08_10(1.0)", b"ESTAT:NAMA_10_GDP(1.0)")


def _entity_behind_comment() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!--' + b"-" * 70_000 + b'-->\n<!DOCTYPE m [<!ENTITY big "999999">]>\n'
        b'<m:StructureSpecificData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
        b'<DataSet><Obs TIME_PERIOD="2020" OBS_VALUE="&big;"/></DataSet></m:StructureSpecificData>'
    )


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sdg_08_10.csv", recorded(GOOD) + b"\n" * (48 << 20))
    return buffer.getvalue()


def _cut_mid_row() -> bytes:
    body = recorded(GOOD)
    cut = body.index(b"\n", len(body) // 2) - 3  # three bytes before a line ends: a value is cut short
    return body[:cut]


def _cut_at_line_end() -> bytes:
    body = recorded(GOOD)
    return body[: body.index(b"\n", len(body) // 3) + 1]  # whole lines only: the transport cannot tell


# name -> (answer, words the one-line message must contain)
FAULTS: dict[str, tuple[Callable[[], Answer], list[str]]] = {
    "cut body, Connection: close, mid-row": (lambda: close_delimited(_cut_mid_row()), ["truncated response", "line break"]),
    "cut body at a line end (close-delimited)": (lambda: close_delimited(_cut_at_line_end()), ["check 'coverage'", "--allow-shrink"]),
    "chunked body cut mid-chunk": (lambda: chunked_cut(recorded(GOOD)), ["truncated response", "closed mid-body"]),
    "wrong Content-Length (longer than sent)": (
        lambda: send(recorded(GOOD)[:5000], headers={"Content-Length": "9000", "Connection": "close"}),
        ["truncated response", "closed mid-body"],
    ),
    "wrong dataflow, SDMX-CSV 2.0": (lambda: send(recorded("OECD/beyond_gdp/OECD.ELS.SAE,DSD_LFS@DF_LFS_COMP,1.1_sample-12-areas_sdmx-csv2-labels.csv") + b"\n"), ["DSD_LFS@DF_LFS_COMP", "not the expected"]),
    "wrong dataflow, SDMX-CSV 1.0": (lambda: send(_other_dataflow_csv1()), ["NAMA_10_GDP", "not the expected"]),
    "wrong dataflow, SDMX-ML generic (DSD reference)": (lambda: send(recorded("ECB_EXR/1/M.USD.EUR.SP00.A.xml"), NEUTRAL), ["ECB_EXR1", "not known as the structure"]),
    "wrong dataflow, SDMX-ML structure-specific": (lambda: send(recorded("ECB_EXR/ng-ts-ss.xml"), NEUTRAL), ["ECB_EXR_NG", "not known as the structure"]),
    "wrong dataflow, SDMX-ML generic (flow reference)": (lambda: send(recorded("INSEE/CNA-2010-CONSO-SI-A17.xml"), NEUTRAL), ["CNA-2010-CONSO-SI-A17", "not the expected"]),
    "wrong dataflow, SDMX-JSON 1.0": (lambda: send(recorded("ECB_EXR/ts.json"), NEUTRAL), ["'EXR'", "not the expected"]),
    "wrong dataflow, SDMX-JSON 2.0": (lambda: send(recorded("v3/json/data/exr-time-series.json"), NEUTRAL), ["'EXR'", "not the expected"]),
    "missing OBS_VALUE": (lambda: send(_without("OBS_VALUE")), ["check 'values'", "no OBS_VALUE column"]),
    "missing TIME_PERIOD": (lambda: send(_without("TIME_PERIOD")), ["check 'periods'", "no TIME_PERIOD"]),
    "conflicting duplicate observation": (lambda: send(_conflicting_duplicate()), ["check 'duplicates'", "different values"]),
    "value '1,234'": (lambda: send(_edited("1,234")), ["check 'numbers'", "'1,234' in column OBS_VALUE"]),
    "value 1e999 (infinity)": (lambda: send(_edited("1e999")), ["check 'numbers'", "'1e999'"]),
    "value 'n/a' (not a standard missing marker)": (lambda: send(_edited("n/a")), ["check 'numbers'", "'n/a'"]),
    "shrunk coverage (30% of areas)": (lambda: send(_shrunk(0.3)), ["check 'coverage'", "22 series now, 77", "--allow-shrink"]),
    "huge body (over the limit, no length)": (
        lambda: endless_rows(recorded(GOOD).split(b"\n", 1)[0] + b"\n", recorded(GOOD).split(b"\n")[1] + b"\n", 8 << 20),
        ["response too large", f"over {LIMIT_MIB} MiB"],
    ),
    "huge body (2 GiB announced)": (lambda: send(b"", headers={"Content-Length": str(2 << 30), "Connection": "close"}), ["response too large", "announces 2,147,483,648 bytes"]),
    "slow trickle (1 byte per 0.2 s)": (lambda: trickle(recorded(GOOD), 0.2), ["timed out", f"still arriving after {TIMEOUT} s"]),
    "stalled body": (lambda: stall(recorded(GOOD), 2000, STALL + 2), ["stalled", f"no data for {STALL} s after 2,000 bytes"]),
    "HTML maintenance page": (lambda: send(b"<html><head><title>Maintenance</title></head><body>Back soon</body></html>", "text/html"), ["HTML page", "Maintenance"]),
    "empty body": (lambda: send(b""), ["empty response"]),
    "HTTP 503 (after retries)": (lambda: send(b"Service Unavailable", "text/plain", 503, {"Retry-After": "0"}), ["provider server error", "HTTP 503"]),
    "HTTP 429 (after retries)": (lambda: send(b"Too Many Requests", "text/plain", 429, {"Retry-After": "0"}), ["rate limited (429)"]),
    "entity declaration behind a 70 KB comment": (lambda: send(_entity_behind_comment(), NEUTRAL), ["DOCTYPE or entity declaration", "XXE"]),
    "zip bomb": (lambda: send(_zip_bomb(), NEUTRAL), ["zip/gzip bomb"]),
    "gzip bomb (Content-Encoding)": (
        lambda: send(gzip.compress(recorded(GOOD) + b"\n" * (8 << 20)), headers={"Content-Encoding": "gzip"}),
        ["response too large"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_is_refused_and_data_is_untouched(fault, provider, registry, root, capsys):
    before = _what_indicators_read(root)
    answer, words = FAULTS[fault]
    provider.answer = answer()
    started = time.monotonic()
    code, output = _refresh(registry, root, capsys=capsys)
    assert code == 1, output
    failed = [line for line in output.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 1, output  # one message, on one line
    for word in ["sdg_08_10", *words]:
        assert word in failed[0], failed[0]
    assert "still using" in failed[0]  # it says which data stays in use
    assert _what_indicators_read(root) == before  # data lost: 0
    assert time.monotonic() - started < TIMEOUT + 6


def test_exact_duplicates_collapse_and_the_refresh_succeeds(provider, registry, root, capsys):
    before = store.scan(sources=["estat"], datasets=["sdg_08_10"], root=root)
    provider.answer = send(_exact_duplicate())
    code, output = _refresh(registry, root, capsys=capsys)
    assert code == 0, output
    assert "1 identical duplicate observations collapsed" in output
    after = store.scan(sources=["estat"], datasets=["sdg_08_10"], root=root)
    assert after.num_rows == before.num_rows
    assert after.select(["series", "time_period", "value"]).equals(before.select(["series", "time_period", "value"]))


def test_shrunk_coverage_is_accepted_with_the_override(provider, registry, root, capsys):
    provider.answer = send(_shrunk(0.3))
    code, output = _refresh(registry, root, "--allow-shrink", capsys=capsys)
    assert code == 0, output
    after = store.scan(sources=["estat"], datasets=["sdg_08_10"], root=root)
    assert after.num_rows == _shrunk(0.3).count(b"\n") - 1  # every row of the smaller answer, header aside


def test_needs_refuses_an_answer_without_the_selection_an_indicator_reads(provider, registry, root, capsys):
    header, rows = _rows()
    unit = next(i for i, name in enumerate(header) if name.lower().startswith("unit"))
    for row in rows:
        row[unit] = row[unit].replace("CLV20_EUR_HAB", "CLV10_EUR_HAB")  # same coverage, another unit
    before = _what_indicators_read(root)
    provider.answer = send(_csv(header, rows))
    code, output = _refresh(registry, root, capsys=capsys)
    assert code == 1
    assert "check 'needs'" in output and "unit=CLV20_EUR_HAB" in output and "--allow-shrink" in output
    assert _what_indicators_read(root) == before
