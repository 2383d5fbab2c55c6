"""Read SDMX-ML structure messages (2.1 and 3.0): what a DSD says about a data message, and a summary.

Data readers need three things from a DSD, and only when the message itself cannot tell them:
the order of the dimensions (the series key), which component is time and which is the measure,
and which ids are attributes. :func:`read_structure` returns those as :class:`DataStructure`
plus code labels per codelist and per dimension, and a summary of every artefact in the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from connectors.sdmx import SDMXParseError
from connectors.sdmx.sniff import Body, refuse_unsafe_xml

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
    )


@dataclass
class DataStructure:
    id: str
    agency: str = ""
    dimensions: list[str] = field(default_factory=list)  # non-time dimensions by position
    time_dimension: str = "TIME_PERIOD"
    measures: list[str] = field(default_factory=lambda: ["OBS_VALUE"])
    attributes: list[str] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)  # group id -> dimension ids
    codelists: dict[str, str] = field(default_factory=dict)  # component id -> codelist id


@dataclass
class StructureInfo:
    structures: list[DataStructure]
    labels: dict[str, dict[str, str]]
    summary: dict
    dataflows: dict[str, str]  # dataflow id -> DSD id

    def find(self, structure_id: str | None) -> DataStructure | None:
        """The DSD with this id (or the DSD behind a dataflow of this id, or the only DSD)."""
        by_id = {s.id: s for s in self.structures}
        if structure_id in by_id:
            return by_id[structure_id]
        if structure_id in self.dataflows and self.dataflows[structure_id] in by_id:
            return by_id[self.dataflows[structure_id]]
        return self.structures[0] if len(self.structures) == 1 else None


def local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _ref_id(element: etree._Element) -> str:
    """The id a ``Ref`` child or a URN text (SDMX 3.0) points to."""
    for child in element.iter():
        if local(child.tag) == "Ref" and child.get("id"):
            return child.get("id")
        text = (child.text or "").strip()
        if text and not text.startswith("urn:") and local(child.tag) == "DimensionReference":
            return text
        if text.startswith("urn:"):
            tail = text.rsplit("=", 1)[-1]
            item = tail.split(")", 1)[-1].lstrip(".")
            return item or tail.split(":", 1)[-1].split("(", 1)[0]
    return ""


def _enumeration(component: etree._Element) -> str:
    for child in component.iter():
        if local(child.tag) == "Enumeration":
            for ref in child.iter():
                if local(ref.tag) == "Ref" and ref.get("id"):
                    return ref.get("id")
            text = (child.text or "").strip()
            if text.startswith("urn:"):
                return text.rsplit("=", 1)[-1].split(":", 1)[-1].split("(", 1)[0]
    return ""


def _name(element: etree._Element) -> str:
    names = [c for c in element if local(c.tag) == "Name"]
    for lang in ("en", None):
        for name in names:
            if lang is None or name.get(XML_LANG) == lang:
                return (name.text or "").strip()
    return ""


COMPONENT_TAGS = ("Dimension", "MeasureDimension", "TimeDimension", "Attribute", "PrimaryMeasure", "Measure")


def _concept_id(component: etree._Element) -> str:
    """A component without an ``id`` takes its concept's id (SDMX 2.1 default)."""
    for child in component:
        if local(child.tag) == "ConceptIdentity":
            return _ref_id(child)
    return ""


def _data_structure(element: etree._Element) -> DataStructure:
    dsd = DataStructure(id=element.get("id", ""), agency=element.get("agencyID", ""))
    positioned: list[tuple[int, int, str]] = []
    measures: list[str] = []
    for number, child in enumerate(element.iter()):
        tag = local(child.tag)
        cid = child.get("id") or (_concept_id(child) if tag in COMPONENT_TAGS else None)
        if tag in ("Dimension", "MeasureDimension") and cid:
            positioned.append((int(child.get("position") or 10_000), number, cid))
        elif tag == "TimeDimension" and cid:
            dsd.time_dimension = cid
        elif tag in ("PrimaryMeasure", "Measure") and cid:
            measures.append(cid)
        elif tag == "Attribute" and cid:
            dsd.attributes.append(cid)
        elif tag == "Group" and cid:
            dsd.groups[cid] = [
                _ref_id(ref) for ref in child.iter() if local(ref.tag) in ("GroupDimension", "DimensionReference")
            ]
            dsd.groups[cid] = [d for d in dict.fromkeys(dsd.groups[cid]) if d]
        if tag in COMPONENT_TAGS and cid:
            codelist = _enumeration(child)
            if codelist:
                dsd.codelists[cid] = codelist
    dsd.dimensions = [cid for _, _, cid in sorted(positioned)]
    if measures:
        dsd.measures = measures
    return dsd


def read_structure(body: Body) -> StructureInfo:
    """Parse a structure (or RegistryInterface / metadata) message into DSDs, labels and a summary."""
    refuse_unsafe_xml(body)
    try:
        root = etree.fromstring(body.data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SDMXParseError(f"{body.name}: malformed or truncated XML ({exc})") from exc
    summary: dict = {"message": local(root.tag)}
    structures: list[DataStructure] = []
    labels: dict[str, dict[str, str]] = {}
    dataflows: dict[str, str] = {}
    artefacts: dict[str, list[str]] = {}
    for element in root.iter():
        tag = local(element.tag)
        parent = element.getparent()
        if parent is not None and local(parent.tag) in ("Structures", "Structure") and tag not in ("Header",):
            # the artefact families (Codelists, DataStructures, ...) directly under <Structures>
            ids = [c.get("id", "") for c in element if isinstance(c.tag, str) and local(c.tag) != "Annotations"]
            artefacts.setdefault(tag, []).extend(ids)
        if (
            tag == "DataStructure"
            and element.get("id")
            and parent is not None
            and local(parent.tag) == "DataStructures"
        ):
            structures.append(_data_structure(element))
        elif tag == "Dataflow" and element.get("id") and parent is not None and local(parent.tag) == "Dataflows":
            dataflows[element.get("id")] = _ref_id(next((c for c in element if local(c.tag) == "Structure"), element))
        elif tag in ("Codelist", "ValueList") and element.get("id"):
            codes = {}
            for code in element:
                if local(code.tag) in ("Code", "ValueItem") and code.get("id"):
                    codes[code.get("id")] = _name(code)
            labels[element.get("id")] = codes
    for dsd in structures:
        for component, codelist in dsd.codelists.items():
            if codelist in labels:
                labels.setdefault(component, labels[codelist])
    summary["artefacts"] = {k: len(v) for k, v in artefacts.items()}
    summary["ids"] = {k: v[:50] for k, v in artefacts.items()}
    summary["data_structures"] = [
        {"id": s.id, "agency": s.agency, "dimensions": s.dimensions, "time": s.time_dimension, "measures": s.measures}
        for s in structures
    ]
    summary["dataflows"] = dataflows
    return StructureInfo(structures=structures, labels=labels, summary=summary, dataflows=dataflows)
