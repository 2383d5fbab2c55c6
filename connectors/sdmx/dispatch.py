"""Route a message to its reader, pick the engine, and assemble the :class:`ParsedMessage`.

The fast path's formats are a list of reader objects (:data:`READERS`), each saying which messages
it handles; the message is sniffed once (:class:`~connectors.sdmx.sniff.Sniffed`: kind, and for XML
the root element) and the first reader that handles it reads it.

Decisions made here, once for every format:

* ``engine="auto"`` uses the fast path and falls back to sdmx1 only for messages the fast
  path does not cover (:class:`NotCovered`); real errors (truncated XML, unsafe DTD) are not retried.
* An SDMX footer message (e.g. Eurostat code 413 "your file will be ready later") is returned as
  ``kind="data"`` with 0 observations and the footer in ``summary["footer"]``, so a caller can tell
  "nothing yet" from "broken"; :func:`connectors.store.write_dataset` refuses to store it.
* An SDMX ``Error`` message raises :class:`SDMXParseError` quoting the provider's code and text.
* ``source`` / ``dataset`` default to the message's agency / dataflow (or structure) id.
"""

from __future__ import annotations

import csv
import pathlib
import re

import pyarrow as pa

from connectors import store
from connectors.sdmx import ENGINES, ParsedMessage, SDMXParseError, csv_data, json_data, oracle, structure, xml_data
from connectors.sdmx.sniff import Body, Sniffed, load_body, load_json, sniff
from connectors.sdmx.tidy import Components, to_tidy


class NotCovered(SDMXParseError):
    """The fast path does not read this kind of message (``engine="auto"`` then tries sdmx1)."""


STRUCTURE_ROOTS = frozenset(
    {"Structure", "RegistryInterface", "GenericMetadata", "StructureSpecificMetadata", "Metadata"}
)


def _xml_format(body: Body, root: str) -> str:
    head = body.data[:4096]
    version = "3.0" if b"v3_0" in head else "2.1" if b"v2_1" in head else "2.0" if b"v2_0" in head else "?"
    if root in xml_data.DATA_ROOTS:
        flavour = "generic" if root.startswith("Generic") else "structurespecific"
        return f"sdmx-ml-{version}-{flavour}"
    return f"sdmx-ml-{version}-{root.lower()}"


def _bare_id(text: str) -> str:
    """``ESTAT:SDG_08_10(1.0)`` -> ``SDG_08_10``; ``OECD.X:DSD_A@DF_B(1.1): label`` -> ``DSD_A@DF_B``."""
    text = text.split("): ", 1)[0]
    text = text.split(":", 1)[1] if ":" in text else text
    return text.split("(", 1)[0].strip()


def _agency(text: str) -> str:
    return text.split(":", 1)[0].strip() if ":" in text else ""


def _same_flow(expected: str, found: str) -> bool:
    a, b = _bare_id(expected).upper(), _bare_id(found).upper()
    return a == b or b.endswith("@" + a) or a.endswith("@" + b)


def _flows_structure(expected: str, found: str, structure_id: str | None) -> bool:
    """Whether data structure ``found`` is the one of dataflow ``expected``: the catalogue says so
    (``structure_id``), or the provider's naming does (Eurostat: same id; OECD: ``DSD_X@DF_Y`` uses ``DSD_X``)."""
    a, b = _bare_id(expected).upper(), _bare_id(found).upper()
    return a == b or a.split("@", 1)[0] == b or (structure_id is not None and _bare_id(structure_id).upper() == b)


