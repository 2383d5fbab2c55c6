"""Stream SDMX-ML 2.1 / 3.0 data messages (generic and structure-specific) into component columns.

Messages can hold millions of observations, so this reader never builds the tree: lxml
``iterparse`` hands over one element at a time, each finished ``Series`` / ``Obs`` is cleared,
and observations are turned into Arrow columns every :data:`CHUNK` rows. Series, group and
dataset attributes are kept once per series and joined to observations at the end by index.

Which id is a dimension comes from the DSD when one is given (``structure=``); otherwise from the
message: generic messages say it (``SeriesKey`` / ``ObsKey``), structure-specific ones do not, so
every series-level id not in :data:`KNOWN_ATTRIBUTES` is taken to be a dimension.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from itertools import chain
from xml.parsers import expat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from connectors.sdmx import SDMXParseError
from connectors.sdmx.sniff import Body
from connectors.sdmx.structure import DataStructure, local
from connectors.sdmx.tidy import MEASURES, TIME_DIMENSIONS, Components

CHUNK = 65_536
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_TYPE_EXPAT = "http://www.w3.org/2001/XMLSchema-instance}type"  # expat spelling of the same
SERIES_INDEX = "\x00series"
#: Attribute ids from the SDMX cross-domain concepts and common provider DSDs. Only used to tell
#: attributes from dimensions in a structure-specific message read without its DSD.
KNOWN_ATTRIBUTES = frozenset(
    [
        "OBS_STATUS",
        "OBS_FLAG",
        "OBS_CONF",
        "OBS_COM",
        "OBS_PRE_BREAK",
        "CONF_STATUS",
        "CONF_STATUS_OBS",
        "UNIT_MULT",
        "UNIT_MEASURE",
        "UNIT",
        "DECIMALS",
        "TITLE",
        "TITLE_COMPL",
        "COLL_METHOD",
        "COLLECTION",
        "COMPILATION",
        "COMMENT",
        "COMMENT_OBS",
        "COMMENT_TS",
        "SOURCE_AGENCY",
        "SOURCE_PUB",
        "TIME_FORMAT",
        "EMBARGO_TIME",
        "PRE_BREAK_VALUE",
        "BREAKS",
        "DOM_SER_IDS",
        "PUBL_ECB",
        "PUBL_MU",
        "PUBL_PUBLIC",
        "UNIT_INDEX_BASE",
        "NAT_TITLE",
        "BASE_PER",
        "REFERENCE_PERIOD",
        "TIME_PER_COLLECT",
        "UNIT_PRICE_BASE",
        "OBS_NOTE",
        "NOTE",
        "COVERAGE",
        "BASE_YEAR",
        "OBS_EDP_WBB",
    ]
)
DATASET_HOUSEKEEPING = frozenset(
    [
        "structureRef",
        "dataScope",
        "action",
        "setID",
        "validFromDate",
        "validToDate",
        "publicationYear",
        "publicationPeriod",
        "reportingBeginDate",
        "reportingEndDate",
    ]
)
DATA_ROOTS = frozenset(
    {"StructureSpecificData", "StructureSpecificTimeSeriesData", "GenericData", "GenericTimeSeriesData"}
)


@dataclass
class Header:
    structure_id: str = ""  # DSD or dataflow id the message refers to
    structure_kind: str = ""  # "Structure" (DSD) or "StructureUsage" (dataflow)
    agency: str = ""
    dimension_at_observation: str = "TIME_PERIOD"
    explicit_measures: bool = False
    dataset_id: str = ""
    footer: list[dict] = field(default_factory=list)


@dataclass
class _State:
    rows: list[dict] = field(default_factory=list)
    chunks: list[pa.Table] = field(default_factory=list)
    series: list[dict] = field(default_factory=lambda: [{}])  # index 0: observations outside any series
    groups: list[tuple[str, dict]] = field(default_factory=list)
    dataset_attributes: dict = field(default_factory=dict)
    seen_dimensions: dict = field(default_factory=dict)  # ordered set of ids the message says are dimensions
    actions: set[str] = field(default_factory=set)  # DataSet action= (Information, Append, Replace, Delete)
    atts: list[dict] = field(default_factory=list)  # SDMX-ML 3.0 <Atts>: data set or partial-key attributes
    observations: int = 0

    def flush(self) -> None:
        if self.rows:
            self.chunks.append(rows_to_table(self.rows))
            self.rows = []


def rows_to_table(rows: list[dict]) -> pa.Table:
    """Rows with varying keys to a table of string columns, in the order the keys first appear.

    The dicts go to Arrow in one struct conversion (C++ reads each dict once; a missing key is
    null), then the struct is split into columns: several times faster than
    ``Table.from_pylist``, which matters at a million observations.
    """
    names = list(dict.fromkeys(chain.from_iterable(rows)))
    fields = [pa.field(n, pa.int32() if n == SERIES_INDEX else pa.string()) for n in names]
    return pa.Table.from_arrays(pa.array(rows, pa.struct(fields)).flatten(), schema=pa.schema(fields))


def _urn_id(text: str) -> tuple[str, str]:
    """(agency, id) from ``urn:...Dataflow=ECB:EXR(1.0)``."""
    tail = text.strip().rsplit("=", 1)[-1]
    agency, _, rest = tail.partition(":")
    return agency, rest.split("(", 1)[0]


def _header(element: etree._Element, header: Header) -> None:
    for child in element.iter():
        tag = local(child.tag)
        if tag == "Structure" and child.get("dimensionAtObservation"):
            header.dimension_at_observation = child.get("dimensionAtObservation")
            header.explicit_measures = child.get("explicitMeasures") == "true"
        elif tag in ("Structure", "StructureUsage") and local(child.getparent().tag) == "Structure":
            ref = next((r for r in child if local(r.tag) == "Ref"), None)
            urn = next((r.text for r in child if local(r.tag) == "URN" and r.text), None) or child.text or ""
            if ref is not None:
                header.structure_id, header.agency = ref.get("id", ""), ref.get("agencyID", "")
            elif urn.strip().startswith("urn:"):  # 2.1: <Structure><URN>urn:...</URN>; 3.0: the URN as text
                header.agency, header.structure_id = _urn_id(urn)
            header.structure_kind = tag
        elif tag == "DataSetID":
            header.dataset_id = (child.text or "").strip()


def read_header(body: Body) -> Header:
    """Only the ``<Header>`` of a message (stops parsing there): which structure and agency it names."""
    header = Header()
    events = etree.iterparse(
        io.BytesIO(body.data), events=("end",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _, element in events:
            if local(element.tag) == "Header":
                _header(element, header)
                break
    except etree.XMLSyntaxError as exc:
        raise SDMXParseError(f"{body.name}: malformed or truncated XML ({exc.msg})") from exc
    return header


def _footer(element: etree._Element) -> list[dict]:
    messages = []
    for message in element.iter():
        if local(message.tag) == "Message":
            texts = [(t.text or "").strip() for t in message.iter() if local(t.tag) == "Text"]
            messages.append({"code": message.get("code", ""), "severity": message.get("severity", ""), "text": texts})
    return messages


def _plain(attrib) -> dict:
    """Unqualified XML attributes: in structure-specific messages these are the SDMX components."""
    return {k: v for k, v in attrib.items() if k[0] != "{"}


def _values_of(element: etree._Element) -> dict:
    return {v.get("id"): v.get("value") for v in element if v.get("id") is not None}


def _generic_obs(element: etree._Element, state: _State, dim_at_obs: str) -> dict:
    row: dict = {}
    for child in element:
        tag = local(child.tag)
        if tag == "ObsDimension":
            key = child.get("id") or dim_at_obs
            row[key] = child.get("value")
            state.seen_dimensions.setdefault(key, None)
        elif tag == "ObsKey":
            values = _values_of(child)
            row.update(values)
            for key in values:
                state.seen_dimensions.setdefault(key, None)
        elif tag == "ObsValue":
            row[child.get("id") or "OBS_VALUE"] = child.get("value")
        elif tag == "Attributes":
            row.update(_values_of(child))
    return row


#: The only elements the reader reacts to; lxml filters the rest in C, which is most of the speed.
EVENT_TAGS = [
    f"{{*}}{name}"
    for name in (
        *sorted(DATA_ROOTS),
        "Header",
        "Footer",
        "DataSet",
        "Series",
        "Obs",
        "Group",
        "SeriesKey",
        "Attributes",
    )
]
TRIM_EVERY = 1024  # drop finished observations from the tree every this many


def _drop_finished(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _expat_error(body: Body, exc: expat.ExpatError) -> SDMXParseError:
    text = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
    return SDMXParseError(f"{body.name}: malformed or truncated XML ({text}, line {exc.lineno})")


def stream_structure_specific(body: Body, root_name: str) -> tuple[_State, Header, str] | None:
    """:func:`stream` for structure-specific messages, on expat: no element objects at all.

    Everything a structure-specific message says sits in XML attributes (``DataSet``, ``Series``,
    ``Group``, ``Obs``), so start-tag callbacks suffice and each observation costs one dict, which
    is several times faster than lxml ``iterparse`` at a million observations. The ``Header`` and a
    rare ``Footer`` are read with lxml (:func:`read_header`, :func:`_footer`), as in :func:`stream`.
    Returns None for an encoding expat cannot decode; :func:`stream` then uses lxml.
    """
    header = read_header(body)
    state = _State()
    dim_at_obs = header.dimension_at_observation
    explicit = header.explicit_measures
    series = state.series
    seen = state.seen_dimensions
    current = 1  # observations before any Series (flat messages) point at the series appended last
    footer = False
    # Which series each observation belongs to is kept as runs, not per observation: run k starts at
    # observation run_starts[k] and belongs to series run_series[k] (a new run at every <Series>).
    run_starts, run_series = [0], [current]
    rows: list[dict] = []
    append = rows.append

    def flush() -> None:
        nonlocal rows, append
        if not rows:
            return
        first = state.observations
        positions = np.arange(first, first + len(rows))
        runs = np.searchsorted(np.asarray(run_starts), positions, side="right") - 1
        index = pa.array(np.asarray(run_series, dtype=np.int32)[runs])
        table = rows_to_table(rows)  # no columns at all when no observation has an attribute
        state.chunks.append(
            table.append_column(SERIES_INDEX, index) if table.num_columns else pa.table({SERIES_INDEX: index})
        )
        state.observations += len(rows)
        rows = []
        append = rows.append

    # SDMX-ML 3.0: a component that cannot be an XML attribute (repeated or multilingual values) is a
    # <Comp id=".."><Value>..</Value></Comp> child of the Series, Group, Atts or Obs it belongs to.
    container: dict = state.dataset_attributes  # the Series / Group / Atts being read, and the
    container_at = 0  # observation count when it started: an Obs after that owns a following <Comp>
    comp = _Comp()

    def start(name: str, attrs: dict) -> None:
        nonlocal footer, current, container, container_at
        if name == "Obs":  # the hot path: a million times in a large message
            if len(rows) >= CHUNK:  # before, not after, appending: the last Obs stays open for its <Comp>s
                flush()
            if explicit and dim_at_obs not in attrs:  # measure dimension given as xsi:type
                attrs[dim_at_obs] = attrs.get(XSI_TYPE_EXPAT, "").rsplit(":", 1)[-1]
            append(attrs)
            return
        tag = name.rsplit("}", 1)[-1]
        if tag == "Series":
            values = {k: v for k, v in attrs.items() if "}" not in k}
            series.append(values)
            current = len(series) - 1
            run_starts.append(state.observations + len(rows))
            run_series.append(current)
            container, container_at = values, state.observations + len(rows)
            for key in values:
                seen.setdefault(key, None)
        elif tag == "Group":
            group_type = attrs.get(XSI_TYPE_EXPAT, "")
            values = {k: v for k, v in attrs.items() if "}" not in k}
            state.groups.append((group_type.rsplit(":", 1)[-1], values))
            container, container_at = values, state.observations + len(rows)
        elif tag == "Atts":  # 3.0: attributes for the data set or a partial key
            values = {k: v for k, v in attrs.items() if "}" not in k}
            state.atts.append(values)
            container, container_at = values, state.observations + len(rows)
        elif tag == "Comp":
            owner = rows[-1] if state.observations + len(rows) > container_at and rows else container
            comp.open(owner, attrs.get("id", ""))
            parser.CharacterDataHandler = comp.text
            parser.EndElementHandler = comp.end
        elif tag == "Value" and comp.owner is not None:
            comp.value(attrs.get(XML_LANG_EXPAT))
        elif tag == "DataSet":
            if "action" in attrs:
                state.actions.add(attrs["action"])
            state.dataset_attributes.update(
                {k: v for k, v in attrs.items() if "}" not in k and k not in DATASET_HOUSEKEEPING}
            )
        elif tag == "Footer":
            footer = True

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = _refuse_doctype  # second line behind sniff.refuse_unsafe_xml
    parser.EntityDeclHandler = _refuse_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(body.data, True)
    except _Doctype:
        raise SDMXParseError(f"{body.name}: refusing XML with a DOCTYPE or entity declaration") from None
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]:
            return None  # an encoding expat lacks (e.g. windows-1252): lxml reads it
        raise _expat_error(body, exc) from exc
    if footer:
        header.footer = _read_footer(body)
    flush()
    if len(series) == 1:  # flat message: observations point at a series that never came
        series.append({})
    return state, header, root_name


XML_LANG_EXPAT = "http://www.w3.org/XML/1998/namespace}lang"


class _Comp:
    """Collects one SDMX-ML 3.0 ``<Comp>``: its ``<Value>`` texts, then sets ``owner[id]``.

    Several values (a repeated attribute) are joined with ``"; "``; multilingual texts keep the
    English one, else the first. A measure given this way with several values is therefore not a
    number, and the refresh gate refuses it rather than store one of them.
    """

    def __init__(self) -> None:
        self.owner: dict | None = None
        self.id = ""
        self.values: list[tuple[str | None, list[str]]] = []

    def open(self, owner: dict, ident: str) -> None:
        self.owner, self.id, self.values = owner, ident, []

    def value(self, lang: str | None) -> None:
        self.values.append((lang, []))

    def text(self, data: str) -> None:
        if self.owner is not None and self.values:
            self.values[-1][1].append(data)

    def end(self, name: str) -> None:
        if name.rsplit("}", 1)[-1] != "Comp" or self.owner is None:
            return
        texts = [(lang, "".join(parts).strip()) for lang, parts in self.values]
        english = [text for lang, text in texts if lang and lang.lower().startswith("en")]
        if english:
            joined = english[0]
        elif any(lang for lang, _ in texts):
            joined = texts[0][1]
        else:
            joined = "; ".join(text for _, text in texts)
        if self.id:
            self.owner[self.id] = joined
        self.owner, self.values = None, []


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args) -> None:
    raise _Doctype


def _read_footer(body: Body) -> list[dict]:
    events = etree.iterparse(
        io.BytesIO(body.data), events=("end",), tag="{*}Footer", resolve_entities=False, no_network=True, load_dtd=False
    )
    for _, element in events:
        return _footer(element)
    return []


def stream(body: Body, root_name: str) -> tuple[_State, Header, str]:
    """Run ``iterparse`` (end events only) and collect observations, series, groups and header.

    ``root_name`` is the root element's local name, as the dispatcher found it (:class:`~connectors.sdmx.sniff.Sniffed`).
    A structure-specific observation ends before its ``Series`` does, so it is tagged with the
    index the series *will* get (``len(series)``); the series' attributes are stored when it ends.
    """
    if root_name.startswith("StructureSpecific"):
        streamed = stream_structure_specific(body, root_name)
        if streamed is not None:
            return streamed
    header = Header()
    state = _State()
    generic = root_name.startswith("Generic")
    current = 0  # generic: index of the series being read (set at its SeriesKey)
    events = etree.iterparse(
        io.BytesIO(body.data),
        events=("end",),
        tag=EVENT_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    explicit = False
    dim_at_obs = "TIME_PERIOD"
    rows = state.rows
    append = rows.append
    series = state.series
    try:
        for _, element in events:
            tag = element.tag
            if tag == "Obs":  # structure-specific observation: the hot path
                row = dict(element.attrib)
                if explicit and dim_at_obs not in row:  # measure dimension given as xsi:type
                    row[dim_at_obs] = element.get(XSI_TYPE, "").rsplit(":", 1)[-1]
                row[SERIES_INDEX] = len(series)
                append(row)
                element.clear()
                if len(rows) % TRIM_EVERY == 0:
                    _drop_finished(element)
                    if len(rows) >= CHUNK:
                        state.observations += len(rows)
                        state.flush()
                        rows = state.rows
                        append = rows.append
                continue
            name = tag.rsplit("}", 1)[-1] if tag[0] == "{" else tag
            if name == "Obs":  # generic observation
                row = _generic_obs(element, state, dim_at_obs)
                row[SERIES_INDEX] = current
                append(row)
                element.clear()
                _drop_finished(element)
                if len(rows) >= CHUNK:
                    state.observations += len(rows)
                    state.flush()
                    rows = state.rows
                    append = rows.append
            elif name == "Series":
                if not generic:
                    values = _plain(element.attrib)
                    series.append(values)
                    for key in values:
                        state.seen_dimensions.setdefault(key, None)
                current = 0
                element.clear()
                _drop_finished(element)
            elif generic and name == "SeriesKey":
                values = _values_of(element)
                series.append(values)
                current = len(series) - 1
                for key in values:
                    state.seen_dimensions.setdefault(key, None)
            elif generic and name == "Attributes" and local(element.getparent().tag) == "Series":
                series[current].update(_values_of(element))
            elif generic and name == "Attributes" and local(element.getparent().tag) == "DataSet":
                state.dataset_attributes.update(_values_of(element))
            elif name == "DataSet":
                if element.get("action"):
                    state.actions.add(element.get("action"))
                if not generic:
                    state.dataset_attributes.update(
                        {k: v for k, v in _plain(element.attrib).items() if k not in DATASET_HOUSEKEEPING}
                    )
            elif name == "Group":
                if generic:
                    key = next((_values_of(c) for c in element if local(c.tag) == "GroupKey"), {})
                    attrs = next((_values_of(c) for c in element if local(c.tag) == "Attributes"), {})
                    state.groups.append((element.get("type", ""), {**key, "\x00key": list(key)} | attrs))
                else:
                    group_type = element.get(XSI_TYPE, "")
                    state.groups.append((group_type.rsplit(":", 1)[-1], _plain(element.attrib)))
                element.clear()
            elif name == "Header":
                _header(element, header)
                dim_at_obs = header.dimension_at_observation
                explicit = header.explicit_measures
                element.clear()
            elif name == "Footer":
                header.footer = _footer(element)
    except etree.XMLSyntaxError as exc:
        raise SDMXParseError(f"{body.name}: malformed or truncated XML ({exc.msg})") from exc
    state.observations += len(state.rows)
    state.flush()
    if not generic and len(series) == 1:  # flat message: observations point at a series that never came
        series.append({})
    return state, header, root_name


def _apply_groups(table: pa.Table, state: _State, dsd: DataStructure | None, dimension_ids: set[str]) -> pa.Table:
    """Join each group's attributes onto every observation whose key matches the group's key.

    Done on the finished table (not per series) because in flat and cross-sectional messages
    part of the group key sits on the observations.
    """
    by_type: dict[tuple[str, tuple[str, ...]], dict[tuple, dict]] = {}
    for group_type, values in state.groups:
        if "\x00key" in values:  # generic: the message says which ids form the key
            key_ids = tuple(values["\x00key"])
        elif dsd is not None and group_type in dsd.groups:
            key_ids = tuple(dsd.groups[group_type])
        else:
            key_ids = tuple(k for k in values if k in dimension_ids)
        attrs = {k: v for k, v in values.items() if k not in key_ids and k != "\x00key"}
        by_type.setdefault((group_type, key_ids), {})[tuple(values.get(k) for k in key_ids)] = attrs
    for (_, key_ids), lookup in by_type.items():
        if not key_ids or not all(k in table.column_names for k in key_ids):
            continue
        rows = [dict(zip(key_ids, key, strict=True)) | attrs for key, attrs in lookup.items()]
        groups = rows_to_table(rows)
        renamed = {c: c + "\x00group" for c in groups.column_names if c not in key_ids}
        groups = groups.rename_columns([renamed.get(c, c) for c in groups.column_names])
        table = table.join(groups, keys=list(key_ids), join_type="left outer", use_threads=False)
        for name, temporary in renamed.items():
            column = table[temporary]
            if name in table.column_names:
                column = pc.coalesce(table[name], column)
                table = table.set_column(table.column_names.index(name), name, column)
            else:
                table = table.append_column(name, column)
            table = table.drop_columns([temporary])
    return table


def _groups_on_series(series_table: pa.Table, state: _State, dsd: DataStructure | None, dims: set[str]) -> pa.Table:
    """:func:`_apply_groups` on the series table, keeping its row order (row i is series index i)."""
    row = "\x00row"
    table = series_table.append_column(row, pa.arange(0, series_table.num_rows))
    return _apply_groups(table, state, dsd, dims).sort_by(row).drop_columns([row])


def _spread(column: pa.ChunkedArray, index: pa.ChunkedArray) -> pa.ChunkedArray:
    """A per-series column as a per-observation dictionary column (no string copied per observation)."""
    dictionary = column.combine_chunks()
    if not pa.types.is_string(dictionary.type):
        return pc.take(column, index)
    return pa.chunked_array(
        [pa.DictionaryArray.from_arrays(chunk, dictionary) for chunk in index.chunks],
        pa.dictionary(index.type, dictionary.type),
    )


def read_xml_data(body: Body, root_name: str, dsd_lookup) -> tuple[Components, Header, dict]:
    """Parse one SDMX-ML data message whose root element is ``root_name``. ``dsd_lookup(structure_id)``
    returns a DSD or None."""
    state, header, root_name = stream(body, root_name)
    if root_name not in DATA_ROOTS:
        raise SDMXParseError(f"{body.name}: <{root_name}> is not an SDMX-ML data message")
    dsd: DataStructure | None = dsd_lookup(header.structure_id) if dsd_lookup else None
    generic = root_name.startswith("Generic")

    obs = pa.concat_tables(state.chunks, promote_options="default") if state.chunks else pa.table({SERIES_INDEX: []})
    qualified = [c for c in obs.column_names if "}" in c]  # xsi:type and other non-SDMX attributes
    if qualified:
        obs = obs.drop_columns(qualified)
    for values in state.atts:  # 3.0 <Atts>: with dimension codes a partial key (a group), else data set level
        if any(k in state.seen_dimensions or (dsd is not None and k in dsd.dimensions) for k in values):
            state.groups.append(("", values))
        else:
            state.dataset_attributes.update(values)
    for series in state.series:
        for k, v in state.dataset_attributes.items():
            series.setdefault(k, v)

    # Which ids are dimensions: DSD first, else what the message says / our list of known attributes.
    present = list(dict.fromkeys([*obs.column_names, *(k for s in state.series for k in s)]))
    present = [c for c in present if c != SERIES_INDEX]
    time_dim = _time_dimension(dsd, header, present)
    measure = next((m for m in (dsd.measures if dsd else []) if m in present), None) or _pick_measure(present)
    notes: dict = {}
    if dsd is not None and dsd.dimensions and all(d in present for d in dsd.dimensions if d != time_dim):
        dimensions = [d for d in dsd.dimensions if d != time_dim]
    else:
        if dsd is not None:
            notes["structure_mismatch"] = f"DSD {dsd.id} dimensions {dsd.dimensions} do not match the message"
        seen = list(state.seen_dimensions)
        if not generic:
            seen += [c for c in obs.column_names if c != SERIES_INDEX and c not in state.seen_dimensions]
            seen = [k for k in seen if k not in KNOWN_ATTRIBUTES]
        dimensions = [d for d in seen if d not in (time_dim, measure)]

    series_table = rows_to_table(state.series) if any(state.series) else None
    # Observations that carry no dimension but time: every group key sits on the series, so group
    # attributes are joined onto the (few) series instead of the (many) observations, and
    # series-level columns stay dictionary-encoded (one copy per series, not per observation).
    series_level = series_table is not None and not (set(obs.column_names) & (set(dimensions) - {time_dim}))
    if series_level and state.groups:
        series_table = _groups_on_series(series_table, state, dsd, set(dimensions))
    columns: dict[str, pa.ChunkedArray] = {}
    if series_table is not None and obs.num_rows:
        index = obs[SERIES_INDEX]
        for name in series_table.column_names:
            if name not in obs.column_names:
                columns[name] = (
                    _spread(series_table[name], index) if series_level else pc.take(series_table[name], index)
                )
    for name in obs.column_names:
        if name == SERIES_INDEX:
            continue
        columns[name] = obs[name]
        if series_table is not None and name in series_table.column_names and obs.num_rows:
            columns[name] = pc.coalesce(obs[name], pc.take(series_table[name], obs[SERIES_INDEX]))
    table = pa.table(columns) if columns else pa.table({})
    if state.groups and table.num_rows and not series_level:
        table = _apply_groups(table, state, dsd, set(dimensions))
    attributes = [c for c in table.column_names if c not in dimensions and c not in (time_dim, measure)]
    summary = {
        "message": root_name,
        "structure_id": header.structure_id,
        "structure_kind": header.structure_kind,
        "agency": header.agency,
        "dimension_at_observation": header.dimension_at_observation,
        "structure_used": dsd.id if dsd is not None and "structure_mismatch" not in notes else None,
        **notes,
    }
    if header.dataset_id:
        summary["dataset_id"] = header.dataset_id
    if state.actions:  # e.g. "Delete": its observations are kept, as missing values (see README)
        summary["actions"] = sorted(state.actions)
    if header.footer:
        summary["footer"] = header.footer
    comp = Components(
        table=table, dimensions=dimensions, time_dimension=time_dim, measure=measure, attributes=attributes
    )
    return comp, header, summary


def _time_dimension(dsd: DataStructure | None, header: Header, present: list[str]) -> str:
    if dsd is not None and dsd.time_dimension in present:
        return dsd.time_dimension
    for name in TIME_DIMENSIONS:
        if name in present:
            return name
    return dsd.time_dimension if dsd is not None else "TIME_PERIOD"


def _pick_measure(present: list[str]) -> str:
    for name in MEASURES:
        if name in present:
            return name
    return "OBS_VALUE"
