"""Build the committed snapshot (``data_cache/snapshot/``) from the real files in ``../shared/data``.

``python -m connectors build-snapshot --from ../shared/data`` reads ``connectors/snapshot.yaml``,
runs the file connectors, writes one Parquet per dataset plus its provenance sidecar, and the
area table. The same inputs give byte-identical files: rows are sorted, the sidecar's date is
the newest input's date rather than today, and nothing depends on the machine.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from connectors import areas as area_codes
from connectors.files import ddf, owid
from connectors.store import DATA_CACHE, SNAPSHOT_DIR, Provenance, sha256_file, write_dataset

SPEC_PATH = Path(__file__).resolve().parent / "snapshot.yaml"
AREAS_FILE = "areas.parquet"


class SnapshotError(Exception):
    """The snapshot could not be built; the message names the input and the fix."""


def builder_version() -> str:
    """Content hash of the code and tables that shape the snapshot (not the git commit, so that
    rebuilding from the same inputs with the same builder gives byte-identical sidecars)."""
    package = Path(__file__).resolve().parent
    files = [
        package / "snapshot.py",
        package / "snapshot.yaml",
        package / "areas.py",
        package / "store.py",
        package / "periods.py",
        *sorted((package / "files").glob("*.py")),
        *sorted((package / "areas").glob("*.csv")),
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "builder-sha256:" + digest.hexdigest()[:16]


def load_spec(path: Path = SPEC_PATH) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _provenance(entry: dict, inputs: dict[str, str], extra: dict) -> Provenance:
    return Provenance(
        source=entry["source"],
        dataset=entry["dataset"],
        title=entry.get("title", ""),
        publisher=entry["publisher"],
        licence=entry["licence"],
        citation=entry["citation"],
        original_source=entry["original_source"],
        query="file: " + entry["path"],
        retrieved_or_built=entry["vintage"],
        inputs=inputs,
        code_version=builder_version(),
        extra=extra,
    )


def _relative(path: Path, shared: Path) -> str:
    return str(path.relative_to(shared))


def build_ddf(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    folder = shared / entry["path"]
    concepts = ddf.read_concepts(folder)
    geo_map = registry.m49 if entry["geo_key"] == "geo_area" else registry.gapminder
    parts, reports, inputs, series_meta = [], [], {}, {}
    for item in entry["series"]:
        concept = item.get("concept", item["id"])
        path = ddf.find_datapoints(folder, concept)
        table, report = ddf.read_datapoints(
            path,
            geo_key=entry["geo_key"],
            time_key=entry["time_key"],
            area_codes=geo_map,
            series=item["id"],
            source=entry["source"],
            dataset=entry["dataset"],
            unit=item.get("unit"),
            filters=item.get("filter"),
            observed_until=observed_until,
        )
        parts.append(table)
        reports.append(report)
        inputs[_relative(path, shared)] = sha256_file(path)
        meta = concepts.get(concept, {})
        series_meta[item["id"]] = {
            "title": meta.get("name") or meta.get("description") or concept,
            "description": meta.get("description", ""),
            "unit": item.get("unit") or meta.get("unit", ""),
            "source_url": meta.get("source_url", ""),
            "updated": meta.get("updated", ""),
            "version": meta.get("version", ""),
            "filter": item.get("filter", {}),
        }
    return pa.concat_tables(parts), inputs, {"series": series_meta, "reports": reports}


def build_owid(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    folder = shared / entry["path"]
    path = folder / entry.get("file", f"{folder.name}.csv")
    columns = {column: spec["id"] for column, spec in entry["columns"].items()}
    units = {spec["id"]: spec.get("unit") for spec in entry["columns"].values()}
    table, report = owid.read_columns(
        path,
        columns=columns,
        units=units,
        names_to_codes=registry.names,
        source=entry["source"],
        dataset=entry["dataset"],
        entity_column=entry.get("entity_column", "Entity"),
        year_column=entry.get("year_column", "Year"),
        iso_column=entry.get("iso_column"),
        valid_codes=registry.codes(),
        observed_until=observed_until,
    )
    package = owid.read_datapackage(folder)
    described = {
        f.get("name"): f.get("description", "")
        for r in package.get("resources", [])
        for f in r.get("schema", {}).get("fields", [])
    }
    series_meta = {
        spec["id"]: {"title": column, "description": described.get(column, ""), "unit": spec.get("unit", "")}
        for column, spec in entry["columns"].items()
    }
    inputs = {_relative(path, shared): sha256_file(path)}
    if (folder / "datapackage.json").exists():
        inputs[_relative(folder / "datapackage.json", shared)] = sha256_file(folder / "datapackage.json")
    return table, inputs, {"series": series_meta, "reports": [report]}


READERS = {"ddf": build_ddf, "owid": build_owid}


def build_snapshot(shared: Path, out_root: Path = DATA_CACHE, spec: dict | None = None, log=print) -> list[Path]:
    """Rebuild every dataset of the spec from ``shared``; return the files written."""
    spec = spec or load_spec()
    shared = Path(shared).resolve()
    if not (shared / "panel").is_dir():
        raise SnapshotError(f"{shared} has no panel/ folder: pass the shared data folder, e.g. --from ../shared/data")
    observed_until = int(spec["observed_until"])
    area_spec = spec["areas"]
    registry = area_codes.load_registry(
        shared / area_spec["gapminder_country_entities"], shared / area_spec["un_geo_areas"]
    )
    manifest = read_manifest(shared)
    written = []
    for entry in spec["sources"]:
        reader = READERS.get(entry["reader"])
        if reader is None:
            raise SnapshotError(
                f"{entry['source']}/{entry['dataset']}: unknown reader {entry['reader']!r}; "
                f"use one of {sorted(READERS)}"
            )
        table, inputs, extra = reader(entry, shared, registry, observed_until)
        extra["observed_until"] = observed_until
        extra["upstream"] = {name: manifest.get(name, {}) for name in inputs}
        path = write_dataset(table, _provenance(entry, inputs, extra), root=out_root)
        written.append(path)
        unmapped = sorted({a for r in extra["reports"] for a in r.get("unmapped_areas", [])})
        log(
            f"{entry['source']}/{entry['dataset']}: {table.num_rows:,} rows, "
            f"{len(unmapped)} source areas without a canonical code"
        )
    written.append(write_areas(registry, out_root, area_spec, shared))
    return written


def read_manifest(shared: Path) -> dict[str, dict[str, str]]:
    """Upstream repository and commit of every shared file, from its MANIFEST.csv (if present)."""
    path = shared / "MANIFEST.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["path"]: {
                "repository": row["source_repository"],
                "path": row["source_path"],
                "commit": row["source_commit"],
            }
            for row in csv.DictReader(handle)
        }


def write_areas(registry: area_codes.AreaRegistry, out_root: Path, area_spec: dict, shared: Path) -> Path:
    path = Path(out_root) / SNAPSHOT_DIR / AREAS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(registry.table(), path, compression="zstd")
    sidecar = {
        "publisher": area_spec["publisher"],
        "licence": area_spec["licence"],
        "inputs": {
            area_spec[k]: sha256_file(shared / area_spec[k]) for k in ("gapminder_country_entities", "un_geo_areas")
        },
        "groups": "connectors/areas/groups.csv (OECD and EU27 membership as of 2026)",
        "row_count": registry.table().num_rows,
    }
    path.with_suffix(".provenance.json").write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n")
    return path


def _command(args: argparse.Namespace) -> int:
    try:
        files = build_snapshot(Path(args.shared), Path(args.out))
    except (SnapshotError, ddf.DDFError, owid.OWIDError, FileNotFoundError) as exc:
        print(f"build-snapshot failed: {exc}", file=sys.stderr)
        return 2
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files, {total / 1e6:.1f} MB, under {Path(args.out) / SNAPSHOT_DIR}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("build-snapshot", help="rebuild data_cache/snapshot from ../shared/data")
    parser.add_argument("--from", dest="shared", default="../shared/data", help="the shared data folder")
    parser.add_argument("--out", default=str(DATA_CACHE), help="store root (default: data_cache/)")
    parser.set_defaults(handler=_command)
