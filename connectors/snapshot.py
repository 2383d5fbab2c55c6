"""Build the committed snapshot (``data_cache/snapshot/``) from the real files in ``../shared/data``.

``python -m connectors build-snapshot --from ../shared/data`` reads ``connectors/snapshot.yaml``,
runs each entry's step (:mod:`connectors.snapshot_steps`: one module per kind of input, with what it
needs beside its ``run()``), writes one Parquet per dataset plus its provenance sidecar, and the
area table. The same inputs give byte-identical files: rows are sorted, the sidecar's date is
the newest input's date rather than today, and nothing depends on the machine.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import types
from pathlib import Path

import pyarrow.parquet as pq
from tqdm import tqdm

from connectors import areas as area_codes
from connectors import quality, yaml_loader
from connectors.files import ddf, owid, regions
from connectors.snapshot_steps import STEPS
from connectors.snapshot_steps.common import SnapshotError
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
#: Fields every snapshot.yaml entry has, whatever its step: they make the sidecar's provenance.
COMMON_FIELDS = (
    "source",
    "dataset",
    "reader",
    "path",
    "vintage",
    "publisher",
    "licence",
    "citation",
    "original_source",
)


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
        *sorted((package / "snapshot_steps").glob("*.py")),
        *sorted((package / "files").glob("*.py")),
        *sorted((package / "areas").glob("*.csv")),
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return "builder-sha256:" + digest.hexdigest()[:16]


def load_spec(path: Path = SPEC_PATH) -> dict:
    return yaml_loader.load(path.read_text(encoding="utf-8"))


def check_entry(entry: dict, shared: Path) -> types.ModuleType:
    """The step ``entry`` names, once the entry has every field the step needs and every shared file it
    names exists; otherwise a :class:`SnapshotError` naming the entry, the field and the fix."""
    name = f"{entry.get('source', '?')}/{entry.get('dataset', '?')}"
    step = STEPS.get(entry.get("reader"))
    if step is None:
        raise SnapshotError(f"{name}: unknown reader {entry.get('reader')!r}; use one of {sorted(STEPS)}")
    missing = [field for field in (*COMMON_FIELDS, *step.NEEDS) if field not in entry]
    if missing:
        raise SnapshotError(
            f"{name}: connectors/snapshot.yaml entry lacks {', '.join(missing)} "
            f"(the {step.READER} step needs {', '.join(step.NEEDS) or 'nothing more'} beyond the common fields)"
        )
    for field in step.SHARED:
        for relative in entry[field] if isinstance(entry[field], list) else [entry[field]]:
            if not (shared / relative).exists():
                raise SnapshotError(f"{name}: {field} {relative} is not in {shared} (wrong path in snapshot.yaml?)")
    return step


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
    steps = [check_entry(entry, shared) for entry in spec["sources"]]  # every entry checked before any is built
    written = []
    bar = tqdm(
        spec["sources"], desc="build-snapshot", unit="dataset", disable=None if progress else True, file=sys.stderr
    )
    for entry, step in zip(bar, steps, strict=True):
        bar.set_postfix_str(f"{entry['source']}/{entry['dataset']}")
        table, inputs, extra = step.run(entry, shared, registry, observed_until)
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
