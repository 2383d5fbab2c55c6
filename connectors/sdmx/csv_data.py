"""Read SDMX-CSV 1.0 / 2.0 and Eurostat TSV with pyarrow's CSV reader (millions of rows per second).

Only the header line is read in Python: it decides the delimiter, which columns are structural
(``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION`` ...), which are labels (``STRUCTURE_NAME`` present
means code/label column pairs; ``ID: Name`` headers mean ``code: label`` values), and which are
dimensions. Without a DSD, SDMX-CSV's own rule is used: dimensions come before the measure
column, attributes after it. When no ``TIME_PERIOD``/``TIME`` column exists the time dimension is
the last dimension column whose values all read as SDMX periods; when none does (deletions,
cross-sections) the observations have no time period.
"""

from __future__ import annotations

import csv
import io
import re

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


def _first_line(data: bytes) -> str:
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)]
    return line.decode("utf-8-sig", errors="replace").rstrip("\r")


def _read(
    data: bytes,
    header_line: str,
    delimiter: str,
    width: int,
    quoting: bool = True,
    path: str = "",
    repetitive: frozenset[int] = frozenset(),
) -> pa.Table:
    """All rows as string columns ``c0..``; from ``path`` when given (same bytes as ``data``, read in blocks).

    Columns at ``repetitive`` positions (``STRUCTURE_ID`` and the like: one value on every row) are
    read dictionary-encoded, which at a million rows saves tens of MB for columns only summarised.
    """
    names = [f"c{i}" for i in range(width)]
    types = {n: pa.dictionary(pa.int32(), pa.string()) if i in repetitive else pa.string() for i, n in enumerate(names)}
    has_quotes = quoting and b'"' in data
    try:
        return pacsv.read_csv(
            path or io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"' if quoting else False, newlines_in_values=has_quotes
            ),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
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
    line = _first_line(body.data)
    lead = _LEAD.match(line)
    if not lead:
        raise SDMXParseError(f"{body.name}: not SDMX-CSV (header must start with STRUCTURE or DATAFLOW)")
    delimiter = lead.group(3)
    head = body.data[: 1 << 16].decode("utf-8-sig", errors="replace").splitlines()
    if len(body.data) > 1 << 16:
        head = head[:-1]  # the last line may be cut
    rows = csv.reader(head, delimiter=delimiter)
    header = [re.sub(r"\[[^\]]*\]$", "", h.split(": ", 1)[0].strip()).upper() for h in next(rows)]
    column = header.index("STRUCTURE_ID" if lead.group(1).upper() == "STRUCTURE" else "DATAFLOW")
    for row in rows:
        if len(row) > column and row[column]:
            return delimiter, row[column]
    return delimiter, ""


def read_sdmx_csv(body: Body, dsd: DataStructure | None) -> tuple[Components, dict, dict]:
    """Parse SDMX-CSV 1.0 or 2.0; return components, labels and a summary."""
    line = _first_line(body.data)
    lead = _LEAD.match(line)
    if not lead:
        raise SDMXParseError(f"{body.name}: not SDMX-CSV (header must start with STRUCTURE or DATAFLOW)")
    version = "2.0" if lead.group(1).upper() == "STRUCTURE" else "1.0"
    delimiter = lead.group(3)
    header = next(csv.reader([line], delimiter=delimiter))
    path = body.path
    if path:  # read the file in blocks: the whole message need not stay in memory next to its columns
        quoted = b'"' in body.data
        body.data = b""  # only the name is used from here on
        data = b'"' if quoted else b""  # all _read needs to know from the bytes
    else:
        data = body.data
    ids, header_has_label = [], []
    for field in header:
        base = re.sub(r"\[[^\]]*\]$", "", field.split(": ", 1)[0].strip())
        ids.append(base)
        header_has_label.append(": " in field)
    structural = frozenset(i for i, cid in enumerate(ids) if cid.upper() in REPETITIVE)
    try:
        raw = _read(data, line, delimiter, len(header), path=path, repetitive=structural)
    except SDMXParseError as exc:
        raise SDMXParseError(f"{body.name}: {exc}") from exc
    labelled_pairs = "STRUCTURE_NAME" in [i.upper() for i in ids]

    columns: dict[str, pa.ChunkedArray] = {}
    labels: dict[str, dict[str, str]] = {}
    order: list[str] = []
    i = 0
    while i < len(ids):
        cid, column = ids[i], raw[f"c{i}"]
        if cid.upper() in STRUCTURAL:
            columns[cid.upper()] = column
            i += 1
            continue
        if labelled_pairs and i + 1 < len(ids):
            pair = _pairs(column, raw[f"c{i + 1}"])
            if pair:
                labels[cid] = pair
            columns[cid] = column
            order.append(cid)
            i += 2
            continue
        if header_has_label[i] and cid.upper() not in ("OBS_VALUE",):
            code, label = _split_label(column)
            pair = _pairs(code, label)
            if pair:
                labels[cid] = pair
            column = code
        columns[cid] = column
        order.append(cid)
        i += 1

    structure_column = "STRUCTURE_ID" if version == "2.0" else "DATAFLOW"
    structure_ids = []
    if structure_column in columns:
        structure_ids = [s for s in pc.unique(columns[structure_column]).to_pylist() if s]
    summary = {"sdmx_csv": version, "structure_ids": structure_ids[:20], "delimiter": delimiter}
    if "ACTION" in columns:
        summary["actions"] = sorted(a for a in pc.unique(columns["ACTION"]).to_pylist() if a)

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
    table = pa.table({c: columns[c] for c in data_columns if c not in not_kept})
    comp = Components(
        table=table, dimensions=dimensions, time_dimension=time_dim, measure=measure, attributes=attributes
    )
    return comp, labels, summary


def read_estat_tsv(body: Body) -> tuple[Components, dict]:
    """Eurostat bulk TSV: ``freq,unit,geo\\TIME_PERIOD`` then one column per period, cells ``12.3 e``."""
    line = _first_line(body.data)
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