def _check_dataflow(
    expected: str | None, found: list[tuple[str, str]], name: str, structure_id: str | None = None
) -> None:
    """Refuse a message that is not of dataflow ``expected``, whether it names its dataflow or its data
    structure (``found``: ``(kind, id)`` pairs, kind ``dataflow`` or ``structure``), or names neither."""
    if not expected:
        return
    found = [(kind, ref) for kind, ref in found if ref]
    if not found:
        raise SDMXParseError(
            f"{name}: the message does not say which dataflow or data structure it holds, so it cannot be "
            f"confirmed as {expected!r}"
        )
    for kind, ref in found:
        if kind == "dataflow" and not _same_flow(expected, ref):
            raise SDMXParseError(
                f"{name}: message belongs to dataflow {ref!r}, not the expected {expected!r} "
                "(wrong URL or catalogue entry?)"
            )
        if kind != "dataflow" and not _flows_structure(expected, ref, structure_id):
            raise SDMXParseError(
                f"{name}: message names data structure {ref!r}, which is not known as the structure of dataflow "
                f"{expected!r} (if it is, add `structure: {_bare_id(ref)}` to the dataflow in catalogue.yaml)"
            )


def _xml_found(header: xml_data.Header) -> list[tuple[str, str]]:
    return [("dataflow" if header.structure_kind == "StructureUsage" else "structure", header.structure_id)]


def _csv_found(summary: dict) -> list[tuple[str, str]]:
    kinds = summary.get("structure_kinds") or ["dataflow"]
    kind = "dataflow" if all(k == "dataflow" for k in kinds) else "structure"
    return [(kind, ref) for ref in summary.get("structure_ids") or []]


def _structure_info(structure_input) -> structure.StructureInfo | None:
    if structure_input is None:
        return None
    body = load_body(structure_input, "structure")
    if sniff(body) != "xml":
        raise SDMXParseError(f"{body.name}: structure= must be an SDMX-ML structure message")
    return structure.read_structure(body)


def _finish(
    comp: Components,
    *,
    body: Body,
    fmt: str,
    source: str,
    dataset: str,
    labels: dict,
    summary: dict,
) -> ParsedMessage:
    tidy = to_tidy(comp, source=source or "SDMX", dataset=dataset or _stem(body), name=body.name)
    table, series_count = tidy.table, tidy.series_count
    summary.update(tidy.notes)
    return ParsedMessage(
        kind="data",
        table=table,
        dimensions=list(comp.dimensions),
        series_count=series_count,
        observations=table.num_rows,
        labels=labels,
        summary=summary,
        format=fmt,
    )


def _stem(body: Body) -> str:
    stem = pathlib.Path(body.name.split("!")[-1]).stem
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", stem) or "dataset"


def _structure_result(body: Body, fmt: str, info: structure.StructureInfo | None, summary: dict) -> ParsedMessage:
    return ParsedMessage(
        kind="structure",
        table=None,
        labels=info.labels if info else {},
        summary=info.summary if info else summary,
        format=fmt,
    )


def _error_message(body: Body) -> SDMXParseError:
    info = re.findall(rb'code="([^"]*)"', body.data[:65536])
    texts = re.findall(rb"<(?:\w+:)?Text[^>]*>([^<]*)</", body.data[:65536])
    code = info[0].decode() if info else "?"
    text = "; ".join(t.decode("utf-8", "replace").strip() for t in texts[:3]) or "no text"
    return SDMXParseError(f"{body.name}: the provider returned an SDMX error message (code {code}): {text}")


def _release(body: Body) -> None:
    """Drop the message bytes once its columns are read: at 1M observations that is ~100 MB less at peak.

    Only the name is used afterwards (errors, default dataset id); ``body`` is private to :func:`parse`.
    """
    body.data = b""


class Reader:
    """One format the fast path reads, after sdmx1's reader list (``sdmx/reader/__init__.py``).

    A reader says which messages are its own — the sniffed ``kind`` and, for XML, the ``roots``
    (empty: every message of that kind) — in :meth:`handles`, and turns one into a
    :class:`ParsedMessage` in :meth:`read`. :func:`_fast` asks each reader in :data:`READERS`
    in turn; a message none of them handles goes to sdmx1 (:class:`NotCovered`). A new format is
    one more reader in the list.
    """

    kind = ""
    roots: frozenset[str] = frozenset()

    def handles(self, message: Sniffed) -> bool:
        return message.kind == self.kind and (not self.roots or message.root in self.roots)

    def read(self, body: Body, message: Sniffed, info, *, source: str, dataset: str, expect) -> ParsedMessage:
        raise NotImplementedError


