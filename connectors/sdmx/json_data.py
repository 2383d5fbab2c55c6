"""Read SDMX-JSON 1.0 and 2.0 data messages with the json module.

SDMX-JSON stores every code once in ``structure`` and refers to it by position: series keys
like ``"0:3:1"``, observation arrays ``[value, attribute index, ...]``. This module resolves
those positions into component columns; a position that points nowhere is an error naming it,
because a silently wrong code is worse than no data.
"""

from __future__ import annotations

from functools import partial

import pyarrow as pa

from connectors.sdmx import SDMXParseError
from connectors.sdmx.tidy import Components

TIME_ROLES = {"TIME_PERIOD", "TIME", "time"}


def _value_id(value) -> str | None:
    if isinstance(value, dict):
        for key in ("id", "value", "name"):
            if key in value and value[key] is not None:
                return str(value[key])
        return None
    return None if value is None else str(value)


def _roles(component: dict) -> list[str]:
    """A component's roles: SDMX-JSON 1.0 writes ``role`` (a string), 2.0 ``roles`` (a list); producers
    mix the two, so either key may hold either shape."""
    found = []
    for key in ("roles", "role"):
        value = component.get(key)
        found += [value] if isinstance(value, str) else [r for r in value or [] if isinstance(r, str)]
    return found


def _is_time(dim: dict) -> bool:
    return dim.get("id") in ("TIME_PERIOD", "TIME") or any(r in TIME_ROLES for r in _roles(dim))


def _as_list(value) -> list:
    """One object or a list of them (``structure`` / ``structures`` come both ways) as a list of dicts."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def message_parts(document: dict, name: str) -> tuple[str, list[dict], list[dict]]:
    """(version, data sets, structures); raises if the JSON is not an SDMX-JSON data message."""
    if "data" in document and isinstance(document["data"], dict) and "dataSets" in document["data"]:
        data = document["data"]
        structures = _as_list(data.get("structures") or data.get("structure"))
        return "2.0", _as_list(data["dataSets"]), structures
    if "dataSets" in document and "structure" in document:
        return "1.0", _as_list(document["dataSets"]), _as_list(document["structure"])
    raise SDMXParseError(f"{name}: JSON is not an SDMX-JSON data message (no dataSets with a structure)")


def is_structure_json(document: dict) -> bool:
    data = document.get("data")
    return isinstance(data, dict) and "dataSets" not in data and bool(data)


def _decode(values: list[dict], position: str, what: str, name: str) -> str | None:
    try:
        index = int(position)
        return _value_id(values[index])
    except (ValueError, IndexError) as exc:
        raise SDMXParseError(f"{name}: {what} position {position!r} does not exist ({len(values)} values)") from exc


def _attributes(defs: list[dict], indices: list, name: str, row: dict, problems: list) -> None:
    """Resolve attribute positions; a position past the attribute's values is left out and counted."""
    for definition, index in zip(defs, indices, strict=False):
        if index is None:
            continue
        values = definition.get("values") or []
        if isinstance(index, int) and 0 <= index < len(values):
            row[definition["id"]] = _value_id(values[index])
        elif isinstance(index, int):
            problems.append(f"{definition['id']}[{index}]")
        else:
            row[definition["id"]] = _value_id(index)


def _observation(
    row: dict,
    key: str,
    values: list,
    obs_dims: list[dict],
    *,
    rows: list,
    measure_ids: list[str],
    n_measures: int,
    attribute_defs: list[dict],
    name: str,
    problems: list,
) -> None:
    """One observation array ``[measure..., attribute position...]`` into ``row``, appended to ``rows``."""
    if key != "" and obs_dims:
        for dim, position in zip(obs_dims, key.split(":"), strict=False):
            row[dim["id"]] = _decode(dim.get("values", []), position, f"dimension {dim['id']}", name)
    values = values if isinstance(values, list) else [values]
    for mid, value in zip(measure_ids, values[:n_measures], strict=False):
        if value is None:
            row[mid] = None
        else:
            row[mid] = repr(float(value)) if isinstance(value, int | float) else str(value)
    _attributes(attribute_defs, values[n_measures:], name, row, problems)
    rows.append(row)


