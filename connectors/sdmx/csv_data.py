"""Read SDMX-CSV 1.0 / 2.0 and Eurostat TSV with pyarrow's CSV reader (millions of rows per second).

Only the header line is read in Python: it decides the delimiter, which columns are structural
(``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION`` ...), which are labels (``STRUCTURE_NAME`` present
means code/label column pairs; ``ID: Name`` headers mean ``code: label`` values), and which are
dimensions. Without a DSD, SDMX-CSV's own rule is used: dimensions come before the measure
column, attributes after it. When no ``TIME_PERIOD``/``TIME`` column exists the time dimension is
the last dimension column whose values all read as SDMX periods; when none does (deletions,
cross-sections) the observations have no time period. With a DSD, its components decide, and
columns it does not define are left out (as sdmx1 does).

SDMX-CSV is streamed: pyarrow decodes block after block in a read-ahead thread while the caller
maps the previous block to tidy rows, so a large message is never in memory whole as raw columns.
"""

from __future__ import annotations

import csv
import io
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from connectors.periods import PeriodError, parse_period
from connectors.sdmx import SDMXParseError
from connectors.sdmx.sniff import Body
from connectors.sdmx.structure import DataStructure
from connectors.sdmx.tidy import TIME_DIMENSIONS, Components

STRUCTURAL = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY", "DATAFLOW")
REPETITIVE = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "DATAFLOW")  # the same few values on every row
HOUSEKEEPING = ("LAST UPDATE", "LAST_UPDATE")
_LEAD = re.compile(r'^\ufeff?"?(STRUCTURE|DATAFLOW)"?(\[[^\]]*\])?(.)', re.IGNORECASE)
BLOCK_SIZE = 4 << 20


def _first_line(body: Body) -> str:
    head = body.head(1 << 20)
    end = head.find(b"\n")
    line = head[: end if end >= 0 else len(head)]
    return line.decode("utf-8-sig", errors="replace").rstrip("\r")


def _read(data: bytes, header_line: str, delimiter: str, width: int, quoting: bool = True) -> pa.Table:
    """All rows as string columns ``c0..`` (Eurostat TSV; SDMX-CSV streams through :func:`_open`)."""
    names = [f"c{i}" for i in range(width)]
    has_quotes = quoting and b'"' in data
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"' if quoting else False, newlines_in_values=has_quotes
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SDMXParseError(f"malformed CSV rows ({str(exc).splitlines()[0]})") from exc