class XmlErrorReader(Reader):
    """An SDMX-ML ``Error`` message: raised as :class:`SDMXParseError` quoting the provider's code and text."""

    kind, roots = "xml", frozenset({"Error"})

    def read(self, body, message, info, *, source, dataset, expect):
        raise _error_message(body)


class XmlStructureReader(Reader):
    """SDMX-ML structure, metadata and query messages: what they define, no table."""

    kind, roots = "xml", STRUCTURE_ROOTS

    def handles(self, message):
        return message.kind == self.kind and (message.root in self.roots or message.root.endswith("Query"))

    def read(self, body, message, info, *, source, dataset, expect):
        fmt = _xml_format(body, message.root)
        return _structure_result(body, fmt, structure.read_structure(body), {})


class XmlDataReader(Reader):
    """SDMX-ML 2.0 / 2.1 / 3.0 data messages, generic or structure-specific (:mod:`.xml_data`)."""

    kind, roots = "xml", xml_data.DATA_ROOTS

    def read(self, body, message, info, *, source, dataset, expect):
        fmt = _xml_format(body, message.root)
        comp, header, summary = xml_data.read_xml_data(body, message.root, info.find if info else None)
        _release(body)
        _check_dataflow(expect[0], _xml_found(header), body.name, expect[1])
        labels = {d: info.labels[d] for d in comp.dimensions if info and d in info.labels}
        return _finish(
            comp,
            body=body,
            fmt=fmt,
            source=source or header.agency,
            dataset=dataset or header.structure_id or header.dataset_id,
            labels=labels,
            summary=summary,
        )


class JsonReader(Reader):
    """SDMX-JSON 1.0 / 2.0 data messages (:mod:`.json_data`), and SDMX-JSON structure messages (summarised)."""

    kind = "json"

    def read(self, body, message, info, *, source, dataset, expect):
        document = load_json(body)
        if json_data.is_structure_json(document):
            data = document["data"]
            summary = {
                "message": "sdmx-json structure/metadata",
                "artefacts": {k: len(v) for k, v in data.items() if isinstance(v, list)},
            }
            return _structure_result(body, "sdmx-json-2.0-structure", None, summary)
        comp, labels, summary = json_data.read_sdmx_json(document, body.name)
        agency, flow = json_data.dataflow_of(document)
        _check_dataflow(expect[0], [json_data.structure_of(document)], body.name, expect[1])
        summary.update({"agency": agency, "dataflow": flow})
        return _finish(
            comp,
            body=body,
            fmt=f"sdmx-json-{summary['sdmx_json']}",
            source=source or agency,
            dataset=dataset or flow,
            labels=labels,
            summary=summary,
        )


class CsvReader(Reader):
    """SDMX-CSV 1.0 / 2.0, streamed from the file (:mod:`.csv_data`)."""

    kind = "csv"

    def read(self, body, message, info, *, source, dataset, expect):
        dsd = info.structures[0] if info and info.structures else None
        _, first = csv_data.header_facts(body)  # names the table before the rows stream through
        comp, labels, summary = csv_data.read_sdmx_csv(body, dsd)
        _release(body)
        parsed = _finish(
            comp,
            body=body,
            fmt=f"sdmx-csv-{summary['sdmx_csv']}",
            source=source or _agency(first),
            dataset=dataset or _bare_id(first),
            labels=labels,
            summary=summary,
        )
        _check_dataflow(expect[0], _csv_found(summary), body.name, expect[1])  # known once every row is read
        return parsed


class EstatTsvReader(Reader):
    """Eurostat's bulk-download TSV (not SDMX, but Eurostat's own dissemination format)."""

    kind = "estat-tsv"

    def read(self, body, message, info, *, source, dataset, expect):
        comp, summary = csv_data.read_estat_tsv(body)
        return _finish(
            comp, body=body, fmt="estat-tsv", source=source or "ESTAT", dataset=dataset, labels={}, summary=summary
        )


