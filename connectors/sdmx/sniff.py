"""Recognise what a message body is before anyone parses it, and refuse what must never be parsed.

Every reader starts from :func:`load_body` + :func:`sniff`: the body is unzipped or gunzipped if
needed — in pieces, stopping at :data:`MAX_UNPACKED` bytes or a ratio of :data:`MAX_RATIO` (a zip or
gzip bomb costs at most that much memory) — and empty bodies, HTML error pages and XML with any
DOCTYPE (entity declarations: XXE, "billion laughs"; SDMX never needs one) are refused here with one
clear line, wherever in the document the DOCTYPE sits, so the format readers never see them.
"""

from __future__ import annotations

import io
import json
import pathlib
import zipfile
import zlib
from functools import cached_property

from connectors.sdmx import SDMXParseError

#: Largest message a zip or gzip container may unpack to, and the largest expansion ratio tolerated once
#: more than :data:`RATIO_FROM` bytes came out. SDMX text compresses 10-50x; a bomb compresses 1000x.
MAX_UNPACKED = 1 << 30
MAX_RATIO = 200
RATIO_FROM = 1 << 20
UNPACK_PIECE = 1 << 20
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00<", b"<\x00")


class Body:
    """The raw bytes of one message plus the name used in error messages.

    A body read from a file loads its bytes only when a reader asks for :attr:`data`: the
    SDMX-CSV reader streams the file itself and needs only its first lines (:meth:`head`), so
    a large CSV message is never held in memory whole.
    """

    def __init__(self, data: bytes | None, name: str, path: str = "") -> None:
        self._data = data
        self._head = b""  # the longest head read from the file so far (readers ask for it several times)
        self.name = name
        self.path = path  # the file the bytes came from (not for zip members): readers may stream it instead

    @property
    def data(self) -> bytes:
        if self._data is None:
            try:
                self._data = pathlib.Path(self.path).read_bytes()
            except OSError as exc:
                raise SDMXParseError(f"cannot read {self.name}: {exc.strerror or exc}") from exc
        return self._data

    @data.setter
    def data(self, value: bytes) -> None:
        self._data = value

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes, read from the file alone when the whole body is not loaded."""
        if self._data is not None:
            return self._data[:size]
        if len(self._head) < size:
            try:
                with open(self.path, "rb") as file:
                    self._head = file.read(size)
            except OSError as exc:
                raise SDMXParseError(f"cannot read {self.name}: {exc.strerror or exc}") from exc
            if len(self._head) < size:  # that was the whole file
                self._data = self._head
        return self._head[:size]


def load_body(message: bytes | str | pathlib.Path, what: str = "message") -> Body:
    """Read ``message`` (bytes, path or path string) and unzip a single-member zip.

    A file is only opened here (its bytes are read when first needed, :class:`Body`), so a
    missing or unreadable file is still refused at once.
    """
    if isinstance(message, bytes | bytearray | memoryview):
        body = Body(bytes(message), f"<{what} bytes>")
    else:
        path = pathlib.Path(message)
        body = Body(None, str(path), str(path))
        try:
            with open(path, "rb") as file:
                body._head = file.read(4096)  # what sniff() looks at; a missing file is refused here
        except OSError as exc:
            raise SDMXParseError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if body.head(4) == b"PK\x03\x04":
        body = _unzip(body)
    elif body.head(2) == b"\x1f\x8b":
        body = _gunzip(body)
    return body


def _unpacked(pieces, packed_size: int, name: str) -> bytes:
    """Join decompressed ``pieces``, refusing at :data:`MAX_UNPACKED` bytes or :data:`MAX_RATIO` x ``packed_size``."""
    out, size = [], 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_UNPACKED:
            raise SDMXParseError(f"{name}: unpacks to more than {MAX_UNPACKED >> 20} MiB; refusing (a zip/gzip bomb?)")
        if size > RATIO_FROM and size > MAX_RATIO * max(packed_size, 1):
            raise SDMXParseError(
                f"{name}: {packed_size:,} packed bytes unpack to over {size:,} (more than {MAX_RATIO}x); "
                "refusing (a zip/gzip bomb?)"
            )
        out.append(piece)
    return b"".join(out)


def _unzip(body: Body) -> Body:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body.data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise SDMXParseError(f"{body.name}: broken zip archive ({exc})") from exc
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:5])
        raise SDMXParseError(
            f"{body.name}: expected a zip with one SDMX message inside, found {len(members)} ({names})"
        )
    member = members[0]
    name = f"{body.name}!{member.filename}"

    def pieces():
        with archive.open(member) as stream:  # the CRC is checked when the member is read to its end
            while piece := stream.read(UNPACK_PIECE):
                yield piece

    try:
        return Body(_unpacked(pieces(), member.compress_size, name), name)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError, OSError) as exc:
        raise SDMXParseError(f"{name}: broken zip member ({type(exc).__name__}: {exc})") from exc


def _gunzip(body: Body) -> Body:
    data = body.data
    name = f"{body.name} (gzip)"

    def pieces():
        stream = zlib.decompressobj(wbits=31)
        rest = data
        while rest:
            piece = stream.decompress(rest, UNPACK_PIECE)
            yield piece
            rest = stream.unconsumed_tail
            if stream.eof:
                if stream.unused_data.strip(b"\x00"):
                    raise ValueError("data after the end of the gzip stream")
                return
        if not stream.eof:
            raise EOFError("the gzip stream is cut short")

    try:
        return Body(_unpacked(pieces(), len(data), name), name)
    except (zlib.error, EOFError, ValueError) as exc:
        raise SDMXParseError(f"{name}: broken gzip data ({type(exc).__name__}: {exc})") from exc


def _head(data: bytes, size: int = 4096) -> bytes:
    head = data[:size]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def sniff(body: Body) -> str:
    """Return one of ``xml``, ``json``, ``csv``, ``estat-tsv``; raise for anything else."""
    if body.head(4).startswith(_UTF16_OR_32):  # XML in UTF-16/32 (the XML spec allows it; lxml reads it)
        refuse_unsafe_xml(body)
        return "xml"
    head = _head(body.head(4096))
    if not head:
        raise SDMXParseError(f"{body.name}: empty body (no SDMX message)")
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or (b"<html" in lowered and b"<body" in head.lower()):
        raise SDMXParseError(f"{body.name}: got an HTML page, not an SDMX message (an error page from the server?)")
    if head.startswith(b"<"):
        refuse_unsafe_xml(body)
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json"
    first_line = head.split(b"\n", 1)[0]
    if b"\\" in first_line and b"\t" in first_line:
        return "estat-tsv"
    if first_line.upper().startswith((b"STRUCTURE", b"DATAFLOW", b'"STRUCTURE', b'"DATAFLOW')):
        return "csv"
    raise SDMXParseError(
        f"{body.name}: not an SDMX message (starts with {head[:60]!r}; "
        "expected SDMX-ML, SDMX-JSON, SDMX-CSV or a Eurostat TSV)"
    )


class Sniffed:
    """What one message is, found once and handed to every reader that asks: its format ``kind``
    (:func:`sniff`) and, for XML, the local name of its ``root`` element.

    The root is read on first use and kept, so the dispatcher choosing a reader and the XML reader
    streaming the data share one look at the document (and a body refused before anyone asks is
    never parsed for it).
    """

    def __init__(self, body: Body) -> None:
        self.body = body
        self.kind = sniff(body)

    @cached_property
    def root(self) -> str:
        return xml_root(self.body) if self.kind == "xml" else ""


def refuse_unsafe_xml(body: Body) -> None:
    """Refuse any DOCTYPE, wherever it is: its entities could expand or fetch content, and SDMX never needs one.

    The whole body is searched (``bytes.find`` runs at memory speed), not only its start: a
    declaration behind a long comment is refused too. Bodies in UTF-16/32 are searched decoded. The
    expat and lxml readers are also set up to refuse or never expand entities, as a second line.
    """
    data = body.data
    if data[:4].startswith(_UTF16_OR_32):
        wide = data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
        for encoding in ("utf-32", "utf-16") if wide else ("utf-16", "utf-32"):
            try:
                data = data.decode(encoding).encode("utf-8")
                break
            except UnicodeDecodeError:
                continue
    at = data.find(b"<!DOCTYPE")
    if at >= 0 or data.find(b"<!ENTITY") >= 0:
        where = f" at byte {at:,}" if at >= 0 else ""
        raise SDMXParseError(
            f"{body.name}: refusing XML with a DOCTYPE or entity declaration{where} (possible XXE / "
            "entity-expansion attack); SDMX messages never need one"
        )


def xml_root(body: Body) -> str:
    """Local name of the root element (e.g. ``StructureSpecificData``, ``Structure``)."""
    from lxml import etree

    events = etree.iterparse(
        io.BytesIO(body.data), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _, element in events:
            return etree.QName(element).localname
    except etree.XMLSyntaxError as exc:
        raise SDMXParseError(f"{body.name}: malformed or truncated XML ({exc.msg})") from exc
    raise SDMXParseError(f"{body.name}: no XML root element found (truncated or not XML)")


def load_json(body: Body) -> dict:
    try:
        document = json.loads(body.data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SDMXParseError(f"{body.name}: invalid JSON ({exc})") from exc
    except RecursionError as exc:
        raise SDMXParseError(f"{body.name}: JSON nested too deeply to be an SDMX-JSON message") from exc
    if not isinstance(document, dict):
        raise SDMXParseError(f"{body.name}: JSON is not an SDMX-JSON message (top level is {type(document).__name__})")
    return document