def _split_label(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """``code: label`` values -> (code, label); values without ``": "`` get an empty label."""
    parts = pc.extract_regex(column, r"^(?P<code>.*?)(?:: (?P<label>.*))?$")
    return pc.struct_field(parts, "code"), pc.struct_field(parts, "label")


def _pairs(codes: pa.ChunkedArray, labels: pa.ChunkedArray) -> dict[str, str]:
    joined = pc.binary_join_element_wise(codes, pc.fill_null(labels, ""), "\x1f")
    out = {}
    for value in pc.unique(joined).to_pylist():
        code, _, label = value.partition("\x1f")
        if code and label:
            out.setdefault(code, label)
    return out


def _looks_like_time(column: pa.ChunkedArray) -> bool:
    distinct = [v for v in pc.unique(column).to_pylist()[:500] if v]
    if not distinct:
        return False
    try:
        for value in distinct:
            parse_period(value)
    except PeriodError:
        return False
    return True


def header_facts(body: Body) -> tuple[str, str]:
    """(delimiter, first ``STRUCTURE_ID`` / ``DATAFLOW`` value) from the first lines of an SDMX-CSV message.

    The sdmx1 engine needs both before reading: the delimiter to pass on, the id for the default
    source and dataset (as :func:`read_sdmx_csv` finds them, so both engines name a table alike).
    """
    line = _first_line(body)
    lead = _LEAD.match(line)
    if not lead:
        raise SDMXParseError(f"{body.name}: not SDMX-CSV (header must start with STRUCTURE or DATAFLOW)")
    delimiter = lead.group(3)
    raw = body.head((1 << 16) + 1)
    head = raw[: 1 << 16].decode("utf-8-sig", errors="replace").splitlines()
    if len(raw) > 1 << 16:
        head = head[:-1]  # the last line may be cut
    rows = csv.reader(head, delimiter=delimiter)
    header = [re.sub(r"\[[^\]]*\]$", "", h.split(": ", 1)[0].strip()).upper() for h in next(rows)]
    wanted = "STRUCTURE_ID" if lead.group(1).upper() == "STRUCTURE" else "DATAFLOW"
    if wanted not in header:
        return delimiter, ""
    column = header.index(wanted)
    for row in rows:
        if len(row) > column and row[column]:
            return delimiter, row[column]
    return delimiter, ""


_DONE = object()


def _read_ahead(blocks: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Decode the next blocks in a background thread while the caller maps this one.

    pyarrow releases the GIL while it reads and converts, so reading and the caller's Arrow
    work overlap on two cores; at most ``depth`` blocks wait. An error in the reader is raised
    here; a caller that stops early stops the reader too.
    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        waiting.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            waiting.put(exc)

    reader = threading.Thread(target=read, name="sdmx-csv-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := waiting.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _open(
    data: bytes, delimiter: str, width: int, path: str = "", repetitive: frozenset[int] = frozenset()
) -> Iterator[pa.RecordBatch]:
    """:func:`_read` as a stream of blocks, decoded ahead of the caller in a thread."""
    names = [f"c{i}" for i in range(width)]
    types = {n: pa.dictionary(pa.int32(), pa.string()) if i in repetitive else pa.string() for i, n in enumerate(names)}
    try:
        reader = pacsv.open_csv(
            path or io.BytesIO(data),
            # One reader thread (ours, :func:`_read_ahead`): the cores go to mapping blocks
            # (:func:`connectors.sdmx.tidy.to_tidy`), and the first block comes sooner.
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE, use_threads=False),
            # quoted values may hold line breaks; allowing them costs nothing measurable when none do
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
        yield from _read_ahead(reader)
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return
        raise SDMXParseError(f"malformed CSV rows ({str(exc).splitlines()[0]})") from exc


@dataclass
class _Layout:
    """What each CSV column is, decided from the header alone (and the DSD when given)."""

    ids: list[str]
    header_has_label: list[bool]
    labelled_pairs: bool

    def columns(self, block: pa.RecordBatch, labels: dict[str, dict[str, str]]) -> tuple[dict, list[str]]:
        """One block's columns by component id (codes split from labels) and the data column order;
        labels found in the block are added to ``labels`` (the first label of a code wins)."""
        columns: dict[str, pa.Array] = {}
        order: list[str] = []
        ids, i = self.ids, 0
        while i < len(ids):
            cid, column = ids[i], block.column(i)
            if cid.upper() in STRUCTURAL:
                columns[cid.upper()] = column
                i += 1
                continue
            if self.labelled_pairs and i + 1 < len(ids):
                _merge(labels, cid, _pairs(column, block.column(i + 1)))
                columns[cid] = column
                order.append(cid)
                i += 2
                continue
            if self.header_has_label[i] and cid.upper() not in ("OBS_VALUE",):
                code, label = _split_label(column)
                _merge(labels, cid, _pairs(code, label))
                column = code
            columns[cid] = column
            order.append(cid)
            i += 1
        return columns, order


def _merge(labels: dict[str, dict[str, str]], cid: str, pairs: dict[str, str]) -> None:
    if pairs:
        known = labels.setdefault(cid, {})
        for code, label in pairs.items():
            known.setdefault(code, label)


def _distinct_in_order(found: dict, column) -> None:
    for value in pc.unique(column).to_pylist():
        if value:
            found.setdefault(value, None)


def read_sdmx_csv(body: Body, dsd: DataStructure | None) -> tuple[Components, dict, dict]:
    """Parse SDMX-CSV 1.0 or 2.0; return components, labels and a summary.

    The rows are read block by block (``Components.blocks``): the caller maps each block to tidy
    rows as it arrives, so the raw columns of a large message never sit in memory whole. The
    summary's ``structure_ids`` and ``actions`` and the labels are complete once the blocks are
    consumed; the time dimension, when it must be inferred, is inferred from the first block.
    """
    line = _first_line(body)
    lead = _LEAD.match(line)
    if not lead:
        raise SDMXParseError(f"{body.name}: not SDMX-CSV (header must start with STRUCTURE or DATAFLOW)")
    version = "2.0" if lead.group(1).upper() == "STRUCTURE" else "1.0"
    delimiter = lead.group(3)
    header = next(csv.reader([line], delimiter=delimiter))
    path = body.path
    if path:  # pyarrow reads the file block by block: its bytes are never in memory whole
        body.data = data = b""  # only the name is used from here on
    else:
        data = body.data
    ids, header_has_label = [], []
    for field in header:
        base = re.sub(r"\[[^\]]*\]$", "", field.split(": ", 1)[0].strip())
        ids.append(base)
        header_has_label.append(": " in field)
    layout = _Layout(ids, header_has_label, "STRUCTURE_NAME" in [i.upper() for i in ids])
    repetitive = frozenset(i for i, cid in enumerate(ids) if cid.upper() in REPETITIVE)
    name = body.name

    def blocks() -> Iterator[pa.RecordBatch]:
        try:
            yield from _open(data, delimiter, len(header), path=path, repetitive=repetitive)
        except SDMXParseError as exc:
            raise SDMXParseError(f"{name}: {exc}") from exc

    stream = blocks()
    first = next(stream, None)
    labels: dict[str, dict[str, str]] = {}
    empty = pa.RecordBatch.from_arrays(
        [pa.array([], pa.string()) for _ in header], [f"c{i}" for i in range(len(header))]
    )
    columns, order = layout.columns(first if first is not None else empty, labels)

    summary: dict = {"sdmx_csv": version, "structure_ids": [], "delimiter": delimiter}
    data_columns = [c for c in order if c.upper() not in HOUSEKEEPING]
    measure = next((c for c in data_columns if c.upper() == "OBS_VALUE"), None)
    if measure is None:
        measure = next((c for c in data_columns if c.upper().startswith("OBS_VALUE")), "OBS_VALUE")
    not_kept: list[str] = []  # with a DSD: its other measures and columns it does not define
    if dsd is not None and all(d in data_columns for d in dsd.dimensions):
        time_dim = dsd.time_dimension if dsd.time_dimension in data_columns else ""
        dimensions = [d for d in dsd.dimensions if d != time_dim]
        measures = [m for m in dsd.measures if m in data_columns]
        if measures and measure not in measures:
            measure = measures[0]
        not_kept = [m for m in measures if m != measure]  # sdmx1 keeps one measure per observation
        if not_kept:
            summary["measures_not_kept"] = list(not_kept)
        summary["structure_used"] = dsd.id
        known = {*dsd.dimensions, time_dim, measure, *dsd.attributes}
        custom = [c for c in data_columns if c not in known and c not in not_kept]
        if custom:  # SDMX-CSV 2.0 "custom columns": not components of the structure (sdmx1 ignores them too)
            summary["columns_not_in_structure"] = custom
            not_kept += custom
    else:
        cut = data_columns.index(measure) if measure in data_columns else len(data_columns)
        before = data_columns[:cut]
        time_dim = next((c for c in data_columns if c.upper() in TIME_DIMENSIONS), None)
        if time_dim is None:
            candidates = [c for c in reversed(before) if _looks_like_time(columns[c])]
            candidates += [c for c in reversed(data_columns[cut:]) if _looks_like_time(columns[c])]
            time_dim = candidates[0] if candidates else ""
            if time_dim:
                summary["time_dimension_inferred"] = time_dim
        dimensions = [c for c in before if c != time_dim]
    attributes = [c for c in data_columns if c not in dimensions and c not in (time_dim, measure, *not_kept)]
    kept = [c for c in data_columns if c not in not_kept]
    structure_column = "STRUCTURE_ID" if version == "2.0" else "DATAFLOW"

    def tables() -> Iterator[pa.Table]:
        structure_ids: dict[str, None] = {}
        kinds: dict[str, None] = {}  # SDMX-CSV 2.0 STRUCTURE: dataflow, datastructure or dataprovision
        actions: dict[str, None] = {}
        block, block_columns = first, columns
        while block is not None:
            if structure_column in block_columns:
                _distinct_in_order(structure_ids, block_columns[structure_column])
            if version == "2.0" and "STRUCTURE" in block_columns:
                _distinct_in_order(kinds, block_columns["STRUCTURE"])
            if "ACTION" in block_columns:
                _distinct_in_order(actions, block_columns["ACTION"])
            table = pa.table({c: block_columns[c] for c in kept}) if kept else pa.table({})
            block = block_columns = None
            yield table
            block = next(stream, None)
            if block is not None:
                block_columns, _ = layout.columns(block, labels)
        summary["structure_ids"] = list(structure_ids)[:20]
        summary["structure_kinds"] = [k.lower() for k in kinds] if version == "2.0" else ["dataflow"]
        if any(i.upper() == "ACTION" for i in ids):
            summary["actions"] = sorted(actions)

    comp = Components(
        table=None,
        dimensions=dimensions,
        time_dimension=time_dim,
        measure=measure,
        attributes=attributes,
        blocks=tables(),
        decimal_comma=delimiter != ",",
    )
    return comp, labels, summary


def read_estat_tsv(body: Body) -> tuple[Components, dict]:
    """Eurostat bulk TSV: ``freq,unit,geo\\TIME_PERIOD`` then one column per period, cells ``12.3 e``."""
    line = _first_line(body)
    header = line.split("\t")
    key_part, _, time_name = header[0].partition("\\")
    dimensions = [d.strip() for d in key_part.split(",")]
    periods = [h.strip() for h in header[1:]]
    try:
        raw = _read(body.data, line, "\t", len(header), quoting=False)
    except SDMXParseError as exc:
        raise SDMXParseError(f"{body.name}: {exc}") from exc
    keys = pc.split_pattern(raw["c0"], ",")
    widths = pc.unique(pc.list_value_length(keys)).to_pylist()
    if widths and widths != [len(dimensions)]:
        raise SDMXParseError(f"{body.name}: row keys have {widths} parts but the header names {len(dimensions)}")
    key_columns = {d: pc.utf8_trim_whitespace(pc.list_element(keys, i)) for i, d in enumerate(dimensions)}
    pieces = []
    for j, period in enumerate(periods, start=1):
        if not period:
            continue
        cell = pc.utf8_trim_whitespace(raw[f"c{j}"])
        parts = pc.extract_regex(cell, r"^(?P<v>[^ ]*)\s*(?P<f>.*)$")
        value = pc.struct_field(parts, "v")
        flag = pc.struct_field(parts, "f")
        keep = pc.and_(pc.not_equal(cell, ":"), pc.not_equal(cell, ""))
        piece = {d: c for d, c in key_columns.items()}
        piece["TIME_PERIOD"] = pa.chunked_array([pa.repeat(period, raw.num_rows)])
        piece["OBS_VALUE"] = value
        piece["OBS_FLAG"] = pc.if_else(pc.equal(flag, ""), pa.scalar(None, pa.string()), flag)
        pieces.append(pa.table(piece).filter(keep))
    table = pa.concat_tables(pieces) if pieces else pa.table({d: pa.array([], pa.string()) for d in dimensions})
    comp = Components(
        table=table, dimensions=dimensions, time_dimension="TIME_PERIOD", measure="OBS_VALUE", attributes=["OBS_FLAG"]
    )
    summary = {"time_header": time_name, "periods": len([p for p in periods if p]), "series_rows": raw.num_rows}
    return comp, summary
