"""The tidy Parquet store: one schema for every dataset, written atomically with a provenance sidecar.

Every connector (file, SDMX) ends by calling :func:`write_dataset`; every reader above the
connector layer goes through :func:`load`. Keeping both ends here is what lets a new source
appear in the dashboard without touching anything but its connector.

Layout under ``data_cache/``::

    snapshot/<source>/<dataset>.parquet            committed, attributed default
    snapshot/<source>/<dataset>.provenance.json
    refreshed/<source>/<dataset>.parquet           a user's refreshed data (git-ignored);
                                                   shadows the snapshot file of the same name
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_CACHE = Path(os.environ.get("BEYOND_GDP_DATA_CACHE", PROJECT_ROOT / "data_cache"))
SNAPSHOT_DIR = "snapshot"
REFRESHED_DIR = "refreshed"

#: The one long table every dataset is stored as. ``time_period`` keeps the SDMX spelling
#: (``2020``, ``2020-Q1``, ``2020-01``); ``year`` and ``period_start`` are its typed forms,
#: ``year`` being what year-range filters push down on. ``series`` is the provider's series key
#: (or a file connector's series id); ``dimensions`` is a JSON object of the dimension codes as
#: published (for SDMX, every dimension of the series key, the area included; ``ref_area`` holds
#: the harmonised area code) and ``attributes`` a JSON object of every other attribute.
#: An observation without a time period (SDMX allows them: cross-sections with no time dimension,
#: deletions) has ``time_period`` "" and ``year`` / ``freq`` / ``period_start`` null.
SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("series", pa.string(), nullable=False),
        pa.field("ref_area", pa.string(), nullable=False),
        pa.field("time_period", pa.string(), nullable=False),
        pa.field("freq", pa.string()),
        pa.field("year", pa.int16()),  # null only when time_period is "" (no time period)
        pa.field("period_start", pa.date32()),
        pa.field("value", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("unit_mult", pa.int8()),
        pa.field("obs_status", pa.string()),
        pa.field("dimensions", pa.string()),
        pa.field("attributes", pa.string()),
    ]
)
COLUMNS = SCHEMA.names
#: How files whose every row has a year are written: ``year`` marked required, exactly as before
#: time-less observations were allowed, so rebuilding such a dataset gives the same bytes.
DATED_SCHEMA = pa.schema([f.with_nullable(False) if f.name == "year" else f for f in SCHEMA])
SORT_KEYS = [("series", "ascending"), ("ref_area", "ascending"), ("year", "ascending"), ("time_period", "ascending")]
ROW_GROUP_SIZE = 50_000


class StoreError(Exception):
    """A dataset could not be written or read; the message says which file and why."""


@dataclass
class Provenance:
    """Where a dataset came from, so every number the app shows can be traced and cited."""

    source: str
    dataset: str
    publisher: str
    licence: str
    citation: str
    original_source: str
    title: str = ""
    query: str = ""
    retrieved_or_built: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # input file/URL -> sha256
    row_count: int = 0
    code_version: str = ""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # codelist id -> code -> label
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> Provenance:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_version() -> str:
    """The git commit of the code that built a dataset (or 'unknown' outside a checkout)."""
    head = PROJECT_ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref_path = PROJECT_ROOT / ".git" / ref[5:]
            if ref_path.exists():
                return ref_path.read_text().strip()
            packed = PROJECT_ROOT / ".git" / "packed-refs"
            for line in packed.read_text().splitlines() if packed.exists() else []:
                if line.endswith(ref[5:]):
                    return line.split()[0]
            return "uncommitted"
        return ref
    except OSError:
        return "unknown"


def conform(table: pa.Table) -> pa.Table:
    """Cast a connector's table to :data:`SCHEMA`, adding missing optional columns as nulls.

    Raises :class:`StoreError` naming the missing required column, so a connector bug is
    caught before anything is written.
    """
    columns = []
    for fld in SCHEMA:
        if fld.name in table.column_names:
            column = table[fld.name]
            if not column.type.equals(fld.type):
                try:
                    column = column.cast(fld.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise StoreError(f"column {fld.name!r} cannot be stored as {fld.type}: {exc}") from exc
        elif fld.nullable:
            column = pa.nulls(table.num_rows, fld.type)
        else:
            raise StoreError(f"required column {fld.name!r} is missing (have {table.column_names})")
        if not fld.nullable and column.null_count:
            raise StoreError(f"column {fld.name!r} has {column.null_count} empty values; it must always be set")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def dataset_path(source: str, dataset: str, root: Path | None = None, area: str = SNAPSHOT_DIR) -> Path:
    return Path(root or DATA_CACHE) / area / source / f"{dataset}.parquet"


def provenance_path(parquet_path: Path) -> Path:
    return parquet_path.with_suffix(".provenance.json")


def _atomic_write_bytes(path: Path, write) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(
    table: pa.Table,
    provenance: Provenance,
    root: Path | None = None,
    area: str = SNAPSHOT_DIR,
) -> Path:
    """Conform, sort and write one dataset plus its sidecar; return the Parquet path.

    Sorting by series, area and year makes row-group statistics selective, which is what
    lets :func:`load` skip most of a file. An empty table is refused: a refresh that
    returns nothing must not replace good data.
    """
    table = conform(table)
    if table.num_rows == 0:
        raise StoreError(f"refusing to write {provenance.source}/{provenance.dataset}: no observations")
    table = table.sort_by(SORT_KEYS).replace_schema_metadata(None)
    if table["year"].null_count == 0:
        table = table.cast(DATED_SCHEMA)
    path = dataset_path(provenance.source, provenance.dataset, root, area)
    provenance.row_count = table.num_rows
    provenance.code_version = provenance.code_version or code_version()

    def _write_parquet(tmp: str) -> None:
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            compression_level=9,
            row_group_size=ROW_GROUP_SIZE,
            use_dictionary=True,
            write_statistics=True,
        )

    def _write_sidecar(tmp: str) -> None:
        Path(tmp).write_text(provenance.to_json(), encoding="utf-8")

    _atomic_write_bytes(path, _write_parquet)
    _atomic_write_bytes(provenance_path(path), _write_sidecar)
    return path


def dataset_files(root: Path | None = None) -> dict[tuple[str, str], Path]:
    """Every stored dataset, with refreshed copies shadowing snapshot ones of the same name."""
    base = Path(root or DATA_CACHE)
    found: dict[tuple[str, str], Path] = {}
    for area in (SNAPSHOT_DIR, REFRESHED_DIR):
        for path in sorted((base / area).glob("*/*.parquet")):
            found[(path.parent.name, path.stem)] = path
    return found


def _in(column: str, values: Iterable[str] | None) -> ds.Expression | None:
    if values is None:
        return None
    return pc.field(column).isin(sorted(set(values)))


def build_filter(
    series: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    datasets: Iterable[str] | None = None,
) -> ds.Expression | None:
    parts = [e for e in (_in("series", series), _in("ref_area", areas), _in("dataset", datasets)) if e is not None]
    if years is not None:
        low, high = years
        if low is not None:
            parts.append(pc.field("year") >= low)
        if high is not None:
            parts.append(pc.field("year") <= high)
    if not parts:
        return None
    expression = parts[0]
    for part in parts[1:]:
        expression = expression & part
    return expression


def scan(
    series: Iterable[str] | None = None,
    areas: Iterable[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    sources: Iterable[str] | None = None,
    datasets: Iterable[str] | None = None,
    columns: list[str] | None = None,
    root: Path | None = None,
) -> pa.Table:
    """Read observations with every filter pushed into the Parquet scan.

    Files are chosen by ``sources`` and ``datasets`` before opening anything; within files, row
    groups whose statistics cannot match the filter are never decoded.
    """
    wanted_sources = None if sources is None else set(sources)
    wanted_datasets = None if datasets is None else set(datasets)
    files = [
        str(path)
        for (source, dataset), path in sorted(dataset_files(root).items())
        if (wanted_sources is None or source in wanted_sources)
        and (wanted_datasets is None or dataset in wanted_datasets)
    ]
    if not files:
        return SCHEMA.empty_table().select(columns or COLUMNS)
    dataset = ds.dataset(files, schema=SCHEMA, format="parquet")
    return dataset.to_table(columns=columns or COLUMNS, filter=build_filter(series, areas, years, datasets))


def load(*args, **kwargs):
    """:func:`scan` as a pandas DataFrame (strings stay strings, years stay integers)."""
    return scan(*args, **kwargs).to_pandas()


def read_provenance(source: str, dataset: str, root: Path | None = None) -> Provenance:
    path = dataset_files(root).get((source, dataset))
    if path is None:
        raise StoreError(f"no dataset {source}/{dataset} in {Path(root or DATA_CACHE)}")
    return Provenance.from_file(provenance_path(path))


def all_provenance(root: Path | None = None) -> dict[tuple[str, str], Provenance]:
    return {key: Provenance.from_file(provenance_path(path)) for key, path in dataset_files(root).items()}


def dumps_mapping(mapping: Mapping[str, object] | None) -> str | None:
    """Serialise dimension/attribute maps deterministically (sorted keys) for the JSON columns."""
    if not mapping:
        return None
    return json.dumps({k: mapping[k] for k in sorted(mapping)}, ensure_ascii=False, separators=(",", ":"))


def today() -> str:
    return dt.date.today().isoformat()


def load_areas(root: Path | None = None):
    """The canonical area table (codes, names, level, aggregate flag, groups) as a DataFrame."""
    path = Path(root or DATA_CACHE) / SNAPSHOT_DIR / "areas.parquet"
    if not path.exists():
        raise StoreError(
            f"no area table at {path}; rebuild the snapshot with "
            "`python -m connectors build-snapshot --from ../shared/data`"
        )
    return pq.read_table(path).to_pandas()


def data_version(root: Path | None = None) -> str:
    """A short content hash of every stored Parquet file: cite it to pin the numbers shown."""
    digest = hashlib.sha256()
    for (source, dataset), path in sorted(dataset_files(root).items()):
        digest.update(f"{source}/{dataset}:{sha256_file(path)}\n".encode())
    return digest.hexdigest()[:12]


def read_dataset(source: str, dataset: str, columns: list[str], root: Path | None = None) -> pa.Table:
    """One whole dataset (chosen columns), read straight from its file.

    For callers that will ask for many series of the same dataset: one sequential read is
    much cheaper than a filtered scan per series. Raises :class:`StoreError` if it is absent.
    """
    path = dataset_files(root).get((source, dataset))
    if path is None:
        raise StoreError(f"no dataset {source}/{dataset} in {Path(root or DATA_CACHE)}")
    return pq.read_table(path, columns=columns)
