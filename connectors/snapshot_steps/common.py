"""What the snapshot steps share: the error they raise, paths as the sidecars write them, and area rows.

Kept apart from :mod:`connectors.snapshot` so each step module imports it without importing the
builder that imports the steps.
"""

from __future__ import annotations

from pathlib import Path

from connectors import areas as area_codes
from connectors.files import regions
from connectors.store import sha256_file


class SnapshotError(Exception):
    """The snapshot could not be built; the message names the input and the fix."""


def relative(path: Path, shared: Path) -> str:
    return str(path.relative_to(shared))


def nuts_shapes(entry: dict, shared: Path) -> tuple[dict, dict[str, str]]:
    paths = [shared / p for p in entry["nuts_shapes"]]
    return regions.read_nuts_shapes(paths), {relative(p, shared): sha256_file(p) for p in paths}


def add_region(registry: area_codes.AreaRegistry, code: str, **values) -> None:
    """Add a region row; a region code may never overwrite a country or aggregate row."""
    existing = registry.rows.get(code)
    if existing and existing["level"] in ("country", "aggregate"):
        raise SnapshotError(
            f"region code {code!r} collides with the {existing['level']} {existing['name']!r}; "
            "map it to another code in connectors/areas/nuts_history.csv"
        )
    registry.add(code, is_aggregate=False, **values)
