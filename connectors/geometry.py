"""Build the map geometry the Maps page draws, from the boundary files in ``../shared/data``.

Run ``python -m connectors build-geometry --from ../shared/data`` after the boundary files change.
Raw copies of the shared files may not be committed, and the app must not read ``../shared``
at run time, so this step re-keys every shape to our area codes (ISO 3166 alpha-3, NUTS 2021,
GDL ``gdlcode``), strips every other property, and simplifies the lines (Douglas-Peucker on
the TopoJSON arcs, so shared borders stay shared; NUTS GeoJSON rounded to about 100 m). The
output is deterministic: the same inputs give byte-identical files.

It is a data step, so it lives with the connectors and keys the world map with the area table's
own rule (:func:`connectors.areas.load_registry`: Gapminder geo id -> ISO3, Kosovo ``kos`` ->
``XKX``) rather than a copy of it. The outputs stay where the Maps page reads them
(``dashboard/assets/``): committed static files shipped with the app, read the same whichever
store (disk or S3) holds the data. They are ``world.topo.json``, ``nuts2021.geo.json``,
``gdl.topo.json`` and ``manifest.json`` (inputs with their SHA-256, parameters, what was re-keyed
or left out).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from connectors import areas as area_codes
from connectors.store import PROJECT_ROOT

#: Where the Maps page reads the geometry (dashboard/pages/maps/data.py).
ASSETS = PROJECT_ROOT / "dashboard" / "assets"
WORLD = "panel/gapminder_systema_globalis/assets/world-50m.json"
GAPMINDER_COUNTRIES = "panel/gapminder_systema_globalis/ddf--entities--geo--country.csv"
NUTS = "regions/boundaries/nuts2021_60m_4326/NUTS_RG_60M_2021_4326_LEVL_{level}.geojson"
GDL = "regions/gdl_subnational_hdi/assets/shdi2022_world_large_simpl_0.21pct.json"
GDL_OBJECT = "shdi2022_World_large"
#: Simplification tolerance in degrees (about 5 km at the equator): invisible at dashboard sizes.
TOLERANCE_DEGREES = {"world": 0.05, "gdl": 0.06}
NUTS_DECIMALS = 3
#: The frame of the European map (lon/lat): regions wholly outside it (Atlantic islands, French
#: overseas regions) are left out of the drawing and listed on the page, with their values in the table.
EUROPE_FRAME = (-25.0, 34.0, 45.0, 71.5)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- simplification ---------------------------------------------------------------------------


def _perpendicular(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def douglas_peucker(points: list, tolerance: float) -> list:
    """Keep the endpoints and every point farther than ``tolerance`` from the simplified line."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > best:
                best, index = distance, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_line(points: list, tolerance: float) -> list:
    """Douglas-Peucker that keeps a closed line a ring (split at the point farthest from its start)."""
    if len(points) > 4 and points[0] == points[-1]:
        far = max(
            range(len(points)), key=lambda i: (points[i][0] - points[0][0]) ** 2 + (points[i][1] - points[0][1]) ** 2
        )
        return douglas_peucker(points[: far + 1], tolerance)[:-1] + douglas_peucker(points[far:], tolerance)
    return douglas_peucker(points, tolerance)


def simplify_topology(topology: dict, tolerance_degrees: float) -> dict:
    """Simplify every arc of a quantised TopoJSON in place of the original arcs (topology kept)."""
    transform = topology.get("transform")
    if not transform:
        raise ValueError("expected a quantised TopoJSON (with a 'transform')")
    scale = min(transform["scale"])
    tolerance = tolerance_degrees / scale
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        absolute = []
        for dx, dy in arc:
            x += dx
            y += dy
            absolute.append((x, y))
        kept = simplify_line(absolute, tolerance)
        encoded, px, py = [], 0, 0
        for ax, ay in kept:
            encoded.append([ax - px, ay - py])
            px, py = ax, ay
        arcs.append(encoded)
    return {**topology, "arcs": arcs}


# --- builders ---------------------------------------------------------------------------------


