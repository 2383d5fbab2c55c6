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
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from tqdm import tqdm

from connectors import areas as area_codes
from connectors import quality
from connectors.files import ddf, owid, regions
from connectors.store import (
    DATA_CACHE,
    SNAPSHOT_DIR,
    Provenance,
    read_dataset,
    sha256_file,
    write_dataset,
    write_snapshot_manifest,
)

SPEC_PATH = Path(__file__).resolve().parent / "snapshot.yaml"
AREAS_FILE = "areas.parquet"


class SnapshotError(Exception):
    """The snapshot could not be built; the message names the input and the fix."""


def builder_version() -> str:
    """Content hash of the snapshot's own code and tables (not the git commit, so that rebuilding
    from the same inputs with the same builder gives byte-identical sidecars). The shared store
    and period modules are covered by their own tests and left out, so that unrelated edits
    there do not mark the snapshot stale."""
    package = Path(__file__).resolve().parent
    files = [
        package / "snapshot.py",
        package / "snapshot.yaml",
        package / "areas.py",
        package / "quality.py",
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
            missing_values=tuple(item.get("missing_values", ())),
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


def _nuts_shapes(entry: dict, shared: Path) -> tuple[dict, dict[str, str]]:
    paths = [shared / p for p in entry["nuts_shapes"]]
    return regions.read_nuts_shapes(paths), {_relative(p, shared): sha256_file(p) for p in paths}


def _add_region(registry: area_codes.AreaRegistry, code: str, **values) -> None:
    """Add a region row; a region code may never overwrite a country or aggregate row."""
    existing = registry.rows.get(code)
    if existing and existing["level"] in ("country", "aggregate"):
        raise SnapshotError(
            f"region code {code!r} collides with the {existing['level']} {existing['name']!r}; "
            "map it to another code in connectors/areas/nuts_history.csv"
        )
    registry.add(code, is_aggregate=False, **values)


def build_eurostat_regions(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Eurostat NUTS tables (TSV) harmonised to NUTS 2021 codes, plus their area rows."""
    folder = shared / entry["path"]
    history = regions.read_nuts_history()
    shapes, inputs = _nuts_shapes(entry, shared)
    iso2_to_iso3 = {row["iso2"]: code for code, row in registry.rows.items() if row.get("iso2")}
    parts, reports, series_meta = [], [], {}
    for item in entry["files"]:
        path = folder / item["file"]
        table, report = regions.read_eurostat_tsv(
            path,
            series=item["series"],
            history=history,
            shapes=shapes,
            source=entry["source"],
            dataset=entry["dataset"],
            observed_until=observed_until,
        )
        parts.append(table)
        reports.append(report)
        inputs[_relative(path, shared)] = sha256_file(path)
        for spec in item["series"]:
            series_meta[spec["id"]] = {
                "title": spec.get("title", spec["id"]),
                "unit": spec["unit"],
                "table": item["file"].removesuffix(".tsv"),
                "filter": spec.get("filter", {}),
            }
    table = pa.concat_tables(parts)
    for code in sorted(set(table["ref_area"].to_pylist())):
        known = shapes.get(code) or {}
        name = known.get("name") or history.get(code, {}).get("name")
        if not name:
            name = f"Extra-regio ({code[:2]})" if regions.is_extra_regio(code) else code
        _add_region(
            registry,
            code,
            name=name,
            level=regions.nuts_level(code),
            iso2=code if len(code) == 2 else None,
            country=iso2_to_iso3.get(regions.nuts_iso2(code)),
        )
    registry.extra_inputs.update({k: v for k, v in inputs.items() if "boundaries" in k})
    without_shape = {code: why for r in reports for code, why in r["codes_without_shape"].items()}
    extra = {
        "series": series_meta,
        "reports": reports,
        "nuts_version": "data published under NUTS 2010/2013 codes, harmonised to NUTS 2021 where the boundary "
        "did not change (connectors/areas/nuts_history.csv)",
        "codes_without_shape": dict(sorted(without_shape.items())),
    }
    return table, inputs, extra


def build_oecd_regions(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """OECD Regional Well-Being (TL2, one edition): scores and raw indicators, plus TL2 area rows."""
    path = shared / entry["path"]
    table, report, found = regions.read_oecd_wellbeing(
        path,
        columns=entry["columns"],
        year=int(entry["year"]),
        source=entry["source"],
        dataset=entry["dataset"],
        note=entry["reference_period"],
    )
    history = regions.read_nuts_history()
    shapes, inputs = _nuts_shapes(entry, shared)
    inputs[_relative(path, shared)] = sha256_file(path)
    unknown = sorted(c for c in set(table["ref_area"].to_pylist()) if c not in registry.rows and len(c) == 3)
    without_shape = {}
    for region in found:
        code = region["code"]
        country = region["country"] or registry.names.get(region["country_name"])
        if code not in registry.rows or registry.rows[code]["level"] in ("tl2", "tl3"):
            _add_region(registry, code, name=region["name"], level=region["level"], country=country)
        nuts = regions.tl2_to_nuts_2021(code, history)
        if nuts not in shapes:
            without_shape[code] = (
                history[nuts]["note"] if nuts in history else "no boundary file for this country's TL2 regions"
            )
    report["codes_without_shape"] = without_shape
    extra = {
        "series": {
            spec["id"]: {"title": spec.get("title", column), "unit": spec["unit"], "column": column}
            for column, spec in entry["columns"].items()
        },
        "reports": [report],
        "reference_period": entry["reference_period"],
        "country_rows_not_in_area_table": unknown,
        "codes_without_shape": dict(sorted(without_shape.items())),
        "tl2_to_nuts_2021": {
            r["code"]: regions.tl2_to_nuts_2021(r["code"], history)
            for r in found
            if regions.tl2_to_nuts_2021(r["code"], history) != r["code"]
        },
    }
    return table, inputs, extra


def build_gdl_regions(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Global Data Lab subnational series keyed by ``gdlcode``, plus GDL area rows."""
    folder = shared / entry["path"]
    found = regions.read_gdl_regions(folder)
    codes = {key: row["gdlcode"] for key, row in found.items()}
    concepts = ddf.read_concepts(folder)
    parts, reports, inputs, series_meta = [], [], {}, {}
    for item in entry["series"]:
        concept = item.get("concept", item["id"])
        path = folder / "datapoints" / f"ddf--datapoints--{concept}--by--subnat--year.csv"
        table, report = ddf.read_datapoints(
            path,
            geo_key="subnat",
            time_key="year",
            area_codes=codes,
            series=item["id"],
            source=entry["source"],
            dataset=entry["dataset"],
            unit=item["unit"],
            observed_until=observed_until,
        )
        if item.get("scale"):
            table = table.set_column(
                table.schema.get_field_index("value"), "value", pc.multiply(table["value"], item["scale"])
            )
        parts.append(table)
        reports.append(report)
        inputs[_relative(path, shared)] = sha256_file(path)
        meta = concepts.get(concept, {})
        series_meta[item["id"]] = {
            "title": meta.get("longdescr") or meta.get("shortdescr") or concept,
            "unit": item["unit"],
            "concept": concept,
            "scale": item.get("scale", 1),
        }
    table = pa.concat_tables(parts)
    used = set(table["ref_area"].to_pylist())
    for row in found.values():
        if row["gdlcode"] in used:
            _add_region(registry, row["gdlcode"], name=row["name"], level="gdl_region", country=row["iso3"])
    for name in ("ddf--entities--level--subnat.csv", "ddf--entities--level--national.csv"):
        inputs[_relative(folder / name, shared)] = sha256_file(folder / name)
    shape_file = shared / entry["shapes"]
    with_shape = regions.topojson_keys(shape_file, entry["shapes_object"], "gdlcode")
    inputs[_relative(shape_file, shared)] = sha256_file(shape_file)
    missing = sorted(used - with_shape)
    extra = {
        "series": series_meta,
        "reports": reports,
        "codes_without_shape": {code: "not in the GDL boundary file (shdi2022)" for code in missing},
    }
    return table, inputs, extra


def build_sdmx(entry: dict, shared: Path, registry: area_codes.AreaRegistry, observed_until: int):
    """Any SDMX message file (SDMX-ML, SDMX-JSON, SDMX-CSV, Eurostat TSV) through our own parser.

    The table is stored as the parser returns it — the provider's series keys and dimension codes,
    exactly what ``python -m connectors refresh`` stores for the same dataset — with only the area
    codes harmonised; definitions pick observations with ``series: {match: {...}}``.
    """
    from connectors.sdmx import parse_message

    path = shared / entry["path"]
    parsed = parse_message(path, source=entry["source"], dataset=entry["dataset"], engine="fast")
    codes = area_codes.provider_country_codes(area_codes.registry_country_codes(registry))
    table, unknown = area_codes.harmonise(parsed.table, codes)
    table = table.filter(pc.less_equal(table["year"], observed_until))
    report = {
        "file": path.name,
        "format": parsed.format,
        "rows_read": parsed.observations,
        "rows_kept": table.num_rows,
        "unmapped_areas": unknown,
    }
    inputs = {_relative(path, shared): sha256_file(path)}
    return table, inputs, {"dimensions": parsed.dimensions, "reports": [report], "labels": parsed.labels}


READERS = {
    "sdmx": build_sdmx,
    "ddf": build_ddf,
    "owid": build_owid,
    "eurostat_regions": build_eurostat_regions,
    "oecd_regions": build_oecd_regions,
    "gdl_regions": build_gdl_regions,
}


def build_snapshot(
    shared: Path, out_root: Path = DATA_CACHE, spec: dict | None = None, log=print, progress: bool = False
) -> list[Path]:
    """Rebuild every dataset of the spec from ``shared``; return the files written.

    ``progress`` draws a bar on stderr (a full build takes minutes); tqdm leaves it out when stderr is not a
    terminal, and the per-dataset lines are printed through tqdm so they appear above the bar, not inside it.
    """
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
    bar = tqdm(
        spec["sources"], desc="build-snapshot", unit="dataset", disable=None if progress else True, file=sys.stderr
    )
    for entry in bar:
        bar.set_postfix_str(f"{entry['source']}/{entry['dataset']}")
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
        message = (
            f"{entry['source']}/{entry['dataset']}: {table.num_rows:,} rows, "
            f"{len(unmapped)} source areas without a canonical code"
        )
        (tqdm.write if log is print else log)(message)
    bar.close()
    written.append(write_areas(registry, out_root, area_spec, shared))
    written.append(write_quality(out_root, [(e["source"], e["dataset"]) for e in spec["sources"]], log))
    write_snapshot_manifest(out_root)  # every file's sha256, for `verify` and the readers' checks
    return written


def write_quality(out_root: Path, datasets: list[tuple[str, str]], log=print) -> Path:
    """Check the datasets just written for duplicated series and estimated values; write ``quality.json``."""
    columns = ["source", "dataset", "series", "ref_area", "year", "value", "obs_status", "dimensions"]
    tables = [read_dataset(source, dataset, columns, root=out_root) for source, dataset in datasets]
    findings = quality.check_tables(tables)
    for pair in findings["duplicates"]:
        log(
            f"duplicate series: {pair['a']['series']} = {pair['b']['series']} in all {pair['shared_rows']:,} shared rows"
        )
    return quality.write_findings(findings, Path(out_root) / SNAPSHOT_DIR)


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
        }
        | dict(sorted(registry.extra_inputs.items())),
        "groups": "connectors/areas/groups.csv (OECD and EU27 membership as of 2026)",
        "row_count": registry.table().num_rows,
    }
    path.with_suffix(".provenance.json").write_text(json.dumps(sidecar, indent=2, sort_keys=True) + "\n")
    return path


def _command(args: argparse.Namespace) -> int:
    if "://" in str(args.out):  # an object store (also the default when BEYOND_GDP_DATA_CACHE=s3://...)
        print(
            f"build-snapshot: --out {args.out} is an object store; the snapshot is built on disk and committed "
            f"to git. Build it into a folder (--out data_cache), then `python -m connectors publish --to {args.out}`",
            file=sys.stderr,
        )
        return 2
    try:
        files = build_snapshot(Path(args.shared), Path(args.out), progress=not args.quiet)
    except (SnapshotError, ddf.DDFError, owid.OWIDError, regions.RegionFileError, FileNotFoundError) as exc:
        print(f"build-snapshot failed: {exc}", file=sys.stderr)
        return 2
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files, {total / 1e6:.1f} MB, under {Path(args.out) / SNAPSHOT_DIR}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("build-snapshot", help="rebuild data_cache/snapshot from ../shared/data")
    parser.add_argument("--from", dest="shared", default="../shared/data", help="the shared data folder")
    parser.add_argument("--out", default=str(DATA_CACHE), help="store folder (default: data_cache/; never s3://)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (it is shown only on a terminal anyway)")
    parser.set_defaults(handler=_command)
