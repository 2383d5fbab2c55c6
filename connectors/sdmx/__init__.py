"""Turn any SDMX message (SDMX-ML, SDMX-JSON, SDMX-CSV, Eurostat TSV) into the one tidy store table.

This package is the only place that knows SDMX wire formats. Callers (the refresh command, the
snapshot builder, the ``parse`` command) hand it bytes or a path and get back a
:class:`ParsedMessage` whose ``table`` already matches :data:`connectors.store.SCHEMA`.

Two engines produce the same table: a fast streaming path (pyarrow CSV, lxml ``iterparse``,
``json``) and the sdmx1 reference reader, used as fallback and as the test oracle.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import pyarrow as pa

ENGINES = ("auto", "fast", "sdmx1")


class SDMXParseError(Exception):
    """A message could not be read; the text says what, which file/source, and why, on one line."""

    def __init__(self, message: str = "", *args) -> None:
        # Parser messages quoted inside (lxml, expat, pyarrow) may carry line breaks: always one line.
        super().__init__(" ".join(str(message).split()), *args)


@dataclass
class ParsedMessage:
    """One parsed message: the tidy observations (data) or a summary of what it defines (structure)."""

    kind: str  # "data" or "structure"
    table: pa.Table | None  # conformed to connectors.store.SCHEMA for data; None for structure
    dimensions: list[str] = field(default_factory=list)  # dimension ids in DSD / series-key order
    series_count: int = 0
    observations: int = 0
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # codelist/dimension id -> code -> label
    summary: dict = field(default_factory=dict)
    format: str = ""


def parse_message(
    message: bytes | str | pathlib.Path,
    *,
    structure: bytes | str | pathlib.Path | None = None,
    source: str = "",
    dataset: str = "",
    expect_dataflow: str | None = None,
    expect_structure: str | None = None,
    engine: str = "auto",
) -> ParsedMessage:
    """Parse one SDMX message into a :class:`ParsedMessage`.

    ``message`` and ``structure`` are raw bytes, a path, or a path string. ``engine`` is
    ``"auto"`` (fast path, sdmx1 fallback), ``"fast"`` (fast path only) or ``"sdmx1"``.
    Raises :class:`SDMXParseError` for anything unreadable, unsafe (DTD entities) or
    belonging to another dataflow than ``expect_dataflow`` — in every format, whether the message
    names its dataflow or its data structure (``expect_structure``: the flow's DSD id when the
    provider's naming does not tell; see :func:`connectors.sdmx.dispatch._check_dataflow`).
    """
    from connectors.sdmx.dispatch import parse

    return parse(
        message,
        structure=structure,
        source=source,
        dataset=dataset,
        expect_dataflow=expect_dataflow,
        expect_structure=expect_structure,
        engine=engine,
    )


__all__ = ["ENGINES", "ParsedMessage", "SDMXParseError", "parse_message"]