def build_world(shared: Path) -> tuple[dict, dict]:
    topology = json.loads((shared / WORLD).read_text(encoding="utf-8"))
    iso3 = area_codes.load_registry(shared / GAPMINDER_COUNTRIES).gapminder
    geometries, unmapped = [], {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        props = geometry.get("properties", {})
        code = iso3.get(props.get("id", ""))
        if code is None:
            unmapped[props.get("id", "?")] = props.get("name", "")
            code = str(props.get("id", "")).upper()
        geometries.append({**{k: v for k, v in geometry.items() if k != "properties"}, "properties": {"id": code}})
    topology = {
        "type": "Topology",
        "transform": topology["transform"],
        "arcs": topology["arcs"],
        "objects": {"areas": {"type": "GeometryCollection", "geometries": geometries}},
    }
    info = {"object": "areas", "shapes": len(geometries), "gapminder_ids_without_iso3": unmapped}
    return simplify_topology(topology, TOLERANCE_DEGREES["world"]), info


def _round_ring(ring: list) -> list:
    out = []
    for lon, lat in ring:
        point = [round(lon, NUTS_DECIMALS), round(lat, NUTS_DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _bbox(geometry: dict) -> tuple[float, float, float, float]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _outside_frame(box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = EUROPE_FRAME
    return box[2] < west or box[0] > east or box[3] < south or box[1] > north


def build_nuts(shared: Path) -> tuple[dict, dict]:
    features, outside = [], {}
    for level in (1, 2):
        data = json.loads((shared / NUTS.format(level=level)).read_text(encoding="utf-8"))
        for feature in sorted(data["features"], key=lambda f: f["properties"]["NUTS_ID"]):
            props, geometry = feature["properties"], feature["geometry"]
            if _outside_frame(_bbox(geometry)):
                outside[props["NUTS_ID"]] = props["NAME_LATN"]
                continue
            if geometry["type"] == "Polygon":
                coordinates = [_round_ring(r) for r in geometry["coordinates"]]
            else:
                coordinates = [[_round_ring(r) for r in polygon] for polygon in geometry["coordinates"]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"id": props["NUTS_ID"], "level": level},
                    "geometry": {"type": geometry["type"], "coordinates": coordinates},
                }
            )
    info = {"shapes": len(features), "outside_frame": outside, "frame": EUROPE_FRAME, "levels": [1, 2]}
    return {"type": "FeatureCollection", "features": features}, info


def build_gdl(shared: Path) -> tuple[dict, dict]:
    topology = json.loads((shared / GDL).read_text(encoding="utf-8"))
    geometries = [
        {
            **{k: v for k, v in g.items() if k != "properties"},
            "properties": {"id": g["properties"]["gdlcode"], "country": g["properties"]["iso_code"]},
        }
        for g in topology["objects"][GDL_OBJECT]["geometries"]
    ]
    topology = {
        "type": "Topology",
        "transform": topology["transform"],
        "arcs": topology["arcs"],
        "objects": {"areas": {"type": "GeometryCollection", "geometries": geometries}},
    }
    return simplify_topology(topology, TOLERANCE_DEGREES["gdl"]), {"object": "areas", "shapes": len(geometries)}


def _write(path: Path, data: dict) -> int:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def build(shared: Path, out: Path = ASSETS) -> dict:
    shared = Path(shared).resolve()
    world, world_info = build_world(shared)
    nuts, nuts_info = build_nuts(shared)
    gdl, gdl_info = build_gdl(shared)
    sizes = {
        "world.topo.json": _write(out / "world.topo.json", world),
        "nuts2021.geo.json": _write(out / "nuts2021.geo.json", nuts),
        "gdl.topo.json": _write(out / "gdl.topo.json", gdl),
    }
    inputs = [WORLD, GAPMINDER_COUNTRIES, NUTS.format(level=1), NUTS.format(level=2), GDL]
    manifest = {
        "inputs": {name: _sha256(shared / name) for name in inputs},
        "tolerance_degrees": TOLERANCE_DEGREES,
        "nuts_decimals": NUTS_DECIMALS,
        "world": world_info,
        "nuts2021": nuts_info,
        "gdl": gdl_info,
        "bytes": sizes,
    }
    _write(out / "manifest.json", manifest)
    return manifest


def _command(args) -> int:
    shared, out = Path(args.shared), Path(args.out)
    if not (shared / "regions").is_dir():
        print(
            f"build-geometry: {shared} has no regions/ folder: pass the shared data folder, e.g. --from ../shared/data",
            file=sys.stderr,
        )
        return 2
    out.mkdir(parents=True, exist_ok=True)
    manifest = build(shared, out)
    for name, size in manifest["bytes"].items():
        print(f"{name}: {size / 1e6:.2f} MB")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "build-geometry", help="rebuild the Maps page's geometry (dashboard/assets) from ../shared/data"
    )
    parser.add_argument("--from", dest="shared", default="../shared/data", help="the shared data folder")
    parser.add_argument(
        "--out", default=str(ASSETS), help="output folder (default: dashboard/assets/, where the Maps page reads)"
    )
    parser.set_defaults(handler=_command)