def _group_attributes(
    rows: list[dict], groups: dict, key_dims: list[dict], definitions: list[dict], name: str, problems: list
) -> int:
    """SDMX-JSON 2.0 ``dimensionGroupAttributes``: attribute values for every observation whose dimension
    codes match a partial key (``"0::1"``: one position per dimension in key order, empty = any).
    Returns how many keys could not be read (reported, never guessed)."""
    unreadable = 0
    for key, indices in groups.items():
        wanted = {}
        try:
            for dim, position in zip(key_dims, str(key).split(":"), strict=False):
                if position != "":
                    wanted[dim["id"]] = _decode(dim.get("values", []), position, f"dimension {dim['id']}", name)
        except SDMXParseError:
            unreadable += 1
            continue
        values: dict = {}
        _attributes(definitions, indices if isinstance(indices, list) else [], name, values, problems)
        for row in rows:
            if all(row.get(k) == v for k, v in wanted.items()):
                for attribute, value in values.items():
                    row.setdefault(attribute, value)
    return unreadable


def _referable(attributes: dict) -> tuple[dict, list[str]]:
    """SDMX-JSON 1.0 attributes per level without those that list no values, and their ids.

    OECD's .Stat lists such attributes (e.g. ``TIME_FORMAT``) but leaves them out of the position
    arrays, so the positions belong to the attributes that have values. sdmx1 reads them the same
    way (khaeru/sdmx issue 64); counting the empty one would shift every later attribute.
    """
    kept, dropped = {}, []
    for level, definitions in attributes.items():
        kept[level] = []
        for definition in definitions or []:
            if definition.get("values"):
                kept[level].append(definition)
            else:
                dropped.append(definition.get("id", "?"))
    return kept, dropped


def read_sdmx_json(document: dict, name: str) -> tuple[Components, dict, dict]:
    version, datasets, structures = message_parts(document, name)
    if not structures:
        raise SDMXParseError(f"{name}: SDMX-JSON message without a structure section")
    rows: list[dict] = []
    labels: dict[str, dict[str, str]] = {}
    first = structures[0]
    all_dims: list[dict] = []
    for level in ("dataSet", "series", "observation"):
        all_dims.extend(first.get("dimensions", {}).get(level, []))
    ordered = sorted(
        enumerate(all_dims),
        key=lambda p: (p[1].get("keyPosition") if p[1].get("keyPosition") is not None else 1e9, p[0]),
    )
    time_dims = [d["id"] for d in all_dims if _is_time(d)]
    dimensions = [d["id"] for _, d in ordered if d["id"] not in time_dims]
    measure_defs = first.get("measures", {}).get("observation") or [{"id": "OBS_VALUE"}]
    for dim in all_dims:
        labels[dim["id"]] = {v["id"]: v.get("name", "") for v in dim.get("values", []) if "id" in v and v.get("name")}
    ignored_groups = 0
    actions: set[str] = set()
    ignored_attributes: set[str] = set()
    problems: list[str] = []
    for number, dataset in enumerate(datasets):
        structure = structures[dataset.get("structure", 0)] if version == "2.0" else first
        dims = structure.get("dimensions", {})
        attrs = structure.get("attributes", {})
        if version == "1.0":
            attrs, without_values = _referable(attrs)
            ignored_attributes.update(without_values)
        base: dict = {}
        for dim in dims.get("dataSet", []):
            if dim.get("values"):
                base[dim["id"]] = _value_id(dim["values"][0])
        for definition in attrs.get("dataSet", []):
            if definition.get("values") and "attributes" not in dataset and len(definition["values"]) == 1:
                base[definition["id"]] = _value_id(definition["values"][0])
        _attributes(attrs.get("dataSet", []), dataset.get("attributes") or [], name, base, problems)
        first_row = len(rows)
        if dataset.get("action"):
            actions.add(str(dataset["action"]))
        n_measures = len(structure.get("measures", {}).get("observation") or measure_defs)
        measure_ids = [m["id"] for m in (structure.get("measures", {}).get("observation") or measure_defs)]

        observation = partial(
            _observation,
            rows=rows,
            measure_ids=measure_ids,
            n_measures=n_measures,
            attribute_defs=attrs.get("observation", []),
            name=name,
            problems=problems,
        )

        if "series" in dataset:
            for series_key, series in (dataset.get("series") or {}).items():
                series_row = dict(base)
                for dim, position in zip(dims.get("series", []), series_key.split(":"), strict=False):
                    series_row[dim["id"]] = _decode(dim.get("values", []), position, f"dimension {dim['id']}", name)
                _attributes(attrs.get("series", []), series.get("attributes") or [], name, series_row, problems)
                for obs_key, values in (series.get("observations") or {}).items():
                    observation(dict(series_row), obs_key, values, dims.get("observation", []))
        for obs_key, values in (dataset.get("observations") or {}).items():
            flat_dims = dims.get("series", []) + dims.get("observation", [])
            observation(dict(base), obs_key, values, flat_dims)
        groups = dataset.get("dimensionGroupAttributes") or {}
        if isinstance(groups, dict) and groups:
            key_dims = [d for _, d in ordered]
            ignored_groups += _group_attributes(
                rows[first_row:], groups, key_dims, attrs.get("dimensionGroup") or [], name, problems
            )
        del number
    columns = sorted({k for row in rows for k in row})
    table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in columns])) if rows else pa.table({})
    time_dim = time_dims[0] if time_dims else "TIME_PERIOD"
    measure = measure_ids[0] if datasets else "OBS_VALUE"
    attributes = [c for c in columns if c not in dimensions and c not in (time_dim, measure)]
    summary = {"sdmx_json": version, "datasets": len(datasets)}
    if problems:
        summary["attribute_positions_missing"] = {"count": len(problems), "examples": sorted(set(problems))[:5]}
    if ignored_attributes:
        summary["attributes_without_values_ignored"] = sorted(ignored_attributes)
    if ignored_groups:  # keys that name no dimension code of the message: nothing to attach them to
        summary["dimension_group_attributes_ignored"] = ignored_groups
    if actions:  # e.g. "Delete": its observations are kept, as missing values (see README)
        summary["actions"] = sorted(actions)
    comp = Components(
        table=table, dimensions=dimensions, time_dimension=time_dim, measure=measure, attributes=attributes
    )
    return comp, {k: v for k, v in labels.items() if v}, summary


