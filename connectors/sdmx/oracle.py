"""The reference reader: sdmx1 ``read_sdmx`` + ``to_pandas``, mapped into the same tidy table.

It is the fallback for what the fast path does not cover and the oracle the tests hold the
fast path to. It is slow (about 8,000 observations/s) and memory-hungry, so nothing calls it
on the hot path. ``sdmx`` is imported here, inside functions, because importing it costs 0.6 s.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager

import pyarrow as pa

from connectors.sdmx import SDMXParseError
from connectors.sdmx.sniff import Body
from connectors.sdmx.tidy import TIME_DIMENSIONS, Components


def _source(body: Body):
    return io.BytesIO(body.data)


@contextmanager
def _isolated_sdmx1():
    """Undo sdmx1's process-wide parser registrations after each read.

    sdmx1 2.28 registers handlers for every namespace a structure-specific message declares on a
    class-level table and never removes them; a later, unrelated message then fails with
    ``ValueError: urn:...ObsLevelDim:...``. Restoring the table keeps reads independent.
    """
    from sdmx.reader.xml import v21, v30

    saved = {cls: dict(cls.parser) for cls in (v21.Reader, v30.Reader)}
    try:
        yield
    finally:
        for cls, table in saved.items():
            cls.parser.clear()
            cls.parser.update(table)


def read_structure_object(structure: Body, structure_id: str = ""):
    """The sdmx1 DSD object in a structure message (by id, via a dataflow, or the only one)."""
    import sdmx

    try:
        with _isolated_sdmx1():
            message = sdmx.read_sdmx(_source(structure))
    except Exception as exc:  # sdmx1 raises many kinds of errors; report them as one
        raise SDMXParseError(f"{structure.name}: sdmx1 cannot read this structure message ({exc})") from exc
    dsds = dict(getattr(message, "structure", {}) or {})
    flows = dict(getattr(message, "dataflow", {}) or {})
    if structure_id in dsds:
        return dsds[structure_id]
    if structure_id in flows and flows[structure_id].structure is not None:
        return flows[structure_id].structure
    if dsds:
        return next(iter(dsds.values()))
    raise SDMXParseError(f"{structure.name}: no data structure definition in this structure message")


def _time_dimension(message, structure, dims: list[str]) -> str:
    """The DSD's ``TimeDimension`` among ``dims``, else a conventional time id, else "" (none)."""
    from sdmx.model.common import TimeDimension

    candidates = [structure, getattr(message, "structure", None)]
    candidates += [getattr(d, "structured_by", None) for d in message.data]
    for dsd in candidates:
        for component in getattr(getattr(dsd, "dimensions", None), "components", None) or []:
            if isinstance(component, TimeDimension) and component.id in dims:
                return component.id
    return next((d for d in dims if d in TIME_DIMENSIONS), "")


def read_with_sdmx1(
    body: Body, structure: Body | None, structure_id: str = "", kind: str = "xml", **options
) -> tuple[str, Components | None, dict]:
    """Return ("data", components, summary) or ("structure", None, summary).

    ``options`` go to ``sdmx.read_sdmx`` (SDMX-CSV: ``delimiter``).
    """
    import sdmx

    logging.getLogger("sdmx").setLevel(logging.ERROR)
    kwargs = {}
    if structure is not None:
        kwargs["structure"] = read_structure_object(structure, structure_id)
    try:
        with _isolated_sdmx1():
            message = sdmx.read_sdmx(_source(body), format=kind.upper(), **kwargs, **options)
    except Exception as exc:
        raise SDMXParseError(f"{body.name}: sdmx1 cannot read this message ({type(exc).__name__}: {exc})") from exc
    kind = type(message).__name__
    if kind != "DataMessage":
        return "structure", None, {"message": kind}
    frames = []
    dims: list[str] = []
    for dataset in message.data:
        if not dataset.obs:
            continue
        frame = sdmx.to_pandas(dataset, attributes="dsgo", dtype=None)
        if not hasattr(frame, "columns"):
            frame = frame.to_frame("value")
        names = [n for n in frame.index.names if n is not None]
        dims = dims or names
        frames.append(frame.reset_index())
    summary = {"message": kind, "datasets": len(message.data)}
    if message.footer is not None:  # sdmx1 keeps one footer: a code, a severity and its texts
        footer = message.footer
        summary["footer"] = [
            {
                "code": "" if footer.code is None else str(footer.code),
                "severity": str(footer.severity or ""),
                "text": [str(t) for t in footer.text],
            }
        ]
    if not frames:
        table = pa.table({})
    else:
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        frame = frame.astype(object).where(frame.notna(), None)
        table = pa.Table.from_pandas(frame.astype(str).where(frame.notna(), None), preserve_index=False)
    time_dim = _time_dimension(message, kwargs.get("structure"), dims)
    dimensions = [d for d in dims if d != time_dim]
    attributes = [c for c in table.column_names if c not in dims and c != "value"]
    return "data", Components(table, dimensions, time_dim, "value", attributes), summary
