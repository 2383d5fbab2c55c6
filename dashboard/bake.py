"""Bake a static site: one offline page per configured view, plus CSV, PNG, Vega-Lite JSON and an index.

The Streamlit app is for exploring; a baked folder is how the public is served at scale — plain
files any static host or CDN can cache, no Python running, each page citing the data version
it was baked from. View ids become file names, so they are checked before anything is written:
an id that could leave the output folder (``../x``, absolute paths, separators, NUL, reserved
device names) is refused with an error naming the id and the rule.
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from tqdm import tqdm

from dashboard import export
from dashboard.share import PROJECT_NAME, SharedView, ShareError, share_link
from indicators import query

DEFAULT_VIEWS = Path(__file__).with_name("views.yaml")
ASSETS = "assets"
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
#: Names the site itself uses, and device names Windows will not create as files.
RESERVED_IDS = frozenset(
    {"index", "assets", "views", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


class BakeError(ValueError):
    """A views file or view that cannot be baked; the message names the view and the fix."""


@dataclass(frozen=True)
class BakeEntry:
    id: str
    link: str
    description: str = ""


@dataclass
class BakedView:
    entry: BakeEntry
    shared: SharedView
    files: dict[str, str] = field(default_factory=dict)  # format -> file name inside the site


def check_view_id(view_id: object, where: str = "views file") -> str:
    """A view id is a file name: refuse anything that could escape the output folder or clash."""
    if not isinstance(view_id, str) or not view_id:
        raise BakeError(f"{where}: every view needs an 'id' (text such as co2-per-capita), got {view_id!r}")
    shown = repr(view_id[:60] + ("…" if len(view_id) > 60 else ""))
    if "\x00" in view_id or "/" in view_id or "\\" in view_id or ".." in view_id or view_id.startswith("."):
        raise BakeError(f"{where}: view id {shown} could leave the output folder; use letters, digits, - and _ only")
    if not _ID.fullmatch(view_id):
        raise BakeError(
            f"{where}: view id {shown} is not a safe file name; use 1–80 lowercase letters, digits, - and _, "
            "starting with a letter or digit"
        )
    if view_id in RESERVED_IDS:
        raise BakeError(f"{where}: view id {shown} is reserved (site files or a device name); choose another")
    return view_id


def read_views(path: Path = DEFAULT_VIEWS) -> list[BakeEntry]:
    """The ``views:`` list of a YAML file, each entry checked (id, link, optional description)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BakeError(f"views file {path} not found; pass --views with a YAML file (see {DEFAULT_VIEWS})") from None
    except yaml.YAMLError as error:
        raise BakeError(f"views file {path} is not valid YAML: {error}") from None
    items = document.get("views") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise BakeError(f"views file {path}: expected a top-level 'views:' list with at least one entry")
    entries, seen = [], set()
    for number, item in enumerate(items, start=1):
        where = f"{path} view #{number}"
        if not isinstance(item, dict):
            raise BakeError(f"{where}: expected a mapping with 'id' and 'link'")
        unknown = set(item) - {"id", "link", "description"}
        if unknown:
            raise BakeError(
                f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; use id, link, description"
            )
        view_id = check_view_id(item.get("id"), where)
        if view_id in seen:
            raise BakeError(f"{where}: view id {view_id!r} appears twice; ids must be unique (they are file names)")
        seen.add(view_id)
        link = item.get("link")
        if not isinstance(link, str) or not link.strip():
            raise BakeError(
                f"{where} ({view_id}): 'link' must be a view link such as 'trajectories?ind=co2_per_capita'"
            )
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise BakeError(f"{where} ({view_id}): 'description' must be text")
        entries.append(BakeEntry(view_id, link.strip(), description.strip()))
    return entries


def _write(out: Path, name: str, content: bytes, folder: str = "") -> str:
    """Write one site file atomically; the resolved path must sit directly in ``out`` (or ``out/folder``)."""
    home = (out / folder).resolve() if folder else out.resolve()
    target = (home / name).resolve()
    if target.parent != home:
        raise BakeError(f"file name {name!r} would be written outside {home}")
    home.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(content)
    partial.replace(target)
    return f"{folder}/{name}" if folder else name


