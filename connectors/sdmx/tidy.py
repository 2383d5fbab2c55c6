"""The one mapping from "a column per SDMX component" to the store's long table.

Every reader (CSV, TSV, SDMX-ML, SDMX-JSON, and the sdmx1 oracle) ends by building a
:class:`Components` table and calling :func:`to_tidy`, so the rules below hold for every format:

* ``series``: the codes of every non-time dimension, in DSD order, joined with ``.`` (an SDMX key).
* ``ref_area``: the first dimension whose id is in :data:`AREA_DIMENSIONS` (case-insensitive), else ``_Z``.
* ``value``: float; :data:`MISSING_MARKERS` become null and the marker is kept in ``obs_status`` when
  the message carries no explicit status.
* ``unit`` / ``unit_mult`` / ``obs_status``: from :data:`UNIT_COMPONENTS`, ``UNIT_MULT`` and
  :data:`STATUS_COMPONENTS` (dimension or attribute); ``unit_mult`` is recorded, never applied.
* ``dimensions``: JSON of every non-time dimension; ``attributes``: JSON of every other attribute.

* ``time_period``: the period as published; an observation without one (a message with no time
  dimension, or a blank cell) is kept with ``time_period`` "" and null ``year`` / ``freq`` /
  ``period_start`` (see :data:`connectors.store.SCHEMA`), and counted in the notes. sdmx1 reads
  such observations too, and ``observations`` must equal its count.

The JSON columns are built once per distinct series / attribute combination, not once per row.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors import store
from connectors.periods import PeriodError, period_columns
from connectors.sdmx import SDMXParseError

#: Dimension ids that name the country / region, in order of preference.
AREA_DIMENSIONS = (
    "REF_AREA",
    "GEO",
    "COUNTRY",
    "LOCATION",
    "REF_AREA_CODE",
    "GEO_AREA",
    "REPORTING_COUNTRY",
    "ECONOMY",
    "AREA",
    "REGION",
)
TIME_DIMENSIONS = ("TIME_PERIOD", "TIME")
MEASURES = ("OBS_VALUE",)
UNIT_COMPONENTS = ("UNIT_MEASURE", "UNIT", "UNIT_MEAS")
UNIT_MULT_COMPONENTS = ("UNIT_MULT",)
STATUS_COMPONENTS = ("OBS_STATUS", "OBS_FLAG")
#: Published spellings of "no value here".
MISSING_MARKERS = ("", "NaN", "nan", "-", ":", "..", "NA", "n/a", "N/A")
NO_AREA = "_Z"
#: Rows mapped at a time by :func:`to_tidy` (bounds the memory of the intermediate columns).
BATCH_ROWS = 131_072
#: Blocks mapped at the same time (the machines we target have two cores; see :func:`_tidy_blocks`).
MAP_THREADS = 2


@dataclass
class Components:
    """A message flattened to one string column per component, plus what each column is."""

    table: pa.Table | None  # None when the rows come as ``blocks``
    dimensions: list[str]  # non-time dimensions in DSD / series-key order
    time_dimension: str  # "" (or an id absent from ``table``) when the observations have no time period
    measure: str
    attributes: list[str] = field(default_factory=list)
    #: The rows as consecutive tables, for readers that stream (SDMX-CSV): mapped one by one, never whole.
    blocks: Iterator[pa.Table] | None = None
    #: Values may use a decimal comma: only SDMX-CSV whose column delimiter is not "," (the standard's own
    #: example-04 writes ``12,4`` in a ';'-delimited message). Everywhere else ``"1,234"`` is refused.
    decimal_comma: bool = False


@dataclass
class Tidy:
    """What :func:`to_tidy` returns: the store table, notes for the summary, and the number of series."""

    table: pa.Table
    notes: dict
    series_count: int


def _pick(ids: list[str], wanted: tuple[str, ...]) -> str | None:
    by_upper = {i.upper(): i for i in ids}
    for name in wanted:
        if name in by_upper:
            return by_upper[name]
    return None


def area_dimension(dimensions: list[str]) -> str | None:
    return _pick(dimensions, AREA_DIMENSIONS)


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    return column.cast(pa.string())


def _codes_or_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """String-dictionary columns as they are (one value per series, indices per row); others as strings.

    Readers hand over series-level components dictionary-encoded; keeping them so lets
    :func:`_codes` use the indices instead of hashing a million strings, and only the output
    columns that need per-row text are decoded (:func:`_strings`).
    """
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        return column.unify_dictionaries()
    return _strings(column)


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """An empty cell means "not given" in every SDMX format; store it as null, not as ''."""
    if pa.types.is_dictionary(column.type):
        if not column.num_chunks:
            return column
        dictionary = column.chunk(0).dictionary  # shared by every chunk (unified)
        blank = pc.equal(dictionary, "")
        if not pc.any(blank).as_py():
            return column
        cleaned = pc.if_else(blank, pa.scalar(None, pa.string()), dictionary)
        return pa.chunked_array(
            [pa.DictionaryArray.from_arrays(chunk.indices, cleaned) for chunk in column.chunks], column.type
        )
    if column.null_count == len(column):
        return column
    blank = pc.equal(column, "")
    if not pc.any(blank).as_py():
        return column
    return pc.if_else(blank, pa.scalar(None, pa.string()), column)


#: An SDMX number as written in every format (xs:double / xs:decimal without thousands separators).
NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _values(
    column: pa.ChunkedArray, decimal_comma: bool = False
) -> tuple[pa.ChunkedArray, pa.ChunkedArray, pa.ChunkedArray]:
    """Float values; per row, the missing marker that replaced a value (or null); and per row whether
    the value is a problem: text that is neither a number nor a marker, or a non-finite number.

    A problem value becomes null here and is reported by :func:`_tidy_rows` with examples, never
    guessed: ``"1,234"`` could be 1.234 or 1234, so it is not read as either; ``1e999`` is infinity,
    which no statistic survives.
    """
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = column.cast(pa.float64())
        nan = pc.is_nan(values)
        values = pc.if_else(nan, pa.scalar(None, pa.float64()), values)
        bad = pc.fill_null(pc.invert(pc.is_finite(values)), False)
        return pc.if_else(bad, pa.scalar(None, pa.float64()), values), pa.nulls(len(column), pa.string()), bad
    text = pc.utf8_trim_whitespace(_strings(column))
    is_marker = pc.or_kleene(pc.is_in(text, value_set=pa.array(MISSING_MARKERS)), pc.is_null(text))
    is_marker = pc.fill_null(is_marker, True)
    kept = pc.if_else(is_marker, pa.scalar(None, pa.string()), text)
    if decimal_comma:
        kept = pc.replace_substring_regex(kept, r"^([+-]?[0-9]*),([0-9]+)$", r"\1.\2")
    try:  # the usual case: every value casts (Arrow also reads "inf"/"nan", caught as non-finite below)
        values = kept.cast(pa.float64())
        number = pc.is_valid(kept) if kept.null_count else pa.chunked_array([pa.repeat(True, len(kept))])
    except pa.ArrowInvalid:  # some value is text: only then the (slower) pattern decides which
        number = pc.fill_null(pc.match_substring_regex(kept, NUMBER), False)
        kept = pc.if_else(number, kept, pa.scalar(None, pa.string()))
        values = kept.cast(pa.float64())
    finite = pc.fill_null(pc.is_finite(values), True)
    values = pc.if_else(finite, values, pa.scalar(None, pa.float64()))
    bad = pc.and_(pc.invert(is_marker), pc.or_(pc.invert(number), pc.invert(finite)))
    blank = pc.fill_null(pc.equal(text, ""), True)
    marker = pc.if_else(pc.and_(is_marker, pc.invert(blank)), text, pa.scalar(None, pa.string()))
    return values, marker, bad


def _counts(column: pa.ChunkedArray) -> dict[str, int]:
    """How often each non-null value occurs (a few distinct markers per message)."""
    counted = pc.value_counts(column.drop_null()) if column.null_count < len(column) else []
    return {str(item["values"]): int(item["counts"]) for item in counted.to_pylist()} if len(counted) else {}


def _unit_mult(column: pa.ChunkedArray) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(_strings(column))
    distinct = pc.unique(text).to_pylist()
    mapped = []
    for value in distinct:
        try:
            number = int(float(value)) if value not in (None, "") else None
        except ValueError:
            number = None
        mapped.append(number if number is None or -128 <= number <= 127 else None)
    index = pc.index_in(text, value_set=pa.array(distinct, pa.string()))
    return pc.take(pa.array(mapped, pa.int8()), index)


def _json_per_distinct(key: pa.ChunkedArray, columns: dict[str, pa.ChunkedArray]) -> pa.ChunkedArray:
    """One JSON object per row, computed once per distinct ``key`` (first row of each key)."""
    distinct = pc.unique(key)
    first = pc.index_in(distinct, value_set=key)
    picked = {name: pc.take(col, first).to_pylist() for name, col in columns.items()}
    texts = []
    for i in range(len(distinct)):
        mapping = {name: values[i] for name, values in picked.items() if values[i] not in (None, "")}
        texts.append(store.dumps_mapping(mapping))
    return pc.take(pa.array(texts, pa.string()), pc.index_in(key, value_set=distinct))


_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
_NEEDS_ESCAPE = '[\\x00-\\x1f"\\\\]'  # anything JSON writes other than as itself


def _json_objects(columns: dict[str, pa.ChunkedArray], length: int) -> pa.ChunkedArray:
    """Per row, the same text as :func:`connectors.store.dumps_mapping` of the non-null values.

    Built with Arrow string kernels (escape, prefix, join), so a million rows cost no Python per
    row. Values with rare control characters fall back to encoding each distinct row in Python.
    """
    if not columns:
        return pa.chunked_array([pa.nulls(length, pa.string())])
    parts = []
    for key in sorted(columns):
        column = text = columns[key]
        if pc.any(pc.match_substring_regex(column, _NEEDS_ESCAPE)).as_py():  # rare: codes are plain
            if pc.any(pc.match_substring_regex(column, _CONTROL)).as_py():
                return _json_per_distinct(_combined_key(list(columns.values()), length), columns)
            for raw, escaped in _ESCAPES:  # copy the column only when it holds something to escape
                if pc.any(pc.match_substring(text, raw)).as_py():
                    text = pc.replace_substring(text, raw, escaped)
        prefix = "," + json.dumps(key, ensure_ascii=False) + ':"'
        piece = pc.binary_join_element_wise(prefix, text, '"', "")
        parts.append(pc.fill_null(piece, ""))
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    wrapped = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(joined, 1), "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), wrapped)


def _codes(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    """Per row, a dense int64 code of the value (null has its own code); and how many codes there are.

    A (unified) dictionary column is coded through its dictionary: only the dictionary is hashed,
    each row costs one integer lookup.
    """
    if pa.types.is_dictionary(column.type) and column.num_chunks:
        dictionary = column.chunk(0).dictionary
        distinct = pc.dictionary_encode(dictionary, null_encoding="encode")
        size = len(distinct.dictionary)
        per_entry = distinct.indices.cast(pa.int64())
        chunks = [pc.fill_null(pc.take(per_entry, chunk.indices), size) for chunk in column.chunks]
        return pa.chunked_array(chunks, pa.int64()), size + 1
    encoded = pc.dictionary_encode(column, null_encoding="encode").unify_dictionaries()
    size = len(encoded.chunk(0).dictionary) if encoded.num_chunks else 0
    return pa.chunked_array([chunk.indices for chunk in encoded.chunks], pa.int32()).cast(pa.int64()), size


def _combined_codes(columns: list[pa.ChunkedArray]) -> tuple[pa.ChunkedArray | None, int]:
    """One int64 per row identifying its combination of values (mixed radix) and the number of possible
    codes; None when that would overflow.

    Cheaper than joining the strings: each column is hashed once on its own short values.
    """
    combined, radix = None, 1
    for column in columns:
        codes, size = _codes(column)
        size = max(size, 1)
        radix *= size
        if radix >= 1 << 62:
            return None, radix
        combined = codes if combined is None else pc.add(pc.multiply(combined, size), codes)
    return combined, radix


def _distinct_codes(codes: pa.ChunkedArray, radix: int, length: int) -> tuple[pa.ChunkedArray, pa.Array]:
    """:func:`_distinct_rows` for codes below a small ``radix``: direct addressing, no hashing.

    Codes are numbered densely in code order; any row of a combination serves as its representative,
    since every row of a combination has the same values.
    """
    flat = codes.to_numpy()
    present = np.zeros(radix, dtype=bool)
    present[flat] = True
    dense = np.cumsum(present, dtype=np.int64) - 1
    ids = dense[flat]
    representative = np.empty(int(dense[-1]) + 1, dtype=np.int64)
    representative[ids] = np.arange(length, dtype=np.int64)
    return pa.chunked_array([pa.array(ids.astype(np.int32))]), pa.array(representative)


def _distinct_rows(columns: list[pa.ChunkedArray], length: int) -> tuple[pa.ChunkedArray, pa.Array]:
    """Per row, the index of its distinct combination of ``columns``; and one row of each combination.

    Mixed-radix integer codes per row, then direct addressing when the codes are few
    (:func:`_distinct_codes`), else one hash pass over the codes and a group-by, so the
    per-combination work (series keys, JSON texts) runs on thousands of rows instead of millions.
    """
    codes, radix = _combined_codes(columns)
    if codes is not None and radix <= max(4 * length, 1 << 16):
        return _distinct_codes(codes, radix, length)
    key = codes if codes is not None else _combined_key(columns, length)
    encoded = pc.dictionary_encode(key).unify_dictionaries()
    indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks], pa.int32())
    rows = pa.table({"k": indices, "r": pa.arange(0, length)})
    first = rows.group_by("k", use_threads=False).aggregate([("r", "min")]).sort_by("k")["r_min"]
    return indices, first.combine_chunks()


def _json_column(
    columns: dict[str, pa.ChunkedArray], length: int, distinct: tuple[pa.ChunkedArray, pa.Array] | None = None
) -> pa.ChunkedArray:
    """:func:`_json_objects` computed once per distinct combination of values, then spread by index.

    A message repeats the same few thousand dimension / attribute combinations over millions of
    observations; building the text for the distinct ones keeps time and peak memory small.
    ``distinct`` is :func:`_distinct_rows` of ``columns`` when the caller already has it.
    """
    if not columns or length == 0:
        return pa.chunked_array([pa.nulls(length, pa.string())])
    indices, first = distinct or _distinct_rows(list(columns.values()), length)
    texts = _json_objects({name: _strings(pc.take(column, first)) for name, column in columns.items()}, len(first))
    return pc.take(texts, indices)


def _combined_key(columns: list[pa.ChunkedArray], length: int) -> pa.ChunkedArray:
    if not columns:
        return pa.chunked_array([pa.array([""] * length, pa.string())]) if length else pa.chunked_array([], pa.string())
    filled = [pc.fill_null(_strings(c), "\x00") for c in columns]
    if len(filled) == 1:
        return filled[0]
    return pc.binary_join_element_wise(*filled, "\x1f")


def to_tidy(comp: Components, *, source: str, dataset: str, name: str) -> Tidy:
    """Map :class:`Components` to a table conformed to :data:`connectors.store.SCHEMA`.

    Returns the table, notes for the summary (observations without a time period) and the
    number of distinct series keys (counted on each block's distinct keys, not on every row).
    Every rule is row by row, so a large message is mapped :data:`BATCH_ROWS` rows at a time and
    ``comp.table`` is consumed (set to None): each raw batch is freed once its tidy rows exist,
    which keeps the raw and the tidy table from being in memory whole at the same time.
    """
    if comp.blocks is not None:
        return _tidy_blocks(comp, comp.blocks, source=source, dataset=dataset, name=name)
    raw = comp.table
    if raw.num_rows == 0:
        return Tidy(store.SCHEMA.empty_table(), {}, 0)
    if raw.num_rows <= BATCH_ROWS:
        table, notes, keys = _tidy_rows(comp, raw, source=source, dataset=dataset, name=name, constants={})
        return Tidy(table, notes, len(keys))
    batches = raw.to_batches(max_chunksize=BATCH_ROWS)
    comp.table = raw = None

    def tables() -> Iterator[pa.Table]:
        while batches:
            yield pa.Table.from_batches([batches.pop(0)])

    return _tidy_blocks(comp, tables(), source=source, dataset=dataset, name=name)


def _tidy_blocks(comp: Components, blocks: Iterator[pa.Table], *, source: str, dataset: str, name: str) -> Tidy:
    """:func:`_tidy_rows` of each block as it comes, mapped on :data:`MAP_THREADS` threads.

    Arrow's kernels release the interpreter lock, so blocks mapped side by side (and the reader
    decoding the next ones) keep both cores busy. At most :data:`MAP_THREADS` + 1 blocks are
    in flight, in order; each raw block is freed once its tidy rows exist.
    """
    pieces, notes, keys = [], {}, []
    constants: dict[str, pa.Array] = {}  # source / dataset: one buffer shared by every block
    lock = threading.Lock()

    def map_block(raw: pa.Table) -> tuple[pa.Table, dict, pa.Array]:
        return _tidy_rows(comp, raw, source=source, dataset=dataset, name=name, constants=constants, lock=lock)

    def collect(future: Future) -> None:
        piece, piece_notes, piece_keys = future.result()
        pieces.append(piece)
        keys.append(piece_keys)
        pa.default_memory_pool().release_unused()  # hand the block's freed scratch memory back to the OS
        merge_notes(notes, piece_notes)

    pending: deque[Future] = deque()
    try:
        with ThreadPoolExecutor(max_workers=MAP_THREADS, thread_name_prefix="sdmx-map") as pool:
            try:
                for raw in blocks:
                    if not raw.num_rows:
                        continue
                    pending.append(pool.submit(map_block, raw))
                    raw = None
                    while len(pending) > MAP_THREADS:
                        collect(pending.popleft())
                while pending:
                    collect(pending.popleft())
            finally:
                for future in pending:  # a block was refused: drop the rest unmapped
                    future.cancel()
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:  # a streaming reader stops at once, even when a block was refused
            close()
    if not pieces:
        return Tidy(store.SCHEMA.empty_table(), notes, 0)
    chunks = [c for k in keys for c in (k.chunks if isinstance(k, pa.ChunkedArray) else [k])]
    series_count = pc.count_distinct(pa.chunked_array(chunks, pa.string())).as_py()
    return Tidy(pa.concat_tables(pieces), notes, series_count)


def merge_notes(notes: dict, more: dict, examples: int = 5) -> None:
    """Add one block's notes to the message's: counts add up, example lists are kept short, marker
    counts (mappings) add up per marker."""
    for key, value in more.items():
        if isinstance(value, list):
            notes[key] = (notes.get(key, []) + value)[:examples]
        elif isinstance(value, dict):
            known = notes.setdefault(key, {})
            for marker, count in value.items():
                known[marker] = known.get(marker, 0) + count
        else:
            notes[key] = notes.get(key, 0) + value


def _constant(value: str, n: int, constants: dict[str, pa.Array], lock: threading.Lock | None = None) -> pa.Array:
    """``value`` repeated ``n`` times, as a slice of one array kept in ``constants``.

    Every block's ``source`` and ``dataset`` then share one buffer instead of holding a copy each
    (about 35 MB at a million observations); the values are the same.
    """
    with lock or contextlib.nullcontext():
        shared = constants.get(value)
        if shared is None or len(shared) < n:
            shared = constants[value] = pa.repeat(value, max(n, BATCH_ROWS))
    return shared.slice(0, n)


def _tidy_rows(
    comp: Components,
    raw: pa.Table,
    *,
    source: str,
    dataset: str,
    name: str,
    constants: dict[str, pa.Array],
    lock: threading.Lock | None = None,
) -> tuple[pa.Table, dict, pa.Array]:
    """:func:`to_tidy` of the rows in ``raw``, and the distinct series keys among them."""
    notes: dict = {}
    n = raw.num_rows
    if comp.time_dimension and comp.time_dimension in raw.column_names:
        time = pc.fill_null(pc.utf8_trim_whitespace(_strings(raw[comp.time_dimension])), "")
    else:
        time = pa.chunked_array([pa.repeat("", n)])
    timeless = pc.sum(pc.equal(time, "")).as_py() or 0
    if timeless:
        notes["observations_without_time_period"] = timeless
    strings = {c: _blank_to_null(_codes_or_text(raw[c])) for c in raw.column_names if c != comp.measure}

    dims = [d for d in comp.dimensions if d in strings]
    by_series = _distinct_rows([strings[d] for d in dims], n) if dims else None
    if by_series:
        indices, first = by_series
        keys = pc.binary_join_element_wise(*[pc.fill_null(_strings(pc.take(strings[d], first)), "") for d in dims], ".")
        series = pc.take(keys, indices)
    else:
        keys = pa.array([""], pa.string())
        series = pa.chunked_array([pa.repeat("", n)])
    area = area_dimension(dims)
    ref_area = pc.fill_null(_strings(strings[area]), NO_AREA) if area else pa.array([NO_AREA] * n, pa.string())

    if comp.measure in raw.column_names:
        values, marker, bad = _values(raw[comp.measure], comp.decimal_comma)
        problems = pc.sum(bad).as_py() or 0
        if problems:  # reported with where they are; the refresh gate refuses them
            notes["value_problems"] = problems
            flags = bad.combine_chunks() if isinstance(bad, pa.ChunkedArray) else bad
            where = pc.indices_nonzero(flags)[:3]
            raw_text = _strings(raw[comp.measure])
            notes["value_problem_examples"] = [
                f"{raw_text[i].as_py()!r} in column {comp.measure} of series {series[i].as_py() or '(none)'}"
                f" at {time[i].as_py() or '(no period)'}"
                for i in where.to_pylist()
            ]
        markers = _counts(marker)
        if markers:
            notes["missing_markers"] = markers
    else:
        values, marker = pa.nulls(n, pa.float64()), pa.nulls(n, pa.string())
        notes["measure_missing"] = n
    present = list(strings)
    unit_col = _pick(present, UNIT_COMPONENTS)
    mult_col = _pick(present, UNIT_MULT_COMPONENTS)
    status_col = _pick([a for a in comp.attributes if a in strings], STATUS_COMPONENTS)
    status = pc.coalesce(_strings(strings[status_col]), marker) if status_col else marker

    attribute_ids = [a for a in comp.attributes if a in strings and a not in (mult_col, status_col) and a not in dims]
    if unit_col in attribute_ids:
        attribute_ids.remove(unit_col)
    try:
        periods = period_columns(time)
    except PeriodError as exc:
        raise SDMXParseError(f"{name}: {exc}") from exc

    columns = {
        "source": _constant(source, n, constants, lock),
        "dataset": _constant(dataset, n, constants, lock),
        "series": series,
        "ref_area": ref_area,
        "time_period": time,
        "freq": periods["freq"],
        "year": periods["year"],
        "period_start": periods["period_start"],
        "value": values,
        "unit": _strings(strings[unit_col]) if unit_col else pa.nulls(n, pa.string()),
        "unit_mult": _unit_mult(strings[mult_col]) if mult_col else pa.nulls(n, pa.int8()),
        "obs_status": status,
        "dimensions": _json_column({d: strings[d] for d in dims}, n, by_series),
        "attributes": _json_column({a: strings[a] for a in attribute_ids}, n),
    }
    arrays = {k: (v if isinstance(v, pa.ChunkedArray) else pa.chunked_array([v])) for k, v in columns.items()}
    table = pa.table(arrays)
    try:
        return store.conform(table), notes, keys
    except store.StoreError as exc:
        raise SDMXParseError(f"{name}: {exc}") from exc


def parse_json_safe(text: str) -> dict:
    """Read one of our JSON columns back (tests and callers comparing rows)."""
    return json.loads(text) if text else {}
