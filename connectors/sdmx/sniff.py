"""Recognise what a message body is before anyone parses it, and refuse what must never be parsed.

Every reader starts from :func:`load_body` + :func:`sniff`: the body is unzipped if needed, and
empty bodies, HTML error pages and XML carrying DTD entity declarations (XXE, "billion laughs")
are refused here with one clear line, so the format readers never see them.
"""

from __future__ import annotations

import io
import json
import pathlib
import re
import zipfile

from connectors.sdmx import SDMXParseError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
MAX_ZIP_MEMBER = 4 << 30  # refuse zip bombs claiming more than 4 GB


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
    return body


def _unzip(body: Body) -> Body:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body.data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise SDMXParseError(f"{body.name}: broken zip archive ({exc})") from exc
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:5])
        raise SDMXParseError(
            f"{body.name}: expected a zip with one SDMX message inside, found {len(members)} ({names})"
        )
    member = members[0]
    if member.file_size > MAX_ZIP_MEMBER:
        raise SDMXParseError(f"{body.name}: zip member {member.filename} claims {member.file_size} bytes; refusing")
    return Body(archive.read(member), f"{body.name}!{member.filename}")


def _head(data: bytes, size: int = 4096) -> bytes:
    head = data[:size]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def sniff(body: Body) -> str:
    """Return one of ``xml``, ``json``, ``csv``, ``estat-tsv``; raise for anything else."""
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


def refuse_unsafe_xml(body: Body) -> None:
    """Refuse any DTD that declares entities: they are never expanded and never fetched."""
    prolog = body.data[:65536]
    if _DOCTYPE.search(prolog) and (_ENTITY.search(body.data) or b"SYSTEM" in prolog or b"PUBLIC" in prolog):
        raise SDMXParseError(
            f"{body.name}: refusing XML with a DOCTYPE declaring entities or external DTDs "
            "(possible XXE / entity-expansion attack); SDMX messages never need one"
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
    if not isinstance(document, dict):
        raise SDMXParseError(f"{body.name}: JSON is not an SDMX-JSON message (top level is {type(document).__name__})")
    return document