def bake(
    out: Path,
    entries: list[BakeEntry],
    *,
    base_url: str | None = None,
    images: bool = True,
    inline_js: bool = False,
    progress: bool = False,
) -> list[BakedView]:
    """Write the site into ``out``: every view's page, CSV, Vega-Lite JSON (and PNG), then the index.

    ``progress`` draws a bar per phase on stderr (a bake of every view takes minutes); tqdm leaves it out
    anyway when stderr is not a terminal, so logs and CI output stay clean.
    """
    bar = {"disable": None if progress else True, "file": sys.stderr, "unit": "view"}
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BakeError(f"output {out} exists and is not a folder")
    for entry in entries:
        check_view_id(entry.id, "bake")
    version = query.data_version()
    baked = []
    for entry in tqdm(entries, desc="query", **bar):
        try:
            shared = share_link(entry.link, base_url=base_url)
        except (ShareError, query.QueryError) as error:
            raise BakeError(f"view {entry.id!r}: {error}") from None
        if shared.notices:
            raise BakeError(f"view {entry.id!r}: the link {entry.link!r} has problems: {'; '.join(shared.notices)}")
        if shared.meta.version_notice:
            raise BakeError(
                f"view {entry.id!r} pins data version {shared.options.version} but the data is {version}; "
                "remove 'v=' from the link or bake with that data"
            )
        baked.append(BakedView(entry, shared))
    out.mkdir(parents=True, exist_ok=True)
    script_src = None
    if not inline_js:
        script_src = _write(out, export.bundle_file_name(), export.javascript_bundle().encode("utf-8"), ASSETS)
    for item in tqdm(baked, desc="bake", **bar):
        shared, stem = item.shared, item.entry.id
        page = export.to_html(shared, script_src=script_src, home="index.html")
        item.files["html"] = _write(out, f"{stem}.html", page.encode("utf-8"))
        item.files["csv"] = _write(out, f"{stem}.csv", export.to_csv(shared))
        item.files["vl.json"] = _write(out, f"{stem}.vl.json", export.to_vl_json(shared))
        if images:
            item.files["png"] = _write(out, f"{stem}.png", export.to_png(shared, scale=1))
    _write(out, "views.json", _manifest(baked, version).encode("utf-8"))
    _write(out, "index.html", _index(baked, version).encode("utf-8"))
    return baked


def _manifest(baked: list[BakedView], version: str) -> str:
    views = [
        {
            "id": item.entry.id,
            "description": item.entry.description,
            "files": item.files,
            **export.meta_dict(item.shared.meta),
        }
        for item in baked
    ]
    return json.dumps({"data_version": version, "views": views}, indent=2, ensure_ascii=False) + "\n"


def _index(baked: list[BakedView], version: str) -> str:
    e = html.escape
    cards = []
    for item in baked:
        meta, files = item.shared.meta, item.files
        thumb = f'<img src="{e(files["png"])}" alt="{e(meta.description)}" loading="lazy">' if "png" in files else ""
        downloads = " · ".join(
            f'<a href="{e(files[fmt])}">{label}</a>'
            for fmt, label in (("csv", "CSV"), ("png", "PNG"), ("vl.json", "Vega-Lite JSON"))
            if fmt in files
        )
        cards.append(
            f'<li><a class="view" href="{e(files["html"])}">{thumb}<strong>{e(meta.title)}</strong></a>'
            f"<p>{e(item.entry.description)}</p><p class=small>{e(meta.source_line)}</p>"
            f'<p class=small>{downloads} · <a href="{e(meta.permalink)}">Open in Beyond GDP</a></p></li>'
        )
    return _INDEX.format(name=e(PROJECT_NAME), version=e(version), count=len(baked), cards="\n".join(cards))


_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:">
<title>{name} — shared views</title>
<style>
body {{ font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #222; margin: 0; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 16px; }}
ul {{ list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 18px; }}
li {{ border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px; }}
li img {{ width: 100%; height: auto; display: block; margin-bottom: 6px; }}
a {{ color: #0060A0; }} a.view {{ text-decoration: none; color: #222; }}
.small {{ font-size: 13px; color: #555; }}
</style>
</head>
<body>
<main>
<h1>{name}: {count} views</h1>
<p>Static pages baked from data snapshot <code>{version}</code>. Each page works offline and says how to cite it;
the CSV next to it holds exactly the numbers drawn.</p>
<ul>
{cards}
</ul>
</main>
</body>
</html>
"""