#: The fast path's readers, asked in this order; the first whose :meth:`Reader.handles` says yes reads.
READERS: tuple[Reader, ...] = (
    XmlErrorReader(),
    XmlStructureReader(),
    XmlDataReader(),
    JsonReader(),
    CsvReader(),
    EstatTsvReader(),
)


def _fast(body: Body, message: Sniffed, info, *, source: str, dataset: str, expect: tuple) -> ParsedMessage:
    reader = next((r for r in READERS if r.handles(message)), None)
    if reader is None:
        raise NotCovered(f"{body.name}: the fast reader does not handle <{message.root}> messages")
    return reader.read(body, message, info, source=source, dataset=dataset, expect=expect)


def _sdmx1(body: Body, message: Sniffed, structure_input, *, source: str, dataset: str, expect) -> ParsedMessage:
    kind = message.kind
    if kind == "estat-tsv":
        raise SDMXParseError(f"{body.name}: sdmx1 cannot read Eurostat TSV; use engine='fast'")
    structure_body = load_body(structure_input, "structure") if structure_input is not None else None
    header = xml_data.Header()
    if kind == "xml":
        if message.root == "Error":
            raise _error_message(body)
        header = xml_data.read_header(body)  # names the DSD sdmx1 must be given
    elif kind == "json":
        header.agency, header.structure_id = json_data.dataflow_of(load_json(body))
    options = {}
    if kind == "csv":
        options["delimiter"], first = csv_data.header_facts(body)
        header.agency, header.structure_id = _agency(first), _bare_id(first)
    what, comp, summary = oracle.read_with_sdmx1(body, structure_body, header.structure_id, kind, **options)
    if what != "structure" and expect[0]:
        if kind == "xml":
            found = _xml_found(header)
        elif kind == "json":
            found = [json_data.structure_of(load_json(body))]
        else:
            found = [("dataflow", header.structure_id)]
        _check_dataflow(expect[0], found, body.name, expect[1])
    fmt = f"sdmx1-{kind}"
    if what == "structure":
        info = structure.read_structure(body) if kind == "xml" else None
        return _structure_result(body, fmt, info, summary)
    return _finish(
        comp,
        body=body,
        fmt=fmt,
        source=source or header.agency,
        dataset=dataset or header.structure_id,
        labels={},
        summary=summary,
    )


#: What a reader may raise on a message whose shape it does not expect (a field that is a string where the
#: format says list, a position past a list, ...): reported as one parse error naming the message, never
#: as a traceback. The readers' own checks raise SDMXParseError with a specific text first.
SHAPE_ERRORS = (
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    ValueError,
    RecursionError,
    csv.Error,  # a CSV header line with a bare carriage return in an unquoted field
    pa.ArrowException,
)


def parse(
    message, *, structure=None, source="", dataset="", expect_dataflow=None, expect_structure=None, engine="auto"
) -> ParsedMessage:
    """:func:`connectors.sdmx.parse_message`; any failure is an :class:`SDMXParseError` of one line."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    try:
        return _parse(message, structure, source, dataset, expect_dataflow, expect_structure, engine)
    except SDMXParseError:
        raise
    except SHAPE_ERRORS as exc:
        name = message if isinstance(message, str | pathlib.Path) else "<message bytes>"
        detail = " ".join(str(exc).split())[:200]
        raise SDMXParseError(
            f"{name}: not a readable SDMX message: unexpected content ({type(exc).__name__}: {detail})"
        ) from exc


def _parse(message, structure, source, dataset, expect_dataflow, expect_structure, engine) -> ParsedMessage:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    expected = (expect_dataflow, expect_structure)
    body = load_body(message)
    sniffed = Sniffed(body)
    if engine == "sdmx1":
        return _sdmx1(body, sniffed, structure, source=source, dataset=dataset, expect=expected)
    info = _structure_info(structure)
    try:
        return _fast(body, sniffed, info, source=source, dataset=dataset, expect=expected)
    except NotCovered:
        if engine == "fast":
            raise
        return _sdmx1(body, sniffed, structure, source=source, dataset=dataset, expect=expected)
    except store.StoreError as exc:
        raise SDMXParseError(f"{body.name}: {exc}") from exc