def structure_of(document: dict) -> tuple[str, str]:
    """(kind, id) of what the message says it holds: ``("dataflow", id)``, ``("structure", DSD id)``
    or ``("", "")`` when its links name neither."""
    agency, flow = dataflow_of(document)
    if flow:
        return "dataflow", flow
    data = document.get("data") if isinstance(document.get("data"), dict) else None
    structures = (
        _as_list(data.get("structures") or data.get("structure")) if data else _as_list(document.get("structure"))
    )
    for structure in structures:
        for link in structure.get("links") or []:
            urn = (link.get("urn") or "") if isinstance(link, dict) else ""
            if "DataStructure=" in urn:
                return "structure", urn.split("DataStructure=", 1)[1].partition(":")[2].split("(", 1)[0]
    return "", ""


def dataflow_of(document: dict) -> tuple[str, str]:
    """(agency, dataflow id) from the message's links, when it says."""
    version_links = []
    data = document.get("data") if isinstance(document.get("data"), dict) else None
    if data:
        for structure in _as_list(data.get("structures") or data.get("structure")):
            version_links.extend(structure.get("links") or [])
    else:
        for structure in _as_list(document.get("structure")):
            version_links.extend(structure.get("links") or [])
    sender = ((document.get("header") or document.get("meta") or {}).get("sender") or {}).get("id", "")
    for link in version_links:
        urn = link.get("urn") or ""
        if "Dataflow=" in urn:
            tail = urn.split("Dataflow=", 1)[1]
            agency, _, rest = tail.partition(":")
            return agency, rest.split("(", 1)[0]
        if link.get("rel") == "dataflow" and link.get("href"):
            parts = [p for p in link["href"].rstrip("/").split("/") if p]
            if "dataflow" in parts:
                after = parts[parts.index("dataflow") + 1 :]
                if len(after) >= 2 and after[1].lower() == "all" and after[0].lower() != "all":
                    return sender, after[0]  # OECD.Stat (legacy) sdmx-json: dataflow/{dataset}/all
                if len(after) >= 2:
                    return after[0], after[1]
    return sender, ""
