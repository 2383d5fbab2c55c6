"""A fake SDMX provider on 127.0.0.1 for tests that drive the REAL refresh path (requests talking to a
socket, the parser, the gate, the store): an ``http.server`` whose answer a test sets, and the
provider registry and catalogue (YAML files) that point ``python -m connectors refresh`` at it.

Shared by the fault-injection suite (test_faults.py) and the concurrency and object-store tests;
import the fixtures ``provider`` and ``registry`` by name into a test module to use them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SDMX = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdmx"
GOOD = "ESTAT/beyond_gdp/ESTAT_SDG_08_10_real-gdp-per-capita_sdmx-csv2-labels.csv"
CSV_TYPE = "application/vnd.sdmx.data+csv;version=2.0.0"
NEUTRAL = "application/octet-stream"  # says nothing about the payload: the parser decides
LIMIT_MIB = 1  # the fake provider's max_response_mib
TIMEOUT, STALL = 3, 1  # its timeout_seconds (overall deadline) and stall_seconds


def recorded(relative: str) -> bytes:
    path = SDMX / relative
    if not path.exists():
        pytest.skip(f"recorded SDMX message not available: {path} (the fault suite replays ../shared/data)")
    return path.read_bytes()


def shifted_answer(value_shift: float) -> tuple[bytes, float]:
    """The recorded good answer with its first observation's value shifted by ``value_shift`` (labelled
    synthetic: a second valid answer whose version differs, showing which answer a store holds), and
    that value."""
    rows = list(csv.reader(io.StringIO(recorded(GOOD).decode("utf-8"))))
    column = next(i for i, name in enumerate(rows[0]) if name.startswith("OBS_VALUE"))
    first = next(row for row in rows[1:] if row[column])
    first[column] = str(float(first[column]) + value_shift)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(), float(first[column])


# --- the fake provider -----------------------------------------------------------------------------


Answer = Callable[[BaseHTTPRequestHandler], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        # The client may give up mid-answer (size limit, deadline): exactly what some faults test.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.answer(self)

    def log_message(self, *_args):
        pass


def send(body: bytes, content_type: str = CSV_TYPE, status: int = 200, headers: dict | None = None) -> Answer:
    """An answer with a correct Content-Length (unless ``headers`` says otherwise)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        given = headers or {}
        handler.send_header("Content-Type", content_type)
        if "Content-Length" not in given and "Connection" not in given:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in given.items():
            if value is not None:
                handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        if given.get("Connection") == "close":
            handler.close_connection = True

    return answer


@pytest.fixture(scope="module")
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.answer = send(b"")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def registry(provider, tmp_path_factory):
    """providers.yaml and catalogue.yaml for the fake provider: sdg_08_10 as the real catalogue has it."""
    folder = tmp_path_factory.mktemp("registry")
    base = f"http://127.0.0.1:{provider.server_address[1]}/sdmx/2.1"
    (folder / "providers.yaml").write_text(
        f"""providers:
  FAKE:
    name: Fake Eurostat on 127.0.0.1
    base_url: {base}
    api_version: "2.1"
    data_path: data/{{flow_ref}}/{{key}}
    flow_ref: id
    empty_key: all
    formats:
      sdmx-csv-2: {{family: csv, accept: "{CSV_TYPE}"}}
    request_format: sdmx-csv-2
    rate_limit: [{{requests: 1000, per_seconds: 1}}, {{requests: 100000, per_seconds: 3600}}]
    supports_updated_after: false
    licence: test
    citation: "{{publisher}} {{title}} {{url}} {{retrieved}}"
    documentation: none
    timeout_seconds: {TIMEOUT}
    stall_seconds: {STALL}
    max_response_mib: {LIMIT_MIB}
""",
        encoding="utf-8",
    )
    (folder / "catalogue.yaml").write_text(
        """datasets:
  sdg_08_10:
    title: Real GDP per capita
    provider: FAKE
    dataflow: {agency: ESTAT, id: sdg_08_10, version: ""}
    key: A..B1GQ.
    measures: [real GDP per capita]
    indicators: {real_gdp_per_capita_eur: {unit: CLV20_EUR_HAB, na_item: B1GQ}}
    documented_at: tests/connectors/test_faults.py
    verified: "no"
    source: estat
    dataset: sdg_08_10
""",
        encoding="utf-8",
    )
    return folder
